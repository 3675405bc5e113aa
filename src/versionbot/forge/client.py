"""Forge edge: create the release (with its notes) on GitHub, or on Gitea/Forgejo.

Owns the HTTP conversation with a forge's releases API, and nothing else: it does not render
notes, decide versions or touch git. It follows these GitHub REST API pages (API version
2022-11-28):

- "Get a release by tag name": ``GET /repos/{owner}/{repo}/releases/tags/{tag}``
  https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
- "Create a release": ``POST /repos/{owner}/{repo}/releases``
  https://docs.github.com/en/rest/releases/releases#create-a-release
- "Update a release": ``PATCH /repos/{owner}/{repo}/releases/{release_id}``
  https://docs.github.com/en/rest/releases/releases#update-a-release

and, for the release pull request (``mode = "pr"``), these pull-request pages:

- "List pull requests": ``GET /repos/{owner}/{repo}/pulls?head={owner}:{branch}&state=...``
  https://docs.github.com/en/rest/pulls/pulls#list-pull-requests
- "Create a pull request": ``POST /repos/{owner}/{repo}/pulls``
  https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request
- "Update a pull request" (closing too: ``state: closed``):
  ``PATCH /repos/{owner}/{repo}/pulls/{pull_number}``
  https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request

and, for the headers, retries and rate limits,
https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api and
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api.
Gitea and Forgejo serve the same shapes under ``/api/v1`` (``GiteaForge``).

Rules this module keeps:

- **Idempotent.** ``create_release`` looks the tag up first; a release that exists (found, or
  reported by the forge as ``already_exists`` when another run won the race) is returned, and
  updated only where it differs from what was asked. A re-run never makes a second release.
- **Bounded retries.** 5xx, 429, a 403 carrying ``Retry-After`` (GitHub's secondary rate
  limit) and connection errors are retried with exponential backoff; ``Retry-After`` is honoured
  up to a cap. The sleep function is injected, so tests never wait.
- **Secrets.** The token travels only in the ``Authorization`` header. Every text that reaches
  an exception or a log record passes through ``redact``; ``repr`` never shows the token.
  ``httpx`` is imported only when a request is about to be made (it costs ~70 ms).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self
from urllib.parse import quote, urlsplit

from versionbot import __version__
from versionbot.core.errors import ForgeError
from versionbot.core.redaction import REDACTED, redact
from versionbot.core.retries import RetryPolicy, parse_retry_after

# Forges rate-limit harder than registries: longer waits, and their Retry-After honoured.
FORGE_RETRIES = RetryPolicy(
    tries=5, base_delay=1.0, max_delay=30.0, retry_after_cap=30.0, total_sleep_cap=120.0
)

if TYPE_CHECKING:
    import httpx

DOCS = "https://docs.github.com/en/rest/releases/releases"
CREATE_DOCS = f"{DOCS}#create-a-release"
BY_TAG_DOCS = f"{DOCS}#get-a-release-by-tag-name"
UPDATE_DOCS = f"{DOCS}#update-a-release"
PULLS_DOCS = "https://docs.github.com/en/rest/pulls/pulls"
LIST_PULLS_DOCS = f"{PULLS_DOCS}#list-pull-requests"
CREATE_PULL_DOCS = f"{PULLS_DOCS}#create-a-pull-request"
UPDATE_PULL_DOCS = f"{PULLS_DOCS}#update-a-pull-request"
GITHUB_API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = f"versionbot/{__version__}"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")

_log = logging.getLogger(__name__)

_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SCP_LIKE = re.compile(r"(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)")
_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: what a header can carry
_MAX_SHOWN = 300  # characters of a forge's error text shown in a message


@dataclass(frozen=True, slots=True)
class ForgeRelease:
    """A release as the forge holds it."""

    id: int
    tag: str
    url: str  # the web page (``html_url``)
    body: str
    prerelease: bool
    name: str = ""
    draft: bool = False


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request as the forge holds it (the fields the release pull request needs)."""

    number: int
    url: str  # the web page (``html_url``)
    title: str
    body: str
    head: str  # the branch it comes from
    base: str  # the branch it goes to
    state: str  # "open" | "closed"
    merged: bool = False
    merge_commit_sha: str | None = None


