"""Shared fixtures: a sealed git environment, real temporary repositories, and CLI runners.

Every test that touches git drives the real ``git`` binary through ``subprocess`` with an
environment of its own: ``HOME`` in a temporary folder, no system config, a global config file
written here, ``init.defaultBranch=main``, no signing, and fixed author/committer dates that
advance by one minute per commit (so shas are the same on every machine and every run). Nothing
changes the working directory of the test process and nothing mocks git.

The same sealed variables are set in ``os.environ`` (with ``monkeypatch``) for the duration of a
test, so in-process calls (``versionbot.git.reader.read_history``,
``versionbot.cli.main.main``) see exactly what the ``bot`` subprocess sees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# 2024-01-01T00:00:00Z; each commit, merge, revert or annotated tag moves the clock one minute.
EPOCH = 1_704_067_200
_TICK = 60


def _sealed_variables(home: Path) -> dict[str, str]:
    """The whole environment a git or bot subprocess runs with (nothing inherited but PATH)."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        # The subprocess must write UTF-8 whatever the host's locale.
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUTF8": "1",
    }


_GLOBAL_CONFIG = """\
[user]
\tname = Test Author
\temail = author@example.com
[init]
\tdefaultBranch = main
[commit]
\tgpgsign = false
[tag]
\tgpgsign = false
[advice]
\tdetachedHead = false
[protocol "file"]
\tallow = always
"""


