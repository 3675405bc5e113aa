"""Edge: the image stage of a release: get the release's image, then give it its version tags.

The plan (core/image_tags.py) chose the tags from the release tags in git; here the registry
has its say too (a repository may hold a higher version than git knows, so floating tags are
judged again against its tags), then promote.py puts the same manifest bytes under every tag in
every repository, by digest. Without a ``source``, the image is built first (builders.py) and pushed
under a digest-addressed name, and promoted from there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.image_tags import ImagePlan, ImageTagSet, image_tags, versions_from_tags
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import list_tags
from versionbot.registry.oci import ImageRef
from versionbot.registry.promote import PushedTag, promote


class RegistryImageStage:
    """The image stage as release.execute calls it: ``stage(images)`` → ``[(ref, digest)]``."""

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

    def __call__(self, images: ImagePlan) -> list[tuple[str, str, bool]]:
        """Push every tag of the plan (re-judged against the registries) and verify it:
        ``(reference, digest, pushed now)`` per tag."""
        return [(str(p.ref), p.digest, p.pushed) for p in self.push(images)]

    def push(self, images: ImagePlan) -> list[PushedTag]:
        """Like ``__call__``, returning what the registry reported for each tag."""
        settings = self._config.images
        if settings is None:
            return []
        ca_file = Path(self._root, settings.ca_file) if settings.ca_file else None
        client = self._make_client(insecure=settings.insecure, ca_file=ca_file, env=self._env)
        with client:
            tag_set = self.judge(client, images)
            source = self._source(client, images)
            targets = [
                ImageRef.parse(name).with_tag(tag.tag)
                for name in images.names
                for tag in tag_set.pushed
            ]
            return promote(client, source, targets, images.platforms)

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
