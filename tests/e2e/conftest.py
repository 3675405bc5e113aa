"""E2E fixtures: the real-registry plugin (tests/registry_fixtures.py) for ``bot images``.

``pytest_plugins`` may only be set in the rootdir conftest, so the fixtures are imported here,
as tests/integration/conftest.py does; this folder gets registries of its own (well under a
second each to start).
"""

from __future__ import annotations

from registry_fixtures import (
    image_in,
    multiarch_index,
    registry_basic,
    registry_factory,
    registry_plain,
    seed_image,
)

__all__ = [
    "image_in",
    "multiarch_index",
    "registry_basic",
    "registry_factory",
    "registry_plain",
    "seed_image",
]
