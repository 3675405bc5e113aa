"""The changelog: which file ``bot init`` proposes, whether it should advise adding the
insertion marker, and adding it (``bot init --changelog-marker``).

Pure: no I/O. New releases go below the marker; without one, above the newest release heading;
with neither, bot changelog refuses (a reStructuredText file with a document title takes them at
its end). ``insert_marker`` changes nothing but the marker line and one blank line. A file
ending in ``.rst`` is reStructuredText (core/changelog_rst.py): its marker is an rst comment.
"""

from __future__ import annotations

from collections.abc import Mapping

from versionbot.core.changelog import BOM, lines_of
from versionbot.core.changelog_rst import layout_of

DEFAULT_CHANGELOG = "CHANGELOG.md"
# Where a project without a peer's setting keeps its changelog, in order: Python projects often
# keep theirs in reStructuredText, under one of these names.
CHANGELOG_FILES = (DEFAULT_CHANGELOG, "CHANGELOG.rst", "CHANGES.rst", "HISTORY.rst")


def default_changelog(files: Mapping[str, str]) -> str:
    """The changelog a repository already has (the first of ``CHANGELOG_FILES`` among
    ``files``), else CHANGELOG.md."""
    return next((name for name in CHANGELOG_FILES if name in files), DEFAULT_CHANGELOG)


def changelog_advice(path: str, text: str | None) -> tuple[str, ...]:
    """A finding about the changelog, then advice (if any)."""
    if text is None:
        return (f"{path} does not exist: bot changelog (or the first bot release) creates it",)
    marker = layout_of(path).marker
    lines = lines_of(text.removeprefix(BOM))
    if any(line.strip() == marker for line in lines):
        return (f"{path} has the insertion marker",)
    heading = _first_heading(path, lines)
    if heading is not None:
        return (
            f"{path} has no insertion marker; new releases go above its newest release heading",
            f"to choose the place, add the line {marker} to {path} "
            f"(bot init --changelog-marker puts it above {lines[heading].strip()!r})",
        )
    if layout_of(path).below_title(lines) is not None:
        return (
            f"{path} has no insertion marker and no release heading; new releases go at its end",
            f"to choose the place, add the line {marker} to {path} where releases should go",
        )
    return (
        f"{path} has no insertion marker and no release heading",
        f"add the line {marker} to {path} where releases should go "
        "(bot init --changelog-marker puts it at the end); bot changelog refuses without it",
    )


def _first_heading(path: str, lines: list[str]) -> int | None:
    """Where the first release heading is (below the document title of a reStructuredText
    file): the newest release's, new releases go above it."""
    layout = layout_of(path)
    top = layout.below_title(lines) or 0
    return next((i for i, _ in layout.headings(lines) if i >= top), None)


def insert_marker(text: str, path: str = DEFAULT_CHANGELOG) -> str:
    """``text`` (of the changelog ``path``) with the insertion marker above its first release
    heading (or at its end).

    Unchanged when the marker is already there. Nothing else changes: the marker line and one
    blank line are inserted; line endings follow the file's.
    """
    marker = layout_of(path).marker
    if any(line.strip() == marker for line in text.removeprefix(BOM).split("\n")):
        return text
    if text.startswith(BOM):
        return BOM + insert_marker(text[len(BOM) :], path)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = lines_of(text)
    index = _first_heading(path, lines)
    if index is None:
        ending = "" if not text or text.endswith(("\n", "\r")) else newline
        spacer = newline if text.strip() and not text.endswith(newline * 2) else ""
        return f"{text}{ending}{spacer}{marker}{newline}"
    return "".join([*lines[:index], marker, newline, newline, *lines[index:]])
