"""What ``bot init`` proposes: Settings (a key, its TOML value, the comment written above it and
where it came from), the Migrations of the peers' tables, and Notes on what did not carry over;
and the Translation each peer's translator (psr.py, commitizen.py, release_please.py) fills, with
the helpers they share.

Pure: no I/O.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from versionbot.core.bump import DEFAULT_TYPE_RULES
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError, VersionbotError
from versionbot.core.version_files import (
    VersionFileKind,
    VersionFileSpec,
    locate_versions,
    parse_version_file_spec,
)


@dataclass(frozen=True, slots=True)
class TomlTable:
    """A setting that is a table of its own (``[branches."release/*"]``, ``[packages.api]``),
    maybe empty."""

    items: tuple[tuple[str, str | bool | tuple[str, ...]], ...] = ()

    def plain(self) -> dict[str, Any]:
        """The table as TOML decodes it (lists for tuples)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.items}


# A TOML value bot init writes: a string, a flag, a list of strings, an inline table of strings,
# or a table of its own.
TomlValue = str | bool | tuple[str, ...] | tuple[tuple[str, str], ...] | TomlTable


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of the proposed config: its path (``("bump", "refactor")``), value, why, origin."""

    key: tuple[str, ...]
    value: TomlValue
    comment: str
    origin: str  # "detected", "default", PSR or CZ
    source_key: str = ""  # the peer's key it was translated from

    @property
    def dotted(self) -> str:
        """``changelog.file``: the key as the report and the notes name it."""
        return ".".join(self.key)


@dataclass(frozen=True, slots=True)
class Note:
    """A peer key that was not migrated, and why (what to do instead)."""

    tool: str
    key: str
    why: str

    def __str__(self) -> str:
        return f"{self.key} ({self.tool}) — {self.why}"


@dataclass(frozen=True, slots=True)
class Migration:
    """What one peer's table translates to."""

    tool: str
    where: str  # "pyproject.toml [tool.semantic_release]"
    settings: tuple[Setting, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """What ``bot init`` would write, and the report of how it got there."""

    settings: tuple[Setting, ...]
    detected: tuple[str, ...]  # one line per finding
    migrated_from: tuple[Migration, ...]
    not_migrated: tuple[Note, ...]
    advice: tuple[str, ...]  # what to do by hand (the changelog marker, ...)
    changelog_file: str
    suggestions: tuple[str, ...] = ()  # version files found but not configured by a peer


@dataclass
class Translation:
    """Collects one translation's settings and notes."""

    tool: str
    settings: list[Setting] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def set(
        self, key: str | tuple[str, ...], value: TomlValue, comment: str, source_key: str
    ) -> None:
        """Propose ``key`` = ``value``, translated from ``source_key``, with ``comment`` above it.
        ``key`` is dotted (``changelog.file``), or its parts when one may hold a dot (``1.x``)."""
        path = tuple(key.split(".")) if isinstance(key, str) else key
        problem = _refused(path, value)
        if problem is not None:  # the loader would refuse the proposal: leave the key out
            self.skip(source_key or ".".join(path), problem)
            return
        self.settings.append(Setting(path, value, comment, self.tool, source_key))

    def skip(self, key: str, why: str) -> None:
        """Note that the peer's ``key`` does not carry over, and why."""
        self.notes.append(Note(self.tool, key, why))


def _refused(path: tuple[str, ...], value: TomlValue) -> str | None:
    """What the configuration loader says of ``path`` = ``value`` alone, None if it takes it:
    a peer's value can hold what versionbot refuses (a tag git refuses, a control character)."""
    table: dict[str, Any] = {path[-1]: _plain(value)}
    for part in reversed(path[:-1]):
        table = {part: table}
    try:
        config_from_mapping(table, "the peer's setting")
    except ConfigError as exc:
        return exc.message
    return None


def _plain(value: TomlValue) -> object:
    """``value`` as TOML decodes it: tables as dicts, arrays as lists."""
    if isinstance(value, TomlTable):
        return value.plain()
    if isinstance(value, tuple):
        pairs = [item for item in value if isinstance(item, tuple)]
        return dict(pairs) if pairs else list(value)
    return value


def peer_document(name: str, text: str | None) -> Mapping[str, Any] | None:
    """A peer's config file ``name`` decoded (JSON or TOML); None when it is absent or does not
    decode: it is not ours to judge, and the peer would refuse it too."""
    if text is None:
        return None
    try:
        loaded = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError, RecursionError):
        return None
    return loaded if isinstance(loaded, Mapping) else None


def bump_differences(rules: Mapping[str, str], out: Translation, where: str) -> None:
    """Write the rules that differ from versionbot's defaults (every other type asks for none)."""
    ours = {kind: bump.label for kind, bump in DEFAULT_TYPE_RULES.items()}
    for kind in dict.fromkeys([*ours, *rules]):
        theirs = rules.get(kind, "none")
        if theirs != ours.get(kind, "none") and re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
            out.set(f"bump.{kind}", theirs, f"{where}: {kind} asks for {theirs}", "")


def checked_spec(spec: str) -> tuple[str | None, str]:
    """``(spec, "")`` when versionbot can write the version file ``spec``, else ``(None, why)``."""
    try:
        parse_version_file_spec(spec)
    except ValueError as exc:
        return None, str(exc)
    return spec, ""


def relative_path(path: str) -> str:
    """A peer's path as versionbot writes paths: from the repository root, no leading ``./``."""
    return path.strip().removeprefix("./")


def writable_version_files(
    chosen: Sequence[str], files: Mapping[str, str], notes: list[Note]
) -> list[str]:
    """Those of ``chosen`` that hold a version versionbot can write (``bot release`` would stop
    on any other); a requirement pin (``NAME==1.2.3``, as in requirements.txt) is read by a
    pattern, since versionbot's ``NAME`` form reads ``NAME = "1.2.3"``."""
    kept: list[str] = []
    for text in chosen:
        spec = parse_version_file_spec(text)
        content = files.get(spec.path)
        if content is None:  # not read (absent: bot release says so, naming the setting)
            kept.append(text)
            continue
        try:
            locate_versions(spec, content)
            kept.append(text)
            continue
        except VersionbotError:
            pinned = _requirement_pin(spec, content)
        if pinned is None:
            why = "holds no version versionbot can write: left out (bot release would stop)"
            notes.append(Note("bot init", text, why))
        else:
            notes.append(Note("bot init", text, f"a requirement pin: written as {pinned}"))
            kept.append(pinned)
    return kept


def _requirement_pin(spec: VersionFileSpec, content: str) -> str | None:
    """The version file spec that reads ``NAME==X.Y.Z`` for a NAME spec, when ``content`` has
    exactly one such line; else None."""
    if spec.kind is not VersionFileKind.NAME:
        return None
    pinned = rf"{spec.path}:regex:^{re.escape(spec.pattern)}[ \t]*==[ \t]*(?P<version>[^\s;#]+)"
    try:
        locate_versions(parse_version_file_spec(pinned), content)
    except (VersionbotError, ValueError):
        return None
    return pinned
