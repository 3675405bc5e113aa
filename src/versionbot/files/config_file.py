"""Edge: read the configuration file, ``versionbot.toml`` or pyproject.toml's ``[tool.versionbot]``.

Owns which file is read (``--config FILE``, else one of the two at the repository root, never
both) and the TOML decoding; ``config_from_mapping`` owns the schema. Never writes or runs git.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read the configuration of the repository at ``root`` (or the file ``explicit``)."""
    if explicit is not None:
        return _load_file(explicit, required=True) or Config()
    standalone = _load_file(root / "versionbot.toml", required=False)
    embedded = _load_file(root / "pyproject.toml", required=False)
    if standalone is not None and embedded is not None:
        raise ConfigError(
            "versionbot is configured in both versionbot.toml and pyproject.toml",
            "keep one of them: move every key into a single place",
        )
    return standalone or embedded or Config()


def _load_file(path: Path, *, required: bool) -> Config | None:
    """None when the file is absent (and not ``required``) or has no ``[tool.versionbot]``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(
                f"config file {path} does not exist", "check the path given to --config"
            ) from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", "check the file's permissions") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}", "fix the syntax") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("versionbot")
        if table is None:
            return None if not required else Config()
        return config_from_mapping(table, f"{path.name} [tool.versionbot]")
    return config_from_mapping(document, path.name)
