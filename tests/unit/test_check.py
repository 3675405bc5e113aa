"""bot check's rules: every rule with its exact message, the parser's verdict kept, the [check]
table, git's comment stripping, ranges (merges and release commits skipped), the reports."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from versionbot.cli.report import check_summary, check_to_json, check_to_text, plan_summary
from versionbot.core.check import (
    ERROR,
    SQUASH_SHA,
    WARNING,
    CommitCheck,
    Finding,
    check_commits,
    check_edit_message,
    check_message,
    squash_merged,
    strip_comments,
)
from versionbot.core.commits import BREAKING_TOKENS, Commit, ParsedCommit, parse_commit
from versionbot.core.config import DEFAULT_TYPES, CheckRules
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.history import Baseline, History, RepositoryState
from versionbot.core.plan import make_plan

RULES = CheckRules()
ALLOWED = "allowed types: feat, fix, perf, refactor, docs, style, test, build, ci, chore, revert"
HOW = "start the last paragraph with 'BREAKING CHANGE: <what breaks>'"
NOT_BREAKING = (
    f"the release will NOT treat this commit as breaking; {HOW}, or put '!' before the header's "
    "':' (feat(api)!: ...)"
)
NO_TEXT = f"the release notes will not show its text; {HOW}"

# message -> every finding, exactly: (line, column, rule, severity, message, suggestion)
CASES: list[tuple[str, list[tuple[int, int, str, str, str, str | None]]]] = [
    ("feat(api): add paging", []),
    ("fix: handle empty pages\n\nBody.\n\nRefs: #12", []),
    ('Revert "feat: add paging"\n\nThis reverts commit 1234567.', []),
    ("feat!: drop v1\n\nBREAKING CHANGE: v1 is gone", []),
    ("", [(1, 1, "empty-message", ERROR, "empty message", None)]),
    (
        "Feat: add paging",
        [
            (
                1,
                1,
                "type-case",
                WARNING,
                "type 'Feat' should be lower case; the release reads it as 'feat'",
                "feat: add paging",
            )
        ],
    ),
    (
        "feat:add paging",
        [(1, 6, "space-after-colon", ERROR, "missing space after ':'", "feat: add paging")],
    ),
    (
        "feat : add paging",
        [(1, 5, "space-before-colon", ERROR, "space before ':'", "feat: add paging")],
    ),
    (
        "feat!(api): drop v1",
        [
            (
                1,
                5,
                "bang-position",
                ERROR,
                "'!' must follow the scope: 'type(scope)!: description'",
                "feat(api)!: drop v1",
            )
        ],
    ),
    (
        "feat (api) add paging",
        [
            (
                1,
                5,
                "space-before-scope",
                ERROR,
                "space between the type and the scope",
                "feat(api): add paging",
            )
        ],
    ),
    (
        "feat(api) add paging",
        [
            (
                1,
                10,
                "colon-after-scope",
                ERROR,
                "missing ':' after the scope",
                "feat(api): add paging",
            )
        ],
    ),
    (
        "feat(api: add paging",
        [(1, 5, "scope-parentheses", ERROR, "unbalanced parentheses in the scope", None)],
    ),
    (
        "feat(): add paging",
        [
            (
                1,
                5,
                "empty-scope",
                ERROR,
                "empty scope '()': name a scope or drop the parentheses",
                "feat: add paging",
            )
        ],
    ),
    ("feat: ", [(1, 7, "empty-description", ERROR, "empty description after 'type: '", None)]),
    (
        "Fix typo in the README",
        [
            (
                1,
                1,
                "no-type",
                ERROR,
                "no type prefix: expected 'type(scope): description'",
                "fix: typo in the README",
            )
        ],
    ),
    (
        "Update the README",
        [(1, 1, "no-type", ERROR, "no type prefix: expected 'type(scope): description'", None)],
    ),
    (
        "feature: add paging",
        [
            (
                1,
                1,
                "type-enum",
                ERROR,
                f"type 'feature' is not allowed; {ALLOWED}",
                "feat: add paging",
            )
        ],
    ),
    (
        "feet: add paging",
        [(1, 1, "type-enum", ERROR, f"type 'feet' is not allowed; {ALLOWED}", "feat: add paging")],
    ),
    ("wip: things", [(1, 1, "type-enum", ERROR, f"type 'wip' is not allowed; {ALLOWED}", None)]),
    (
        "fix: handle empty pages.",
        [
            (
                1,
                24,
                "subject-period",
                ERROR,
                "the subject ends with a period",
                "fix: handle empty pages",
            )
        ],
    ),
    ("fix: and so on...", []),
    (
        "fix: " + "x" * 100,
        [
            (
                1,
                101,
                "subject-max-length",
                ERROR,
                "the subject is 105 characters long; at most 100 are allowed",
                None,
            )
        ],
    ),
    (
        "fix: handle empty pages\nwhich crashed",
        [
            (
                2,
                1,
                "body-leading-blank",
                WARNING,
                "no blank line after the subject: git shows this line as part of the subject",
                None,
            )
        ],
    ),
    (
        "feat: drop v1\n\nbreaking change: v1 is gone",
        [
            (
                3,
                1,
                "breaking-change-token",
                WARNING,
                "'breaking change:' is not a breaking-change footer (the token must be upper "
                f"case): {NOT_BREAKING}",
                "BREAKING CHANGE: v1 is gone",
            )
        ],
    ),
    (
        "feat!: drop v1\n\nBREAKING CHANGES: v1 is gone",
        [
            (
                3,
                1,
                "breaking-change-token",
                WARNING,
                "'BREAKING CHANGES:' is not a breaking-change footer (CHANGE is singular): "
                f"{NO_TEXT}",
                "BREAKING CHANGE: v1 is gone",
            )
        ],
    ),
    (
        "feat: drop v1\n\nThe old API\nBREAKING CHANGE: v1 is gone",
        [
            (
                4,
                1,
                "breaking-change-position",
                ERROR,
                "'BREAKING CHANGE:' inside a paragraph is body text, not a footer (put a blank "
                f"line before it): {NOT_BREAKING}",
                None,
            )
        ],
    ),
    (
        "v9 (#639)\n\nBREAKING CHANGE: v1 is gone",
        [
            (1, 1, "no-type", ERROR, "no type prefix: expected 'type(scope): description'", None),
            (
                3,
                1,
                "breaking-change-ignored",
                ERROR,
                "'BREAKING CHANGE:' is ignored: the header is not a Conventional Commits header, "
                "so the release counts nothing from this commit",
                None,
            ),
        ],
    ),
    (
        "feat: x\n\nRelease-As: next",
        [
            (
                3,
                13,
                "release-as",
                ERROR,
                "Release-As 'next' is not a version X.Y.Z (numbers of at most 64 digits): the "
                "release would stop on this commit",
                None,
            )
        ],
    ),
    ("feat: x\n\nRelease-As: v2.0.0", []),
    (
        "feat: x\n\nRelease-As: " + "9" * 5000 + ".0.0",
        [
            (
                3,
                13,
                "release-as",
                ERROR,
                f"Release-As '{'9' * 40}…' is not a version X.Y.Z (numbers of at most 64 digits): "
                "the release would stop on this commit",
                None,
            )
        ],
    ),
    (
        "fixup! feat: add paging",
        [
            (
                1,
                1,
                "fixup",
                ERROR,
                "'fixup!' commit: squash it into the commit it changes before merging "
                "(git rebase -i --autosquash)",
                None,
            )
        ],
    ),
    (
        "feature(api):add paging.",
        [
            (
                1,
                1,
                "type-enum",
                ERROR,
                f"type 'feature' is not allowed; {ALLOWED}",
                "feat(api): add paging.",
            ),
            (
                1,
                14,
                "space-after-colon",
                ERROR,
                "missing space after ':'",
                "feature(api): add paging.",
            ),
            (
                1,
                24,
                "subject-period",
                ERROR,
                "the subject ends with a period",
                "feature(api): add paging",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("message", "expected"), CASES, ids=[m[:30] or "empty" for m, _ in CASES])
def test_each_rule_with_its_exact_message(
    message: str, expected: list[tuple[int, int, str, str, str, str | None]]
) -> None:
    found = [
        (f.line, f.column, f.rule, f.severity, f.message, f.suggestion)
        for f in check_message(message, RULES)
    ]
    assert found == expected


def test_every_suggestion_parses() -> None:
    for message, expected in CASES:
        for *_, suggestion in expected:
            if suggestion is not None and not suggestion.startswith("BREAKING"):
                assert parse_commit(suggestion).conventional, (message, suggestion)


def test_scopes_when_configured() -> None:
    rules = CheckRules(scopes=("api", "cli"))
    assert check_message("feat(API): x", rules) == []
    assert check_message("feat: no scope is fine", rules) == []
    assert check_message("feat(apj): x", rules) == [
        Finding(
            1,
            6,
            "scope-enum",
            "scope 'apj' is not allowed; allowed scopes: api, cli",
            "feat(api): x",
        )
    ]
    [finding] = check_message("feat(docs): x", rules)
    assert finding.suggestion is None


def test_configured_types_length_and_period() -> None:
    rules = CheckRules(types=("feat", "fix", "deps"), max_subject_length=20, subject_period=True)
    assert check_message("deps: bump jinja.", rules) == []
    [finding] = check_message("chore: tidy", rules)
    assert finding.message == "type 'chore' is not allowed; allowed types: feat, fix, deps"
    [finding] = check_message("fix: a much longer subject", rules)
    assert (finding.column, finding.rule) == (21, "subject-max-length")


def test_fixup_squash_and_amend_may_be_allowed() -> None:
    for word in ("fixup", "squash", "amend"):
        [finding] = check_message(f"{word}! feat: x", RULES)
        assert finding.message.startswith(f"'{word}!' commit: ")
        assert check_message(f"{word}! feat: x", CheckRules(allow_fixup=True)) == []


def test_a_git_revert_is_not_held_to_the_type_case() -> None:
    rules = CheckRules(types=("feat", "fix"))
    [finding] = check_message('Revert "feat: x"\n\nThis reverts commit 1234567.', rules)
    assert finding.rule == "type-enum"
    assert finding.suggestion is None


def test_leading_blank_lines_and_indentation_keep_positions() -> None:
    [finding] = check_message("\n\n  feat:x", RULES)
    assert (finding.line, finding.column) == (3, 8)


# -- the parser's verdict is the lint's verdict ------------------------------------------------

_PARSER_RULES = {
    "empty-message",
    "empty-description",
    "space-after-colon",
    "space-before-colon",
    "bang-position",
    "space-before-scope",
    "colon-after-scope",
    "scope-parentheses",
    "empty-scope",
    "no-type",
}
_HEADERS = st.sampled_from(
    ["feat", "Fix", "feat(api)", "feat!", "x(y)!", "feat ", "feat(", "Revert ", "fixup! feat"]
)


@given(
    st.builds(
        lambda head, sep, text: head + sep + text,
        _HEADERS,
        st.sampled_from([": ", ":", " : ", " ", "", ":  "]),
        st.text(st.characters(codec="utf-8"), max_size=40),
    )
)
def test_the_parser_decides_conventional_or_not(message: str) -> None:
    rules = CheckRules(types=(), max_subject_length=10_000, subject_period=True, allow_fixup=False)
    parsed = parse_commit(message)
    findings = check_message(message, rules)
    parser_findings = [f for f in findings if f.rule in _PARSER_RULES]
    if message.lstrip().startswith("fixup! "):
        assert [f.rule for f in findings] == ["fixup"]
    elif isinstance(parsed, ParsedCommit):
        assert parser_findings == []
    else:
        assert [f.message for f in parser_findings] == [parsed.reason]


@given(st.text(max_size=200))
def test_check_message_never_raises(message: str) -> None:
    for finding in check_message(message, RULES):
        assert finding.line >= 1
        assert finding.column >= 1
        assert finding.severity in (ERROR, WARNING)


# -- git's comment stripping (COMMIT_EDITMSG) ------------------------------------------------


def test_strip_comments_like_git() -> None:
    text = (
        "\n"
        "feat: add paging   \n"
        "# Please enter the commit message for your changes.\n"
        "\n"
        "\n"
        "Body line\n"
        "#\n"
        "# ------------------------ >8 ------------------------\n"
        "diff --git a/x b/x\n"
        "Feat:oops\n"
    )
    assert strip_comments(text) == ("feat: add paging\n\nBody line", (2, 4, 6))
    assert strip_comments("; note\nfeat: x", comment_char=";") == ("feat: x", (2,))


def test_edit_message_findings_use_the_file_s_line_numbers() -> None:
    text = "# a comment first\nfeat: x\n# and one between\nBody right below\n"
    assert [(f.line, f.rule) for f in check_edit_message(text, RULES)] == [
        (4, "body-leading-blank")
    ]
    assert [(f.line, f.rule) for f in check_edit_message("# only comments\n", RULES)] == [
        (1, "empty-message")
    ]


# -- ranges -----------------------------------------------------------------------------------


def test_ranges_skip_merges_and_release_commits() -> None:
    commits = [
        Commit("c" * 40, ("b" * 40,), "chore(release): 1.4.0\n\nVersionbot-Release: 1.4.0"),
        Commit("m" * 40, ("a" * 40, "b" * 40), "Merge branch 'topic'"),
        Commit("b" * 40, ("a" * 40,), "Feat: x"),
        Commit("a" * 40, (), "feat: y"),
    ]
    checked = check_commits(commits, RULES, {"c" * 40})
    assert [(c.sha[0] if c.sha else "", c.skipped, len(c.findings)) for c in checked] == [
        ("c", "release commit", 0),
        ("m", "merge commit", 0),
        ("b", None, 1),
        ("a", None, 0),
    ]
    assert (checked[2].errors, checked[2].warnings) == (0, 1)


def test_release_trailers_on_a_commit_the_bot_did_not_make_are_an_error() -> None:
    from versionbot.release.transaction import release_message

    for names in (["1.4.0"], ["api-v1.4.0", "web-v0.2.0"]):
        message = release_message("chore(release): {version} [skip ci]", names)
        commit = Commit("c" * 40, ("b" * 40,), message)
        [made] = check_commits([commit], RULES, {commit.sha})
        assert made.skipped == "release commit"
        [forged] = check_commits([commit], RULES)
        assert forged.skipped is None
        [finding] = forged.findings
        assert (finding.line, finding.rule, finding.severity) == (
            2 + len(names),
            "release-trailer",
            "error",
        )
        assert "counts the commit as an ordinary one" in finding.message
    quoted = "fix: x\n\nquoted:\nVersionbot-Release: 1.4.0\nin prose"
    assert check_commits([Commit("d" * 40, (), quoted)], RULES)[0].findings == ()


# -- the [check] table --------------------------------------------------------------------------

SOURCE = "pyproject.toml [tool.versionbot]"


def test_check_table_defaults_and_types_named_elsewhere() -> None:
    assert config_from_mapping({}).check == CheckRules()
    assert CheckRules().types == DEFAULT_TYPES
    config = config_from_mapping(
        {"bump": {"deps": "patch", "sec(api)": "minor"}, "changelog": {"sections": {"Ops": "Ops"}}}
    )
    assert config.check.types == (*DEFAULT_TYPES, "deps", "sec", "ops")


def test_check_table_every_key() -> None:
    config = config_from_mapping(
        {
            "check": {
                "types": ["Feat", "fix"],
                "scopes": ["api"],
                "max_subject_length": 72,
                "subject_period": True,
                "allow_fixup": True,
            }
        },
        SOURCE,
    )
    assert config.check == CheckRules(("feat", "fix"), ("api",), 72, True, True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"typo": 1}, "unknown key 'check.typo' in pyproject.toml [tool.versionbot]"),
        (
            {"types": "feat"},
            "check.types in pyproject.toml [tool.versionbot] must be a list of strings",
        ),
        ({"types": []}, "check.types in pyproject.toml [tool.versionbot] is empty"),
        (
            {"types": ["fe at"]},
            "check.types in pyproject.toml [tool.versionbot]: 'fe at' is not a commit type",
        ),
        (
            {"scopes": ["a(b)"]},
            "check.scopes in pyproject.toml [tool.versionbot] must not hold parentheses or line "
            "breaks",
        ),
        (
            {"max_subject_length": 5},
            "check.max_subject_length in pyproject.toml [tool.versionbot] must be a whole number "
            "of at least 10, not 5",
        ),
        (
            {"subject_period": "no"},
            "subject_period in pyproject.toml [tool.versionbot] [check] must be true or false, "
            "not 'no'",
        ),
    ],
)
def test_check_table_errors_name_the_key_and_the_file(table: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"check": table}, SOURCE)
    assert caught.value.message == message
    assert caught.value.hint


def test_check_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="check in <mapping> must be a table"):
        config_from_mapping({"check": ["feat"]})


# -- reports ----------------------------------------------------------------------------------


def _checks() -> list[CommitCheck]:
    return check_commits(
        [
            Commit("1" * 40, ("0" * 40,), "feat:add paging\x1b[31m"),
            Commit("2" * 40, ("0" * 40,), "Feat: x"),
            Commit("3" * 40, ("0" * 40, "4" * 40), "Merge branch 'x'"),
            Commit("5" * 40, ("0" * 40,), "fix: fine"),
        ],
        RULES,
    )


def test_text_report_groups_per_commit() -> None:
    assert check_to_text(_checks(), "since v1.3.0") == (
        "1111111 feat:add paging\ufffd[31m\n"
        "  1:6    error    space-after-colon  missing space after ':'  "
        "(did you mean: feat: add paging\ufffd[31m)\n"
        "\n"
        "2222222 Feat: x\n"
        "  1:1    warning  type-case  type 'Feat' should be lower case; the release reads it as "
        "'feat'  (did you mean: feat: x)\n"
        "\n"
        "Checked 3 commits since v1.3.0 (1 merge or release commit skipped): 1 error, 1 warning "
        "in 2 commits.\n"
    )
    clean = check_commits([Commit("5" * 40, (), "fix: fine")], RULES)
    assert check_to_text(clean, "in a..b") == "Checked 1 commit in a..b: no problems.\n"


def test_text_report_of_a_message_is_quiet_when_clean() -> None:
    assert check_to_text([CommitCheck(None, "fix: x", ())], "COMMIT_EDITMSG") == ""
    checks = [CommitCheck(None, "Feat: x", tuple(check_message("Feat: x", RULES)))]
    assert check_to_text(checks, "COMMIT_EDITMSG").splitlines()[0] == "COMMIT_EDITMSG Feat: x"
    assert check_to_text(checks, "COMMIT_EDITMSG").endswith("\n1 warning.\n")


def test_text_report_colours_only_when_asked() -> None:
    assert "\x1b[" not in check_to_text(_checks(), "x")
    coloured = check_to_text(_checks(), "x", color=True)
    assert "\x1b[31merror  \x1b[0m" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured


def test_json_report() -> None:
    document = json.loads(check_to_json(_checks(), "range", "origin/main..HEAD"))
    assert document["schema"] == 1
    assert (document["input"], document["range"], document["ok"]) == (
        "range",
        "origin/main..HEAD",
        False,
    )
    assert (document["errors"], document["warnings"]) == (1, 1)
    assert document["commits"][2] == {
        "sha": "3" * 40,
        "subject": "Merge branch 'x'",
        "skipped": "merge commit",
        "findings": [],
    }
    assert document["commits"][0]["findings"] == [
        {
            "line": 1,
            "column": 6,
            "rule": "space-after-colon",
            "severity": "error",
            "message": "missing space after ':'",
            "suggestion": "feat: add paging\x1b[31m",
        }
    ]


def test_markdown_summary_escapes_commit_text() -> None:
    checks = [CommitCheck("a" * 40, "feat:x | <b>", tuple(check_message("feat:x | <b>", RULES)))]
    summary = check_summary(checks)
    assert summary.splitlines()[0] == "### Commit messages: 1 error (1 message checked)"
    assert "| aaaaaaa feat:x \\| \\<b\\> | 1:6 | error | space-after-colon |" in summary
    assert check_summary(check_commits([Commit("b" * 40, (), "fix: x")], RULES)) == (
        "### Commit messages: no problems (1 message checked)\n"
    )


# -- the pull-request preview -----------------------------------------------------------------


def _history(*messages: str) -> History:
    commits = [Commit(f"{i:040x}", (f"{i + 1:040x}",), m) for i, m in enumerate(messages)]
    state = RepositoryState("/repo", "0" * 39 + "9", "topic")
    return History(state, Baseline(None, None, None, (), ()), commits)


def test_squash_merged_replaces_the_pull_request_s_commits() -> None:
    history = _history("fix: one", "feat: two", "docs: three")
    pr = [f"{0:040x}", f"{1:040x}"]
    squashed = squash_merged(history, "fix: the pull request", pr)
    assert [(c.sha, c.message) for c in squashed.commits] == [
        (SQUASH_SHA, "fix: the pull request"),
        (f"{2:040x}", "docs: three"),
    ]
    whole = squash_merged(history, "docs: only", None)
    assert [c.message for c in whole.commits] == ["docs: only"]


def test_plan_summary_says_what_merging_releases() -> None:
    history = squash_merged(_history("fix: one"), "feat(api): add paging", None)
    plan = make_plan(history, config_from_mapping({}))
    assert plan_summary(plan, None, pull_request=True) == (
        "### Merging this releases 0.1.0 (minor: feat(api): add paging)\n"
        "\n"
        "- tag: v0.1.0\n"
        "- why: 1 releasable commit(s); the highest asks for minor\n"
    )
    assert plan_summary(plan, "## 0.1.0\n", pull_request=False).startswith(
        "### The next release is 0.1.0 (minor: feat(api): add paging)\n"
    )
    assert "<details><summary>Release notes</summary>\n\n## 0.1.0\n\n</details>" in (
        plan_summary(plan, "## 0.1.0\n", pull_request=True)
    )
    nothing = make_plan(squash_merged(_history(), "docs: typo", None), config_from_mapping({}))
    assert plan_summary(nothing, None, pull_request=True) == (
        "### Merging this releases nothing: no releasable commits in the history "
        "(1 commit(s), none asks for a release)\n"
    )
    assert plan_summary(nothing, None, pull_request=False).startswith("### No release is due: ")


# -- breaking changes the release does not read ------------------------------------------------

LIST_ITEM = "'BREAKING CHANGE' in a list item is body text, not a footer"


# message -> (line, column, rule, severity, the message's start, suggestion): each form the
# release does not read as breaking, flagged where it is, with a fix the release reads.
FORMS: list[tuple[str, tuple[int, int, str, str, str]]] = [
    (
        "feat: x\n\nBREAKING CHANGE - the API changed",
        (3, 1, "breaking-change-form", ERROR, "'BREAKING CHANGE' without ':'"),
    ),
    (
        "feat: x\n\nBREAKING CHANGE\nthe api changed",
        (3, 1, "breaking-change-form", ERROR, "'BREAKING CHANGE' without ':'"),
    ),
    ("fix: x\n\n* BREAKING CHANGE: gone", (3, 3, "breaking-change-form", ERROR, LIST_ITEM)),
    (
        "fix: x\n\n- BREAKING CHANGES: gone",
        (3, 3, "breaking-change-form", ERROR, "'BREAKING CHANGES' in a list item"),
    ),
    (
        "fix: x\n\nSome text.\n\n*  BREAKING CHANGE: two spaces\n*  fix: other",
        (5, 4, "breaking-change-form", ERROR, LIST_ITEM),
    ),
    (
        "feat: x\n\n### BREAKING CHANGES\n\nthe api",
        (3, 5, "breaking-change-form", ERROR, "'BREAKING CHANGES' as a heading"),
    ),
    (
        "feat: x\n\n  BREAKING CHANGE: indented",
        (3, 3, "breaking-change-form", ERROR, "'BREAKING CHANGE' indented"),
    ),
    (
        "feat: x\n\nbreaking change: y",
        (3, 1, "breaking-change-token", WARNING, "'breaking change:' is not a breaking-"),
    ),
    (
        "feat: x\n\nBREAKING CHANGES: y",
        (3, 1, "breaking-change-token", ERROR, "'BREAKING CHANGES:' is not a breaking-"),
    ),
    (
        "feat: x\n\nBREAKING CHANGE:y",
        (3, 1, "breaking-change-token", ERROR, "'BREAKING CHANGE:' is not a breaking-"),
    ),
    (
        "feat: x\n\nText.\nBREAKING CHANGE: y",
        (4, 1, "breaking-change-position", ERROR, "'BREAKING CHANGE:' inside a paragraph"),
    ),
    # Breaking anyway ('!'): only the note's text is lost, a warning.
    ("feat!: x\n\n* BREAKING CHANGE: y", (3, 3, "breaking-change-form", WARNING, LIST_ITEM)),
]


@pytest.mark.parametrize(("message", "expected"), FORMS, ids=[m[:40] for m, _ in FORMS])
def test_breaking_changes_the_release_does_not_read_are_flagged_where_they_are(
    message: str, expected: tuple[int, int, str, str, str]
) -> None:
    line, column, rule, severity, start = expected
    parsed = parse_commit(message)
    assert isinstance(parsed, ParsedCommit)
    assert not any(f.token in BREAKING_TOKENS for f in parsed.footers)  # the release's reading
    [finding] = check_message(message, RULES)
    assert (finding.line, finding.column, finding.rule, finding.severity) == (
        line,
        column,
        rule,
        severity,
    )
    assert finding.message.startswith(start), finding.message
    ending = NO_TEXT if parsed.breaking else NOT_BREAKING
    assert finding.message.endswith(ending), finding.message


@pytest.mark.parametrize(("message", "expected"), FORMS, ids=[m[:40] for m, _ in FORMS])
def test_each_suggestion_is_read_as_a_breaking_change(
    message: str, expected: tuple[int, int, str, str, str]
) -> None:
    """A suggestion is given only where the release would read it, and then it does."""
    [finding] = check_message(message, RULES)
    if finding.suggestion is None:
        return
    lines = message.split("\n")
    lines[finding.line - 1] = finding.suggestion
    fixed = parse_commit("\n".join(lines))
    assert isinstance(fixed, ParsedCommit)
    assert fixed.breaking
    assert any(f.token in BREAKING_TOKENS for f in fixed.footers)
    assert check_message("\n".join(lines), RULES) == []


def test_the_suggestions_of_the_forms() -> None:
    assert [check_message(m, RULES)[0].suggestion for m, _ in FORMS] == [
        "BREAKING CHANGE: the API changed",
        "BREAKING CHANGE:",
        "BREAKING CHANGE: gone",
        "BREAKING CHANGE: gone",
        "BREAKING CHANGE: two spaces",
        "BREAKING CHANGE:",
        "BREAKING CHANGE: indented",
        "BREAKING CHANGE: y",
        "BREAKING CHANGE: y",
        "BREAKING CHANGE: y",
        None,  # inside a paragraph: no line on its own fixes it (the message says what does)
        "BREAKING CHANGE: y",
    ]


@pytest.mark.parametrize(
    "message",
    [
        "feat: x\n\nBREAKING CHANGE: the api",  # the footer itself
        "feat: x\n\nBREAKING-CHANGE: the api",  # its other spelling (rule 16)
        "feat: x\n\nBREAKING CHANGE:\nthe api, on the lines below",
        "feat: x\n\nRefs: #1\nBREAKING CHANGE: in the footers, after another",
        "feat: x\n\nBREAKING CHANGE: a\n\nmore of a\nBREAKING CHANGE: b",  # all footers
        "feat: x\nBREAKING CHANGE: no blank line",  # read (only body-leading-blank warns)
        "feat: x\n\nBreaking changes are listed in the docs",  # prose
        "feat: x\n\nSee the BREAKING_CHANGES_GUIDE file",  # not at the line start
        "feat: x\n\nThis is not a BREAKING CHANGE.",
    ],
)
def test_what_is_read_or_is_prose_is_not_flagged(message: str) -> None:
    assert [f for f in check_message(message, RULES) if f.rule.startswith("breaking")] == []


# A GitHub squash body: with squash_commits each `* type: ...` bullet is a commit of its own.
SQUASH_BODY = (
    "Bundle (#7)\n\n"
    "* feat(api)!: drop v1\n\n"
    "* fix(api): names\n"
    "BREAKING CHANGE: names are sorted\n\n"
    "* refactor: paths\n\n"
    "  BREAKING CHANGE: paths are absolute\n\n"
    "* docs: readme\n\n"
    "* BREAKING CHANGE: a list item all the same"
)


def test_squash_bullets_are_commits_and_read_as_the_release_reads_them() -> None:
    """`* feat(api)!: x` is a breaking commit, not a list item; a footer right below a bullet's
    header, or indented under it, is that commit's own (split_squash dedents it)."""
    found = check_message(SQUASH_BODY, RULES, squash=True)
    assert [f.rule for f in found] == ["no-type", "breaking-change-form"]  # the title, the item
    finding = found[1]
    assert (finding.line, finding.column, finding.rule, finding.severity) == (
        14,
        3,
        "breaking-change-form",
        ERROR,
    )
    plan = make_plan(_history(SQUASH_BODY), config_from_mapping({}, "t"))
    assert [(p.parsed.header, p.parsed.breaking) for p in plan.commits if p.parsed] == [
        ("feat(api)!: drop v1", True),
        ("fix(api): names", True),
        ("refactor: paths", True),
        ("docs: readme", False),
    ]


