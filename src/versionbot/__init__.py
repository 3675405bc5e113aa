"""versionbot: a Conventional-Commits release bot.

The public API is small and pure (no git, no I/O):

- ``parse_commit(message)`` → ``ParsedCommit`` or ``ParseFailure``
- ``config_from_mapping(mapping)`` → ``Config``
- ``plan_from_messages(messages, current, config)`` → ``ReleasePlan`` (bump and next version)

Imports are lazy so that ``bot --version`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.0.0"

__all__ = [
    "Config",
    "ParseFailure",
    "ParsedCommit",
    "ReleasePlan",
    "Version",
    "__version__",
    "config_from_mapping",
    "parse_commit",
    "plan_from_messages",
]

_EXPORTS = {
    "Config": "versionbot.core.config",
    "config_from_mapping": "versionbot.core.config_mapping",
    "ParseFailure": "versionbot.core.commits",
    "ParsedCommit": "versionbot.core.commits",
    "parse_commit": "versionbot.core.commits",
    "ReleasePlan": "versionbot.core.plan",
    "Version": "versionbot.core.version",
    "plan_from_messages": "versionbot.api",
}

if TYPE_CHECKING:
    from versionbot.api import plan_from_messages
    from versionbot.core.commits import ParsedCommit, ParseFailure, parse_commit
    from versionbot.core.config import Config
    from versionbot.core.config_mapping import config_from_mapping
    from versionbot.core.plan import ReleasePlan
    from versionbot.core.version import Version


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'versionbot' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
