"""Conventional Commits 1.0.0 tables for versionbot.core.commits, and its choices where it is
silent."""

from __future__ import annotations

import copy
import pickle

import pytest

from versionbot.core.commits import (
    BREAKING_TOKENS,
    Commit,
    Footer,
    ParsedCommit,
    ParseFailure,
    commit_override,
    parse_commit,
    split_changes,
    split_squash,
    squash_bullets,
)


def parsed(message: str) -> ParsedCommit:
    """Parse ``message`` and insist that it is conventional."""
    result = parse_commit(message)
    assert isinstance(result, ParsedCommit), result
    return result


def failure(message: str) -> ParseFailure:
    """Parse ``message`` and insist that it is not conventional."""
    result = parse_commit(message)
    assert isinstance(result, ParseFailure), result
    return result


# --- Spec rule 1: type, optional scope, optional '!', required ': ' ---------------------------


@pytest.mark.parametrize(
    ("message", "kind", "scope", "bang", "description"),
    [
        ("feat: add x", "feat", None, False, "add x"),
        ("fix(parser): handle y", "fix", "parser", False, "handle y"),
        ("feat!: drop z", "feat", None, True, "drop z"),
        ("feat(api)!: drop z", "feat", "api", True, "drop z"),
        ("chore!: drop support for Node 6", "chore", None, True, "drop support for Node 6"),
        ("build-system: x", "build-system", None, False, "x"),
        ("my_type: x", "my_type", None, False, "x"),
        ("ci2: x", "ci2", None, False, "x"),
        ("x: y", "x", None, False, "y"),
    ],
)
def test_rule_1_header_shape(
    message: str, kind: str, scope: str | None, bang: bool, description: str
) -> None:
    commit = parsed(message)
    assert commit.header == message
    assert commit.type == kind
    assert commit.scope == scope
    assert commit.description == description
    assert commit.breaking is bang
    assert commit.conventional is True


@pytest.mark.parametrize(
    "message",
    [
        "add x",  # no type at all
        "feat add x",
        "2fix: x",  # a type starts with a letter
        "-fix: x",
        "_fix: x",
        "féat: x",  # types are ASCII words
        "fix/x: y",
        "[fix]: y",
        "fix.x: y",
    ],
)
def test_rule_1_not_a_type(message: str) -> None:
    assert failure(message).reason == "no type prefix: expected 'type(scope): description'"


# --- Rules 2, 3 and 14: feat, fix, and any other type -----------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["feat", "fix", "docs", "chore", "refactor", "perf", "test", "build", "ci", "style", "revert"],
)
def test_rules_2_3_14_any_type_is_accepted(kind: str) -> None:
    assert parsed(f"{kind}: update ref docs").type == kind


# --- Rule 4: scope; choice: anything but parentheses ------------------------------------------


@pytest.mark.parametrize(
    ("message", "scope"),
    [
        ("fix(parser): x", "parser"),
        ("fix(api/v2): x", "api/v2"),
        ("fix(a, b): x", "a, b"),
        ("fix(with space): x", "with space"),
        ("fix( padded ): x", "padded"),  # surrounding blanks are not part of the scope
        ("fix(README.md): x", "README.md"),  # scopes keep their case
        ("fix(*): x", "*"),
        ("fix(a:b): x", "a:b"),
        ("fix(émoji 🎉): x", "émoji 🎉"),
        ("fix(!): x", "!"),
    ],
)
def test_rule_4_scope_is_anything_but_parentheses(message: str, scope: str) -> None:
    assert parsed(message).scope == scope


@pytest.mark.parametrize("message", ["fix(): x", "fix( ): x", "fix(\t): x", "feat()!: x"])
def test_empty_scope_is_a_failure(message: str) -> None:
    assert failure(message).reason == "empty scope '()': name a scope or drop the parentheses"


# --- Rule 5: description immediately after ': ' and required ----------------------------------


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("fix: x", "x"),
        ("fix:   x", "x"),  # extra blanks after ': ' are tolerated
        ("fix: \tx", "x"),
        ("fix: x   ", "x"),  # trailing whitespace is tolerated
        ("fix: a: b", "a: b"),  # only the first ': ' separates
        ("fix: (#12)", "(#12)"),
    ],
)
def test_rule_5_description(message: str, description: str) -> None:
    assert parsed(message).description == description