def test_under_a_conventional_title_the_bullets_are_body_text() -> None:
    """As the release reads it (split_squash): the title is the change; a breaking bullet below
    it is a list item the release does not count, and the check says so."""
    message = SQUASH_BODY.replace("Bundle (#7)", "feat: bundle (#7)")
    found = [(f.line, f.rule) for f in check_message(message, RULES, squash=True)]
    assert (3, "breaking-change-form") not in found  # `* feat(api)!:` is no footer form
    assert (14, "breaking-change-form") in found


def test_without_squash_commits_a_squash_body_is_one_message() -> None:
    message = SQUASH_BODY.replace("Bundle (#7)", "feat: bundle (#7)")
    found = [(f.line, f.rule) for f in check_message(message, RULES, squash=False)]
    assert found == [
        (6, "breaking-change-position"),
        (10, "breaking-change-form"),
        (14, "breaking-change-form"),
    ]


def test_a_bullet_the_release_reads_as_a_commit_of_type_breaking_change() -> None:
    message = "feat: bundle\n\n* BREAKING-CHANGE: v1 is gone"
    [finding] = check_message(message, RULES, squash=True)
    assert (finding.rule, finding.severity, finding.suggestion) == (
        "breaking-change-form",
        ERROR,
        "BREAKING CHANGE: v1 is gone",
    )


