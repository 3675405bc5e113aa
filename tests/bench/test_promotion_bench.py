"""``bench/promotion.py`` runs, and what it counts holds what must hold.

One run with a small image (a 2 MB layer shared by both platforms, 1 MB per platform, a 16 KB
SBOM), against real distribution registries with token auth behind the bench's counting
proxies (token fetches included), with the real
``bot images push`` and, where it is installed (CI installs it), ``skopeo copy --all``. Nothing
about time is asserted (the machine is shared). What is asserted is structural: the bot uploads
no blob twice and none the target already had, reads from the source only what it uploads, and
leaves the source's digests and referrers on the target; every count of the bench agrees with
the others and with the exchanges it recorded; a tool that cannot be measured says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from registry_fixtures import REQUIRE_INFRA, require_tool

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    for tool in ("docker-registry", "buildah", "htpasswd"):
        require_tool(tool)
    done = subprocess.run(
        [
            *(sys.executable, "bench/promotion.py", "--json"),
            *("--payload-mb", "2", "--tool-mb", "1", "--sbom-kb", "16"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=85,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def runs(document: dict[str, Any], tool: str) -> list[tuple[str, dict[str, Any]]]:
    """``(scenario, run)`` of ``tool`` in each scenario."""
    return [
        (scenario["name"], run)
        for scenario in document["scenarios"]
        for run in scenario["runs"]
        if run["tool"] == tool
    ]


def test_both_scenarios_run_every_tool(document: dict[str, Any]) -> None:
    assert [s["name"] for s in document["scenarios"]] == ["empty", "previous"]
    for scenario in document["scenarios"]:
        assert [r["tool"] for r in scenario["runs"]] == ["versionbot", "skopeo", "regctl"]
    # The previous release shares the payload and per-platform layers: the target has them.
    [(_, empty), (_, previous)] = runs(document, "versionbot")
    assert empty["blobs"]["target_had_before"] == []
    assert len(previous["blobs"]["target_had_before"]) == 3


def test_the_bot_moves_no_blob_twice_and_none_the_target_has(document: dict[str, Any]) -> None:
    every_blob = set(document["image"]["blob_sizes"])
    for scenario, run in runs(document, "versionbot"):
        blobs = run["blobs"]
        had = set(blobs["target_had_before"])
        assert blobs["uploaded_twice"] == [], scenario
        assert blobs["uploaded_target_had"] == [], scenario
        assert blobs["downloaded_twice"] == [], scenario
        # Exactly what the target lacked goes up, and only that is read from the source.
        assert sorted(blobs["uploaded"]) == sorted(every_blob - had), scenario
        assert sorted(blobs["downloaded"]) == sorted(blobs["uploaded"]), scenario
        assert blobs["mounted"] == [], scenario  # two registries: nothing to mount from


def test_the_bot_leaves_the_source_digests_and_referrers_on_the_target(
    document: dict[str, Any],
) -> None:
    image = document["image"]
    for scenario, run in runs(document, "versionbot"):
        assert run["target_after"] == {
            "digest": image["index"],
            "same_digest": True,
            "children": 2,
            "referrers": 2,
            "signature_tag": True,
            "sbom_listed": True,
            "blobs": len(image["blob_sizes"]),
        }, scenario


def test_the_counts_agree_with_each_other_and_with_the_exchanges(
    document: dict[str, Any],
) -> None:
    sizes = document["image"]["blob_sizes"]
    measured = [run for s in document["scenarios"] for run in s["runs"] if run["measured"]]
    assert measured
    for run in measured:
        requests, moved, exchanges = run["requests"], run["bytes"], run["exchanges"]
        assert run["problems"] == [], run["tool"]
        assert requests["total"] == len(exchanges)
        sides = Counter(e[0] for e in exchanges)
        assert (requests["source"], requests["target"]) == (sides["source"], sides["target"])
        assert sum(requests["by_kind"].values()) == requests["total"]
        # skopeo never looks for referrers; every request of the bot's is for one or the other.
        if run["tool"] == "skopeo":
            assert requests["for_referrers"] == 0
        else:
            assert 0 < requests["for_referrers"] < requests["total"]
        assert sum(requests["by_method"].values()) == requests["total"]
        assert requests["unauthorized"] == sum(e[4] == 401 for e in exchanges)
        target_sent = sum(e[5] for e in exchanges if e[0] == "target")
        source_received = sum(e[6] for e in exchanges if e[0] == "source")
        assert moved["uploaded_to_target"] == target_sent
        assert moved["downloaded_from_source"] == source_received
        uploaded = run["blobs"]["uploaded"]
        assert moved["blob_bytes_uploaded"] == sum(sizes[d] for d in uploaded)
        assert moved["blob_bytes_downloaded"] == sum(sizes[d] for d in run["blobs"]["downloaded"])
        assert moved["blob_bytes_uploaded"] <= moved["uploaded_to_target"]


def test_skopeo_is_measured_beside_the_bot_and_regctl_says_why_not(
    document: dict[str, Any],
) -> None:
    if shutil.which("skopeo") is not None or os.environ.get(REQUIRE_INFRA) == "1":
        for scenario, run in runs(document, "skopeo"):
            assert run["measured"], scenario
            assert run["target_after"]["same_digest"], scenario
            assert run["target_after"]["referrers"] == 0, scenario  # skopeo copies none
    else:
        for _, run in runs(document, "skopeo"):
            assert run == {
                "tool": "skopeo",
                "measured": False,
                "reason": "skopeo is not installed (apt-get install skopeo)",
            }
    for _, run in runs(document, "regctl"):
        assert not run["measured"]
        if shutil.which("regctl") is None:
            assert run["reason"].startswith("regctl is not installable here: Debian has no")


def test_the_human_report_is_one_table_per_scenario_with_ratios(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from promotion import report

    text = report(document)

    assert text.startswith("## Promotion cost against skopeo (")
    assert text.count("\n| requests | ") == 2
    assert text.count("\nregctl image copy: not measured: ") == 2
    if any(run["measured"] for _, run in runs(document, "skopeo")):
        assert "| | bot images push | skopeo copy --all |" in text
        assert text.count(" (x") >= 2 * 4  # requests, MB up, MB down, time: a ratio each
