"""Registry credentials: where they come from, never how they are sent.

First match wins (:func:`find_credentials`; a pair counts only when both halves are set):
    1. ``VERSIONBOT_REGISTRY_<HOST>_USERNAME``/``_PASSWORD``: ``<HOST>`` is the registry as
       written in the image reference, upper-cased, every character other than a letter or a
       digit replaced by ``_`` (:func:`env_var_prefix`; ``127.0.0.1:5000`` ->
       ``VERSIONBOT_REGISTRY_127_0_0_1_5000_USERNAME``);
    2. ``VERSIONBOT_REGISTRY_USERNAME``/``_PASSWORD``, for any registry;
    3. the Docker config (:func:`docker_config_path`): ``auths``, ``credHelpers`` and
       ``credsStore``, identity (refresh) tokens included, read by docker-py's ``docker.auth``
       (imported only then);
    4. none: anonymous access.

Docker Hub is one registry whichever of its names an image uses (``docker.io``,
``index.docker.io``, ``registry-1.docker.io``: :class:`~versionbot.registry.oci.ImageRef` makes
them ``docker.io``): ``VERSIONBOT_REGISTRY_DOCKER_IO_*`` and the config entry ``docker login``
writes (``https://index.docker.io/v1/``) serve all three.

Must not: make HTTP requests, or read ``os.environ`` (the environment is passed in; only a
missing ``HOME`` falls back to ``Path.home()``); put a credential into a message, a log record
or a repr (a failing credential helper is named, with its registry, never quoted).
"""

from __future__ import annotations

import base64
import re
import shutil
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from versionbot.core.errors import RegistryError
from versionbot.registry.oci import DOCKER_HUB, DOCKER_HUB_API


@dataclass(frozen=True, slots=True)
class Credentials:
    """A username and a secret (or an identity token); neither ever appears in a repr."""

    username: str = field(repr=False)
    password: str = field(repr=False)
    identity_token: str | None = field(default=None, repr=False)
    source: str = ""  # where they came from, for hints: never the values themselves

    def basic_header(self) -> str:
        """The value of an ``Authorization: Basic`` header."""
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


def env_var_prefix(registry: str) -> str:
    """``127.0.0.1:5000`` -> ``VERSIONBOT_REGISTRY_127_0_0_1_5000``.

    >>> env_var_prefix("ghcr.io")
    'VERSIONBOT_REGISTRY_GHCR_IO'
    """
    return "VERSIONBOT_REGISTRY_" + re.sub(r"[^A-Z0-9]", "_", registry.upper())


def find_credentials(
    registry: str, config_file: Path, env: Mapping[str, str]
) -> Credentials | None:
    """The credentials for ``registry``: the variables, then the Docker config, else None."""
    found = credentials_from_env(registry, env)
    if found is None:
        found = credentials_from_docker_config(registry, config_file, env)
    return found


def credentials_from_env(registry: str, env: Mapping[str, str]) -> Credentials | None:
    """Host-specific ``VERSIONBOT_REGISTRY_<HOST>_*`` first, then ``VERSIONBOT_REGISTRY_*``."""
    for prefix in (env_var_prefix(registry), "VERSIONBOT_REGISTRY"):
        username = env.get(f"{prefix}_USERNAME", "")
        password = env.get(f"{prefix}_PASSWORD", "")
        if username and password:
            return Credentials(username, password, source=f"{prefix}_USERNAME/_PASSWORD")
    return None


def docker_config_path(docker_config: Path | None, env: Mapping[str, str]) -> Path:
    """The Docker ``config.json`` to read: ``docker_config``, ``$DOCKER_CONFIG``, then ``~``."""
    if docker_config is not None:
        return docker_config / "config.json" if docker_config.is_dir() else docker_config
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]) / "config.json"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".docker" / "config.json"


def _config_keys(registry: str) -> tuple[str, ...]:
    """The names to look ``registry`` up under, in order. docker-py finds Docker Hub's
    ``https://index.docker.io/v1/`` (where ``docker login`` puts it), ``index.docker.io`` and
    ``docker.io`` under ``docker.io``, but ``docker login registry-1.docker.io`` stores its own
    key, which only that name finds."""
    return (registry, DOCKER_HUB_API) if registry == DOCKER_HUB else (registry,)


def _resolve(config: Any, name: str, registry: str, env: Mapping[str, str]) -> object:
    """docker-py's entry for ``name`` (its credential helper run if the config names one)."""
    import docker.auth
    import docker.errors

    # docker-py warns on stderr when a helper is missing; the error below says it once.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return docker.auth.resolve_authconfig(config, name, credstore_env=dict(env))
        except docker.errors.DockerException:
            pass
    # The helper's own message may quote its output: name the helper and the registry only.
    program = f"docker-credential-{config.get_credential_store(name)}"
    if shutil.which(program, path=env.get("PATH")) is None:
        raise RegistryError(
            f"the Docker credential helper {program} for {registry} is not installed",
            f"install it, or remove it from `credsStore`/`credHelpers` in the Docker config, "
            f"or set the {env_var_prefix(registry)}_USERNAME/_PASSWORD variables",
        )
    raise RegistryError(
        f"the Docker credential helper {program} for {registry} failed",
        f"check `docker login {registry}` works, or set the VERSIONBOT_REGISTRY_* variables",
    )


def credentials_from_docker_config(
    registry: str, config_file: Path, env: Mapping[str, str]
) -> Credentials | None:
    """Credentials for ``registry`` from a Docker ``config.json`` via docker-py's helpers."""
    if not config_file.is_file():
        return None
    import docker.auth
    import docker.errors

    try:
        config = docker.auth.load_config(config_path=str(config_file), credstore_env=dict(env))
    except docker.errors.DockerException:
        raise RegistryError(
            f"cannot read the Docker config {config_file}",
            "each entry of its `auths` must be an object; fix it, or set the "
            "VERSIONBOT_REGISTRY_* variables",
        ) from None
    entry = None
    for name in _config_keys(registry):
        entry = entry or _resolve(config, name, registry, env)
    if not isinstance(entry, Mapping):
        return None
    fields = {str(k).lower(): str(v) for k, v in entry.items() if v}
    source = f"Docker config {config_file}"
    if fields.get("identitytoken"):
        return Credentials(fields.get("username", ""), "", fields["identitytoken"], source)
    if fields.get("username") and fields.get("password"):
        return Credentials(fields["username"], fields["password"], source=source)
    return None