@pytest.mark.parametrize(
    "message", ["fix:", "fix: ", "fix:   ", "fix(a):", "fix!:", "fix(a)!: \t", "fix: \n\nbody"]
)
def test_rule_5_description_is_required(message: str) -> None:
    assert failure(message).reason == "empty description after 'type: '"


# --- Rules 6 and 7: body ----------------------------------------------------------------------


def test_rules_6_7_body_is_free_form_paragraphs() -> None:
    commit = parsed(
        "fix: prevent racing of requests\n"
        "\n"
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n"
        "\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now.\n"
        "\n"
        "Reviewed-by: Z\n"
        "Refs: #123\n"
    )
    assert commit.body == (
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n"
        "\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now."
    )
    assert commit.footers == (Footer("Reviewed-by", "Z"), Footer("Refs", "#123"))
    assert not commit.breaking


@pytest.mark.parametrize(
    ("message", "body"),
    [
        ("fix: x", ""),
        ("fix: x\n", ""),
        ("fix: x\n\n\n", ""),
        ("fix: x\n\nbody", "body"),
        ("fix: x\n\n\n\nbody\n\n\n", "body"),  # extra blank lines around the body are dropped
        ("fix: x\n\n  indented\n    more", "  indented\n    more"),  # indentation kept
        ("fix: x\n\nline   \nline2\t", "line\nline2"),  # trailing whitespace dropped
        ("fix: x\n  \nbody", "body"),  # a blank line may hold blanks
        ("fix: x\n \t\n\nbody  \n", "body"),
        ("fix: x\n  \nbody\n\nRefs: #1", "body"),  # the same with a footer after it
        # Choice: a body without the blank line (rule 6 says MUST) is tolerated, not refused.
        ("fix: x\nbody right away", "body right away"),
    ],
)
def test_body(message: str, body: str) -> None:
    assert parsed(message).body == body


# --- Rules 8, 9, 10: footers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "footers"),
    [
        ("fix: x\n\nReviewed-by: Z", (Footer("Reviewed-by", "Z"),)),
        ("fix: x\n\nCloses #9", (Footer("Closes", "#9"),)),  # '#' kept in the value
        ("fix: x\n\nRefs #12 and #13", (Footer("Refs", "#12 and #13"),)),
        ("fix: x\n\nAcked-by: A\nCloses #9", (Footer("Acked-by", "A"), Footer("Closes", "#9"))),
        ("fix: x\n\nbody\n\nSigned-off-by: A <a@b.c>", (Footer("Signed-off-by", "A <a@b.c>"),)),
        ("fix: x\n\nRefs: a\n\nCloses #1", (Footer("Refs", "a"), Footer("Closes", "#1"))),
        ("fix: x\n\nToken: a: b", (Footer("Token", "a: b"),)),
        ("fix: x\n\nX2-y: v", (Footer("X2-y", "v"),)),
        # Rule 10: a value may span lines, up to the next token/separator pair.
        (
            "fix: x\n\nNote: first line\n  second line\n\n  third\nRefs: #1",
            (Footer("Note", "first line\n  second line\n\n  third"), Footer("Refs", "#1")),
        ),
        (
            "fix: x\n\nBREAKING CHANGE: config\nis read once\n\nSee-also: docs",
            (Footer("BREAKING CHANGE", "config\nis read once"), Footer("See-also", "docs")),
        ),
    ],
)
def test_rules_8_9_10_footers(message: str, footers: tuple[Footer, ...]) -> None:
    commit = parsed(message)
    assert commit.footers == footers


@pytest.mark.parametrize(
    "message",
    [
        "fix: x\n\nReviewed by: Z",  # rule 9: whitespace in a token is '-'
        "fix: x\n\nRefs:#1",  # a separator is ': ' or ' #'
        "fix: x\n\nRefs#1",
        "fix: x\n\nRefs:",
        "fix: x\n\n  Refs: indented",
        "fix: x\n\n1-token: v",
        "fix: x\n\nNote:\ntext below",  # only the breaking tokens may end their line
        "fix: x\n\nsome prose\nRefs: #1",  # not the start of a paragraph: still body
    ],
)
def test_not_footers(message: str) -> None:
    commit = parsed(message)
    assert commit.footers == ()
    assert commit.body == message.partition("\n\n")[2]