@dataclass(frozen=True)
class SealedEnv:
    """The sealed environment: its HOME and the variables every subprocess gets."""

    home: Path
    variables: Mapping[str, str]

    def with_dates(self, seconds: int) -> dict[str, str]:
        """The variables plus author and committer dates fixed at ``seconds`` since the epoch."""
        stamp = f"@{seconds} +0000"
        return {**self.variables, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


@pytest.fixture
def sealed_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> SealedEnv:
    """A HOME and git config of the test's own, also applied to ``os.environ`` for the test."""
    home = tmp_path_factory.mktemp("home")
    (home / ".config").mkdir()
    (home / "gitconfig").write_text(_GLOBAL_CONFIG, encoding="utf-8")
    variables = _sealed_variables(home)
    for key in list(os.environ):
        if key.startswith("GIT_"):
            monkeypatch.delenv(key)
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    return SealedEnv(home, variables)


class GitRepo:
    """A real git repository in a temporary folder, driven through the ``git`` binary."""

    def __init__(self, path: Path, env: SealedEnv, clock: list[int]) -> None:
        self.path = path
        self.env = env
        self._clock = clock  # shared by every repo of one test, so dates never repeat

    # -- plumbing ---------------------------------------------------------------------------

    def _advance(self) -> None:
        self._clock[0] += _TICK

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        """Run ``git -C <path> <args>``; return its stdout (stripped). Raise on failure."""
        result = self.run_raw(*args, input=input, check=check)
        return result.stdout.decode("utf-8", "replace").strip()

    def run_raw(
        self, *args: str, input: bytes | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git and return the whole CompletedProcess (bytes)."""
        result = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=input,
            capture_output=True,
            env=self.env.with_dates(self._clock[0]),
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"git {' '.join(args)} failed ({result.returncode}):\n"
                + result.stderr.decode("utf-8", "replace")
            )
        return result

    # -- porcelain --------------------------------------------------------------------------

    def write(self, name: str, content: str | bytes) -> Path:
        """Write a file in the work tree (folders created as needed)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(
        self,
        message: str,
        files: Mapping[str, str | bytes] | None = None,
        *,
        allow_empty: bool = True,
    ) -> str:
        """Write ``files``, stage everything, commit with ``message``; return the new sha."""
        for name, content in (files or {}).items():
            self.write(name, content)
        self.run("add", "--all")
        self._advance()
        extra = ["--allow-empty"] if allow_empty else []
        self.run("commit", "--quiet", "--no-verify", *extra, "--file", "-", input=message.encode())
        return self.head()

    def commit_bytes(self, message: bytes) -> str:
        """Commit ``message`` byte for byte with ``git commit -F file`` (no re-encoding)."""
        message_file = self.path.parent / f"{self.path.name}-message.txt"
        message_file.write_bytes(message)
        self._advance()
        self.run("commit", "--quiet", "--allow-empty", "-F", str(message_file))
        return self.head()

    def tag(self, name: str, *, annotated: bool = False, sha: str | None = None) -> None:
        """Make a lightweight (or annotated) tag on ``sha`` (default HEAD)."""
        target = [sha] if sha else []
        if annotated:
            self._advance()
            self.run("tag", "--annotate", "--message", f"release {name}", name, *target)
        else:
            self.run("tag", name, *target)

    def branch(self, name: str, start: str | None = None) -> None:
        """Create a branch (at ``start``, default HEAD) without switching to it."""
        self.run("branch", name, *([start] if start else []))

    def checkout(self, ref: str, *, create: bool = False, detach: bool = False) -> None:
        """Switch to ``ref`` (``-b`` with ``create``, ``--detach`` with ``detach``)."""
        flags = ["-b"] if create else ["--detach"] if detach else []
        self.run("checkout", "--quiet", *flags, ref)

    def merge(self, branch: str, *, no_ff: bool = True, message: str | None = None) -> str:
        """Merge ``branch`` into the current branch; return the sha of HEAD afterwards."""
        self._advance()
        flags = ["--no-ff"] if no_ff else ["--ff"]
        text = message or f"Merge branch '{branch}'"
        self.run("merge", "--quiet", "--no-edit", *flags, "-m", text, branch)
        return self.head()

    def revert(self, sha: str) -> str:
        """``git revert --no-edit <sha>``; return the revert commit's sha."""
        self._advance()
        self.run("revert", "--no-edit", sha)
        return self.head()

    def head(self) -> str:
        """The full sha of HEAD."""
        return self.run("rev-parse", "HEAD")

    def fast_import(self, messages: Sequence[str | bytes], *, branch: str = "main") -> list[str]:
        """Append one commit per message (oldest first) to ``branch`` in ONE ``git fast-import``.

        Each commit changes ``counter.txt`` so that trees differ. Returns the shas, oldest first.
        Thousands of commits take well under a second this way. Byte messages are stored as
        given: unlike ``git commit``, fast-import never converts a message to UTF-8.
        """
        parent = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
        chunks: list[bytes] = []
        for number, message in enumerate(messages, start=1):
            self._advance()
            data = message if isinstance(message, bytes) else message.encode("utf-8")
            content = f"{number}\n".encode()
            chunks.append(f"commit refs/heads/{branch}\nmark :{number}\n".encode())
            stamp = f"{self._clock[0]} +0000"
            chunks.append(f"author Test Author <author@example.com> {stamp}\n".encode())
            chunks.append(f"committer Test Author <author@example.com> {stamp}\n".encode())
            chunks.append(f"data {len(data)}\n".encode() + data + b"\n")
            if number == 1 and parent:
                chunks.append(f"from {parent}\n".encode())
            chunks.append(f"M 100644 inline counter.txt\ndata {len(content)}\n".encode())
            chunks.append(content + b"\n")
        stream = b"".join(chunks) + b"done\n"
        self.run_raw("fast-import", "--quiet", "--done", input=stream)
        self.run("reset", "--quiet", "--hard", branch)
        listed = self.run("rev-list", "--reverse", f"-{len(messages)}", branch)
        return listed.split()

    def clone(self, destination: Path, *args: str) -> GitRepo:
        """``git clone <args> file://<this repo> <destination>``; the clone shares the clock."""
        result = subprocess.run(
            ["git", "clone", "--quiet", *args, self.path.as_uri(), str(destination)],
            capture_output=True,
            env=self.env.with_dates(self._clock[0]),
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError("git clone failed:\n" + result.stderr.decode("utf-8", "replace"))
        return GitRepo(destination, self.env, self._clock)


RepoFactory = Callable[..., GitRepo]


@pytest.fixture
def make_repo(sealed_env: SealedEnv, tmp_path: Path) -> RepoFactory:
    """Make a fresh repository with ``git init`` (``make_repo("name")``)."""
    clock = [EPOCH]

    def factory(name: str = "repo") -> GitRepo:
        path = tmp_path / name
        path.mkdir()
        repo = GitRepo(path, sealed_env, clock)
        repo.run("init", "--quiet")
        return repo

    return factory


@pytest.fixture
def repo(make_repo: RepoFactory) -> GitRepo:
    """An empty repository (no commits yet) on branch ``main``."""
    return make_repo()


# -- running the CLI --------------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    """What one ``bot`` run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""  # the subprocess's raw stdout (empty for in-process runs)

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.stdout)


CliRunner = Callable[..., CliResult]


@pytest.fixture
def run_cli(sealed_env: SealedEnv, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``versionbot.cli.main.main([...])`` in this process; capture its output and exit code."""
    from versionbot.cli.main import main

    def runner(*args: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own exits (--version, --help, bad choices)
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return runner


def _installed_bot() -> str:
    """The path of the installed ``bot`` console script (the venv's, next to sys.executable)."""
    beside = Path(sys.executable).parent / "bot"
    if beside.is_file():
        return str(beside)
    found = shutil.which("bot")
    if found is None:
        raise RuntimeError("the `bot` console script is not installed (pip install -e .)")
    return found


@pytest.fixture(scope="session")
def bot_executable() -> str:
    """The installed ``bot`` console script."""
    return _installed_bot()


@pytest.fixture
def bot(sealed_env: SealedEnv, bot_executable: str) -> CliRunner:
    """Run the installed ``bot`` console script as a subprocess with the sealed environment.

    ``bot(*args, cwd=PATH, env={"NAME": "value" or None})``: ``env`` adds to (or, with None,
    removes from) the sealed variables.
    """

    def runner(
        *args: str | Path, cwd: Path | None = None, env: Mapping[str, str | None] | None = None
    ) -> CliResult:
        variables = dict(sealed_env.variables)
        for key, value in (env or {}).items():
            if value is None:
                variables.pop(key, None)
            else:
                variables[key] = value
        result = subprocess.run(
            [bot_executable, *(str(a) for a in args)],
            capture_output=True,
            env=variables,
            cwd=cwd or sealed_env.home,
            check=False,
            timeout=60,
        )
        return CliResult(
            result.returncode,
            result.stdout.decode("utf-8", "replace"),
            result.stderr.decode("utf-8", "replace"),
            result.stdout,
        )

    return runner


@pytest.fixture
def git_trace(sealed_env: SealedEnv, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Record every git command run in this process (``GIT_TRACE`` to a file)."""
    trace = sealed_env.home / "git-trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    return trace
