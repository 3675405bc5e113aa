"""Real git remotes for the release tests: an authenticated smart-HTTP server and bare repos.

``GitHttpServer`` is our own small server, standard library only: a threading ``http.server``
on 127.0.0.1 at a port the OS picks, which checks HTTP Basic auth (one user, one random token)
and hands every request under ``/git/`` to ``git http-backend``, git's own CGI program, so the
protocol (upload-pack, receive-pack, refs advertisement) is the real one. Pushes are allowed
(``http.receivepack``), forced pushes are refused (``receive.denyNonFastForwards``, a protected
branch's stand-in). A request without the right credentials gets ``401`` and a
``WWW-Authenticate`` challenge, as a real forge answers.

``bare_repo`` makes a fresh bare repository for one test (under the server's root for an HTTP
remote, or anywhere for a ``file://`` remote). Per-test isolation is by repository name; the
server is shared by a whole session.
"""

from __future__ import annotations

import base64
import hmac
import multiprocessing
import os
import secrets
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from conftest import GitRepo
from loopback import LoopbackHTTP
from versionbot.cli.github_outputs import whole_repository
from versionbot.core.plan import PlanRequest
from versionbot.files.config_file import load_config
from versionbot.git.writer import PushResult
from versionbot.release.edges import git_writer
from versionbot.release.outcome import ReleaseOutcome
from versionbot.release.run import run_release as run_bot_release
from versionbot.release.transaction import ReleaseGit

USER = "release-bot"


def _backend() -> str:
    exec_path = subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return str(Path(exec_path) / "git-http-backend")


def bare_repo(path: Path) -> Path:
    """``git init --bare`` at ``path`` (branch main), refusing non-fast-forward pushes."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(path.parent)}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    for args in (
        ["init", "--quiet", "--bare", "--initial-branch=main", str(path)],
        ["-C", str(path), "config", "receive.denyNonFastForwards", "true"],
        ["-C", str(path), "config", "receive.denyDeletes", "true"],
        ["-C", str(path), "config", "http.receivepack", "true"],
    ):
        subprocess.run(["git", *args], check=True, capture_output=True, env=env)
    return path


class GitHttpServer:
    """``git http-backend`` behind Basic auth on loopback; a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.user = USER
        self.token = "gt_" + secrets.token_hex(20)
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.lock = threading.Lock()
        self._backend = _backend()
        self._http: LoopbackHTTP | None = None

    def __enter__(self) -> GitHttpServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._http = LoopbackHTTP(Handler)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._http is not None
        self._http.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/git`` (no credentials: they never go into a URL)."""
        assert self._http is not None
        return f"http://127.0.0.1:{self._http.port}/git"

    def new_repo(self, name: str) -> tuple[str, Path]:
        """A fresh bare repository: its URL (without credentials) and its path on disk."""
        path = bare_repo(self.root / f"{name}.git")
        return f"{self.base_url}/{name}.git", path


class _Handler(BaseHTTPRequestHandler):
    owner: GitHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the tests scan output for the token and want only the bot's output there."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        owner = self.owner
        return hmac.compare_digest(user, owner.user) and hmac.compare_digest(password, owner.token)

    def _record(self, status: int) -> None:
        with self.owner.lock:
            self.owner.requests.append((self.command, self.path, status))

    def _serve(self) -> None:
        url = urlsplit(self.path)
        body = self._body()
        if not url.path.startswith("/git/"):
            self._answer(404, [], b"")
            return
        if not self._authorized():
            self._answer(401, [("WWW-Authenticate", 'Basic realm="versionbot-tests"')], b"")
            return
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(self.owner.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_PROJECT_ROOT": str(self.owner.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path.removeprefix("/git"),
            "QUERY_STRING": url.query,
            "REMOTE_USER": self.owner.user,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
        }
        for header, variable in (
            ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
            ("Git-Protocol", "GIT_PROTOCOL"),
        ):
            if self.headers.get(header):
                env[variable] = self.headers[header]
        proc = subprocess.run(
            [self.owner._backend], input=body, env=env, capture_output=True, check=False
        )
        head, found, payload = proc.stdout.partition(b"\r\n\r\n")
        if not found:
            head, _, payload = proc.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self._answer(status, headers, payload)

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self._record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def git_http_server(root: Path) -> Iterator[GitHttpServer]:
    """Start a server serving the bare repositories under ``root``; stop it afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    with GitHttpServer(root) as server:
        yield server


