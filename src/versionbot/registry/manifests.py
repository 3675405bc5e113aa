"""Edge: manifests and tags in a registry: read a manifest exactly as stored, put its bytes.

A manifest (usually an index) is read by tag or digest, at most 4 MiB, checked to be an OCI or
Docker v2 image and, when asked for by digest, to hash to it; it is put as the exact bytes read,
and the digest the registry answers must be ours. Must not: re-serialise a manifest (that would
change its digest), or decide which tags to move.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urljoin

from versionbot.core.errors import RegistryError
from versionbot.registry.auth import pull_scope, push_scope
from versionbot.registry.client import RegistryClient, expect
from versionbot.registry.oci import (
    MANIFEST_TYPES,
    OCI_INDEX,
    Descriptor,
    ImageRef,
    Manifest,
    is_digest,
    json_object,
    platform_text,
    referrers_tag,
)

_ACCEPT: Final = ", ".join(MANIFEST_TYPES)
_MAX_MANIFEST_BYTES: Final = 4 * 1024 * 1024  # distribution's own limit for a manifest
_MAX_CONFIG_BYTES: Final = 8 * 1024 * 1024


def get_manifest(client: RegistryClient, ref: ImageRef) -> Manifest | None:
    """The manifest ``ref`` names, exactly as stored; None when there is none."""
    registry, repository, reference = ref.registry, ref.repository, ref.reference
    response = client.request(
        "GET",
        registry,
        f"/v2/{repository}/manifests/{reference}",
        scopes=(pull_scope(repository),),
        repository=repository,
        headers={"Accept": _ACCEPT},
    )
    if response.status_code == 404:
        return None
    expect(response, (200,), registry, repository, "read")
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


def resolve(client: RegistryClient, ref: ImageRef) -> Manifest:
    """The manifest (usually an index) that ``ref`` names, exactly as stored."""
    manifest = get_manifest(client, ref)
    if manifest is None:
        raise RegistryError(
            f"registry {ref.registry} has no manifest {ref.repository}:{ref.reference} (404)",
            "check the image reference; was the image pushed by CI for this commit?",
        )
    return manifest


def digest_of(client: RegistryClient, ref: ImageRef) -> str | None:
    """The digest ``ref`` points to now, or None when it does not exist."""
    manifest = get_manifest(client, ref)
    return None if manifest is None else manifest.digest


def manifest_exists(client: RegistryClient, registry: str, repository: str, digest: str) -> bool:
    """Whether ``repository@digest`` is there already (asked with push rights: a target)."""
    response = client.request(
        "HEAD",
        registry,
        f"/v2/{repository}/manifests/{digest}",
        scopes=(push_scope(repository),),
        repository=repository,
        headers={"Accept": _ACCEPT},
    )
    if response.status_code == 404:
        return False
    expect(response, (200,), registry, repository, "read")
    return True


def put_manifest(client: RegistryClient, target: ImageRef, manifest: Manifest) -> str | None:
    """PUT the manifest's exact bytes under ``target.reference`` and check the digest. Return
    the ``OCI-Subject`` the registry answered: a registry with the referrers API says so when
    it indexed a manifest's ``subject`` (distribution spec, "Pushing Manifests with Subject")."""
    response = client.request(
        "PUT",
        target.registry,
        f"/v2/{target.repository}/manifests/{target.reference}",
        scopes=(push_scope(target.repository),),
        repository=target.repository,
        headers={"Content-Type": manifest.media_type},
        content=manifest.raw,
    )
    expect(response, (200, 201), target.registry, target.repository, "push to")
    answered = response.headers.get("Docker-Content-Digest")
    if answered and answered != manifest.digest:
        raise RegistryError(
            f"registry {target.registry} stored {target} as {answered}, not {manifest.digest}",
            "the registry rewrote the manifest; it cannot keep a digest, use another registry",
        )
    subject: str | None = response.headers.get("OCI-Subject")
    return subject


def platforms_of(
    client: RegistryClient, ref: ImageRef, manifest: Manifest | None = None
) -> tuple[str, ...]:
    """The platforms of ``ref`` (resolved unless its ``manifest`` is given): the index's, or
    the config blob's of a single image."""
    if manifest is None:
        manifest = resolve(client, ref)
    if manifest.is_index:
        return manifest.index_platforms()
    config = next((b for b in manifest.blobs()), None)
    if config is None or not 0 <= config.size <= _MAX_CONFIG_BYTES:
        return ()
    response = client.request(
        "GET",
        ref.registry,
        f"/v2/{ref.repository}/blobs/{config.digest}",
        scopes=(pull_scope(ref.repository),),
        repository=ref.repository,
        follow_redirects=True,
    )
    expect(response, (200,), ref.registry, ref.repository, "read the image config of")
    return (platform_text(json_object(response.content)),)


def list_tags(
    client: RegistryClient, registry: str, repository: str, *, page_size: int = 1000
) -> list[str]:
    """Every tag of ``repository`` (all pages); ``[]`` when the repository does not exist."""
    found: list[str] = []
    url: str | None = f"/v2/{repository}/tags/list?n={page_size}"
    while url is not None:
        response = client.request(
            "GET", registry, url, scopes=(pull_scope(repository),), repository=repository
        )
        if response.status_code == 404:
            return found
        expect(response, (200,), registry, repository, "list the tags of")
        found += [str(t) for t in (json_object(response.content).get("tags") or ())]
        next_link = response.links.get("next", {}).get("url")
        url = urljoin(str(response.url), next_link) if next_link else None
    return found


def referrers_api(
    client: RegistryClient, registry: str, repository: str, digest: str
) -> tuple[Descriptor, ...] | None:
    """The referrers of ``repository@digest`` from the registry's referrers API (distribution
    spec, "Listing Referrers": ``GET /v2/<name>/referrers/<digest>``, every page), or None when
    the registry has no such API: any answer but 200 with an OCI image index (a 404 above all,
    which a registry with the API never sends)."""
    found: list[Descriptor] = []
    url: str | None = f"/v2/{repository}/referrers/{digest}"
    while url is not None:
        response = client.request(
            "GET",
            registry,
            url,
            scopes=(pull_scope(repository),),
            repository=repository,
            headers={"Accept": OCI_INDEX},
        )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if response.status_code != 200 or media_type != OCI_INDEX:
            return None
        if len(response.content) > _MAX_MANIFEST_BYTES:
            raise RegistryError(
                f"registry {registry} sent a referrers list of {repository} larger than 4 MiB",
                "the registry does not follow the OCI distribution spec",
            )
        found += Manifest.from_bytes(response.content, OCI_INDEX).children()
        next_link = response.links.get("next", {}).get("url")
        url = urljoin(str(response.url), next_link) if next_link else None
    return tuple(found)


def listed_referrers(
    client: RegistryClient, registry: str, repository: str, digest: str
) -> tuple[Descriptor, ...]:
    """The referrers of ``repository@digest``: the referrers API's answer where the registry
    has it, else the index under the referrers tag (distribution spec, "Unavailable Referrers
    API" / "Referrers Tag Schema"); none when that tag is missing or not an OCI index."""
    listed = referrers_api(client, registry, repository, digest)
    if listed is not None:
        return listed
    index = get_manifest(client, ImageRef(registry, repository, referrers_tag(digest)))
    if index is None or index.media_type != OCI_INDEX:
        return ()
    return index.children()
