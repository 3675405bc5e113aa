"""A local, strict stand-in for GitHub's releases and pull-request API, for the forge tests.

NOT GitHub: no real forge can be installed here (see testinfra/README.md section 5), so
this is our own small server, standard library only: a threading ``http.server`` on
127.0.0.1 at a port the OS picks. It follows
https://docs.github.com/en/rest/releases/releases for the three calls the bot makes:

    GET   /repos/{owner}/{repo}/releases/tags/{tag}   200 release | 404
    POST  /repos/{owner}/{repo}/releases              201 | 422 already_exists
    PATCH /repos/{owner}/{repo}/releases/{id}         200 | 404

and, for the release pull request, https://docs.github.com/en/rest/pulls/pulls:

    GET   /repos/{owner}/{repo}/pulls?head=owner:branch&state=open|closed|all   200 [..]
    POST  /repos/{owner}/{repo}/pulls           201 | 422 (one open per head)
    PATCH /repos/{owner}/{repo}/pulls/{number}  200 | 404 | 422 (a merged one stays shut)

Merging is what a person does on the forge: the test makes the merge in git, then tells the
server (``merge_pull``). With ``git_dirs`` set for a repository, a pull request's head and base
must be branches of that bare repository, as on GitHub.

It is strict where GitHub is lenient, so a sloppy client fails here first: every request must
carry exactly GitHub's headers (``Authorization: Bearer TOKEN``, ``Accept:
application/vnd.github+json``, ``X-GitHub-Api-Version: 2022-11-28``, a ``versionbot/``
User-Agent), and JSON bodies must hold exactly the documented fields with the documented
types. A request that breaks a rule is answered 400 and listed in ``violations``, which the
tests assert empty.

Tests can make the next requests fail (``fail_next``: 500/502/503/429/403 with Retry-After,
``disconnect_next``: close the connection without an answer), make the next create lose a race
(``race_next_create``: another run's release appears, the POST answers already_exists), lose
the answer of a create that succeeded (``lose_next_create_answer``), and make error bodies echo
the caller's Authorization header (``echo_credentials``: a careless proxy; also URL-encoded and
in base64) for leak tests.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from loopback import LoopbackHTTP

GITHUB_API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest/releases/releases"

CREATE_FIELDS: dict[str, type] = {
    "tag_name": str,
    "target_commitish": str,
    "name": str,
    "body": str,
    "draft": bool,
    "prerelease": bool,
    "make_latest": str,
}
UPDATE_FIELDS: dict[str, type] = {
    "name": str,
    "body": str,
    "draft": bool,
    "prerelease": bool,
    "make_latest": str,
}
CREATE_PULL_FIELDS: dict[str, type] = {
    "title": str,
    "head": str,
    "base": str,
    "body": str,
    "draft": bool,
    "maintainer_can_modify": bool,
}
UPDATE_PULL_FIELDS: dict[str, type] = {
    "title": str,
    "body": str,
    "state": str,
    "base": str,
    "maintainer_can_modify": bool,
}
LIST_PULL_PARAMETERS = {"state", "head", "base", "sort", "direction", "per_page", "page"}
_SHA = re.compile(r"[0-9a-f]{40}")
# Enough of git's ref-name rules to refuse the tags a test sends on purpose.
_BAD_TAG = re.compile(r"[\s~^:?*\[\\]|\.\.|@\{|^[./-]|[./]$|\.lock$")


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it (header names lower-cased, path as sent)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class _Faults:
    fail: list[tuple[int, str | None] | None] = field(default_factory=list)
    disconnect: int = 0
    race_create: bool = False
    lose_create_answer: bool = False
    echo_credentials: bool = False
    html_url_suffix: str = ""  # appended to every release's html_url (a hostile forge)


class ForgeServer:
    """The server: start it (a context manager), point a client at ``url``, read ``requests``."""

    def __init__(
        self,
        token: str,
        *,
        repositories: tuple[str, ...] = ("acme/app",),
    ) -> None:
        self.token = token
        self.repositories = repositories
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.releases: dict[str, list[dict[str, Any]]] = {}
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        self.git_dirs: dict[str, Path] = {}  # repository -> bare repo whose branches PRs use
        self.faults = _Faults()
        # "Get a repository" answers a user's token with its ``permissions``; an installation
        # token (Actions' GITHUB_TOKEN) gets none: None here.
        self.permissions: dict[str, bool] | None = None
        self.lock = threading.Lock()
        self._next_id = 1
        self._http: LoopbackHTTP | None = None

    # -- life -------------------------------------------------------------------------------

    def __enter__(self) -> ForgeServer:
        server = self

        class Handler(_Handler):
            forge = server

        self._http = LoopbackHTTP(Handler)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._http is not None
        self._http.close()

    @property
    def port(self) -> int:
        """The port the OS gave us."""
        assert self._http is not None
        return self._http.port

    @property
    def url(self) -> str:
        """The API base URL a client is given (``GITHUB_API_URL``)."""
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every release, request, violation and planned fault."""
        with self.lock:
            self.requests.clear()
            self.violations.clear()
            self.releases.clear()
            self.pulls.clear()
            self.git_dirs.clear()
            self.faults = _Faults()
            self.permissions = None
            self._next_id = 1

    # -- what tests plan --------------------------------------------------------------------

    def fail_next(
        self, count: int, status: int = 500, *, retry_after: str | None = None, after: int = 0
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and Retry-After, if given), once
        ``after`` requests were answered as usual (a release's first request is its check)."""
        with self.lock:
            self.faults.fail.extend([None] * after + [(status, retry_after)] * count)

    def disconnect_next(self, count: int) -> None:
        """Close the connection of the next ``count`` requests without answering."""
        with self.lock:
            self.faults.disconnect += count

    def race_next_create(self) -> None:
        """The next POST finds that another run made the release just before it."""
        with self.lock:
            self.faults.race_create = True

    def lose_next_create_answer(self) -> None:
        """The next POST makes the release, then answers 502 (a gateway lost the answer)."""
        with self.lock:
            self.faults.lose_create_answer = True

    def echo_credentials(self) -> None:
        """From now on, error bodies quote the Authorization header they were sent."""
        with self.lock:
            self.faults.echo_credentials = True

    def add_release(
        self,
        tag: str,
        *,
        repository: str = "acme/app",
        body: str = "",
        name: str | None = None,
        prerelease: bool = False,
        draft: bool = False,
    ) -> dict[str, Any]:
        """Put a release in place, as if someone had made it earlier."""
        with self.lock:
            return self._store(
                repository,
                {
                    "tag_name": tag,
                    "target_commitish": "0" * 40,
                    "name": tag if name is None else name,
                    "body": body,
                    "draft": draft,
                    "prerelease": prerelease,
                },
            )

    def pulls_of(self, repository: str = "acme/app") -> list[dict[str, Any]]:
        """The pull requests of a repository, oldest first."""
        with self.lock:
            return [dict(p) for p in self.pulls.get(repository, [])]

    def merge_pull(self, number: int, merge_commit_sha: str, repository: str = "acme/app") -> None:
        """Mark a pull request merged (the test made the merge commit ``merge_commit_sha``)."""
        with self.lock:
            for pull in self.pulls.get(repository, []):
                if pull["number"] == number:
                    assert pull["state"] == "open", f"#{number} is {pull['state']}"
                    pull.update(
                        state="closed",
                        merged_at="2024-06-01T00:00:00Z",
                        merge_commit_sha=merge_commit_sha,
                    )
                    return
        raise AssertionError(f"no pull request #{number}")

    def branch_sha(self, repository: str, branch: str) -> str | None:
        """The sha of ``branch`` in the repository's bare git repo (None: no such branch, or
        no repo given, when any branch passes)."""
        git_dir = self.git_dirs.get(repository)
        if git_dir is None:
            return "0" * 40
        result = subprocess.run(
            [
                "git",
                "--git-dir",
                str(git_dir),
                "rev-parse",
                "--verify",
                "-q",
                f"refs/heads/{branch}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or None

    def releases_of(self, repository: str = "acme/app") -> list[dict[str, Any]]:
        """The releases of a repository, oldest first."""
        with self.lock:
            return [dict(r) for r in self.releases.get(repository, [])]

    def calls(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request, in order."""
        return [(r.method, r.path) for r in self.requests]

    def _store(self, repository: str, data: dict[str, Any]) -> dict[str, Any]:
        rid = self._next_id
        self._next_id += 1
        owner_repo = f"http://127.0.0.1:{self.port}/{repository}"
        release = {
            "id": rid,
            "url": f"http://127.0.0.1:{self.port}/repos/{repository}/releases/{rid}",
            "html_url": f"{owner_repo}/releases/tag/{data['tag_name']}"
            + self.faults.html_url_suffix,
            "created_at": "2024-01-01T00:00:00Z",
            **data,
        }
        self.releases.setdefault(repository, []).append(release)
        return release


class _Handler(BaseHTTPRequestHandler):
    forge: ForgeServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the tests scan stderr for tokens and want only the client's output there."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, **extra: Any) -> None:
        if self.forge.faults.echo_credentials:
            message += self._echoed()
        self._send(status, {"message": message, "documentation_url": DOCS, **extra})

    def _echoed(self) -> str:
        """The Authorization header quoted back as is, URL-encoded and in base64, as careless
        proxies and access logs show it."""
        sent = self.headers.get("Authorization", "")
        as_base64 = base64.b64encode(f"x-access-token:{sent}".encode()).decode()
        return f" (you sent Authorization: {sent}; {quote(sent, safe='')}; Basic {as_base64})"

    def _violation(self, text: str) -> None:
        with self.forge.lock:
            self.forge.violations.append(f"{self.command} {self.path}: {text}")
        self._send(400, {"message": f"contract violation: {text}"})

    def _serve(self) -> None:
        forge = self.forge
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        with forge.lock:
            forge.requests.append(
                Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
            )
            faults = forge.faults
            if faults.disconnect:
                faults.disconnect -= 1
                self.close_connection = True
                return
            planned = faults.fail.pop(0) if faults.fail else None
        if planned is not None:
            status, retry_after = planned
            message = "Server Error" if status >= 500 else "You have exceeded a rate limit"
            if forge.faults.echo_credentials:
                message += self._echoed()
            self._send(
                status,
                {"message": message, "documentation_url": DOCS},
                {"Retry-After": retry_after} if retry_after is not None else None,
            )
            return
        if forge.token in self.path:
            self._violation("the token is in the URL")
            return
        if self.headers.get("Authorization") != f"Bearer {forge.token}":
            self._error(401, "Bad credentials")
            return
        problem = self._header_problem()
        if problem:
            self._violation(problem)
            return
        self._route(body)

    def _header_problem(self) -> str | None:
        """The first way the headers differ from GitHub's contract, or None."""
        accept = "application/vnd.github+json"
        version = self.headers.get("X-GitHub-Api-Version")
        agent = self.headers.get("User-Agent") or ""
        with_body = self.command in ("POST", "PATCH")
        checks = [
            (self.headers.get("Accept") == accept, f"Accept is not {accept!r}"),
            (
                version == GITHUB_API_VERSION,
                f"X-GitHub-Api-Version is {version!r}",
            ),
            (agent.startswith("versionbot/"), f"User-Agent is {agent!r}"),
            (
                not with_body or self.headers.get("Content-Type") == "application/json",
                f"Content-Type is {self.headers.get('Content-Type')!r}",
            ),
            (
                with_body or self.headers.get("Content-Length") in (None, "0"),
                f"a {self.command} with a body",
            ),
        ]
        return next((problem for ok, problem in checks if not ok), None)

    # -- the API ----------------------------------------------------------------------------

    def _route(self, body: Any) -> None:
        path = self.path.split("?", 1)[0]
        if not path.startswith("/repos/"):
            self._error(404, "Not Found")
            return
        parts = [unquote(p) for p in path.split("/")[1:]]
        if len(parts) == 3 and self.command == "GET":
            self._get_repository(f"{parts[1]}/{parts[2]}")
            return
        if len(parts) < 4 or parts[3] not in ("releases", "pulls"):
            self._error(404, "Not Found")
            return
        repository = f"{parts[1]}/{parts[2]}"
        rest = parts[4:]
        if repository not in self.forge.repositories:
            self._error(404, "Not Found")
        elif parts[3] == "pulls":
            self._route_pulls(repository, rest, body)
        elif self.command == "GET" and len(rest) == 2 and rest[0] == "tags":
            self._get_by_tag(repository, rest[1])
        elif self.command == "POST" and not rest:
            self._create(repository, body)
        elif self.command == "PATCH" and len(rest) == 1 and rest[0].isdigit():
            self._update(repository, int(rest[0]), body)
        else:
            self._violation("not one of the three documented calls")

    def _get_repository(self, repository: str) -> None:
        """GET /repos/{owner}/{repo} ("Get a repository",
        https://docs.github.com/en/rest/repos/repos#get-a-repository): the fields the bot
        reads, ``permissions`` only for a token that has them."""
        if repository not in self.forge.repositories:
            self._error(404, "Not Found")
            return
        data: dict[str, Any] = {"full_name": repository, "private": False}
        if self.forge.permissions is not None:
            data["permissions"] = dict(self.forge.permissions)
        self._send(200, data)

    # -- pull requests ----------------------------------------------------------------------

    def _route_pulls(self, repository: str, rest: list[str], body: Any) -> None:
        if self.command == "GET" and not rest:
            self._list_pulls(repository)
        elif self.command == "POST" and not rest:
            self._create_pull(repository, body)
        elif self.command == "PATCH" and len(rest) == 1 and rest[0].isdigit():
            self._update_pull(repository, int(rest[0]), body)
        else:
            self._violation("not one of the three documented pull-request calls")

    def _list_pulls(self, repository: str) -> None:
        forge = self.forge
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        unknown = set(query) - LIST_PULL_PARAMETERS
        if unknown:
            self._violation(f"unknown query parameters {sorted(unknown)}")
            return
        state = query.get("state", ["open"])[0]
        head = query.get("head", [None])[0]
        if state not in ("open", "closed", "all"):
            self._violation(f"state {state!r}")
            return
        if head is not None and (":" not in head or head.startswith(":")):
            self._violation(f"head {head!r} is not user:ref-name")
            return
        owner = repository.split("/", maxsplit=1)[0]
        with forge.lock:
            pulls = [
                dict(p)
                for p in reversed(forge.pulls.get(repository, []))  # newest first
                if state in ("all", p["state"])
                and (head is None or head == f"{owner}:{p['head']['ref']}")
            ]
        self._send(200, pulls)

    def _create_pull(self, repository: str, body: Any) -> None:
        forge = self.forge
        problem = self._check_pull_fields(body, CREATE_PULL_FIELDS)
        if problem is None and not {"title", "head", "base"} <= set(body):
            problem = f"fields {sorted(body)} lack title, head or base"
        if problem:
            self._violation(problem)
            return
        head, base = body["head"], body["base"]
        head_sha, base_sha = forge.branch_sha(repository, head), forge.branch_sha(repository, base)
        if head_sha is None or base_sha is None:
            field_name = "head" if head_sha is None else "base"
            errors = [{"resource": "PullRequest", "field": field_name, "code": "invalid"}]
            self._error(422, "Validation Failed", errors=errors)
            return
        with forge.lock:
            pulls = forge.pulls.setdefault(repository, [])
            taken = any(
                p["state"] == "open" and p["head"]["ref"] == head and p["base"]["ref"] == base
                for p in pulls
            )
            number = len(pulls) + 1
            owner = repository.split("/", maxsplit=1)[0]
            pull = {
                "id": 1000 + number,
                "number": number,
                "state": "open",
                "title": body["title"],
                "body": body.get("body", ""),
                "html_url": f"http://127.0.0.1:{forge.port}/{repository}/pull/{number}",
                "url": f"{forge.url}/repos/{repository}/pulls/{number}",
                "head": {"ref": head, "label": f"{owner}:{head}", "sha": head_sha},
                "base": {"ref": base, "label": f"{owner}:{base}", "sha": base_sha},
                "draft": body.get("draft", False),
                "merged_at": None,
                "merge_commit_sha": None,
            }
            if not taken:
                pulls.append(pull)
        if taken:
            message = f"A pull request already exists for {owner}:{head}."
            errors = [{"resource": "PullRequest", "code": "custom", "message": message}]
            self._error(422, "Validation Failed", errors=errors)
        else:
            self._send(201, pull)

    def _update_pull(self, repository: str, number: int, body: Any) -> None:
        problem = self._check_pull_fields(body, UPDATE_PULL_FIELDS)
        if problem is None and body.get("state", "open") not in ("open", "closed"):
            problem = f"state {body['state']!r}"
        if problem:
            self._violation(problem)
            return
        found: dict[str, Any] | None = None
        merged = False
        with self.forge.lock:
            for pull in self.forge.pulls.get(repository, []):
                if pull["number"] == number:
                    merged = pull["merged_at"] is not None
                    if not merged:
                        pull.update({k: v for k, v in body.items() if k != "base"})
                        if "base" in body:
                            pull["base"] = {**pull["base"], "ref": body["base"]}
                    found = dict(pull)
        if found is None:
            self._error(404, "Not Found")
        elif merged:
            self._error(422, "Validation Failed: the pull request is merged")
        else:
            self._send(200, found)

    def _check_pull_fields(self, body: Any, fields: dict[str, type]) -> str | None:
        if not isinstance(body, dict):
            return f"the body is not a JSON object: {body!r}"
        problems = [f"unknown field {name!r}" for name in body if name not in fields]
        problems += [
            f"{name} is {type(value).__name__}, not {fields[name].__name__}"
            for name, value in body.items()
            if name in fields and type(value) is not fields[name]
        ]
        return problems[0] if problems else None

    def _get_by_tag(self, repository: str, tag: str) -> None:
        # "Get a published release with the specified tag": drafts are not found (GitHub).
        with self.forge.lock:
            hits = [
                r
                for r in self.forge.releases.get(repository, [])
                if r["tag_name"] == tag and not r["draft"]
            ]
        if hits:
            self._send(200, hits[0])
        else:
            self._error(404, "Not Found")

    def _check_fields(self, body: Any, fields: dict[str, type], required: bool) -> str | None:
        """The first way a JSON body differs from the documented fields and types, or None."""
        if not isinstance(body, dict):
            return f"the body is not a JSON object: {body!r}"
        problems = [f"unknown field {name!r}" for name in body if name not in fields]
        if required and set(body) != set(fields):
            problems.append(f"fields {sorted(body)}, expected exactly {sorted(fields)}")
        problems += [
            f"{name} is {type(value).__name__}, not {fields[name].__name__}"
            for name, value in body.items()
            if name in fields and type(value) is not fields[name]
        ]
        if body.get("make_latest", "true") not in ("true", "false", "legacy"):
            problems.append(f"make_latest is {body['make_latest']!r}")
        if body.get("draft") is True:
            problems.append("the bot never makes drafts")
        if not _SHA.fullmatch(str(body.get("target_commitish", "0" * 40))):
            problems.append(f"target_commitish {body['target_commitish']!r} is not a full sha")
        return problems[0] if problems else None

    def _create(self, repository: str, body: Any) -> None:
        problem = self._check_fields(body, CREATE_FIELDS, required=True)
        if problem:
            self._violation(problem)
            return
        tag = body["tag_name"]
        if _BAD_TAG.search(tag):
            errors = [
                {
                    "resource": "Release",
                    "code": "custom",
                    "field": "tag_name",
                    "message": "tag_name is not a valid tag",
                }
            ]
            self._error(422, "Validation Failed", errors=errors)
            return
        forge = self.forge
        with forge.lock:
            if forge.faults.race_create:
                forge.faults.race_create = False
                forge._store(repository, {**_fields(body), "body": "made by another run"})
            exists = any(r["tag_name"] == tag for r in forge.releases.get(repository, []))
            lose = forge.faults.lose_create_answer
            forge.faults.lose_create_answer = False
            release = None if exists else forge._store(repository, _fields(body))
        if exists:
            errors = [{"resource": "Release", "code": "already_exists", "field": "tag_name"}]
            self._error(422, "Validation Failed", errors=errors)
        elif lose:
            self._error(502, "Bad Gateway")
        else:
            self._send(201, release)

    def _update(self, repository: str, rid: int, body: Any) -> None:
        problem = self._check_fields(body, UPDATE_FIELDS, required=False)
        if problem:
            self._violation(problem)
            return
        found: dict[str, Any] | None = None
        with self.forge.lock:
            for release in self.forge.releases.get(repository, []):
                if release["id"] == rid:
                    release.update(_fields(body))
                    found = dict(release)
        if found is None:
            self._error(404, "Not Found")
        else:
            self._send(200, found)


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """What a release keeps of a request body (make_latest is an instruction, not a field)."""
    return {k: v for k, v in body.items() if k != "make_latest"}


def recorded_bodies(server: ForgeServer, method: str) -> Iterator[Any]:
    """The JSON bodies of every ``method`` request, in order."""
    return (r.body for r in server.requests if r.method == method)
