"""Commit-message lint (``bot check``): every problem of a message, where it is, and the fix.

Pure: no I/O, no git. Parsing is ``commits.parse_commit``, the bump engine's own parser, so the
verdict on the header is the release's verdict word for word: a header the parser rejects is an
error with the parser's reason, and a message the parser accepts is never flagged as malformed.
On top of that come

* the configured policy (``CheckRules``): allowed types and scopes, the subject's length, a
  trailing period; these are errors;
* teaching checks: things the parser accepts but the author most likely did not mean (``Feat:``,
  a lower-case ``breaking change:`` that the release will NOT treat as breaking, a
  ``BREAKING CHANGE:`` hidden inside a paragraph, no blank line after the subject); these are
  warnings, except where the release would fail or ignore what the author declared.

A breaking change the release does not read (``BREAKING CHANGE`` without its colon, in a list
item, under a heading, indented, inside a paragraph, or misspelt) is graded by how sure the
declaration is: written in upper case, it is one, and it is an error unless the commit is breaking
anyway (a ``!`` or another footer: then only its text is lost from the notes, a warning); in any
other case it may be prose or a template's ``Breaking change: none``, and it is a warning. With
``squash_commits`` the release reads each ``* type: ...`` bullet of a squash body as a commit of
its own, and so does the check.

>>> [f.rule for f in check_message("Feat: add pages", CheckRules())]
['type-case']
>>> check_message("feat:add pages", CheckRules())[0].suggestion
'feat: add pages'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from versionbot.core.commits import (
    BREAKING_TOKENS,
    SCOPE,
    TYPE,
    Commit,
    ParsedCommit,
    SquashMode,
    parse_commit,
    squash_bullets,
)
from versionbot.core.config import CheckRules
from versionbot.core.history import History, PackagesHistory
from versionbot.core.neutralise import shortened
from versionbot.core.release_commit import RELEASE_TRAILER, release_trailers
from versionbot.core.version import MAX_DIGITS, InvalidVersion, Version

# How bad a finding is: an error fails ``bot check``, a warning is only shown.
Severity = Literal["error", "warning"]
ERROR: Final = "error"
WARNING: Final = "warning"
SCISSORS = "------------------------ >8 ------------------------"

_FIXUP = re.compile(r"(fixup|squash|amend)! ")
_BREAKING_LIKE = re.compile(
    r"(?P<token>breaking(?P<separator>[ _-]*)(?P<change>changes?)?)(?P<space>[ \t]*):(?P<after>.?)",
    re.I,
)
_BREAKING_FOOTER = re.compile(r"BREAKING[ -]CHANGE:(?: |$)")
# A breaking change the parser does not read: in a list item (`* BREAKING CHANGE: x`, as squash
# bodies and some tools write it), under a heading (`## BREAKING CHANGES`), indented, or without
# the colon (`BREAKING CHANGE - x`). Upper case only: prose that mentions breaking changes is not
# flagged.
_BREAKING_MENTION = re.compile(
    r"(?:(?P<bullet>[ \t]*[*+-][ \t]+)|(?P<heading>[ \t]*#+[ \t]*)|(?P<indent>[ \t]+))?"
    r"(?P<token>BREAKING[ _-]CHANGES?)\b"
)
# How to declare a breaking change so that the release reads it (and shows its text).
_FOOTER_HOW = "start the last paragraph with 'BREAKING CHANGE: <what breaks>'"
_HOW = f"{_FOOTER_HOW}, or put '!' before the header's ':' (feat(api)!: ...)"
_RELEASE_AS = re.compile(r"release-as: ", re.I)
# Words people start a subject with when they mean a type (``Fix typo`` -> ``fix: typo``).
_TYPE_WORDS = {
    "bugfix": "fix",
    "hotfix": "fix",
    "feature": "feat",
    "features": "feat",
    "doc": "docs",
    "tests": "test",
    "testing": "test",
    "refactoring": "refactor",
    "performance": "perf",
    "chores": "chore",
    "styles": "style",
}


class Finding(NamedTuple):
    """One problem: 1-based line and column, a rule id, what is wrong, the corrected text (the
    whole corrected line) when one is obvious, and ``error`` or ``warning``."""

    line: int
    column: int
    rule: str
    message: str
    suggestion: str | None = None
    severity: Severity = ERROR


class CommitCheck(NamedTuple):
    """The findings of one commit (``sha`` None for a message file, stdin or a title)."""

    sha: str | None
    subject: str
    findings: tuple[Finding, ...]
    skipped: str | None = None  # why it was not linted: "merge commit", "release commit"

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(1 for f in self.findings if f.severity == WARNING)


def check_commits(
    commits: Iterable[Commit],
    rules: CheckRules,
    release_commits: Collection[str] = (),
    squash: SquashMode = False,
    peer_releases: Mapping[str, str] | None = None,
) -> list[CommitCheck]:
    """Lint every commit of a range (newest first, as given); merge commits, the bot's own
    release commits (``release_commits``: the shas the git edge found to be the bot's) and
    other tools' (``peer_releases``: sha -> tool) are listed as skipped, not linted. Release
    trailers on any other commit are an error. ``squash``: the configuration's
    ``squash_commits``, read as ``check_message`` says."""
    checked: list[CommitCheck] = []
    peers = peer_releases or {}
    for commit in commits:
        if commit.is_merge:
            checked.append(CommitCheck(commit.sha, commit.subject, (), "merge commit"))
        elif commit.sha in release_commits:
            checked.append(CommitCheck(commit.sha, commit.subject, (), "release commit"))
        elif commit.sha in peers and not release_trailers(commit.message):
            # (With the bot's release trailers it is judged as the bot's: forged ones show.)
            skipped = f"release commit of {peers[commit.sha]}"
            checked.append(CommitCheck(commit.sha, commit.subject, (), skipped))
        else:
            findings = check_message(commit.message, rules, squash)
            findings += _forged_trailers(commit.message)
            checked.append(CommitCheck(commit.sha, commit.subject, tuple(findings)))
    return checked


def _forged_trailers(message: str) -> list[Finding]:
    """The bot's release trailers on a commit that is not its release commit: the release
    counts the commit as any other, which its author may not expect."""
    if not release_trailers(message):
        return []
    lines = message.split("\n")
    mark = f"{RELEASE_TRAILER}:"
    number = max(i for i, line in enumerate(lines, 1) if line.startswith(mark))
    text = (
        f"{RELEASE_TRAILER} marks the bot's own release commit, and this is not one (it changes "
        "more than the releases' own files, and no release tag names it): remove the line; the "
        "release counts the commit as an ordinary one"
    )
    return [Finding(number, 1, "release-trailer", text)]


# The sha of the squash commit a pull request would become: it does not exist yet.
SQUASH_SHA = "0" * 40


def squash_merged(history: History, message: str, replaced: Iterable[str] | None) -> History:
    """The history as if a pull request were squash-merged with ``message`` (the PR's title):
    the commits in ``replaced`` (the PR's own; None: the whole window) give way to one new
    commit on top. For ``bot plan --title``."""
    gone = None if replaced is None else frozenset(replaced)
    kept = [] if gone is None else [c for c in history.commits if c.sha not in gone]
    squash = Commit(SQUASH_SHA, (history.state.head,), message)
    return History(history.state, history.baseline, [squash, *kept])


def squash_merged_packages(
    history: PackagesHistory, message: str, replaced: Iterable[str]
) -> PackagesHistory:
    """``squash_merged`` for a monorepo: the new commit changes every path the pull request's
    commits (``replaced``) changed, so it belongs to the packages they belonged to."""
    gone = frozenset(replaced)
    kept = []
    paths: set[str] = set()
    for commit, changed in history.commits:
        if commit.sha in gone:
            paths.update(changed)
        else:
            kept.append((commit, changed))
    squash = Commit(SQUASH_SHA, (history.state.head,), message)
    return history._replace(commits=[(squash, tuple(sorted(paths))), *kept])


def check_edit_message(
    text: str, rules: CheckRules, comment_char: str = "#", squash: SquashMode = False
) -> list[Finding]:
    """Lint the text of a message file as ``git commit`` would store it (comments and the
    scissors line stripped); lines are numbered as in ``text``."""
    message, numbers = strip_comments(text, comment_char)
    findings = check_message(message, rules, squash)
    return [f._replace(line=numbers[f.line - 1]) if f.line <= len(numbers) else f for f in findings]


def strip_comments(text: str, comment_char: str = "#") -> tuple[str, tuple[int, ...]]:
    """``git commit --cleanup=strip``: drop comment lines and everything from the scissors line
    on, trailing whitespace, repeated and surrounding blank lines.

    Returns the message and, for each of its lines, the 1-based line number in ``text``.

    >>> strip_comments("# hi\\nfeat: x\\n\\n\\nbody\\n# Please enter\\n")
    ('feat: x\\n\\nbody', (2, 3, 5))
    """
    kept: list[tuple[int, str]] = []
    scissors = f"{comment_char} {SCISSORS}"
    for number, raw in enumerate(_lines(text), start=1):
        line = raw.rstrip()
        if line == scissors:
            break
        if line.startswith(comment_char) or (not line and (not kept or not kept[-1][1])):
            continue
        kept.append((number, line))
    while kept and not kept[-1][1]:
        kept.pop()
    return "\n".join(line for _, line in kept), tuple(number for number, _ in kept)


def check_message(message: str, rules: CheckRules, squash: SquashMode = False) -> list[Finding]:
    """Every problem of one commit message, in reading order. Never raises.

    ``squash`` (the configuration's ``squash_commits``): each ``* type: ...`` bullet below the
    header is a commit of its own, as the release reads it; its breaking changes are its own."""
    lines = _lines(message)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return [Finding(1, 1, "empty-message", "empty message")]
    raw = lines[first]
    header = raw.strip()
    at = _Position(first + 1, len(raw) - len(raw.lstrip()))
    fixup = _FIXUP.match(header)
    if fixup is not None:
        if rules.allow_fixup:
            return []
        word = f"{fixup[1]}!"
        return [
            at.finding(
                1,
                "fixup",
                f"'{word}' commit: squash it into the commit it changes before merging "
                "(git rebase -i --autosquash)",
            )
        ]
    parsed = parse_commit(message)
    if not isinstance(parsed, ParsedCommit):
        verdict = _header_finding(header, parsed.reason, rules, at)
        findings = [verdict, *_policy_after_repair(header, verdict, rules, at)]
        findings += _body_findings(lines, first, squash)
        return sorted(findings, key=lambda f: (f.line, f.column))
    findings = _policy(header, parsed, rules, at)
    if first + 1 < len(lines) and lines[first + 1].strip():
        findings.append(
            Finding(
                first + 2,
                1,
                "body-leading-blank",
                "no blank line after the subject: git shows this line as part of the subject",
                severity=WARNING,
            )
        )
    findings += _body_findings(lines, first, squash)
    return sorted(findings, key=lambda f: (f.line, f.column))


@dataclass(frozen=True, slots=True)
class _Position:
    """Where the header is: its line, and how far it is indented."""

    line: int
    indent: int

    def finding(
        self,
        column: int,
        rule: str,
        message: str,
        suggestion: str | None = None,
        severity: Severity = ERROR,
    ) -> Finding:
        return Finding(self.line, self.indent + column, rule, message, suggestion, severity)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _policy(header: str, parsed: ParsedCommit, rules: CheckRules, at: _Position) -> list[Finding]:
    """The configured rules and the case of the type, for a header the parser accepts."""
    findings: list[Finding] = []
    git_revert = header.startswith('Revert "')
    written = header[: len(parsed.type)]
    rest = header[len(parsed.type) :]
    if not git_revert and written != parsed.type:
        findings.append(
            at.finding(
                1,
                "type-case",
                f"type {written!r} should be lower case; the release reads it as {parsed.type!r}",
                parsed.type + rest,
                WARNING,
            )
        )
    if parsed.type not in rules.types:
        nearest = _nearest(parsed.type, rules.types, _TYPE_WORDS)
        findings.append(
            at.finding(
                1,
                "type-enum",
                f"type {parsed.type!r} is not allowed; allowed types: {', '.join(rules.types)}",
                None if nearest is None or git_revert else nearest + rest,
            )
        )
    if parsed.scope is not None and rules.scopes:
        findings += _scope(header, parsed.scope, rules.scopes, at)
    description = parsed.description.rstrip()
    if not rules.subject_period and not git_revert and _ends_with_period(description):
        findings.append(
            at.finding(
                len(header),
                "subject-period",
                "the subject ends with a period",
                header.rstrip(".").rstrip(),
            )
        )
    limit = rules.max_subject_length
    if len(header) > limit:
        findings.append(
            at.finding(
                limit + 1,
                "subject-max-length",
                f"the subject is {len(header)} characters long; at most {limit} are allowed",
            )
        )
    return findings


def _policy_after_repair(
    header: str, verdict: Finding, rules: CheckRules, at: _Position
) -> list[Finding]:
    """The policy findings of the corrected header too, so that one run shows every problem
    (``feature(api):add pages.``: the space, the type and the period). Columns after the
    repaired spot are moved back to where they are in the header as written."""
    if verdict.suggestion is None:
        return []
    fixed = parse_commit(verdict.suggestion)
    if not isinstance(fixed, ParsedCommit):  # pragma: no cover - suggestions always parse
        return []
    shift = len(header) - len(verdict.suggestion)
    return [
        f._replace(column=max(f.column + shift, verdict.column)) if f.column > verdict.column else f
        for f in _policy(verdict.suggestion, fixed, rules, at)
    ]


def _ends_with_period(text: str) -> bool:
    return text.endswith(".") and not text.endswith("..")


def _scope(header: str, scope: str, allowed: Sequence[str], at: _Position) -> list[Finding]:
    if scope.lower() in (s.lower() for s in allowed):
        return []
    opening = header.index("(")
    closing = header.index(")", opening)
    nearest = _nearest(scope, allowed, {})
    fixed = None if nearest is None else f"{header[: opening + 1]}{nearest}{header[closing:]}"
    message = f"scope {scope!r} is not allowed; allowed scopes: {', '.join(allowed)}"
    return [at.finding(opening + 2, "scope-enum", message, fixed)]


def _nearest(word: str, allowed: Sequence[str], synonyms: dict[str, str]) -> str | None:
    lowered = word.lower()
    by_lower = {a.lower(): a for a in allowed}
    if lowered in by_lower:
        return by_lower[lowered]
    synonym = synonyms.get(lowered)
    if synonym is not None and synonym in by_lower:
        return by_lower[synonym]
    import difflib  # only when a type is wrong: every command loads this module's config types

    close = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


# The parser's reasons (commits._HEADER_PROBLEMS and parse_commit) -> a rule id.
_RULES = {
    "empty message": "empty-message",
    "empty description after 'type: '": "empty-description",
    "missing space after ':'": "space-after-colon",
    "space before ':'": "space-before-colon",
    "'!' must follow the scope: 'type(scope)!: description'": "bang-position",
    "space between the type and the scope": "space-before-scope",
    "space before '!'": "space-before-bang",
    "missing ':' after the scope": "colon-after-scope",
    "the scope must be followed by ': ' or '!: '": "colon-after-scope",
    "more than one scope: a header has one '(scope)'": "scope-parentheses",
    "unbalanced parentheses in the scope": "scope-parentheses",
    "parentheses inside the scope": "scope-parentheses",
    "empty scope '()': name a scope or drop the parentheses": "empty-scope",
}
# For each of the parser's reasons, the header shape it names: (pattern, the corrected header or
# "" when no correction is sure, where the problem is: after group 1, or one further).
_REPAIRS: dict[str, tuple[re.Pattern[str], str, str]] = {
    "missing space after ':'": (re.compile(rf"({TYPE}(?:{SCOPE})?!?:)(.*)"), r"\1 \2", "e1"),
    "space before ':'": (re.compile(rf"({TYPE}(?:{SCOPE})?!?)\s+:\s*(.*)"), r"\1: \2", "e1"),
    "'!' must follow the scope: 'type(scope)!: description'": (
        re.compile(rf"({TYPE})!({SCOPE}):\s*(.*)"),
        r"\1\2!: \3",
        "e1",
    ),
    "space between the type and the scope": (re.compile(rf"({TYPE})\s+(\(.*)"), r"\1\2", "e1"),
    "space before '!'": (re.compile(rf"({TYPE}(?:{SCOPE})?)\s+!\s*:\s*(.*)"), r"\1!: \2", "e1"),
    "missing ':' after the scope": (re.compile(rf"({TYPE}{SCOPE}!?)\s+(.*)"), r"\1: \2", "e1"),
    "the scope must be followed by ': ' or '!: '": (re.compile(rf"({TYPE}{SCOPE}!?)"), "", "e1"),
    "more than one scope: a header has one '(scope)'": (re.compile(rf"({TYPE}{SCOPE})"), "", "e1"),
    "empty scope '()': name a scope or drop the parentheses": (
        re.compile(rf"({TYPE})\(\s*\)(.*)"),
        r"\1\2",
        "e1",
    ),
    "empty description after 'type: '": (re.compile(rf"({TYPE}(?:{SCOPE})?!?:)\s*"), "", "e1+1"),
    "parentheses inside the scope": (re.compile(rf"({TYPE})\("), "", "e1"),
    "unbalanced parentheses in the scope": (re.compile(rf"({TYPE})\("), "", "e1"),
}


def _header_finding(header: str, reason: str, rules: CheckRules, at: _Position) -> Finding:
    """The parser's verdict on a header, with where it goes wrong and a fix when one is sure."""
    rule = _RULES.get(reason)
    if rule is None:  # no type prefix
        word = re.match(TYPE, header)
        if word is not None and word[0] in rules.types and header[word.end() :][:1] in ("", " "):
            # `feat add x`: the type is there, its ':' is not
            message = f"missing ':' after the type {word[0]!r}: expected 'type(scope): description'"
            return at.finding(word.end() + 1, "colon-after-type", message, _add_type(header, rules))
        return at.finding(1, "no-type", reason, _add_type(header, rules))
    repair = _REPAIRS.get(reason)
    if repair is None:  # pragma: no cover - every reason has its shape
        return at.finding(1, rule, reason)
    pattern, replacement, where = repair
    match = pattern.match(header)
    if match is None:  # pragma: no cover - each pattern matches what its reason names
        return at.finding(1, rule, reason)
    column = match.end(1) + (2 if where == "e1+1" else 1)
    suggestion = _repaired(header, rules) if replacement else None
    return at.finding(column, rule, reason, suggestion)


def _repaired(header: str, rules: CheckRules) -> str | None:
    """The header with each repairable problem fixed in turn (``feat (api) x`` needs two)."""
    for _ in range(len(_REPAIRS)):
        parsed = parse_commit(header)
        if isinstance(parsed, ParsedCommit):
            return _if_conventional(header, rules)
        repair = _REPAIRS.get(parsed.reason)
        match = None if repair is None or not repair[1] else repair[0].match(header)
        if repair is None or match is None:
            return None
        header = match.expand(repair[1]) + header[match.end() :]
    return None


def _add_type(header: str, rules: CheckRules) -> str | None:
    """``Fix typo`` -> ``fix: typo``: a subject that starts with a type word."""
    word, _, rest = header.partition(" ")
    kind = word.lower().rstrip(":")
    kind = _TYPE_WORDS.get(kind, kind)
    if kind not in rules.types or not rest.strip():
        return None
    return _if_conventional(f"{kind}: {rest.strip()}", rules)


def _if_conventional(header: str, rules: CheckRules) -> str | None:
    """The suggestion, lower-cased type included, if the parser accepts it; else none."""
    parsed = parse_commit(header)
    if not isinstance(parsed, ParsedCommit):
        return None
    written = header[: len(parsed.type)]
    return parsed.type + header[len(written) :]


class _Piece(NamedTuple):
    """One commit as the release reads it: the whole message, or with ``squash_commits`` the
    header's part or one squashed ``* type: ...`` bullet."""

    parsed: ParsedCommit | None  # None: not a Conventional Commits header
    # Below the header: (1-based line number, the text the release reads, columns dedented).
    lines: list[tuple[int, str, int]]


def _pieces(lines: list[str], first: int, squash: SquashMode) -> list[_Piece]:
    """The commits the release reads in ``lines`` (``first``: the header's index), with where
    each of their lines is; ``split_squash`` splits the same way."""
    # As split_squash reads it: the bullets are commits only under a title that is not one
    # (or, "always", under any title).
    titled = isinstance(parse_commit(lines[first]), ParsedCommit)
    split = squash == "always" or (squash and not titled)
    starts = squash_bullets(lines, first) if split else []
    ends = [*starts, len(lines)]
    top = parse_commit("\n".join(lines[first : ends[0]]))
    below = [(n + 1, lines[n], 0) for n in range(first + 1, ends[0])]
    pieces = [_Piece(top if isinstance(top, ParsedCommit) else None, below)]
    if starts:
        import textwrap  # a squash body is rare: not every check pays for the import

        for start, end in zip(starts, ends[1:], strict=True):
            raw = lines[start + 1 : end]
            dedented = textwrap.dedent("\n".join(raw)).split("\n") if raw else []
            parsed = parse_commit(f"{lines[start][2:]}\n" + "\n".join(dedented))
            below = [
                (start + 2 + i, text, len(was) - len(text))
                for i, (was, text) in enumerate(zip(raw, dedented, strict=True))
            ]
            # `* BREAKING-CHANGE: x` is a bullet the release reads as a commit of that type.
            below = [(start + 1, lines[start], 0), *below]
            pieces.append(_Piece(parsed if isinstance(parsed, ParsedCommit) else None, below))
    return pieces


@dataclass(frozen=True, slots=True)
class _Reading:
    """A message's lines as the release reads them: what would a changed line change?"""

    lines: tuple[str, ...]
    first: int
    squash: SquashMode

    def breaking_footers(self, number: int = 0, text: str = "") -> int:
        """How many breaking-change footers the release reads, with line ``number`` (1-based;
        0: none) replaced by ``text``."""
        lines = list(self.lines)
        if number:
            lines[number - 1] = text
        return sum(
            1
            for piece in _pieces(lines, self.first, self.squash)
            if piece.parsed is not None
            for footer in piece.parsed.footers
            if footer.token in BREAKING_TOKENS
        )

    def reads(self, number: int) -> bool:
        """True when the release reads line ``number`` as a breaking-change footer."""
        return self.breaking_footers(number, "x") < self.breaking_footers()

    def counted(self, number: int, suggestion: str) -> str | None:
        """``suggestion`` for line ``number`` if the release would read it as a breaking
        change there: every suggestion is true."""
        return (
            suggestion
            if self.breaking_footers(number, suggestion) > self.breaking_footers()
            else None
        )


def _body_findings(lines: list[str], first: int, squash: SquashMode) -> list[Finding]:
    """The findings below the header(s): breaking changes the release would miss, and a
    ``Release-As`` it would stop on."""
    if "BREAKING" not in "\n".join(lines).upper() and not any(map(_RELEASE_AS.match, lines)):
        return []  # most messages: nothing below the header to look at
    reading = _Reading(tuple(lines), first, squash)
    findings: list[Finding] = []
    for piece in _pieces(lines, first, squash):
        if piece.parsed is None:
            findings += _ignored_breaking(piece)
        else:
            findings += _footer_findings(piece, piece.parsed, reading)
    return findings


def _ignored_breaking(piece: _Piece) -> list[Finding]:
    """A ``BREAKING CHANGE:`` footer under a header that is not conventional counts nothing."""
    return [
        Finding(
            number,
            1 + shift,
            "breaking-change-ignored",
            "'BREAKING CHANGE:' is ignored: the header is not a Conventional Commits header, "
            "so the release counts nothing from this commit",
        )
        for number, line, shift in piece.lines
        if _BREAKING_FOOTER.match(line)
    ]


def _footer_findings(piece: _Piece, parsed: ParsedCommit, reading: _Reading) -> list[Finding]:
    """Breaking-change footers the release would miss, and a ``Release-As`` it would stop on."""
    findings: list[Finding] = []
    for number, line, shift in piece.lines:
        finding = None
        if _BREAKING_FOOTER.match(line):
            if not reading.reads(number):
                finding = _breaking_position(number, line, parsed.breaking)
        elif (lookalike := _BREAKING_LIKE.match(line)) is not None:
            finding = _breaking_lookalike(number, line, lookalike, parsed.breaking, reading)
        elif (mention := _BREAKING_MENTION.match(line)) is not None:
            finding = _breaking_mention(number, line, mention, parsed.breaking, reading)
        if finding is not None:
            findings.append(finding._replace(column=finding.column + shift))
    if parsed.release_as is not None:
        findings += _release_as([(n, line) for n, line, _ in piece.lines], parsed.release_as)
    return findings


def _missed(upper_case: bool, breaking: bool) -> tuple[str, Severity]:
    """What the release does with a breaking change it does not read, how to write it so that
    it does, and how bad that is: an error when the token is written in upper case (a
    declaration, not prose) and nothing else makes the commit breaking, as the release would
    plan a minor or a patch."""
    if breaking:
        return f"the release notes will not show its text; {_FOOTER_HOW}", WARNING
    severity: Severity = ERROR if upper_case else WARNING
    return f"the release will NOT treat this commit as breaking; {_HOW}", severity


def _breaking_position(number: int, line: str, breaking: bool) -> Finding:
    consequence, severity = _missed(True, breaking)
    return Finding(
        number,
        1,
        "breaking-change-position",
        f"{line[: line.index(':') + 1]!r} inside a paragraph is body text, not a footer (put a "
        f"blank line before it): {consequence}",
        severity=severity,
    )


def _breaking_lookalike(
    number: int, line: str, match: re.Match[str], breaking: bool, reading: _Reading
) -> Finding:
    """``breaking change:``, ``BREAKING CHANGES:``, ``BREAKING:``, ``BREAKING CHANGE :``: a
    footer the release does not read as a breaking change, and what is wrong with it."""
    token = match["token"]
    problems = []
    if not token.isupper():
        problems.append("the token must be upper case")
    if token.upper().endswith("S"):
        problems.append("CHANGE is singular")
    if match["change"] is None:
        problems.append("the token is 'BREAKING CHANGE', not 'BREAKING'")
    elif match["separator"] not in (" ", "-"):
        problems.append("one space or '-' goes between BREAKING and CHANGE")
    if match["space"]:
        problems.append("no space goes before ':'")
    if match["after"] not in ("", " "):
        problems.append("a space must follow ':'")
    consequence, severity = _missed(token.isupper(), breaking)
    text = line[match.end("space") + 1 :].strip()
    return Finding(
        number,
        1,
        "breaking-change-token",
        f"{line[: match.end('space') + 1]!r} is not a breaking-change footer "
        f"({', '.join(problems)}): {consequence}",
        reading.counted(number, f"BREAKING CHANGE: {text}".rstrip()),
        severity,
    )


def _breaking_mention(
    number: int, line: str, match: re.Match[str], breaking: bool, reading: _Reading
) -> Finding:
    """A breaking change declared in a form the release does not read: a list item, a
    heading, an indented line, or the token without its colon."""
    text = line[match.end() :].strip().lstrip(":-\u2013\u2014 ").strip()  # : - en em dash
    if match["bullet"]:
        form = "in a list item"
    elif match["heading"]:
        form = "as a heading"
    elif match["indent"]:
        form = "indented"
    else:
        form = "without ':'"
    consequence, severity = _missed(True, breaking)
    return Finding(
        number,
        match.start("token") + 1,
        "breaking-change-form",
        f"{match['token']!r} {form} is body text, not a footer: {consequence}",
        reading.counted(number, f"BREAKING CHANGE: {text}".rstrip()),
        severity,
    )


def _release_as(body: list[tuple[int, str]], value: str) -> list[Finding]:
    """The ``Release-As`` footer the release reads, if its value would stop the release."""
    try:
        Version.parse(value.removeprefix("v"))
    except InvalidVersion:
        number = next((n for n, line in body if _RELEASE_AS.match(line)), body[0][0])
        shown = shortened(value)  # commit text: a bounded echo
        return [
            Finding(
                number,
                len("Release-As: ") + 1,
                "release-as",
                f"Release-As {shown!r} is not a version X.Y.Z (numbers of at most {MAX_DIGITS} "
                "digits): the release would stop on this commit",
            )
        ]
    return []
