"""Plan a release from commit messages alone: the public, git-free entry point.

Pure: builds the same History the git edge builds, with the messages as commits, and hands it
to ``make_plan``. Revert pairs are matched by sha, so they cancel only when the messages carry
full ``This reverts commit <sha>`` lines for commits given here with ``shas``.
"""

from __future__ import annotations

from collections.abc import Sequence

from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.history import History, RepositoryState, Tag, find_baseline
from versionbot.core.plan import PlanRequest, ReleasePlan, make_plan
from versionbot.core.version import Version


def plan_from_messages(
    messages: Sequence[str],
    current: str | None,
    config: Config | None = None,
    *,
    prerelease: str | None = None,
    shas: Sequence[str] | None = None,
) -> ReleasePlan:
    """The bump and next version after ``current`` for ``messages`` (newest first).

    >>> plan = plan_from_messages(["feat: add x", "fix: y"], "1.2.3")
    >>> plan.bump, str(plan.next.version)
    ('minor', '1.3.0')
    """
    config = config or Config()
    tags: tuple[Tag, ...] = ()
    if current is not None:
        version = Version.parse(current.removeprefix("v"))
        tags = (Tag(config.tag_format.format(version), "0" * 40, reachable=True),)
    ids = list(shas) if shas is not None else [f"{i:040x}" for i in range(1, len(messages) + 1)]
    commits = [Commit(sha, (), message) for sha, message in zip(ids, messages, strict=True)]
    baseline = find_baseline(
        tags, config.tag_format, prerelease=prerelease is not None, channel=prerelease
    )
    history = History(RepositoryState("", ids[0] if ids else "", None), baseline, commits)
    return make_plan(history, config, PlanRequest(prerelease=prerelease))