def test_a_squash_bullet_under_a_header_that_is_not_conventional_still_counts() -> None:
    message = "Bundle things (#5)\n\n* feat(api): drop v1\n\nBREAKING CHANGE: v1 is gone"
    rules = [f.rule for f in check_message(message, RULES, squash=True)]
    assert rules == ["no-type"]  # the bullet's footer is read: not 'breaking-change-ignored'
    rules = [f.rule for f in check_message(message, RULES, squash=False)]
    assert rules == ["no-type", "breaking-change-ignored"]


def test_ranges_and_message_files_pass_squash_commits() -> None:
    commit = Commit("d" * 40, ("e" * 40,), "Bundle\n\n* fix(api): b\nBREAKING CHANGE: c")
    [squashed] = check_commits([commit], RULES, squash=True)
    [whole] = check_commits([commit], RULES)
    assert ([f.rule for f in squashed.findings], [f.rule for f in whole.findings]) == (
        ["no-type"],
        ["no-type", "breaking-change-ignored"],
    )
    edited = check_edit_message(commit.message + "\n# comment\n", RULES, squash=True)
    assert [f.rule for f in edited] == ["no-type"]


NO_TYPE = "no type prefix: expected 'type(scope): description'"

# -- every header message names the problem the header has --------------------------------------

