"""bench/replay_releases.py on a small real repository: the releases it replays, as it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import GitRepo

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "replay_releases.py"


def test_replays_each_release_from_the_tags_before_it(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("feat: start")
    repo.tag("v1.0.0", annotated=True)
    repo.commit("feat: search")
    repo.tag("v1.1.0", annotated=True)
    repo.commit("fix: mend search")
    repo.tag("v1.1.1", annotated=True)
    repo.commit("feat: export")
    repo.tag("v1.1.2", annotated=True)  # a feature released as a patch: the bot disagrees
    config = tmp_path / "versionbot.toml"
    config.write_text('tag_format = "v{version}"\n', encoding="utf-8")

    command = [sys.executable, str(SCRIPT), str(repo.path), "--config", str(config)]
    result = subprocess.run(
        [*command, "--tags", r"v\d+\.\d+\.\d+", "--last", "3"],
        capture_output=True,
        text=True,
        check=False,
        env=repo.env.with_dates(1_800_000_000),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ok   v1.1.0 -> 1.1.0",
        "ok   v1.1.1 -> 1.1.1",
        "DIFF v1.1.2 -> 1.2.0",
        "2/3 agree",
    ]
