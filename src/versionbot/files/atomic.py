"""Edge: reading and writing the repository's text files without ever leaving half a file.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over the
target: an interrupted run leaves the old file or the new one, never a mix. The file's mode is
kept. A run killed before its rename (SIGKILL: no cleanup) leaves its temporary file
(``.NAME.versionbot-*.tmp``); the next write of the same file removes it.
Text is UTF-8; bytes that are not are kept as they were (surrogateescape).
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from pathlib import Path

from versionbot.core.errors import FileWriteError


def read_text(path: Path) -> str:
    """The file's text, line endings as they are."""
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise FileWriteError(f"cannot read {path}: {exc.strerror}", "check the file") from None


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (temporary file, fsync, rename)."""
    data = text.encode("utf-8", "surrogateescape")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode()
        _remove_leftovers(path)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=_temporary_prefix(path), suffix=_TEMPORARY_SUFFIX
        )
    except OSError as exc:
        raise FileWriteError(
            f"cannot write {path}: {exc.strerror}", "check that the folder is writable"
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise FileWriteError(
            f"cannot write {path}: {exc.strerror}; the file was not changed",
            "check the disk space and the folder's permissions",
        ) from None


_TEMPORARY_SUFFIX = ".tmp"


def _temporary_prefix(path: Path) -> str:
    # Specific enough that no editor's or person's file matches it (``.NAME.swp`` does not).
    return f".{path.name}.versionbot-"


def _remove_leftovers(path: Path) -> None:
    """The temporary files of killed runs that wrote ``path``."""
    for leftover in path.parent.glob(f"{glob.escape(_temporary_prefix(path))}*{_TEMPORARY_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _new_file_mode() -> int:
    # mkstemp makes 0600 files; a new file should get the mode any editor would give it.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
