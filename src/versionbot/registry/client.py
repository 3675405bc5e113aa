"""Edge: the HTTP conversation with any number of registries: TLS, scheme, auth and retries.

:class:`RegistryClient` holds one ``httpx.Client`` for every registry; its ``request`` sends one
OCI distribution API call with its :class:`~versionbot.registry.auth.RegistryAuth` and bounded
retries. What is asked is the business of manifests.py, transfer.py and stage.py;
:func:`expect` turns an unexpected status into a RegistryError naming the registry, the
repository and the status (the body's error codes at most).

Transport rules
    * HTTPS always, verified against the system store plus ``ca_file``. Plain HTTP only for a
      loopback registry (``127.0.0.0/8``, ``localhost``, ``::1``) or one named in ``insecure``;
      even then HTTPS is tried first and a certificate that fails verification is an error, never
      a reason to fall back. A token realm follows the same rule before credentials go to it.
    * Proxy variables are ignored (``trust_env=False``) so no proxy sees registry credentials.
    * 408, 429, 5xx, timeouts and connection errors are retried: 4 tries, backoff 0.5 s, 1 s,
      2 s, ``Retry-After`` honoured up to 5 s, total sleep under 10 s; the sleep is injectable.
      A 401 and its challenge are answered inside one try; a token fetch has retries of its own.
    * Timeouts are bounded: 30 s of silence per request (connect: 10 s), or
      ``VERSIONBOT_REGISTRY_TIMEOUT`` seconds from the ``env`` mapping (the ``timeout``
      argument wins over both).

Must not: print; put a credential or token into a message, a log record or a repr; read
``os.environ`` unless no ``env`` mapping is given.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import httpx

from versionbot.core.errors import RegistryError
from versionbot.core.retries import (
    ONCE,
    Failure,
    GaveUp,
    RetryPolicy,
    parse_retry_after,
    with_retries,
)
from versionbot.registry.auth import AuthCache, RegistryAuth, Scopes
from versionbot.registry.credentials import Credentials, docker_config_path
from versionbot.registry.oci import api_host, plain_http_allowed

_log = logging.getLogger(__name__)

# Bounded: a registry that stays down ends the run in under ten seconds.
REGISTRY_RETRIES = RetryPolicy()
_RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})

TIMEOUT_VARIABLE: Final = "VERSIONBOT_REGISTRY_TIMEOUT"
_DEFAULT_TIMEOUT: Final = 30.0


def _timeout_from(env: Mapping[str, str]) -> float:
    """Seconds a registry may stay silent (connect: at most 10): ``VERSIONBOT_REGISTRY_TIMEOUT``
    when it is a positive number, else 30. A stalled registry costs at most ``tries`` times it."""
    try:
        value = float(env.get(TIMEOUT_VARIABLE, ""))
    except ValueError:
        return _DEFAULT_TIMEOUT
    return value if 0 < value <= 3600 else _DEFAULT_TIMEOUT


class Unreachable(RegistryError):
    """Retries ran out on transport errors or 408/429/5xx (a re-run may succeed)."""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _is_cert_failure(exc: BaseException) -> bool:
    return any(
        isinstance(e, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(e)
        for e in _causes(exc)
    )


class RegistryClient:
    """Talks the OCI distribution API to any number of registries; close it when done."""

    def __init__(
        self,
        *,
        insecure: Sequence[str] = (),
        ca_file: Path | None = None,
        env: Mapping[str, str] | None = None,
        docker_config: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | None = None,
        retry: RetryPolicy = REGISTRY_RETRIES,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Configure trust, credentials and retries; no request is made here. ``progress`` is
        told how a blob copy between registries goes (a terminal shows it)."""
        self._insecure = tuple(insecure)
        self.progress = progress
        environment: Mapping[str, str] = dict(os.environ if env is None else env)
        self.sleep = sleep
        self.retry = retry
        context = ssl.create_default_context()
        if ca_file is not None:
            try:
                context.load_verify_locations(cafile=str(ca_file))
            except (OSError, ssl.SSLError):
                raise RegistryError(
                    f"cannot read the CA certificate file {ca_file}",
                    "give a PEM file holding the CA that signed the registry's certificate",
                ) from None
        self._ca_file = ca_file
        if timeout is None:
            timeout = _timeout_from(environment)
        self._http = httpx.Client(
            verify=context,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            trust_env=False,
            follow_redirects=False,
            event_hooks=dict(event_hooks or {}),
        )
        self._schemes: dict[str, str] = {}
        config_file = docker_config_path(docker_config, environment)
        self._auth = AuthCache(environment, config_file, self._insecure, self.request)

    def credentials(self, registry: str) -> Credentials | None:
        """The credentials this client sends to ``registry`` (looked up once per client)."""
        return self._auth.credentials(registry)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        registry: str,
        path: str,
        *,
        scopes: Scopes | None,
        repository: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterator[bytes] | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """One call to ``registry`` (``path``, or an absolute URL it handed out) with auth for
        ``scopes`` (None: none, as for its token service) and, unless ``retry`` is False (a
        streamed body), retries on 408/429/5xx, timeouts and connection errors;
        :class:`Unreachable` when they run out."""
        url = path if "://" in path else self._base_url(registry) + path
        auth = None
        if scopes is not None:
            attach = urlsplit(url).netloc == api_host(registry)
            auth = RegistryAuth(self._auth, registry, repository, scopes, attach=attach)

        def attempt() -> httpx.Response | Failure[None]:
            request = self._http.build_request(method, url, headers=headers, content=content)
            try:
                response = self._http.send(
                    request, auth=auth, stream=stream, follow_redirects=follow_redirects
                )
            except httpx.TransportError as exc:
                if _is_cert_failure(exc):
                    raise self._tls_error(registry) from None
                return Failure(type(exc).__name__, None)
            _log.debug("%s %s -> %s", method, urlsplit(url).path, response.status_code)
            if response.status_code not in _RETRYABLE_STATUS:
                return response
            response.close()
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return Failure(str(response.status_code), None, retry_after)

        policy = self.retry if retry else ONCE
        outcome: httpx.Response | GaveUp[None] = with_retries(attempt, policy, self.sleep)
        if isinstance(outcome, GaveUp):
            tries = f"{outcome.tries} {'try' if outcome.tries == 1 else 'tries'}"
            raise Unreachable(
                f"registry {registry} did not answer {method} for {repository} "
                f"after {tries} ({outcome.last.reason})",
                "the registry is down or rate-limiting; run the release again, "
                "every step is safe to repeat",
            )
        return outcome

    def _base_url(self, registry: str) -> str:
        host = api_host(registry)
        scheme = self._schemes.get(registry) or self._probe_scheme(registry, host)
        return f"{scheme}://{host}"

    def _probe_scheme(self, registry: str, host: str) -> str:
        """HTTPS unless plain HTTP is allowed and the host answers a TLS hello with plain HTTP.

        The answer is remembered only when the probe reached the host: a registry that is down
        right now is tried over plain HTTP this time and probed again on the next request.
        """
        scheme = "https"
        if plain_http_allowed(host, self._insecure):
            try:
                self._http.get(f"https://{host}/v2/").close()
            except httpx.TransportError as exc:
                if _is_cert_failure(exc):
                    raise self._tls_error(registry) from None
                if not any(isinstance(e, ssl.SSLError) for e in _causes(exc)):
                    return "http"
                scheme = "http"
        self._schemes[registry] = scheme
        return scheme

    def _tls_error(self, registry: str) -> RegistryError:
        if self._ca_file is None:
            hint = "pass the CA that signed its certificate (ca_file / --registry-ca)"
        else:
            hint = f"{self._ca_file} did not sign its certificate; pass the right CA file"
        return RegistryError(f"the TLS certificate of registry {registry} is not trusted", hint)


