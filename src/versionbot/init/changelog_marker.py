"""The changelog's insertion marker: whether ``bot init`` should advise adding it, and adding it
(``bot init --changelog-marker``).

Pure: no I/O. New releases go below the marker; without one, above the newest release heading;
with neither, bot changelog refuses. ``insert_marker`` changes nothing but the marker line and
one blank line.
"""

from __future__ import annotations

from versionbot.core.changelog import BOM, INSERT_MARKER, lines_of, versions_in


def changelog_advice(path: str, text: str | None) -> tuple[str, ...]:
    """A finding about the changelog, then advice (if any)."""
    if text is None:
        return (f"{path} does not exist: bot changelog (or the first bot release) creates it",)
    lines = text.removeprefix(BOM).split("\n")
    if any(line.strip() == INSERT_MARKER for line in lines):
        return (f"{path} has the insertion marker",)
    heading = _first_heading(lines)
    if heading is not None:
        return (
            f"{path} has no insertion marker; new releases go above its newest release heading",
            f"to choose the place, add the line {INSERT_MARKER} to {path} "
            f"(bot init --changelog-marker puts it above {lines[heading].strip()!r})",
        )
    return (
        f"{path} has no insertion marker and no release heading",
        f"add the line {INSERT_MARKER} to {path} where releases should go "
        "(bot init --changelog-marker puts it at the end); bot changelog refuses without it",
    )


def _first_heading(lines: list[str]) -> int | None:
    """Where the first release heading is: the newest release's, new releases go above it."""
    return next((i for i, line in enumerate(lines) if versions_in(line)), None)


def insert_marker(text: str) -> str:
    """``text`` with the insertion marker above its first release heading (or at its end).

    Unchanged when the marker is already there. Nothing else changes: the marker line and one
    blank line are inserted; line endings follow the file's.
    """
    if any(line.strip() == INSERT_MARKER for line in text.removeprefix(BOM).split("\n")):
        return text
    if text.startswith(BOM):
        return BOM + insert_marker(text[len(BOM) :])
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = lines_of(text)
    index = _first_heading(lines)
    if index is None:
        ending = "" if not text or text.endswith(("\n", "\r")) else newline
        spacer = newline if text.strip() and not text.endswith(newline * 2) else ""
        return f"{text}{ending}{spacer}{INSERT_MARKER}{newline}"
    return "".join([*lines[:index], INSERT_MARKER, newline, newline, *lines[index:]])
