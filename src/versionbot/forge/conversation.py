"""Edge: the HTTP conversation with a forge's REST API, in GitHub's shapes.

What it owns
    * :class:`Conversation` - requests to one repository's API with the token, bounded retries
      (:func:`versionbot.core.retries.with_retries`; 5xx, 429, a 403 carrying ``Retry-After``
      (GitHub's secondary rate limit) and connection errors, ``Retry-After`` honoured up to a
      cap, the sleep injected so tests never wait), and the wording of a refusal: one line on
      what the forge refused, one on what to do, the forge's own words redacted.
    * :class:`Dialect` - what differs between forges speaking GitHub's REST shapes.

What it must not do
    * Let the token out: it travels only in the ``Authorization`` header; every text that
      reaches an exception or a log record passes through ``redact``; no repr shows it.
    * Import ``httpx`` before a request is about to be made (it costs ~70 ms at start-up).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from versionbot import __version__
from versionbot.core.errors import ForgeError
from versionbot.core.redaction import redact
from versionbot.core.retries import Failure, GaveUp, RetryPolicy, parse_retry_after, with_retries

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FORGE_RETRIES",
    "REPOSITORY",
    "TOKEN_CHARS",
    "USER_AGENT",
    "Conversation",
    "Dialect",
    "json_object",
]

# Forges rate-limit harder than registries: longer waits, and their Retry-After honoured.
FORGE_RETRIES = RetryPolicy(
    tries=5, base_delay=1.0, max_delay=30.0, retry_after_cap=30.0, total_sleep_cap=120.0
)
USER_AGENT = f"versionbot/{__version__}"
REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: what a header can carry

_log = logging.getLogger(__name__)

_MAX_SHOWN = 300  # characters of a forge's error text shown in a message


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one forge product speaks GitHub's REST shapes."""

    name: str  # in messages: "GitHub", "Gitea"
    auth_scheme: str  # ``Authorization: <scheme> <token>``
    headers: tuple[tuple[str, str], ...]
    url_variable: str  # what sets the API URL, for hints
    token_hint: str  # the permissions a token needs
    pulls_hint: str  # what a refused pull request needs
    conflict_statuses: frozenset[int]  # how a duplicate is refused
    make_latest: bool  # whether a release says if it becomes the latest


class Conversation:
    """Requests to one repository's API on one forge; closes and reopens its connections."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        dialect: Dialect,
        *,
        sleep: Callable[[float], None],
        retry: RetryPolicy,
        transport: httpx.BaseTransport | None,
        timeout: float,
    ) -> None:
        """Check the repository name and the token's characters; nothing is sent here."""
        if not REPOSITORY.fullmatch(repository):
            raise ForgeError(
                f"{repository!r} is not a repository name of the form owner/name",
                "set GITHUB_REPOSITORY to owner/name",
            )
        if not TOKEN_CHARS.fullmatch(token):
            raise ForgeError(
                f"the {dialect.name} token for {repository} holds characters no token has",
                "set the token without spaces, quotes or line breaks",
            )
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self.dialect = dialect
        self._token = token
        self._sleep = sleep
        self._retry = retry
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.Client | None = None

    def close(self) -> None:
        """Close the HTTP connections (the next request opens them again)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(
        self, method: str, path: str, payload: Mapping[str, object] | None = None
    ) -> httpx.Response:
        """The forge's answer, after retrying what a retry can fix. Raises only ForgeError."""
        import httpx

        url = self.api_url + path
        headers = {"Authorization": f"{self.dialect.auth_scheme} {self._token}"}

        def attempt() -> httpx.Response | Failure[httpx.Response | None]:
            try:
                response = self._http().request(method, url, json=payload, headers=headers)
            except httpx.TransportError as exc:
                return Failure(self.redact(f"{type(exc).__name__}: {exc}"), None)
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
                self.redact(path),
                failure.reason,
                delay,
            )

        outcome: httpx.Response | GaveUp[httpx.Response | None] = with_retries(
            attempt, self._retry, self._sleep, tell
        )
        if not isinstance(outcome, GaveUp):
            return outcome
        if outcome.last.answer is not None:  # the caller words what the forge answered
            return outcome.last.answer
        raise ForgeError(
            f"cannot reach {self.dialect.name} at {self.api_url} "
            f"after {outcome.tries} tries: {outcome.last.reason}",
            f"check the network and the API URL; running again is safe "
            f"({self.dialect.url_variable} sets the URL)",
        )

    def error(self, response: httpx.Response, action: str, tag: str | None) -> ForgeError:
        """One line on what the forge refused, one on what to do; the forge's words redacted."""
        status = response.status_code
        forge, repo, variable = self.dialect.name, self.repository, self.dialect.url_variable
        said = self._said(response)
        hint = self.dialect.token_hint
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
            hint = f"check that {variable} points at the {forge} API"
        return ForgeError(message, hint)

    def not_a(self, what: str, action: str) -> ForgeError:
        """The error for an answer that is not the ``what`` asked for."""
        return ForgeError(
            f"{self.dialect.name} answered with something that is not {what} "
            f"when asked to {action} in {self.repository}",
            f"check that {self.dialect.url_variable} points at the {self.dialect.name} API",
        )

    def redact(self, text: str) -> str:
        """``text`` without the token (or anything that looks like one)."""
        return redact(text, [self._token])

    def _said(self, response: httpx.Response) -> str:
        """What the forge said about the failure, redacted and on one line (``: ...``)."""
        data = json_object(response)
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
        return f": {self.redact(text)}" if text else ""

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                headers=dict(self.dialect.headers),
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                transport=self._transport,
                # Renamed repositories answer with redirects; httpx drops the Authorization
                # header when a redirect leaves the origin.
                follow_redirects=True,
            )
        return self._client


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object a forge answered, or ``{}``."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retryable(response: httpx.Response) -> bool:
    status = response.status_code
    if status >= 500 or status == 429:
        return True
    # GitHub's secondary rate limit: 403 with Retry-After. A plain 403 is a permission problem.
    return status == 403 and "retry-after" in response.headers
