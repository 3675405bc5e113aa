"""bot check against real git: ranges read by one ``git log``, and the commit-msg hook run by a
real ``git commit`` (the plain hook through core.hooksPath, and the pre-commit framework's)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CliRunner, GitRepo
from versionbot.core.check import check_commits
from versionbot.core.config import CheckRules, Config
from versionbot.core.errors import UsageError
from versionbot.git.reader import read_range

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = str(Path(sys.executable).parent)
FIXTURE = ROOT / "tests" / "reliability" / "fixtures" / "commitlint_breaking.json"


def test_range_reads_the_commits_of_a_branch(repo: GitRepo) -> None:
    base = repo.commit("feat: first")
    repo.checkout("topic", create=True)
    bad = repo.commit("Feat:second")
    good = repo.commit("fix: third\n\nBody.")
    where, commits = read_range(repo.path, Config(), "main..topic")
    assert where == "in main..topic"
    listed = list(commits)
    assert [c.sha for c in listed] == [good, bad]
    assert base not in [c.sha for c in listed]
    checked = check_commits(listed, CheckRules())
    assert [c.errors for c in checked] == [0, 1]


def test_default_range_is_the_window_since_the_last_release(repo: GitRepo) -> None:
    repo.commit("feat: released")
    repo.tag("v1.0.0")
    newer = repo.commit("fix: not yet")
    where, commits = read_range(repo.path, Config(), None)
    assert where == "since v1.0.0"
    assert [c.sha for c in commits] == [newer]


def test_default_range_without_a_release(repo: GitRepo) -> None:
    repo.commit("feat: one")
    where, commits = read_range(repo.path, Config(), None)
    assert where == "in the history (no release yet)"
    assert len(list(commits)) == 1


@pytest.mark.parametrize("bad", ["nope..HEAD", "--all", ""])
def test_bad_ranges_are_usage_errors(repo: GitRepo, bad: str) -> None:
    repo.commit("feat: one")
    with pytest.raises(UsageError):
        read_range(repo.path, Config(), bad)


def test_merges_are_skipped_in_ranges(repo: GitRepo) -> None:
    repo.commit("feat: one")
    repo.checkout("topic", create=True)
    repo.commit("fix: two")
    repo.checkout("main")
    repo.commit("docs: three")
    repo.merge("topic", message="Merge branch 'topic' (not conventional)")
    _, commits = read_range(repo.path, Config(), "HEAD~1..HEAD")
    checked = check_commits(commits, CheckRules())
    assert [(c.subject, c.skipped) for c in checked] == [
        ("Merge branch 'topic' (not conventional)", "merge commit"),
        ("fix: two", None),
    ]


# -- the commit-msg hook through a real `git commit` --------------------------------------------


def _hook_env(repo: GitRepo) -> dict[str, str]:
    env = repo.env.with_dates(1_704_067_200)
    env["PATH"] = f"{VENV_BIN}:{env['PATH']}"  # the installed `bot` (and pre-commit)
    return env


def _commit(
    repo: GitRepo, *args: str, message: str | None = None
) -> subprocess.CompletedProcess[str]:
    flags = ["-m", message] if message is not None else []
    return subprocess.run(
        ["git", "-C", str(repo.path), "commit", "--allow-empty", *flags, *args],
        capture_output=True,
        text=True,
        env=_hook_env(repo),
        check=False,
    )


@pytest.fixture
def hooked(repo: GitRepo) -> GitRepo:
    """A repository whose commit-msg hook is hooks/commit-msg, through core.hooksPath."""
    hooks = repo.path / "hooks"
    hooks.mkdir()
    shutil.copy2(ROOT / "hooks" / "commit-msg", hooks / "commit-msg")
    repo.run("config", "core.hooksPath", "hooks")
    return repo


def test_plain_hook_refuses_a_bad_message_and_names_every_problem(hooked: GitRepo) -> None:
    result = _commit(hooked, message="feature(api):add paging.")
    assert result.returncode == 1
    # git hands a hook's output to its own stderr.
    assert result.stderr.splitlines()[:4] == [
        "COMMIT_EDITMSG feature(api):add paging.",
        "  1:1    error    type-enum  type 'feature' is not allowed; allowed types: feat, fix, "
        "perf, refactor, docs, style, test, build, ci, chore, revert  "
        "(did you mean: feat(api): add paging.)",
        "  1:14   error    space-after-colon  missing space after ':'  "
        "(did you mean: feature(api): add paging.)",
        "  1:24   error    subject-period  the subject ends with a period  "
        "(did you mean: feature(api): add paging)",
    ]
    assert "hint: the message is kept: fix it with git commit --edit --file" in result.stderr
    assert hooked.run("rev-list", "--all") == ""  # no commit was made


def test_plain_hook_lets_a_good_message_through(hooked: GitRepo) -> None:
    result = _commit(hooked, message="feat(api): add paging")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr
    assert hooked.run("log", "--format=%s") == "feat(api): add paging"


def test_plain_hook_warnings_do_not_block(hooked: GitRepo) -> None:
    result = _commit(hooked, message="Feat: add paging")
    assert result.returncode == 0
    assert "type-case" in result.stderr


def test_plain_hook_ignores_comments_and_the_verbose_diff(hooked: GitRepo) -> None:
    hooked.write("a.txt", "Feat:not a message, a diff line\n")
    hooked.run("add", "a.txt")
    message = hooked.path.parent / "message.txt"
    message.write_text("feat: add a\n\n# a comment git strips\n", encoding="utf-8")
    env = {**_hook_env(hooked), "GIT_EDITOR": "true"}
    result = subprocess.run(
        ["git", "-C", str(hooked.path), "commit", "--verbose", "--edit", "--file", str(message)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert hooked.run("log", "--format=%B").strip() == "feat: add a"


def test_plain_hook_skips_the_merge_commit(hooked: GitRepo) -> None:
    assert _commit(hooked, message="feat: one").returncode == 0
    hooked.checkout("topic", create=True)
    assert _commit(hooked, message="fix: two").returncode == 0
    hooked.checkout("main")
    assert _commit(hooked, message="docs: three").returncode == 0
    result = subprocess.run(
        ["git", "-C", str(hooked.path), "merge", "--no-ff", "--no-edit", "topic"],
        capture_output=True,
        text=True,
        env=_hook_env(hooked),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert hooked.run("log", "-1", "--format=%s") == "Merge branch 'topic'"


def test_plain_hook_without_bot_explains(hooked: GitRepo) -> None:
    env = {**_hook_env(hooked), "VERSIONBOT_BOT": "no-such-bot-command"}
    result = subprocess.run(
        ["git", "-C", str(hooked.path), "commit", "--allow-empty", "-m", "feat: x"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "hint: pip install versionbot, or commit with --no-verify" in result.stderr


def test_pre_commit_framework_hook(repo: GitRepo, tmp_path: Path) -> None:
    """.pre-commit-hooks.yaml as a user gets it: pre-commit clones this repository at a commit,
    installs it into its own environment, and runs the hook on `git commit`."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")
    # A committed snapshot of this checkout: pre-commit installs hooks from a commit.
    snapshot = tmp_path / "versionbot"
    for name in ("src", "templates"):
        shutil.copytree(ROOT / name, snapshot / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, snapshot / name)
    hook_repo = GitRepo(snapshot, repo.env, [1_704_067_200])
    hook_repo.run("init", "--quiet")
    sha = hook_repo.commit("feat: snapshot")
    (repo.path / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {snapshot.as_uri()}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: versionbot-check\n",
        encoding="utf-8",
    )
    env = _hook_env(repo)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install", "--hook-type", "commit-msg"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(repo.path), "commit", "--allow-empty", "-m", message],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=600,
        )

    refused = commit("Feat:add paging")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    output = refused.stdout + refused.stderr
    assert "versionbot check (Conventional Commits)" in output
    assert (
        "  1:6    error    space-after-colon  missing space after ':'  "
        "(did you mean: feat: add paging)"
    ) in output
    accepted = commit("feat: add paging")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert repo.run("log", "--format=%s") == "feat: add paging"


