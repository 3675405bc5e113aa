"""The installed ``bot`` console script, run as a subprocess against real repositories.

These tests see what a user or a CI job sees: stdout, stderr and the exit code of the script
that ``pip install`` made (``.venv/bin/bot``), with the sealed environment of tests/conftest.py.

Golden file: ``tests/e2e/golden/plan.json`` is the exact ``bot plan --json`` of the repository
built by ``_golden_repo`` (fixed dates, so fixed shas). After an intended change of the JSON
document, regenerate it and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e -k golden
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import versionbot

if TYPE_CHECKING:
    from conftest import CliResult, CliRunner, GitRepo, SealedEnv

GOLDEN = Path(__file__).parent / "golden" / "plan.json"

PLAN_KEYS = {
    "schema",
    "release",
    "bump",
    "reason",
    "previous",
    "next",
    "prerelease",
    "head",
    "branch",
    "decided_by",
    "commits",
    "ignored_tags",
    "changelog",
    "images",
}
# 2026-11-28T12:00:00Z: the release date of the notes, fixed (bot reads SOURCE_DATE_EPOCH).
RELEASE_DAY = {"SOURCE_DATE_EPOCH": "1795867200"}
COMMIT_KEYS = {
    "sha",
    "subject",
    "type",
    "scope",
    "breaking",
    "bump",
    "conventional",
    "skipped_reason",
}


def assert_clean_error(result: CliResult, code: int) -> tuple[str, str]:
    """An error exit: nothing on stdout, exactly ``error:`` then ``hint:``, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    error, hint = lines
    assert error.startswith("error: ")
    assert hint.startswith("hint: ")
    assert len(error) > len("error: ")
    assert len(hint) > len("hint: ")
    return error, hint


def released_repo(repo: GitRepo) -> dict[str, str]:
    """v1.0.0, then a feat, a fix, a docs commit, a non-conventional one and a merge."""
    shas: dict[str, str] = {}
    shas["init"] = repo.commit("chore: init", {"README.md": "# demo\n"})
    repo.tag("v1.0.0", annotated=True)
    repo.checkout("feature", create=True)
    shas["feat"] = repo.commit("feat(api): add export", {"api.txt": "export\n"})
    repo.checkout("main")
    shas["fix"] = repo.commit("fix: handle empty input", {"core.txt": "empty\n"})
    shas["docs"] = repo.commit("docs: explain export", {"README.md": "# demo\nexport\n"})
    shas["wip"] = repo.commit("Update stuff", {"notes.txt": "wip\n"})
    shas["merge"] = repo.merge("feature", message="Merge branch 'feature'")
    return shas


# -- the script itself --------------------------------------------------------------------


def test_version_flag(bot: CliRunner) -> None:
    result = bot("--version")

    assert result.exit_code == 0
    assert result.stdout == f"versionbot {versionbot.__version__}\n"
    assert result.stderr == ""


def test_no_command_prints_usage_and_exits_2(bot: CliRunner) -> None:
    result = bot()

    assert result.exit_code == 2
    assert "usage: bot" in result.stdout
    assert "plan" in result.stdout


def test_plan_help_lists_exit_codes(bot: CliRunner) -> None:
    result = bot("plan", "--help")

    assert result.exit_code == 0
    assert "exit codes: 0 plan made" in result.stdout


# -- bot plan (human) ---------------------------------------------------------------------


def test_plan_human_report(repo: GitRepo, bot: CliRunner) -> None:
    shas = released_repo(repo)
    init, feat, fix, docs, wip, merge = (
        shas[k][:7] for k in ("init", "feat", "fix", "docs", "wip", "merge")
    )

    result = bot("plan", cwd=repo.path, env=RELEASE_DAY)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"Release plan for main at {merge}",
        f"  previous   v1.0.0  (1.0.0 at {init})",
        "  next       v1.1.0  (1.1.0, minor)",
        "  why        2 releasable commit(s); the highest asks for minor",
        f"  decided by {feat} feat(api): add export",
        "",
        "Release notes:",
        "",
        "  ## 1.1.0 (2026-11-28)",
        "",
        "  ### Features",
        "",
        f"  - **api:** add export ({feat})",
        "",
        "  ### Bug fixes",
        "",
        f"  - handle empty input ({fix})",
        "",
        "Commits since v1.0.0: 5 (3 counted, 2 skipped)",
        f"  {merge}  skip   Merge branch 'feature'  (merge commit)",
        f"  {wip}  skip   Update stuff  (not conventional: no type prefix: expected "
        "'type(scope): description')",
        f"  {docs}  none   docs: explain export",
        f"  {fix}  patch  fix: handle empty input",
        f"  {feat}  minor  feat(api): add export",
    ]


