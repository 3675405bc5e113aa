"""The built distributions work outside the source tree: the wheel carries the templates.

Builds the sdist and the wheel (``python -m build``: the wheel is built from the sdist, so the
sdist must carry everything too), installs each into a fresh virtual environment in a temporary
folder (dependencies from the package index, as a user gets them), and runs that environment's
``bot`` in a repository outside this checkout. Takes about 10 seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import GitRepo, SealedEnv

CHECKOUT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.name for p in (CHECKOUT / "templates").glob("*.j2"))


@dataclass(frozen=True)
class Distributions:
    wheel: Path
    sdist: Path


def _run(command: list[str], env: Mapping[str, str], cwd: Path, timeout: int = 120) -> str:
    result = subprocess.run(
        command, capture_output=True, env=dict(env), cwd=cwd, check=False, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({result.returncode}):\n"
            + result.stdout.decode("utf-8", "replace")
            + result.stderr.decode("utf-8", "replace")
        )
    return result.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def host_env() -> dict[str, str]:
    """The environment pip and build run with: the host's (its index, proxy and cache settings),
    taken before any test seals ``os.environ`` (module fixtures are set up first)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}


@pytest.fixture(scope="module")
def distributions(
    tmp_path_factory: pytest.TempPathFactory, host_env: dict[str, str]
) -> Distributions:
    """The sdist and the wheel of this checkout, built once for the module."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(CHECKOUT)], host_env, out)
    wheels = list(out.glob("versionbot-*.whl"))
    sdists = list(out.glob("versionbot-*.tar.gz"))
    assert len(wheels) == 1, wheels
    assert len(sdists) == 1, sdists
    return Distributions(wheels[0], sdists[0])


def _install(artifact: Path, folder: Path, env: Mapping[str, str]) -> Path:
    """A fresh virtual environment in ``folder`` with ``artifact`` installed; its bin folder."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)], env, folder.parent)
    python = folder / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    _run([*pip, str(artifact)], env, folder.parent, timeout=180)
    return folder / "bin"


@pytest.fixture(scope="module")
def installed(
    distributions: Distributions,
    tmp_path_factory: pytest.TempPathFactory,
    host_env: dict[str, str],
) -> dict[str, Path]:
    """``{"wheel": bin folder, "sdist": bin folder}`` of two fresh environments."""
    root = tmp_path_factory.mktemp("venvs")
    return {
        "wheel": _install(distributions.wheel, root / "from-wheel", host_env),
        "sdist": _install(distributions.sdist, root / "from-sdist", host_env),
    }


def test_the_wheel_carries_the_templates_inside_the_package(distributions: Distributions) -> None:
    with zipfile.ZipFile(distributions.wheel) as wheel:
        names = set(wheel.namelist())

    assert {f"versionbot/templates/{name}" for name in TEMPLATES} <= names
    assert "versionbot/py.typed" in names
    assert not any(name.startswith("templates/") for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(distributions.wheel) as wheel:
        scripts = wheel.read(entry_points).decode()
    assert "bot = versionbot.cli.main:main" in scripts


def test_the_sdist_carries_the_templates(distributions: Distributions) -> None:
    with tarfile.open(distributions.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}

    assert {f"templates/{name}" for name in TEMPLATES} <= names
    assert "pyproject.toml" in names


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_installed_bot_writes_a_changelog_outside_the_checkout(
    kind: str, installed: dict[str, Path], repo: GitRepo, sealed_env: SealedEnv
) -> None:
    assert CHECKOUT not in repo.path.parents
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("fix: second\n\nCloses #2\n")
    repo.tag("v1.0.1")
    bin_folder = installed[kind]
    env = dict(sealed_env.variables)

    found = _run(
        [
            str(bin_folder / "python"),
            "-c",
            "import versionbot.files.render as r; print(r.builtin_templates())",
        ],
        env,
        repo.path,
    )
    printed = _run([str(bin_folder / "bot"), "changelog", "--stdout"], env, repo.path)
    plan = _run([str(bin_folder / "bot"), "plan"], env, repo.path)

    # The installed package's own templates, not this checkout's top-level folder.
    templates = Path(found.strip())
    assert bin_folder.parent in templates.parents
    assert sorted(p.name for p in templates.glob("*.j2")) == TEMPLATES
    lines = printed.splitlines()
    assert lines[0] == "# Changelog"
    assert "<!-- versionbot: insert releases below -->" in lines
    assert "## [1.0.1](https://github.com/acme/app/compare/v1.0.0...v1.0.1) (2024-01-01)" in lines
    assert "### Bug fixes" in lines
    assert "closes [#2](https://github.com/acme/app/issues/2)" in printed
    assert "next       no release" in plan
