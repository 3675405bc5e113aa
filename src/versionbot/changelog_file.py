"""Edge: bring CHANGELOG.md up to date with the repository's release tags.

Reads the whole history in one ``git log``, splits it into release windows, renders only the
releases the file lacks, and inserts them (``changelog.insert_sections``) without touching any
other byte; or renders the whole file (``--full``, or when there is no file yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from versionbot.changelog import ReleaseNotes, insert_sections, versions_in
from versionbot.commits import Commit
from versionbot.config import Config
from versionbot.files import read_text, write_atomically
from versionbot.git import read_whole_history
from versionbot.history import release_tags, release_windows
from versionbot.links import forge_links
from versionbot.plan import PlannedCommit, each_classified, window_notes
from versionbot.render import Renderer
from versionbot.version import Version


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
    commits: list[Commit] = []
    planned = _notable_pieces(_graph_of(stream, commits), config)
    shas = planned.keys()
    releases, _ = release_tags(tuple(t for t in tags if t.sha in shas), config.tag_format)
    windows, _ = release_windows(commits, releases)
    links = forge_links(state.remote_url, config.changelog.forge)
    renderer = Renderer.for_repository(state, config)
    path = Path(state.root) / config.changelog.file
    old = read_text(path) if path.exists() else None
    if full or old is None:
        notes = [window_notes(w, planned, config, links) for w in reversed(windows)]
        added = tuple(w.release.version for w in reversed(windows))
        del planned, commits, windows  # the notes hold what rendering needs
        text = renderer.changelog(notes, sections_only=False)
        if old is not None and "\r\n" in old:
            text = text.replace("\n", "\r\n")
    else:
        present = versions_in(old)
        newline = "\r\n" if "\r\n" in old else "\n"
        sections = {
            w.release.version: _section(renderer, window_notes(w, planned, config, links), newline)
            for w in windows
            if str(w.release.version) not in present
        }
        text = insert_sections(old, sections, config.changelog.file)
        added = tuple(sorted(sections, reverse=True))
    changed = text != old
    if write and changed:
        write_atomically(path, text)
    return ChangelogUpdate(path, text, added, changed)


def _notable_pieces(commits: Iterable[Commit], config: Config) -> dict[str, list[PlannedCommit]]:
    """Each commit's planned pieces, keeping only what release notes can show.

    Classifying happens while git is still writing; the windows need the whole graph, so they
    come after, and everything kept until then costs memory (half of it for a 100,000-commit
    history). So a piece no section shows (a chore, a commit that is not conventional) is dropped
    unless a revert names it; the stream is newest first, so every revert that can name a commit
    has been seen before it. Kept pieces lose their bodies, which notes never show.
    """
    shown = {kind for kind, _ in config.changelog.sections}
    named: set[str] = set()  # sha prefixes that reverts seen so far name
    planned: dict[str, list[PlannedCommit]] = {}
    # One piece at a time, so that the pieces dropped are never all held at once.
    for piece in each_classified(commits, config):
        kept = planned.setdefault(piece.sha, [])
        parsed = piece.parsed
        if parsed is None:
            continue
        named.update(parsed.reverts)
        if not (
            parsed.type in shown
            or parsed.breaking
            or parsed.reverts
            or any(piece.sha.startswith(prefix) for prefix in named)
        ):
            continue
        kept.append(piece._replace(parsed=parsed._replace(body="")) if parsed.body else piece)
    return planned


def _graph_of(stream: Iterator[Commit], graph: list[Commit]) -> Iterator[Commit]:
    """Pass the commits through, keeping each one's sha and parents (not its message) in
    ``graph``."""
    for commit in stream:
        graph.append(Commit(commit.sha, commit.parents, ""))
        yield commit


def _section(renderer: Renderer, notes: ReleaseNotes, newline: str) -> str:
    """One release's section, ending with a blank line, in the file's line endings."""
    return (renderer.changelog([notes], sections_only=True) + "\n").replace("\n", newline)
