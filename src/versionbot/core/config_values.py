"""The configuration's shared readers: values that several tables hold, and every top-level key's
hint.

Pure: no I/O. Each reader takes the table (a mapping as TOML decodes it) and ``source`` (where it
came from, for messages) and returns the checked value, or raises ConfigError naming the key and
the file with a hint. ``TOP_LEVEL_KEYS`` is the schema of ``[tool.versionbot]``: its keys, each
with the hint its errors give.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.version import InvalidVersion, Version

TOP_LEVEL_KEYS = {
    "tag_format": "a string with '{version}', e.g. \"v{version}\"",
    "initial_version": 'a final SemVer version, e.g. "0.1.0"',
    "major_on_zero": "true or false",
    "squash_commits": "true or false",
    "ignore_merge_commits": "true or false",
    "fetch_unshallow": "true or false",
    "bump": 'a table of type or "type(scope)" = "major" | "minor" | "patch" | "none"',
    "changelog": "a table with file, sections, templates, forge",
    "images": "a table with names, source, platforms, tags, builder, ...",
    "branches": "a table of release branches, e.g. [branches.main], [branches.next] with "
    'prerelease = "rc", [branches."1.x"] with maintenance = true (glob patterns allowed)',
    "version_files": 'e.g. ["pyproject.toml", "src/app/__init__.py:__version__"]',
    "commit_message": 'the release commit\'s subject, e.g. "chore(release): {version} [skip ci]"',
    "committer": "a table with name and email of the release commit's author and committer",
    "sign_tags": "true to make signed tags (git tag -s)",
    "remote": 'the git remote to push to, e.g. "origin"',
    "check": "a table with types, scopes, max_subject_length, subject_period, allow_fixup",
    "mode": '"direct" (commit, tag and push the release) or "pr" (a release pull request)',
    "pr_branch": 'the branch the release pull request comes from, e.g. "versionbot/release"',
    "packages": 'a table per package of a monorepo, e.g. [packages.api] with path = "services/api"',
}


def parse_flag(mapping: Mapping[str, Any], key: str, default: bool, source: str) -> bool:
    """``mapping[key]``, true or false (``default`` when it is not set)."""
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{key} in {source} must be true or false, not {value!r}",
            f"write {key} = true or {key} = false",
        )
    return value


def parse_table(
    value: object, name: str, known: Mapping[str, str], source: str
) -> Mapping[str, Any]:
    """``value`` as the table ``[name]``: a table, holding only keys of ``known``."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} in {source} must be a table", TOP_LEVEL_KEYS[name])
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key '{name}.{unknown[0]}' in {source}",
            f"known keys of [{name}] are: " + ", ".join(sorted(known)),
        )
    return value


def parse_version_files(mapping: Mapping[str, Any], source: str) -> tuple[str, ...]:
    """``version_files``: specs that files/version_files.py knows how to write."""
    specs = mapping.get("version_files", [])
    if not isinstance(specs, list) or not all(isinstance(v, str) and v.strip() for v in specs):
        raise ConfigError(
            f"version_files in {source} must be a list of strings", TOP_LEVEL_KEYS["version_files"]
        )
    if not specs:
        return ()
    from versionbot.core.version_files import parse_version_file_spec  # tomlkit: only when needed

    for spec in specs:
        try:
            parse_version_file_spec(spec)
        except ValueError as exc:
            raise ConfigError(
                f"version_files in {source}: {spec!r}: {exc}", TOP_LEVEL_KEYS["version_files"]
            ) from None
    return tuple(specs)


def parse_tag_format(mapping: Mapping[str, Any], source: str) -> TagFormat | None:
    """``tag_format``, or None when it is not set (the caller knows the default)."""
    if "tag_format" not in mapping:
        return None
    value = mapping["tag_format"]
    try:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        return TagFormat(value)
    except ValueError as exc:
        raise ConfigError(
            f"tag_format in {source} {exc}: {value!r}", 'write e.g. tag_format = "v{version}"'
        ) from None


def parse_initial_version(mapping: Mapping[str, Any], source: str) -> Version | None:
    """``initial_version``: a final version above 0.0.0, or None when it is not set."""
    if "initial_version" not in mapping:
        return None
    value = mapping["initial_version"]
    try:
        version = Version.parse(value) if isinstance(value, str) else None
    except InvalidVersion:
        version = None
    if version is None or version.is_prerelease or version.build or version == Version(0, 0, 0):
        raise ConfigError(
            f"initial_version in {source} must be a final SemVer version above 0.0.0, "
            f"not {value!r}",
            'write e.g. initial_version = "0.1.0"',
        )
    return version


_Choice = TypeVar("_Choice", bound=str)


def parse_choice(
    value: object, choices: tuple[_Choice, ...], key: str, source: str, hint: str
) -> _Choice:
    """``value`` if it is one of ``choices`` (the values of a Literal type), else ConfigError."""
    for choice in choices:
        if value == choice:
            return choice
    raise ConfigError(f"{key} in {source} must be one of {', '.join(choices)}; not {value!r}", hint)
