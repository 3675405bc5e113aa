"""Finding the peers' configurations: python-semantic-release and commitizen tables in the
file texts ``bot init`` read, each translated (psr.py, commitizen.py).

Pure: no I/O; the texts are handed in (path → text). A file that does not parse is skipped: it
is not ours to judge, and the peer would refuse it too.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from versionbot.init.commitizen import translate_commitizen
from versionbot.init.migration import Migration
from versionbot.init.psr import translate_psr


def peer_configs(files: Mapping[str, str]) -> list[Migration]:
    """Every python-semantic-release and commitizen table in ``files``, translated.

    Looked for where the tools look: PSR in pyproject.toml ``[tool.semantic_release]``,
    releaserc.toml / releaserc.json (``semantic_release``) and, for 7.x, setup.cfg
    ``[semantic_release]``; commitizen in .cz.toml, cz.toml, .cz.json, cz.json and pyproject.toml
    (``[tool.commitizen]`` / ``"commitizen"``), first found wins, as in commitizen.
    """
    found: list[Migration] = []
    for name in ("pyproject.toml", "releaserc.toml", "releaserc.json"):
        table = _psr_table(name, files.get(name))
        if table is not None:
            where = f"{name} [tool.semantic_release]" if name == "pyproject.toml" else name
            found.append(translate_psr(table, where))
            break
    else:
        legacy = _setup_cfg_table(files.get("setup.cfg"))
        if legacy is not None:
            found.append(translate_psr(legacy, "setup.cfg [semantic_release]", legacy=True))
    for name in (".cz.toml", "cz.toml", ".cz.json", "cz.json", "pyproject.toml"):
        table = _cz_table(name, files.get(name))
        if table is not None:
            where = f"{name} [tool.commitizen]" if name.endswith(".toml") else name
            found.append(translate_commitizen(table, where))
            break
    return found


def _psr_table(name: str, text: str | None) -> Mapping[str, Any] | None:
    document = _load(name, text)
    if document is None:
        return None
    table = document.get("tool", {}).get("semantic_release", document.get("semantic_release"))
    return table if isinstance(table, Mapping) else None


def _cz_table(name: str, text: str | None) -> Mapping[str, Any] | None:
    document = _load(name, text)
    if document is None:
        return None
    table = document.get("commitizen") if name.endswith(".json") else None
    if table is None:
        table = document.get("tool", {}).get("commitizen")
    return table if isinstance(table, Mapping) else None


def _load(name: str, text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    try:
        loaded = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError):
        return None  # not ours to judge; the peer would refuse it too
    return loaded if isinstance(loaded, Mapping) else None


_LEGACY_LISTS = ("version_variable", "version_toml", "version_pattern")


def _setup_cfg_table(text: str | None) -> Mapping[str, Any] | None:
    """python-semantic-release 7.x's ``[semantic_release]`` of setup.cfg, typed like TOML."""
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("semantic_release"):
        return None
    table: dict[str, Any] = {}
    for key, value in parser.items("semantic_release"):
        if key in _LEGACY_LISTS:
            table[key] = [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
        elif value.strip().lower() in ("true", "false"):
            table[key] = value.strip().lower() == "true"
        else:
            table[key] = value.strip()
    return table


def version_files_of(migrations: Iterable[Migration]) -> list[str]:
    """The version files the peers declared, in order, each once."""
    specs: list[str] = []
    for migration in migrations:
        for setting in migration.settings:
            if setting.key == ("version_files",) and isinstance(setting.value, tuple):
                specs += [str(s) for s in setting.value if str(s) not in specs]
    return specs
