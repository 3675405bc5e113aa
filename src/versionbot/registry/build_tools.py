"""Edge: run a build tool without leaking secrets, and the ``buildx`` builder, which is one run.

:func:`run_tool` runs one process in the work tree (stdin closed, output captured); a missing
tool or a non-zero exit is a BuildError ending with the tool's last line, every :func:`secrets`
value replaced by ``***``. The ``buildx`` builder (the default, GitHub Actions' standard) is one
``docker buildx build --platform a,b --push``; the digest is ``containerimage.digest`` from its
``--metadata-file``. Its credentials and trust are the Docker CLI's own (``docker login``, the
builder instance's config): the ``VERSIONBOT_REGISTRY_*`` variables are only redacted from its
errors, never handed to BuildKit. Must not: put a credential in an argv, a message or a log line.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from versionbot.core.errors import BuildError
from versionbot.core.redaction import redact
from versionbot.registry.build_spec import BuildSpec
from versionbot.registry.credentials import credentials_from_env


def secrets(registry: str, env: Mapping[str, str]) -> list[str]:
    """Every secret an error text might echo: the registry variables' passwords."""
    found = [v for k, v in env.items() if k.startswith("VERSIONBOT_REGISTRY_") and "PASSWORD" in k]
    credentials = credentials_from_env(registry, env)
    if credentials is not None:
        found += [credentials.password, credentials.basic_header().removeprefix("Basic ")]
    return [s for s in found if s]


def run_tool(
    argv: list[str],
    env: Mapping[str, str],
    what: str,
    root: Path,
    hidden: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (``what`` names it in errors) in ``root``; ``hidden`` are redacted."""
    try:
        result = subprocess.run(
            argv,
            env=dict(env),
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise BuildError(
            f"{argv[0]} is not installed, so {what} cannot run",
            f"install {argv[0]}, or choose another images.builder (buildx, buildah, docker)",
        ) from None
    if result.returncode != 0:
        raise BuildError(
            f"{what} failed (exit {result.returncode}): "
            + redact(last_line(result.stderr or result.stdout), hidden),
            "fix what the tool says; a re-run starts the build again",
        )
    return result


def last_line(text: str) -> str:
    """The last non-blank line of a tool's output, at most 300 characters."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def buildx_argv(spec: BuildSpec, metadata_file: Path) -> list[str]:
    """The one ``docker buildx build`` command of the ``buildx`` builder."""
    argv = ["docker", "buildx", "build", "--platform", ",".join(spec.platforms), "--push"]
    argv += ["--tag", str(spec.ref), "--metadata-file", str(metadata_file)]
    for key, value in spec.labels:
        argv += ["--label", f"{key}={value}"]
    return [*argv, "-f", str(spec.dockerfile), str(spec.context)]


def build_with_buildx(spec: BuildSpec, root: Path, env: Mapping[str, str]) -> str:
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
