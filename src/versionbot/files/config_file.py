"""Edge: read the configuration file, ``versionbot.toml`` or pyproject.toml's ``[tool.versionbot]``.

Owns which file is read (``--config FILE``, else one of the two at the repository root, never
both) and the TOML decoding; ``config_from_mapping`` owns the schema. Never writes or runs git.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.files.atomic import in_work_tree


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read the configuration of the repository at ``root`` (or the file ``explicit``)."""
    if explicit is not None:
        return _load_file(explicit, _read_explicit(explicit)) or Config()
    standalone = _load_file(root / "versionbot.toml", _read_in_tree(root, "versionbot.toml"))
    embedded = _load_file(root / "pyproject.toml", _read_in_tree(root, "pyproject.toml"))
    if standalone is not None and embedded is not None:
        raise ConfigError(
            "versionbot is configured in both versionbot.toml and pyproject.toml",
            "keep one of them: move every key into a single place",
        )
    return standalone or embedded or Config()


def _read_explicit(path: Path) -> bytes:
    """``--config FILE``: the workflow's own choice, so it may be outside the work tree (or a
    pipe), but it must exist and not be a folder."""
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder", "give --config the path of a file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} does not exist", "check the path given to --config"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror}", "check the file's permissions"
        ) from None


def _read_in_tree(root: Path, name: str) -> bytes | None:
    """The repository's own ``name``, None when there is none. Whoever merges a pull request
    controls it: a symlink out of the work tree (``/dev/zero``, a runner's file) or a folder is
    refused, never read."""
    path = root / name
    if not path.is_symlink() and not path.exists():
        return None
    if path.is_dir():
        raise ConfigError(f"{name} is a folder", f"versionbot reads {name} as a file: rename it")
    target = in_work_tree(root, name, "config file")
    if not target.exists():  # a symlink to a file of the tree that is not there
        return None
    try:
        return target.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {name}: {exc.strerror}", "check the file's permissions"
        ) from None


def _load_file(path: Path, data: bytes | None) -> Config | None:
    """None when the file is absent, or is a pyproject.toml with no ``[tool.versionbot]``."""
    if data is None:
        return None
    document = _toml(path.name, data)
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        table = tool.get("versionbot") if isinstance(tool, dict) else None
        if table is None:
            return None
        return config_from_mapping(table, f"{path.name} [tool.versionbot]")
    return config_from_mapping(document, path.name)


def _toml(name: str, data: bytes) -> dict[str, Any]:
    """The TOML document in ``data``: UTF-8, a byte order mark allowed (editors write one)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name} is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            "TOML files are UTF-8: save it as UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name} is not valid TOML: {exc}", "fix the syntax") from None
    except RecursionError:
        raise ConfigError(
            f"{name} nests arrays or tables too deeply to be read",
            "no configuration nests that deep: fix the file",
        ) from None
