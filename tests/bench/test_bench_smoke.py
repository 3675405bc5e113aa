"""``bench/run.py --smoke`` runs: both benchmarks, with or without the peers installed.

The smoke run measures nothing worth asserting (one run of each tool on small repositories, on a
machine shared with the rest of the suite), so this checks only that it exits 0 and that its
report has the bot's rows: ``bot plan --json``, ``bot changelog --full --stdout`` with one
release heading per release tag, and the startup commands. Peers that are not installed (as in
CI) are reported as such, and do not fail the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(60)
def test_smoke_run_reports_the_bot_rows() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=55,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    assert "### Planning the next release" in report
    assert "### Full changelog" in report
    assert re.search(r"^\| bot plan --json \| 200 \| \d+\.\d+ \|.*\(reference\) \|$", report, re.M)
    # 500 commits with a tag every 100, then v1.0.0: six releases, each with its heading.
    changelog_row = r"^\| bot changelog --full --stdout \| 500 \| \d+\.\d+ \|.*\| yes \(6\) \|$"
    assert re.search(changelog_row, report, re.M), report
    for command in ("bot --version", "bot plan"):
        assert re.search(rf"^\| {command} \| \d+\.\d+ \|", report, re.M), report


@pytest.mark.timeout(60)
def test_smoke_compare_reports_both_bots_side_by_side() -> None:
    # The installed bot against itself: the gate's table, with the same output on both sides.
    bot = Path(sys.executable).parent / "bot"
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--smoke", "--base-bot", str(bot)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=55,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    assert report.startswith(f"### This bot against {bot}, side by side")
    for command, commits in (
        (r"bot plan --json \(one package\)", "300"),
        (r"bot plan --json \(5 packages\)", "300"),
        ("bot --version", "10"),
    ):
        row = rf"^\| {command} \| {commits} \| \d+\.\d+ \| \d+\.\d+ \| \d+\.\d+ \|.*\| yes \|$"
        assert re.search(row, report, re.M), report
