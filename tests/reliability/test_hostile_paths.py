"""Paths a merged contribution controls: symlinks in the repository, and paths in the config.

The attacker can merge files, symlinks included; only the configuration and the environment
are trusted. Through the installed ``bot`` and a real ``file://`` remote: every file the
release reads or writes (version files, the changelog, templates and their includes) must be
a file of the work tree after following symlinks, or the run is refused before anything is
read, written, committed or pushed; a symlink inside the work tree is written through (the
link kept); a file that is not a regular file is never replaced.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from git_remote import released_v0_1_0

pytestmark = pytest.mark.timeout(120)

SECRET = "ghp_SECRETFROMOUTSIDETHEREPOSITORY0000"
_REGEX = 'regex:^version = "(?P<version>[^"]+)"'


@pytest.fixture
def project(make_repo: RepoFactory, tmp_path: Path) -> GitRepo:
    """v0.1.0 and a feature after it, on a file:// origin; a secret file outside the tree."""
    repo = released_v0_1_0(make_repo("app"))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(f'version = "0.1.0"\n{SECRET}\n')
    return repo


def _merge(repo: GitRepo, message: str, links: dict[str, str], files: dict[str, str]) -> None:
    """A merged contribution: ``links`` (path -> symlink target) and ``files``, pushed."""
    for path, target in links.items():
        (repo.path / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, repo.path / path)
    for path, text in files.items():
        (repo.path / path).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / path).write_text(text)
    repo.run("add", "--", *links, *files)
    repo.run("commit", "--quiet", "-m", message)
    repo.run("push", "--quiet", "origin", "main")


def _refused(result: CliResult, code: int, words: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert result.exit_code == code, result.stderr
    assert words in lines[0], result.stderr
    assert SECRET not in result.stdout + result.stderr


def _untouched(repo: GitRepo, outside: Path, before: str) -> None:
    """Nothing committed or pushed, and the file outside the work tree as it was."""
    assert repo.head() == before
    assert "v0.2.0" not in repo.run("ls-remote", "--tags", "origin")
    assert outside.read_text().endswith(f"{SECRET}\n")


def test_a_version_file_symlinked_out_of_the_tree_is_refused(
    project: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "secret.txt"
    _merge(
        project,
        "feat: a version file",
        {"version.toml": str(outside)},
        {"versionbot.toml": f"version_files = ['version.toml:{_REGEX}']\n"},
    )
    head = project.head()
    result = bot("-C", project.path, "release")
    _refused(result, 3, "version file version.toml leads out of the work tree")
    assert project.head() == head  # nothing committed
    _untouched(project, outside, head)


def test_a_symlinked_folder_out_of_the_tree_is_refused(
    project: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "secret.txt"
    _merge(
        project,
        "feat: a package folder",
        {"pkg": str(tmp_path / "outside")},
        {"versionbot.toml": f"version_files = ['pkg/secret.txt:{_REGEX}']\n"},
    )
    head = project.head()
    result = bot("-C", project.path, "release")
    _refused(result, 3, "leads out of the work tree")
    _untouched(project, outside, head)


def test_an_in_tree_symlinked_changelog_is_written_through_and_stays_a_link(
    project: GitRepo, bot: CliRunner
) -> None:
    _merge(
        project,
        "feat: the changelog lives in docs",
        {"CHANGELOG.md": "docs/CHANGELOG.md"},
        {"docs/CHANGELOG.md": "# Changelog\n\n<!-- versionbot: insert releases below -->\n"},
    )
    result = bot("-C", project.path, "release")
    assert result.exit_code == 0, result.stderr
    link = project.path / "CHANGELOG.md"
    assert link.is_symlink()
    assert os.readlink(link) == "docs/CHANGELOG.md"
    assert "## 0.2.0" in (project.path / "docs" / "CHANGELOG.md").read_text()
    assert project.run("show", "HEAD:CHANGELOG.md") == "docs/CHANGELOG.md"  # still a link in git


@pytest.mark.parametrize("absolute", [False, True])
def test_a_changelog_path_out_of_the_tree_is_refused(
    project: GitRepo, bot: CliRunner, tmp_path: Path, absolute: bool
) -> None:
    path = str(tmp_path / "x.md") if absolute else "../x.md"
    _merge(project, "chore: config", {}, {"versionbot.toml": f'[changelog]\nfile = "{path}"\n'})
    result = bot("-C", project.path, "changelog")
    _refused(result, 3, f"changelog {path} leads out of the work tree")
    assert not (tmp_path / "x.md").exists()
    assert not (project.path.parent / "x.md").exists()


def test_no_cache_of_compiled_templates_outside_the_repository(
    project: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    """Jinja's bytecode cache under ~/.cache was loaded as code by a later run on the same
    runner: a run with the repository's own templates now writes no cache anywhere."""
    home = tmp_path / "home"
    home.mkdir()
    _merge(
        project,
        "feat: our own notes",
        {},
        {
            "versionbot.toml": '[changelog]\ntemplates = "templates"\n',
            "templates/release-notes.md.j2": "{{ release.version }} notes\n",
        },
    )
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    for _ in range(2):
        result = bot("-C", project.path, "plan", env=env)
        assert result.exit_code == 0, result.stderr
    assert [p for p in home.rglob("*")] == []


def test_a_template_include_symlinked_out_of_the_tree_is_refused(
    project: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "secret.txt"
    _merge(
        project,
        "feat: our own notes",
        {"templates/leak.txt": str(outside)},
        {
            "versionbot.toml": '[changelog]\ntemplates = "templates"\n',
            "templates/CHANGELOG.md.j2": '{% include "leak.txt" %}\n',
            "templates/release-notes.md.j2": '{% include "leak.txt" %}\n',
        },
    )
    result = bot("-C", project.path, "plan")
    _refused(result, 3, "leads out of the work tree")


def test_a_config_target_that_is_not_a_regular_file_is_never_replaced(
    project: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    """``bot init --config`` naming a device or a pipe (``/dev/full`` in the report; a pipe
    here, so that a failing run cannot break the machine's devices) leaves it as it is."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = bot("-C", project.path, "init", "--config", str(pipe))
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert pipe.is_fifo()
