"""Forge edge: the release (with its notes) and the release pull request on GitHub.com, GitHub
Enterprise Server (``https://HOST/api/v3``) and GHE.com.

Owns the HTTP conversation with GitHub's releases and pull-request APIs, and nothing else: it
does not render notes, decide versions or touch git. It follows these GitHub REST API pages
(API version 2022-11-28):

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

Rules this module keeps:

- **Idempotent.** ``create_release`` looks the tag up first; a release that exists (found, or
  reported as ``already_exists`` when another run won the race) is returned, and updated only
  where it differs from what was asked, with word that this call did not make it. A re-run
  never makes a second release.
- **Bounded retries** (:func:`versionbot.core.retries.with_retries`): 5xx, 429, a 403 carrying
  ``Retry-After`` (the secondary rate limit) and connection errors; ``Retry-After`` is honoured
  up to a cap. The sleep function is injected, so tests never wait.
- **Secrets.** The token travels only in the ``Authorization`` header. Every text that reaches
  an exception or a log record passes through ``redact``; ``repr`` never shows the token.
  ``httpx`` is imported only when a request is about to be made (it costs ~70 ms).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from versionbot import __version__
from versionbot.core.errors import ForgeError
from versionbot.core.redaction import redact
from versionbot.core.retries import Failure, GaveUp, RetryPolicy, parse_retry_after, with_retries
from versionbot.forge.model import ForgeRelease, PublishedRelease, PullRequest

if TYPE_CHECKING:
    import httpx

DOCS = "https://docs.github.com/en/rest/releases/releases"
CREATE_DOCS = f"{DOCS}#create-a-release"
BY_TAG_DOCS = f"{DOCS}#get-a-release-by-tag-name"
UPDATE_DOCS = f"{DOCS}#update-a-release"

# Forges rate-limit harder than registries: longer waits, and their Retry-After honoured.
FORGE_RETRIES = RetryPolicy(
    tries=5, base_delay=1.0, max_delay=30.0, retry_after_cap=30.0, total_sleep_cap=120.0
)
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: what a header can carry

_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": f"versionbot/{__version__}",
}
_TOKEN_HINT = (
    "use a token that is valid and has `contents: write` permission on the repository "
    "(in GitHub Actions: `permissions: contents: write`), in GITHUB_TOKEN or GH_TOKEN"
)
_PULLS_HINT = (
    "give the token `contents: write` and `pull-requests: write` (in GitHub Actions: "
    "`permissions:`), and allow GitHub Actions to create pull requests in the repository "
    "settings; a re-run is safe"
)
_API_HINT = "check that GITHUB_API_URL points at the GitHub API"
_MAX_SHOWN = 300  # characters of GitHub's error text shown in a message

_log = logging.getLogger(__name__)


class GitHubForge:
    """One repository's releases and pull requests; closes and reopens its connections."""

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
        """The API at ``api_url`` for ``repository`` (owner/name); nothing is sent here."""
        if not REPOSITORY.fullmatch(repository):
            raise ForgeError(
                f"{repository!r} is not a repository name of the form owner/name",
                "set GITHUB_REPOSITORY to owner/name",
            )
        if not TOKEN_CHARS.fullmatch(token):
            raise ForgeError(
                f"the GitHub token for {repository} holds characters no token has",
                "set the token without spaces, quotes or line breaks",
            )
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        owner, name = repository.split("/")
        self._releases = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/releases"
        self._pulls = self._releases.removesuffix("/releases") + "/pulls"
        self._token = token
        self._sleep = sleep
        self._retry = retry
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.Client | None = None

    def __repr__(self) -> str:
        return f"GitHubForge(api_url={self.api_url!r}, repository={self.repository!r})"

    def close(self) -> None:
        """Close the HTTP connections (the forge can still be used: they reopen)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- releases --------------------------------------------------------------------------

    def check_access(self) -> None:
        """The token reads the repository and, where GitHub says so, may write to it ("Get a
        repository": a user's token is told its ``permissions``; an app's installation token,
        such as Actions' GITHUB_TOKEN, is not, and its write access shows at the first write)."""
        response = self._request("GET", self._releases.removesuffix("/releases"))
        if response.status_code != 200:
            raise self._error(response, "read the repository", None)
        permissions = _json_object(response).get("permissions")
        if isinstance(permissions, dict) and permissions.get("push") is False:
            raise ForgeError(
                f"the GitHub token may read {self.repository} but not write to it",
                _TOKEN_HINT,
            )

    def find_release(self, tag: str) -> ForgeRelease | None:
        """The published release of ``tag``, or None ("Get a release by tag name")."""
        response = self._request("GET", f"{self._releases}/tags/{quote(tag, safe='')}")
        if response.status_code == 404:
            return None
        return self._release_or_raise(response, f"read the release of {tag}", tag)

    def create_release(
        self, tag: str, *, target: str, name: str, body: str, prerelease: bool, latest: bool
    ) -> PublishedRelease:
        """The release of ``tag`` with these contents; made if missing, else converged; and
        whether this call made it (of runs racing to make it, GitHub lets exactly one).

        ``latest`` says whether this release may become the repository's latest (false for a
        backport or a prerelease). An existing release is returned as it is when its name, body
        and prerelease flag match; otherwise it is updated ("Update a release"), so a re-run
        after a crash ends where one clean run would have.
        """
        existing = self.find_release(tag)
        if existing is None:
            contents = _contents(name=name, body=body, prerelease=prerelease, latest=latest)
            payload = {"tag_name": tag, "target_commitish": target, **contents}
            response = self._request("POST", self._releases, payload)
            if not _already_exists(response):
                made = self._release_or_raise(response, f"create the release {tag}", tag)
                return PublishedRelease(made, created=True)
            # Another run made it between our look-up and our POST: converge on theirs.
            existing = self.find_release(tag)
            if existing is None:
                raise ForgeError(
                    f"GitHub says a release of {tag} exists in {self.repository}, "
                    "but cannot show it",
                    f"a draft release may hold the tag {tag}: publish or delete it, then run again",
                )
        if existing.says(name=name, body=body, prerelease=prerelease):
            return PublishedRelease(existing, created=False)
        _log.info("updating the GitHub release %s of %s", tag, self.repository)
        updated = self.update_release(
            existing.id, name=name, body=body, prerelease=prerelease, latest=latest
        )
        return PublishedRelease(updated, created=False)

    def update_release(
        self, release_id: int, *, name: str, body: str, prerelease: bool, latest: bool
    ) -> ForgeRelease:
        """Set name, body and prerelease flag of a release, and publish it ("Update a release")."""
        payload = _contents(name=name, body=body, prerelease=prerelease, latest=latest)
        response = self._request("PATCH", f"{self._releases}/{release_id}", payload)
        return self._release_or_raise(response, f"update the release {release_id}", None)

    def _release_or_raise(
        self, response: httpx.Response, action: str, tag: str | None
    ) -> ForgeRelease:
        if response.status_code in (200, 201):
            release = ForgeRelease.from_json(_json_object(response))
            if release is None:
                raise self._not_a("a release", action)
            return release
        raise self._error(response, action, tag)

    # -- pull requests (the release pull request) -----------------------------------------

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """The pull requests from ``branch`` of this repository ("List pull requests"), newest
        first; ``state`` is ``open``, ``closed`` or ``all``."""
        owner = self.repository.split("/")[0]
        head = quote(f"{owner}:{branch}", safe=":/")
        query = f"?head={head}&state={state}&sort=created&direction=desc&per_page=30"
        response = self._request("GET", self._pulls + query)
        if response.status_code != 200:
            raise self._pull_error(response, f"list the pull requests from {branch}")
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, list):
            raise ForgeError(
                "GitHub answered with something that is not a list of pull requests "
                f"in {self.repository}",
                _API_HINT,
            )
        pulls = [PullRequest.from_json(item) for item in data if isinstance(item, dict)]
        return [p for p in pulls if p is not None and p.head == branch]

    def create_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from ``head`` into ``base`` ("Create a pull request").

        When GitHub says one is already open for ``head`` (another run won the race), that
        one is returned: the caller brings it up to date.
        """
        payload = {"title": title, "head": head, "base": base, "body": body}
        response = self._request("POST", self._pulls, payload)
        if response.status_code in (409, 422):
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

    def _pull_or_raise(self, response: httpx.Response, action: str) -> PullRequest:
        if response.status_code in (200, 201):
            pull = PullRequest.from_json(_json_object(response))
            if pull is None:
                raise self._not_a("a pull request", action)
            return pull
        raise self._pull_error(response, action)

    def _pull_error(self, response: httpx.Response, action: str) -> ForgeError:
        error = self._error(response, action, None)
        if response.status_code in (403, 422):
            return ForgeError(error.message, _PULLS_HINT)
        return error

    # -- HTTP ------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, payload: Mapping[str, object] | None = None
    ) -> httpx.Response:
        """GitHub's answer, after retrying what a retry can fix. Raises only ForgeError."""
        import httpx

        url = self.api_url + path
        headers = {"Authorization": f"Bearer {self._token}"}

        def attempt() -> httpx.Response | Failure[httpx.Response | None]:
            try:
                response = self._http().request(method, url, json=payload, headers=headers)
            except httpx.TransportError as exc:
                return Failure(self._redact(f"{type(exc).__name__}: {exc}"), None)
            if not _retryable(response):
                return response
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            return Failure(
                f"{response.status_code} {response.reason_phrase}", response, retry_after
            )

        def tell(failure: Failure[httpx.Response | None], delay: float) -> None:
            _log.info(  # INFO: logging's last-resort handler prints WARNINGs
                "%s %s failed (%s); retrying in %.1f s",
                method,
                self._redact(path),
                failure.reason,
                delay,
            )

        outcome: httpx.Response | GaveUp[httpx.Response | None] = with_retries(
            attempt, self._retry, self._sleep, tell
        )
        if not isinstance(outcome, GaveUp):
            return outcome
        if outcome.last.answer is not None:  # the caller words what GitHub answered
            return outcome.last.answer
        raise ForgeError(
            f"cannot reach GitHub at {self.api_url} after {outcome.tries} tries: "
            f"{outcome.last.reason}",
            "check the network and the API URL; running again is safe "
            "(GITHUB_API_URL sets the URL)",
        )

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                headers=_HEADERS,
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                transport=self._transport,
                # Renamed repositories answer with redirects; httpx drops the Authorization
                # header when a redirect leaves the origin.
                follow_redirects=True,
            )
        return self._client

    def _error(self, response: httpx.Response, action: str, tag: str | None) -> ForgeError:
        """One line on what GitHub refused, one on what to do; GitHub's words redacted."""
        status, repo = response.status_code, self.repository
        said = self._said(response)
        hint = _TOKEN_HINT
        if status == 401:
            message = f"GitHub refused the token for {repo} (401)"
        elif status == 403 and response.headers.get("x-ratelimit-remaining") == "0":
            message = f"GitHub rate limit exhausted for {repo} (403){said}"
            hint = "wait until the rate limit resets (x-ratelimit-reset), then run again"
        elif status == 403:
            message = f"GitHub does not let the token {action} in {repo} (403){said}"
        elif status == 404:
            message = f"GitHub has no repository {repo}, or the token cannot see it (404)"
            hint = f"check GITHUB_REPOSITORY or the git remote, and that the token can read {repo}"
        elif status == 422:
            message = f"GitHub refused to {action} in {repo} (422){said}"
            what = f"the tag {tag}, " if tag else ""
            hint = f"fix what GitHub names ({what}the release name or notes); a re-run is safe"
        elif status >= 500 or status == 429:
            message = (
                f"GitHub failed to {action} in {repo} after {self._retry.tries} tries "
                f"({status} {response.reason_phrase})"
            )
            hint = "GitHub may be down or overloaded; run again later (a re-run is safe)"
        else:
            message = (
                f"GitHub answered {status} {response.reason_phrase} when asked to {action} "
                f"in {repo}{said}"
            )
            hint = _API_HINT
        return ForgeError(message, hint)

    def _not_a(self, what: str, action: str) -> ForgeError:
        return ForgeError(
            f"GitHub answered with something that is not {what} "
            f"when asked to {action} in {self.repository}",
            _API_HINT,
        )

    def _said(self, response: httpx.Response) -> str:
        """What GitHub said about the failure, redacted and on one line (``: ...``)."""
        data = _json_object(response)
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


def _contents(*, name: str, body: str, prerelease: bool, latest: bool) -> dict[str, object]:
    """The fields a release is created and updated with, published."""
    # make_latest is a string, as the API takes it; GitHub never makes a prerelease the latest.
    make_latest = "true" if latest and not prerelease else "false"
    return {
        "name": name,
        "body": body,
        "draft": False,
        "prerelease": prerelease,
        "make_latest": make_latest,
    }


def _already_exists(response: httpx.Response) -> bool:
    errors = _json_object(response).get("errors") if response.status_code == 422 else None
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("code") == "already_exists" for e in errors
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object GitHub answered, or ``{}``."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retryable(response: httpx.Response) -> bool:
    status = response.status_code
    if status >= 500 or status == 429:
        return True
    # The secondary rate limit: 403 with Retry-After. A plain 403 is a permission problem.
    return status == 403 and "retry-after" in response.headers
