"""The reliability harness: projects to release, a killable release child, a fault proxy.

* ``new_project``: a seeded project (tests/git_remote.py's ``seed_project``) whose ``origin`` is
  the authenticated smart-HTTP git server, with a GitHub release due (tests/forge_server.py) and,
  when asked, an ``[images]`` table promoting a real two-platform index on a real registry.
* ``run_child``: ``bot release``'s code in a forked child that is its own process group and
  SIGKILLs the whole group (git children included, as a vanished runner) at the N-th *event* of
  ``release.execute``, or after a delay. Events are counted without patching our code: a
  ``sys.addaudithook`` sees every ``subprocess.Popen`` (each git command) and ``os.rename``
  (each atomic file write, just before its rename); an httpx transport sees every forge request
  before it is sent and after it is answered; registry event hooks see every registry answer.
* ``FaultProxy``: a small HTTP/1.1-aware TCP proxy on loopback (threaded, bounded: stalls end
  after ``stall_seconds``, the whole proxy after ``lifetime``) that passes requests through, or
  drops the connection, answers a status (500/502/503/429/401), or stalls, by rule.
* ``assert_converged``: one release commit, one tag, one changelog section, one forge release,
  every image tag at the source digest, a clean work tree, and a further run that changes nothing.
"""

from __future__ import annotations

import functools
import itertools
import json
import multiprocessing
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from conftest import GitRepo, RepoFactory
from forge_server import ForgeServer
from git_remote import (
    RELEASE_DATE,
    GitHttpServer,
    Remote,
    assert_released_once,
    ci_checkout,
    run_release,
    seed_project,
)
from versionbot.core.plan import PlanRequest
from versionbot.files.config_file import load_config
from versionbot.forge.settings import github_forge
from versionbot.git.repository_plan import package_plans, releases_at_head
from versionbot.registry.client import RegistryClient
from versionbot.registry.stage import RegistryImageStage
from versionbot.release.edges import git_writer
from versionbot.release.outcome import ReleaseOutcome
from versionbot.release.run import direct_releases
from versionbot.release.transaction import ReleaseEdges, execute

FORGE_TOKEN = "ghp_RELIABILITYFORGE0123456789abcdefgh"
IMAGE_TAGS = ("0.2.0", "0.2", "latest")


@dataclass(frozen=True)
class Images:
    """The image a project releases: where it is promoted from and to."""

    registry: str  # host:port the bot talks to
    source: str  # host/repo@digest
    digest: str
    target: str  # host/repo (no tag)
    ca_file: str | None = None  # the CA of a registry over TLS
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64")


@dataclass
class Project:
    """A repository with a release of 0.2.0 due, its remote and the environment of its runs."""

    repo: GitRepo
    remote: Remote
    env: dict[str, str]
    before: str
    images: Images | None = None

    @property
    def root(self) -> Path:
        """The work tree."""
        return self.repo.path


def images_table(images: Images) -> str:
    """The ``[tool.versionbot.images]`` table for ``images``."""
    return (
        "\n[tool.versionbot.images]\n"
        f'names = ["{images.target}"]\n'
        f'source = "{images.source}"\n'
        f"platforms = {json.dumps(list(images.platforms))}\n"
        'tags = ["{version}", "{major}.{minor}", "latest"]\n'
        + (f'ca_file = "{images.ca_file}"\n' if images.ca_file else "")
    )


