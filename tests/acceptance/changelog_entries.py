"""The entries of a project's own changelog, and the normalised subject text they are compared by.

``parse_changelog`` reads a Markdown (release-please, semantic-release, commitizen) or
reStructuredText (python-semantic-release) changelog into ``{version: [{"section", "text"}]}``:
one entry per top-level bullet, under the section heading it sits in. A Markdown bullet is its first
line (further lines are a body, not the subject); a reStructuredText bullet is wrapped at 100
columns, so its indented continuation lines are joined to it.

``normalise`` turns an entry (the project's or the bot's) into the text the two are compared by:

1. Markdown links ``[text](url)`` keep their text; reStructuredText references ``\u0060x\u0060_``
   keep ``x``;
2. bare URLs, ``closes #12`` style phrases, issue and pull-request references (``#12``, ``PR#12``,
   ``GH-12``) and commit hashes (7 to 40 hex digits with at least one digit) are removed;
3. a leading bold scope (``**scope:**`` or ``**scope**:``) is removed: tools differ in whether and
   how they show it, and the subject is what a reader compares;
4. the text is lower-cased, every character that is not a letter or digit becomes a space, and runs
   of spaces become one.

An entry of the project "appears in" the bot's notes when its normalised text equals a bot entry's,
or is contained in one as whole words (the bot may add text after the subject, such as a breaking
change's note).
"""

from __future__ import annotations

import re

_MD_VERSION = re.compile(r"^#{1,3} +\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)[\]\s(]")
_MD_SECTION = re.compile(r"^#{3,4} +(.+?)\s*$")
_BULLET = re.compile(r"^[*-] +(.*)$")
_RST_VERSION = re.compile(r"^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?) \(")

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_RST_REF = re.compile(r"`([^`]+)`_")
_URL = re.compile(r"https?://\S+")
_CLOSES = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#\d+(?:\s*,\s*#\d+)*", re.I)
_ISSUE = re.compile(r"(?<!\w)(?:PR|GH-?)?#\d+\b|\bGH-\d+\b", re.I)
_HASH = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")
_SCOPE = re.compile(r"^\s*\*\*[^*]+?\*\*:?\s*")
_NOT_WORD = re.compile(r"[\W_]+")


def parse_changelog(text: str, path: str) -> dict[str, list[dict[str, str]]]:
    """``{version: [{"section", "text"}]}`` of every release in the changelog at ``path``."""
    if path.endswith(".rst"):
        return _parse_rst(text.splitlines())
    return _parse_markdown(text.splitlines())


def _parse_markdown(lines: list[str]) -> dict[str, list[dict[str, str]]]:
    releases: dict[str, list[dict[str, str]]] = {}
    version: str | None = None
    section = ""
    for line in lines:
        heading = _MD_VERSION.match(line + " ")
        if heading and not line.startswith("###"):
            version = heading.group(1)
            releases.setdefault(version, [])
            section = ""
            continue
        sub = _MD_SECTION.match(line)
        if sub:
            section = sub.group(1)
            continue
        bullet = _BULLET.match(line)
        if bullet and version is not None:
            releases[version].append({"section": section, "text": bullet.group(1).strip()})
    return releases


def _parse_rst(lines: list[str]) -> dict[str, list[dict[str, str]]]:
    releases: dict[str, list[dict[str, str]]] = {}
    version: str | None = None
    section = ""
    current: dict[str, str] | None = None
    for number, line in enumerate(lines):
        underline = lines[number + 1] if number + 1 < len(lines) else ""
        if underline.startswith("====") and _RST_VERSION.match(line):
            version = _RST_VERSION.match(line).group(1)  # type: ignore[union-attr]
            releases.setdefault(version, [])
            current = None
            continue
        if underline.startswith("----") and line.strip():
            section, current = line.strip(), None
            continue
        bullet = _BULLET.match(line)
        if bullet and version is not None:
            current = {"section": section, "text": bullet.group(1).strip()}
            releases[version].append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current["text"] += " " + line.strip()
        elif not line.strip():
            current = None
    return releases


def normalise(text: str) -> str:
    """The comparable subject text of a changelog entry (see the module docstring)."""
    text = _LINK.sub(r"\1", text)
    text = _RST_REF.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _SCOPE.sub("", text)
    text = _CLOSES.sub(" ", text)
    text = _ISSUE.sub(" ", text)
    text = _HASH.sub(" ", text)
    return _NOT_WORD.sub(" ", text.lower()).strip()


def appears_in(entry: str, notes_entries: list[str]) -> bool:
    """Whether the project's ``entry`` is one of the bot's entries (both already normalised)."""
    if not entry:
        return True
    return any(entry == bot or f" {entry} " in f" {bot} " for bot in notes_entries)


def bot_entries(notes: str) -> list[str]:
    """The normalised entries of the bot's Markdown notes: every bullet line, at any depth."""
    found = []
    for line in notes.splitlines():
        bullet = _BULLET.match(line.lstrip())
        if bullet:
            found.append(normalise(bullet.group(1)))
    return found
