"""The plan of a repository on disk: read its history with git, then make the plan.

Edge: this is where the fast read (git.read_history's guess of the last release) meets its
fallback. ``make_plan`` is pure, so making it a second time after a wrong guess is safe.
"""

from __future__ import annotations

from pathlib import Path

from versionbot.config import Config
from versionbot.git import GuessedWrong, read_history
from versionbot.plan import PlanRequest, ReleasePlan, make_plan


def repository_plan(path: Path, config: Config, request: PlanRequest) -> ReleasePlan:
    """The release plan of the repository at ``path``."""
    prerelease = request.prerelease is not None
    try:
        return make_plan(read_history(path, config, prerelease=prerelease), config, request)
    except GuessedWrong:
        history = read_history(path, config, prerelease=prerelease, exact=True)
        return make_plan(history, config, request)