# -- a project to release, and the release run the tests drive ---------------------------------

PYPROJECT = """\
[project]
name = "pkg"
version = "0.1.0"  # written by versionbot
requires-python = ">=3.11"

[tool.versionbot]
version_files = ["pyproject.toml", "src/pkg/__init__.py:__version__"]
"""
PACKAGE_INIT = '"""The package."""\n\n__version__ = "0.1.0"\n'
RELEASE_DATE = "2024-06-01"
SUBJECT = "chore(release): 0.2.0 [skip ci]"


def released_v0_1_0(repo: GitRepo) -> GitRepo:
    """``repo`` with a first commit released as v0.1.0, on a ``file://`` origin beside it
    (``origin.git``) that has both: the start of the hostile-input tests."""
    repo.commit("feat: initial", {"README.md": "app\n"})
    repo.tag("v0.1.0", annotated=True)
    remote = bare_repo(repo.path.parent / "origin.git")
    repo.run("remote", "add", "origin", remote.as_uri())
    repo.run("push", "--quiet", "origin", "main", "v0.1.0")
    return repo


def seed_project(repo: GitRepo, remote_path: Path, remote_url: str, extra: str = "") -> None:
    """v0.1.0, a feature and a fix after it, all on the remote; ``origin`` is ``remote_url``."""
    repo.commit(
        "feat: initial",
        {"pyproject.toml": PYPROJECT + extra, "src/pkg/__init__.py": PACKAGE_INIT},
    )
    repo.tag("v0.1.0", annotated=True)
    repo.commit("feat(api): add the thing", {"src/pkg/thing.py": "THING = 1\n"})
    repo.commit("fix: mend the other thing", {"src/pkg/other.py": "OTHER = 2\n"})
    repo.run("push", "--quiet", remote_path.as_uri(), "main", "v0.1.0")
    repo.run("remote", "add", "origin", remote_url)


class Remote:
    """Facts read straight from a bare repository on disk (no bot code involved)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True) -> str:
        """``git --git-dir=<bare> args``; stdout stripped."""
        result = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            capture_output=True,
            check=False,
            env={"PATH": os.environ.get("PATH", os.defpath), "GIT_CONFIG_NOSYSTEM": "1"},
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {result.stderr.decode()}")
        return result.stdout.decode().strip()  # no newline translation: CRLF stays

    def head(self) -> str:
        """The sha of main."""
        return self.git("rev-parse", "refs/heads/main")

    def tags(self) -> list[str]:
        """Every tag name."""
        return self.git("tag", "--list").split()

    def subjects(self) -> list[str]:
        """Subjects of main, newest first."""
        return self.git("log", "--format=%s", "refs/heads/main").splitlines()

    def show(self, spec: str) -> str:
        """``git show spec`` (a file at a commit: ``main:CHANGELOG.md``)."""
        return self.git("show", spec)


def assert_released_once(remote: Remote, before: str) -> str:
    """main is ``before`` plus exactly one release commit of 0.2.0, tagged v0.2.0 (annotated),
    holding the version files and one changelog section. Returns the release commit's sha."""
    sha = remote.head()
    assert remote.subjects().count(SUBJECT) == 1
    assert remote.git("rev-parse", f"{sha}^") == before
    assert remote.subjects()[0] == SUBJECT
    assert remote.tags() == ["v0.1.0", "v0.2.0"]
    assert remote.git("cat-file", "-t", "refs/tags/v0.2.0") == "tag"
    assert remote.git("rev-parse", "refs/tags/v0.2.0^{commit}") == sha
    changelog = remote.show(f"{sha}:CHANGELOG.md")
    assert [line for line in changelog.splitlines() if line.startswith("## ")] == [
        f"## 0.2.0 ({RELEASE_DATE})"
    ]
    assert 'version = "0.2.0"  # written by versionbot' in remote.show(f"{sha}:pyproject.toml")
    assert '__version__ = "0.2.0"' in remote.show(f"{sha}:src/pkg/__init__.py")
    return sha


