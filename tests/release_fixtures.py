"""Fixtures shared by the release tests: the authenticated git HTTP server and the strict GitHub
API stand-in, one of each per test module.

A module sets ``FORGE_TOKEN`` (a recognisable token its secret scans look for); the e2e module
uses the git server's token for both, as GitHub Actions does. Imported by the conftest.py of
tests/integration and tests/e2e (``pytest_plugins`` may only be set in the rootdir conftest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forge_server import ForgeServer
from git_remote import GitHttpServer, git_http_server


@pytest.fixture(scope="module")
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    """A smart-HTTP git server behind Basic auth on loopback."""
    with git_http_server(tmp_path_factory.mktemp("git-http")) as server:
        yield server


@pytest.fixture(scope="module")
def forge_module(request: pytest.FixtureRequest) -> Iterator[ForgeServer]:
    """The GitHub API stand-in, accepting the module's ``FORGE_TOKEN``."""
    with ForgeServer(request.module.FORGE_TOKEN) as server:
        yield server


@pytest.fixture
def forge(forge_module: ForgeServer) -> Iterator[ForgeServer]:
    """The stand-in, emptied for this test; at its end, no request broke the API's contract."""
    forge_module.reset()
    yield forge_module
    assert forge_module.violations == []
