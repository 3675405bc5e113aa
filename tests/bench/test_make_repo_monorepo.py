"""``bench/make_repo.py --packages``: the synthetic monorepo the monorepo benchmark plans.

A small monorepo (5 packages, 200 commits) is generated through the script's command line, in a
git environment of its own, and read back with ``git``: its folders, the configuration of the
first commit, one ``pkgNN-v1.0.0`` tag per package on that commit, the same HEAD for the same
seed, and commits whose changed paths spread over the packages, ``libs/common`` and the root.
The single-package repository (``--packages 0``, the default) keeps its SHAs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "make_repo.py"
PACKAGES = 5
COMMITS = 200
NAMES = [f"pkg0{n}" for n in range(1, PACKAGES + 1)]
# HEAD of `make_repo.py --commits 10` (seed 42), as cached in bench/.cache/repo-10-s42 before the
# monorepo mode existed: the single-package output must not change.
SINGLE_10_HEAD = "18f09bc435b326e88e0e1b3015a0e9333f6be2a4"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No user or system git configuration."""
    home = tmp_path_factory.mktemp("home")
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LANG": "C.UTF-8",
    }


def generate(out: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def mono(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    out = tmp_path_factory.mktemp("mono") / "repo"
    done = generate(out, env, "--commits", str(COMMITS), "--packages", str(PACKAGES))
    assert done.returncode == 0, done.stderr
    return out


def test_folders_of_the_packages_and_the_shared_library(mono: Path, env: dict[str, str]) -> None:
    packages = git(mono, env, "ls-tree", "-d", "--name-only", "HEAD", "packages/").split()
    assert packages == [f"packages/{name}" for name in NAMES]
    libs = git(mono, env, "ls-tree", "-d", "--name-only", "HEAD", "libs/").split()
    assert libs == ["libs/common"]
    for name in NAMES:
        files = git(mono, env, "ls-tree", "-r", "--name-only", "HEAD", f"packages/{name}").split()
        assert f"packages/{name}/pyproject.toml" in files
        assert any(f.startswith(f"packages/{name}/src/") for f in files)
    assert git(mono, env, "status", "--porcelain") == ""


def test_every_package_is_tagged_on_the_first_commit(mono: Path, env: dict[str, str]) -> None:
    first = git(mono, env, "rev-list", "--max-parents=0", "HEAD").split()
    assert len(first) == 1
    assert git(mono, env, "tag", "--list").split() == [f"{name}-v1.0.0" for name in NAMES]
    for name in NAMES:
        assert git(mono, env, "rev-parse", f"{name}-v1.0.0^{{commit}}").strip() == first[0]
        # Annotated, as a release tag is.
        assert git(mono, env, "cat-file", "-t", f"{name}-v1.0.0").strip() == "tag"
    window = git(mono, env, "rev-list", "--count", "pkg01-v1.0.0..HEAD").strip()
    assert window == str(COMMITS)


def test_the_first_commit_holds_the_configuration(mono: Path, env: dict[str, str]) -> None:
    config = tomllib.loads(git(mono, env, "show", "pkg01-v1.0.0:pyproject.toml"))
    packages = config["tool"]["versionbot"]["packages"]
    assert list(packages) == NAMES
    for name, table in packages.items():
        assert table["path"] == f"packages/{name}"
        assert table["tag_format"] == f"{name}-v{{version}}"
        assert set(table) <= {"path", "tag_format", "scopes", "depends_on"}
    assert packages["pkg01"]["scopes"] == ["pkg01"]
    assert packages["pkg01"]["depends_on"] == ["libs/common"]
    assert "depends_on" not in packages["pkg02"]
    # The configuration does not change in the window: every package's is the first commit's.
    assert git(mono, env, "log", "--format=%H", "pkg01-v1.0.0..HEAD", "--", "pyproject.toml") == ""


def test_a_handful_of_fifty_packages_have_scopes_and_depend_on_the_library(
    tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "fifty"
    assert generate(out, env, "--commits", "0", "--packages", "50").returncode == 0
    packages = tomllib.loads((out / "pyproject.toml").read_text())["tool"]["versionbot"]["packages"]
    assert len(packages) == 50
    assert list(packages)[-1] == "pkg50"
    dependent = [name for name, table in packages.items() if "depends_on" in table]
    scoped = [name for name, table in packages.items() if "scopes" in table]
    assert dependent == ["pkg01", "pkg11", "pkg21", "pkg31", "pkg41"]
    assert set(dependent) < set(scoped)
    assert len(scoped) == 10


def test_the_same_seed_gives_the_same_head(mono: Path, tmp_path: Path, env: dict[str, str]) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    args = ("--commits", str(COMMITS), "--packages", str(PACKAGES))
    assert generate(again, env, *args).returncode == 0
    assert generate(other, env, *args, "--seed", "7").returncode == 0
    head = git(mono, env, "rev-parse", "HEAD")
    assert git(again, env, "rev-parse", "HEAD") == head
    assert git(other, env, "rev-parse", "HEAD") != head


def test_commits_change_the_packages_the_library_and_the_root(
    mono: Path, env: dict[str, str]
) -> None:
    log = git(mono, env, "log", "--format=%x00%H", "--name-only", "pkg01-v1.0.0..HEAD")
    commits = [chunk.split() for chunk in log.split("\0") if chunk.strip()]
    assert len(commits) == COMMITS
    kinds: Counter[str] = Counter()
    touched: Counter[str] = Counter()
    for _sha, *paths in commits:
        assert paths, "every commit changes a file"
        names = {p.split("/")[1] for p in paths if p.startswith("packages/")}
        touched.update(names)
        if names:
            assert all(p.startswith("packages/") for p in paths)
            kinds["one package" if len(names) == 1 else "several packages"] += 1
        elif all(p.startswith("libs/common/") for p in paths):
            kinds["libs/common"] += 1
        else:
            assert all("/" not in p or p.startswith(".github/") for p in paths), paths
            kinds["root only"] += 1
    assert set(touched) == set(NAMES)
    assert kinds["one package"] > 0.7 * COMMITS
    assert kinds["several packages"] > 0
    assert kinds["libs/common"] > 0
    assert kinds["root only"] > 0


def test_the_messages_are_the_single_package_ones_but_for_some_scopes(
    mono: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    single = tmp_path / "single"
    assert generate(single, env, "--commits", str(COMMITS)).returncode == 0
    window = ("log", "--format=%s", "--reverse")
    mono_subjects = git(mono, env, *window, "pkg01-v1.0.0..HEAD").splitlines()
    single_subjects = git(single, env, *window, "v1.0.0..HEAD").splitlines()
    assert len(mono_subjects) == len(single_subjects) == COMMITS
    renamed = 0
    for ours, theirs in zip(mono_subjects, single_subjects, strict=True):
        if ours != theirs:
            renamed += 1
            unscoped = re.sub(r"^(\w+)\(\w+\)", r"\1", theirs)
            assert re.sub(r"^(\w+)\(pkg0\d\)", r"\1", ours) == unscoped
    assert 0 < renamed < 0.3 * COMMITS


def test_the_single_package_repository_is_unchanged(tmp_path: Path, env: dict[str, str]) -> None:
    out = tmp_path / "single"
    assert generate(out, env, "--commits", "10").returncode == 0
    assert git(out, env, "rev-parse", "HEAD").strip() == SINGLE_10_HEAD
    stamp = (out / ".git" / ".bench-stamp").read_text()
    assert "packages" not in stamp


def test_a_monorepo_has_no_tagged_past(tmp_path: Path, env: dict[str, str]) -> None:
    done = generate(tmp_path / "r", env, "--commits", "5", "--packages", "3", "--history", "10")
    assert done.returncode == 2
    assert "monorepo" in done.stderr
