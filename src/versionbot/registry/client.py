"""Edge: an OCI distribution API client, the one object the image stage and the builders use.

What it owns
    * :class:`RegistryClient` - the public operations on any number of registries: resolve a
      reference, read platforms and tags, copy an image's content to another repository, put a
      manifest under a tag. The work is done by the modules beside it:
        - :mod:`~versionbot.registry.session` - HTTP(S), trust, retries and timeouts;
        - :mod:`~versionbot.registry.auth` - Basic and Bearer challenges, tokens per scopes,
          over the credentials of :mod:`~versionbot.registry.credentials`;
        - :mod:`~versionbot.registry.manifests` - manifests read, checked and put as stored;
        - :mod:`~versionbot.registry.transfer` - blob mounts, streamed blobs, child manifests.
      :func:`versionbot.registry.promote.promote` is the promotion built from these.

What it must not do
    * Print, or put a credential or token into an exception message, a log record or a repr.
      Messages name the registry, the repository and the HTTP status only (the body's error
      codes at most), and every failure is a :class:`versionbot.core.errors.RegistryError`.
    * Pull an image, re-serialise a manifest (that would change its digest), hold a blob in
      memory, or decide which tags to move (``core/image_tags.py`` and ``release/`` decide).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from versionbot.core.errors import RegistryError
from versionbot.core.retries import RetryPolicy
from versionbot.registry import manifests
from versionbot.registry.auth import pull_scope
from versionbot.registry.oci import ImageRef, Manifest, json_object
from versionbot.registry.session import REGISTRY_RETRIES, RegistrySession, expect
from versionbot.registry.transfer import ImageCopy


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
        self._session = RegistrySession(
            insecure=insecure,
            ca_file=ca_file,
            env=env,
            docker_config=docker_config,
            sleep=sleep,
            timeout=timeout,
            retry=retry,
            event_hooks=event_hooks,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def resolve(self, ref: ImageRef) -> Manifest:
        """The manifest (usually an index) that ``ref`` names, exactly as stored."""
        manifest = self._get(ref)
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
        return manifests.manifest_platforms(self._session, ref, manifest)

    def tags(self, registry: str, repository: str, *, page_size: int = 1000) -> list[str]:
        """Every tag of ``repository`` (all pages); ``[]`` when the repository does not exist."""
        found: list[str] = []
        url: str | None = f"/v2/{repository}/tags/list?n={page_size}"
        while url is not None:
            response = self._session.request(
                "GET", registry, url, scopes=(pull_scope(repository),), repository=repository
            )
            if response.status_code == 404:
                return found
            expect(response, (200,), registry, repository, "list the tags of")
            found += [str(t) for t in (json_object(response.content).get("tags") or ())]
            next_link = response.links.get("next", {}).get("url")
            url = urljoin(str(response.url), next_link) if next_link else None
        return found

    def digest_of(self, ref: ImageRef) -> str | None:
        """The digest ``ref`` points to now, or None when it does not exist."""
        manifest = self._get(ref)
        return None if manifest is None else manifest.digest

    def copy_image(
        self, source: ImageRef, manifest: Manifest, registry: str, repository: str
    ) -> None:
        """Make ``manifest`` (from ``source``'s repository) and its content exist in ``repository``.

        Blobs are mounted on the same registry and streamed otherwise; child manifests are put by
        digest. The top manifest itself is not put: tagging it is :meth:`put_manifest`'s job.
        """
        ImageCopy(self._session, source, registry, repository, self._progress).copy(manifest)

    def put_manifest(self, target: ImageRef, manifest: Manifest) -> None:
        """PUT the manifest's exact bytes under ``target.reference`` and check the digest."""
        manifests.put_manifest(self._session, target, manifest)

    def _get(self, ref: ImageRef) -> Manifest | None:
        scopes = (pull_scope(ref.repository),)
        return manifests.get_manifest(
            self._session, ref.registry, ref.repository, ref.reference, scopes
        )