def test_plan_human_report_no_release(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    docs = repo.commit("docs: typo")

    result = bot("-C", repo.path, "plan")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2] == "  next       no release"
    assert lines[3] == (
        "  why        no releasable commits since v1.0.0 (1 commit(s), none asks for a release)"
    )
    assert lines[-1] == f"  {docs[:7]}  none   docs: typo"


def test_plan_human_report_hides_terminal_escapes(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first \x1b[31mred\x1b[0m")

    result = bot("-C", repo.path, "plan")

    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "feat: first \ufffd[31mred\ufffd[0m" in result.stdout


# -- bot plan --json ----------------------------------------------------------------------


def test_plan_json_document(repo: GitRepo, bot: CliRunner) -> None:
    shas = released_repo(repo)

    result = bot("-C", repo.path, "plan", "--json", env=RELEASE_DAY)

    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert set(document) == PLAN_KEYS
    assert document["changelog"] == (
        "## 1.1.0 (2026-11-28)\n\n### Features\n\n"
        f"- **api:** add export ({shas['feat'][:7]})\n\n"
        f"### Bug fixes\n\n- handle empty input ({shas['fix'][:7]})\n"
    )
    assert document["schema"] == 1
    assert document["release"] is True
    assert document["bump"] == "minor"
    assert document["previous"] == {
        "version": "1.0.0",
        "tag": "v1.0.0",
        "sha": shas["init"],
        "stands_in_for": None,
    }
    assert document["next"] == {"version": "1.1.0", "tag": "v1.1.0"}
    assert document["prerelease"] is None
    assert document["head"] == shas["merge"]
    assert document["branch"] == "main"
    assert document["decided_by"] == [shas["feat"]]
    assert document["ignored_tags"] == []
    assert all(set(c) == COMMIT_KEYS for c in document["commits"])
    by_sha = {c["sha"]: c for c in document["commits"]}
    assert by_sha[shas["feat"]] == {
        "sha": shas["feat"],
        "subject": "feat(api): add export",
        "type": "feat",
        "scope": "api",
        "breaking": False,
        "bump": "minor",
        "conventional": True,
        "skipped_reason": None,
    }
    assert by_sha[shas["wip"]]["conventional"] is False
    assert by_sha[shas["wip"]]["type"] is None
    assert by_sha[shas["wip"]]["skipped_reason"].startswith("not conventional: ")
    assert by_sha[shas["merge"]]["skipped_reason"] == "merge commit"


def test_no_release_due_exits_0(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("chore: tidy")
    repo.commit("Update the readme")

    result = bot("-C", repo.path, "plan", "--json")

    assert result.exit_code == 0
    document = result.json()
    assert document["release"] is False
    assert document["next"] is None
    assert document["bump"] == "none"
    assert document["changelog"] is None
    assert document["decided_by"] == []
    assert "no releasable commits since v1.0.0" in document["reason"]
    assert len(document["commits"]) == 2


def test_head_on_the_release_tag_exits_0(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")

    result = bot("-C", repo.path, "plan", "--json")

    assert result.exit_code == 0
    document = result.json()
    assert document["release"] is False
    assert document["commits"] == []
    assert document["reason"] == "no commits since v1.0.0"


def test_plan_json_minor_on_zero_makes_a_feature_a_patch(repo: GitRepo, bot: CliRunner) -> None:
    """release-please's bump-patch-for-minor-pre-major as minor_on_zero = false: a feature on
    0.x moves the patch, and the reason names the setting."""
    repo.commit("chore: init", {"versionbot.toml": "minor_on_zero = false\n"})
    repo.tag("v0.3.1")
    feat = repo.commit("feat: paging", {"a.txt": "a\n"})

    document = bot("plan", "--json", cwd=repo.path, env=RELEASE_DAY).json()

    assert document["next"] == {"version": "0.3.2", "tag": "v0.3.2"}
    assert document["bump"] == "patch"
    assert document["reason"] == (
        "1 releasable commit(s); the highest asks for minor, a patch on 0.x (minor_on_zero = false)"
    )
    assert document["decided_by"] == [feat]


def test_plan_json_zero_rules_per_package(repo: GitRepo, bot: CliRunner) -> None:
    """Each package's table may set its own 0.x rules, as release-please's packages do."""
    config = (
        "major_on_zero = true\n"
        '[packages.a]\npath = "a"\nminor_on_zero = false\n'
        '[packages.b]\npath = "b"\nmajor_on_zero = false\n'
        '[packages.c]\npath = "c"\n'
    )
    repo.commit("chore: init", {"versionbot.toml": config})
    for name in "abc":
        repo.tag(f"{name}-v0.3.1")
    repo.commit("feat: a", {"a/x.txt": "x\n"})
    repo.commit("feat!: b", {"b/x.txt": "x\n"})
    repo.commit("feat!: c", {"c/x.txt": "x\n"})

    document = bot("plan", "--json", cwd=repo.path, env=RELEASE_DAY).json()

    plans = {p["name"]: p["plan"] for p in document["packages"]}
    assert {name: plan["next"]["version"] for name, plan in plans.items()} == {
        "a": "0.3.2",
        "b": "0.4.0",
        "c": "1.0.0",
    }
    assert plans["a"]["reason"].endswith("a patch on 0.x (minor_on_zero = false)")
    assert plans["b"]["reason"].endswith("a minor on 0.x (major_on_zero = false)")
    assert plans["c"]["reason"] == "1 releasable commit(s); the highest asks for major"


# -- options ------------------------------------------------------------------------------


@pytest.fixture
def fix_after_release(repo: GitRepo) -> GitRepo:
    """v1.2.3 and one fix after it."""
    repo.commit("feat: first")
    repo.tag("v1.2.3")
    repo.commit("fix: a bug")
    return repo


@pytest.mark.parametrize(
    ("args", "version", "bump"),
    [
        ((), "1.2.4", "patch"),
        (("--bump", "major"), "2.0.0", "major"),
        (("--bump", "minor"), "1.3.0", "minor"),
        (("--bump", "patch"), "1.2.4", "patch"),
        (("--version", "4.5.6"), "4.5.6", "major"),
        (("--version", "v1.3.0"), "1.3.0", "minor"),
        (("--build", "ci.42"), "1.2.4+ci.42", "patch"),
        (("--bump", "minor", "--build", "7"), "1.3.0+7", "minor"),
        (("--version", "2.0.0-rc.1"), "2.0.0-rc.1", "major"),
        (("--prerelease", "beta"), "1.2.4-beta.1", "patch"),
    ],
)
def test_forcing_options(
    fix_after_release: GitRepo,
    bot: CliRunner,
    args: tuple[str, ...],
    version: str,
    bump: str,
) -> None:
    result = bot("-C", fix_after_release.path, "plan", "--json", *args)

    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["next"] == {"version": version, "tag": f"v{version}"}
    assert document["bump"] == bump


def test_bump_forces_a_release_when_none_is_due(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("docs: nothing releasable")

    document = bot("-C", repo.path, "plan", "--json", "--bump", "patch").json()

    assert document["release"] is True
    assert document["next"]["version"] == "1.0.1"
    assert document["reason"] == "--bump patch given"


def test_invalid_version_is_a_usage_error(fix_after_release: GitRepo, bot: CliRunner) -> None:
    result = bot("-C", fix_after_release.path, "plan", "--version", "banana")

    error, hint = assert_clean_error(result, 2)
    assert "banana" in error
    assert "--version" in hint


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--prerelease", "r c"), "--prerelease"),
        (("--version", "2.0.0", "--bump", "major"), "--version cannot be combined"),
        (("--version", "2.0.0", "--prerelease", "rc"), "--version cannot be combined"),
        (("--build", "bad..meta"), "bad..meta"),
    ],
)
def test_other_usage_errors(
    fix_after_release: GitRepo, bot: CliRunner, args: tuple[str, ...], needle: str
) -> None:
    result = bot("-C", fix_after_release.path, "plan", *args)

    error, _ = assert_clean_error(result, 2)
    assert needle in error


def test_version_that_goes_backwards_is_a_conflict(
    fix_after_release: GitRepo, bot: CliRunner
) -> None:
    result = bot("-C", fix_after_release.path, "plan", "--version", "1.2.0")

    error, _ = assert_clean_error(result, 4)
    assert "not greater than the last release 1.2.3" in error


def test_debug_shows_the_traceback(fix_after_release: GitRepo, bot: CliRunner) -> None:
    result = bot("-C", fix_after_release.path, "--debug", "plan", "--version", "1.2.0")

    assert result.exit_code == 4  # the error's own code, traceback or not
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "VersionConflictError" in result.stderr
    error, hint = result.stderr.splitlines()[-2:]
    assert error.startswith("error: ")
    assert "not greater than the last release 1.2.3" in error
    assert hint.startswith("hint: ")


# -- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "where"),
    [
        (
            "pyproject.toml",
            '[tool.versionbot]\ntag_format = "v{version}"\ntag_fromat = "x"\n',
            "pyproject.toml [tool.versionbot]",
        ),
        ("versionbot.toml", "squash = true\n", "versionbot.toml"),
    ],
)
def test_unknown_config_key(
    repo: GitRepo, bot: CliRunner, filename: str, content: str, where: str
) -> None:
    repo.commit("feat: first", {filename: content})
    key = content.splitlines()[-1].split(" = ")[0]

    result = bot("-C", repo.path, "plan")

    error, hint = assert_clean_error(result, 2)
    assert f"'{key}'" in error
    assert where in error
    assert "tag_format" in hint


def test_bad_config_value(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first", {"versionbot.toml": 'major_on_zero = "yes"\n'})

    error, _ = assert_clean_error(bot("-C", repo.path, "plan"), 2)

    assert "major_on_zero" in error
    assert "versionbot.toml" in error


def test_config_in_two_places_is_an_error(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit(
        "feat: first",
        {
            "versionbot.toml": 'tag_format = "{version}"\n',
            "pyproject.toml": '[tool.versionbot]\ntag_format = "v{version}"\n',
        },
    )

    error, _ = assert_clean_error(bot("-C", repo.path, "plan"), 2)

    assert "versionbot.toml and pyproject.toml" in error


def test_explicit_config_file(repo: GitRepo, bot: CliRunner, tmp_path: Path) -> None:
    repo.commit("feat: first")
    repo.tag("rel-1.0.0")
    repo.commit("fix: second")
    config = tmp_path / "elsewhere.toml"
    config.write_text('tag_format = "rel-{version}"\n', encoding="utf-8")

    document = bot("-C", repo.path, "plan", "--json", "--config", config).json()
    missing = bot("-C", repo.path, "plan", "--config", tmp_path / "missing.toml")

    assert document["next"] == {"version": "1.0.1", "tag": "rel-1.0.1"}
    error, _ = assert_clean_error(missing, 2)
    assert "missing.toml" in error


# -- where bot runs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    ["before", "after", "cwd", "subfolder"],
)
def test_directory_option_before_and_after_the_subcommand(
    repo: GitRepo, bot: CliRunner, tmp_path: Path, order: str
) -> None:
    repo.commit("feat: first", {"src/app/main.txt": "x\n"})
    head = repo.head()
    outside = tmp_path / "outside"
    outside.mkdir()

    if order == "before":
        result = bot("-C", repo.path, "plan", "--json", cwd=outside)
    elif order == "after":
        result = bot("plan", "--json", "-C", repo.path, cwd=outside)
    elif order == "cwd":
        result = bot("plan", "--json", cwd=repo.path)
    else:
        result = bot("plan", "--json", cwd=repo.path / "src" / "app")

    assert result.exit_code == 0, result.stderr
    assert result.json()["head"] == head


def test_options_after_the_subcommand_keep_those_given_before(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("fix: second")
    repo.tag("nightly")

    result = bot("-C", repo.path, "-v", "plan", "--json")
    human = bot("-C", repo.path, "-v", "plan")

    assert result.exit_code == 0
    assert result.json()["ignored_tags"] == ["nightly"]
    assert "Tags ignored (not in the tag format): nightly" in human.stdout


def test_not_a_repository(bot: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()

    error, _ = assert_clean_error(bot("plan", cwd=plain), 3)

    assert "not inside a git repository" in error


# -- output encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_non_utf8_stdout_does_not_crash(repo: GitRepo, bot: CliRunner, encoding: str) -> None:
    """A console that is not UTF-8 (Windows cp1252, a latin-1 locale) gets a plan, not a
    UnicodeEncodeError traceback. The JSON document is still JSON (RFC 8259: UTF-8, of which
    ASCII with ``\\u`` escapes is a part) and says the same text."""
    repo.commit("feat: caf\u00e9 \u2603 support")
    env: dict[str, str | None] = {"PYTHONIOENCODING": encoding, "PYTHONUTF8": None}

    human = bot("-C", repo.path, "plan", env=env)
    as_json = bot("-C", repo.path, "plan", "--json", env=env)

    assert "Traceback" not in human.stderr + as_json.stderr
    assert human.exit_code == 0
    assert as_json.exit_code == 0
    assert b"feat: caf" in human.stdout_bytes
    document = json.loads(as_json.stdout_bytes)
    assert document["commits"][0]["subject"] == "feat: caf\u00e9 \u2603 support"


def test_closed_pipe_is_not_an_error(
    repo: GitRepo, bot_executable: str, sealed_env: SealedEnv
) -> None:
    repo.fast_import([f"fix: change {n}\n\n{'body ' * 40}\n" for n in range(3000)])
    process = subprocess.Popen(
        [bot_executable, "-C", str(repo.path), "plan"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(sealed_env.variables),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.read(100)
    process.stdout.close()  # like `bot plan | head -c 100`
    stderr = process.stderr.read()
    code = process.wait(timeout=30)

    assert first.startswith(b"Release plan for main")
    assert b"Traceback" not in stderr
    assert code == 0


# -- golden -------------------------------------------------------------------------------


def _golden_repo(repo: GitRepo) -> None:
    """A fixed repository: every field of the JSON document takes a non-trivial value."""
    repo.commit("chore: init", {"README.md": "# golden\n"})
    repo.tag("v0.9.0")
    repo.commit("feat: first feature", {"a.txt": "a\n"})
    repo.tag("v1.0.0", annotated=True)
    repo.tag("nightly")
    repo.checkout("feature/export", create=True)
    repo.commit("feat(export): csv export", {"export.txt": "csv\n"})
    repo.commit("fix(export)!: quote separators\n\nBREAKING CHANGE: output changed\n")
    repo.checkout("main")
    risky = repo.commit("perf: faster start", {"start.txt": "fast\n"})
    repo.commit("Update notes", {"notes.txt": "n\n"})
    repo.revert(risky)
    repo.commit(
        "feat: bundle (#7)\n\n* feat(bundle): zip\n\n* fix(bundle): names\n",
        {"bundle.txt": "zip\n"},
    )
    repo.merge("feature/export", message="Merge branch 'feature/export'")


def test_golden_plan_json(repo: GitRepo, bot: CliRunner) -> None:
    _golden_repo(repo)

    result = bot("-C", repo.path, "plan", "--json", env=RELEASE_DAY)

    assert result.exit_code == 0, result.stderr
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert result.stdout == expected, (
        "bot plan --json changed; if intended, regenerate with "
        "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e -k golden and review the diff"
    )
    document: dict[str, Any] = json.loads(expected)
    assert document["next"] == {"version": "2.0.0", "tag": "v2.0.0"}
    assert set(document) == PLAN_KEYS
    assert document["changelog"].startswith("## 2.0.0 (2026-11-28)\n\n### ⚠ Breaking changes\n")
