"""Edge: make an image's content exist in another repository, without pulling it.

:class:`ImageCopy` copies every child manifest (by digest, after its own content) and blob of a
manifest. On the same registry a blob is mounted from the source repository; when the registry
will not mount (202) it opened an upload, which is filled by streaming. To another registry only
the blobs it lacks are streamed, in 1 MiB chunks checked against their digest; a fault starts
that blob again, within the client's retry policy. Must not: put the top manifest itself
(tagging it is stage.py's step), or hold a blob in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode, urlsplit

import httpx

from versionbot.core.errors import RegistryError
from versionbot.core.retries import Failure, GaveUp, with_retries
from versionbot.registry.auth import pull_scope, push_scope
from versionbot.registry.client import RegistryClient, Unreachable, expect, location
from versionbot.registry.manifests import get_manifest, manifest_exists, put_manifest
from versionbot.registry.oci import Descriptor, ImageRef, Manifest

_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageCopy:
    """A copy from ``source``'s repository into ``registry``/``repository``."""

    client: RegistryClient
    source: ImageRef
    registry: str
    repository: str

    def copy(self, manifest: Manifest) -> None:
        """Make ``manifest``'s children and blobs exist in the target repository."""
        source, client = self.source, self.client
        registry, repository = self.registry, self.repository
        for child in manifest.children():
            if manifest_exists(client, registry, repository, child.digest):
                continue
            found = get_manifest(
                client, ImageRef(source.registry, source.repository, None, child.digest)
            )
            if found is None:
                raise RegistryError(
                    f"registry {source.registry} lost {source.repository}@{child.digest} (404)",
                    "the source index is incomplete; rebuild and push it again",
                )
            self.copy(found)
            put_manifest(client, ImageRef(registry, repository, None, child.digest), found)
        for blob in manifest.blobs():
            if blob.urls:  # non-distributable layer: its bytes live elsewhere
                continue
            self._copy_blob(blob)

    def _copy_blob(self, blob: Descriptor) -> None:
        registry, repository = self.registry, self.repository
        push = (push_scope(repository),)
        if self.source.registry == registry:
            query = urlencode({"mount": blob.digest, "from": self.source.repository})
            response = self.client.request(
                "POST",
                registry,
                f"/v2/{repository}/blobs/uploads/?{query}",
                scopes=(*push, pull_scope(self.source.repository)),
                repository=repository,
                content=b"",
            )
            expect(response, (201, 202), registry, repository, "mount a blob into")
            if response.status_code == 201:
                return
            # 202: the registry would not mount (e.g. no access to the source); it opened an
            # upload instead, which we fill by streaming the blob through.
            upload: str | None = location(response)
        else:
            path = f"/v2/{repository}/blobs/{blob.digest}"
            response = self.client.request(
                "HEAD", registry, path, scopes=push, repository=repository
            )
            if response.status_code == 200:
                return
            if response.status_code != 404:
                expect(response, (200,), registry, repository, "check a blob in")
            upload = None

        def attempt() -> Failure[Unreachable] | None:
            nonlocal upload
            try:
                url = upload or self._start_upload()
                upload = None  # an upload location serves one try
                self._stream_blob(blob, url)
            except Unreachable as exc:
                return Failure(exc.message, exc)
            return None

        outcome: GaveUp[Unreachable] | None = with_retries(
            attempt, self.client.retry, self.client.sleep
        )
        if isinstance(outcome, GaveUp):
            raise outcome.last.answer

    def _start_upload(self) -> str:
        registry, repository = self.registry, self.repository
        response = self.client.request(
            "POST",
            registry,
            f"/v2/{repository}/blobs/uploads/",
            scopes=(push_scope(repository),),
            repository=repository,
            content=b"",
        )
        expect(response, (202,), registry, repository, "start an upload to")
        return location(response)

    def _stream_blob(self, blob: Descriptor, url: str) -> None:
        """Copy one blob through this process in chunks, once (a streamed body is not retried)."""
        registry, repository = self.registry, self.repository
        push = (push_scope(repository),)
        with contextlib.closing(self._open_stream(blob)) as download:
            hasher = hashlib.sha256()

            def chunks() -> Iterator[bytes]:
                copied = 0
                for chunk in download.iter_bytes(_CHUNK):
                    hasher.update(chunk)
                    copied += len(chunk)
                    if self.client.progress is not None:
                        self.client.progress(
                            f"copying {blob.digest[:19]} to {registry}: "
                            f"{copied >> 20} of {max(blob.size, 0) >> 20} MiB"
                        )
                    yield chunk

            headers = {"Content-Type": "application/octet-stream"}
            if blob.size >= 0:
                headers["Content-Length"] = str(blob.size)
            response = self.client.request(
                "PATCH",
                registry,
                url,
                scopes=push,
                repository=repository,
                headers=headers,
                content=chunks(),
                retry=False,
            )
            expect(response, (202, 204), registry, repository, "upload a blob to")
            received = "sha256:" + hasher.hexdigest()
        if blob.digest.startswith("sha256:") and received != blob.digest:
            raise Unreachable(
                f"registry {self.source.registry} sent {blob.digest} with other content",
                "the blob changed in transit; run the release again",
            )
        finish = location(response)
        separator = "&" if urlsplit(finish).query else "?"
        response = self.client.request(
            "PUT",
            registry,
            f"{finish}{separator}{urlencode({'digest': blob.digest})}",
            scopes=push,
            repository=repository,
            headers={"Content-Type": "application/octet-stream"},
            content=b"",
            retry=False,
        )
        expect(response, (201, 204), registry, repository, "finish an upload to")

    def _open_stream(self, blob: Descriptor) -> httpx.Response:
        source = self.source
        response = self.client.request(
            "GET",
            source.registry,
            f"/v2/{source.repository}/blobs/{blob.digest}",
            scopes=(pull_scope(source.repository),),
            repository=source.repository,
            headers={"Accept-Encoding": "identity"},  # the bytes as stored, so the digest holds
            stream=True,
            follow_redirects=True,
            retry=False,
        )
        if response.status_code != 200:
            response.read()
            response.close()
            expect(response, (200,), source.registry, source.repository, "read a blob of")
        return response
