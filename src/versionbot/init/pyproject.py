"""Putting the rendered ``[tool.versionbot]`` section into pyproject.toml's text, keeping every
other byte.

Pure: no I/O. Textual, not tomlkit (which puts a new table after the last ``[tool.*]`` one and
re-renders what it touches): the section is appended, or with --force put where the old tables
were, cut out line by line. The result must parse, with the new table as ``tool.versionbot`` and
everything else as it was; otherwise we refuse rather than write.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

from versionbot.core.errors import UsageError
from versionbot.init.toml_render import TITLE

_OWN_COMMENTS = (TITLE, "# Migrated from ")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def existing_versionbot_table(pyproject: str) -> bool:
    """True when pyproject.toml's text already has a ``tool.versionbot`` table."""
    try:
        return "versionbot" in tomllib.loads(pyproject).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return False


def embed_in_pyproject(pyproject: str, section: str) -> str:
    """pyproject.toml's text with ``section`` (rendered ``embedded``) as its ``tool.versionbot``.

    An existing ``[tool.versionbot]`` (and its sub-tables) is cut out and the section goes where
    it was; otherwise the section is appended at the end after one blank line. Every other byte
    is kept, and the result is checked; UsageError when that cannot be done safely.
    """
    try:
        before = tomllib.loads(pyproject.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"pyproject.toml is not valid TOML: {exc}",
            "fix it, then run bot init again (or bot init --stdout to see the section)",
        ) from None
    except RecursionError:
        raise UsageError(
            "pyproject.toml nests arrays or tables too deeply to be read",
            "fix it, then run bot init again (or bot init --stdout to see the section)",
        ) from None
    newline = "\r\n" if "\r\n" in pyproject else "\n"
    lines = pyproject.splitlines(keepends=True)
    kept, at = _cut_versionbot_tables(lines)
    if at is None:
        body = "".join(kept)
        if body and not body.endswith(("\n", "\r")):
            body += newline
        spacer = newline if body.strip() and not body.endswith(newline * 2) else ""
        result = body + spacer + section
    else:
        ending = newline if at < len(kept) else ""
        result = "".join([*kept[:at], section, ending, *kept[at:]])
    _check_embedding(before, result, section)
    return result


def _cut_versionbot_tables(lines: list[str]) -> tuple[list[str], int | None]:
    """The lines without the ``[tool.versionbot...]`` tables, and where the first one was.

    A table runs from its header to the next header; comments and blank lines just above the
    next header belong to that one. Headers inside multi-line strings are not headers: the
    check in embed_in_pyproject catches that and any other surprise.
    """
    kept: list[str] = []
    at: int | None = None
    inside = False
    pending: list[str] = []
    for line in lines:
        header = _HEADER.match(line)
        if header is not None:
            name = header[1].replace(" ", "").replace('"', "")
            mine = name == "tool.versionbot" or name.startswith("tool.versionbot.")
            if inside and not mine:
                kept += pending
            pending = []
            if mine and at is None:
                while kept and kept[-1].startswith(_OWN_COMMENTS):
                    kept.pop()  # the header comments bot init wrote above the old section
                at = len(kept)
            inside = mine
            if mine:
                continue
        if inside:
            pending = [*pending, line] if not line.strip() or line.lstrip().startswith("#") else []
            continue
        kept.append(line)
    while at is not None and at < len(kept) and not kept[at].strip():
        del kept[at]  # blank lines the old section left behind
    return kept, at


def _check_embedding(before: Mapping[str, Any], result: str, section: str) -> None:
    try:
        after = tomllib.loads(result.removeprefix("\ufeff"))
        wanted = tomllib.loads(section)["tool"]["versionbot"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise UsageError(
            f"cannot add [tool.versionbot] to pyproject.toml without breaking it ({exc})",
            "run bot init --stdout and paste the section by hand",
        ) from None
    expected = {**before, "tool": {**before.get("tool", {}), "versionbot": wanted}}
    if after != expected:
        raise UsageError(
            "cannot replace [tool.versionbot] in pyproject.toml without touching other settings "
            "(it is not written as [tool.versionbot] tables)",
            "delete the old versionbot settings by hand, then run bot init again",
        )
