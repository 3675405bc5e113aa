"""Edge: everything ``bot release`` needs before release.execute runs, and the mode dispatch.

``run_release`` is ``bot release``: the plan, then the configured mode: ``direct`` executes it
(release.py), ``pr`` goes through the release pull request (release_pr.py). The plan (when
HEAD already carries a release tag: the plan of that release, so a re-run can finish it), and
the edges built from the environment: git with its credentials and identity,
the forge, the image stage. Reading the environment happens here, never in the core.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot.core.changelog import utc_date
from versionbot.core.config import Config
from versionbot.core.errors import UsageError
from versionbot.core.history import ReleaseTag
from versionbot.core.plan import PackagePlan, PlanRequest, ReleasePlan
from versionbot.git.repository_plan import package_plan, repository_package_plans, repository_plan
from versionbot.git.writer import GitWriter, Identity
from versionbot.release.transaction import ImageStage, ReleaseEdges, ReleaseOutcome, execute

if TYPE_CHECKING:
    from versionbot.forge.client import GitHubForge
    from versionbot.release.packages import PackageReleases, PackagesOutcome

# The identity actions/checkout documents for commits made by workflows.
ACTIONS_BOT = Identity(
    "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"
)


def run_release(
    repo: Path,
    config: Config,
    request: PlanRequest,
    env: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
) -> ReleaseOutcome:
    """``bot release``: plan, then release in the configured mode."""
    plan = plan_for_release(repo, config, request)
    if config.mode == "pr":
        from versionbot.release.pull_request import release_by_pull_request

        return release_by_pull_request(repo, config, request, plan, env, progress=progress)
    return execute(plan, config, release_edges(plan, config, env, progress))


def run_packages_release(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    env: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
    *,
    only: str | None = None,
) -> PackagesOutcome:
    """``bot release`` in a monorepo: every due package (or ``only`` that one) at once."""
    from versionbot.release.packages import execute_packages

    if config.mode == "pr":
        if only is not None:
            raise UsageError(
                "--package does not apply in pr mode: the release pull request holds every "
                "due package",
                'merge the release pull request, or release with mode = "direct"',
            )
        from versionbot.release.packages_pull_request import release_packages_by_pull_request

        return release_packages_by_pull_request(repo, config, requests, env, progress)

    plans = repository_package_plans(repo, config, requests)
    root = Path(plans[0].plan.state.root) if plans else repo
    git, remote_url = git_writer(root, config, env)
    releases = package_releases(repo, config, requests, git, plans).only(only)
    due = bool(releases.at_head or releases.new)
    forge, missing = forge_of(env, remote_url) if due else (None, None)
    edges = ReleaseEdges(git=git, forge=forge, images=None, forge_missing=missing)
    stages = image_stages((*releases.at_head, *releases.new), root, env, progress)
    return execute_packages(releases, config, edges, stages)


def package_releases(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    git: GitWriter,
    plans: tuple[PackagePlan, ...] | None = None,
) -> PackageReleases:
    """The releases a monorepo's run makes: every package's next release (``plans`` when
    already made), and the releases HEAD's tags and release trailers name (planned as the run
    that made them saw them)."""
    from versionbot.release.packages import choose_releases
    from versionbot.release.transaction import release_trailers

    if plans is None:
        plans = repository_package_plans(repo, config, requests)
    if not plans:
        return choose_releases((), (), (), {})
    head = plans[0].plan.state.head
    at_head = releases_at_head(repo, config, requests, plans)
    marked = release_trailers(git.run("log", "-1", "--format=%B", head).stdout)
    on_remote = git.remote_tag_commits(config.remote, marked) if marked else {}
    return choose_releases(plans, at_head, marked, on_remote)


def releases_at_head(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    plans: tuple[PackagePlan, ...],
) -> tuple[PackagePlan, ...]:
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
    replanned = repository_package_plans(
        repo, config, {**requests, **as_made}, without_tags_at_head=True
    )
    return tuple(p for p in replanned if p.package.name in tagged)


def plan_for_release(
    repo: Path, config: Config, request: PlanRequest, package: str | None = None
) -> ReleasePlan:
    """The plan to execute: the next release, or the one HEAD's tag names (to finish it); of
    the monorepo's ``package`` when given."""
    plan = plan_of(repo, config, request, package)
    if request.version is not None:
        return plan
    return release_at_head(repo, config, request, plan, package) or plan


