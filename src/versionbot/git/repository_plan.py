"""The plan of a repository on disk: read its history with git, then make the plan.

Edge: this is where the fast read (git.read_history's guess of the last release) meets its
fallback. ``make_plan`` is pure, so making it a second time after a wrong guess is safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from versionbot.cli.terminal import Progress
from versionbot.core.config import Config
from versionbot.core.history import History
from versionbot.core.plan import (
    PackagePlan,
    PlanRequest,
    ReleasePlan,
    make_package_plans,
    make_plan,
    package_requests,
)
from versionbot.git.reader import GuessedWrong, read_history, read_packages_history


def repository_plan(
    path: Path,
    config: Config,
    request: PlanRequest,
    *,
    without_tags_at_head: bool = False,
    progress: Progress | None = None,
) -> ReleasePlan:
    """The release plan of the repository at ``path``.

    ``without_tags_at_head`` plans the release that HEAD's tags already name (set
    ``request.version`` to it): its window, notes and images, as the run that made it saw them.
    """
    prerelease = request.prerelease is not None
    try:
        history = read_history(
            path, config, prerelease=prerelease, without_tags_at_head=without_tags_at_head
        )
        return make_plan(_watched(history, progress), config, request)
    except GuessedWrong:
        history = read_history(
            path,
            config,
            prerelease=prerelease,
            exact=True,
            without_tags_at_head=without_tags_at_head,
        )
        return make_plan(_watched(history, progress), config, request)


def _watched(history: History, progress: Progress | None) -> History:
    if progress is None:
        return history
    return history._replace(commits=progress.count(history.commits, "commits read"))


def repository_package_plans(
    path: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    *,
    without_tags_at_head: bool = False,
) -> tuple[PackagePlan, ...]:
    """The plan of every package of the monorepo at ``path`` (``requests`` by package name),
    from one ``git log``; a wrong guess of the last releases costs a second, exact one."""
    prerelease = any(r.prerelease is not None for r in requests.values())
    try:
        history = read_packages_history(
            path, config, prerelease=prerelease, without_tags_at_head=without_tags_at_head
        )
        return make_package_plans(history, config, requests)
    except GuessedWrong:
        history = read_packages_history(
            path,
            config,
            prerelease=prerelease,
            exact=True,
            without_tags_at_head=without_tags_at_head,
        )
        return make_package_plans(history, config, requests)


def package_plan(
    path: Path,
    config: Config,
    name: str,
    request: PlanRequest,
    *,
    without_tags_at_head: bool = False,
) -> ReleasePlan:
    """The plan of the package ``name`` of the monorepo at ``path``, with ``request``; the other
    packages are planned in the same read (``plan.package_requests``)."""
    requests = package_requests(config.packages, request, name)
    plans = repository_package_plans(
        path, config, requests, without_tags_at_head=without_tags_at_head
    )
    return next(p.plan for p in plans if p.package.name == name)
