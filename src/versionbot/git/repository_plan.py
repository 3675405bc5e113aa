"""The plans of a repository on disk: read its history with git, then make the plans.

Edge: this is where the fast read (reader.read_history's guess of the last release) meets its
fallback. ``make_plan`` is pure, so making it a second time after a wrong guess is safe.
``package_plans`` plans every package of a monorepo, or the repository as one package at its
root; ``releases_at_head`` plans again, as they were made, the releases whose tags HEAD carries
(so that a run can finish them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from versionbot.core.changelog import utc_date
from versionbot.core.commits import Commit
from versionbot.core.config import Config, Package
from versionbot.core.history import History, ReleaseTag, RepositoryState, release_tags
from versionbot.core.next_run import Due, due_releases
from versionbot.core.packages import WHOLE_REPOSITORY, packages_of
from versionbot.core.plan import (
    PackagePlan,
    PlanRequest,
    ReleasePlan,
    make_package_plans,
    make_plan,
    package_requests,
    prerelease_channel,
)
from versionbot.git.reader import (
    GuessedWrong,
    read_history,
    read_packages_history,
    repository_state,
    tags_at,
)

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
    prerelease, channel = request.prerelease is not None, request.prerelease
    try:
        history = read_history(
            path,
            config,
            prerelease=prerelease,
            without_tags_at_head=without_tags_at_head,
            channel=channel,
        )
        return make_plan(_watched(history, progress), config, request)
    except GuessedWrong:
        history = read_history(
            path,
            config,
            prerelease=prerelease,
            exact=True,
            without_tags_at_head=without_tags_at_head,
            channel=channel,
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
    prerelease, channel = prerelease_channel(requests.values())
    try:
        history = read_packages_history(
            path,
            config,
            prerelease=prerelease,
            without_tags_at_head=without_tags_at_head,
            channel=channel,
        )
        return make_package_plans(history, config, requests)
    except GuessedWrong:
        history = read_packages_history(
            path,
            config,
            prerelease=prerelease,
            exact=True,
            without_tags_at_head=without_tags_at_head,
            channel=channel,
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
    path: Path, config: Config, request: PlanRequest, package: str | None
) -> ReleasePlan | None:
    """The plan of the release HEAD's tag names (of the monorepo's ``package`` when given), as
    the run that made it saw it; None when HEAD carries no release tag of it. ``request``: the
    person's, whose version the tag's replaces."""
    made = made_at_head(repository_state(path), config).get(package or WHOLE_REPOSITORY)
    if made is None:
        return None
    return plan_of(path, config, as_released(request, made), package, without_tags_at_head=True)


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
    """The releases whose tags HEAD carries (``made_at_head``: final or prerelease, whatever
    the request), each planned as the run that made it saw it, in the order of ``plans``."""
    order = [p.package.name for p in plans]
    return releases_made_at_head(path, config, requests, plans[0].plan.state, order)


def releases_made_at_head(
    path: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    state: RepositoryState,
    order: Sequence[str],
) -> tuple[Due, ...]:
    """``releases_at_head`` without the next release's plans (which a tag checkout may not
    have: its next version can be taken by a release made after it), in the package ``order``."""
    made = made_at_head(state, config)
    if not made:
        return ()
    as_made = {name: as_released(requests[name], release) for name, release in made.items()}
    neutral = {name: neutral_request(request) for name, request in requests.items()}
    replanned: list[PackagePlan] = []
    # One read of the history takes every baseline with or without the prerelease lines
    # (reader.read_packages_history): a final's window starts at the last final, a
    # prerelease's at the last release, so the two kinds are planned apart.
    for prerelease in (False, True):
        group = {n: r for n, r in as_made.items() if (r.prerelease is not None) is prerelease}
        if group:
            again = package_plans(path, config, {**neutral, **group}, without_tags_at_head=True)
            replanned += [p for p in again if p.package.name in group]
    return due_releases(sorted(replanned, key=lambda p: order.index(p.package.name)))


def made_at_head(state: RepositoryState, config: Config) -> dict[str, ReleaseTag]:
    """The release tag HEAD carries for each package (by name) that has one: a tag of the
    package's ``tag_format`` at HEAD, a final or a prerelease alike; of several (a release
    candidate tagged again as the final), the highest."""
    tags = tags_at(state.root, state.head)
    made: dict[str, ReleaseTag] = {}
    for package in packages_of(config):
        releases, _ = release_tags(tags, package.config.tag_format)
        if releases:
            made[package.name] = max(releases, key=lambda r: (r.version.precedence, r.tag.name))
    return made


def as_released(request: PlanRequest, release: ReleaseTag) -> PlanRequest:
    """The request that plans ``release`` again as the run that made it saw it: its version,
    its tag's date for the notes, and for a prerelease its token (``rc`` of ``2.1.0-rc.1``):
    its window starts at the release before it, not at the last final."""
    date = utc_date(release.tag.date) if release.tag.date is not None else request.date
    version = release.version
    token = version.prerelease[0] if version.is_prerelease else None
    return dataclasses.replace(
        request, version=version, bump=None, prerelease=token, build=None, date=date, made=True
    )


def neutral_request(request: PlanRequest) -> PlanRequest:
    """``request`` without what chooses the next version (``--version``, ``--bump``,
    ``--prerelease``): it reads every baseline as it is, for planning releases already made."""
    return dataclasses.replace(request, version=None, bump=None, prerelease=None, build=None)
