"""Edge: build the release's multi-arch image once, push it, and name it by digest.

When ``[images]`` has no ``source`` (CI built no image for the commit), the image stage builds
it here, once, then promotes that one index to every version tag by digest. What is built,
under which tag and with which labels is build_spec.py's (pure); ``images.builder`` picks buildx
(build_tools.py, the default), buildah (buildah.py, daemonless) or a Docker engine through
docker-py (docker_engine.py).

What it must not do
    * Put a credential in an argv, a message or a log line.
    * Decide tags (core/image_tags.py) or move them (stage.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from versionbot.core.config import ImagesConfig
from versionbot.core.errors import BuildError
from versionbot.core.image_tags import ImagePlan
from versionbot.git.runner import decoded, git_env, run_git
from versionbot.registry.build_spec import build_spec, build_tag, source_date_epoch
from versionbot.registry.build_tools import build_with_buildx
from versionbot.registry.buildah import build_with_buildah
from versionbot.registry.client import RegistryClient
from versionbot.registry.docker_engine import build_with_docker
from versionbot.registry.manifests import digest_of
from versionbot.registry.oci import ImageRef


def build_image(
    settings: ImagesConfig,
    root: Path,
    images: ImagePlan,
    client: RegistryClient,
    *,
    env: Mapping[str, str] | None = None,
    remote: str = "origin",
) -> ImageRef:
    """Build ``images``' commit for every platform, push it under :func:`build_tag`, and return
    it as ``names[0]@sha256:…``; reuse that tag when a previous run pushed it already."""
    environment = dict(os.environ if env is None else env)
    target = ImageRef.parse(images.names[0]).with_tag(build_tag(images.sha))
    existing = digest_of(client, target)
    if existing is not None:
        return ImageRef(target.registry, target.repository, None, existing)
    timestamp = source_date_epoch(environment)
    created = timestamp if timestamp is not None else _commit_time(root, images.sha, environment)
    spec = build_spec(
        settings,
        root,
        images,
        created=created,
        remote_url=_git(root, environment, "remote", "get-url", remote),
        timestamp=timestamp,
    )
    if not spec.dockerfile.is_file():
        raise BuildError(
            f"there is no Dockerfile at {spec.dockerfile}",
            "set images.dockerfile (from the repository root), or images.source to an image CI "
            "built",
        )
    if settings.builder == "buildah":
        digest = build_with_buildah(spec, settings, root, environment)
    elif settings.builder == "docker":
        digest = build_with_docker(spec, client, environment)
    else:
        digest = build_with_buildx(spec, root, environment)
    found = digest_of(client, target)
    if found != digest:
        raise BuildError(
            f"{target} reads back as {found or 'nothing'}, not the {digest} that "
            f"{settings.builder} reported",
            "another process pushed the same tag during the build; run the release again",
        )
    return ImageRef(target.registry, target.repository, None, digest)


def _commit_time(root: Path, sha: str, env: Mapping[str, str]) -> int:
    text = _git(root, env, "show", "-s", "--format=%ct", sha)
    if text is None or not text.isdigit():
        raise BuildError(
            f"cannot read the commit time of {sha[:12]} in {root}",
            "set SOURCE_DATE_EPOCH, or run in the repository that has the commit",
        )
    return int(text)


def _git(root: Path, env: Mapping[str, str], *args: str) -> str | None:
    result = decoded(run_git(root, args, git_env(env)))
    return result.stdout.strip() if result.returncode == 0 else None
