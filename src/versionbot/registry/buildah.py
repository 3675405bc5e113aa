"""Edge: the ``buildah`` builder (daemonless).

One ``buildah build --platform P --manifest LIST`` per platform into a throw-away vfs store,
``--isolation chroot``, then ``buildah manifest push --all --digestfile``
(:func:`buildah_commands`). buildah 1.28 exits 0 when the registry answers 401, so an empty
digest file is an error. Credentials: the ``VERSIONBOT_REGISTRY_*`` variables (written to a 0600
authfile in the temporary folder, :func:`write_authfile`), else the Docker config
(``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``). ``--tls-verify=false`` only
for a registry :func:`versionbot.registry.oci.plain_http_allowed` permits (loopback or
``images.insecure``); ``images.ca_file`` is handed over as ``--cert-dir``. Errors end with the
tool's last line, every known secret replaced by ``***``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from versionbot.core.config import ImagesConfig
from versionbot.core.errors import BuildError
from versionbot.core.redaction import redact
from versionbot.registry.build_spec import BuildSpec
from versionbot.registry.build_tools import last_line, run_tool, secrets
from versionbot.registry.credentials import Credentials, credentials_from_env, docker_config_path
from versionbot.registry.oci import plain_http_allowed


@dataclass(frozen=True, slots=True)
class BuildahSetup:
    """Where buildah keeps its store, and how it reaches the registry."""

    work: Path  # a throw-away folder: vfs storage, run root, digest file
    authfile: Path | None = None
    tls_verify: bool = True  # False only for a registry that may be reached over plain HTTP
    cert_dir: Path | None = None  # a folder holding ca.crt (images.ca_file)

    @property
    def digest_file(self) -> Path:
        """Where ``buildah manifest push`` writes the pushed index's digest."""
        return self.work / "digest"


def buildah_commands(spec: BuildSpec, setup: BuildahSetup, list_name: str) -> list[list[str]]:
    """Every command of the ``buildah`` builder, in order: one build per platform, one push."""
    base = ["buildah", "--root", str(setup.work / "storage"), "--runroot", str(setup.work / "run")]
    base += ["--storage-driver", "vfs"]
    auth = ["--authfile", str(setup.authfile)] if setup.authfile is not None else []
    commands = []
    for platform in spec.platforms:
        build = [*base, "build", "--quiet", "--isolation", "chroot", "--platform", platform]
        build += ["--format", "oci", "--manifest", list_name, "--file", str(spec.dockerfile)]
        if spec.timestamp is not None:
            build += ["--timestamp", str(spec.timestamp)]
        build += auth
        for key, value in spec.labels:
            build += ["--label", f"{key}={value}"]
        for key, value in spec.labels:
            build += ["--annotation", f"{key}={value}"]
        commands.append([*build, str(spec.context)])
    push = [*base, "manifest", "push", "--all", "--format", "oci"]
    push += ["--digestfile", str(setup.digest_file), *auth]
    if not setup.tls_verify:
        push.append("--tls-verify=false")
    if setup.cert_dir is not None:
        push += ["--cert-dir", str(setup.cert_dir)]
    commands.append([*push, list_name, f"docker://{spec.ref}"])
    return commands


def authfile_document(registry: str, credentials: Credentials) -> dict[str, Any]:
    """A containers-auth.json / Docker config.json document holding ``credentials``."""
    if credentials.identity_token:
        entry: dict[str, str] = {"identitytoken": credentials.identity_token}
        if credentials.username:
            entry["auth"] = base64.b64encode(f"{credentials.username}:".encode()).decode()
    else:
        entry = {"auth": credentials.basic_header().removeprefix("Basic ")}
    return {"auths": {registry: entry}}


def write_authfile(registry: str, env: Mapping[str, str], work: Path) -> Path | None:
    """buildah's ``--authfile``: the ``VERSIONBOT_REGISTRY_*`` credentials written to a new 0600
    ``work/auth.json``, else the Docker config file itself, else None."""
    credentials = credentials_from_env(registry, env)
    if credentials is None:
        config = docker_config_path(None, env)
        return config if config.is_file() else None
    path = work / "auth.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(authfile_document(registry, credentials), handle)
    return path


def build_with_buildah(
    spec: BuildSpec, settings: ImagesConfig, root: Path, env: Mapping[str, str]
) -> str:
    """Build and push ``spec`` with buildah; the pushed index's digest."""
    registry = spec.ref.registry
    with tempfile.TemporaryDirectory(prefix="versionbot-buildah-") as folder:
        work = Path(folder)
        cert_dir = None
        if settings.ca_file is not None:
            cert_dir = work / "certs"
            cert_dir.mkdir()
            shutil.copyfile(root / settings.ca_file, cert_dir / "ca.crt")
        setup = BuildahSetup(
            work=work,
            authfile=write_authfile(registry, env, work),
            tls_verify=not plain_http_allowed(registry, settings.insecure),
            cert_dir=cert_dir,
        )
        hidden = secrets(registry, env)
        try:
            for argv in buildah_commands(spec, setup, "versionbot-release"):
                what = "buildah manifest push" if "push" in argv else "buildah build"
                result = run_tool(argv, env, what, root, hidden)
            digest = setup.digest_file.read_text().strip() if setup.digest_file.exists() else ""
        finally:
            shutil.rmtree(work / "storage", ignore_errors=True)
    if not digest.startswith("sha256:"):
        # buildah 1.28 exits 0 when the registry answers 401: the empty digest file tells.
        raise BuildError(
            f"buildah pushed no image to {registry}: " + redact(last_line(result.stderr), hidden),
            f"check the credentials and TLS settings for {registry}",
        )
    return digest
