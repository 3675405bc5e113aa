"""Edge: registry auth as an ``httpx.Auth``: ``WWW-Authenticate`` challenges, Basic and Bearer.

What it owns
    * :func:`parse_www_authenticate` - every challenge of a ``WWW-Authenticate`` header
      (RFC 9110 §11.6.1) as a :class:`Challenge`; never raises.
    * :class:`RegistryAuth` - one request's auth flow, driven by httpx: the registry's last
      challenge is answered up front; a 401 teaches a new challenge, answered once (never for a
      streamed body, which cannot be sent twice), and a second 401 is an error that names the
      registry and where the refused credentials came from.
    * :class:`AuthCache` - per registry: its challenge, its credentials (looked up once) and
      Bearer tokens per scopes until shortly before they expire. Scopes are per repository:
      ``pull`` for a source, ``pull,push`` for a target, both for a mount.

Must not: send a request itself (a token comes through the client's request, which retries);
send credentials to a plain-HTTP token realm the transport rule does not allow; put a credential
or token into a message, a log record or a repr.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from versionbot.core.errors import RegistryError
from versionbot.registry.credentials import Credentials, env_var_prefix, find_credentials
from versionbot.registry.oci import json_object, plain_http_allowed


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: a lower-case scheme and its parameters."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        """The parameter ``key`` (lower-case), or ``default``."""
        return next((v for k, v in self.params if k == key), default)


_TOKEN_CHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_TOKEN_RE = re.compile(_TOKEN_CHARS)
# Values are tokens or quoted strings; bare URLs (not RFC-valid, but seen) are read leniently.
_PARAM_RE = re.compile(rf'({_TOKEN_CHARS})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^\s,"]+)')


def parse_www_authenticate(header: str) -> tuple[Challenge, ...]:
    """Parse every challenge of a ``WWW-Authenticate`` header (RFC 9110 §11.6.1); never raises.

    >>> parse_www_authenticate('Bearer realm="https://a/token",service="reg",scope="x:y:pull"')[0]
    ... # doctest: +NORMALIZE_WHITESPACE
    Challenge(scheme='bearer',
              params=(('realm', 'https://a/token'), ('service', 'reg'), ('scope', 'x:y:pull')))
    """
    challenges: list[tuple[str, list[tuple[str, str]]]] = []
    pos, end = 0, len(header)
    while pos < end:
        if header[pos] in " \t,":
            pos += 1
            continue
        param = _PARAM_RE.match(header, pos)
        if param and challenges:
            value = param.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            challenges[-1][1].append((param.group(1).lower(), value))
            pos = param.end()
            continue
        token = _TOKEN_RE.match(header, pos)
        if token is None:
            pos += 1  # a stray character (or a token68's padding): skip it
            continue
        challenges.append((token.group(0).lower(), []))
        pos = token.end()
    return tuple(Challenge(scheme, tuple(params)) for scheme, params in challenges)


def _pick_challenge(header: str) -> Challenge | None:
    challenges = {c.scheme: c for c in parse_www_authenticate(header)}
    return challenges.get("bearer") or challenges.get("basic")


Scopes = tuple[str, ...]


def pull_scope(repository: str) -> str:
    """The token scope that reads ``repository``."""
    return f"repository:{repository}:pull"


def push_scope(repository: str) -> str:
    """The token scope that reads and writes ``repository``."""
    return f"repository:{repository}:pull,push"


@dataclass(slots=True)
class _Token:
    value: str = field(repr=False)
    expires: float  # time.monotonic()


class AuthCache:
    """Per registry: the challenge to answer, the credentials, and tokens per scopes."""

    def __init__(
        self,
        env: Mapping[str, str],
        docker_config: Path,
        insecure: Sequence[str],
        send: Callable[..., httpx.Response],
    ) -> None:
        """Nothing is looked up or sent here; ``send`` (the client's request, which retries)
        fetches tokens, with ``scopes=None``, when they are needed."""
        self._env = env
        self._docker_config = docker_config
        self._insecure = insecure
        self._send = send
        self._challenges: dict[str, Challenge] = {}
        self._tokens: dict[tuple[str, Scopes], _Token] = {}
        self._credentials: dict[str, Credentials | None] = {}

    def learn(self, registry: str, scopes: Scopes, challenge: Challenge) -> None:
        """Answer ``challenge`` from now on, with a new token for ``scopes``."""
        self._challenges[registry] = challenge
        self._tokens.pop((registry, scopes), None)

    def authorization(self, registry: str, repository: str, scopes: Scopes) -> str | None:
        """The ``Authorization`` value the registry's last challenge asks for, if any."""
        challenge = self._challenges.get(registry)
        if challenge is None:
            return None
        credentials = self.credentials(registry)
        if challenge.scheme == "basic":
            return credentials.basic_header() if credentials and credentials.password else None
        token = self._tokens.get((registry, scopes))
        if token is None or token.expires <= time.monotonic():
            token = self._fetch_token(registry, challenge, scopes, repository, credentials)
            self._tokens[(registry, scopes)] = token
        return f"Bearer {token.value}"

    def credentials(self, registry: str) -> Credentials | None:
        """The credentials for ``registry``, looked up on first use."""
        if registry not in self._credentials:
            self._credentials[registry] = find_credentials(registry, self._docker_config, self._env)
        return self._credentials[registry]

    def refused(
        self, registry: str, repository: str, had_credentials: bool, scopes: Scopes
    ) -> RegistryError:
        """The error for a 401 that answering the challenge did not cure."""
        action = "push to" if any(s.endswith(",push") for s in scopes) else "pull"
        hint = (
            f"run `docker login {registry}`, or set VERSIONBOT_REGISTRY_USERNAME/_PASSWORD (or "
            f"{env_var_prefix(registry)}_USERNAME/_PASSWORD) to a user allowed to {action} "
            f"{repository}"
        )
        creds = self.credentials(registry)
        if had_credentials and creds is not None:
            return RegistryError(
                f"registry {registry} refused the credentials for {repository} (401)",
                f"{hint} (the refused ones came from {creds.source})",
            )
        return RegistryError(
            f"registry {registry} requires credentials for {repository} (401)", hint
        )

    def _fetch_token(
        self,
        registry: str,
        challenge: Challenge,
        scopes: Scopes,
        repository: str,
        credentials: Credentials | None,
    ) -> _Token:
        realm = challenge.get("realm")
        parts = urlsplit(realm)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise RegistryError(
                f"registry {registry} named no usable token realm for {repository}",
                "the registry's auth setup is broken; ask its operator",
            )
        if parts.scheme == "http" and not plain_http_allowed(parts.netloc, self._insecure):
            raise RegistryError(
                f"registry {registry} sends credentials to a plain-HTTP token realm {parts.netloc}",
                f"refusing; add {parts.netloc} to the insecure registries only if you trust it",
            )
        service = challenge.get("service")
        content: bytes | None = None
        if credentials is not None and credentials.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": credentials.identity_token,
                "client_id": "versionbot",
                "scope": " ".join(scopes),
            }
            if service:
                form["service"] = service
            method, url, content = "POST", realm, urlencode(form).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            query = [("service", service)] if service else []
            query += [("scope", scope) for scope in scopes]
            method, url = "GET", f"{realm}{'&' if parts.query else '?'}{urlencode(query)}"
            headers = {"Authorization": credentials.basic_header()} if credentials else {}
        response = self._send(
            method,
            registry,
            url,
            scopes=None,
            repository=repository,
            headers=headers,
            content=content,
        )
        if response.status_code in {401, 403}:
            raise self.refused(registry, repository, credentials is not None, scopes)
        if response.status_code != 200:
            raise RegistryError(
                f"the token service of {registry} answered {response.status_code} for {repository}",
                "the registry's auth service is failing; run the release again later",
            )
        document = json_object(response.content)
        value = document.get("token") or document.get("access_token")
        if not isinstance(value, str) or not value:
            raise RegistryError(
                f"the token service of {registry} sent no token for {repository}",
                "the registry's auth service is broken; ask its operator",
            )
        lifetime = document.get("expires_in", 60)
        seconds = float(lifetime) if isinstance(lifetime, int | float) else 60.0
        return _Token(value, time.monotonic() + max(seconds - 10.0, 5.0))


