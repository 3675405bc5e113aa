"""Edge: bring CHANGELOG.md (or a CHANGELOG.rst) up to date with the repository's release tags.

Reads the whole history in one ``git log``, splits it into release windows, renders only the
releases the file lacks, and inserts them (``changelog.insert_sections``) without touching any
other byte; or renders the whole file (``--full``, or when there is no file yet). In a monorepo,
each package's changelog in its folder, from one walk that also lists the paths.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.changelog import BOM, ReleaseNotes, insert_sections
from versionbot.core.changelog_rst import layout_of
from versionbot.core.commits import Commit
from versionbot.core.config import Config, Package
from versionbot.core.history import RepositoryState, Tag, release_tags, release_windows
from versionbot.core.links import forge_links
from versionbot.core.packages import Owners
from versionbot.core.plan import PlannedCommit, each_classified, package_pieces, window_notes
from versionbot.core.version import Version
from versionbot.files.atomic import in_work_tree, read_text, write_atomically
from versionbot.files.render import Renderer
from versionbot.git.reader import read_whole_history, read_whole_packages_history


@dataclass(frozen=True, slots=True)
class ChangelogUpdate:
    """What ``bot changelog`` did (or, with ``--stdout``, would do)."""

    path: Path
    text: str
    added: tuple[Version, ...]  # newest first
    changed: bool


def update_changelog(repo: Path, config: Config, *, full: bool, write: bool) -> ChangelogUpdate:
    """Add every reachable release the changelog lacks (or regenerate it); write it if ``write``."""
    state, tags, stream = read_whole_history(repo, config)
    graph: list[Commit] = []
    notable = _Notable(config)
    planned: dict[str, list[PlannedCommit]] = {}
    # One piece at a time, so that the pieces dropped are never all held at once.
    for piece in each_classified(_graph_of(stream, graph), config):
        shown = notable.kept(piece)
        if shown is not None:
            planned.setdefault(piece.sha, []).append(shown)
    reachable = _reachable(tags, graph)
    return _update_file(state, config, reachable, graph, planned, full=full, write=write)


def update_package_changelogs(
    repo: Path, config: Config, names: Collection[str], *, full: bool, write: bool
) -> list[tuple[Package, ChangelogUpdate]]:
    """``update_changelog`` for the packages ``names`` of a monorepo, each in its own folder,
    from one walk of the whole history with the paths each commit changed.

    A package's release holds the commits since its previous release (as in a single-package
    repository) that belong to the package (packages.Owners, as ``bot plan`` decides).
    """
    state, tags, stream = read_whole_packages_history(repo, config)
    owners = Owners(config.packages)
    wanted = [i for i, package in enumerate(config.packages) if package.name in names]
    planned: list[dict[str, list[PlannedCommit]]] = [{} for _ in config.packages]
    graph: list[Commit] = []
    notable = _Notable(config)
    by_name = {tag.name: tag.sha for tag in tags}
    for commit, paths in stream:
        graph.append(Commit(commit.sha, commit.parents, ""))
        for i, pieces in package_pieces(commit, paths, owners, config, by_name):
            kept = [p for p in map(notable.kept, pieces) if p is not None]
            if kept:
                planned[i].setdefault(commit.sha, []).extend(kept)
    reachable = _reachable(tags, graph)
    return [
        (
            config.packages[i],
            _update_file(
                state,
                config.packages[i].config,
                reachable,
                graph,
                planned[i],
                full=full,
                write=write,
            ),
        )
        for i in wanted
    ]


def _reachable(tags: tuple[Tag, ...], graph: list[Commit]) -> tuple[Tag, ...]:
    """The tags on commits of the walk: those HEAD contains."""
    shas = {commit.sha for commit in graph}
    return tuple(t for t in tags if t.sha in shas)


def _update_file(
    state: RepositoryState,
    config: Config,
    tags: tuple[Tag, ...],
    graph: list[Commit],
    planned: dict[str, list[PlannedCommit]],
    *,
    full: bool,
    write: bool,
) -> ChangelogUpdate:
    """Bring ``config.changelog.file`` up to date with the releases of ``config.tag_format``
    among ``tags`` (those HEAD contains): the windows come from the whole ``graph``, the notes
    from the pieces in ``planned`` (by sha; a sha it lacks shows nothing)."""
    releases, _ = release_tags(tags, config.tag_format)
    windows, _ = release_windows(graph, releases)
    links = forge_links(state.remote_url, config.changelog.forge)
    renderer = Renderer.for_repository(state, config)
    path = in_work_tree(Path(state.root), config.changelog.file, "changelog")
    old = read_text(path) if path.exists() else None
    if full or old is None:
        notes = [window_notes(w, planned, config, links) for w in reversed(windows)]
        added = tuple(w.release.version for w in reversed(windows))
        del planned, windows  # the notes hold what rendering needs
        text = renderer.changelog(notes, sections_only=False)
        if old is not None and "\r\n" in old:
            text = text.replace("\n", "\r\n")
        if old is not None and old.startswith(BOM):  # the file's own, as insert_sections keeps it
            text = BOM + text
    else:
        layout = layout_of(config.changelog.file)
        present = layout.versions(old)
        newline = "\r\n" if "\r\n" in old else "\n"
        sections = {
            w.release.version: _section(renderer, window_notes(w, planned, config, links), newline)
            for w in windows
            if str(w.release.version) not in present
        }
        text = insert_sections(old, sections, config.changelog.file, layout)
        added = tuple(sorted(sections, reverse=True))
    changed = text != old
    if write and changed:
        write_atomically(path, text)
    return ChangelogUpdate(path, text, added, changed)


class _Notable:
    """Which pieces release notes can show, decided as the stream goes by.

    Classifying happens while git is still writing; the windows need the whole graph, so they
    come after, and everything kept until then costs memory (half of it for a 100,000-commit
    history). So a piece no section shows (a chore, a commit that is not conventional) is dropped
    unless a revert names it; the stream is newest first, so every revert that can name a commit
    has been seen before it. Kept pieces lose their bodies, which notes never show.
    """

    def __init__(self, config: Config) -> None:
        self._shown = {kind for kind, _ in config.changelog.sections}
        self._named: set[str] = set()  # sha prefixes that reverts seen so far name

    def kept(self, piece: PlannedCommit) -> PlannedCommit | None:
        """``piece`` as the notes keep it, or None when they cannot show it."""
        parsed = piece.parsed
        if parsed is None:
            return None
        self._named.update(parsed.reverts)
        if not (
            parsed.type in self._shown
            or parsed.breaking
            or parsed.reverts
            or any(piece.sha.startswith(prefix) for prefix in self._named)
        ):
            return None
        return piece._replace(parsed=parsed.without_body()) if parsed.body else piece


def _graph_of(stream: Iterator[Commit], graph: list[Commit]) -> Iterator[Commit]:
    """Pass the commits through, keeping each one's sha and parents (not its message) in
    ``graph``."""
    for commit in stream:
        graph.append(Commit(commit.sha, commit.parents, ""))
        yield commit


def _section(renderer: Renderer, notes: ReleaseNotes, newline: str) -> str:
    """One release's section, ending with a blank line, in the file's line endings."""
    return (renderer.changelog([notes], sections_only=True) + "\n").replace("\n", newline)
