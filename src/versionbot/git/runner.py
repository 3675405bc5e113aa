"""The one way versionbot runs ``git``: the environment, the command line, the failure.

Edge. Every git process (the history reader's, the release writer's, the image builders') is
started here, so the choices that keep git predictable are made once: never prompt for
credentials (a CI job has no terminal), English messages (so a rejection can be recognised),
and a missing git binary is one clear error. Callers add their own configuration (``-c``
options) and decide what a failure means; secrets are the caller's to redact.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from versionbot.core.errors import RepositoryError

_NOT_INSTALLED = ("git is not installed", "install git (apt-get install git)")
# What every git that reads the history runs with, whatever the user's git configuration says:
# no pager, no signature checks, no colour, UTF-8 output, paths unquoted.
READ_OPTIONS = (
    "--no-pager",
    "-c", "log.showSignature=false",
    "-c", "color.ui=never",
    "-c", "i18n.logOutputEncoding=UTF-8",
    "-c", "core.quotePath=false",
)  # fmt: skip


def git_env(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with git pinned: no credential prompt, English messages."""
    return {**base, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}


def git_command(cwd: Path | str, args: Sequence[str], options: Sequence[str] = ()) -> list[str]:
    """``git -C cwd OPTIONS ARGS``."""
    return ["git", "-C", str(cwd), *options, *args]


def run_git(
    cwd: Path | str,
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    options: Sequence[str] = (),
    stdin: int | IO[bytes] = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[bytes]:
    """Run git to the end with its output captured; never raises for git's own exit code,
    only when git is not installed. ``stdin``: another git's output, to read (a pipeline)."""
    command = git_command(cwd, args, options)
    try:
        return subprocess.run(command, capture_output=True, env=dict(env), stdin=stdin, check=False)
    except FileNotFoundError:
        raise RepositoryError(*_NOT_INSTALLED) from None


def start_git(
    cwd: Path | str,
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    options: Sequence[str] = (),
    stderr: int = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """Start git with its standard output on a pipe, unbuffered, to read while it writes."""
    try:
        return subprocess.Popen(
            git_command(cwd, args, options),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=dict(env),
            bufsize=0,
        )
    except FileNotFoundError:
        raise RepositoryError(*_NOT_INSTALLED) from None


def last_line(text: str) -> str:
    """The last non-blank line of git's message (where git says why), or "no message"."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def decoded(result: subprocess.CompletedProcess[bytes]) -> subprocess.CompletedProcess[str]:
    """``result`` with its output as text, as ``subprocess.run(text=True)`` gives it: UTF-8
    (undecodable bytes replaced), line endings as ``\n``."""
    out, err = (
        stream.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        for stream in (result.stdout, result.stderr)
    )
    return subprocess.CompletedProcess(result.args, result.returncode, out, err)
