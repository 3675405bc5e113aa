"""Edge: the outside world a release touches, built from the configuration and environment.

Git with its credentials and identity, the forge, each package's image stage. Reading the
environment happens here (and in the edges it builds), never in the core.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot.core.config import Config
from versionbot.core.errors import UsageError
from versionbot.core.links import parse_remote_url
from versionbot.git.writer import GitWriter, Identity
from versionbot.release.transaction import ImageStage

if TYPE_CHECKING:
    from versionbot.forge.model import Forge

# The identity actions/checkout documents for commits made by workflows.
ACTIONS_BOT = Identity(
    "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"
)


def image_stage(
    config: Config, root: Path, env: Mapping[str, str], progress: Callable[[str], None] | None
) -> ImageStage:
    """The registries' image stage of ``config``'s images for the work tree at ``root``."""
    from versionbot.registry.client import RegistryClient
    from versionbot.registry.stage import RegistryImageStage

    # ``progress`` shows blob copies between registries on a terminal.
    make_client = functools.partial(RegistryClient, progress=progress)
    return RegistryImageStage(config, root, env, make_client=make_client)


def git_writer(
    root: Path, config: Config, env: Mapping[str, str], *, pushes: bool = True
) -> GitWriter:
    """The GitWriter of the work tree at ``root``: credentials for an HTTP remote, identity.
    Without a remote it is an error unless the caller never ``pushes``."""
    token = env.get("VERSIONBOT_GIT_TOKEN") or env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    probe = GitWriter(root, env=env)
    remote_url = probe.remote_url(config.remote)
    if not remote_url and pushes:
        raise UsageError(
            f"there is no git remote named {config.remote!r} to push the release to",
            "add one (git remote add origin URL) or set remote in the configuration",
        )
    remote = parse_remote_url(remote_url)
    over_http = remote is not None and remote.over_http
    return GitWriter(
        root,
        username=env.get("VERSIONBOT_GIT_USERNAME"),
        token=token if over_http else None,
        identity=_identity(config, env, probe),
        env=env,
    )


def _identity(config: Config, env: Mapping[str, str], git: GitWriter) -> Identity | None:
    """The configured committer; in GitHub Actions with no git identity, the Actions bot."""
    if config.committer is not None:
        return Identity(*config.committer)
    configured = git.run("config", "user.email", check=False).stdout.strip()
    if not configured and env.get("GITHUB_ACTIONS") == "true":
        return ACTIONS_BOT
    return None


def forge_of(env: Mapping[str, str], remote_url: str) -> tuple[Forge | None, str | None]:
    """The forge of the remote at ``remote_url`` from the environment's settings, or None and
    what is missing to reach it."""
    from versionbot.forge.settings import github_forge, missing_forge_settings

    missing = missing_forge_settings(env, remote_url)
    if missing is not None:
        return None, missing
    return github_forge(env, remote_url), None
