"""The changelog: what a release's notes hold, and how a section goes into CHANGELOG.md.

Pure: no I/O, no Jinja. ``release_notes`` turns the counted commits of one release into the
template context (a versioned contract, documented in docs/templates.md); ``insert_sections``
puts rendered sections into an existing file's text without touching any other byte.
Rendering the templates is files/render.py's job; reading and writing files is
files/changelog_file.py's.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from versionbot.core.commits import BREAKING_TOKENS, ParsedCommit
from versionbot.core.config import DEFAULT_TYPES
from versionbot.core.errors import ChangelogError
from versionbot.core.links import ForgeLinks
from versionbot.core.neutralise import IN_MARKDOWN
from versionbot.core.version import InvalidVersion, Version

TEMPLATE_CONTEXT_VERSION = 1
INSERT_MARKER = "<!-- versionbot: insert releases below -->"
BOM = "\ufeff"  # some editors start a UTF-8 file with it

# A heading, a bullet or an ordered-list marker: block starts that need a space (or the end)
# after them; `#12` is a reference, not a heading. After the bullet `- `, hyphens alone make the
# line a thematic break (`- --`), and `~~~` opens a fenced code block (a backtick fence's
# backticks are escaped or make a code span already).
_BLOCK_START = re.compile(r"(?:#{1,6}|[-+]|[0-9]{1,9}[.)])(?=[ \t]|$)|-[- \t]*$|~~~")
_REFERENCE = re.compile(r"(?<![\w/&])(?P<sign>[#!])(?P<number>[0-9]+)\b")
# Footers that name people or machines, not issues: their '#' are not references.
# Footers whose issue numbers are no reference to list: people, Release-As, and the Conventional
# Commits types, which are change lines (`feat: export (#911)` in a body), not footers.
_NOT_REFERENCES = frozenset(
    {"co-authored-by", "signed-off-by", "reviewed-by", "release-as", *DEFAULT_TYPES}
)
# A release heading: `## [1.4.0](...)`, `## 1.4.0 (date)`, `## v1.4.0`, `# [1.4.0]` ...
_HEADING = re.compile(
    r"#{1,3} +\[?v?(?P<version>[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*?)\]?(?=[\s(]|$)"
)


class Reference(NamedTuple):
    """An issue or pull request a commit names (``#12``, ``!7``), with its link if known."""

    label: str
    url: str | None
    action: str | None  # the footer token that named it, lower case ("closes"), or None


class Entry(NamedTuple):
    """One line of the notes: one counted commit (a NamedTuple, like the other per-commit types)."""

    type: str
    scope: str | None
    description: str
    sha: str
    short_sha: str
    commit_url: str | None
    references: tuple[Reference, ...]
    breaking: bool
    breaking_notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """The entries of one type under its section title."""

    type: str
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class ReleaseNotes:
    """The template context of one release (``release`` in the templates)."""

    version: str
    tag: str
    previous_tag: str | None
    date: str | None  # YYYY-MM-DD, UTC; None when not known (the API without a date)
    compare_url: str | None
    is_prerelease: bool
    breaking: tuple[Entry, ...]  # every entry with a breaking change, whatever its type
    groups: tuple[Group, ...]  # in the configured section order; empty groups left out

    @property
    def empty(self) -> bool:
        """True when nothing in the release is shown."""
        return not self.breaking and not self.groups


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """What a release is, apart from its commits."""

    version: Version
    tag: str
    previous_tag: str | None
    date: str | None


def release_notes(
    info: ReleaseInfo,
    commits: Iterable[tuple[str, ParsedCommit]],
    sections: Mapping[str, str],
    links: ForgeLinks | None,
) -> ReleaseNotes:
    """The notes of one release from its counted ``(sha, parsed commit)`` pairs, newest first."""
    grouped: dict[str, list[Entry]] = {kind: [] for kind in sections}
    breaking: list[Entry] = []
    for sha, parsed in commits:
        group = grouped.get(parsed.type)
        if group is None and not parsed.breaking:
            continue  # no section shows it (a chore): half the commits, not worth an entry
        entry = _entry(sha, parsed, links)
        if entry.breaking:
            breaking.append(entry)
        if group is not None:
            group.append(entry)
    if links is None:
        compare = None
    elif info.previous_tag is None:
        compare = links.tree(info.tag)
    else:
        compare = links.compare(info.previous_tag, info.tag)
    return ReleaseNotes(
        version=str(info.version),
        tag=info.tag,
        previous_tag=info.previous_tag,
        date=info.date,
        compare_url=compare,
        is_prerelease=info.version.is_prerelease,
        breaking=tuple(breaking),
        groups=tuple(
            Group(kind, sections[kind], tuple(entries))
            for kind, entries in grouped.items()
            if entries
        ),
    )


def utc_date(seconds: int) -> str:
    """``YYYY-MM-DD`` of a Unix time, in UTC."""
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def _entry(sha: str, parsed: ParsedCommit, links: ForgeLinks | None) -> Entry:
    return Entry(
        parsed.type,
        parsed.scope,
        parsed.description,
        sha,
        sha[:7],
        links.commit(sha) if links and sha else None,
        _references(parsed, links),
        parsed.breaking,
        parsed.breaking_notes,
    )


def _references(parsed: ParsedCommit, links: ForgeLinks | None) -> tuple[Reference, ...]:
    """Issues and pull requests named in footers (``Closes #9``); the description links inline."""
    if not parsed.may_mention("#", "!"):  # most commits: no footers to split
        return ()
    seen: set[str] | None = None  # the description's, once a footer may name one
    found: list[Reference] = []
    for footer in parsed.footers:
        value = footer.value
        if "#" not in value and "!" not in value:
            continue
        token = footer.token.lower()
        if token in _NOT_REFERENCES or footer.token in BREAKING_TOKENS:
            continue
        if seen is None:
            seen = {m.group() for m in _REFERENCE.finditer(parsed.description)}
        for match in _REFERENCE.finditer(value):
            label = match.group()
            if label not in seen:
                seen.add(label)
                found.append(Reference(label, reference_url(label, links), token))
    return tuple(found)


def reference_url(label: str, links: ForgeLinks | None) -> str | None:
    """The link of ``#12`` (issue) or ``!12`` (merge request), or None without links."""
    if links is None:
        return None
    number = label[1:]
    return links.merge_request(number) if label[0] == "!" else links.issue(number)


def link_references(text: str, links: ForgeLinks | None) -> str:
    """Turn ``#12`` and ``!12`` in already-escaped Markdown into links (not inside a code
    span, where a link would show as its brackets)."""
    if links is None or ("#" not in text and "!" not in text):
        return text

    def linked(prose: str) -> str:
        return _REFERENCE.sub(lambda m: f"[{m.group()}]({reference_url(m.group(), links)})", prose)

    if "`" not in text:
        return linked(text)
    pieces, done = [], 0
    for start, end in code_spans(text, escaped=True):
        pieces += [linked(text[done:start]), text[start:end]]
        done = end
    return "".join([*pieces, linked(text[done:])])


# Control characters would reach every terminal that shows the changelog or the release notes:
# they are neutralised in the same pass as the Markdown.
_INLINE_ESCAPES = str.maketrans(
    {
        **IN_MARKDOWN,
        "\\": "\\\\",
        "<": "&lt;",
        ">": "&gt;",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
    }
)


# Most commit text has nothing to escape, and finding that out is six times cheaper than a
# translate (whose mapping to longer strings takes the slow path, character by character).
_INLINE_SPECIALS = re.compile("[" + "".join(re.escape(chr(c)) for c in _INLINE_ESCAPES) + "]")
_BLOCK_FIRST = frozenset("#-+~0123456789")  # what _BLOCK_START can start with


_BACKTICKS = re.compile("`+")
# Underscores between two letters or digits: CommonMark's intraword `_` opens and closes no
# emphasis (`snake_case`), so they stay as written.
_INTRAWORD_UNDERSCORES = re.compile(r"(?<=[^\W_])(_+)(?=[^\W_])")


def code_spans(text: str, *, escaped: bool = False) -> list[tuple[int, int]]:
    """Where the code spans of one line are, backticks included, as CommonMark finds them: a
    run of n backticks up to the next run of exactly n, its content taken as it is. In
    ``escaped`` Markdown a run after an escaping backslash opens none; in commit text
    (``escaped=False``) backslashes are text, as escape_inline writes them.

    >>> code_spans("use `x` or ``a`b``, not `this")
    [(4, 7), (11, 18)]
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    following: dict[int, list[int]] = {}  # run length -> the indexes of the runs that long
    for index, (start, end) in enumerate(runs):
        following.setdefault(end - start, []).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        if escaped and _escaped_at(text, start):
            index += 1  # escape_inline escapes each backtick alone: the run is one, literal
            continue
        same = following[end - start]
        closer = bisect.bisect_right(same, index)  # bisect: a line of 10,000 lone runs
        if closer == len(same):
            index += 1
            continue
        spans.append((start, runs[same[closer]][1]))
        index = same[closer] + 1
    return spans


def _escaped_at(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd number of backslashes."""
    before = at
    while before and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def escape_inline(text: str) -> str:
    """Neutralise Markdown and HTML that could break the document, in one line of commit text.

    What the author wrote as Markdown and cannot break it stays: code spans (their content as
    it is: nothing is read inside one) and underscores inside words. Everything else that
    Markdown or HTML would read is escaped, so the line renders as written. The text follows a
    list bullet, where CommonMark starts a block as it does at a line start (``- # x`` is a
    heading inside the item), so a leading block marker is escaped too.
    """
    if not _INLINE_SPECIALS.search(text):
        escaped = text
    elif "`" not in text:
        escaped = _escape_prose(text)
    else:
        pieces, done = [], 0
        for start, end in code_spans(text):
            pieces += [_escape_prose(text[done:start]), text[start:end].translate(IN_MARKDOWN)]
            done = end
        escaped = "".join([*pieces, _escape_prose(text[done:])])
    if escaped[:1] not in _BLOCK_FIRST:
        return escaped
    marker = _BLOCK_START.match(escaped)
    if marker is None:
        return escaped
    cut = marker.end() - 1 if marker[0][0].isdigit() else 0  # `1\. x`, `\# x`, `\- x`
    return escaped[:cut] + "\\" + escaped[cut:]


def _escape_prose(text: str) -> str:
    """Text outside code spans, escaped; underscores inside words kept."""
    if "_" not in text:
        return text.translate(_INLINE_ESCAPES)
    parts = _INTRAWORD_UNDERSCORES.split(text)  # words' own underscores at the odd indexes
    return "".join(p if n % 2 else p.translate(_INLINE_ESCAPES) for n, p in enumerate(parts))


def escape_block(text: str, indent: str = "  ") -> str:
    """Neutralise a multi-line text (a breaking-change note) to sit inside a list item.

    Every line is escaped like ``escape_inline`` (a leading block marker included); on
    continuation lines a leading ``#``, ``=``, ``-``, ``+``, ``|`` or ``>`` is escaped too (a
    setext underline or a table there would change the item), and they are indented so the
    text cannot leave its item.
    """
    lines = []
    for number, line in enumerate(text.split("\n")):
        escaped = escape_inline(line.strip())
        if number and escaped[:1] in ("#", "=", "-", "+", "|", ">"):
            escaped = "\\" + escaped
        lines.append(escaped)
    return f"\n{indent}".join(lines)


def versions_in(text: str) -> set[str]:
    """The versions that already have a release heading in a changelog's text."""
    lines = text.removeprefix(BOM).split("\n")
    return {match["version"] for line in lines if (match := _HEADING.match(line)) is not None}


class Layout(NamedTuple):
    """How a changelog's format marks places (Markdown here, reStructuredText in
    core/changelog_rst.py): its insertion marker line, its release headings (first line,
    version), the line below its document title (None: releases may go above it), the
    versions its text has a heading for, and what makes a rendered section fit the file's lines
    (reStructuredText: the file's own heading adornments)."""

    marker: str
    headings: Callable[[list[str]], list[tuple[int, Version]]]
    below_title: Callable[[list[str]], int | None]
    versions: Callable[[str], set[str]]
    fitting: Callable[[list[str]], Callable[[str], str]]


def insert_sections(
    text: str, sections: Mapping[Version, str], filename: str, layout: Layout | None = None
) -> str:
    """``text`` with each rendered section placed by version order; every other byte kept.

    A version the file already has is left alone. A section goes just above the first release
    heading (below the insert marker, if any, and the document title) with a lower version;
    when every heading there is higher, at the end; when there is none, right below the marker,
    or at the end below a title. Rendered sections end with one blank line. ``layout``: the
    file's format, Markdown by default.
    """
    layout = layout or MARKDOWN
    if text.startswith(BOM):  # kept, and out of the way of the first line's marker or heading
        return BOM + insert_sections(text[len(BOM) :], sections, filename, layout)
    present = layout.versions(text)
    missing = sorted((v for v in sections if str(v) not in present), reverse=True)
    if not missing:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = lines_of(text)
    marker = next((i for i, line in enumerate(lines) if line.strip() == layout.marker), None)
    title = layout.below_title(lines)
    top = marker + 1 if marker is not None else title or 0
    headings = [(i, v) for i, v in layout.headings(lines) if i >= top]
    if marker is None and not headings:
        if title is None:
            raise ChangelogError(
                f"{filename} has no '{layout.marker}' line and no release heading",
                f"add the line {layout.marker} where new releases should go, then run again",
            )
        top = len(lines)  # below the title and whatever text follows it
    if marker is not None and top < len(lines) and not lines[top].strip():
        top += 1  # keep the marker's blank line above the newest section
    insertions: dict[int, list[str]] = {}
    fit = layout.fitting(lines)
    for version in missing:
        lower = next((i for i, v in headings if v < version), None)
        where = lower if lower is not None else (len(lines) if headings else top)
        insertions.setdefault(where, []).append(fit(sections[version]))
    result: list[str] = []
    for i in range(len(lines) + 1):
        pending = insertions.get(i)
        if pending:
            if result and not result[-1].endswith(("\n", "\r")):
                result[-1] += newline  # only the last line can lack one: insert at the end
            if result and result[-1].strip() and (i == len(lines) or i == top):
                result.append(newline)
            result.extend(pending)
        if i < len(lines):
            result.append(lines[i])
    return "".join(result)


def lines_of(text: str) -> list[str]:
    """``text``'s lines, each with its line end (``\n`` or ``\r\n``, nothing else: a U+2028 or
    a form feed in commit text is no line end, whatever ``str.splitlines`` says)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _heading_positions(lines: list[str]) -> list[tuple[int, Version]]:
    positions = []
    for i, line in enumerate(lines):
        match = _HEADING.match(line)
        if match is not None:
            try:
                positions.append((i, Version.parse(match["version"])))
            except InvalidVersion:
                continue
    return positions


def _no_title(lines: list[str]) -> None:
    """Markdown's title is no place to keep releases below: a release may go above it."""
    return None


def _as_rendered(lines: list[str]) -> Callable[[str], str]:
    """Markdown's headings say their level themselves: a section fits any file as it is."""
    return str


MARKDOWN = Layout(INSERT_MARKER, _heading_positions, _no_title, versions_in, _as_rendered)