def test_footer_section_starts_at_the_first_footer_paragraph() -> None:
    commit = parsed("fix: x\n\nbody one\n\nbody two\n\nAcked-by: A\nCloses #2")
    assert commit.body == "body one\n\nbody two"
    assert [f.token for f in commit.footers] == ["Acked-by", "Closes"]


# --- Rules 11, 12, 13, 15, 16: breaking changes -----------------------------------------------


@pytest.mark.parametrize(
    ("message", "notes"),
    [
        (
            "feat: allow provided config object to extend other configs\n\n"
            "BREAKING CHANGE: `extends` key in config file is now used for extending other "
            "config files",
            ("`extends` key in config file is now used for extending other config files",),
        ),
        ("feat: x\n\nBREAKING-CHANGE: y", ("y",)),  # rule 16
        ("feat: x\n\nbody\n\nBREAKING CHANGE: y", ("y",)),
        ("feat: x\n\nRefs: #1\nBREAKING CHANGE: y", ("y",)),
        ("feat: x\n\nBREAKING CHANGE: a\nBREAKING-CHANGE: b", ("a", "b")),
        # Rule 13: '!' without a footer: the description describes the breaking change.
        ("feat!: send an email", ("send an email",)),
        ("feat(api)!: send an email", ("send an email",)),
        ("chore!: drop Node 6\n\nbody only", ("drop Node 6",)),
        # '!' with a footer: the footer describes it.
        (
            "chore!: drop support for Node 6\n\n"
            "BREAKING CHANGE: use JavaScript features not available in Node 6.",
            ("use JavaScript features not available in Node 6.",),
        ),
        ("docs: x\n\nBREAKING CHANGE: any type can break", ("any type can break",)),
        # The text may start on the line below the token (docs/decisions.md).
        ("feat: x\n\nBREAKING CHANGE:\nthe text\nmore", ("the text\nmore",)),
        ("feat: x\n\nBREAKING-CHANGE:\n\nthe text", ("the text",)),
        # A token with no text at all still breaks; the description describes it, as with '!'.
        ("fix: x\n\nbody\n\nBREAKING CHANGE:", ("x",)),
        ("fix: x\n\nBREAKING CHANGE:   ", ("x",)),
    ],
)
def test_rules_11_12_13_16_breaking(message: str, notes: tuple[str, ...]) -> None:
    commit = parsed(message)
    assert commit.breaking is True
    assert commit.breaking_notes == notes


@pytest.mark.parametrize(
    "message",
    [
        # Rule 15: BREAKING CHANGE must be upper case.
        "feat: x\n\nbreaking change: y",
        "feat: x\n\nBreaking change: y",
        "feat: x\n\nbreaking-change: y",
        "feat: x\n\nBreaking-Change: y",
        "feat: x\n\nBREAKING CHANGES: y",
        "feat: x\n\nBREAKING: y",
        "feat: x\n\nbreaking change:\nlower case at a line end",
        # The words in prose are not a footer.
        "feat: x\n\nThis is not a BREAKING CHANGE: really.",
        "feat: x\n\nthis is a breaking change for nobody",
        "feat: x\n\nsome prose\nBREAKING CHANGE: inside a paragraph",
        "feat: x\n\n  BREAKING CHANGE: indented",
        "feat: breaking change in the description",
        "feat: BREAKING CHANGE: in the description",
        "feat(BREAKING CHANGE): in the scope",
        # Forms the spec does not define: bot check flags them, the release does not count them.
        "feat: x\n\n* BREAKING CHANGE: a list item",
        "feat: x\n\n- BREAKING CHANGE: a list item",
        "feat: x\n\nBREAKING CHANGE - no colon",
        "feat: x\n\nBREAKING CHANGE\nno colon, the text below",
        "feat: x\n\n## BREAKING CHANGES\n\na heading",
    ],
)
def test_not_breaking(message: str) -> None:
    commit = parsed(message)
    assert commit.breaking is False
    assert commit.breaking_notes == ()


