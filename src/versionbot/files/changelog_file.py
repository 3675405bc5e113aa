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
from versionbot.core.history import (
    RepositoryState,
    Tag,
    left_out,
    release_tags,
    release_windows,
)
from versionbot.core.links import forge_links
from versionbot.core.packages import Owners, moved_from
from versionbot.core.plan import PlannedCommit, each_classified, package_pieces, window_notes
from versionbot.core.version import Version
from versionbot.files.atomic import in_work_tree, read_text, write_atomically
from versionbot.files.render import Renderer
from versionbot.git.reader import read_whole_history, read_whole_packages_history
from versionbot.git.stand_ins import with_stand_ins


@dataclass(frozen=True, slots=True)
class ChangelogUpdate:
    """What ``bot changelog`` did (or, with ``--stdout``, would do)."""

    path: Path
    text: str
    added: tuple[Version, ...]  # newest first
    changed: bool
    # A whole changelog's (--full, or a new file): the releases it could not include, why, and
    # the configuration that would (history.left_out, packages.moved_from).
    left_out: tuple[str, ...] = ()


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
    tags = _on_branch(state.root, tags, graph, config)
    left = tuple(left_out(tags, config.tag_format))
    return _update_file(state, config, tags, graph, planned, left=left, full=full, write=write)


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
    oldest: dict[int, tuple[str, tuple[str, ...]]] = {}  # a package's oldest commit, its paths
    for commit, paths in stream:
        graph.append(Commit(commit.sha, commit.parents, ""))
        for i, pieces in package_pieces(commit, paths, owners, config, by_name):
            oldest[i] = (commit.sha, paths)
            kept = [p for p in map(notable.kept, pieces) if p is not None]
            if kept:
                planned[i].setdefault(commit.sha, []).extend(kept)
    tags = _on_branch(state.root, tags, graph, config)
    formats = [p.config.tag_format for p in config.packages]
    updates = []
    for i in wanted:
        package = config.packages[i]
        others = formats[:i] + formats[i + 1 :]
        left = [*left_out(tags, package.config.tag_format, others)]
        left += _moved(package, *oldest.get(i, ("", ())))
        update = _update_file(
            state, package.config, tags, graph, planned[i], left=tuple(left), full=full, write=write
        )
        updates.append((package, update))
    return updates


def _on_branch(
    root: str, tags: tuple[Tag, ...], graph: list[Commit], config: Config
) -> tuple[Tag, ...]:
    """``tags``, each ``reachable`` when its commit is in the walk (HEAD contains it), and the
    branch's copies of off-branch releases standing in for them (git/stand_ins.py)."""
    shas = {commit.sha for commit in graph}
    marked = tuple(t._replace(reachable=t.sha in shas) for t in tags)
    return with_stand_ins(root, marked, config)


def _moved(package: Package, sha: str, paths: tuple[str, ...]) -> list[str]:
    """A line when the package's folder was moved by its oldest commit (``sha``, ``paths``)
    from a folder whose commits are not the package's."""
    origin = moved_from(package.path, paths) if sha else None
    if origin is None or origin in package.depends_on:
        return []
    return [
        f"the folder {package.path} was moved from {origin} in {sha[:7]}: the commits before "
        f"that are not package {package.name}'s; to include them, set depends_on = "
        f'["{origin}"] in [packages.{package.name}]'
    ]


def _update_file(
    state: RepositoryState,
    config: Config,
    tags: tuple[Tag, ...],
    graph: list[Commit],
    planned: dict[str, list[PlannedCommit]],
    *,
    left: tuple[str, ...],
    full: bool,
    write: bool,
) -> ChangelogUpdate:
    """Bring ``config.changelog.file`` up to date with the releases of ``config.tag_format``
    among ``tags`` that HEAD contains: the windows come from the whole ``graph``, the notes
    from the pieces in ``planned`` (by sha; a sha it lacks shows nothing). ``left``: what a
    whole changelog leaves out, reported when one is written."""
    held = tuple(t for t in tags if t.reachable)
    releases, _ = release_tags(held, config.tag_format)
    windows, _ = release_windows(graph, releases)
    links = forge_links(state.remote_url, config.changelog.forge)
    renderer = Renderer.for_repository(state, config)
    path = in_work_tree(Path(state.root), config.changelog.file, "changelog")
    old = read_text(path) if path.exists() else None
    whole = full or old is None
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
    return ChangelogUpdate(path, text, added, changed, left if whole else ())


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
