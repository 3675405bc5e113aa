"""Forge edge: the release (with its notes) and the release pull request in GitHub's REST shapes.

Owns the calls to a forge's releases and pull-request APIs, and nothing else: it does not
render notes, decide versions or touch git; the HTTP, retries and error wording are
:mod:`~versionbot.forge.conversation`'s, and what differs between forges is their
:class:`~versionbot.forge.conversation.Dialect` (:mod:`~versionbot.forge.github`). It
follows these GitHub REST API pages (API version 2022-11-28):

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

**Idempotent.** ``create_release`` looks the tag up first; a release that exists (found, or
reported by the forge as ``already_exists`` when another run won the race) is returned, and
updated only where it differs from what was asked. A re-run never makes a second release.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Self
from urllib.parse import quote

from versionbot.core.errors import ForgeError
from versionbot.core.retries import RetryPolicy
from versionbot.forge.conversation import FORGE_RETRIES, Conversation, Dialect, json_object
from versionbot.forge.model import ForgeRelease, PullRequest

if TYPE_CHECKING:
    import httpx

__all__ = ["BY_TAG_DOCS", "CREATE_DOCS", "UPDATE_DOCS", "RestForge"]

DOCS = "https://docs.github.com/en/rest/releases/releases"
CREATE_DOCS = f"{DOCS}#create-a-release"
BY_TAG_DOCS = f"{DOCS}#get-a-release-by-tag-name"
UPDATE_DOCS = f"{DOCS}#update-a-release"

_log = logging.getLogger(__name__)


class RestForge:
    """A forge's releases and pull requests in GitHub's shapes; a subclass names its dialect."""

    dialect: ClassVar[Dialect]

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
        """The forge API at ``api_url`` for ``repository`` (owner/name); nothing is sent here."""
        self._api = Conversation(
            api_url,
            repository,
            token,
            self.dialect,
            sleep=sleep,
            retry=retry,
            transport=transport,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        api = self._api
        return f"{type(self).__name__}(api_url={api.api_url!r}, repository={api.repository!r})"

    @property
    def repository(self) -> str:
        """``owner/name`` of the repository."""
        return self._api.repository

    def close(self) -> None:
        """Close the HTTP connections (the forge can still be used: they reopen)."""
        self._api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- releases --------------------------------------------------------------------------

    def find_release(self, tag: str) -> ForgeRelease | None:
        """The published release of ``tag``, or None ("Get a release by tag name")."""
        response = self._api.request("GET", f"{self._releases}/tags/{quote(tag, safe='')}")
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
            response = self._api.request("POST", self._releases, payload)
            if not self._already_exists(response):
                return self._release_or_raise(response, f"create the release {tag}", tag)
            # Another run made it between our look-up and our POST: converge on theirs.
            existing = self.find_release(tag)
            if existing is None:
                raise ForgeError(
                    f"{self.dialect.name} says a release of {tag} exists in {self.repository}, "
                    "but cannot show it",
                    f"a draft release may hold the tag {tag}: publish or delete it, then run again",
                )
        if existing.says(name=name, body=body, prerelease=prerelease):
            return existing
        _log.info("updating the %s release %s of %s", self.dialect.name, tag, self.repository)
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
        response = self._api.request("PATCH", f"{self._releases}/{release_id}", payload)
        return self._release_or_raise(response, f"update the release {release_id}", None)

    def _latest_field(self, *, prerelease: bool, latest: bool) -> dict[str, str]:
        if not self.dialect.make_latest:
            return {}
        # A string, as the API takes it; GitHub never makes a prerelease the latest.
        return {"make_latest": "true" if latest and not prerelease else "false"}

    def _already_exists(self, response: httpx.Response) -> bool:
        if response.status_code not in self.dialect.conflict_statuses:
            return False
        if response.status_code == 409:  # Gitea/Forgejo: "release already exists"
            return True
        errors = json_object(response).get("errors")
        return isinstance(errors, list) and any(
            isinstance(e, dict) and e.get("code") == "already_exists" for e in errors
        )

    def _release_or_raise(
        self, response: httpx.Response, action: str, tag: str | None
    ) -> ForgeRelease:
        if response.status_code in (200, 201):
            release = ForgeRelease.from_json(json_object(response))
            if release is None:
                raise self._api.not_a("a release", action)
            return release
        raise self._api.error(response, action, tag)

    @property
    def _releases(self) -> str:
        owner, name = self.repository.split("/")
        return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/releases"

    # -- pull requests (the release pull request) -----------------------------------------

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """The pull requests from ``branch`` of this repository ("List pull requests"), newest
        first; ``state`` is ``open``, ``closed`` or ``all``."""
        owner = self.repository.split("/")[0]
        head = quote(f"{owner}:{branch}", safe=":/")
        query = f"?head={head}&state={state}&sort=created&direction=desc&per_page=30"
        return self._pull_list(self._api.request("GET", self._pulls + query), branch)

    def create_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from ``head`` into ``base`` ("Create a pull request").

        When the forge says one is already open for ``head`` (another run won the race), that
        one is returned: the caller brings it up to date.
        """
        payload = {"title": title, "head": head, "base": base, "body": body}
        response = self._api.request("POST", self._pulls, payload)
        if response.status_code in self.dialect.conflict_statuses | {409}:
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
        response = self._api.request("PATCH", f"{self._pulls}/{number}", payload)
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
            name = self.dialect.name
            raise ForgeError(
                f"{name} answered with something that is not a list of pull requests "
                f"in {self.repository}",
                f"check that {self.dialect.url_variable} points at the {name} API",
            )
        pulls = [PullRequest.from_json(item) for item in data if isinstance(item, dict)]
        return [p for p in pulls if p is not None and p.head == branch]

    def _pull_or_raise(self, response: httpx.Response, action: str) -> PullRequest:
        if response.status_code in (200, 201):
            pull = PullRequest.from_json(json_object(response))
            if pull is None:
                raise self._api.not_a("a pull request", action)
            return pull
        raise self._pull_error(response, action)

    def _pull_error(self, response: httpx.Response, action: str) -> ForgeError:
        error = self._api.error(response, action, None)
        if response.status_code in (403, 422):
            return ForgeError(error.message, self.dialect.pulls_hint)
        return error

    @property
    def _pulls(self) -> str:
        return self._releases.removesuffix("/releases") + "/pulls"