def test_breaking_tokens() -> None:
    assert frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"}) == BREAKING_TOKENS


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("FEAT: x", "feat"),
        ("Fix: x", "fix"),
        ("fEaT(Api): x", "feat"),
        ("DOCS!: x", "docs"),
        ("Build-System: x", "build-system"),
    ],
)
def test_rule_15_type_is_case_insensitive_and_reported_lower_case(message: str, kind: str) -> None:
    assert parsed(message).type == kind


def test_rule_15_scope_case_is_kept() -> None:
    assert parsed("fEaT(Api): x").scope == "Api"


@pytest.mark.parametrize("token", ["Release-As", "release-as", "RELEASE-AS", "Release-as"])
def test_rule_15_footer_tokens_are_case_insensitive(token: str) -> None:
    assert parsed(f"chore: x\n\n{token}: 2.0.0").release_as == "2.0.0"


# --- Whitespace and line endings ----------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "feat(api)!: add x\r\n\r\nbody line\r\n\r\nBREAKING CHANGE: y\r\nCloses #9\r\n",
        "feat(api)!: add x   \n\nbody line   \n\nBREAKING CHANGE: y  \nCloses #9  \n\n",
        "feat(api)!: add x\r\rbody line\r\rBREAKING CHANGE: y\rCloses #9",
        "\n\nfeat(api)!: add x\n\nbody line\n\nBREAKING CHANGE: y\nCloses #9",
        "   feat(api)!: add x\t\n\n\nbody line\n\n\nBREAKING CHANGE: y\nCloses #9\n\n\n",
        # git keeps messages clean, but a whitespace-only first line is not a header either.
        "  \nfeat(api)!: add x\n\nbody line\n\nBREAKING CHANGE: y\nCloses #9",
    ],
)
def test_crlf_and_surrounding_whitespace_are_tolerated(message: str) -> None:
    commit = parsed(message)
    assert commit.header == "feat(api)!: add x"
    assert (commit.type, commit.scope, commit.description) == ("feat", "api", "add x")
    assert commit.body == "body line"
    assert commit.footers == (Footer("BREAKING CHANGE", "y"), Footer("Closes", "#9"))
    assert commit.breaking_notes == ("y",)


# --- Reverts ------------------------------------------------------------------------------------

SHA = "676104e4a0b7e1f3c2d5a6b7c8d9e0f1a2b3c4d5"


@pytest.mark.parametrize(
    ("message", "description", "reverts"),
    [
        (f'Revert "feat: add x"\n\nThis reverts commit {SHA}.', "feat: add x", SHA),
        (f'Revert "feat: add x"\n\nThis reverts commit {SHA.upper()}.', "feat: add x", SHA),
        (
            f'Revert "Revert "feat: add x""\n\nThis reverts commit {SHA}.',
            'Revert "feat: add x"',
            SHA,
        ),
        ('Revert "feat: add x"', "feat: add x", None),
        (f'Revert "anything"\r\n\r\nThis reverts commit {SHA}.\r\n', "anything", SHA),
        (f'Revert "x"\n\nThis reverts commit {SHA[:7]}.', "x", SHA[:7]),
        # GitHub appends the pull request number when it squash-merges a revert pull request.
        (f'Revert "feat: add x" (#13)\n\nThis reverts commit {SHA}.', "feat: add x", SHA),
    ],
)
def test_git_revert_form(message: str, description: str, reverts: str | None) -> None:
    commit = parsed(message)
    assert commit.type == "revert"
    assert commit.scope is None
    assert commit.description == description
    assert commit.reverts == (() if reverts is None else (reverts,))
    assert commit.breaking is False
    assert commit.release_as is None


@pytest.mark.parametrize(
    ("message", "reverts"),
    [
        ("revert: let us never again speak of the noodle incident\n\nRefs: 676104e", "676104e"),
        (f"revert: x\n\nRefs: {SHA}", SHA),
        (f"revert: x\n\nRefs #{SHA[:10]}", SHA[:10]),
        ("revert: x\n\nReverts: ABCDEF0", "abcdef0"),
        (f"revert: x\n\nThis reverts commit {SHA}.", SHA),
        (f"Revert(api): x\n\nThis reverts commit {SHA}.", SHA),
        ("revert: x\n\nRefs: #123", None),  # an issue number is not a sha
        ("revert: x\n\nRefs: abc", None),  # too short to be a sha
        ("revert: x", None),
        ("revert: x\n\nCloses: 676104e", None),  # only Refs/Reverts footers name the commit
    ],
)
def test_revert_type_with_refs_footer(message: str, reverts: str | None) -> None:
    commit = parsed(message)
    assert commit.type == "revert"
    assert commit.reverts == (() if reverts is None else (reverts,))


