"""Version files on disk: read the version a project's files declare, and write a new one.

Edge: the thin I/O around core/version_files.py (the spec syntax and the edit, text in, text
out). Reads through ``atomic.read_text`` and writes through ``atomic.write_atomically``; it must
not run git or print. Every file is checked before the first is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.errors import ConfigError, VersionFileError
from versionbot.core.version_files import (
    VersionFileSpec,
    VersionSite,
    agreed_version,
    check_writable,
    current_version,
    locate_versions,
    parse_version_file_spec,
    splice_version,
)
from versionbot.files.atomic import in_work_tree, read_text, write_atomically


@dataclass(frozen=True, slots=True)
class VersionFileUpdate:
    """What writing one version file did (or, unchanged, found already done)."""

    spec: VersionFileSpec
    path: Path
    old_version: str
    new_version: str
    changed: bool
    sites: tuple[VersionSite, ...]


def read_version(spec: VersionFileSpec, root: Path) -> str:
    """The version the file ``spec.path`` (under ``root``) declares."""
    return current_version(spec, _read(spec, root))


def write_version(spec: VersionFileSpec, root: Path, version: str) -> VersionFileUpdate:
    """Set the version in one file, atomically; unchanged (and not rewritten) if already set."""
    return write_versions((spec,), root, version)[0]


def write_versions(
    specs: Iterable[VersionFileSpec], root: Path, version: str
) -> tuple[VersionFileUpdate, ...]:
    """Set the version in every file; every file is checked before the first is written.

    Specs naming the same file are applied one after the other to its text, which is then
    written once.
    """
    check_writable(version)
    texts: dict[Path, str] = {}
    originals: dict[Path, str] = {}
    updates: list[VersionFileUpdate] = []
    for spec in specs:
        path = in_work_tree(root, spec.path, "version file")
        if path not in texts:
            originals[path] = texts[path] = _read(spec, root)
        before = texts[path]
        sites = locate_versions(spec, before)
        old = agreed_version(spec, sites)
        texts[path] = before if old == version else splice_version(before, sites, version)
        updates.append(VersionFileUpdate(spec, path, old, version, texts[path] != before, sites))
    for path, text in texts.items():
        if text != originals[path]:
            write_atomically(path, text)
    return tuple(updates)


def write_version_files(root: Path, specs: Iterable[str], version: str) -> list[str]:
    """Parse the ``version_files`` entries and set ``version`` in each; the paths that changed.

    A bad entry is a ConfigError (the config loader should have caught it already).
    """
    parsed: list[VersionFileSpec] = []
    for text in specs:
        try:
            parsed.append(parse_version_file_spec(text))
        except ValueError as exc:
            raise ConfigError(
                f"version_files: {exc}", "fix the entry in version_files, then run again"
            ) from None
    base = root.resolve()
    changed = (  # the files written: an in-tree symlink's target
        update.path.relative_to(base).as_posix()
        for update in write_versions(parsed, root, version)
        if update.changed
    )
    return list(dict.fromkeys(changed))


def _read(spec: VersionFileSpec, root: Path) -> str:
    path = in_work_tree(root, spec.path, "version file")
    if not path.is_file():
        raise VersionFileError(
            f"version file {spec.path} does not exist",
            f'create it, or remove "{spec}" from version_files',
        )
    return read_text(path)
