"""Edge: before a release publishes anything, prove that its image stage can finish.

The image stage runs after the release commit and tags are pushed and the forge release is
made, so a registry problem found there is found too late: the release is public and its
image is not. Here, before the push, each target repository is asked for push rights the way
the stage will ask (the token exchange for ``pull,push``, then an upload opened and left
unfinished: no blob and no tag is written), and the source image must exist with every configured
platform. Must not: write anything a registry keeps.
"""

from __future__ import annotations

from collections.abc import Sequence

from versionbot.core.errors import RegistryError
from versionbot.core.image_tags import ImagePlan, ImageTagSet
from versionbot.registry.auth import push_scope
from versionbot.registry.client import RegistryClient, expect
from versionbot.registry.manifests import digest_of, get_manifest, platforms_of
from versionbot.registry.oci import ImageRef, Manifest, missing_platforms


def check_image_stage(client: RegistryClient, images: ImagePlan, *, source: bool) -> None:
    """Raise what would make the image stage of ``images`` fail: a target repository the
    credentials cannot push to, and (with ``source``) a source image that is missing or lacks
    a platform."""
    if source and images.source is not None:
        ref = ImageRef.parse(images.source)
        manifest = get_manifest(client, ref)
        if manifest is None:
            raise RegistryError(
                f"registry {ref.registry} has no manifest {ref.repository}:{ref.reference} (404), "
                f"the source image of the release at {images.sha[:7]}",
                "build the release's image from its commit: bot release --no-push, build and "
                "push the image for the sha it outputs, then bot release (docs/github-actions.md)",
            )
        require_platforms(client, ref, manifest, images.platforms)
        refuse_moving_published(client, images, manifest.digest)
    for name in images.names:
        check_push_access(client, ImageRef.parse(name))


def require_platforms(
    client: RegistryClient, source: ImageRef, manifest: Manifest, platforms: Sequence[str]
) -> None:
    """Every one of ``platforms`` is in the image ``source`` (whose manifest is ``manifest``)."""
    present = platforms_of(client, source, manifest)
    missing = missing_platforms(platforms, present)
    if missing:
        raise RegistryError(
            f"{source} lacks platform {', '.join(missing)} (it has {', '.join(present) or 'none'})",
            "build the image for every configured platform, or remove the platform from the config",
        )


def check_push_access(client: RegistryClient, target: ImageRef) -> None:
    """The credentials for ``target``'s registry may push to its repository: an upload is
    opened there, as a blob copy opens it."""
    registry, repository = target.registry, target.repository
    scopes = (push_scope(repository),)
    opened = client.request(
        "POST",
        registry,
        f"/v2/{repository}/blobs/uploads/",
        scopes=scopes,
        repository=repository,
        content=b"",
    )
    # A 401 the token flow could not cure was raised by it, naming where credentials go.
    expect(opened, (202,), registry, repository, "push to")
    # Not cancelled: a DELETE needs more than push rights (the distribution registry asks for
    # "*"), and an upload nobody finishes is purged by the registry.


def refuse_moving_published(client: RegistryClient, images: ImagePlan, digest: str) -> None:
    """No exact tag of the release (its version's, its sha's) exists with an image other than
    ``digest``: a published version is never moved, so such a release cannot be made."""
    for target in exact_targets(images, images.tag_set):
        held = digest_of(client, target)
        if held is not None and held != digest:
            raise RegistryError(
                f"{target} is already published as {held}, not the source {digest}",
                "a published version is never moved: release another version, or delete "
                "the tag by hand if it was a mistake",
            )


def exact_targets(images: ImagePlan, tag_set: ImageTagSet) -> list[ImageRef]:
    """The tags naming exactly this release (its version's, its sha's) in every repository."""
    return [
        ImageRef.parse(name).with_tag(tag.tag)
        for name in images.names
        for tag in tag_set.pushed
        if tag.exact
    ]