class Forge(Protocol):
    """A forge's releases API, as a release needs it."""

    @property
    def repository(self) -> str:
        """``owner/name`` of the repository (for messages)."""
        ...

    def find_release(self, tag: str) -> ForgeRelease | None:
        """The published release of ``tag``, or None."""
        ...

    def create_release(
        self, tag: str, *, target: str, name: str, body: str, prerelease: bool, latest: bool
    ) -> ForgeRelease:
        """The release of ``tag`` with these contents, made if missing (idempotent)."""
        ...

    def update_release(
        self, release_id: int, *, name: str, body: str, prerelease: bool, latest: bool
    ) -> ForgeRelease:
        """Set the contents of an existing release (and publish it)."""
        ...


class PullRequestForge(Forge, Protocol):
    """A forge's releases and pull-request APIs, as the release pull request needs them."""

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """The pull requests from ``branch``, newest first."""
        ...

    def create_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request (or return the one another run just opened)."""
        ...

    def update_pull_request(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
        state: str | None = None,
    ) -> PullRequest:
        """Change a pull request."""
        ...

    def close_pull_request(self, number: int) -> PullRequest:
        """Close a pull request without merging it."""
        ...


class _ReleasesApi:
    """GitHub's releases API; subclasses change the flavour, not the conversation."""

    forge_name: ClassVar[str] = "GitHub"
    auth_scheme: ClassVar[str] = "Bearer"
    conflict_statuses: ClassVar[frozenset[int]] = frozenset({422})
    token_hint: ClassVar[str] = (
        "use a token that is valid and has `contents: write` permission on the repository "
        "(in GitHub Actions: `permissions: contents: write`), in GITHUB_TOKEN or GH_TOKEN"
    )

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy = FORGE_RETRIES,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not _REPOSITORY.fullmatch(repository):
            raise ForgeError(
                f"{repository!r} is not a repository name of the form owner/name",
                "set GITHUB_REPOSITORY to owner/name",
            )
        if not _TOKEN_CHARS.fullmatch(token):
            raise ForgeError(
                f"the {self.forge_name} token for {repository} holds characters no token has",
                "set the token without spaces, quotes or line breaks",
            )
        self.api_url = api_url.rstrip("/")
        self._repository = repository
        self._token = token
        self._sleep = sleep
        self._retry = retry
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.Client | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_url={self.api_url!r}, repository={self._repository!r})"

    @property
    def repository(self) -> str:
        """``owner/name`` of the repository."""
        return self._repository

    # -- the three calls -----------------------------------------------------------------

    def find_release(self, tag: str) -> ForgeRelease | None:
        """The published release of ``tag``, or None ("Get a release by tag name")."""
        response = self._request("GET", f"{self._releases}/tags/{quote(tag, safe='')}")
        if response.status_code == 404:
            return None
        return self._release_or_raise(response, f"read the release of {tag}", tag)

    def create_release(
        self, tag: str, *, target: str, name: str, body: str, prerelease: bool, latest: bool
    ) -> ForgeRelease:
        """The release of ``tag`` with these contents; made if missing, else converged.

        ``latest`` says whether this release may become the repository's latest (false for a
        backport or a prerelease). An existing release is returned as it is when its name, body
        and prerelease flag match; otherwise it is updated ("Update a release"), so a re-run
        after a crash ends where one clean run would have.
        """
        existing = self.find_release(tag)
        if existing is None:
            payload = {
                "tag_name": tag,
                "target_commitish": target,
                "name": name,
                "body": body,
                "draft": False,
                "prerelease": prerelease,
                **self._latest_field(prerelease=prerelease, latest=latest),
            }
            response = self._request("POST", self._releases, payload)
            if not self._already_exists(response):
                return self._release_or_raise(response, f"create the release {tag}", tag)
            # Another run made it between our look-up and our POST: converge on theirs.
            existing = self.find_release(tag)
            if existing is None:
                raise ForgeError(
                    f"{self.forge_name} says a release of {tag} exists in {self._repository}, "
                    "but cannot show it",
                    f"a draft release may hold the tag {tag}: publish or delete it, then run again",
                )
        if _same(existing, name=name, body=body, prerelease=prerelease):
            return existing
        _log.info("updating the %s release %s of %s", self.forge_name, tag, self._repository)
        return self.update_release(
            existing.id, name=name, body=body, prerelease=prerelease, latest=latest
        )

    def update_release(
        self, release_id: int, *, name: str, body: str, prerelease: bool, latest: bool
    ) -> ForgeRelease:
        """Set name, body and prerelease flag of a release, and publish it ("Update a release")."""
        payload = {
            "name": name,
            "body": body,
            "draft": False,
            "prerelease": prerelease,
            **self._latest_field(prerelease=prerelease, latest=latest),
        }
        response = self._request("PATCH", f"{self._releases}/{release_id}", payload)
        return self._release_or_raise(response, f"update the release {release_id}", None)

    def close(self) -> None:
        """Close the HTTP connections (the forge can still be used: they reopen)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- pull requests (the release pull request) -----------------------------------------

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """The pull requests from ``branch`` of this repository ("List pull requests"), newest
        first; ``state`` is ``open``, ``closed`` or ``all``."""
        owner = self._repository.split("/")[0]
        head = quote(f"{owner}:{branch}", safe=":/")
        query = f"?head={head}&state={state}&sort=created&direction=desc&per_page=30"
        return self._pull_list(self._request("GET", self._pulls + query), branch)

    def create_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from ``head`` into ``base`` ("Create a pull request").

        When the forge says one is already open for ``head`` (another run won the race), that
        one is returned: the caller brings it up to date.
        """
        payload = {"title": title, "head": head, "base": base, "body": body}
        response = self._request("POST", self._pulls, payload)
        if response.status_code in self.conflict_statuses | {409}:
            found = [p for p in self.pull_requests(head) if p.base == base]
            if found:
                return found[0]
        return self._pull_or_raise(response, f"open a pull request from {head}")

    def update_pull_request(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
        state: str | None = None,
    ) -> PullRequest:
        """Change a pull request's title, body, base or state ("Update a pull request")."""
        fields = {"title": title, "body": body, "base": base, "state": state}
        payload = {k: v for k, v in fields.items() if v is not None}
        response = self._request("PATCH", f"{self._pulls}/{number}", payload)
        return self._pull_or_raise(response, f"update the pull request #{number}")

    def close_pull_request(self, number: int) -> PullRequest:
        """Close a pull request without merging it."""
        return self.update_pull_request(number, state="closed")

    def _pull_list(self, response: httpx.Response, branch: str) -> list[PullRequest]:
        if response.status_code != 200:
            raise self._pull_error(response, f"list the pull requests from {branch}")
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, list):
            raise ForgeError(
                f"{self.forge_name} answered with something that is not a list of pull requests "
                f"in {self._repository}",
                f"check that {self._url_variable()} points at the {self.forge_name} API",
            )
        pulls = [_pull_from(item) for item in data if isinstance(item, dict)]
        return [p for p in pulls if p is not None and p.head == branch]

    def _pull_or_raise(self, response: httpx.Response, action: str) -> PullRequest:
        if response.status_code in (200, 201):
            pull = _pull_from(_json(response))
            if pull is not None:
                return pull
            raise ForgeError(
                f"{self.forge_name} answered with something that is not a pull request "
                f"when asked to {action} in {self._repository}",
                f"check that {self._url_variable()} points at the {self.forge_name} API",
            )
        raise self._pull_error(response, action)

    def _pull_error(self, response: httpx.Response, action: str) -> ForgeError:
        error = self._error(response, action, None)
        if response.status_code in (403, 422):
            return ForgeError(error.message, self.pulls_hint)
        return error

    pulls_hint: ClassVar[str] = (
        "give the token `contents: write` and `pull-requests: write` (in GitHub Actions: "
        "`permissions:`), and allow GitHub Actions to create pull requests in the repository "
        "settings; a re-run is safe"
    )

    @property
    def _pulls(self) -> str:
        return self._releases.removesuffix("/releases") + "/pulls"

    # -- flavour ---------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": GITHUB_API_VERSION,
            "User-Agent": USER_AGENT,
        }

    def _latest_field(self, *, prerelease: bool, latest: bool) -> dict[str, str]:
        # A string, as the API takes it; GitHub never makes a prerelease the latest.
        return {"make_latest": "true" if latest and not prerelease else "false"}

    # -- HTTP ------------------------------------------------------------------------------

    @property
    def _releases(self) -> str:
        owner, name = self._repository.split("/")
        return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/releases"

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                headers=self._headers(),
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                transport=self._transport,
                # Renamed repositories answer with redirects; httpx drops the Authorization
                # header when a redirect leaves the origin.
                follow_redirects=True,
            )
        return self._client

    def _request(
        self, method: str, path: str, payload: Mapping[str, object] | None = None
    ) -> httpx.Response:
        """The forge's answer, after retrying what a retry can fix. Raises only ForgeError."""
        import httpx

        url = self.api_url + path
        headers = {"Authorization": f"{self.auth_scheme} {self._token}"}
        slept = 0.0
        for attempt in itertools.count(1):
            try:
                response = self._http().request(method, url, json=payload, headers=headers)
            except httpx.TransportError as exc:
                reason = self._redact(f"{type(exc).__name__}: {exc}")
                delay = self._retry.delay(attempt, None, slept)
                if delay is None:
                    raise ForgeError(
                        f"cannot reach {self.forge_name} at {self.api_url} "
                        f"after {attempt} tries: {reason}",
                        f"check the network and the API URL; running again is safe "
                        f"({self._url_variable()} sets the URL)",
                    ) from None
            else:
                if not _retryable(response):
                    return response
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                delay = self._retry.delay(attempt, retry_after, slept)
                if delay is None:
                    return response
                reason = f"{response.status_code} {response.reason_phrase}"
            _log.info(  # INFO: logging's last-resort handler prints WARNINGs
                "%s %s failed (%s); retrying in %.1f s",
                method,
                self._redact(path),
                reason,
                delay,
            )
            self._sleep(delay)
            slept += delay
        raise AssertionError("unreachable: itertools.count never ends")

    def _already_exists(self, response: httpx.Response) -> bool:
        if response.status_code not in self.conflict_statuses:
            return False
        if response.status_code == 409:  # Gitea/Forgejo: "release already exists"
            return True
        errors = _json(response).get("errors")
        return isinstance(errors, list) and any(
            isinstance(e, dict) and e.get("code") == "already_exists" for e in errors
        )

    def _release_or_raise(
        self, response: httpx.Response, action: str, tag: str | None
    ) -> ForgeRelease:
        if response.status_code in (200, 201):
            release = _release_from(_json(response))
            if release is not None:
                return release
            raise ForgeError(
                f"{self.forge_name} answered with something that is not a release "
                f"when asked to {action} in {self._repository}",
                f"check that {self._url_variable()} points at the {self.forge_name} API",
            )
        raise self._error(response, action, tag)

    def _error(self, response: httpx.Response, action: str, tag: str | None) -> ForgeError:
        """One line on what the forge refused, one on what to do; the forge's words redacted."""
        status = response.status_code
        forge, repo = self.forge_name, self._repository
        said = self._said(response)
        hint = self.token_hint
        if status == 401:
            message = f"{forge} refused the token for {repo} (401)"
        elif status == 403 and response.headers.get("x-ratelimit-remaining") == "0":
            message = f"{forge} rate limit exhausted for {repo} (403){said}"
            hint = "wait until the rate limit resets (x-ratelimit-reset), then run again"
        elif status == 403:
            message = f"{forge} does not let the token {action} in {repo} (403){said}"
        elif status == 404:
            message = f"{forge} has no repository {repo}, or the token cannot see it (404)"
            hint = f"check GITHUB_REPOSITORY or the git remote, and that the token can read {repo}"
        elif status == 422:
            message = f"{forge} refused to {action} in {repo} (422){said}"
            what = f"the tag {tag}, " if tag else ""
            hint = f"fix what {forge} names ({what}the release name or notes); a re-run is safe"
        elif status >= 500 or status == 429:
            message = (
                f"{forge} failed to {action} in {repo} after {self._retry.tries} tries "
                f"({status} {response.reason_phrase})"
            )
            hint = f"{forge} may be down or overloaded; run again later (a re-run is safe)"
        else:
            message = (
                f"{forge} answered {status} {response.reason_phrase} when asked to {action} "
                f"in {repo}{said}"
            )
            hint = f"check that {self._url_variable()} points at the {forge} API"
        return ForgeError(message, hint)

    def _said(self, response: httpx.Response) -> str:
        """What the forge said about the failure, redacted and on one line (``: ...``)."""
        data = _json(response)
        parts: list[str] = []
        if isinstance(data.get("message"), str):
            parts.append(data["message"])
        for item in data.get("errors") or []:
            if isinstance(item, dict):
                detail = item.get("message") or " ".join(
                    str(item[k]) for k in ("field", "code") if isinstance(item.get(k), str)
                )
                if detail:
                    parts.append(str(detail))
            elif isinstance(item, str):
                parts.append(item)
        if not parts and not data:
            parts.append(response.text)
        text = " ".join(" ".join(parts).split())
        if len(text) > _MAX_SHOWN:
            text = text[: _MAX_SHOWN - 1] + "…"
        return f": {self._redact(text)}" if text else ""

    def _redact(self, text: str) -> str:
        return redact(text, [self._token])

    def _url_variable(self) -> str:
        return "GITHUB_API_URL"