def test_revert_of_several_commits() -> None:
    # The spec's own example names two commits in one Refs footer.
    message = "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868"
    assert parsed(message).reverts == ("676104e", "a215868")


@pytest.mark.parametrize(
    "message",
    [f"fix: x\n\nThis reverts commit {SHA}.", f"feat: x\n\nRefs: {SHA}"],
)
def test_only_reverts_revert(message: str) -> None:
    assert parsed(message).reverts == ()


# --- Release-As ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "release_as"),
    [
        ("chore: release 2.0.0\n\nRelease-As: 2.0.0", "2.0.0"),
        ("feat: x\n\nbody\n\nRelease-As: v3.1.0-rc.1", "v3.1.0-rc.1"),
        ("fix: x\n\nRefs: #1\nRelease-As: 1.0.0\nCloses #2", "1.0.0"),
        ("fix: x\n\nRelease-As: 1.0.0\nRelease-As: 2.0.0", "1.0.0"),  # the first one wins
        ("fix: x\n\nRelease-As #5", "#5"),  # validated by the plan, not the parser
        ("fix: x\n\nthe Release-As: 1.0.0 footer", None),
        ("fix: x", None),
    ],
)
def test_release_as(message: str, release_as: str | None) -> None:
    assert parsed(message).release_as == release_as


# --- Failure reasons, pinned exactly ----------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("", "empty message"),
        ("\n\n", "empty message"),
        ("   ", "empty message"),
        ("feat:", "empty description after 'type: '"),
        ("feat(api)!:  ", "empty description after 'type: '"),
        ("feat:x", "missing space after ':'"),
        ("feat(api):x", "missing space after ':'"),
        ("feat!:x", "missing space after ':'"),
        ("feat:\tx", "missing space after ':'"),  # a tab is not the space rule 1 asks for
        ("feat : x", "space before ':'"),
        ("feat(api) : x", "space before ':'"),
        ("feat(api)! : x", "space before ':'"),
        ("feat!(api): x", "'!' must follow the scope: 'type(scope)!: description'"),
        ("feat (api): x", "space between the type and the scope"),
        ("feat  (api)!: x", "space between the type and the scope"),
        ("feat(api: x", "unbalanced parentheses in the scope"),
        ("feat(a(b)): x", "parentheses inside the scope"),
        ("feat(a)(b): x", "more than one scope: a header has one '(scope)'"),
        ("feat(a)): x", "unbalanced parentheses in the scope"),
        ("feat(api)x: y", "the scope must be followed by ': ' or '!: '"),
        ("feat(api)!", "the scope must be followed by ': ' or '!: '"),
        ("feat !: x", "space before '!'"),
        ("feat(api) !: x", "space before '!'"),
        ("v9 (#639)", "no type prefix: expected 'type(scope): description'"),  # a PR number
        ("feat(): x", "empty scope '()': name a scope or drop the parentheses"),
        ("Update README", "no type prefix: expected 'type(scope): description'"),
        ("Merge branch 'main' into x", "no type prefix: expected 'type(scope): description'"),
        ("WIP", "no type prefix: expected 'type(scope): description'"),
    ],
)
def test_failure_reasons(message: str, reason: str) -> None:
    result = failure(message)
    assert result.reason == reason
    assert result.header == message.strip()
    assert result.conventional is False


def test_failure_header_is_the_first_line_only() -> None:
    assert failure("Update README\n\nfeat: not a header here").header == "Update README"


# --- Value types --------------------------------------------------------------------------------


def test_parsed_commit_is_immutable() -> None:
    commit = parsed("feat: x\n\nbody\n\nRefs: #1")
    with pytest.raises(AttributeError):
        commit.type = "fix"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        commit.body = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del commit.scope
    assert commit.footers == (Footer("Refs", "#1"),)  # read after the attempts: unchanged


