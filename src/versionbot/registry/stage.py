"""Edge: the image stage of a release: get the release's image, then give it its version tags.

The plan (core/image_tags.py) chose the tags from the release tags in git; here the registry
has its say too (a repository may hold a higher version than git knows, so floating tags are
judged again against its tags). Without a ``source``, the image is built first (builders.py)
and pushed under a digest-addressed name. Then :func:`promote` checks the image's platforms,
copies its content to every other repository (transfer.py) and puts the *same manifest bytes*
under every target tag: no pull, no layer upload, the digest never changes. The image's
referrers (signatures, attestations, SBOMs) follow it to every other repository (referrers.py),
reported on the first tag of each. With ``[images] sign``, the user's cosign then signs the
digest in each repository (signing.py). Every tag is read back and verified; a tag that already has
the digest is verified, not pushed again, so a re-run is safe. Must not: decide which tags to
move (``core/image_tags.py`` and ``release/`` do).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.errors import RegistryError, UsageError
from versionbot.core.image_tags import ImagePlan, ImageTagSet, image_tags, versions_from_tags
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import digest_of, list_tags, platforms_of, put_manifest, resolve
from versionbot.registry.oci import ImageRef, Manifest, missing_platforms
from versionbot.registry.preflight import check_image_stage, exact_targets, require_platforms
from versionbot.registry.referrers import (
    FoundReferrers,
    ReferrerReport,
    copy_referrers,
    find_referrers,
)
from versionbot.registry.signing import CosignSigner, find_cosign, signing_problem
from versionbot.registry.transfer import ImageCopy


class RegistryImageStage:
    """The image stage as release.execute calls it: ``stage(images)`` → ``[(ref, digest,
    pushed, notes)]``."""

    def __init__(
        self,
        config: Config,
        root: Path,
        env: Mapping[str, str] | None = None,
        *,
        make_client: Callable[..., RegistryClient] = RegistryClient,
    ) -> None:
        """``make_client(insecure=, ca_file=, env=)`` builds the registry client (a seam for
        tests that observe or interrupt the requests; the default is RegistryClient)."""
        self._config = config
        self._root = root
        self._env = dict(os.environ if env is None else env)
        self._make_client = make_client
        self._built: dict[str, ImageRef] = {}  # builder mode: by commit, built before the push

    def __call__(self, images: ImagePlan) -> list[tuple[str, str, bool, tuple[str, ...]]]:
        """Push every tag of the plan (re-judged against the registries) and verify it:
        ``(reference, digest, pushed now, log lines)`` per tag (the lines: its repository's
        referrers and signing, on the first tag of each)."""
        return [(str(p.ref), p.digest, p.pushed, p.notes) for p in self.push(images)]

    def check(self, images: ImagePlan, *, source: bool) -> None:
        """Before the release is pushed: raise what would make ``push`` fail (preflight.py);
        without ``source``, the source image is not looked for (it is built later)."""
        settings = self._config.images
        if settings is None:
            return
        self._check_signing()
        with self._client() as client:
            check_image_stage(client, images, source=source)
            if source and images.source is None and images.sha not in self._built:
                # Builder mode: a build that fails must fail before the release is public.
                exact = exact_targets(images, images.tag_set)
                if self._published(client, images, exact) is None:
                    self._built[images.sha] = self._source(client, images)

    def _check_signing(self) -> None:
        """Raise what would stop cosign from signing (when it is here to sign at all)."""
        settings = self._config.images
        if settings is None or settings.sign is None or find_cosign(self._env) is None:
            return
        problem = signing_problem(settings.sign, self._root, self._env)
        if problem is not None:
            raise problem

    def _client(self) -> RegistryClient:
        settings = self._config.images
        assert settings is not None
        ca_file = Path(self._root, settings.ca_file) if settings.ca_file else None
        return self._make_client(insecure=settings.insecure, ca_file=ca_file, env=self._env)

    def push(self, images: ImagePlan) -> list[PushedTag]:
        """Like ``__call__``, returning what the registry reported for each tag."""
        settings = self._config.images
        if settings is None:
            return []
        self._check_signing()
        with self._client() as client:
            tag_set = self.judge(client, images)
            targets = [
                ImageRef.parse(name).with_tag(tag.tag)
                for name in images.names
                for tag in tag_set.pushed
            ]
            source = (
                self._published(client, images, exact_targets(images, tag_set))
                or self._built.get(images.sha)
                or self._source(client, images)
            )
            pushed = promote(client, source, targets, images.platforms)
            if settings.sign is None or not pushed:
                return pushed
            return self._signed(client, pushed)

    def _signed(self, client: RegistryClient, pushed: list[PushedTag]) -> list[PushedTag]:
        """``pushed``, its digest signed in each repository (a line on the first tag of each)."""
        settings = self._config.images
        assert settings is not None
        first: dict[tuple[str, str], int] = {}
        for at, tag in enumerate(pushed):
            first.setdefault((tag.ref.registry, tag.ref.repository), at)
        signer = CosignSigner(settings, self._root, self._env)
        lines = signer.sign(client, pushed[0].digest, list(first))
        for repository, at in first.items():
            pushed[at] = dataclasses.replace(pushed[at], signing=lines[repository])
        return pushed

    def _published(
        self, client: RegistryClient, images: ImagePlan, exact: Sequence[ImageRef]
    ) -> ImageRef | None:
        """The image this version was already published as, when one of its exact tags (the
        version's own, the sha tag) exists: it is the release's image, never moved. A re-run
        finishes the other tags from it (no second build, whose digest would differ), and a run
        on a complete release changes nothing. None when none exists yet."""
        held = {ref: digest_of(client, ref) for ref in exact}
        found = sorted({digest for digest in held.values() if digest})
        if not found:
            return None
        if len(found) > 1:
            raise RegistryError(
                f"the tags of {images.tag_set.version} hold different images "
                f"({', '.join(f'{ref}={digest}' for ref, digest in held.items() if digest)})",
                "a published version is never moved: delete the wrong tag by hand, or release "
                "a new version",
            )
        [digest] = found
        complete = all(held.values())
        if not complete and images.source is not None:
            source = ImageRef.parse(images.source)
            now = digest_of(client, source)
            if now is not None and now != digest:
                raise RegistryError(
                    f"{images.tag_set.version} is published as {digest}, but {source} is now "
                    f"{now}: a published version is never moved",
                    "push the published image again as the source (or delete the published "
                    "tags by hand), or release a new version",
                )
        published = next(ref for ref, held_digest in held.items() if held_digest)
        return ImageRef(published.registry, published.repository, digest=digest)

    def judge(self, client: RegistryClient, images: ImagePlan) -> ImageTagSet:
        """The plan's tag set judged again with every version already in the registries."""
        in_registries = []
        for name in images.names:
            ref = ImageRef.parse(name)
            tags = list_tags(client, ref.registry, ref.repository)
            in_registries += versions_from_tags(tags, images.rules)
        version = images.tag_set.version
        return image_tags(version, [*images.released, *in_registries], images.sha, images.rules)

    def _source(self, client: RegistryClient, images: ImagePlan) -> ImageRef:
        if images.source is not None:
            return ImageRef.parse(images.source)
        from versionbot.registry.builders import build_image

        settings = self._config.images
        assert settings is not None
        return build_image(
            settings, self._root, images, client, env=self._env, remote=self._config.remote
        )


@dataclass(frozen=True, slots=True)
class PushedTag:
    """A tag that now exists, with the digest and platforms read back from the registry."""

    ref: ImageRef
    digest: str
    platforms: tuple[str, ...]
    pushed: bool = True  # False: the tag already had this digest and was only verified
    referrers: ReferrerReport | None = None  # on the first tag of a repository they went to
    signing: str | None = None  # on the first tag of each repository, with [images] sign

    @property
    def referrer_lines(self) -> tuple[str, ...]:
        """Log lines about the referrers copied with this tag's repository (and warnings)."""
        return () if self.referrers is None else self.referrers.lines()

    @property
    def notes(self) -> tuple[str, ...]:
        """Every log line of this tag: its referrers, then its signing."""
        return self.referrer_lines + (() if self.signing is None else (self.signing,))


def promote(
    client: RegistryClient,
    source: ImageRef,
    targets: Sequence[ImageRef],
    platforms: Sequence[str],
) -> list[PushedTag]:
    """Resolve ``source`` and check its platforms, copy its content to every other target
    repository, put its exact manifest bytes under each target tag, copy its referrers to each
    other repository, and read each tag back."""
    for target in targets:
        if target.tag is None or target.digest is not None:
            raise UsageError(
                f"image target {target} must name a tag and no digest",
                "write targets as host/repository:tag",
            )
    manifest = resolve(client, source)
    require_platforms(client, source, manifest, platforms)
    pushed: set[ImageRef] = set()
    groups: dict[tuple[str, str], list[ImageRef]] = {}
    for target in targets:
        groups.setdefault((target.registry, target.repository), []).append(target)
    found: FoundReferrers | None = None
    reports: dict[tuple[str, str], ReferrerReport] = {}
    for (registry, repository), group in groups.items():
        elsewhere = (registry, repository) != (source.registry, source.repository)
        pending = [t for t in group if digest_of(client, t) != manifest.digest]
        if pending and elsewhere:
            ImageCopy(client, source, registry, repository).copy(manifest)
        for target in pending:
            put_manifest(client, target, manifest)
            pushed.add(target)
        if elsewhere:  # also when the tags were there: a re-run brings new signatures along
            if found is None:
                found = find_referrers(client, source, manifest)
            if found.referrers or found.warnings:
                report = copy_referrers(client, source, found, registry, repository)
                reports[(registry, repository)] = report
    return [
        _verify(
            client,
            target,
            manifest,
            platforms,
            target in pushed,
            referrers=reports.pop((target.registry, target.repository), None),
        )
        for target in targets
    ]


def _verify(
    client: RegistryClient,
    target: ImageRef,
    manifest: Manifest,
    platforms: Sequence[str],
    pushed: bool,
    *,
    referrers: ReferrerReport | None,
) -> PushedTag:
    back = resolve(client, target)
    if back.digest != manifest.digest:
        raise RegistryError(
            f"{target} reads back as {back.digest}, not {manifest.digest}",
            "another process moved the tag during the release; run the release again",
        )
    found = platforms_of(client, target, back)
    lost = missing_platforms(platforms, found)
    if lost:
        raise RegistryError(
            f"{target} reads back without platform {', '.join(lost)}",
            "the registry dropped part of the index; check its storage and run again",
        )
    return PushedTag(target, back.digest, found, pushed, referrers)