class GitHubForge(_ReleasesApi):
    """GitHub.com, GitHub Enterprise Server (``https://HOST/api/v3``) and GHE.com."""


class GiteaForge(_ReleasesApi):
    """Gitea and Forgejo: GitHub's release shapes under ``https://HOST/api/v1``.

    Differences kept here: ``Authorization: token ...``, plain JSON ``Accept``, no API version
    header, no ``make_latest`` (Gitea has no such field), and ``409`` for a duplicate tag.
    """

    forge_name: ClassVar[str] = "Gitea"
    auth_scheme: ClassVar[str] = "token"
    conflict_statuses: ClassVar[frozenset[int]] = frozenset({409, 422})
    token_hint: ClassVar[str] = (
        "use a token that is valid and has the `write:repository` scope on the repository"
    )

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": USER_AGENT}

    def _latest_field(self, *, prerelease: bool, latest: bool) -> dict[str, str]:
        return {}

    def _url_variable(self) -> str:
        return "the Gitea API URL"

    pulls_hint: ClassVar[str] = (
        "use a token with the `write:repository` scope, and a base branch that exists"
    )

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """Gitea's list has no head filter: the newest pull requests, filtered here."""
        query = f"?state={state}&sort=newest&limit=50"
        return self._pull_list(self._request("GET", self._pulls + query), branch)


