"""Conventional Commits 1.0.0 parser.

Pure: no I/O, no git. Owns the shape of a commit message: header (type, scope, ``!``,
description), body, footers, breaking changes, reverts, ``Release-As`` and squash-merge bodies.

``parse_commit`` is total: any text gives a ParsedCommit or a ParseFailure that says what is
wrong, never an exception. Where the specification is silent the choice is written in
docs/decisions.md and pinned by tests/unit/test_commits.py.

>>> parse_commit("feat(api)!: drop v1").breaking
True
>>> parse_commit("Update README").reason
"no type prefix: expected 'type(scope): description'"
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal, NamedTuple

# A commit type: a letter, then letters, digits, '-' and '_' (ASCII: the parser reads nothing else
# as a type, so [check] and [bump] accept nothing else either); a scope: anything but parentheses
# and line breaks, in parentheses.
TYPE = r"[A-Za-z][A-Za-z0-9_-]*"
SCOPE = r"\([^()\n]*\)"
# The header: type, optional scope, an optional '!', ': ' and a non-empty description.
_HEADER = re.compile(
    rf"(?P<type>{TYPE})(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?: [ \t]*(?P<desc>.*)"
)
# A footer is `Token: value` or `Token #value`; the token is a word with '-' for spaces, except
# BREAKING CHANGE, which keeps its space (Conventional Commits 1.0.0, rules 8-11 and 16).
# A breaking-change footer may also end its line at the colon, its text on the lines below
# (``BREAKING CHANGE:`` then a paragraph): authors write it so, and it must never ship as a patch.
_FOOTER = re.compile(
    r"(?P<token>BREAKING CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #|:$(?<=BREAKING.CHANGE:))"
)
# GitHub's squash merge adds " (#N)" after the quoted subject.
# The footer section begins at the first paragraph (the first body line, or a line after a blank
# line) that opens with `Token: `, `Token #` or a breaking token ending its line; everything
# after it belongs to footers. One match at the top, then one search over the body instead of a
# loop over its lines; the search starts with a line break, which the regex engine skips to
# directly (an alternative with `\A` first made it try every position: three times slower).
_FOOTER_OPENING = (
    r"(?=BREAKING[ -]CHANGE:[ \t]*(?:\n|\Z)|(?:BREAKING CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #))"
)
_FOOTER_AT_TOP = re.compile(_FOOTER_OPENING)
_FOOTER_START = re.compile(r"\n[ \t]*\n" + _FOOTER_OPENING)
# The patterns below stay strings, compiled on first use by re's own cache: most runs need none
# of them (a failed header, a revert, a squash body), and compiling costs 0.1 ms each.
_GIT_REVERT_HEADER = r'Revert "(?P<subject>.*)"(?: \(#[0-9]+\))?'
_REVERTS_LINE = re.compile(r"This reverts commit (?P<sha>[0-9a-fA-F]{7,64})\b")
_SHA = re.compile(r"\b[0-9a-fA-F]{7,64}\b")
_SQUASH_BULLET = rf"\* (?={TYPE}(?:{SCOPE})?!?: )"
_PULL_SUFFIX = re.compile(r" \(#[0-9]+\)$")
# release-please's several changes in one message: a change line, and what may sit among them
# (its indented lines, and trailer-like footers such as Co-authored-by).
_CHANGE_LINE = re.compile(rf"^(?P<type>{TYPE})(?:{SCOPE})?!?: \S", re.MULTILINE)
_IN_CHANGES = re.compile(rf"{TYPE}(?:{SCOPE})?!?: \S|[ \t]+\S|[A-Za-z][A-Za-z0-9-]*: \S")

BREAKING_TOKENS = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})


# The per-commit value types are NamedTuples, not frozen dataclasses: just as immutable, and four
# times cheaper to build (0.3 µs against 1.0 µs), which is a fifth of the budget per commit of a
# 100,000-commit plan. See docs/decisions.md.


class Commit(NamedTuple):
    """A commit as git stores it: what the history reader yields."""

    sha: str
    parents: tuple[str, ...]
    message: str

    @property
    def is_merge(self) -> bool:
        """True for a commit with more than one parent."""
        return len(self.parents) > 1

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.partition("\n")[0].strip()


class Footer(NamedTuple):
    """One footer: ``token`` as written (``BREAKING CHANGE``, ``Refs``), ``value`` multi-line."""

    token: str
    value: str


class BelowHeader:
    """The text below a header, split into the body and the footers when first read.

    A plan reads neither for most commits (the header decides the bump), and splitting them is
    most of the cost of a parse. The split is a cache, not a change of value: equality, hashing
    and ``repr`` see the body and the footers, whenever the split happens.
    """

    __slots__ = ("_parts", "_text")

    def __init__(self, text: str, parts: tuple[str, tuple[Footer, ...]] | None = None) -> None:
        self._text = text  # "" once split
        self._parts = parts

    def parts(self) -> tuple[str, tuple[Footer, ...]]:
        """The body (trailing whitespace removed) and the footers, in order."""
        if self._parts is None:
            self._parts = _body_and_footers(self._text) if self._text else ("", ())
            self._text = ""
        return self._parts

    def may_mention(self, needles: tuple[str, ...]) -> bool:
        """False when no needle is in the body or the footers, True when one may be: before the
        split, a test of the text, which costs no split."""
        # map, not a generator: this runs for every commit of the release notes
        return self._parts is not None or any(map(self._text.__contains__, needles))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BelowHeader):
            return NotImplemented
        return self.parts() == other.parts()

    def __hash__(self) -> int:
        return hash(self.parts())

    def __repr__(self) -> str:
        body, footers = self.parts()
        return f"BelowHeader(body={body!r}, footers={footers!r})"


_NOTHING_BELOW = BelowHeader("", ("", ()))  # a header alone: shared, as it is already split


class ParsedCommit(NamedTuple):
    """A message that follows Conventional Commits (or git's own revert form).

    ``parse_commit`` splits the body and the footers at once when they can change the plan (a
    revert, a ``BREAKING`` or a ``Release-As`` footer) or name an issue (``#``, ``!``) that the
    release notes list; otherwise when first read (``BelowHeader``).
    """

    header: str  # the first line as written
    type: str  # lower case
    scope: str | None
    description: str
    breaking: bool
    breaking_notes: tuple[str, ...]  # the texts that describe the breaking change
    reverts: tuple[str, ...]  # shas (or sha prefixes) of the commits a revert reverts
    release_as: str | None  # the value of a `Release-As:` footer
    below: BelowHeader

    @property
    def body(self) -> str:
        """The text between the header and the footers, trailing whitespace removed."""
        return self.below.parts()[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        """The footers, in order."""
        return self.below.parts()[1]

    def may_mention(self, *needles: str) -> bool:
        """False when no needle is in the body or the footers, True when one may be."""
        return self.below.may_mention(needles)

    def without_body(self) -> ParsedCommit:
        """The same commit with an empty body: release notes never show one, and a long
        history's bodies are most of its memory."""
        return self._replace(below=BelowHeader("", ("", self.footers)))

    @property
    def conventional(self) -> bool:
        """True: tells a ParsedCommit from a ParseFailure without isinstance."""
        return True


class ParseFailure(NamedTuple):
    """A message that is not a Conventional Commit, and why."""

    header: str
    reason: str

    @property
    def conventional(self) -> bool:
        """False: tells a ParseFailure from a ParsedCommit without isinstance."""
        return False


def parse_commit(message: str) -> ParsedCommit | ParseFailure:
    """Parse one commit message. Never raises."""
    if "\r" in message:
        message = message.replace("\r\n", "\n").replace("\r", "\n")
    if message[:1].isspace():
        message = message.lstrip()
    header, _, rest = message.partition("\n")
    header = header.strip()
    match = _HEADER.fullmatch(header)
    if match is None:
        return _git_revert(header, rest) or ParseFailure(header, _header_problem(header))
    kind, scope, bang, description = match.groups()
    if not description:
        return ParseFailure(header, "empty description after 'type: '")
    if scope is not None:
        scope = scope.strip()
        if not scope:
            return ParseFailure(header, "empty scope '()': name a scope or drop the parentheses")
    kind = kind.lower()
    notes = (description,) if bang else ()
    below = BelowHeader(rest) if rest else _NOTHING_BELOW
    parsed = ParsedCommit(header, kind, scope, description, bool(notes), notes, (), None, below)
    # The cheap scan: only a revert, a breaking-change footer or a Release-As footer (tokens
    # compare case-insensitively) can make the text below the header change the plan.
    if rest and (kind == "revert" or "BREAKING" in rest or "release-as" in rest.lower()):
        return _in_full(parsed)
    if "#" in rest or "!" in rest:
        # A footer may name an issue, which the release notes list: split now, while git is
        # still writing the log (the parse keeps up with it), not after it, when time counts.
        below.parts()
    return parsed


def _in_full(parsed: ParsedCommit) -> ParsedCommit:
    """``parsed`` with what its body and footers say: breaking changes, reverts, Release-As."""
    body, footers = parsed.body, parsed.footers
    described = tuple(f.value or parsed.description for f in footers if f.token in BREAKING_TOKENS)
    notes = described or parsed.breaking_notes  # a `!` alone: the description
    reverts = _reverted_shas(body, footers) if parsed.type == "revert" else ()
    return parsed._replace(
        breaking=bool(notes),
        breaking_notes=notes,
        reverts=reverts,
        release_as=_release_as(footers),
    )


# squash_commits: false, true (bullets under a title that is not conventional), or "always"
# (every squash body, as python-semantic-release's parse_squash_commits reads them).
SquashMode = bool | Literal["always"]


def split_squash(message: str, *, always: bool = False) -> list[str]:
    """Split a squash-merge message into the messages it lists.

    GitHub's squash body lists each squashed commit as ``* <its message>``. The first item is the
    squash commit's own header and the text before the first bullet; one item follows per bullet
    that starts with a Conventional Commits header. A message without such bullets is one item,
    and so is one whose header is itself a Conventional Commits header: whoever merged chose it
    as the change, and the bullets are the branch's history (on 2,435 real releases, counting
    them anyway over-released 34 times, against 9); ``always`` splits it all the same.
    """
    if "\n* " not in message or (not always and _HEADER.match(message.lstrip())):
        return [message]
    lines = message.replace("\r\n", "\n").split("\n")
    starts = squash_bullets(lines)
    if not starts:
        return [message]
    import textwrap  # a squash body is rare: not every plan pays for the import

    pieces = ["\n".join(lines[: starts[0]])]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        first = lines[start][2:]
        rest = textwrap.dedent("\n".join(lines[start + 1 : end]))
        pieces.append(f"{first}\n{rest}".rstrip())
    return pieces


def commit_override(message: str) -> str:
    """The changes a ``BEGIN_COMMIT_OVERRIDE`` ... ``END_COMMIT_OVERRIDE`` block of the message
    lists in place of the message (release-please's override, which a squash merge carries over
    from the pull request's description); the message itself without one.

    >>> commit_override("U\\n\\nBEGIN_COMMIT_OVERRIDE\\nfeat: a\\nfix: b\\nEND_COMMIT_OVERRIDE")
    'feat: a\\nfix: b'
    """
    _, found, after = message.partition("BEGIN_COMMIT_OVERRIDE")
    override = after.partition("END_COMMIT_OVERRIDE")[0].strip() if found else ""
    return override or message


def split_changes(message: str, types: Collection[str]) -> list[str]:
    """Split a message that lists several changes, as release-please reads them: lines of the
    last paragraphs that are Conventional Commits headers (``feat(api): x``), each with the
    indented lines below it, are changes of their own; the header's change keeps the rest.

    A change line's type must be one of ``types`` (the configured ones): ``Co-authored-by: A``
    is a trailer, not a change. A line that repeats the header (GitHub's squash title and its one
    commit, ``(#N)`` aside) is the header's change, not another one. The header must itself be
    conventional.

    >>> split_changes("chore: sync\\n\\nfeat: a\\nfix(ui): b\\n  Source-Link: x", {"feat", "fix"})
    ['chore: sync', 'feat: a', 'fix(ui): b\\nSource-Link: x']
    """
    header, _, rest = message.partition("\n")
    if not rest or _HEADER.match(header.strip()) is None or not _CHANGE_LINE.search(rest):
        return [message]

    def is_change(line: str) -> bool:
        match = _CHANGE_LINE.match(line)
        return match is not None and match["type"].lower() in types

    paragraphs = rest.replace("\r\n", "\n").split("\n\n")
    start = len(paragraphs)  # the first paragraph of the block of changes at the bottom
    for i in range(len(paragraphs) - 1, -1, -1):
        lines = [line for line in paragraphs[i].split("\n") if line.strip()]
        if not lines or not all(_IN_CHANGES.match(line) for line in lines):
            break
        if any(is_change(line) for line in lines):
            start = i
    if start == len(paragraphs):
        return [message]
    import textwrap  # a message of several changes is rare: not every plan pays for the import

    lines = "\n".join(paragraphs[start:]).split("\n")
    own = [header, *paragraphs[:start]]
    changes: list[list[str]] = []
    for line in lines:
        if is_change(line):
            changes.append([line])
        elif changes:
            changes[-1].append(line)
        else:
            own.append(line)  # a footer of the header's change (Co-authored-by, ...)
    title = _PULL_SUFFIX.sub("", header.strip())
    pieces = ["\n\n".join(part.strip("\n") for part in own if part.strip())]
    for first, *below in changes:
        if _PULL_SUFFIX.sub("", first.strip()) == title:
            continue  # the title's own commit, listed again
        pieces.append(f"{first}\n{textwrap.dedent(chr(10).join(below))}".rstrip())
    return pieces


def squash_bullets(lines: list[str], header: int = 0) -> list[int]:
    """The indexes of the lines below ``lines[header]`` that open a squashed commit
    (``* type(scope)!: description``): how ``split_squash`` splits, for ``bot check`` too."""
    return [i for i in range(header + 1, len(lines)) if re.match(_SQUASH_BULLET, lines[i])]


def _body_and_footers(rest: str) -> tuple[str, tuple[Footer, ...]]:
    # Fast path: no line can open a footer.
    if ": " not in rest and " #" not in rest and "CHANGE:" not in rest:
        return _clean_body(rest), ()
    rest = rest.lstrip("\n") if not rest.startswith((" ", "\t")) else _without_blank_lines(rest)
    start = _FOOTER_AT_TOP.match(rest) or _FOOTER_START.search(rest)
    if start is None:
        return _clean_body(rest), ()
    lines = [line.rstrip() for line in rest[start.end() :].split("\n")]
    return _clean_body(rest[: start.start()]), _footers(lines)


def _without_blank_lines(text: str) -> str:
    """``text`` without the whitespace-only lines it starts with."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    return "\n".join(lines[first:])


def _clean_body(text: str) -> str:
    """The body without trailing whitespace on any line and without surrounding blank lines."""
    body = text.rstrip()
    if " \n" in body or "\t\n" in body:
        body = "\n".join(line.rstrip() for line in body.split("\n"))
    return body.lstrip("\n")


def _footers(lines: list[str]) -> tuple[Footer, ...]:
    footers: list[Footer] = []
    token = ""
    value: list[str] = []
    for line in lines:
        match = _FOOTER.match(line)
        if match is not None:
            if token:
                footers.append(Footer(token, "\n".join(value).strip()))
            token = match["token"]
            separator_end = match.end()
            # `Token #value` keeps the '#' as part of the value ("Closes #12" → "#12").
            value = [
                line[separator_end - 1 :]
                if line[separator_end - 1] == "#"
                else line[separator_end:]
            ]
        else:
            value.append(line)
    footers.append(Footer(token, "\n".join(value).strip()))
    return tuple(footers)


def _release_as(footers: tuple[Footer, ...]) -> str | None:
    for footer in footers:
        if footer.token.lower() == "release-as":
            return footer.value.strip()
    return None


def _reverted_shas(body: str, footers: tuple[Footer, ...]) -> tuple[str, ...]:
    """``This reverts commit <sha>.`` lines, else every sha of ``Refs:``/``Reverts:`` footers
    (the spec's own example reverts two: ``Refs: 676104e, a215868``)."""
    lines = [m["sha"].lower() for m in _REVERTS_LINE.finditer(body)]
    for footer in footers:
        lines += [m["sha"].lower() for m in _REVERTS_LINE.finditer(footer.value)]
    if lines:
        return tuple(dict.fromkeys(lines))
    named = [
        sha.group().lower()
        for footer in footers
        if footer.token.lower() in ("refs", "reverts", "revert")
        for sha in _SHA.finditer(footer.value)
    ]
    return tuple(dict.fromkeys(named))


def _git_revert(header: str, rest: str) -> ParsedCommit | None:
    """Git's own revert form: ``Revert "<subject>"`` and ``This reverts commit <sha>.``."""
    match = re.fullmatch(_GIT_REVERT_HEADER, header)
    if match is None or not match["subject"].strip():  # `Revert ""` names nothing
        return None
    return ParsedCommit(
        header=header,
        type="revert",
        scope=None,
        description=match["subject"],
        breaking=False,
        breaking_notes=(),
        reverts=tuple(dict.fromkeys(m["sha"].lower() for m in _REVERTS_LINE.finditer(rest))),
        release_as=None,
        below=BelowHeader("", _body_and_footers(rest)),
    )


# Checked in order; the first that matches names the problem (strings: see _GIT_REVERT_HEADER).
_HEADER_PROBLEMS = (
    (rf"{TYPE}({SCOPE})?!?:\s*", "empty description after 'type: '"),
    (rf"{TYPE}({SCOPE})?!?:(?! )", "missing space after ':'"),
    (rf"{TYPE}({SCOPE})?!?\s+:", "space before ':'"),
    (
        rf"{TYPE}!{SCOPE}:",
        "'!' must follow the scope: 'type(scope)!: description'",
    ),
    # `(#12)` after a word is a pull request's number, not a scope (`v9 (#639)`).
    (rf"{TYPE}\s+\((?!#)", "space between the type and the scope"),
    (rf"{TYPE}(?:{SCOPE})?\s+!\s*:", "space before '!'"),
    (rf"{TYPE}{SCOPE}!?\s", "missing ':' after the scope"),
    (rf"{TYPE}{SCOPE}\(", "more than one scope: a header has one '(scope)'"),
    # Balanced, but nested: a scope is one name, with no parentheses of its own.
    (rf"{TYPE}\((?:[^()\n]*\([^()\n]*\))+[^()\n]*\)", "parentheses inside the scope"),
    # A balanced scope, then neither ':' nor '!:' (`feat(api)x`, `feat(api)!`).
    (rf"{TYPE}{SCOPE}!?(?![:)\s])", "the scope must be followed by ': ' or '!: '"),
    (rf"{TYPE}\(", "unbalanced parentheses in the scope"),
)


def is_commit_type(word: str) -> bool:
    """True when ``word`` can be a commit's type: a letter, then letters, digits, '-' or '_'.

    >>> is_commit_type("feat"), is_commit_type("no-ci_2"), is_commit_type("2fix")
    (True, True, False)
    """
    return re.fullmatch(TYPE, word) is not None


def _header_problem(header: str) -> str:
    """Say what keeps a header from being a Conventional Commits header."""
    if not header:
        return "empty message"
    for pattern, problem in _HEADER_PROBLEMS[:1]:
        if re.fullmatch(pattern, header):
            return problem
    for pattern, problem in _HEADER_PROBLEMS[1:]:
        if re.match(pattern, header):
            return problem
    return "no type prefix: expected 'type(scope): description'"