def expect(
    response: httpx.Response, ok: tuple[int, ...], registry: str, repository: str, action: str
) -> None:
    """Return when the status is one of ``ok``; else raise what went wrong, for ``action``."""
    status = response.status_code
    if status in ok:
        return
    codes = ""
    try:
        document = json.loads(response.read())
        found = [str(e.get("code")) for e in document.get("errors", ()) if isinstance(e, dict)]
        codes = f" {', '.join(found)}" if found else ""
    except (ValueError, AttributeError, httpx.HTTPError):
        pass
    if status == 403:
        raise RegistryError(
            f"registry {registry} denied the right to {action} {repository} (403{codes})",
            f"give the credentials for {registry} access to {repository}",
        )
    if status == 404:
        raise RegistryError(
            f"registry {registry} could not find what was needed to {action} {repository} "
            f"(404{codes})",
            "check the repository name and that the source image is complete",
        )
    raise RegistryError(
        f"registry {registry} answered {status}{codes} when asked to {action} {repository}",
        "see the registry's documentation for that status; the request was not changed",
    )


def location(response: httpx.Response) -> str:
    """The absolute ``Location`` of an answer that opened or moved an upload."""
    where = response.headers.get("Location")
    if not where:
        raise RegistryError(
            f"registry {response.url.netloc.decode()} opened an upload without a Location",
            "the registry does not follow the OCI distribution spec",
        )
    joined: str = urljoin(str(response.url), where)
    return joined
