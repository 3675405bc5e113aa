"""Acceptance: versionbot's bumps agree with real release history (``bench/corpus.py``).

Replays the release-decision corpus (2,724 releases of 13 projects, each project's release rules
mapped onto versionbot's config) through the public API and requires >= 98.5 % agreement on
main-line final releases whose record has no ``notes``. The corpus lives outside the repository at
``../shared/corpus/releases``; without it the test skips, unless ``VERSIONBOT_REQUIRE_CORPUS=1``,
which makes a missing corpus a failure so that a CI job meant to run the check never passes
silently. The script runs as a subprocess, exactly as a person runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "releases"
SCRIPT = ROOT / "bench" / "corpus.py"
MIN_RATE = 98.5


def _corpus_or_skip() -> Path:
    if CORPUS.is_dir() and any(CORPUS.glob("*.jsonl")):
        return CORPUS
    reason = f"release corpus not found: no *.jsonl in {CORPUS} (../shared/corpus/releases)"
    if os.environ.get("VERSIONBOT_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{reason}, and VERSIONBOT_REQUIRE_CORPUS=1 requires it")
    pytest.skip(f"{reason}; set VERSIONBOT_REQUIRE_CORPUS=1 to make this a failure")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """The JSON report of one run of bench/corpus.py over the corpus."""
    corpus = _corpus_or_skip()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--corpus", str(corpus), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 0: target met, 1: target missed (asserted below with the details); anything else is a crash.
    assert result.returncode in (0, 1), result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _listing(report: dict[str, Any], group: str) -> str:
    return "\n".join(
        f"{d['repo']} {d['prev_version']} -> {d['version']}: actual {d['actual']}, "
        f"predicted {d['predicted']} ({d['category']})"
        for d in report["disagreements"]
        if d["group"] == group
    )


def test_main_line_finals_agree_with_the_shipped_bump(report: dict[str, Any]) -> None:
    group = report["target"]["group"]
    tally = report["groups"][group]
    assert tally["total"] > 0, "the corpus has no main-line finals without notes"
    rate = 100.0 * tally["agree"] / tally["total"]
    assert rate >= MIN_RATE, (
        f"{group}: {tally['agree']}/{tally['total']} = {rate:.2f}% < {MIN_RATE}%; "
        f"disagreements:\n{_listing(report, group)}"
    )


def test_every_release_is_planned_without_an_error(report: dict[str, Any]) -> None:
    refused = [d for d in report["disagreements"] if str(d["predicted"]).startswith("error")]
    assert not refused, refused
