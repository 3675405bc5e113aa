"""Disk faults: a work tree the release cannot write, a full disk.

Running as root here, ``chmod`` does not stop a write and no read-only or size-limited mount
can be made, so: a "read-only" changelog is simulated by a folder where the release must create
a file (a path that is a directory cannot be replaced), and a full disk by ``RLIMIT_FSIZE`` in
the child that runs ``bot`` (writes past the limit fail with EFBIG even for root; SIGXFSZ is
ignored so the write fails instead of killing the process), which is what a full temporary
directory or work tree looks like to the bot: a failed write. Each gives two lines, error and
hint, exit 1; the old bytes stay, no temporary file is left, nothing is committed or pushed.
"""

from __future__ import annotations

import resource
import signal
import subprocess

import pytest

from conftest import GitRepo, RepoFactory, SealedEnv
from git_remote import Remote, bare_repo, seed_project

pytestmark = pytest.mark.timeout(60)

OLD_CHANGELOG = (
    "# Changelog\n\n<!-- versionbot: insert releases below -->\n\n## 0.0.9 (2023-12-01)\n\n"
    + "".join(f"- an old entry, number {n}, kept byte for byte\n" for n in range(400))
)


def _project(make_repo: RepoFactory) -> tuple[GitRepo, Remote]:
    repo = make_repo("app")
    remote_path = bare_repo(repo.path.parent / "origin.git")
    seed_project(repo, remote_path, remote_path.as_uri())
    repo.commit("docs: changelog", {"CHANGELOG.md": OLD_CHANGELOG})
    repo.run("push", "--quiet", "origin", "main")
    return repo, Remote(remote_path)


def _bot(
    sealed_env: SealedEnv, bot_executable: str, repo: GitRepo, *args: str, fsize: int | None = None
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = dict(sealed_env.variables) | {"TMPDIR": str(repo.path.parent / "tmp")}
    if not (repo.path.parent / "tmp").exists():
        (repo.path.parent / "tmp").mkdir()
    return subprocess.run(
        [bot_executable, "-C", str(repo.path), *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limit,
        check=False,
        timeout=60,
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("error: ")
    assert lines[1].startswith("hint: ")
    assert result.returncode == code, result.stderr
    return lines[0]


def _assert_untouched(repo: GitRepo, remote: Remote, before: str) -> None:
    assert remote.head() == before
    assert remote.tags() == ["v0.1.0"]
    assert repo.head() == before
    assert repo.run("tag", "--list").split() == ["v0.1.0"]
    leftovers = [p.name for p in repo.path.rglob(".*.versionbot-*")]
    assert leftovers == []


@pytest.mark.parametrize("command", [["release"], ["changelog"]])
def test_a_full_disk_leaves_every_file_as_it_was(
    make_repo: RepoFactory, sealed_env: SealedEnv, bot_executable: str, command: list[str]
) -> None:
    repo, remote = _project(make_repo)
    before = repo.head()
    files = {
        p: p.read_bytes() for p in repo.path.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    result = _bot(sealed_env, bot_executable, repo, *command, fsize=len(OLD_CHANGELOG) + 8)
    error = _assert_one_line_error(result, 1)
    assert "cannot write" in error
    assert "was not changed" in error
    # The changelog is its old bytes; a version file written before it is whole (old or new).
    assert (repo.path / "CHANGELOG.md").read_text() == OLD_CHANGELOG
    for path, data in files.items():
        now = path.read_bytes()
        assert now == data or now == data.replace(b"0.1.0", b"0.2.0"), path
    _assert_untouched(repo, remote, before)
    if command == ["release"]:
        # Nothing was half-done: with the disk back, the release goes through.
        done = _bot(sealed_env, bot_executable, repo, "release")
        assert done.returncode == 0, done.stderr
        assert remote.tags() == ["v0.1.0", "v0.2.0"]


def test_a_full_temporary_directory_is_not_needed(
    make_repo: RepoFactory, sealed_env: SealedEnv, bot_executable: str
) -> None:
    """TMPDIR full (a file where the folder should be): the bot writes next to its files."""
    repo, remote = _project(make_repo)
    (repo.path.parent / "tmp").write_text("not a folder\n")
    result = _bot(sealed_env, bot_executable, repo, "release")
    assert result.returncode == 0, result.stderr
    assert remote.tags() == ["v0.1.0", "v0.2.0"]


def test_a_changelog_that_cannot_be_written(
    make_repo: RepoFactory, sealed_env: SealedEnv, bot_executable: str
) -> None:
    repo, remote = _project(make_repo)
    before = repo.head()
    # The configured changelog lives in a folder the release cannot write: a file holds its name.
    pyproject = (repo.path / "pyproject.toml").read_text()
    moved = '\n[tool.versionbot.changelog]\nfile = "notes/CHANGELOG.md"\n'
    repo.commit(
        "chore: changelog elsewhere",
        {"notes": "a file, not a folder\n", "pyproject.toml": pyproject + moved},
    )
    repo.run("push", "--quiet", "origin", "main")
    before = repo.head()
    result = _bot(sealed_env, bot_executable, repo, "release")
    error = _assert_one_line_error(result, 1)
    assert "notes/CHANGELOG.md" in error
    assert (repo.path / "notes").read_text() == "a file, not a folder\n"
    _assert_untouched(repo, remote, before)
