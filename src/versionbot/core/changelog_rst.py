"""The changelog in reStructuredText: commit text made inert, headings, where releases go.

Pure: no I/O, no docutils. A changelog whose file name ends in ``.rst`` is written in
reStructuredText (``layout_of``); everything else, the release notes of a forge and of ``bot
plan`` included, stays Markdown (core/changelog.py).

Commit text is data: ``inline`` and ``block`` make every line of it a plain paragraph line that
docutils reads as text, whatever it holds. The inline markup characters (``*``, ``` ` ```,
``_``, ``|``, ``\\``) are backslash-escaped everywhere, so no emphasis, literal, role,
hyperlink or footnote reference, target or substitution can start; a line's first character is
escaped when it is punctuation or starts an enumerator (``A.``, ``(2)``), so no directive
(``.. raw::``), comment, field, list, line block, doctest or section adornment can start; a
``:`` after a URI scheme other than http(s) is escaped, so ``javascript:`` is no link; a final
``::`` is escaped, so no literal block is expected. Issue references become anonymous hyperlinks
(`` `#12 <url>`__ ``: anonymous, so that two entries naming the same issue are no duplicate
target).

>>> inline(".. raw:: html", None)
'\\\\.. raw\\\\:: html'
>>> inline("use `x <javascript:alert(1)>`_ |sub| *now*", None)
'use \\\\`x <javascript\\\\:alert(1)>\\\\`\\\\_ \\\\|sub\\\\| \\\\*now\\\\*'
>>> underline("日本語 notes", "-")
'------------'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from versionbot.core.changelog import (
    BOM,
    MARKDOWN,
    Layout,
    lines_of,
    reference_url,
)
from versionbot.core.links import ForgeLinks
from versionbot.core.neutralise import IN_MARKDOWN
from versionbot.core.version import InvalidVersion, Version

INSERT_MARKER = ".. versionbot: insert releases below"  # an rst comment: shows nothing

_ESCAPED = "\\*`_|"
_INLINE_ESCAPES = str.maketrans({**IN_MARKDOWN, **{c: "\\" + c for c in _ESCAPED}})
_INLINE_SPECIALS = re.compile("[" + "".join(re.escape(chr(c)) for c in _INLINE_ESCAPES) + "]")
# An enumerated list's start: `1.`, `a)`, `(iv)`, `#.`, then white space or the end.
_ENUMERATOR = re.compile(r"\(?(?:[0-9]+|[A-Za-z]|[IVXLCDMivxlcdm]+|#)[.)](?:\s|$)")
# A `:` docutils may read as a standalone URI's (`javascript:x`, `data:x`): after a scheme-like
# word, before a non-space. http(s) links stay links.
_SCHEME_COLON = re.compile(r"(?<![A-Za-z0-9.+-])(?!https?:)([A-Za-z][A-Za-z0-9.+-]*):(?=\S)", re.I)
_REFERENCE = re.compile(r"(?<![\w/&])[#!][0-9]+\b")
# What may stand right before and after inline markup without a `\ ` to separate it.
_BEFORE_MARKUP = frozenset(" \t\n'\"([{<-/:")
_AFTER_MARKUP = frozenset(" \t\n'\")]}>-/:.,;!?")


def inline(text: str, links: ForgeLinks | None) -> str:
    """One line of commit text as inert reStructuredText, its ``#12`` references linked."""
    if links is None or ("#" not in text and "!" not in text):
        return _escaped_line(text)
    out: list[str] = []
    done = 0
    for match in _REFERENCE.finditer(text):
        url = reference_url(match[0], links)
        if url is None:
            continue
        out.append(_escaped_line(text[done : match.start()], first=not done))
        out.append(hyperlink(match[0], url))
        done = match.end()
    out.append(_escaped_line(text[done:], first=not done))
    return _spaced(out)


def block(text: str, links: ForgeLinks | None, indent: str = "  ") -> str:
    """A multi-line text (a breaking-change note) inside a list item: each line ``inline``
    and indented, so that no line can leave the item or start a block of its own."""
    return f"\n{indent}".join(inline(line.strip(), links) for line in text.split("\n"))


def plain(text: str) -> str:
    """``inline`` without links: a scope, a section title."""
    return _escaped_line(text)


def hyperlink(text: str, url: str) -> str:
    """An anonymous hyperlink reference: `` `text <url>`__ `` (``text`` is a version, a sha or
    an issue label, ``url`` one of the forge's links: neither holds markup)."""
    # A URI ending in `_` would be read as a reference name, not a URI.
    return f"`{text} <{url[:-1] + chr(92) + '_' if url.endswith('_') else url}>`__"


def underline(title: str, char: str) -> str:
    """A heading's adornment: ``char`` over the title's width in columns, as docutils counts it
    (wide East Asian characters take two, combining characters none, a tab up to the next
    multiple of eight); shorter is a warning."""
    title = title.expandtabs(8)
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in title)
    width -= sum(1 for c in title if unicodedata.combining(c))
    return char * max(width, 1)


def _escaped_line(text: str, *, first: bool = True) -> str:
    """``text`` escaped; when it starts a line (``first``), its start made inert too."""
    if not text:
        return text
    escaped = text.translate(_INLINE_ESCAPES) if _INLINE_SPECIALS.search(text) else text
    if ":" in escaped:
        escaped = _SCHEME_COLON.sub(r"\1\\:", escaped)
        if escaped.endswith("::"):  # a paragraph ending so expects a literal block
            escaped = escaped[:-1] + "\\:"
    start = text[0]
    if first and start not in _ESCAPED and (not start.isalnum() or _ENUMERATOR.match(text)):
        escaped = "\\" + escaped
    return escaped


