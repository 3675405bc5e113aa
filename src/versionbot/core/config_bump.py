"""The configuration's ``[bump]`` table: which release each commit type (or type and scope) asks
for.

Pure: no I/O. Keys are a type (``docs``), a ``"type(scope)"`` or ``*`` (every other type);
values are ``major``, ``minor``, ``patch`` or ``none``. Types the table does not name keep
bump.py's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from versionbot.core.bump import DEFAULT_TYPE_RULES, Bump, BumpRules
from versionbot.core.config_values import TOP_LEVEL_KEYS
from versionbot.core.errors import ConfigError


def parse_bump_rules(table: object, source: str) -> BumpRules:
    """``[bump]`` as BumpRules: the default rules with the table's on top."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"bump in {source} must be a table", TOP_LEVEL_KEYS["bump"])
    by_type: dict[str, Bump] = dict(DEFAULT_TYPE_RULES)
    scoped: dict[tuple[str, str], Bump] = {}
    default = Bump.NONE
    for key, value in table.items():
        if not isinstance(key, str):
            raise ConfigError(
                f"bump in {source} has a key that is not a string: {key!r}", TOP_LEVEL_KEYS["bump"]
            )
        where = f"bump.{_quote_key(key)} in {source}"
        try:
            level = Bump.from_label(value) if isinstance(value, str) else None
        except ValueError:
            level = None
        if level is None:
            raise ConfigError(
                f"{where} must be one of major, minor, patch, none; not {value!r}",
                f'write e.g. {_quote_key(key)} = "patch"',
            )
        if key == "*":
            default = level
            continue
        kind, scope = _rule_key(key, where)
        if scope is None:
            by_type[kind] = level
        else:
            scoped[(kind, scope)] = level
    return BumpRules(tuple(by_type.items()), tuple(scoped.items()), default)


def _rule_key(key: str, where: str) -> tuple[str, str | None]:
    kind, paren, rest = key.partition("(")
    valid_kind = (
        bool(kind) and kind[0].isalpha() and kind.replace("-", "").replace("_", "").isalnum()
    )
    if not paren and valid_kind:
        return kind.lower(), None
    if paren and valid_kind and rest.endswith(")") and "(" not in rest[:-1] and rest[:-1].strip():
        return kind.lower(), rest[:-1].strip()
    raise ConfigError(
        f'{where}: the key must be a commit type or "type(scope)"',
        'write e.g. feat = "minor" or "docs(readme.md)" = "patch"',
    )


def _quote_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else f'"{key}"'
