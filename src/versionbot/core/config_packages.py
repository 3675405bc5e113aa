"""The configuration's ``[packages.NAME]`` tables: a monorepo's packages.

Pure: no I/O. Packages must not share a folder or tags that one another's format would read;
``depends_on`` is resolved here, transitively, into the folders whose changes release each one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from versionbot.core.config import Config, ImagesConfig, Package
from versionbot.core.config_tables import (
    TOP_LEVEL_KEYS,
    checked_tag_format,
    parse_flag,
    parse_images,
    parse_initial_version,
    parse_tag_format,
    parse_version_files,
)
from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.neutralise import control_in
from versionbot.core.version import Version

_PACKAGE_KEYS = {
    "path": 'the package\'s folder from the repository root, e.g. "services/api"',
    "tag_format": "its tags, with '{version}'; default \"NAME-v{version}\"",
    "legacy_tag_formats": 'formats of its older release tags, read only, e.g. ["NAME@{version}"]',
    "initial_version": 'its first version, e.g. "0.1.0"',
    "major_on_zero": "true or false; default: the repository's major_on_zero",
    "minor_on_zero": "true or false; default: the repository's minor_on_zero",
    "scopes": 'commit scopes that belong to it wherever the files are, e.g. ["api"]',
    "depends_on": 'folders, files or packages whose changes release it, e.g. ["libs/common"]',
    "version_files": 'files holding its version, from its folder, e.g. ["pyproject.toml"]',
    "images": "its image table, with the keys of [images] (paths from its folder)",
}
# Keys that describe one released thing: in a monorepo each package has its own.
_PER_PACKAGE_KEYS = (
    "tag_format",
    "legacy_tag_formats",
    "initial_version",
    "version_files",
    "images",
)
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_packages(mapping: Mapping[str, Any], config: Config, source: str) -> tuple[Package, ...]:
    """``[packages.NAME]`` tables: each package's settings are the repository's with its own
    tags, changelog, version files and images, every path from its folder."""
    table = mapping["packages"]
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(
            f"packages in {source} must hold a table per package", TOP_LEVEL_KEYS["packages"]
        )
    shared = [key for key in _PER_PACKAGE_KEYS if key in mapping]
    if shared:
        raise ConfigError(
            f"{shared[0]} in {source} is per package in a monorepo",
            "move it into each [packages.NAME] table that needs it",
        )
    packages = [_package(name, value, config, source) for name, value in table.items()]
    paths = {p.path: p.name for p in packages}
    formats: list[tuple[str, TagFormat]] = []
    resolved = []
    for package in packages:
        if paths[package.path] != package.name:
            raise ConfigError(
                f"packages {paths[package.path]!r} and {package.name!r} in {source} have the "
                f"same path {package.path!r}",
                "give each package its own folder",
            )
        fmt = package.config.tag_format
        for other, other_fmt in formats:
            example = Version(1, 2, 3)
            if fmt.parse(other_fmt.format(example)) or other_fmt.parse(fmt.format(example)):
                raise ConfigError(
                    f"the tag formats of packages {other!r} and {package.name!r} in {source} "
                    f"overlap ({other_fmt.pattern!r}, {fmt.pattern!r})",
                    'give each package tags of its own, e.g. tag_format = "NAME-v{version}"',
                )
        formats.append((package.name, fmt))
        folders = _dependency_folders(package, {p.name: p for p in packages})
        resolved.append(dataclasses.replace(package, depends_on=tuple(sorted(folders))))
    return tuple(resolved)


def _dependency_folders(package: Package, by_name: Mapping[str, Package]) -> set[str]:
    """The folders and files whose changes release ``package``, beyond its own folder.

    A dependency that names a package (or is its folder) means that package's folder and, in
    turn, its own dependencies: when ``api`` depends on ``core`` and ``core`` on ``libs/common``,
    a change in ``libs/common`` releases both.
    """
    by_path = {p.path: p for p in by_name.values()}
    folders: set[str] = set()
    seen = {package.name}
    pending = list(package.depends_on)
    while pending:
        entry = pending.pop()
        other = by_name.get(entry) or by_path.get(entry)
        if other is None:
            folders.add(entry)
        elif other.name not in seen:
            seen.add(other.name)
            folders.add(other.path)
            pending += other.depends_on
    return folders


def _package(name: object, value: object, config: Config, source: str) -> Package:
    if not isinstance(name, str) or not _PACKAGE_NAME.fullmatch(name):
        raise ConfigError(
            f"package name {name!r} in {source} is not valid",
            "use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    where = f"{source} [packages.{name}]"
    if not isinstance(value, Mapping):
        raise ConfigError(f"packages.{name} in {source} must be a table", _PACKAGE_KEYS["path"])
    unknown = sorted(set(value) - set(_PACKAGE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {where}",
            "known keys of a package are: " + ", ".join(sorted(_PACKAGE_KEYS)),
        )
    if "path" not in value:
        raise ConfigError(f"{where} has no path", 'write e.g. path = "services/api"')
    path = _folder(value["path"], "path", where)
    depends_on = value.get("depends_on", [])
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise ConfigError(
            f"depends_on in {where} must be a list of strings", _PACKAGE_KEYS["depends_on"]
        )
    scopes = value.get("scopes", [])
    if not isinstance(scopes, list) or not all(_is_scope(s) for s in scopes):
        raise ConfigError(f"scopes in {where} must be a list of scopes", _PACKAGE_KEYS["scopes"])
    settings = dataclasses.replace(
        config,
        tag_format=parse_tag_format(value, where, _default_tag_format(name, where)),
        initial_version=parse_initial_version(value, where) or config.initial_version,
        major_on_zero=parse_flag(value, "major_on_zero", config.major_on_zero, where),
        minor_on_zero=parse_flag(value, "minor_on_zero", config.minor_on_zero, where),
        changelog=dataclasses.replace(config.changelog, file=_inside(path, config.changelog.file)),
        version_files=tuple(_inside(path, spec) for spec in parse_version_files(value, where)),
        images=_package_images(value["images"], path, where) if "images" in value else None,
        source=where,
    )
    return Package(
        name,
        path,
        settings,
        scopes=tuple(s.strip() for s in scopes),
        depends_on=tuple(_folder(d, "depends_on", where) for d in depends_on),
    )


def _is_scope(value: object) -> bool:
    """A commit scope: a one-line string, not blank, without parentheses."""
    text = value if isinstance(value, str) else ""
    return bool(text.strip()) and not any(c in text for c in "()") and not control_in(text)


def _default_tag_format(name: str, where: str) -> TagFormat:
    """``NAME-v{version}``, which the name must make a valid tag of."""
    try:
        return checked_tag_format(f"{name}-v{{version}}", where)
    except ConfigError as exc:
        raise ConfigError(
            f"the package name of {where} makes no valid default tag_format: {exc.message}",
            "set tag_format in the package's table, or rename the package",
        ) from None


def _package_images(table: object, path: str, where: str) -> ImagesConfig:
    images = parse_images(table, where)
    given = table if isinstance(table, Mapping) else {}
    return dataclasses.replace(
        images,
        context=_inside(path, images.context if "context" in given else "."),
        dockerfile=_inside(path, images.dockerfile),
        ca_file=_inside(path, images.ca_file) if images.ca_file else None,
    )


def _folder(value: object, key: str, where: str) -> str:
    """A folder inside the repository, as git names paths: relative, "/" separated."""
    text = value.strip() if isinstance(value, str) else ""
    parts = text.rstrip("/").split("/")
    if control_in(text) or not text or text.startswith("/") or ".." in parts or "" in parts:
        raise ConfigError(
            f"{key} in {where} must be a folder inside the repository, not {value!r}",
            'write it from the repository root with "/", e.g. "services/api" (or "." for the root)',
        )
    return "/".join(p for p in parts if p != ".") or "."


def _inside(folder: str, path: str) -> str:
    """``path`` (relative to the package's folder) from the repository root."""
    if path in (".", "./"):
        return folder
    return path if folder == "." else f"{folder}/{path}"
