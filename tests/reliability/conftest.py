"""Reliability fixtures: real registries (tests/registry_fixtures.py), the git HTTP remote, the
forge stand-in, and the ``slow_matrix`` marker (the long kill matrix; CI runs it too).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forge_server import ForgeServer
from git_remote import GitHttpServer, git_http_server
from registry_fixtures import (
    image_in,
    multiarch_index,
    registry_basic,
    registry_factory,
    registry_plain,
    registry_tls,
    registry_token,
    seed_image,
)
from reliability.harness import FORGE_TOKEN

__all__ = [
    "image_in",
    "multiarch_index",
    "registry_basic",
    "registry_factory",
    "registry_plain",
    "registry_tls",
    "registry_token",
    "seed_image",
]


@pytest.fixture(scope="module")
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    """The authenticated smart-HTTP git server, one per module."""
    with git_http_server(tmp_path_factory.mktemp("git-http")) as server:
        yield server


@pytest.fixture(scope="module")
def forge_module() -> Iterator[ForgeServer]:
    """The GitHub releases stand-in, one per module."""
    with ForgeServer(FORGE_TOKEN) as server:
        yield server


@pytest.fixture
def forge(forge_module: ForgeServer) -> Iterator[ForgeServer]:
    """The forge, emptied for this test; it must see no protocol violation."""
    forge_module.reset()
    yield forge_module
    assert forge_module.violations == []
