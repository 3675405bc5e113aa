"""Commit text that tries to forge what the bot shows or writes: line separators, bidirectional
and invisible characters, workflow commands, and a forge answer that tries to forge outputs.

The attacker writes commit messages (anyone with a merged pull request) or answers as the forge.
Each case runs the installed ``bot`` on a real repository with a ``file://`` remote (and the
GitHub API stand-in where a forge is involved) and asserts the exact text that comes out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from forge_server import ForgeServer
from git_remote import released_v0_1_0
from reliability.harness import FORGE_TOKEN

pytestmark = pytest.mark.timeout(120)

# Every character the neutralisation owns beyond C0/C1 (core/neutralise.py).
SEPARATORS = "\u2028\u2029"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"


def _released(make_repo: RepoFactory) -> GitRepo:
    return released_v0_1_0(make_repo("app"))


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
    output, _ = _released_with_forge_url(
        make_repo, bot, forge, tmp_path, "\nreleased=false\ntag=v9.9.9"
    )
    values = dict(line.split("=", 1) for line in output.splitlines())
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
    assert error == (
        f"error: cannot write $GITHUB_OUTPUT ({folder}): Is a directory; the release itself is made"
    )
    assert hint == (
        "hint: check the runner's disk and $GITHUB_OUTPUT; a re-run writes the release's "
        "version and tag again, with released=false"
    )
    assert repo.run("ls-remote", "--tags", "origin", "v0.2.0")  # the release is made
    # The hint holds: a re-run writes the outputs of the release made (this run made nothing).
    output = tmp_path / "output"
    _fine(bot("-C", repo.path, "release", env={"GITHUB_OUTPUT": str(output)}))
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert (values["released"], values["version"], values["tag"]) == ("false", "0.2.0", "v0.2.0")


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


def _runner_lines(text: str) -> list[str]:
    """The lines the Actions runner reads (.NET's ReadLine: CR, LF or CRLF)."""
    return re.split(r"\r\n|\r|\n", text)


def _commands(*texts: str) -> list[str]:
    """The lines of ``texts`` the runner would obey: ``::`` after leading white space, or the
    older ``##[`` anywhere in the line (ActionCommand.TryParse)."""
    return [
        line
        for text in texts
        for line in _runner_lines(text)
        if line.lstrip().startswith("::") or "##[" in line
    ]


def test_a_workflow_command_in_the_middle_of_a_line_is_inert(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """The runner finds the older ``##[name]`` form anywhere in a line, and ends lines at a
    carriage return too: a subject or a note line ``::`` after a CR is a command."""
    repo = _released(make_repo)
    subject = "fix: see ##[add-mask]secret and ##[set-output name=released;]true"
    note = "BREAKING CHANGE: gone\rx\r::stop-commands::t ##[group]y"
    repo.commit(f"{subject}\n\n{note}\n", {"a.txt": "a\n"})
    plan = bot("-C", repo.path, "plan")
    as_json = bot("-C", repo.path, "plan", "--json")
    check = bot("-C", repo.path, "check")
    check_json = bot("-C", repo.path, "check", "--json")
    unreleased = bot("-C", repo.path, "changelog", "--unreleased")
    for result in (plan, as_json, unreleased):
        _fine(result)
    assert check.exit_code == check_json.exit_code  # findings or not: both say the same
    shown = [r.stdout + r.stderr for r in (plan, as_json, check, check_json, unreleased)]
    assert _commands(*shown) == []
    assert "fix: see \ufffd#[add-mask]secret" in plan.stdout
    # JSON says it with escapes: a parser reads the commit's own text.
    [commit] = [c for c in as_json.json()["commits"] if c["subject"] == subject]
    assert commit["sha"] == repo.run("rev-parse", "HEAD").strip()
    assert [c["subject"] for c in check_json.json()["commits"]] == [subject]


def test_json_output_carries_no_raw_control_bidi_or_separator(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """``json.dumps(ensure_ascii=False)`` writes C1 controls (a CSI for some terminals), bidi
    controls and line separators raw: ``bot plan --json`` showed them on a terminal."""
    repo = _released(make_repo)
    hostile = "\x9b\x7f" + BIDI + INVISIBLE + SEPARATORS
    subject = f"feat: access {hostile}2J check"
    repo.commit(f"{subject}\n\nBREAKING CHANGE: {hostile}\n", {"a.txt": "a\n"})
    plan = bot("-C", repo.path, "plan", "--json")
    check = bot("-C", repo.path, "check", "--json")
    _fine(plan)
    for result in (plan, check):
        _none_of(hostile, result.stdout)
        assert "\\u202e" in result.stdout  # written as an escape
    assert plan.json()["commits"][0]["subject"] == subject
    assert f"BREAKING CHANGE: {hostile}" not in plan.stdout
    assert check.json()["commits"][0]["subject"] == subject


def test_a_user_template_without_the_md_filter_writes_no_hostile_character(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer, tmp_path: Path
) -> None:
    """A repository's own templates may write commit text without ``| md``: the values still go
    through the one neutralisation, in CHANGELOG.md and in the release body."""
    repo = _released(make_repo)
    forge.git_dirs["acme/app"] = repo.path.parent / "origin.git"
    raw = (
        "{% for group in release.groups %}{% for e in group.entries %}"
        "* {{ e.description }}\n{% endfor %}{% endfor %}"
        "{% for e in release.breaking %}{% for n in e.breaking_notes %}"
        "* {{ n }}\n{% endfor %}{% endfor %}"
    )
    changelog = '{% extends "builtin/CHANGELOG.md.j2" %}\n'
    repo.commit(
        "chore: templates",
        {
            "versionbot.toml": '[changelog]\ntemplates = "t"\n',
            "t/release-notes.md.j2": raw,
            "t/CHANGELOG.md.j2": changelog,
        },
    )
    hostile = BIDI + INVISIBLE + SEPARATORS + "\x1b\x9b"
    message = f"feat: access {hostile} check\n\nBREAKING CHANGE: one\n{hostile} two\n"
    repo.commit(message, {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    env = {"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": forge.url}
    _fine(bot("-C", repo.path, "release", env={**env, "GITHUB_TOKEN": FORGE_TOKEN}))
    [made] = forge.releases_of()
    text = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    _none_of(hostile, made["body"], text)
    assert "* access " + "\ufffd" * len(hostile) + " check\n" in made["body"]
    assert "* one\n" + "\ufffd" * len(hostile) + " two\n" in made["body"]  # its line feed kept


@pytest.mark.parametrize("command", ["plan", "check"])
def test_an_unwritable_step_summary_in_plan_or_check_claims_no_release(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path, command: str
) -> None:
    """The one writer of the job summary said "what was released stands" for bot plan too."""
    repo = _released(make_repo)
    repo.commit("feat: a", {"a.txt": "a\n"})
    result = bot("-C", repo.path, command, env={"GITHUB_STEP_SUMMARY": str(tmp_path)})
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write $GITHUB_STEP_SUMMARY ({tmp_path}): Is a directory\n"
        "hint: check the runner's disk and $GITHUB_STEP_SUMMARY\n"
    )


def test_a_failed_release_tells_its_own_error_when_the_outputs_cannot_be_written(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    """A release that fails writes why to the outputs; when those cannot be written either, the
    error that stopped the release is the one told."""
    repo = _released(make_repo)
    repo.commit("fix: b\n\nRelease-As: soon\n", {"b.txt": "b\n"})
    repo.run("push", "--quiet", "origin", "main")
    result = bot("-C", repo.path, "release", env={"GITHUB_OUTPUT": str(tmp_path)})
    assert result.exit_code == 4
    assert "Traceback" not in result.stderr
    sha = repo.run("rev-parse", "--short=7", "HEAD").strip()
    assert result.stderr == (
        f"error: commit {sha} has 'Release-As: soon', which is not X.Y.Z\n"
        "hint: release with --version X.Y.Z or --bump LEVEL (the footer cannot be edited once "
        "merged)\n"
    )
    assert repo.run("ls-remote", "--tags", "origin", "v0.1.1") == ""  # nothing released


def test_the_step_summary_quotes_an_error_as_text(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    """The summary's log lines quote errors (a Release-As value from a commit): Markdown and
    HTML in them are text, not markup."""
    repo = _released(make_repo)
    repo.commit("fix: b\n\nRelease-As: <img src=x>[a](b)\n", {"b.txt": "b\n"})
    repo.run("push", "--quiet", "origin", "main")
    summary = tmp_path / "summary.md"
    result = bot("-C", repo.path, "release", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 4
    text = summary.read_text(encoding="utf-8")
    assert "\\<img src=x\\>\\[a\\](b)" in text
    assert "<img" not in text.replace("\\<img", "")


def test_a_forge_url_that_would_leave_its_markdown_link_is_not_written(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer, tmp_path: Path
) -> None:
    output, summary = _released_with_forge_url(
        make_repo, bot, forge, tmp_path, "><script>x</script>"
    )
    assert "forge_url=\n" in output
    assert "script" not in summary + output


def _released_with_forge_url(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer, tmp_path: Path, suffix: str
) -> tuple[str, str]:
    """A release whose forge answers with ``suffix`` after its ``html_url``: the texts of
    $GITHUB_OUTPUT and of the step summary."""
    repo = _released(make_repo)
    forge.git_dirs["acme/app"] = repo.path.parent / "origin.git"
    forge.faults.html_url_suffix = suffix
    repo.commit("feat: a", {"a.txt": "a\n"})
    repo.run("push", "--quiet", "origin", "main")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    _fine(bot("-C", repo.path, "release", env=env))
    return output.read_text(), summary.read_text()


def test_a_full_changelog_keeps_the_byte_order_mark(make_repo: RepoFactory, bot: CliRunner) -> None:
    repo = _released(make_repo)
    marker = "<!-- versionbot: insert releases below -->"
    repo.commit("docs: changelog", {"CHANGELOG.md": f"\ufeff{marker}\n"})
    _fine(bot("-C", repo.path, "changelog", "--full"))
    text = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("\ufeff# Changelog\n")
    assert text.count("\ufeff") == 1
    assert "## 0.1.0 " in text


def test_a_work_tree_whose_path_holds_a_line_separator(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """git's answer about the work tree was split with str.splitlines: a U+2028 in the folder's
    name cut its path in two (exit 3, "cannot change to ...")."""
    repo = make_repo("a\u2028b\x0cc")
    repo.commit("feat: a", {"a.txt": "a\n"})
    plan = bot("-C", repo.path, "plan", "--json")
    _fine(plan)
    assert plan.json()["next"]["version"] == "0.1.0"
