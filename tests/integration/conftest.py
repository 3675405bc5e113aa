"""Integration fixtures: the real registries (tests/registry_fixtures.py) and the release
servers (tests/release_fixtures.py) for this folder.

``pytest_plugins`` may only be set in the rootdir conftest, so the fixtures are imported here
instead; pytest collects fixtures from a conftest's namespace.
"""

from __future__ import annotations

from registry_fixtures import (
    image_in,
    multiarch_index,
    registry_basic,
    registry_factory,
    registry_other,
    registry_plain,
    registry_tls,
    registry_token,
    seed_image,
)
from release_fixtures import forge, forge_module, git_server

__all__ = [
    "forge",
    "forge_module",
    "git_server",
    "image_in",
    "multiarch_index",
    "registry_basic",
    "registry_factory",
    "registry_other",
    "registry_plain",
    "registry_tls",
    "registry_token",
    "seed_image",
]
