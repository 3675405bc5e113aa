"""Edge: an OCI distribution API client that promotes a multi-arch image by digest.

What it owns
    * :class:`RegistryClient` - manifests, blobs and tags over HTTP(S) with ``httpx``: Basic and
      Bearer-token challenges (``WWW-Authenticate``) with per-repository scopes (``pull`` for a
      source, ``pull,push`` for a target, both for a cross-repository mount), tokens cached per
      (registry, scopes); TLS with an extra CA file; bounded retries with exponential backoff.
    * :func:`promote` - resolve a source index, check its platforms, then put the *same manifest
      bytes* under every target tag: no pull, no layer upload, the digest never changes. Another
      repository on the same registry gets its blobs by cross-repository mount; another registry
      gets the blobs it lacks streamed in 1 MiB chunks (never a whole blob in memory), then the
      child manifests by digest, then the index. Every tag is read back and verified, and
      reported as a :class:`PushedTag`.

What it uses
    * :mod:`versionbot.registry.oci` (pure) - :class:`~versionbot.registry.oci.ImageRef`,
      manifests, media types, platform matching and
      :func:`~versionbot.registry.oci.plain_http_allowed`.
    * :mod:`versionbot.registry.auth` - challenge parsing and the credentials, looked up once per
      registry, first match wins: ``VERSIONBOT_REGISTRY_<HOST>_USERNAME``/``_PASSWORD``, then
      ``VERSIONBOT_REGISTRY_USERNAME``/``_PASSWORD``, then the Docker config (``docker_config``
      argument, ``$DOCKER_CONFIG``, ``~/.docker``), else anonymous access (the naming rules
      are in that module's docstring).

Transport rules
    * HTTPS always, verified against the system store plus ``ca_file``. Plain HTTP only for a
      loopback registry (``127.0.0.0/8``, ``localhost``, ``::1``) or one named in ``insecure``;
      even then HTTPS is tried first and a certificate that fails verification is an error, never
      a reason to fall back. A token realm follows the same rule before credentials go to it.
    * Proxy variables are ignored (``trust_env=False``) so no proxy sees registry credentials.
    * 429, 5xx, timeouts and connection errors are retried: 4 tries, backoff 0.5 s, 1 s, 2 s,
      ``Retry-After`` honoured up to 5 s, total sleep under 10 s; the sleep is injectable.
    * Timeouts are bounded: 30 s of silence per request (connect: 10 s), or
      ``VERSIONBOT_REGISTRY_TIMEOUT`` seconds from the ``env`` mapping (the ``timeout``
      argument wins over both).

What it must not do
    * Print, or put a credential or token into an exception message, a log record or a repr.
      Messages name the registry, the repository and the HTTP status only (the body's error
      codes at most), and every failure is a :class:`versionbot.core.errors.RegistryError`.
    * Pull an image, re-serialise a manifest (that would change its digest), hold a blob in
      memory, or decide which tags to move (that is ``images.py``/``release.py``'s policy).
    * Read ``os.environ`` except when no ``env`` mapping is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from versionbot.core.errors import RegistryError, UsageError
from versionbot.core.retries import RetryPolicy, parse_retry_after
from versionbot.registry.auth import (
    Challenge,
    Credentials,
    credentials_from_docker_config,
    credentials_from_env,
    docker_config_path,
    env_var_prefix,
    parse_www_authenticate,
)
from versionbot.registry.oci import (
    MANIFEST_TYPES,
    Descriptor,
    ImageRef,
    Manifest,
    api_host,
    is_digest,
    json_object,
    plain_http_allowed,
    platform_matches,
    platform_text,
)

__all__ = [
    "REGISTRY_RETRIES",
    "PushedTag",
    "RegistryClient",
    "promote",
]

_log = logging.getLogger(__name__)

_ACCEPT: Final = ", ".join(MANIFEST_TYPES)

_MAX_MANIFEST_BYTES: Final = 4 * 1024 * 1024  # distribution's own limit for a manifest
_MAX_CONFIG_BYTES: Final = 8 * 1024 * 1024
_CHUNK: Final = 1024 * 1024
_RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})

_LOGIN_HINT: Final = (
    "run `docker login {registry}`, or set VERSIONBOT_REGISTRY_USERNAME/_PASSWORD "
    "(or {prefix}_USERNAME/_PASSWORD) to a user allowed to {action} {repository}"
)

# Bounded: a registry that stays down ends the run in under ten seconds.
REGISTRY_RETRIES = RetryPolicy()


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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class PushedTag:
    """A tag that now exists, with the digest and platforms read back from the registry."""

    ref: ImageRef
    digest: str
    platforms: tuple[str, ...]
    pushed: bool = True  # False: the tag already had this digest and was only verified


# --------------------------------------------------------------------------- retries


def _is_cert_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Unreachable(RegistryError):
    """Retries ran out on transport errors or 429/5xx (a re-run may succeed)."""


# --------------------------------------------------------------------------- the client

Scopes = tuple[str, ...]


def _pull(repository: str) -> str:
    return f"repository:{repository}:pull"


def _push(repository: str) -> str:
    return f"repository:{repository}:pull,push"


@dataclass(slots=True)
class _Token:
    value: str = field(repr=False)
    expires: float


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
        self._progress = progress
        self._insecure = tuple(insecure)
        self._env: Mapping[str, str] = dict(os.environ if env is None else env)
        self._docker_config = docker_config_path(docker_config, self._env)
        self._sleep = sleep
        self._retry = retry
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
            timeout = _timeout_from(self._env)
        self._http = httpx.Client(
            verify=context,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            trust_env=False,
            follow_redirects=False,
            event_hooks=dict(event_hooks or {}),
        )
        self._schemes: dict[str, str] = {}
        self._challenges: dict[str, Challenge] = {}
        self._tokens: dict[tuple[str, Scopes], _Token] = {}
        self._credentials: dict[str, Credentials | None] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public operations ------------------------------------------------------------------

    def resolve(self, ref: ImageRef) -> Manifest:
        """The manifest (usually an index) that ``ref`` names, exactly as stored."""
        manifest = self._get_manifest(
            ref.registry, ref.repository, ref.reference, (_pull(ref.repository),)
        )
        if manifest is None:
            raise RegistryError(
                f"registry {ref.registry} has no manifest {ref.repository}:{ref.reference} (404)",
                "check the image reference; was the image pushed by CI for this commit?",
            )
        return manifest

    def platforms(self, ref: ImageRef) -> tuple[str, ...]:
        """The platforms of ``ref``: from the index, or from the config of a single image."""
        return self.manifest_platforms(ref, self.resolve(ref))

    def manifest_platforms(self, ref: ImageRef, manifest: Manifest) -> tuple[str, ...]:
        """Platforms of an already resolved manifest of ``ref``'s repository."""
        if manifest.is_index:
            return manifest.index_platforms()
        config = next((b for b in manifest.blobs()), None)
        if config is None or not 0 <= config.size <= _MAX_CONFIG_BYTES:
            return ()
        response = self._request(
            "GET",
            ref.registry,
            f"/v2/{ref.repository}/blobs/{config.digest}",
            scopes=(_pull(ref.repository),),
            repository=ref.repository,
            follow_redirects=True,
        )
        self._expect(response, (200,), ref.registry, ref.repository, "read the image config of")
        document = json_object(response.content)
        return (platform_text(document),)

    def tags(self, registry: str, repository: str, *, page_size: int = 1000) -> list[str]:
        """Every tag of ``repository`` (all pages); ``[]`` when the repository does not exist."""
        found: list[str] = []
        url: str | None = f"/v2/{repository}/tags/list?n={page_size}"
        while url is not None:
            response = self._request(
                "GET", registry, url, scopes=(_pull(repository),), repository=repository
            )
            if response.status_code == 404:
                return found
            self._expect(response, (200,), registry, repository, "list the tags of")
            found += [str(t) for t in (json_object(response.content).get("tags") or ())]
            next_link = response.links.get("next", {}).get("url")
            url = urljoin(str(response.url), next_link) if next_link else None
        return found

    def digest_of(self, ref: ImageRef) -> str | None:
        """The digest ``ref`` points to now, or None when it does not exist."""
        manifest = self._get_manifest(
            ref.registry, ref.repository, ref.reference, (_pull(ref.repository),)
        )
        return None if manifest is None else manifest.digest

    def copy_image(
        self, source: ImageRef, manifest: Manifest, registry: str, repository: str
    ) -> None:
        """Make ``manifest`` (from ``source``'s repository) and its content exist in ``repository``.

        Blobs are mounted on the same registry and streamed otherwise; child manifests are put by
        digest. The top manifest itself is not put: tagging it is :meth:`put_manifest`'s job.
        """
        for child in manifest.children():
            if self._manifest_exists(registry, repository, child.digest):
                continue
            child_manifest = self._get_manifest(
                source.registry, source.repository, child.digest, (_pull(source.repository),)
            )
            if child_manifest is None:
                raise RegistryError(
                    f"registry {source.registry} lost {source.repository}@{child.digest} (404)",
                    "the source index is incomplete; rebuild and push it again",
                )
            self.copy_image(source, child_manifest, registry, repository)
            self.put_manifest(ImageRef(registry, repository, None, child.digest), child_manifest)
        for blob in manifest.blobs():
            if blob.urls:  # non-distributable layer: its bytes live elsewhere
                continue
            self._copy_blob(source, registry, repository, blob)

    def put_manifest(self, target: ImageRef, manifest: Manifest) -> None:
        """PUT the manifest's exact bytes under ``target.reference`` and check the digest."""
        response = self._request(
            "PUT",
            target.registry,
            f"/v2/{target.repository}/manifests/{target.reference}",
            scopes=(_push(target.repository),),
            repository=target.repository,
            headers={"Content-Type": manifest.media_type},
            content=manifest.raw,
        )
        self._expect(response, (200, 201), target.registry, target.repository, "push to")
        answered = response.headers.get("Docker-Content-Digest")
        if answered and answered != manifest.digest:
            raise RegistryError(
                f"registry {target.registry} stored {target} as {answered}, not {manifest.digest}",
                "the registry rewrote the manifest; it cannot keep a digest, use another registry",
            )

    # -- manifests and blobs ----------------------------------------------------------------

    def _get_manifest(
        self, registry: str, repository: str, reference: str, scopes: Scopes
    ) -> Manifest | None:
        response = self._request(
            "GET",
            registry,
            f"/v2/{repository}/manifests/{reference}",
            scopes=scopes,
            repository=repository,
            headers={"Accept": _ACCEPT},
        )
        if response.status_code == 404:
            return None
        self._expect(response, (200,), registry, repository, "read")
        if len(response.content) > _MAX_MANIFEST_BYTES:
            raise RegistryError(
                f"registry {registry} sent a manifest of {repository} larger than 4 MiB",
                "check that the reference names an image index or manifest",
            )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        manifest = Manifest.from_bytes(response.content, media_type or None)
        if manifest.media_type not in MANIFEST_TYPES:
            raise RegistryError(
                f"{registry}/{repository}:{reference} is a {manifest.media_type or 'untyped'} "
                "manifest, not an OCI or Docker v2 image",
                "push the image as an OCI index or a Docker manifest list",
            )
        if is_digest(reference) and manifest.digest != reference:
            raise RegistryError(
                f"registry {registry} answered {repository}@{reference} with {manifest.digest}",
                "the registry or something between us altered the manifest; do not trust it",
            )
        return manifest

    def _manifest_exists(self, registry: str, repository: str, digest: str) -> bool:
        response = self._request(
            "HEAD",
            registry,
            f"/v2/{repository}/manifests/{digest}",
            scopes=(_push(repository),),
            repository=repository,
            headers={"Accept": _ACCEPT},
        )
        if response.status_code == 404:
            return False
        self._expect(response, (200,), registry, repository, "read")
        return True

    def _copy_blob(
        self, source: ImageRef, registry: str, repository: str, blob: Descriptor
    ) -> None:
        if source.registry == registry:
            query = urlencode({"mount": blob.digest, "from": source.repository})
            response = self._request(
                "POST",
                registry,
                f"/v2/{repository}/blobs/uploads/?{query}",
                scopes=(_push(repository), _pull(source.repository)),
                repository=repository,
                content=b"",
            )
            self._expect(response, (201, 202), registry, repository, "mount a blob into")
            if response.status_code == 201:
                return
            # 202: the registry would not mount (e.g. no access to the source); it opened an
            # upload instead, which we fill by streaming the blob through.
            location: str | None = self._location(response)
        else:
            response = self._request(
                "HEAD",
                registry,
                f"/v2/{repository}/blobs/{blob.digest}",
                scopes=(_push(repository),),
                repository=repository,
            )
            if response.status_code == 200:
                return
            if response.status_code != 404:
                self._expect(response, (200,), registry, repository, "check a blob in")
            location = None
        self._stream_blob(source, registry, repository, blob, location)

    def _start_upload(self, registry: str, repository: str) -> str:
        response = self._request(
            "POST",
            registry,
            f"/v2/{repository}/blobs/uploads/",
            scopes=(_push(repository),),
            repository=repository,
            content=b"",
        )
        self._expect(response, (202,), registry, repository, "start an upload to")
        return self._location(response)

    def _location(self, response: httpx.Response) -> str:
        location = response.headers.get("Location")
        if not location:
            raise RegistryError(
                f"registry {response.url.netloc.decode()} opened an upload without a Location",
                "the registry does not follow the OCI distribution spec",
            )
        joined: str = urljoin(str(response.url), location)
        return joined

    def _stream_blob(
        self,
        source: ImageRef,
        registry: str,
        repository: str,
        blob: Descriptor,
        location: str | None,
    ) -> None:
        """Copy one blob through this process in chunks; retry the whole blob on a fault."""
        slept = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                url = location or self._start_upload(registry, repository)
                location = None
                self._stream_blob_once(source, registry, repository, blob, url)
                return
            except _Unreachable:
                wait = self._retry.delay(attempt, None, slept)
                if wait is None:
                    raise
                self._sleep(wait)
                slept += wait

    def _stream_blob_once(
        self, source: ImageRef, registry: str, repository: str, blob: Descriptor, url: str
    ) -> None:
        with contextlib.closing(self._open_stream(source, blob)) as download:
            hasher = hashlib.sha256()

            def chunks() -> Iterator[bytes]:
                copied = 0
                for chunk in download.iter_bytes(_CHUNK):
                    hasher.update(chunk)
                    copied += len(chunk)
                    if self._progress is not None:
                        self._progress(
                            f"copying {blob.digest[:19]} to {registry}: "
                            f"{copied >> 20} of {max(blob.size, 0) >> 20} MiB"
                        )
                    yield chunk

            headers = {"Content-Type": "application/octet-stream"}
            if blob.size >= 0:
                headers["Content-Length"] = str(blob.size)
            response = self._request(
                "PATCH",
                registry,
                url,
                scopes=(_push(repository),),
                repository=repository,
                headers=headers,
                content=chunks(),
                retry=False,
            )
            self._expect(response, (202, 204), registry, repository, "upload a blob to")
            received = "sha256:" + hasher.hexdigest()
        if blob.digest.startswith("sha256:") and received != blob.digest:
            raise _Unreachable(
                f"registry {source.registry} sent {blob.digest} with other content",
                "the blob changed in transit; run the release again",
            )
        finish = self._location(response)
        separator = "&" if urlsplit(finish).query else "?"
        response = self._request(
            "PUT",
            registry,
            f"{finish}{separator}{urlencode({'digest': blob.digest})}",
            scopes=(_push(repository),),
            repository=repository,
            headers={"Content-Type": "application/octet-stream"},
            content=b"",
            retry=False,
        )
        self._expect(response, (201, 204), registry, repository, "finish an upload to")

    def _open_stream(self, source: ImageRef, blob: Descriptor) -> httpx.Response:
        response = self._request(
            "GET",
            source.registry,
            f"/v2/{source.repository}/blobs/{blob.digest}",
            scopes=(_pull(source.repository),),
            repository=source.repository,
            headers={"Accept-Encoding": "identity"},  # the bytes as stored, so the digest holds
            stream=True,
            follow_redirects=True,
            retry=False,
        )
        if response.status_code != 200:
            response.read()
            response.close()
            self._expect(response, (200,), source.registry, source.repository, "read a blob of")
        return response

    # -- HTTP, auth and retries ---------------------------------------------------------------

    def _request(
        self,
        method: str,
        registry: str,
        path: str,
        *,
        scopes: Scopes,
        repository: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterator[bytes] | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """One API call with auth: answer a 401 challenge once, then fail with a clear error."""
        url = path if "://" in path else self._base_url(registry) + path
        sent_auth = False
        for round_ in (1, 2):
            request_headers = dict(headers or {})
            same_host = urlsplit(url).netloc == api_host(registry)
            authorization = self._authorization(registry, scopes, repository) if same_host else None
            if authorization is not None:
                request_headers["Authorization"] = authorization
                sent_auth = True
            response = self._send(
                method,
                url,
                headers=request_headers,
                content=content,
                stream=stream,
                follow_redirects=follow_redirects,
                retry=retry,
                registry=registry,
                repository=repository,
            )
            if response.status_code != 401:
                return response
            response.close()
            challenge = self._pick_challenge(response.headers.get("WWW-Authenticate", ""))
            if challenge is None or round_ == 2 or not isinstance(content, bytes | None):
                break
            self._challenges[registry] = challenge
            self._tokens.pop((registry, scopes), None)
        raise self._refused(registry, repository, sent_auth, scopes)

    @staticmethod
    def _pick_challenge(header: str) -> Challenge | None:
        challenges = {c.scheme: c for c in parse_www_authenticate(header)}
        return challenges.get("bearer") or challenges.get("basic")

    def _refused(
        self, registry: str, repository: str, had_credentials: bool, scopes: Scopes
    ) -> RegistryError:
        action = "push to" if any(s.endswith(",push") for s in scopes) else "pull"
        hint = _LOGIN_HINT.format(
            registry=registry, prefix=env_var_prefix(registry), action=action, repository=repository
        )
        creds = self._lookup_credentials(registry)
        if had_credentials and creds is not None:
            return RegistryError(
                f"registry {registry} refused the credentials for {repository} (401)",
                f"{hint} (the refused ones came from {creds.source})",
            )
        return RegistryError(
            f"registry {registry} requires credentials for {repository} (401)", hint
        )

    def _authorization(self, registry: str, scopes: Scopes, repository: str) -> str | None:
        challenge = self._challenges.get(registry)
        if challenge is None:
            return None
        credentials = self._lookup_credentials(registry)
        if challenge.scheme == "basic":
            return credentials.basic_header() if credentials and credentials.password else None
        token = self._tokens.get((registry, scopes))
        if token is None or token.expires <= time.monotonic():
            token = self._fetch_token(registry, challenge, scopes, repository, credentials)
            self._tokens[(registry, scopes)] = token
        return f"Bearer {token.value}"

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
        if credentials is not None and credentials.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": credentials.identity_token,
                "client_id": "versionbot",
                "scope": " ".join(scopes),
            }
            if service:
                form["service"] = service
            body = urlencode(form).encode()
            response = self._send(
                "POST",
                realm,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                content=body,
                registry=registry,
                repository=repository,
            )
        else:
            query = [("service", service)] if service else []
            query += [("scope", scope) for scope in scopes]
            separator = "&" if parts.query else "?"
            headers = {"Authorization": credentials.basic_header()} if credentials else {}
            response = self._send(
                "GET",
                f"{realm}{separator}{urlencode(query)}",
                headers=headers,
                registry=registry,
                repository=repository,
            )
        if response.status_code in {401, 403}:
            raise self._refused(registry, repository, credentials is not None, scopes)
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

    def _lookup_credentials(self, registry: str) -> Credentials | None:
        if registry not in self._credentials:
            found = credentials_from_env(registry, self._env)
            if found is None:
                found = credentials_from_docker_config(registry, self._docker_config, self._env)
            self._credentials[registry] = found
        return self._credentials[registry]

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
                if not _is_tls_failure(exc):
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

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        registry: str,
        repository: str,
        content: bytes | Iterator[bytes] | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """Send with bounded retries on 429/5xx/timeouts/connection errors."""
        slept = 0.0
        attempt = 0
        while True:
            attempt += 1
            failure: str
            retry_after: float | None = None
            try:
                request = self._http.build_request(method, url, headers=headers, content=content)
                response = self._http.send(
                    request, stream=stream, follow_redirects=follow_redirects
                )
            except httpx.TransportError as exc:
                if _is_cert_failure(exc):
                    raise self._tls_error(registry) from None
                failure = type(exc).__name__
            else:
                _log.debug("%s %s -> %s", method, urlsplit(url).path, response.status_code)
                if response.status_code not in _RETRYABLE_STATUS:
                    return response
                failure = str(response.status_code)
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
            wait = self._retry.delay(attempt, retry_after, slept) if retry else None
            if wait is None:
                raise _Unreachable(
                    f"registry {registry} did not answer {method} for {repository} "
                    f"after {attempt} {'try' if attempt == 1 else 'tries'} ({failure})",
                    "the registry is down or rate-limiting; run the release again, "
                    "every step is safe to repeat",
                )
            self._sleep(wait)
            slept += wait

    @staticmethod
    def _expect(
        response: httpx.Response,
        ok: tuple[int, ...],
        registry: str,
        repository: str,
        action: str,
    ) -> None:
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


