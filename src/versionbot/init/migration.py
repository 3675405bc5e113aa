"""What a migration produces, and the helpers the translations of both peers share.

Pure: no I/O. A Migration is one peer table's translation: Settings (each key with its value,
the comment ``bot init`` writes above it, and where it came from) and Notes (a peer key that
does not carry over, and why). Translation collects them while a translator walks the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from versionbot.core.bump import DEFAULT_TYPE_RULES
from versionbot.core.version_files import parse_version_file_spec
from versionbot.init.toml_values import TomlValue


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


@dataclass
class Translation:
    """Collects one translation's settings and notes."""

    tool: str
    settings: list[Setting] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def set(self, key: str, value: TomlValue, comment: str, source_key: str) -> None:
        """Propose ``key`` (dotted: ``changelog.file``) = ``value``, translated from
        ``source_key``, with ``comment`` above it."""
        self.settings.append(Setting(tuple(key.split(".")), value, comment, self.tool, source_key))

    def set_path(
        self, key: tuple[str, ...], value: TomlValue, comment: str, source_key: str
    ) -> None:
        """Like ``set``, for a key whose parts may hold dots (a branch named ``1.x``)."""
        self.settings.append(Setting(key, value, comment, self.tool, source_key))

    def skip(self, key: str, why: str) -> None:
        """Note that the peer's ``key`` does not carry over, and why."""
        self.notes.append(Note(self.tool, key, why))


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
