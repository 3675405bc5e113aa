"""Forge edge: where the GitHub release goes and with which token, from the environment and the
git remote; and the GitHubForge built from them.

Reads only the ``env`` mapping it is given (``GITHUB_API_URL``, ``GITHUB_REPOSITORY``,
``GITHUB_TOKEN``/``GH_TOKEN``) and the remote URL (through
:func:`versionbot.core.links.parse_remote_url`). Never raises while reading the settings
(``problem`` says what is wrong or missing); the token never appears in a repr.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from versionbot.core.errors import ForgeError
from versionbot.core.links import parse_remote_url
from versionbot.core.redaction import REDACTED
from versionbot.forge.github import REPOSITORY, TOKEN_CHARS, GitHubForge

if TYPE_CHECKING:
    import httpx

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


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
    remote = parse_remote_url(remote_url) if remote_url else None
    if remote is None or remote.host.lower() not in github_web_hosts(api_url):
        return None
    path = remote.path
    if not REPOSITORY.fullmatch(path) or any(p in (".", "..") for p in path.split("/")):
        return None
    return path


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
        if not REPOSITORY.fullmatch(named):
            return GitHubSettings(
                api_url, None, token, f"GITHUB_REPOSITORY {named!r} is not owner/name"
            )
        repository: str | None = named
    else:
        repository = repository_from_remote(remote_url, api_url)
    problem = None
    if repository is not None and token is None:
        problem = "no GITHUB_TOKEN or GH_TOKEN"
    elif repository is not None and token is not None and not TOKEN_CHARS.fullmatch(token):
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