def test_real_breaking_changes_the_release_does_not_read_are_flagged(
    repo: GitRepo, bot: CliRunner
) -> None:
    """Five commits of commitlint's history (tests/reliability/fixtures/commitlint_breaking.json)
    declare a breaking change as `BREAKING CHANGE` without a colon, `BREAKING CHANGES` or a list
    item: the release plans them as minor or patch, and bot check says so, at the line."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))["commits"]
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.fast_import([c["message"] for c in reversed(recorded)])
    result = bot("-C", repo.path, "check", "--json", "v1.0.0..HEAD")
    assert result.exit_code == 1, result.stderr
    checked = result.json()["commits"]
    assert len(checked) == 5
    for commit, original in zip(checked, recorded, strict=True):
        lines = original["message"].replace("\r\n", "\n").split("\n")
        [finding] = [f for f in commit["findings"] if f["rule"] == "breaking-change-form"]
        assert finding["severity"] == "error", commit
        assert "BREAKING CHANGE" in lines[finding["line"] - 1]
    plan = bot("-C", repo.path, "plan", "--json")
    assert plan.json()["bump"] == "minor"  # none of them is read as breaking


# -- other tools' release commits, in a project migrating from them -----------------------------

PEER_CONFIG = (
    '[tool.versionbot]\nversion_files = ["pyproject.toml", "src/app/__init__.py:__version__"]\n'
    '\n[project]\nname = "app"\nversion = "{}"\n'
)
INIT = '__version__ = "{}"\n'


def _peer_history(repo: GitRepo) -> dict[str, str]:
    """commitizen, then python-semantic-release, then npm-version-style release commits,
    tagged or not, believed or not."""
    files = {
        "pyproject.toml": PEER_CONFIG.format("1.0.0"),
        "src/app/__init__.py": '__version__ = "1.0.0"\n',
    }
    repo.commit("feat: start", files)
    shas = {}
    shas["cz tagged"] = repo.commit(
        "bump: version 1.0.0 → 1.1.0\n",
        {"pyproject.toml": PEER_CONFIG.format("1.1.0"), "CHANGELOG.md": "## v1.1.0\n"},
    )
    repo.tag("v1.1.0", annotated=True)
    # Not tagged (the tag went to a sibling commit), but it changes only release files.
    shas["cz untagged"] = repo.commit(
        "bump: version 1.1.0 → 1.1.1\n",
        {
            "pyproject.toml": PEER_CONFIG.format("1.1.1"),
            "src/app/__init__.py": '__version__ = "1.1.1"\n',
        },
    )
    shas["cz forged"] = repo.commit(
        "bump: version 1.1.1 → 1.1.2\n", {"src/app/core.py": "EVIL = 1\n"}
    )
    shas["psr"] = repo.commit(
        "1.2.0\n\nAutomatically generated by python-semantic-release\n",
        {"pyproject.toml": PEER_CONFIG.format("1.2.0")},
    )
    repo.tag("v1.2.0")
    shas["wrong tag"] = repo.commit("v1.3.0", {"CHANGELOG.md": "## v1.3.0\n", "x.txt": "x\n"})
    repo.tag("v1.2.9")  # a release tag, but not of the version the subject names
    return shas


def test_other_tools_release_commits_are_skipped_only_where_they_are_release_commits(
    repo: GitRepo, bot: CliRunner
) -> None:
    shas = _peer_history(repo)

    result = bot("-C", repo.path, "check", "HEAD~5..HEAD", "--json")

    assert result.exit_code == 1, result.stderr
    listed = json.loads(result.stdout)["commits"]
    verdicts = {c["sha"]: (c["skipped"], bool(c["findings"])) for c in listed}
    assert verdicts[shas["cz tagged"]] == ("release commit of commitizen", False)
    assert verdicts[shas["cz untagged"]] == ("release commit of commitizen", False)
    assert verdicts[shas["psr"]] == ("release commit of python-semantic-release", False)
    # Anyone can write the subject: without the tag or the release's own files, it is linted.
    assert verdicts[shas["cz forged"]] == (None, True)
    assert verdicts[shas["wrong tag"]] == (None, True)


def test_the_human_report_counts_other_tools_release_commits_as_skipped(
    repo: GitRepo, bot: CliRunner
) -> None:
    _peer_history(repo)

    result = bot("-C", repo.path, "check", "HEAD~3..HEAD~1")

    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[-2] == (
        "Checked 1 commit in HEAD~3..HEAD~1 (1 merge or release commit skipped): 1 error in 1 "
        "commit."
    )


def test_a_copy_of_another_tools_tagged_release_commit_is_skipped(
    repo: GitRepo, bot: CliRunner
) -> None:
    """commitizen pushed its bump commits twice (the tag went to one copy, main kept the other);
    they change uv.lock too, which is no version file here: main's copy is believed as a copy
    of the tagged one (same subject, same change), and only that."""
    files = {
        "pyproject.toml": PEER_CONFIG.format("1.0.0"),
        "src/app/__init__.py": INIT.format("1.0.0"),
    }
    base = repo.commit("feat: start", files)
    release = {"pyproject.toml": PEER_CONFIG.format("1.1.0"), "uv.lock": "app 1.1.0\n"}
    tagged = repo.commit("bump: version 1.0.0 → 1.1.0\n", release)
    repo.tag("v1.1.0", annotated=True)
    repo.run("checkout", "--quiet", "-B", "main", base)
    repo.run("cherry-pick", tagged)
    copy = repo.head()
    other = repo.commit("bump: version 1.0.0 → 1.1.0\n", {"uv.lock": "app 1.1.0 and more\n"})

    result = bot("-C", repo.path, "check", f"{base}..HEAD", "--json")

    verdicts = {c["sha"]: c["skipped"] for c in json.loads(result.stdout)["commits"]}
    assert verdicts == {copy: "release commit of commitizen", other: None}