# --------------------------------------------------------------------------- promote


def promote(
    client: RegistryClient,
    source: ImageRef,
    targets: Sequence[ImageRef],
    platforms: Sequence[str],
) -> list[PushedTag]:
    """Resolve source, check platforms, copy to every target repository (mount/stream as
    needed), PUT the same bytes under each target tag, read back and verify. Idempotent: a
    target tag that already has the digest is verified, not pushed again."""
    for target in targets:
        if target.tag is None or target.digest is not None:
            raise UsageError(
                f"image target {target} must name a tag and no digest",
                "write targets as host/repository:tag",
            )
    manifest = client.resolve(source)
    present = client.manifest_platforms(source, manifest)
    missing = [p for p in platforms if not any(platform_matches(p, q) for q in present)]
    if missing:
        raise RegistryError(
            f"{source} lacks platform {', '.join(missing)} (it has {', '.join(present) or 'none'})",
            "build the image for every configured platform, or remove the platform from the config",
        )
    pushed: set[ImageRef] = set()
    groups: dict[tuple[str, str], list[ImageRef]] = {}
    for target in targets:
        groups.setdefault((target.registry, target.repository), []).append(target)
    for (registry, repository), group in groups.items():
        pending = [t for t in group if client.digest_of(t) != manifest.digest]
        if not pending:
            continue
        if (registry, repository) != (source.registry, source.repository):
            client.copy_image(source, manifest, registry, repository)
        for target in pending:
            client.put_manifest(target, manifest)
            pushed.add(target)
    return [_verify(client, target, manifest, platforms, target in pushed) for target in targets]


def _verify(
    client: RegistryClient,
    target: ImageRef,
    manifest: Manifest,
    platforms: Sequence[str],
    pushed: bool,
) -> PushedTag:
    back = client.resolve(target)
    if back.digest != manifest.digest:
        raise RegistryError(
            f"{target} reads back as {back.digest}, not {manifest.digest}",
            "another process moved the tag during the release; run the release again",
        )
    found = client.manifest_platforms(target, back)
    lost = [p for p in platforms if not any(platform_matches(p, q) for q in found)]
    if lost:
        raise RegistryError(
            f"{target} reads back without platform {', '.join(lost)}",
            "the registry dropped part of the index; check its storage and run again",
        )
    return PushedTag(target, back.digest, found, pushed)
