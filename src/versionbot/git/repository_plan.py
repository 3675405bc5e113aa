"""The plans of a repository on disk: read its history with git, then make the plans.

Edge: this is where the fast read (reader.read_history's guess of the last release) meets its
fallback. ``make_plan`` is pure, so making it a second time after a wrong guess is safe.
``package_plans`` plans every package of a monorepo, or the repository as one package at its
root; ``releases_at_head`` plans again, as they were made, the releases whose tags HEAD carries
(so that a run can finish them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from versionbot.core.changelog import utc_date
from versionbot.core.commits import Commit
from versionbot.core.config import Config, Package
from versionbot.core.history import History, ReleaseTag
from versionbot.core.next_run import Due, due_releases
from versionbot.core.packages import WHOLE_REPOSITORY
from versionbot.core.plan import (
    PackagePlan,
    PlanRequest,
    ReleasePlan,
    make_package_plans,
    make_plan,
    package_requests,
)
from versionbot.git.reader import GuessedWrong, read_history, read_packages_history

# Counts the commits as they are read, for a person at a terminal (cli/terminal.py).
Progress = Callable[[Iterable[Commit]], Iterable[Commit]]


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
    return history._replace(commits=progress(history.commits))


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


def plan_of(
    path: Path,
    config: Config,
    request: PlanRequest,
    package: str | None = None,
    *,
    without_tags_at_head: bool = False,
) -> ReleasePlan:
    """The plan of the repository, or of the monorepo's ``package`` with ``request`` (the other
    packages are planned in the same read, without its version or bump)."""
    if package is None:
        return repository_plan(path, config, request, without_tags_at_head=without_tags_at_head)
    requests = package_requests(config.packages, request, package)
    plans = repository_package_plans(
        path, config, requests, without_tags_at_head=without_tags_at_head
    )
    return next(p.plan for p in plans if p.package.name == package)


def release_at_head(
    path: Path, config: Config, request: PlanRequest, plan: ReleasePlan, package: str | None
) -> ReleasePlan | None:
    """The plan of the release HEAD's tag names (of the monorepo's ``package`` when given), as
    the run that made it saw it; None when HEAD carries no release tag. ``plan`` is the plan of
    the next release, made with ``request``."""
    previous = plan.previous
    if previous is None or previous.tag.sha != plan.state.head:
        return None
    as_made = as_released(request, previous)
    return plan_of(path, config, as_made, package, without_tags_at_head=True)


def package_plans(
    path: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    *,
    without_tags_at_head: bool = False,
    progress: Progress | None = None,
) -> tuple[PackagePlan, ...]:
    """The plan of every package (``requests`` by package name): a monorepo's, or the
    repository's own as one package at its root (core.packages.packages_of)."""
    if config.packages:
        return repository_package_plans(
            path, config, requests, without_tags_at_head=without_tags_at_head
        )
    plan = repository_plan(
        path,
        config,
        requests[WHOLE_REPOSITORY],
        without_tags_at_head=without_tags_at_head,
        progress=progress,
    )
    return (PackagePlan(Package(WHOLE_REPOSITORY, ".", config), plan),)


def releases_at_head(
    path: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    plans: tuple[PackagePlan, ...],
) -> tuple[Due, ...]:
    """The releases whose tags HEAD carries, planned as the run that made them saw them."""
    head = plans[0].plan.state.head
    tagged = {
        p.package.name: p.plan.previous
        for p in plans
        if p.plan.previous is not None and p.plan.previous.tag.sha == head
    }
    if not tagged:
        return ()
    as_made = {name: as_released(requests[name], previous) for name, previous in tagged.items()}
    replanned = package_plans(path, config, {**requests, **as_made}, without_tags_at_head=True)
    return due_releases(p for p in replanned if p.package.name in tagged)


def as_released(request: PlanRequest, release: ReleaseTag) -> PlanRequest:
    """The request that plans ``release`` again as the run that made it saw it: its version,
    and its tag's date for the notes."""
    date = utc_date(release.tag.date) if release.tag.date is not None else request.date
    return dataclasses.replace(
        request, version=release.version, bump=None, prerelease=None, build=None, date=date
    )