def _spaced(parts: list[str]) -> str:
    """Parts of a line where every other one is a hyperlink: an escaped space (which shows
    nothing) between a link and text it would otherwise not be told apart from."""
    out = parts[0]
    for i in range(1, len(parts)):
        part = parts[i]
        if not part:
            continue
        glued = out and out[-1] not in _BEFORE_MARKUP if i % 2 else part[0] not in _AFTER_MARKUP
        if glued:
            out += "\\ "
        out += part
    return out


# -- where releases go ------------------------------------------------------------------------

# A release heading's text: `1.4.0`, `v1.4.0 (2024-01-02)`, `` `1.4.0 <url>`__ ``, and a word
# before it (`Version 3.0.0`, `attrs 23.1.0`), as Python projects write them.
_HEADING = re.compile(
    r"(?:[A-Za-z][\w.-]* +)?`?v?(?P<version>[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*?)(?=[\s(<`]|$)"
)
_TARGET = re.compile(r"\.\. _[^:`]+: *\r?\n?")
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,} *\r?\n?")


def _titles(lines: list[str]) -> list[tuple[int, int]]:
    """The section titles of a document: (first line, the line below the title) of each, the
    first line being the overline when there is one."""
    found = []
    for i in range(len(lines) - 1):
        text, under = lines[i], lines[i + 1]
        if not text.strip() or text[0].isspace() or _ADORNMENT.fullmatch(text):
            continue
        if _ADORNMENT.fullmatch(under) is None:
            continue
        over = i > 0 and lines[i - 1].rstrip() == under.rstrip()
        found.append((i - 1 if over else i, i + 2))
    return found


def _headings(lines: list[str]) -> list[tuple[int, Version]]:
    """The release headings: (first line, version); the first line is that of the hyperlink
    targets right above the title, if any (python-semantic-release's ``.. _changelog-v1.0.0:``),
    which belong to it."""
    positions = []
    for start, end in _titles(lines):
        match = _HEADING.match(lines[end - 2])
        if match is None:
            continue
        try:
            positions.append((_targets_above(lines, start), Version.parse(match["version"])))
        except InvalidVersion:
            continue
    return positions


def _targets_above(lines: list[str], start: int) -> int:
    """``start``, or the first of the target lines (and blank lines) just above it."""
    first, i = start, start - 1
    while i >= 0 and (not lines[i].strip() or _TARGET.fullmatch(lines[i])):
        if lines[i].strip():
            first = i
        i -= 1
    return first


def _below_title(lines: list[str]) -> int | None:
    """The line below the document title (the first section title, unless it is a release's)."""
    titles = _titles(lines)
    if not titles or _HEADING.match(lines[titles[0][1] - 2]):
        return None
    return titles[0][1]


def _versions(text: str) -> set[str]:
    return {str(v) for _, v in _headings(lines_of(text.removeprefix(BOM)))}


# A title's adornment style: its character, and whether it has an overline too. docutils gives
# each style a level in the order the document first uses it, so a section must use the file's.
_Style = tuple[str, bool]
_RENDERED = (("=", False), ("-", False))  # the templates': a release's, a section's
_SPARE = "=-~^\"'+*#:."  # styles (underline only) for a level the file does not use yet


def _style(lines: list[str], start: int, end: int) -> _Style:
    return lines[end - 1][0], start != end - 2


def _fitting(lines: list[str]) -> Callable[[str], str]:
    """What gives a section (rendered with the templates' adornments) the styles ``lines`` use
    for a release's heading and for the titles below it: a file whose releases are underlined
    with ``-`` and their sections with ``^`` (attrs, towncrier) gets its new releases so."""
    titles = _titles(lines)
    styles = list(dict.fromkeys(_style(lines, *title) for title in titles))
    top = _below_title(lines) or 0
    release = next(
        (_style(lines, s, e) for s, e in titles if s >= top and _is_release(lines, e)), None
    )
    if release is None:
        release = styles[1] if len(styles) > 1 else _spare(styles, _RENDERED[0])
    level = styles.index(release) if release in styles else len(styles)
    below = (
        styles[level + 1] if level + 1 < len(styles) else _spare([*styles, release], _RENDERED[1])
    )
    if (release, below) == _RENDERED:
        return str
    return lambda section: _adorned(section, release, below)


def _adorned(section: str, release: _Style, below: _Style) -> str:
    """``section`` with ``release``'s style under its heading and ``below``'s under the rest."""
    out = lines_of(section)
    for start, end in reversed(_titles(out)):
        under = out[end - 1]
        char, over = release if under[0] == _RENDERED[0][0] else below
        text = under.rstrip("\r\n")
        adornment = char * len(text) + under[len(text) :]
        out[end - 1] = adornment
        if over:
            out.insert(start, adornment)
    return "".join(out)


def _is_release(lines: list[str], end: int) -> bool:
    return _HEADING.match(lines[end - 2]) is not None


def _spare(used: list[_Style], preferred: _Style) -> _Style:
    """``preferred`` unless ``used`` has it, else the first underline style it lacks."""
    if preferred not in used:
        return preferred
    return next((c, False) for c in _SPARE if (c, False) not in used)


RST = Layout(INSERT_MARKER, _headings, _below_title, _versions, _fitting)


def layout_of(filename: str) -> Layout:
    """The layout of the changelog ``filename``: reStructuredText for ``.rst``, else Markdown."""
    return RST if filename.lower().endswith(".rst") else MARKDOWN
