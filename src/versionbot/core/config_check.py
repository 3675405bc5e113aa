"""The configuration's ``[check]`` table: ``bot check``'s policy for commit messages.

Pure: no I/O. The allowed types default to the Conventional Commits set plus every type the
configuration already names (in ``[bump]`` or ``[changelog.sections]``); check.py applies the
policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from versionbot.core.bump import BumpRules
from versionbot.core.config import DEFAULT_TYPES, ChangelogConfig, CheckRules
from versionbot.core.config_values import parse_flag, parse_table
from versionbot.core.errors import ConfigError

_CHECK_KEYS = {
    "types": 'the allowed commit types, e.g. ["feat", "fix", "docs"]',
    "scopes": 'the allowed scopes, e.g. ["api", "cli"]; empty: any scope',
    "max_subject_length": "the longest subject line in characters, e.g. 100",
    "subject_period": "true to allow a subject that ends with a period",
    "allow_fixup": "true to let fixup!, squash! and amend! commits pass",
}


def parse_check(
    table: object, source: str, bump_rules: BumpRules, changelog: ChangelogConfig
) -> CheckRules:
    """``[check]``. Without ``types``, the allowed types are the Conventional Commits set plus
    every type that ``[bump]`` or ``[changelog.sections]`` names: those are meant to be used."""
    table = parse_table(table, "check", _CHECK_KEYS, source)
    named = [k for k, _ in bump_rules.by_type] + [t for (t, _), _ in bump_rules.scoped]
    named += [k for k, _ in changelog.sections]
    default_types = tuple(dict.fromkeys([*DEFAULT_TYPES, *(t.lower() for t in named)]))
    types = _check_names(table, "types", default_types, source)
    for kind in types:
        if not _valid_type(kind):
            raise ConfigError(
                f"check.types in {source}: {kind!r} is not a commit type",
                "a type is a letter, then letters, digits, '-' or '_', e.g. \"feat\"",
            )
    if not types:
        raise ConfigError(f"check.types in {source} is empty", _CHECK_KEYS["types"])
    scopes = _check_names(table, "scopes", (), source)
    if any(c in scope for scope in scopes for c in "()\n"):
        raise ConfigError(
            f"check.scopes in {source} must not hold parentheses or line breaks",
            _CHECK_KEYS["scopes"],
        )
    limit = table.get("max_subject_length", CheckRules().max_subject_length)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 10:
        raise ConfigError(
            f"check.max_subject_length in {source} must be a whole number of at least 10, "
            f"not {limit!r}",
            "write e.g. max_subject_length = 100",
        )
    where = f"{source} [check]"
    return CheckRules(
        types=tuple(t.lower() for t in types),
        scopes=scopes,
        max_subject_length=limit,
        subject_period=parse_flag(table, "subject_period", False, where),
        allow_fixup=parse_flag(table, "allow_fixup", False, where),
    )


def _check_names(
    table: Mapping[str, Any], key: str, default: tuple[str, ...], source: str
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"check.{key} in {source} must be a list of strings", _CHECK_KEYS[key])
    return tuple(v.strip() for v in value)


def _valid_type(kind: str) -> bool:
    return kind[0].isalpha() and kind.replace("-", "").replace("_", "").isalnum()