def test_body_and_footers_are_split_when_first_read() -> None:
    commit = parsed("feat: x\n\nbody\n\nRefs: abc")
    assert not commit.may_mention("#", "!")  # not split yet: the text says no
    assert commit.may_mention("Refs")
    assert (commit.body, commit.footers) == ("body", (Footer("Refs", "abc"),))
    assert commit.may_mention("#")  # once split, it no longer tells
    assert commit == parsed("feat: x\n\nbody\n\nRefs: abc")


def test_a_text_that_may_name_an_issue_is_split_at_once() -> None:
    commit = parsed("fix: x\n\nCloses #3")
    assert commit.may_mention("nothing")  # split: the test no longer tells
    assert commit.footers == (Footer("Closes", "#3"),)


def test_parsed_commit_copies_and_replaces_as_a_value() -> None:
    commit = parsed("feat(api)!: x\n\nbody\n\nCloses #3")
    assert copy.deepcopy(commit) == commit
    assert pickle.loads(pickle.dumps(commit)) == commit
    bare = commit.without_body()
    assert (bare.body, bare.footers, bare.breaking) == ("", (Footer("Closes", "#3"),), True)
    assert bare != commit
    assert {commit, parsed("feat(api)!: x\n\nbody\n\nCloses #3")} == {commit}
    assert repr(commit).startswith("ParsedCommit(header='feat(api)!: x', type='feat', ")


@pytest.mark.parametrize(
    ("commit", "is_merge", "subject"),
    [
        (Commit("a" * 40, (), "feat: x\n\nbody"), False, "feat: x"),
        (Commit("a" * 40, ("b" * 40,), "  fix: y  \r\nbody"), False, "fix: y"),
        (
            Commit("a" * 40, ("b" * 40, "c" * 40), "Merge pull request #1"),
            True,
            "Merge pull request #1",
        ),
        (Commit("a" * 40, ("b", "c", "d"), "Merge octopus"), True, "Merge octopus"),
    ],
)
def test_commit_value(commit: Commit, is_merge: bool, subject: str) -> None:
    assert commit.is_merge is is_merge
    assert commit.subject == subject


# --- Squash bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        pytest.param("fix: one", ["fix: one"], id="no-body"),
        pytest.param(
            "fix: one\n\nno bullets here\n- feat: a dash is not a bullet",
            ["fix: one\n\nno bullets here\n- feat: a dash is not a bullet"],
            id="no-bullets",
        ),
        pytest.param(
            "feat: x\n\n* not conventional\n* also not",
            ["feat: x\n\n* not conventional\n* also not"],
            id="bullets-not-conventional",
        ),
        pytest.param(
            "Add x (#12)\n\n* feat: a\n\n* fix(api): b\n\n* docs!: c",
            ["Add x (#12)\n", "feat: a", "fix(api): b", "docs!: c"],
            id="github-squash",
        ),
        pytest.param(
            # A conventional title is the change whoever merged chose; the bullets are history.
            "feat: add x (#12)\n\n* feat: a\n\n* fix(api): b",
            ["feat: add x (#12)\n\n* feat: a\n\n* fix(api): b"],
            id="conventional-title-is-one-change",
        ),
        pytest.param(
            "Add x (#12)\n\n"
            "* feat: a\n\n  body of a\n  more\n\n"
            "* fix(api): b\n\nbody b\n\nBREAKING CHANGE: y\n\n"
            "* update readme\n\n"
            "* docs: c\n\n"
            "Co-authored-by: X <x@example.com>",
            [
                "Add x (#12)\n",
                "feat: a\n\nbody of a\nmore",
                "fix(api): b\n\nbody b\n\nBREAKING CHANGE: y\n\n* update readme",
                "docs: c\n\nCo-authored-by: X <x@example.com>",
            ],
            id="bodies-and-trailers",
        ),
        pytest.param(
            "T\r\n\r\n* feat: a\r\n\r\n* fix: b\r\n",
            ["T\n", "feat: a", "fix: b"],
            id="crlf",
        ),
        pytest.param(
            "* feat: first line\n* fix: b",
            ["* feat: first line", "fix: b"],
            id="bullet-on-the-first-line-is-the-header",
        ),
        pytest.param(
            "Add things (#3)\n\n* FEAT(x)!: a\n*  fix: not a bullet (two spaces)\n  * fix: nested",
            [
                "Add things (#3)\n",
                "FEAT(x)!: a\n*  fix: not a bullet (two spaces)\n  * fix: nested",
            ],
            id="only-top-level-single-space-bullets",
        ),
    ],
)
def test_split_squash(message: str, pieces: list[str]) -> None:
    assert split_squash(message) == pieces