FaultPoint = Literal["before-commit", "after-commit", "after-tag", "before-push", "after-push"]


class FaultyGit:
    """The release's real git edge, wrapped, with an action (raise, SIGKILL, wait) at one
    point; every other operation goes to the real one."""

    def __init__(self, inner: ReleaseGit, at: FaultPoint, action: Callable[[], None]) -> None:
        self.inner = inner
        self.at = at
        self.action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _point(self, name: FaultPoint) -> None:
        if name == self.at:
            self.action()

    def commit(self, paths: list[str], message: str) -> str:
        """Commit, with the fault before or after it."""
        self._point("before-commit")
        sha: str = self.inner.commit(paths, message)
        self._point("after-commit")
        return sha

    def tag(self, name: str, sha: str, message: str, *, sign: bool) -> None:
        """Tag, with the fault after it."""
        self.inner.tag(name, sha, message, sign=sign)
        self._point("after-tag")

    def push_atomically(self, remote: str, refspecs: list[str]) -> PushResult:
        """Push, with the fault before it, or after it when it was accepted."""
        self._point("before-push")
        result: PushResult = self.inner.push_atomically(remote, refspecs)
        if result.accepted:
            self._point("after-push")
        return result


def kill_self() -> None:
    """SIGKILL this process: no cleanup, no finally, no atexit (a runner that vanished)."""
    os.kill(os.getpid(), signal.SIGKILL)


def run_release(
    root: Path, env: Mapping[str, str], fault: tuple[FaultPoint, Callable[[], None]] | None = None
) -> ReleaseOutcome:
    """What ``bot release`` does, in this process, with a fault in its git edge if asked; the
    outcome of the repository's one package, with the run's log."""
    config = load_config(root, None)
    git: ReleaseGit = git_writer(root, config, env)
    if fault is not None:
        git = FaultyGit(git, *fault)
    requests = {"": PlanRequest(date=RELEASE_DATE)}
    return whole_repository(run_bot_release(root, config, requests, env, git=git))


def run_killed(root: Path, env: Mapping[str, str], at: FaultPoint) -> None:
    """Run the release in a forked child that SIGKILLs itself at ``at``; check that it did."""
    context = multiprocessing.get_context("fork")
    child = context.Process(target=run_release, args=(root, env, (at, kill_self)))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == -signal.SIGKILL, f"the child ended with {child.exitcode}"


def clone_remote(remote: Remote, like: GitRepo, destination: Path) -> GitRepo:
    """A clone of the bare ``remote`` (origin = its path), sharing ``like``'s env and clock."""
    clone = GitRepo(destination, like.env, like._clock)
    destination.mkdir()
    clone.run("clone", "--quiet", remote.path.as_uri(), ".")
    return clone


def ci_checkout(remote: Remote, like: GitRepo, destination: Path, at: str) -> GitRepo:
    """The checkout of a CI re-run ("Re-run failed jobs"): a fresh clone of ``remote`` with
    ``origin`` as ``like`` has it and main at ``at``, the triggering commit; never the clone
    that failed."""
    clone = clone_remote(remote, like, destination)
    clone.run("remote", "set-url", "origin", like.run("remote", "get-url", "origin"))
    clone.run("checkout", "--quiet", "-B", "main", at)
    return clone