# -- settings from the environment and the git remote ---------------------------------------


def api_url_from_env(env: Mapping[str, str]) -> str:
    """The REST API base: ``GITHUB_API_URL`` (set by GitHub Actions) or api.github.com."""
    return (env.get("GITHUB_API_URL") or "").strip().rstrip("/") or DEFAULT_API_URL


def token_from_env(env: Mapping[str, str]) -> str | None:
    """The token: ``GITHUB_TOKEN``, else ``GH_TOKEN`` (surrounding whitespace dropped)."""
    for name in TOKEN_VARIABLES:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return None


def github_web_hosts(api_url: str) -> frozenset[str]:
    """The hosts whose git remotes belong to the GitHub behind ``api_url``.

    ``api.github.com`` serves github.com (and ssh.github.com, SSH over port 443); an Enterprise
    Server API (``https://github.acme.com/api/v3``) serves its own host; a GHE.com API
    (``https://api.acme.ghe.com``) serves ``acme.ghe.com``.
    """
    host = (urlsplit(api_url).hostname or "").lower()
    if host in ("api.github.com", "github.com"):
        return frozenset({"github.com", "www.github.com", "ssh.github.com"})
    hosts = {host} if host else set()
    if host.startswith("api."):
        hosts.add(host.removeprefix("api."))
    return frozenset(hosts)


