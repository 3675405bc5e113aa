"""Version files on disk: read, write atomically, keep the mode and the bytes, fail cleanly.

Real files in ``tmp_path``; the byte-level edits themselves are covered by
tests/unit/test_version_files.py. A failed write is made real with a file-size limit
(``RLIMIT_FSIZE``), which refuses the new file's bytes even to root.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from versionbot.core.errors import ConfigError, FileWriteError, RepositoryError, VersionFileError
from versionbot.core.version_files import VersionFileSpec, parse_version_file_spec
from versionbot.files.version_files import (
    read_version,
    write_version,
    write_version_files,
    write_versions,
)

FILES = {
    "pyproject.toml": (
        b"[project]\r\nname = 'x'\r\nversion = '1.0.0'  # here\r\n",
        b"[project]\r\nname = 'x'\r\nversion = '1.1.0'  # here\r\n",
    ),
    "web/package.json": (
        b'{\n    "name": "web",\n    "version": "1.0.0",\n'
        b'    "dependencies": {"version": "1.0.0"}\n}',
        b'{\n    "name": "web",\n    "version": "1.1.0",\n'
        b'    "dependencies": {"version": "1.0.0"}\n}',
    ),
    "Cargo.toml": (
        b'[workspace.package]\nversion = "1.0.0"\n',
        b'[workspace.package]\nversion = "1.1.0"\n',
    ),
    # A Latin-1 byte that is not UTF-8 must come back as it was.
    "src/pkg/__init__.py:__version__": (
        b'# caf\xe9\n__version__ = "1.0.0"\n',
        b'# caf\xe9\n__version__ = "1.1.0"\n',
    ),
    "chart/Chart.yaml:regex:^version: (?P<version>.+)$": (
        b"name: x\r\nversion: 1.0.0\r\n",
        b"name: x\r\nversion: 1.1.0\r\n",
    ),
}


def _put(root: Path, spec: VersionFileSpec, data: bytes) -> Path:
    path = root / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("spec_text", "before", "after"), [(k, *v) for k, v in FILES.items()])
def test_write_reads_back_and_is_idempotent(
    tmp_path: Path, spec_text: str, before: bytes, after: bytes
) -> None:
    spec = parse_version_file_spec(spec_text)
    path = _put(tmp_path, spec, before)
    path.chmod(0o640)
    assert read_version(spec, tmp_path) == "1.0.0"

    update = write_version(spec, tmp_path, "1.1.0")
    assert (update.path, update.old_version, update.new_version, update.changed) == (
        path,
        "1.0.0",
        "1.1.0",
        True,
    )
    assert path.read_bytes() == after
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert read_version(spec, tmp_path) == "1.1.0"

    # Again: nothing to do, and the file is not even replaced.
    inode = path.stat().st_ino
    again = write_version(spec, tmp_path, "1.1.0")
    assert (again.old_version, again.changed) == ("1.1.0", False)
    assert path.stat().st_ino == inode
    assert path.read_bytes() == after
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_every_file_is_checked_before_the_first_is_written(tmp_path: Path) -> None:
    good = parse_version_file_spec("pyproject.toml")
    bad = parse_version_file_spec("src/pkg/__init__.py:__version__")
    _put(tmp_path, good, b'[project]\nversion = "1.0.0"\n')
    _put(tmp_path, bad, b"__version__ = get_version()\n")
    with pytest.raises(VersionFileError, match="assigns no quoted string to __version__"):
        write_versions([good, bad], tmp_path, "1.1.0")
    assert (tmp_path / "pyproject.toml").read_bytes() == b'[project]\nversion = "1.0.0"\n'


def test_two_specs_of_one_file_are_both_applied(tmp_path: Path) -> None:
    specs = [
        parse_version_file_spec("pyproject.toml"),
        parse_version_file_spec('pyproject.toml:regex:^release = "(?P<version>[^"]+)"'),
    ]
    path = _put(tmp_path, specs[0], b'[project]\nversion = "1.0.0"\n[tool.x]\nrelease = "1.0.0"\n')
    updates = write_versions(specs, tmp_path, "2.0.0")
    assert [u.changed for u in updates] == [True, True]
    assert path.read_bytes() == b'[project]\nversion = "2.0.0"\n[tool.x]\nrelease = "2.0.0"\n'


def test_write_version_files_takes_the_config_strings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "1.0.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "v.py").write_text('V = "1.1.0"\n')
    entries = ["pyproject.toml", "src/v.py:V", "pyproject.toml:regex:^(?P<version>)\\Z"]
    with pytest.raises(VersionFileError, match="its version group is empty"):
        write_version_files(tmp_path, entries, "1.1.0")
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nversion = "1.0.0"\n'
    assert write_version_files(tmp_path, entries[:2], "1.1.0") == ["pyproject.toml"]
    assert write_version_files(tmp_path, entries[:2], "1.1.0") == []
    with pytest.raises(ConfigError, match=r"^version_files: version file 'VERSION' is not one"):
        write_version_files(tmp_path, ["VERSION"], "1.1.0")


def test_a_missing_file_names_itself(tmp_path: Path) -> None:
    spec = parse_version_file_spec("web/package.json")
    for attempt in (
        lambda: read_version(spec, tmp_path),
        lambda: write_version(spec, tmp_path, "1"),
    ):
        with pytest.raises(VersionFileError) as caught:
            attempt()
        assert caught.value.message == "version file web/package.json does not exist"
        assert caught.value.hint == 'create it, or remove "web/package.json" from version_files'
    assert not (tmp_path / "web").exists()


def test_a_folder_is_not_a_version_file(tmp_path: Path) -> None:
    (tmp_path / "package.json").mkdir()
    # It exists: the error says what it is (issue 17: it used to say "does not exist").
    with pytest.raises(RepositoryError, match=r"version file package\.json is not a regular file"):
        read_version(parse_version_file_spec("package.json"), tmp_path)


@contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes fail with EFBIG (instead of killing the process)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    spec = parse_version_file_spec("src/pkg/__init__.py:__version__")
    old = b'__version__ = "1.0.0"\n'
    path = _put(tmp_path, spec, old)
    path.chmod(0o600)
    with _file_size_limit(len(old)), pytest.raises(FileWriteError) as caught:
        write_version(spec, tmp_path, "1.0.0-rc.1")
    assert "the file was not changed" in caught.value.message
    assert path.read_bytes() == old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == [path.name]  # the temporary file was removed
