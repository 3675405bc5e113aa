"""Workflows and action.yml pass actionlint and zizmor, and keep `${{ }}` out of `run:`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found is not None, f"{name} is not installed (pip install -e '.[test]')"
    return found


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "release.yml"}


def test_actionlint() -> None:
    result = subprocess.run(
        [_tool("actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_has_no_findings() -> None:
    targets = [str(ROOT / ".github" / "workflows"), str(ROOT / "action.yml")]
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", *targets],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_no_expression_inside_run(path: Path) -> None:
    # Untrusted `${{ }}` inside a shell script is the classic injection; values go through env.
    text = path.read_text()
    runs = re.findall(r"^(\s*)run: \|\n((?:\1\s+.*\n?)*)|^\s*run: (.*)$", text, re.MULTILINE)
    scripts = [block or line for _, block, line in runs]
    assert scripts, "no run: steps found"
    for script in scripts:
        assert "${{" not in script, script
