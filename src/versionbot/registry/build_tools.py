"""Edge: run a build tool (docker buildx, buildah) and word its failure without secrets.

What it owns
    * :func:`run_tool` - one process in the work tree, stdin closed, output captured; a missing
      tool or a non-zero exit is a BuildError ending with the tool's last line of output.
    * :func:`secrets` - every secret such a line might echo (the registry variables' passwords
      and the Basic pair), for :func:`versionbot.core.redaction.redact`.

What it must not do
    * Put a credential in an argv, a message or a log line.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from versionbot.core.errors import BuildError
from versionbot.core.redaction import redact
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
