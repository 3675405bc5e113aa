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
import stat
import tempfile
from pathlib import Path

from versionbot.core.errors import FileWriteError, RepositoryError


def in_work_tree(root: Path, relative: str | Path, what: str) -> Path:
    """The file ``relative`` names under the work tree ``root``, every symlink followed: the
    path to read and to write (an in-tree symlink's target, so that a write keeps the link).

    Whoever merges a pull request controls the repository's files, symlinks included: a
    version file or changelog that leads out of the work tree (``/proc/self/environ``, a
    runner's file) or into ``.git`` is refused before anything is read or written, and so is
    one that exists but is not a regular file.
    """
    base = root.resolve()
    try:
        target = (root / relative).resolve()
    except (RuntimeError, OSError):  # a symlink loop: RuntimeError before Python 3.13
        raise RepositoryError(
            f"{what} {relative} is a symlink loop",
            "replace the symlink with the file it stands for",
        ) from None
    inside = target.is_relative_to(base) and ".git" not in target.relative_to(base).parts[:1]
    if not inside:
        raise RepositoryError(
            f"{what} {relative} leads out of the work tree (to {target})",
            "a file the release reads or writes must be a file of the repository; replace the "
            "symlink or fix the path in the configuration",
        )
    if target.exists() and not target.is_file():
        raise RepositoryError(
            f"{what} {relative} is not a regular file: it is {_kind(target)}",
            "point the configuration at a regular file of the repository",
        )
    return target


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def _kind(path: Path) -> str:
    """What a path that is not a regular file is, for a message."""
    mode = path.stat().st_mode
    return next((name for test, name in _KINDS if test(mode)), "a device")


def read_text(path: Path) -> str:
    """The file's text, line endings as they are."""
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise FileWriteError(f"cannot read {path}: {exc.strerror}", "check the file") from None


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (temporary file, fsync, rename). A symlink is
    followed (its target is replaced, the link kept); a path that exists but is not a regular
    file (a device, a folder) is never replaced."""
    data = text.encode("utf-8", "surrogateescape")
    path = path.resolve() if path.is_symlink() else path
    if path.exists() and not path.is_file():
        raise FileWriteError(
            f"cannot write {path}: it is not a regular file", "give the path of a regular file"
        )
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