def repository_from_remote(remote_url: str | None, api_url: str = DEFAULT_API_URL) -> str | None:
    """``owner/name`` from a GitHub remote URL, or None when the remote is not on that GitHub.

    Accepts scp-like SSH (``git@github.com:acme/app.git``), ``ssh://``, ``https://`` (with or
    without credentials, which are ignored) and ``git://`` forms.

    >>> repository_from_remote("git@github.com:acme/app.git")
    'acme/app'
    >>> repository_from_remote("https://github.acme.com/acme/app", "https://github.acme.com/api/v3")
    'acme/app'
    >>> repository_from_remote("https://gitlab.com/acme/app.git") is None
    True
    """
    if not remote_url:
        return None
    located = _host_and_path(remote_url.strip())
    if located is None:
        return None
    host, path = located
    if host.lower() not in github_web_hosts(api_url):
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    if not _REPOSITORY.fullmatch(path) or any(p in (".", "..") for p in path.split("/")):
        return None
    return path


def _host_and_path(url: str) -> tuple[str, str] | None:
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        return (parts.hostname, parts.path) if parts.hostname else None
    match = _SCP_LIKE.fullmatch(url)
    return (match["host"], match["path"]) if match else None


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    """Where the release goes and with which token; ``problem`` says what is wrong or missing."""

    api_url: str
    repository: str | None  # None: not a GitHub repository
    token: str | None
    problem: str | None

    def __repr__(self) -> str:  # the token stays out of every repr
        token = "None" if self.token is None else REDACTED
        return (
            f"GitHubSettings(api_url={self.api_url!r}, repository={self.repository!r}, "
            f"token={token}, problem={self.problem!r})"
        )


