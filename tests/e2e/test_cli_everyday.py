"""The command line as people expect it: help with examples, completion, --quiet, --json, colour
only on a terminal (never with NO_COLOR), progress only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CliRunner, GitRepo, SealedEnv

COMMANDS = ["plan", "release", "changelog", "check", "init", "images", "completion"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(bot: CliRunner, command: str) -> None:
    result = bot(command, "--help")
    assert result.exit_code == 0, result.stderr
    assert "usage: bot" in result.stdout
    assert "example" in result.stdout


def test_top_level_help_lists_every_command(bot: CliRunner) -> None:
    result = bot("--help")
    for command in COMMANDS:
        assert command in result.stdout


def test_bash_completion_completes_commands_subcommands_and_options(bot: CliRunner) -> None:
    script = bot("completion", "bash").stdout
    cases = {
        "bot pl": "plan",
        "bot images p": "plan push",
        "bot plan --j": "--json",
        "bot changelog --un": "--unreleased",
    }
    for line, expected in cases.items():
        words = line.split()
        probe = (
            f"{script}\nCOMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
            '_versionbot_complete; echo "${COMPREPLY[@]}"'
        )
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == expected, (line, done.stdout, done.stderr)


def test_bash_completion_completes_option_values(
    bot: CliRunner, repo: GitRepo, tmp_path: Path
) -> None:
    """Choices, files (FILE), folders (PATH) and git revisions (REV, the range of check)."""
    repo.commit("feat: first")
    repo.tag("v0.1.0")
    repo.tag("v0.2.0-rc.1")
    (tmp_path / "msgs").mkdir()
    (tmp_path / "msg.txt").write_text("feat: x\n")
    script = bot("completion", "bash").stdout
    cases = {
        "bot plan --bump m": "major minor",
        "bot release --bump p": "patch",
        f"bot check --message-file {tmp_path}/ms": f"{tmp_path}/msg.txt {tmp_path}/msgs",
        f"bot -C {tmp_path}/ms": f"{tmp_path}/msgs",
        f"bot -C {tmp_path} plan --j": "--json",  # the folder is skipped, the command found
        "bot plan --base v0": "v0.1.0 v0.2.0-rc.1",
        "bot check v0.2": "v0.2.0-rc.1",
        "bot completion z": "zsh",
        "bot plan --prerelease r": "",  # a free value: nothing to offer
    }
    for line, expected in cases.items():
        words = line.split()
        probe = (
            f"{script}\nCOMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
            '_versionbot_complete; echo "${COMPREPLY[@]}"'
        )
        done = subprocess.run(
            ["bash", "-c", probe], capture_output=True, text=True, check=True, cwd=repo.path
        )
        assert " ".join(sorted(done.stdout.split())) == expected, (line, done.stdout, done.stderr)


def test_zsh_and_fish_scripts_name_every_command(bot: CliRunner) -> None:
    zsh = bot("completion", "zsh").stdout
    assert zsh.startswith("#compdef bot versionbot")
    fish = bot("completion", "fish").stdout
    for command in COMMANDS:
        assert f"-a {command}" in fish
    assert "complete -c bot -n '__fish_seen_subcommand_from plan' -l json" in fish
    assert "-n '__fish_seen_subcommand_from plan' -l bump -x -a 'major minor patch'" in fish
    assert "-n '__fish_seen_subcommand_from check' -l message-file -r -F" in fish
    for shell, script in (("zsh", zsh), ("fish", fish)):
        binary = shutil.which(shell)
        if binary is not None:  # the shell parses its own script (zsh -n, fish --no-execute)
            flag = "-n" if shell == "zsh" else "--no-execute"
            subprocess.run([binary, flag], input=script, text=True, check=True)


def test_quiet_and_json(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v0.1.0")
    repo.commit("fix: second")
    quiet = bot("-C", repo.path, "changelog", "--quiet")
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stdout == ""
    assert (repo.path / "CHANGELOG.md").exists()
    again = bot("-C", repo.path, "changelog", "--json")
    assert again.json() == {
        "file": str(repo.path / "CHANGELOG.md"),
        "added": [],
        "changed": False,
        "written": False,
        "left_out": [],
    }


def test_errors_are_plain_on_a_pipe_and_with_no_color(bot: CliRunner, tmp_path: Path) -> None:
    result = bot("-C", tmp_path, "plan")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ")
    assert "\033[" not in result.stderr


def _run_on_terminal(
    sealed_env: SealedEnv, bot_executable: str, args: list[str], extra: dict[str, str]
) -> tuple[int, str]:
    """Run ``bot`` with stdout and stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    env = {**sealed_env.variables, "TERM": "xterm", **extra}
    process = subprocess.Popen(
        [bot_executable, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=30), shown.decode("utf-8", "replace")


def test_colour_on_a_terminal_only_without_no_color(
    sealed_env: SealedEnv, bot_executable: str, tmp_path: Path
) -> None:
    code, shown = _run_on_terminal(sealed_env, bot_executable, ["-C", str(tmp_path), "plan"], {})
    assert code == 3
    assert "\033[31merror:\033[0m" in shown
    code, shown = _run_on_terminal(
        sealed_env, bot_executable, ["-C", str(tmp_path), "plan"], {"NO_COLOR": "1"}
    )
    assert code == 3
    assert "\033[" not in shown
    assert "error: " in shown


def test_progress_only_on_a_terminal(
    repo: GitRepo, sealed_env: SealedEnv, bot_executable: str, bot: CliRunner
) -> None:
    repo.fast_import([f"fix: change {n}" for n in range(5000)])
    code, shown = _run_on_terminal(sealed_env, bot_executable, ["-C", str(repo.path), "plan"], {})
    assert code == 0
    assert "commits read" in shown  # the counter, then erased before the report
    assert "\r\033[K" in shown
    piped = bot("-C", repo.path, "plan")
    assert "commits read" not in piped.stdout + piped.stderr
    code, shown = _run_on_terminal(
        sealed_env, bot_executable, ["-C", str(repo.path), "--quiet", "plan"], {}
    )
    assert "commits read" not in shown


def test_json_of_release_is_the_ci_outputs(repo: GitRepo, bot: CliRunner, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo.commit("feat: first")
    repo.run("remote", "add", "origin", remote.as_uri())
    repo.run("push", "-q", "origin", "main")
    result = bot("-C", repo.path, "release", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["released"] == "true"
    assert document["version"] == "0.1.0"
    assert document["tag"] == "v0.1.0"
    assert any("pushed" in line for line in document["log"])


def test_init_json(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    result = bot("-C", repo.path, "init", "--stdout", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["written"] is False
    assert 'tag_format = "v{version}"' in document["config"]
    assert any("v{version}" in line for line in document["detected"])