# header -> (rule, exact message, column, suggestion): the audit of each message the header
# checks can give, against a header that has exactly that problem.
HEADERS: list[tuple[str, tuple[str, str, int, str | None]]] = [
    ("", ("empty-message", "empty message", 1, None)),
    ("feat:", ("empty-description", "empty description after 'type: '", 7, None)),
    ("feat:x", ("space-after-colon", "missing space after ':'", 6, "feat: x")),
    ("feat : x", ("space-before-colon", "space before ':'", 5, "feat: x")),
    (
        "feat!(api): x",
        (
            "bang-position",
            "'!' must follow the scope: 'type(scope)!: description'",
            5,
            "feat(api)!: x",
        ),
    ),
    ("feat (api): x", ("space-before-scope", "space between the type and the scope", 5, None)),
    ("feat !: x", ("space-before-bang", "space before '!'", 5, "feat!: x")),
    ("feat(api) !: x", ("space-before-bang", "space before '!'", 10, "feat(api)!: x")),
    ("feat(api) x", ("colon-after-scope", "missing ':' after the scope", 10, "feat(api): x")),
    (
        "feat(api)x: y",
        ("colon-after-scope", "the scope must be followed by ': ' or '!: '", 10, None),
    ),
    ("feat(api)!", ("colon-after-scope", "the scope must be followed by ': ' or '!: '", 11, None)),
    (
        "feat(a)(b): x",
        ("scope-parentheses", "more than one scope: a header has one '(scope)'", 8, None),
    ),
    ("feat(api(v2)): x", ("scope-parentheses", "parentheses inside the scope", 5, None)),
    ("feat((api)): x", ("scope-parentheses", "parentheses inside the scope", 5, None)),
    ("feat(api(v2): x", ("scope-parentheses", "unbalanced parentheses in the scope", 5, None)),
    ("feat(a)): x", ("scope-parentheses", "unbalanced parentheses in the scope", 5, None)),
    (
        "feat(): x",
        ("empty-scope", "empty scope '()': name a scope or drop the parentheses", 5, "feat: x"),
    ),
    (
        "feat add paging",
        (
            "colon-after-type",
            "missing ':' after the type 'feat': expected 'type(scope): description'",
            5,
            "feat: add paging",
        ),
    ),
    (
        "Update the README",
        ("no-type", "no type prefix: expected 'type(scope): description'", 1, None),
    ),
    ("v9 (#639)", ("no-type", "no type prefix: expected 'type(scope): description'", 1, None)),
]