def github_settings(env: Mapping[str, str], remote_url: str | None) -> GitHubSettings:
    """The GitHub settings of this run, read from ``env`` and the remote URL, never raising."""
    api_url = api_url_from_env(env)
    token = token_from_env(env)
    parts = urlsplit(api_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return GitHubSettings(api_url, None, token, "GITHUB_API_URL is not an http(s) URL")
    if parts.username or parts.password:
        return GitHubSettings(
            DEFAULT_API_URL, None, token, "GITHUB_API_URL holds credentials; use GITHUB_TOKEN"
        )
    named = (env.get("GITHUB_REPOSITORY") or "").strip()
    if named:
        if not _REPOSITORY.fullmatch(named):
            return GitHubSettings(
                api_url, None, token, f"GITHUB_REPOSITORY {named!r} is not owner/name"
            )
        repository: str | None = named
    else:
        repository = repository_from_remote(remote_url, api_url)
    problem = None
    if repository is not None and token is None:
        problem = "no GITHUB_TOKEN or GH_TOKEN"
    elif repository is not None and token is not None and not _TOKEN_CHARS.fullmatch(token):
        problem = "the GitHub token holds spaces or characters no token has"
    return GitHubSettings(api_url, repository, token, problem)


def missing_forge_settings(env: Mapping[str, str], remote_url: str | None) -> str | None:
    """What keeps a GitHub release from being made, on one line; None when nothing does.

    None also when the repository is not on GitHub and GITHUB_REPOSITORY is unset: then no
    forge release is due (``github_forge`` returns None).
    """
    return github_settings(env, remote_url).problem


def github_forge(
    env: Mapping[str, str],
    remote_url: str | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> GitHubForge | None:
    """The GitHub forge for this repository, or None when it is not a GitHub repository and
    GITHUB_REPOSITORY is unset. Raises ForgeError (before anything is changed) when a release
    is due on GitHub but no token is available."""
    settings = github_settings(env, remote_url)
    if settings.problem is not None:
        where = f" for {settings.repository}" if settings.repository else ""
        raise ForgeError(
            f"cannot make the GitHub release{where}: {settings.problem}",
            _SETTINGS_HINT,
        )
    if settings.repository is None or settings.token is None:
        return None
    return GitHubForge(
        settings.api_url, settings.repository, settings.token, sleep=sleep, transport=transport
    )


_SETTINGS_HINT = (
    "set GITHUB_TOKEN or GH_TOKEN to a token with `contents: write` permission (in GitHub "
    "Actions: `env: GITHUB_TOKEN: ${{ github.token }}`), GITHUB_REPOSITORY to owner/name, and "
    "GITHUB_API_URL for GitHub Enterprise"
)


# -- answers ---------------------------------------------------------------------------------


def _retryable(response: httpx.Response) -> bool:
    status = response.status_code
    if status >= 500 or status == 429:
        return True
    # GitHub's secondary rate limit: 403 with Retry-After. A plain 403 is a permission problem.
    return status == 403 and "retry-after" in response.headers


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _release_from(data: Mapping[str, Any]) -> ForgeRelease | None:
    rid, tag, url = data.get("id"), data.get("tag_name"), data.get("html_url")
    body, name = data.get("body"), data.get("name")
    if not isinstance(rid, int) or isinstance(rid, bool):
        return None
    if not isinstance(tag, str) or not isinstance(url, str):
        return None
    return ForgeRelease(
        id=rid,
        tag=tag,
        url=url,
        body=body if isinstance(body, str) else "",
        prerelease=data.get("prerelease") is True,
        name=name if isinstance(name, str) else "",
        draft=data.get("draft") is True,
    )


def _pull_from(data: Mapping[str, Any]) -> PullRequest | None:
    number, url, title = data.get("number"), data.get("html_url"), data.get("title")
    head, base = data.get("head"), data.get("base")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    if not isinstance(url, str) or not isinstance(title, str):
        return None
    if not isinstance(head, Mapping) or not isinstance(base, Mapping):
        return None
    head_ref, base_ref = head.get("ref"), base.get("ref")
    if not isinstance(head_ref, str) or not isinstance(base_ref, str):
        return None
    body, state, sha = data.get("body"), data.get("state"), data.get("merge_commit_sha")
    # GitHub says merged_at (a time or null); Gitea says merged (a boolean).
    merged = isinstance(data.get("merged_at"), str) or data.get("merged") is True
    return PullRequest(
        number=number,
        url=url,
        title=title,
        body=body if isinstance(body, str) else "",
        head=head_ref,
        base=base_ref,
        state=state if isinstance(state, str) else "open",
        merged=merged,
        merge_commit_sha=sha if isinstance(sha, str) and sha else None,
    )


def _same(release: ForgeRelease, *, name: str, body: str, prerelease: bool) -> bool:
    """Whether a release already says what we would write (line endings and edges aside)."""

    def norm(text: str) -> str:
        return text.replace("\r\n", "\n").strip()

    return (
        not release.draft
        and release.prerelease == prerelease
        and release.name == name
        and norm(release.body) == norm(body)
    )
