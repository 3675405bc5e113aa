"""Edge: bring CHANGELOG.md up to date with the repository's release tags.

Reads the whole history in one ``git log``, splits it into release windows, renders only the
releases the file lacks, and inserts them (``changelog.insert_sections``) without touching any
other byte; or renders the whole file (``--full``, or when there is no file yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from versionbot.changelog import insert_sections, versions_in
from versionbot.config import Config
from versionbot.files import read_text, write_atomically
from versionbot.git import read_whole_history
from versionbot.history import release_windows
from versionbot.links import forge_links
from versionbot.plan import window_notes
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
    history, commits = read_whole_history(repo, config)
    links = forge_links(history.state.remote_url, config.changelog.forge)
    renderer = Renderer.for_repository(history.state, config)
    path = Path(history.state.root) / config.changelog.file
    releases = [r for r in history.baseline.existing if r.tag.reachable]
    windows, _ = release_windows(commits, releases)
    old = read_text(path) if path.exists() else None
    if full or old is None:
        notes = [window_notes(w, config, links) for w in reversed(windows)]
        text = renderer.changelog(notes, sections_only=False)
        added = tuple(w.release.version for w in reversed(windows))
        if old is not None and "\r\n" in old:
            text = text.replace("\n", "\r\n")
    else:
        present = versions_in(old)
        missing = [w for w in windows if str(w.release.version) not in present]
        newline = "\r\n" if "\r\n" in old else "\n"
        sections = {
            w.release.version: (
                renderer.changelog([window_notes(w, config, links)], sections_only=True) + "\n"
            ).replace("\n", newline)
            for w in missing
        }
        text = insert_sections(old, sections, config.changelog.file)
        added = tuple(sorted(sections, reverse=True))
    changed = text != old
    if write and changed:
        write_atomically(path, text)
    return ChangelogUpdate(path, text, added, changed)
