"""Edge: promote a multi-arch image by digest: the same manifest bytes under every target tag.

What it owns
    * :func:`promote` - resolve a source index, check its platforms, then put the *same manifest
      bytes* under every target tag: no pull, no layer upload, the digest never changes. Another
      repository gets the content first (:class:`~versionbot.registry.transfer.ImageCopy`:
      mounted on the same registry, streamed from another). Every tag is read back
      and verified, and reported as a :class:`PushedTag`; a tag that already has the digest is
      verified, not pushed again, so a re-run is safe.

What it must not do
    * Decide which tags to move (``core/image_tags.py`` and ``release/`` do), or talk HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from versionbot.core.errors import RegistryError, UsageError
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import digest_of, platforms_of, put_manifest, resolve
from versionbot.registry.oci import ImageRef, Manifest, platform_matches
from versionbot.registry.transfer import ImageCopy


@dataclass(frozen=True, slots=True)
class PushedTag:
    """A tag that now exists, with the digest and platforms read back from the registry."""

    ref: ImageRef
    digest: str
    platforms: tuple[str, ...]
    pushed: bool = True  # False: the tag already had this digest and was only verified


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
    manifest = resolve(client, source)
    present = platforms_of(client, source, manifest)
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
        pending = [t for t in group if digest_of(client, t) != manifest.digest]
        if not pending:
            continue
        if (registry, repository) != (source.registry, source.repository):
            ImageCopy(client, source, registry, repository).copy(manifest)
        for target in pending:
            put_manifest(client, target, manifest)
            pushed.add(target)
    return [_verify(client, target, manifest, platforms, target in pushed) for target in targets]


def _verify(
    client: RegistryClient,
    target: ImageRef,
    manifest: Manifest,
    platforms: Sequence[str],
    pushed: bool,
) -> PushedTag:
    back = resolve(client, target)
    if back.digest != manifest.digest:
        raise RegistryError(
            f"{target} reads back as {back.digest}, not {manifest.digest}",
            "another process moved the tag during the release; run the release again",
        )
    found = platforms_of(client, target, back)
    lost = [p for p in platforms if not any(platform_matches(p, q) for q in found)]
    if lost:
        raise RegistryError(
            f"{target} reads back without platform {', '.join(lost)}",
            "the registry dropped part of the index; check its storage and run again",
        )
    return PushedTag(target, back.digest, found, pushed)
