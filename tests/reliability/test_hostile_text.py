"""Commit text that tries to forge what the bot shows or writes: line separators, bidirectional
and invisible characters, workflow commands, and a forge answer that tries to forge outputs.

The attacker writes commit messages (anyone with a merged pull request) or answers as the forge.
Each case runs the installed ``bot`` on a real repository with a ``file://`` remote (and the
GitHub API stand-in where a forge is involved) and asserts the exact text that comes out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from forge_server import ForgeServer
from git_remote import bare_repo
from reliability.harness import FORGE_TOKEN

pytestmark = pytest.mark.timeout(120)

# Every character the neutralisation owns beyond C0/C1 (core/neutralise.py).
SEPARATORS = "\u2028\u2029"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"


def _released(make_repo: RepoFactory) -> GitRepo:
    repo = make_repo("app")
    repo.commit("feat: initial", {"README.md": "app\n"})
    repo.tag("v0.1.0", annotated=True)
    remote = bare_repo(repo.path.parent / "origin.git")
    repo.run("remote", "add", "origin", remote.as_uri())
    repo.run("push", "--quiet", "origin", "main", "v0.1.0")
    return repo


def _fine(result: CliResult) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr


def _none_of(characters: str, *texts: str) -> None:
    for text in texts:
        found = sorted({f"U+{ord(c):04X}" for c in text if c in characters})
        assert not found, found


def test_a_line_separator_forges_no_changelog_heading(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """U+2028 in a subject made the next release get no section, and ``bot changelog`` put a
    whole section in the middle of an entry line."""
    repo = _released(make_repo)
    repo.commit("feat: harmless\u2028## 0.3.0 (2020-01-01)\u2029- forged", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    _fine(bot("-C", repo.path, "release"))
    repo.commit("fix: next", {"b.txt": "b\n"})
    repo.run("push", "--quiet", "origin", "main")
    _fine(bot("-C", repo.path, "release"))
    _fine(bot("-C", repo.path, "changelog"))  # fills in 0.1.0 below, between the others
    text = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    _none_of(SEPARATORS, text)
    headings = [line.split(" ")[1] for line in text.split("\n") if line.startswith("## ")]
    assert headings == ["0.2.1", "0.2.0", "0.1.0"]
    assert "- harmless\ufffd## 0.3.0 (2020-01-01)\ufffd- forged" in text


def test_bidi_and_invisible_characters_reach_no_output(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer, tmp_path: Path
) -> None:
    """Trojan Source: bidi controls and zero-width characters in a subject, a scope and a
    breaking-change note reached the terminal, CHANGELOG.md and the release body."""
    repo = _released(make_repo)
    forge.git_dirs["acme/app"] = repo.path.parent / "origin.git"
    hostile = BIDI + INVISIBLE + SEPARATORS
    message = f"feat(a{hostile[:3]}): access {hostile} check\n\nBREAKING CHANGE: {hostile} gone\n"
    repo.commit(message, {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    plan = bot("-C", repo.path, "plan", env=env)
    check = bot("-C", repo.path, "check", env=env)
    release = bot("-C", repo.path, "release", env=env)
    _fine(plan)
    _fine(release)
    [made] = forge.releases_of()
    changelog = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    tag_notes = repo.run("tag", "-l", "--format=%(contents)", "v0.2.0")
    shown = [plan.stdout, plan.stderr, check.stdout, release.stdout, release.stderr]
    _none_of(hostile, *shown, changelog, made["body"], summary.read_text(), tag_notes)
    assert "access \ufffd" in plan.stdout
    assert "gone" in made["body"]
    assert "\u200d" not in hostile  # the joiner stays: emoji sequences need it


def test_workflow_commands_in_commit_text_are_inert(make_repo: RepoFactory, bot: CliRunner) -> None:
    """``bot plan`` printed breaking-change note lines that the Actions runner obeys (it trims
    leading spaces); errors echoed a Release-As value raw."""
    repo = _released(make_repo)
    note = "BREAKING CHANGE: gone\n::add-mask::secret\n  ::set-output name=tag::v9\n##[group]x"
    repo.commit(f"feat: a\n\n{note}\n", {"a.txt": "a\n"})
    plan = bot("-C", repo.path, "plan")
    _fine(plan)
    lines = [*plan.stdout.split("\n"), *plan.stderr.split("\n")]
    assert not [line for line in lines if line.strip().startswith(("::", "##["))]
    assert "\ufffd:add-mask::secret" in plan.stdout
    unreleased = bot("-C", repo.path, "changelog", "--unreleased")
    _fine(unreleased)
    assert not [
        line for line in unreleased.stdout.split("\n") if line.strip().startswith(("::", "##["))
    ]
    repo.commit("fix: b\n\nRelease-As: ::stop-commands::x\n", {"b.txt": "b\n"})
    failed = bot("-C", repo.path, "plan")
    assert failed.exit_code == 4
    assert "Traceback" not in failed.stderr
    assert failed.stderr.count("\n") == 2
    assert "'Release-As: \ufffd:stop-commands::x'" not in failed.stderr  # mid-line: harmless
    assert not [line for line in failed.stderr.split("\n") if line.startswith("::")]


def test_a_forge_url_with_a_line_break_sets_no_output(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer, tmp_path: Path
) -> None:
    """A forge's ``html_url`` went into $GITHUB_OUTPUT unchecked: a newline in it set outputs."""
    repo = _released(make_repo)
    forge.git_dirs["acme/app"] = repo.path.parent / "origin.git"
    forge.faults.html_url_suffix = "\nreleased=false\ntag=v9.9.9"
    repo.commit("feat: a", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    output = tmp_path / "output"
    env = {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
        "GITHUB_OUTPUT": str(output),
    }
    _fine(bot("-C", repo.path, "release", env=env))
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["released"] == "true"
    assert values["tag"] == "v0.2.0"
    assert values["forge_url"] == ""  # not a web page address: not written as one


def test_an_unwritable_output_file_is_a_one_line_error_after_the_release(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    repo = _released(make_repo)
    repo.commit("feat: a", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    folder = tmp_path / "outputs-is-a-folder"
    folder.mkdir()
    result = bot("-C", repo.path, "release", env={"GITHUB_OUTPUT": str(folder)})
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1
    error, hint = result.stderr.strip().split("\n")
    assert error.startswith("error: cannot write $GITHUB_OUTPUT")
    assert "what was released stands" in error
    assert hint.startswith("hint: ")
    assert repo.run("ls-remote", "--tags", "origin", "v0.2.0")  # the release is made


def test_github_output_values_keep_to_their_line() -> None:
    from versionbot.cli.github_outputs import output_lines

    lines = "".join(output_lines({"a": "1", "b": "x\nc=2", "d": "y\r"}))
    assert lines.startswith("a=1\nb<<versionbot_")
    delimiter = lines.split("\n")[1].removeprefix("b<<")
    assert f"b<<{delimiter}\nx\nc=2\n{delimiter}\n" in lines
    assert json.dumps(lines).count("c=2") == 1


def test_a_byte_order_mark_before_the_changelog_marker(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """A BOM before the marker on the first line hid it: exit 5. It stays, and the marker
    works."""
    repo = _released(make_repo)
    marker = "<!-- versionbot: insert releases below -->"
    repo.commit("docs: changelog", {"CHANGELOG.md": f"\ufeff{marker}\n"})
    repo.commit("feat: a", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    _fine(bot("-C", repo.path, "release"))
    text = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith(f"\ufeff{marker}\n\n## 0.2.0 ")
    assert text.count("\ufeff") == 1


@pytest.mark.parametrize("where", ["--version", "initial_version"])
def test_a_five_thousand_digit_version_is_one_short_line(
    make_repo: RepoFactory, bot: CliRunner, where: str
) -> None:
    repo = make_repo("app")
    huge = "9" * 5000 + ".0.0"
    if where == "initial_version":
        repo.commit("feat: a", {"versionbot.toml": f'initial_version = "{huge}"\n'})
        result = bot("-C", repo.path, "plan")
    else:
        repo.commit("feat: a", {"a.txt": "a\n"})
        result = bot("-C", repo.path, "plan", "--version", huge)
    assert result.exit_code == 2, result.stderr
    error, hint = result.stderr.strip().split("\n")
    assert "'9999" in error
    assert len(error) < 200
    assert hint.startswith("hint: ")


def test_an_unwritable_step_summary_is_a_one_line_error_after_the_release(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    repo = _released(make_repo)
    repo.commit("feat: a", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    result = bot("-C", repo.path, "release", env={"GITHUB_STEP_SUMMARY": str(tmp_path)})
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write $GITHUB_STEP_SUMMARY")
    assert repo.run("ls-remote", "--tags", "origin", "v0.2.0")
