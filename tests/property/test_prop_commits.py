"""Properties of the commit parser: total, lower-case types, and stable bodies."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.commits import (
    _HEADER,
    BREAKING_TOKENS,
    BelowHeader,
    ParsedCommit,
    ParseFailure,
    _body_and_footers,
    _release_as,
    _reverted_shas,
    parse_commit,
    split_squash,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TYPES = st.one_of(
    st.sampled_from(["feat", "fix", "docs", "FEAT", "Fix", "revert", "Revert", "perf", "x"]),
    st.text(LETTERS + "0123456789-_", min_size=1, max_size=12),
    st.text(max_size=6),
)
SCOPES = st.one_of(
    st.just(""),
    st.text(max_size=10).map(lambda s: f"({s})"),
    st.sampled_from(["(api)", "()", "( )", "(a(b)", "(api/v2)", "(a, b)", "(", ")"]),
)
BANGS = st.sampled_from(["", "!", "!!", " !"])
SEPARATORS = st.sampled_from([": ", ":", " : ", ":  ", ":\t", "", ": \t", "::", " "])
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " \n"])
FOOTER_LINES = st.one_of(
    st.sampled_from(
        [
            "BREAKING CHANGE: it breaks",
            "BREAKING-CHANGE: it breaks",
            "breaking change: no",
            "Refs: 676104e",
            "Refs #12",
            "Closes #9",
            "Release-As: 2.0.0",
            "Release-As: nonsense",
            "release-AS: 3.0.0",
            "RELEASE-AS #4",
            "BREAKING CHANGE:",
            "Breaking-change: not the token",
            "This reverts commit 676104e4a0b7e1f3c2d5a6b7c8d9e0f1a2b3c4d5.",
            "Co-authored-by: X <x@example.com>",
            "* feat: bullet",
            "* fix(x)!: bullet",
            "  indented: line",
            "",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def messages(draw: st.DrawFn) -> str:
    """Header-like messages: mostly almost right, with bodies, footers and odd line endings."""
    header = (
        draw(TYPES) + draw(SCOPES) + draw(BANGS) + draw(SEPARATORS) + draw(st.text(max_size=20))
    )
    if draw(st.booleans()):
        header = f'Revert "{header}"'
    lines = draw(st.lists(FOOTER_LINES, max_size=8))
    ends = draw(st.lists(LINE_ENDS, min_size=len(lines), max_size=len(lines)))
    return header + "".join(end + line for end, line in zip(ends, lines, strict=True))


def check(result: ParsedCommit | ParseFailure) -> None:
    assert isinstance(result, ParsedCommit | ParseFailure)
    assert "\n" not in result.header
    if isinstance(result, ParseFailure):
        assert result.conventional is False
        assert result.reason
        return
    assert result.conventional is True
    assert result.type == result.type.lower()
    assert result.type
    assert result.description
    assert result.scope is None or (result.scope and result.scope == result.scope.strip())
    assert result.breaking is bool(result.breaking_notes)
    assert all(f.token for f in result.footers)


@SETTINGS
@given(st.text())
def test_parse_commit_never_raises_on_text(message: str) -> None:
    check(parse_commit(message))


@SETTINGS
@given(messages())
def test_parse_commit_never_raises_on_header_like_text(message: str) -> None:
    check(parse_commit(message))
    for piece in split_squash(message):
        check(parse_commit(piece))


@SETTINGS
@given(
    kind=st.text(LETTERS, min_size=1, max_size=8),
    tail=st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=6),
    scope=st.one_of(st.none(), st.text(LETTERS + " /,.-", min_size=1, max_size=10)),
    bang=st.booleans(),
    description=st.text(LETTERS + " .,#:()", min_size=1, max_size=30),
)
def test_well_formed_headers_parse(
    kind: str, tail: str, scope: str | None, bang: bool, description: str
) -> None:
    description = description.strip()
    if not description or (scope is not None and not scope.strip()):
        return
    header = f"{kind}{tail}{'' if scope is None else f'({scope})'}{'!' if bang else ''}: "
    result = parse_commit(header + description)
    assert isinstance(result, ParsedCommit), result
    assert result.type == (kind + tail).lower()
    assert result.scope == (None if scope is None else scope.strip())
    assert result.description == description
    assert result.breaking is bang


BODY = st.text("ab \t\n", max_size=40)


@SETTINGS
@given(body=BODY, ending=st.sampled_from(["", "\n", "\n\n"]))
def test_body_does_not_depend_on_a_following_footer(body: str, ending: str) -> None:
    """A body reads the same whether or not a footer paragraph follows it."""
    if not body.strip():
        return
    alone = parse_commit(f"fix: x\n\n{body}{ending}")
    with_footer = parse_commit(f"fix: x\n\n{body}\n\nRefs: #1{ending}")
    assert isinstance(alone, ParsedCommit)
    assert isinstance(with_footer, ParsedCommit)
    assert with_footer.footers[-1].value == "#1"
    assert alone.body == with_footer.body
    assert alone.body == alone.body.strip("\n")
    assert all(line == line.rstrip() for line in alone.body.split("\n"))


@SETTINGS
@given(st.text())
def test_split_squash_without_bullets_is_the_message(message: str) -> None:
    if "\n* " in message:
        return
    assert split_squash(message) == [message]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(["feat", "fix", "docs", "chore"]), st.text(LETTERS, min_size=1)),
        min_size=1,
        max_size=6,
    )
)
def test_split_squash_finds_every_conventional_bullet(items: list[tuple[str, str]]) -> None:
    body = "\n\n".join(f"* {kind}: {text}" for kind, text in items)
    pieces = split_squash(f"Title (#1)\n\n{body}\n\nCo-authored-by: X <x@y.z>")
    assert len(pieces) == len(items) + 1
    for piece, (kind, text) in zip(pieces[1:], items, strict=True):
        result = parse_commit(piece)
        assert isinstance(result, ParsedCommit)
        assert (result.type, result.description) == (kind, text)


def eager(message: str) -> ParsedCommit | ParseFailure:
    """The parse with body and footers split at once, every field derived from them: the oracle
    of the lazy parse (git's own revert form is always split at once)."""
    result = parse_commit(message)
    match = _HEADER.fullmatch(result.header)
    if not isinstance(result, ParsedCommit) or match is None:
        return result
    text = message.replace("\r\n", "\n").replace("\r", "\n").lstrip().partition("\n")[2]
    body, footers = _body_and_footers(text) if text else ("", ())
    notes = tuple(f.value or result.description for f in footers if f.token in BREAKING_TOKENS)
    if match["bang"] and not notes:
        notes = (result.description,)
    reverts = _reverted_shas(body, footers) if result.type == "revert" else ()
    return ParsedCommit(
        result.header,
        result.type,
        result.scope,
        result.description,
        bool(notes),
        notes,
        reverts,
        _release_as(footers),
        BelowHeader("", (body, footers)),
    )


@SETTINGS
@given(st.one_of(messages(), st.text()))
def test_the_lazy_parse_equals_the_eager_one(message: str) -> None:
    """Splitting body and footers only when read changes no field, whatever is read first."""
    expected = eager(message)
    lazy = parse_commit(message)
    if isinstance(lazy, ParsedCommit):
        # What the plan reads, before anything splits the body.
        assert isinstance(expected, ParsedCommit)
        decided = (lazy.breaking, lazy.breaking_notes, lazy.reverts, lazy.release_as)
        assert decided == (
            expected.breaking,
            expected.breaking_notes,
            expected.reverts,
            expected.release_as,
        )
        mentioned = any(
            c in expected.body or any(c in str(f) for f in expected.footers) for c in "#!"
        )
        assert lazy.may_mention("#", "!") or not mentioned
    assert lazy == expected
    assert hash(lazy) == hash(expected)
    assert repr(lazy) == repr(expected)
