"""Forge edge: GitHub.com, GitHub Enterprise Server (``https://HOST/api/v3``) and GHE.com.

The calls are :class:`~versionbot.forge.rest.RestForge`'s (GitHub's REST shapes, the pages it
follows are listed there); this module is GitHub's dialect: ``Authorization: Bearer ...``, the
``application/vnd.github+json`` media type and API version 2022-11-28, ``make_latest``, and
``422 already_exists`` for a duplicate release.
"""

from __future__ import annotations

from typing import ClassVar

from versionbot.forge.conversation import USER_AGENT, Dialect
from versionbot.forge.rest import RestForge

__all__ = ["GITHUB", "GitHubForge"]

GITHUB = Dialect(
    name="GitHub",
    auth_scheme="Bearer",
    headers=(
        ("Accept", "application/vnd.github+json"),
        ("X-GitHub-Api-Version", "2022-11-28"),
        ("User-Agent", USER_AGENT),
    ),
    url_variable="GITHUB_API_URL",
    token_hint=(
        "use a token that is valid and has `contents: write` permission on the repository "
        "(in GitHub Actions: `permissions: contents: write`), in GITHUB_TOKEN or GH_TOKEN"
    ),
    pulls_hint=(
        "give the token `contents: write` and `pull-requests: write` (in GitHub Actions: "
        "`permissions:`), and allow GitHub Actions to create pull requests in the repository "
        "settings; a re-run is safe"
    ),
    conflict_statuses=frozenset({422}),
    make_latest=True,
)


class GitHubForge(RestForge):
    """GitHub.com, GitHub Enterprise Server (``https://HOST/api/v3``) and GHE.com."""

    dialect: ClassVar[Dialect] = GITHUB