@pytest.mark.parametrize(("header", "expected"), HEADERS, ids=[h or "empty" for h, _ in HEADERS])
def test_each_header_message_names_the_problem(
    header: str, expected: tuple[str, str, int, str | None]
) -> None:
    rule, message, column, suggestion = expected
    [finding] = check_message(header, RULES)
    assert (finding.rule, finding.message, finding.column) == (rule, message, column)
    if suggestion is not None:
        assert finding.suggestion == suggestion
        assert check_message(suggestion, RULES) == []


def test_every_parser_reason_is_audited() -> None:
    """A new reason in commits._HEADER_PROBLEMS needs a line in HEADERS."""
    from versionbot.core.commits import _HEADER_PROBLEMS

    audited = {expected[1] for _, expected in HEADERS}
    assert {reason for _, reason in _HEADER_PROBLEMS} <= audited


def test_a_peer_release_subject_does_not_hide_forged_release_trailers() -> None:
    """A commit another tool's release subject and the bot's trailers both mark, that the git
    edge believed as the peer's but not as the bot's: its trailers are still reported."""
    message = "bump: version 1.0.0 → 1.1.0\n\nVersionbot-Release: 1.1.0\n"
    commit = Commit("c" * 40, ("b" * 40,), message)
    plain = Commit("d" * 40, ("b" * 40,), "bump: version 1.1.0 → 1.2.0\n")
    peers = {commit.sha: "commitizen", plain.sha: "commitizen"}

    marked, skipped = check_commits([commit, plain], RULES, (), False, peers)

    assert marked.skipped is None
    assert "release-trailer" in [f.rule for f in marked.findings]
    assert skipped.skipped == "release commit of commitizen"