def release_at_head(
    repo: Path,
    config: Config,
    request: PlanRequest,
    plan: ReleasePlan,
    package: str | None = None,
) -> ReleasePlan | None:
    """The plan of the release HEAD's tag names (as the run that made it saw it), or None when
    HEAD carries no release tag. ``plan`` is the repository's (or ``package``'s) plan for the
    next release."""
    previous = plan.previous
    if previous is None or previous.tag.sha != plan.state.head:
        return None
    return plan_of(repo, config, as_released(request, previous), package, without_tags_at_head=True)


def plan_of(
    repo: Path,
    config: Config,
    request: PlanRequest,
    package: str | None,
    *,
    without_tags_at_head: bool = False,
) -> ReleasePlan:
    """The plan of the repository, or of the monorepo's ``package``."""
    if package is None:
        return repository_plan(repo, config, request, without_tags_at_head=without_tags_at_head)
    return package_plan(repo, config, package, request, without_tags_at_head=without_tags_at_head)


def as_released(request: PlanRequest, release: ReleaseTag) -> PlanRequest:
    """The request that plans ``release`` again as the run that made it saw it: its version,
    and its tag's date for the notes."""
    date = utc_date(release.tag.date) if release.tag.date is not None else request.date
    return dataclasses.replace(
        request, version=release.version, bump=None, prerelease=None, build=None, date=date
    )


def release_edges(
    plan: ReleasePlan,
    config: Config,
    env: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
    *,
    forge_always: bool = False,
) -> ReleaseEdges:
    """Git, forge and image stage for this repository, from the configuration and environment.

    The forge is built only when a release is due, unless ``forge_always`` (the release pull
    request needs it to close a pull request when nothing is due)."""
    git, remote_url = git_writer(Path(plan.state.root), config, env)
    due = plan.next is not None or forge_always
    forge, missing = forge_of(env, remote_url) if due else (None, None)
    root = Path(plan.state.root)
    images = None if config.images is None else image_stage(config, root, env, progress)
    return ReleaseEdges(git=git, forge=forge, images=images, forge_missing=missing)


def image_stages(
    plans: Sequence[PackagePlan],
    root: Path,
    env: Mapping[str, str],
    progress: Callable[[str], None] | None,
) -> dict[str, ImageStage]:
    """The image stage of each of ``plans``' packages that has ``[images]``, by name."""
    return {
        p.package.name: image_stage(p.package.config, root, env, progress)
        for p in plans
        if p.package.config.images is not None
    }


def image_stage(
    config: Config, root: Path, env: Mapping[str, str], progress: Callable[[str], None] | None
) -> ImageStage:
    """The registries' image stage of ``config``'s images for the work tree at ``root``."""
    from versionbot.registry.client import RegistryClient
    from versionbot.registry.stage import RegistryImageStage

    # ``progress`` shows blob copies between registries on a terminal.
    make_client = functools.partial(RegistryClient, progress=progress)
    return RegistryImageStage(config, root, env, make_client=make_client)


def git_writer(
    root: Path, config: Config, env: Mapping[str, str], *, pushes: bool = True
) -> tuple[GitWriter, str]:
    """The GitWriter of the work tree at ``root`` (credentials for an HTTP remote, identity),
    and the remote's URL ("" when there is none and the caller never ``pushes``)."""
    token = env.get("VERSIONBOT_GIT_TOKEN") or env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    probe = GitWriter(root, env=env)
    remote_url = probe.run("remote", "get-url", config.remote, check=False).stdout.strip()
    if not remote_url and pushes:
        raise UsageError(
            f"there is no git remote named {config.remote!r} to push the release to",
            "add one (git remote add origin URL) or set remote in the configuration",
        )
    over_http = remote_url.startswith(("http://", "https://"))
    git = GitWriter(
        root,
        username=env.get("VERSIONBOT_GIT_USERNAME"),
        token=token if over_http else None,
        identity=_identity(config, env, probe),
        env=env,
    )
    return git, remote_url


def _identity(config: Config, env: Mapping[str, str], git: GitWriter) -> Identity | None:
    """The configured committer; in GitHub Actions with no git identity, the Actions bot."""
    if config.committer is not None:
        return Identity(*config.committer)
    configured = git.run("config", "user.email", check=False).stdout.strip()
    if not configured and env.get("GITHUB_ACTIONS") == "true":
        return ACTIONS_BOT
    return None


def forge_of(env: Mapping[str, str], remote_url: str) -> tuple[GitHubForge | None, str | None]:
    """The forge of the remote at ``remote_url`` from the environment's settings, or None and
    what is missing to reach it."""
    from versionbot.forge.client import github_forge, missing_forge_settings

    missing = missing_forge_settings(env, remote_url)
    if missing is not None:
        return None, missing
    return github_forge(env, remote_url), None
