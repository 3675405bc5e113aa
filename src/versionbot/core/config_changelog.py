"""The configuration's ``[changelog]`` table: the changelog's file, its sections, its templates
and the forge its links are for.

Pure: no I/O; the file is written by files/changelog_file.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from versionbot.core.config import CHANGELOG_FORGES, ChangelogConfig
from versionbot.core.config_values import parse_choice, parse_table
from versionbot.core.errors import ConfigError

_CHANGELOG_KEYS = {
    "file": 'the changelog\'s path from the repository root, e.g. "CHANGELOG.md"',
    "sections": 'a table of type = "Section title", in the order to show them',
    "templates": "a folder (from the repository root) whose templates override the built-in ones",
    "forge": '"auto", "none", "github", "gitlab", "gitea" or "bitbucket"',
}


def parse_changelog(table: object, source: str) -> ChangelogConfig:
    """``[changelog]`` as ChangelogConfig; unset keys keep their defaults."""
    table = parse_table(table, "changelog", _CHANGELOG_KEYS, source)
    defaults = ChangelogConfig()
    for key in ("file", "templates"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(
                f"changelog.{key} in {source} must be a non-empty string", _CHANGELOG_KEYS[key]
            )
    forge = parse_choice(
        table.get("forge", defaults.forge),
        CHANGELOG_FORGES,
        "changelog.forge",
        source,
        _CHANGELOG_KEYS["forge"],
    )
    sections = table.get("sections", dict(defaults.sections))
    if not isinstance(sections, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in sections.items()
    ):
        raise ConfigError(
            f"changelog.sections in {source} must map types to titles",
            'write e.g. feat = "Features" under [changelog.sections]',
        )
    return ChangelogConfig(
        file=table.get("file", defaults.file),
        sections=tuple((k.lower(), v) for k, v in sections.items()),
        templates=table.get("templates", defaults.templates),
        forge=forge,
    )
