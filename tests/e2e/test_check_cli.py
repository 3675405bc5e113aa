"""The installed ``bot check`` and ``bot plan --title``: help, inputs, exit codes 0/1/2, JSON,
colour on a terminal (and NO_COLOR), and the GitHub step summary of a pull request."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo


def _stdin(bot_executable: str, env: dict[str, str], text: str, *args: str) -> CliResult:
    result = subprocess.run(
        [bot_executable, "check", *args],
        input=text.encode(),
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )
    return CliResult(
        result.returncode, result.stdout.decode(), result.stderr.decode(), result.stdout
    )


@pytest.fixture
def branch(repo: GitRepo) -> GitRepo:
    """main with a release, and a topic branch of three commits: one bad, one warned, one good."""
    repo.commit("feat: first")
    repo.tag("v1.3.0")
    repo.checkout("topic", create=True)
    repo.commit("fix:handle empty pages")
    repo.commit("Feat: add paging")
    repo.commit("docs: explain paging")
    return repo


# -- help -------------------------------------------------------------------------------------


def test_check_is_listed_in_the_help(bot: CliRunner) -> None:
    result = bot("--help")
    assert result.exit_code == 0
    assert "check" in result.stdout
    assert "lint commit messages: every problem at once, with the fix" in result.stdout


def test_check_help_lists_inputs_and_exit_codes(bot: CliRunner) -> None:
    result = bot("check", "--help")
    assert result.exit_code == 0
    for text in (
        "--message-file FILE",
        "--title TEXT",
        "--json",
        "--strict",
        "--allow-fixup",
        "bot check origin/main..HEAD",
        "exit codes: 0 no errors (warnings allowed, unless --strict), 1 problems found,",
        "2 usage, config or repository",
    ):
        assert text in result.stdout


def test_plan_help_lists_the_pull_request_options(bot: CliRunner) -> None:
    result = bot("plan", "--help")
    assert "--title TEXT" in result.stdout
    assert "--base REV" in result.stdout


# -- ranges and exit codes --------------------------------------------------------------------


def test_default_range_is_since_the_last_release(branch: GitRepo, bot: CliRunner) -> None:
    result = bot("check", cwd=branch.path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(" Feat: add paging")
    assert lines[1].startswith("  1:1    warning  type-case  type 'Feat' should be lower case")
    assert lines[3].endswith(" fix:handle empty pages")
    assert lines[4] == (
        "  1:5    error    space-after-colon  missing space after ':'  "
        "(did you mean: fix: handle empty pages)"
    )
    assert lines[-2] == "Checked 3 commits since v1.3.0: 1 error, 1 warning in 2 commits."
    assert lines[-1].startswith("hint: reword them (git rebase -i)")


def test_an_explicit_range(branch: GitRepo, bot: CliRunner) -> None:
    result = bot("check", "HEAD~1..HEAD", cwd=branch.path)
    assert (result.exit_code, result.stdout) == (
        0,
        "Checked 1 commit in HEAD~1..HEAD: no problems.\n",
    )
    assert bot("check", "-C", branch.path, "HEAD~2..HEAD").exit_code == 0  # a warning only
    assert bot("check", "-C", branch.path, "--strict", "HEAD~2..HEAD").exit_code == 1


def test_json(branch: GitRepo, bot: CliRunner) -> None:
    result = bot("check", "--json", "main..topic", cwd=branch.path)
    assert result.exit_code == 1
    document = result.json()
    assert (document["schema"], document["input"], document["range"]) == (1, "range", "main..topic")
    assert (document["ok"], document["errors"], document["warnings"]) == (False, 1, 1)
    assert [c["subject"] for c in document["commits"]] == [
        "docs: explain paging",
        "Feat: add paging",
        "fix:handle empty pages",
    ]
    assert document["commits"][2]["findings"][0]["suggestion"] == "fix: handle empty pages"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope..HEAD",), "error: unknown revision in 'nope..HEAD'"),
        (("--message-file", "no-such-file"), "error: cannot read no-such-file:"),
    ],
)
def test_usage_errors_exit_2(
    branch: GitRepo, bot: CliRunner, args: tuple[str, ...], message: str
) -> None:
    result = bot("check", *args, cwd=branch.path)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "\nhint: " in result.stderr


def test_not_a_repository_exits_2(bot: CliRunner, tmp_path: Path) -> None:
    result = bot("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_inputs_exclude_each_other(bot: CliRunner, tmp_path: Path) -> None:
    result = bot("check", "--title", "feat: x", "--message-file", "m", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not allowed with argument" in result.stderr
    both = bot("check", "HEAD~1..HEAD", "--title", "feat: x", cwd=tmp_path)
    assert both.exit_code == 2
    assert both.stderr.startswith("error: a range goes without --message-file and --title")


def test_check_config_is_read(branch: GitRepo, bot: CliRunner) -> None:
    branch.write(
        "pyproject.toml",
        '[tool.versionbot.check]\ntypes = ["feat", "fix"]\nscopes = ["api"]\n',
    )
    result = bot("check", "--title", "docs(ui): explain", cwd=branch.path)
    assert result.exit_code == 1
    assert "type 'docs' is not allowed; allowed types: feat, fix" in result.stdout
    assert "scope 'ui' is not allowed; allowed scopes: api" in result.stdout
    branch.write("pyproject.toml", "[tool.versionbot.check]\nmax_subject_length = 3\n")
    bad = bot("check", "--title", "feat: x", cwd=branch.path)
    assert bad.exit_code == 2
    assert bad.stderr.startswith(
        "error: check.max_subject_length in pyproject.toml [tool.versionbot] must be a whole "
        "number of at least 10, not 3"
    )


# -- message file, standard input, title -------------------------------------------------------


def test_message_file_keeps_its_line_numbers(bot: CliRunner, tmp_path: Path) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(
        "# Please enter the commit message\nfeat: add paging\nThe pages come in order.\n",
        encoding="utf-8",
    )
    result = bot("check", "--message-file", message, cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (
        "COMMIT_EDITMSG feat: add paging\n"
        "  3:1    warning  body-leading-blank  no blank line after the subject: git shows this "
        "line as part of the subject\n"
        "\n"
        "1 warning.\n"
    )


def test_standard_input(sealed_env: object, bot_executable: str, tmp_path: Path) -> None:
    env = dict(os.environ)
    good = _stdin(bot_executable, env, "fix: handle empty pages\n", "--message-file", "-")
    assert (good.exit_code, good.stdout) == (0, "")
    bad = _stdin(bot_executable, env, "Update README\n", "--message-file", "-")
    assert bad.exit_code == 1
    assert bad.stdout.splitlines()[:2] == [
        "stdin Update README",
        "  1:1    error    no-type  no type prefix: expected 'type(scope): description'",
    ]
    assert "hint:" not in bad.stdout


def test_title(bot: CliRunner, tmp_path: Path) -> None:
    assert bot("check", "--title", "feat(api): add paging", cwd=tmp_path).stdout == ""
    result = bot("check", "--title", "Feat(api):add paging", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout == (
        "title Feat(api):add paging\n"
        "  1:11   error    space-after-colon  missing space after ':'  "
        "(did you mean: feat(api): add paging)\n"
        "\n"
        "1 error.\n"
        "hint: edit the pull request's title: it becomes the subject of the squash commit\n"
    )


def test_fixup_is_reported_unless_allowed(bot: CliRunner, tmp_path: Path) -> None:
    assert bot("check", "--title", "fixup! feat: x", cwd=tmp_path).exit_code == 1
    assert bot("check", "--allow-fixup", "--title", "fixup! feat: x", cwd=tmp_path).exit_code == 0


# -- colour -----------------------------------------------------------------------------------


def _on_a_terminal(bot_executable: str, env: dict[str, str], *args: str) -> str:
    """Run bot with its stdout on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [bot_executable, *args],
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
            timeout=60,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.returncode == 1, process.stderr
        return b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_colour_on_a_terminal_and_no_color(sealed_env: object, bot_executable: str) -> None:
    env = dict(os.environ)
    args = ("check", "--title", "Feat:x")
    assert "\x1b[31merror" in _on_a_terminal(bot_executable, env, *args)
    assert "\x1b[" not in _on_a_terminal(bot_executable, {**env, "NO_COLOR": "1"}, *args)
    assert "\x1b[" not in _on_a_terminal(bot_executable, {**env, "TERM": "dumb"}, *args)
    assert "\x1b[31merror" in _on_a_terminal(bot_executable, {**env, "NO_COLOR": ""}, *args)