@dataclass(frozen=True, slots=True)
class RegistryAuth(httpx.Auth):
    """The auth of one registry request, for ``repository`` with ``scopes``; httpx runs
    :meth:`sync_auth_flow` when the request goes.

    ``attach`` is False for a URL on another host than the registry's API (an upload location
    may point elsewhere): credentials never go there, though a 401 from it is still reported.
    """

    cache: AuthCache
    registry: str
    repository: str
    scopes: Scopes
    attach: bool

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Send, answer one 401 challenge, send again; a second 401 raises RegistryError.

        This overrides ``sync_auth_flow`` (not ``auth_flow``) as httpx asks of a flow that does
        I/O of its own: a token is fetched through the cache's sender, with its retries.
        """
        cache, registry, scopes = self.cache, self.registry, self.scopes
        sent_credentials = False
        for round_ in (1, 2):
            authorization = (
                cache.authorization(registry, self.repository, scopes) if self.attach else None
            )
            if authorization is None:
                request.headers.pop("Authorization", None)
            else:
                request.headers["Authorization"] = authorization
                sent_credentials = True
            response = yield request
            if response.status_code != 401:
                return
            challenge = _pick_challenge(response.headers.get("WWW-Authenticate", ""))
            replayable = isinstance(request.stream, httpx.ByteStream)
            if challenge is None or round_ == 2 or not replayable:
                break
            cache.learn(registry, scopes, challenge)
        raise cache.refused(registry, self.repository, sent_credentials, scopes)
