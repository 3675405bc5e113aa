"""Edge: the ``buildx`` builder (the default, the standard in GitHub Actions).

One ``docker buildx build --platform a,b --push`` (:func:`buildx_argv`); the digest is
``containerimage.digest`` from its ``--metadata-file``. Registry credentials and trust are the
Docker CLI's own (``docker login`` / docker/login-action, the builder instance's config); the
``VERSIONBOT_REGISTRY_*`` variables are not handed to BuildKit, only redacted from its errors.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

from versionbot.core.config import ImagesConfig
from versionbot.core.errors import BuildError
from versionbot.registry.build_spec import BuildSpec
from versionbot.registry.build_tools import run_tool, secrets
from versionbot.registry.client import RegistryClient


def buildx_argv(spec: BuildSpec, metadata_file: Path) -> list[str]:
    """The one ``docker buildx build`` command of the ``buildx`` builder."""
    argv = ["docker", "buildx", "build", "--platform", ",".join(spec.platforms), "--push"]
    argv += ["--tag", str(spec.ref), "--metadata-file", str(metadata_file)]
    for key, value in spec.labels:
        argv += ["--label", f"{key}={value}"]
    return [*argv, "-f", str(spec.dockerfile), str(spec.context)]


def build_with_buildx(
    spec: BuildSpec,
    settings: ImagesConfig,
    root: Path,
    client: RegistryClient,
    env: Mapping[str, str],
) -> str:
    """Build and push ``spec`` with buildx; the pushed index's digest."""
    with tempfile.TemporaryDirectory(prefix="versionbot-buildx-") as work:
        metadata_file = Path(work) / "metadata.json"
        hidden = secrets(spec.ref.registry, env)
        run_tool(buildx_argv(spec, metadata_file), env, "docker buildx build", root, hidden)
        try:
            metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metadata = None
    digest = metadata.get("containerimage.digest") if isinstance(metadata, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise BuildError(
            f"docker buildx build pushed {spec.ref} but wrote no containerimage.digest",
            "use a buildx that writes --metadata-file (0.6 or later) and a builder that pushes",
        )
    return digest