def new_project(
    make_repo: RepoFactory,
    name: str,
    git_server: GitHttpServer,
    forge: ForgeServer,
    *,
    images: Images | None = None,
    url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Project:
    """A seeded project over the HTTP git server (or ``url``, e.g. a proxy in front of it)."""
    remote_url, path = git_server.new_repo(name)
    repo = make_repo(name)
    seed_project(repo, path, url or remote_url, images_table(images) if images else "")
    env = dict(repo.env.variables) | {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
        "VERSIONBOT_GIT_USERNAME": git_server.user,
        "VERSIONBOT_GIT_TOKEN": git_server.token,
        "SOURCE_DATE_EPOCH": "1717200000",  # RELEASE_DATE, for the CLI runs
        **(extra_env or {}),
    }
    remote = Remote(path)
    return Project(repo, remote, env, remote.head(), images)


def image_digest(registry_url: str, repository: str, tag: str) -> str | None:
    """The digest ``repository:tag`` has on a plain-HTTP registry, or None."""
    accept = ", ".join(
        [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
        ]
    )
    response = httpx.head(
        f"{registry_url}/v2/{repository}/manifests/{tag}",
        headers={"Accept": accept},
        trust_env=False,
        timeout=10,
    )
    return response.headers.get("Docker-Content-Digest") if response.status_code == 200 else None


def ci_rerun(project: Project) -> ReleaseOutcome:
    """Re-run the release the way CI re-runs a failed job: in a fresh clone of the remote with
    the triggering commit (``project.before``) checked out on main, never in the clone that
    failed (whose release commit, if any, is the remote's tip and starts no run: [skip ci])."""
    destination = project.root.with_name(f"{project.root.name}-ci-{next(_ci_runs)}")
    clone = ci_checkout(project.remote, project.repo, destination, project.before)
    return run_release(clone.path, project.env)


_ci_runs = itertools.count(1)


def assert_converged(
    project: Project,
    forge: ForgeServer,
    registry_url: str | None = None,
    *,
    same_clone: bool = True,
) -> str:
    """The release is made exactly once everywhere; one more run changes nothing. With
    ``same_clone`` False the runs were CI's (ci_rerun): the failed clone is not looked at."""
    sha = assert_released_once(project.remote, project.before)
    releases = forge.releases_of("acme/app")
    assert [(r["tag_name"], r["target_commitish"]) for r in releases] == [("v0.2.0", sha)]
    assert "add the thing" in releases[0]["body"]
    if same_clone:
        assert project.repo.head() == sha
        status = project.repo.run("status", "--porcelain", "--untracked-files=all", "--ignored")
        assert status == "", f"left in the work tree: {status}"
    if project.images is not None:
        assert registry_url is not None
        repository = project.images.target.partition("/")[2]
        for tag in IMAGE_TAGS:
            assert image_digest(registry_url, repository, tag) == project.images.digest, tag
    again = run_release(project.root, project.env) if same_clone else ci_rerun(project)
    assert not again.released
    assert any("already released" in line for line in again.log), again.log
    assert project.remote.head() == sha
    assert len(forge.releases_of("acme/app")) == 1
    return sha


# -- the killable release child ---------------------------------------------------------------


class KillSwitch:
    """Counts the events of a release; SIGKILLs the process group at event ``kill_at``."""

    def __init__(self, kill_at: int | None, root: Path) -> None:
        self.kill_at = kill_at
        self.root = root
        self.armed = False
        self.events: list[str] = []

    def event(self, label: str) -> None:
        """One event happened (or is about to): count it, and die if it is the chosen one."""
        if not self.armed:
            return
        self.events.append(label)
        if len(self.events) == self.kill_at:
            os.killpg(0, signal.SIGKILL)

    def audit(self, name: str, args: tuple[Any, ...]) -> None:
        """``sys.addaudithook`` hook: git commands and atomic renames."""
        if name == "subprocess.Popen":
            argv = [str(a) for a in args[1]]
            verb = next((a for a in argv[1:] if not a.startswith("-") and "=" not in a), "?")
            if "-C" in argv:  # git -C ROOT [-c k=v ...] VERB
                rest = argv[argv.index("-C") + 2 :]
                verb = next(
                    (a for i, a in enumerate(rest) if a != "-c" and rest[i - 1] != "-c"), "?"
                )
            self.event(f"git {verb}")
        elif name == "os.rename" and Path(str(args[1])).is_relative_to(self.root):
            # Only the work tree's files.
            self.event(f"rename -> {Path(str(args[1])).name}")


class _KillingTransport(httpx.BaseTransport):
    """The forge's HTTP transport, with an event before each request and after each answer."""

    def __init__(self, switch: KillSwitch) -> None:
        self._inner = httpx.HTTPTransport()
        self._switch = switch

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        what = f"forge {request.method} {request.url.path.rpartition('/')[2]}"
        self._switch.event(f"{what} (not sent)")
        response = self._inner.handle_request(request)
        self._switch.event(f"{what} (answer unheard)")
        return response

    def close(self) -> None:
        self._inner.close()


def _child(root: Path, env: dict[str, str], kill_at: int | None, delay: float | None) -> None:
    try:
        _release_in_child(root, env, kill_at, delay)
    except BaseException:
        root.with_name(root.name + "-error.txt").write_text(traceback.format_exc())
        os._exit(1)


def _release_in_child(
    root: Path, env: dict[str, str], kill_at: int | None, delay: float | None
) -> None:
    os.setpgrp()  # one group: the kill takes git's children too, as a vanished runner would
    switch = KillSwitch(kill_at, root)
    sys.addaudithook(switch.audit)
    config = load_config(root, None)
    requests = {"": PlanRequest(date=RELEASE_DATE)}
    plans = package_plans(root, config, requests)
    git = git_writer(root, config, env)
    releases = direct_releases(
        plans, releases_at_head(root, config, requests, plans), config, git, remote=True
    )
    url = subprocess.run(
        ["git", "-C", str(root), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()
    forge = github_forge(env, url, transport=_KillingTransport(switch))

    def answered(response: httpx.Response) -> None:
        request = response.request
        switch.event(f"registry {request.method} {request.url.path} -> {response.status_code}")

    client = functools.partial(RegistryClient, event_hooks={"response": [answered]})
    images = {"": RegistryImageStage(config, root, env, make_client=client)}
    edges = ReleaseEdges(git, forge, images if config.images else {})
    if delay is not None:
        threading.Timer(delay, os.killpg, (0, signal.SIGKILL)).start()
    switch.armed = True
    started = time.monotonic()
    execute(releases, config, edges)
    report = {"events": switch.events, "seconds": time.monotonic() - started}
    # Renamed into place: the delay's kill may land while the report is written, and a
    # killed run must leave no report rather than half of one.
    written = root.with_name(root.name + "-events.json.tmp")
    written.write_text(json.dumps(report))
    os.replace(written, root.with_name(root.name + "-events.json"))
    os._exit(0)  # before the delay timer can fire: a finished run is not a killed one


@dataclass
class ChildRun:
    """How the child ended, and (when it finished) the events it went through."""

    exitcode: int | None
    events: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def killed(self) -> bool:
        """Whether SIGKILL ended it."""
        return self.exitcode == -signal.SIGKILL


def run_child(
    root: Path, env: Mapping[str, str], *, kill_at: int | None = None, delay: float | None = None
) -> ChildRun:
    """The release in a forked child, killed at event ``kill_at`` or after ``delay`` seconds."""
    report = root.with_name(root.name + "-events.json")
    report.unlink(missing_ok=True)
    root.with_name(root.name + "-error.txt").unlink(missing_ok=True)
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_child, args=(root, dict(env), kill_at, delay))
    child.start()
    child.join(timeout=90)
    if child.exitcode is None:
        assert child.pid is not None
        os.killpg(child.pid, signal.SIGKILL)
        child.join(timeout=10)
        raise AssertionError("the release child hung")
    error = root.with_name(root.name + "-error.txt")
    if error.exists():
        raise AssertionError(f"the release child failed:\n{error.read_text()}")
    if report.exists():
        data = json.loads(report.read_text())
        return ChildRun(child.exitcode, data["events"], data["seconds"])
    return ChildRun(child.exitcode)


# -- a fault-injecting HTTP proxy -------------------------------------------------------------


@dataclass
class Rule:
    """What the proxy does to requests that ``match`` (method, target): ``times`` of them
    (None: all), after letting ``skip`` matching ones through."""

    match: Callable[[str, str], bool]
    action: str  # "drop" | "stall" | "status"
    status: int = 503
    times: int | None = 1
    skip: int = 0
    headers: tuple[tuple[str, str], ...] = ()


def _read_head(reader: Any) -> bytes | None:
    lines = []
    while True:
        line = reader.readline(65537)
        if not line:
            return None
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            return b"".join(lines)


def _headers(head: bytes) -> dict[str, str]:
    found = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


def _read_body(reader: Any, headers: dict[str, str], *, until_eof: bool) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size_line = reader.readline()
            out += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:
                    trailer = reader.readline()
                    out += trailer
                    if trailer in (b"\r\n", b"\n", b""):
                        return bytes(out)
            out += reader.read(size + 2)
    if "content-length" in headers:
        return bytes(reader.read(int(headers["content-length"])))
    return bytes(reader.read()) if until_eof else b""


class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 in front of ``upstream``, injecting faults by rule."""

    def __init__(
        self, upstream: tuple[str, int], *, stall_seconds: float = 20.0, lifetime: float = 180.0
    ) -> None:
        self.upstream = upstream
        self.stall_seconds = stall_seconds
        self.lifetime = lifetime
        self.rules: list[Rule] = []
        self.log: list[tuple[str, str, str]] = []  # (method, target, what happened)
        self.timings: list[tuple[str, str, float]] = []  # passed through: how long it took
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The proxy's port."""
        return int(self._listener.getsockname()[1])

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    def add(self, rule: Rule) -> None:
        """Apply ``rule`` from now on."""
        with self._lock:
            self.rules.append(rule)

    def clear(self) -> None:
        """Pass everything through from now on."""
        with self._lock:
            self.rules.clear()

    def __enter__(self) -> FaultProxy:
        self._listener.settimeout(0.1)
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        self._timer = threading.Timer(self.lifetime, self._stop.set)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._timer.cancel()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()

    def _take(self, method: str, target: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.times == 0 or not rule.match(method, target):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    return None
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        client.settimeout(self.stall_seconds + 5)
        reader = client.makefile("rb")
        try:
            if client.recv(1, socket.MSG_PEEK) == b"\x16":
                # A TLS hello (the registry client probes HTTPS first): answer as a plain-HTTP
                # server does, at once, so the client falls back to HTTP.
                client.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
                return
            while not self._stop.is_set():
                head = _read_head(reader)
                if head is None:
                    return
                method, target = ([*head.split(b" ", 2), b"", b""])[:2]
                name, path = method.decode(), target.decode("latin-1")
                headers = _headers(head)
                if headers.get("expect", "").lower() == "100-continue":
                    client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                    head = b"\r\n".join(
                        line
                        for line in head.split(b"\r\n")
                        if not line.lower().startswith(b"expect:")
                    )
                body = _read_body(reader, headers, until_eof=False)
                rule = self._take(name, path)
                self.log.append((name, path, rule.action if rule else "pass"))
                began = time.monotonic()
                if rule is not None and not self._fault(client, rule):
                    return
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=30)
                    upstream_reader = upstream.makefile("rb")
                upstream.sendall(head + body)
                answer = _read_head(upstream_reader)
                if answer is None:
                    return
                status = int(answer.split(b" ", 2)[1])
                answer_headers = _headers(answer)
                bodyless = name == "HEAD" or status in (204, 304) or status < 200
                payload = (
                    b"" if bodyless else _read_body(upstream_reader, answer_headers, until_eof=True)
                )
                client.sendall(answer + payload)
                self.timings.append((name, path, time.monotonic() - began))
                if answer_headers.get("connection", "").lower() == "close":
                    return
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    sock.close()

    def _fault(self, client: socket.socket, rule: Rule) -> bool:
        """Act out ``rule``; False: the connection is over."""
        if rule.action == "drop":
            # RST, not FIN: the peer sees "connection reset", as from a dying load balancer.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if rule.action == "stall":
            self._stop.wait(self.stall_seconds)
            return False
        body = json.dumps({"message": f"injected {rule.status}"}).encode()
        lines = [f"HTTP/1.1 {rule.status} Injected", f"Content-Length: {len(body)}"]
        lines += ["Content-Type: application/json", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in rule.headers]
        client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return False