def test_squash_bullets_are_the_lines_split_squash_splits_at() -> None:
    lines = ["", "feat: t", "* feat: a", "", "*  fix: no", "* fix(x)!: b", "* BREAKING CHANGE: c"]
    assert squash_bullets(lines, header=1) == [2, 5]
    assert squash_bullets(["* feat: the header", "* fix: b"]) == [1]


def test_squash_pieces_parse() -> None:
    pieces = split_squash(
        "Add x (#12)\n\n"
        "* feat: a\n\n  body of a\n\n"
        "* fix(api): b\n\nBREAKING CHANGE: y\n\n"
        "Co-authored-by: X <x@example.com>"
    )
    results = [parsed(p) for p in pieces[1:]]
    assert isinstance(parse_commit(pieces[0]), ParseFailure)  # the title: no type
    assert [(r.type, r.scope, r.breaking) for r in results] == [
        ("feat", None, False),
        ("fix", "api", True),
    ]
    assert results[0].body == "body of a"
    assert results[1].footers == (
        Footer("BREAKING CHANGE", "y"),
        Footer("Co-authored-by", "X <x@example.com>"),
    )


def test_missing_colon_after_a_scope() -> None:
    assert failure("feat(api) add x").reason == "missing ':' after the scope"


def test_empty_git_revert_subject_is_not_conventional() -> None:
    # Found by hypothesis: `Revert ""` names nothing to revert.
    assert failure('Revert ""').reason == "no type prefix: expected 'type(scope): description'"


TYPES = frozenset({"feat", "fix", "chore", "docs"})


@pytest.mark.parametrize(
    ("message", "pieces"),
    [
        # Wallos's squash messages: the title, then its commits as change lines.
        (
            "feat: add export (#912)\n\nfeat: add export (#911)\nfix: quote names (#909)",
            ["feat: add export (#912)", "fix: quote names (#909)"],
        ),
        # release-please's documented form: changes at the bottom, their footers indented.
        (
            "feat: adds v4 UUID\n\nThis adds support.\n\n"
            "fix(utils): unicode no longer throws\n  PiperOrigin-RevId: 1\n"
            "  BREAKING-CHANGE: encode no longer throws.\n\n"
            "feat(utils): update encode\n  Source-Link: x",
            [
                "feat: adds v4 UUID\n\nThis adds support.",
                "fix(utils): unicode no longer throws\nPiperOrigin-RevId: 1\n"
                "BREAKING-CHANGE: encode no longer throws.",
                "feat(utils): update encode\nSource-Link: x",
            ],
        ),
        # Trailers are not changes; a change line inside the body's prose is prose.
        (
            "feat: x\n\nbody\n\nCo-authored-by: A <a@b>",
            ["feat: x\n\nbody\n\nCo-authored-by: A <a@b>"],
        ),
        (
            "feat: x\n\nfix: y is what this does,\nin a sentence.",
            ["feat: x\n\nfix: y is what this does,\nin a sentence."],
        ),
        # A header that is not conventional: nothing to add changes to.
        ("Update things\n\nfeat: a", ["Update things\n\nfeat: a"]),
    ],
)
def test_split_changes(message: str, pieces: list[str]) -> None:
    assert split_changes(message, TYPES) == pieces


def test_a_commit_override_replaces_the_message() -> None:
    body = "Update deps (#7)\n\nBEGIN_COMMIT_OVERRIDE\nfeat: a\nfix: b\nEND_COMMIT_OVERRIDE\n"
    assert commit_override(body) == "feat: a\nfix: b"
    assert commit_override("fix: x") == "fix: x"
    assert split_changes(commit_override(body), TYPES) == ["feat: a", "fix: b"]
