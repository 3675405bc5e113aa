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
from typing import Any, NamedTuple

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

BREAKING_TOKENS = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})


# The per-commit value types are NamedTuples, not frozen dataclasses: just as immutable, and four
# times cheaper to build (0.3 µs against 1.4 µs), which is a fifth of the budget per commit of a
# 100,000-commit plan. ParsedCommit is a slotted class built as cheaply, because a tuple cannot
# split its body later. See docs/decisions.md.


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


class ParsedCommit:
    """A message that follows Conventional Commits (or git's own revert form).

    ``body`` and ``footers`` are split from the text below the header when first read: a plan
    reads neither for most commits (the header decides the bump), and splitting them is most of
    the cost of a parse. ``parse_commit`` splits them at once when they can change the plan (a
    revert, a ``BREAKING`` or a ``Release-As`` footer) or name an issue (``#``, ``!``) that the
    release notes list. The value is the same either way:
    equality, hashing, ``repr`` and ``_replace`` see the ten fields. Immutable, like the
    NamedTuples around it.
    """

    __slots__ = (
        "_body",
        "_footers",
        "_text",
        "breaking",
        "breaking_notes",
        "description",
        "header",
        "release_as",
        "reverts",
        "scope",
        "type",
    )
    _FIELDS = (
        "header",
        "type",
        "scope",
        "description",
        "body",
        "footers",
        "breaking",
        "breaking_notes",
        "reverts",
        "release_as",
    )

    header: str  # the first line as written
    type: str  # lower case
    scope: str | None
    description: str
    _body: str | None  # None until split from _text
    _footers: tuple[Footer, ...] | None
    breaking: bool
    breaking_notes: tuple[str, ...]  # the texts that describe the breaking change
    reverts: tuple[str, ...]  # shas (or sha prefixes) of the commits a revert reverts
    release_as: str | None  # the value of a `Release-As:` footer
    _text: str  # the message below the header while body and footers are not split

    # Positional, as a NamedTuple's: keyword construction costs twice as much on the hot path.
    def __new__(  # noqa: PLR0917
        cls,
        header: str,
        type: str,
        scope: str | None,
        description: str,
        body: str | None,  # None (with footers): split from ``text`` when first read
        footers: tuple[Footer, ...] | None,
        breaking: bool,
        breaking_notes: tuple[str, ...],
        reverts: tuple[str, ...],
        release_as: str | None,
        text: str = "",
    ) -> ParsedCommit:
        # Filled in as a _Writable, then made a ParsedCommit (same slots): object.__setattr__
        # on each field would cost 1 µs a commit, three times the rest of the construction.
        parsed: ParsedCommit = object.__new__(_Writable)
        parsed.header = header
        parsed.type = type
        parsed.scope = scope
        parsed.description = description
        parsed._body = body
        parsed._footers = footers
        parsed.breaking = breaking
        parsed.breaking_notes = breaking_notes
        parsed.reverts = reverts
        parsed.release_as = release_as
        parsed._text = text
        parsed.__class__ = ParsedCommit
        return parsed

    @property
    def body(self) -> str:
        """The text between the header and the footers, trailing whitespace removed."""
        return self._body if self._body is not None else self._split()[0]

    @property
    def footers(self) -> tuple[Footer, ...]:
        """The footers, in order."""
        return self._footers if self._footers is not None else self._split()[1]

    def may_mention(self, *needles: str) -> bool:
        """False when no needle is in the body or the footers, True when one may be: before they
        are split, a test of the text below the header, which costs no split."""
        # map, not a generator: this runs for every commit of the release notes
        return self._body is not None or any(map(self._text.__contains__, needles))

    @property
    def conventional(self) -> bool:
        """True: tells a ParsedCommit from a ParseFailure without isinstance."""
        return True

    def _split(self) -> tuple[str, tuple[Footer, ...]]:
        body, footers = _body_and_footers(self._text) if self._text else ("", ())
        # A cache, not a change of value: the one write after construction.
        object.__setattr__(self, "_body", body)
        object.__setattr__(self, "_footers", footers)
        object.__setattr__(self, "_text", "")
        return body, footers

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def _replace(self, **changes: Any) -> ParsedCommit:
        """A copy with some fields changed, as a NamedTuple's ``_replace``."""
        return ParsedCommit(**{**dict(zip(self._FIELDS, self._values(), strict=True)), **changes})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ParsedCommit is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ParsedCommit is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return ParsedCommit, self._values()  # copy and pickle build it anew

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedCommit):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = zip(self._FIELDS, self._values(), strict=True)
        return "ParsedCommit(" + ", ".join(f"{name}={value!r}" for name, value in values) + ")"


class _Writable(ParsedCommit):
    """A ParsedCommit while ``ParsedCommit.__new__`` fills it in."""

    __slots__ = ()
    # object's own (both: they share one slot), so that CPython sets a slot without a Python call
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__


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
    parsed = ParsedCommit(
        header, kind, scope, description, None, None, bool(notes), notes, (), None, rest
    )
    # The cheap scan: only a revert, a breaking-change footer or a Release-As footer (tokens
    # compare case-insensitively) can make the text below the header change the plan.
    if rest and (kind == "revert" or "BREAKING" in rest or "release-as" in rest.lower()):
        return _in_full(parsed)
    if "#" in rest or "!" in rest:
        # A footer may name an issue, which the release notes list: split now, while git is
        # still writing the log (the parse keeps up with it), not after it, when time counts.
        parsed._split()
    return parsed


def _in_full(parsed: ParsedCommit) -> ParsedCommit:
    """``parsed`` with what its body and footers say: breaking changes, reverts, Release-As."""
    body, footers = parsed.body, parsed.footers
    described = tuple(f.value or parsed.description for f in footers if f.token in BREAKING_TOKENS)
    notes = described or parsed.breaking_notes  # a `!` alone: the description
    reverts = _reverted_shas(body, footers) if parsed.type == "revert" else ()
    return ParsedCommit(
        parsed.header,
        parsed.type,
        parsed.scope,
        parsed.description,
        body,
        footers,
        bool(notes),
        notes,
        reverts,
        _release_as(footers),
    )


def split_squash(message: str) -> list[str]:
    """Split a squash-merge message into the messages it lists.

    GitHub's squash body lists each squashed commit as ``* <its message>``. The first item is the
    squash commit's own header and the text before the first bullet; one item follows per bullet
    that starts with a Conventional Commits header. A message without such bullets is one item.
    """
    if "\n* " not in message:
        return [message]
    lines = message.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if i > 0 and re.match(_SQUASH_BULLET, line)]
    if not starts:
        return [message]
    import textwrap  # a squash body is rare: not every plan pays for the import

    pieces = ["\n".join(lines[: starts[0]])]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        first = lines[start][2:]
        rest = textwrap.dedent("\n".join(lines[start + 1 : end]))
        pieces.append(f"{first}\n{rest}".rstrip())
    return pieces


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
    body, footers = _body_and_footers(rest)
    return ParsedCommit(
        header=header,
        type="revert",
        scope=None,
        description=match["subject"],
        body=body,
        footers=footers,
        breaking=False,
        breaking_notes=(),
        reverts=tuple(dict.fromkeys(m["sha"].lower() for m in _REVERTS_LINE.finditer(rest))),
        release_as=None,
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
    (rf"{TYPE}\s+\(", "space between the type and the scope"),
    (rf"{TYPE}{SCOPE}!?\s", "missing ':' after the scope"),
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