def test_no_colour_into_a_pipe(bot: CliRunner, tmp_path: Path) -> None:
    result = bot("check", "--title", "Feat:x", cwd=tmp_path)
    assert "\x1b[" not in result.stdout


# -- the pull-request preview -----------------------------------------------------------------


def test_plan_title_previews_the_squash_merge(branch: GitRepo, bot: CliRunner) -> None:
    result = bot("plan", "--json", "--title", "fix(api): handle empty pages", cwd=branch.path)
    assert result.exit_code == 0
    document = result.json()
    assert (document["next"]["version"], document["bump"]) == ("1.3.1", "patch")
    assert [c["subject"] for c in document["commits"]] == ["fix(api): handle empty pages"]


def test_plan_title_with_base_keeps_the_base_s_unreleased_commits(
    branch: GitRepo, bot: CliRunner
) -> None:
    branch.checkout("main")
    branch.commit("feat: on main, not yet released")
    branch.checkout("topic")
    branch.run("merge", "--quiet", "--no-edit", "main")  # the PR's merge ref, as GitHub makes it
    result = bot("plan", "--json", "--title", "docs: x", "--base", "main", cwd=branch.path)
    document = result.json()
    assert [c["subject"] for c in document["commits"]] == [
        "docs: x",
        "feat: on main, not yet released",
    ]
    assert document["next"]["version"] == "1.4.0"
    assert bot("plan", "--base", "main", cwd=branch.path).exit_code == 2


def test_step_summary_in_a_pull_request(branch: GitRepo, bot: CliRunner, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_EVENT_NAME": "pull_request"}
    planned = bot("plan", "--title", "feat(api): add paging", cwd=branch.path, env=env)
    assert planned.exit_code == 0
    checked = bot("check", "main..HEAD", cwd=branch.path, env=env)
    assert checked.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### Merging this releases 1.4.0 (minor: feat(api): add paging)\n")
    assert "<details><summary>Release notes</summary>" in text
    assert "### Commit messages: 1 error, 1 warning (3 messages checked)" in text
    assert "| space-after-colon | missing space after ':' | fix: handle empty pages |" in text


def test_step_summary_of_a_plan_that_releases_nothing(
    repo: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("docs: typo")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_EVENT_NAME": "pull_request"}
    assert bot("plan", cwd=repo.path, env=env).exit_code == 0
    assert summary.read_text(encoding="utf-8") == (
        "### Merging this releases nothing: no releasable commits since v1.0.0 "
        "(1 commit(s), none asks for a release)\n"
    )


def test_no_step_summary_outside_github_actions(branch: GitRepo, bot: CliRunner) -> None:
    result = bot("plan", cwd=branch.path)
    assert result.exit_code == 0
    assert not list(branch.path.glob("*.md"))
