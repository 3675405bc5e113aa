"""Forge edge: Gitea and Forgejo, which serve GitHub's release and pull-request shapes under
``https://HOST/api/v1``.

The calls are :class:`~versionbot.forge.rest.RestForge`'s; only the dialect differs:
``Authorization: token ...``, plain JSON ``Accept``, no API version header, no ``make_latest``
(Gitea has no such field), ``409`` for a duplicate tag, and a pull-request list without a head
filter.
"""

from __future__ import annotations

from typing import ClassVar

from versionbot.forge.conversation import USER_AGENT, Dialect
from versionbot.forge.model import PullRequest
from versionbot.forge.rest import RestForge

__all__ = ["GITEA", "GiteaForge"]

GITEA = Dialect(
    name="Gitea",
    auth_scheme="token",
    headers=(("Accept", "application/json"), ("User-Agent", USER_AGENT)),
    url_variable="the Gitea API URL",
    token_hint="use a token that is valid and has the `write:repository` scope on the repository",
    pulls_hint="use a token with the `write:repository` scope, and a base branch that exists",
    conflict_statuses=frozenset({409, 422}),
    make_latest=False,
)


class GiteaForge(RestForge):
    """Gitea and Forgejo: GitHub's shapes in the Gitea dialect."""

    dialect: ClassVar[Dialect] = GITEA

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """Gitea's list has no head filter: the newest pull requests, filtered here."""
        query = f"?state={state}&sort=newest&limit=50"
        return self._pull_list(self._api.request("GET", self._pulls + query), branch)
