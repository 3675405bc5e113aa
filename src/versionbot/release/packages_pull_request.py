"""Release by pull request in a monorepo (``mode = "pr"`` with ``[packages]``).

Edge orchestration: release_pr.py's three steps over every package at once, as
release_packages.py does for the direct mode. One ``bot release`` run on the release branch:

1. HEAD carries package release tags (a re-run, tags a person made): those releases are
   finished (tags pushed if missing, forge releases, images), committing nothing;
2. the merged release pull request, found by its ``Versionbot-Release: TAG`` trailers (or its
   title, through the forge): every package it releases is planned at the merged commit, and
   when each plan still names the merged tag, the tags go on that commit, pushed together
   (``--atomic``), then each package's forge release and images;
3. the pull request proposes every package still due: ONE commit on top of HEAD (each due
   package's version files and changelog, one trailer per tag) on ``pr_branch``, the pull
   request opened or brought up to date; closed when nothing is due.

The bot never pushes to the release branch in this mode: only ``pr_branch`` and tags.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.errors import UsageError
from versionbot.core.plan import PackagePlan, PlanRequest
from versionbot.files.render import Renderer
from versionbot.git.repository_plan import repository_package_plans
from versionbot.git.writer import GitWriter
from versionbot.release.packages import PackageReleases, PackagesOutcome, execute_packages
from versionbot.release.pull_request import (
    MergedRelease,
    MergedUnit,
    Proposal,
    find_merged_release,
    pull_request_forge,
    sync_pull_request,
    tag_merged_release,
    verify_base,
    worktree,
)
from versionbot.release.transaction import ReleaseEdges, ReleaseOutcome


def release_packages_by_pull_request(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    env: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
) -> PackagesOutcome:
    """``bot release`` in ``pr`` mode for a monorepo (see the module docstring for the steps)."""
    from versionbot.release.edges import forge_of, git_writer, image_stages, releases_at_head

    plans = repository_package_plans(repo, config, requests)
    state = plans[0].plan.state
    root = Path(state.root)
    git, remote_url = git_writer(root, config, env)
    forge, missing = forge_of(env, remote_url)
    edges = ReleaseEdges(git=git, forge=forge, images=None, forge_missing=missing)
    pulls = pull_request_forge(edges)
    tagged = releases_at_head(repo, config, requests, plans)
    if tagged:  # 1. finish the releases HEAD's tags name, committing nothing
        images = image_stages(tagged, root, env, progress)
        outcome = execute_packages(PackageReleases(at_head=tagged), config, edges, images)
        if state.branch is not None and pulls is not None:
            after = repository_package_plans(repo, config, requests)
            sync_pull_request(proposal_of(after), config, git, pulls, outcome.log)
        return outcome
    if state.branch is None:
        raise UsageError(
            "a release pull request is made from a branch, not from a detached HEAD",
            "run bot release on the release branch (in CI: on push to main)",
        )
    verify_base(config, state.branch)
    if pulls is None:
        raise UsageError(
            f"the release pull request needs the forge: {missing or 'no forge'}",
            "set GITHUB_TOKEN (contents: write, pull-requests: write) and GITHUB_REPOSITORY",
        )
    outcome = PackagesOutcome()
    starts = sorted({p.plan.previous.tag.sha for p in plans if p.plan.previous is not None})
    merged = find_merged_release(git, starts, config, pulls, tags=True)
    if merged is not None:  # 2. tag what the person merged
        with plans_at(git, config, requests, plans, merged.sha) as merged_plans:
            holding = _merged_packages(merged, merged_plans, outcome)
            images = image_stages(holding, root, env, progress)
            units = {
                p.package.name: MergedUnit(
                    p.plan,
                    p.package.config,
                    ReleaseOutcome(),
                    dataclasses.replace(edges, images=images.get(p.package.name)),
                )
                for p in holding
            }
            if units:
                tag_merged_release(list(units.values()), config, merged)
                for name, unit in units.items():
                    outcome.packages[name] = unit.outcome
                    outcome.log += [f"{name}: {line}" for line in unit.outcome.log]
        if outcome.released:
            plans = repository_package_plans(repo, config, requests)  # the new tags count
    sync_pull_request(proposal_of(plans), config, git, pulls, outcome.log)  # 3.
    return outcome


def describe_next_run(
    config: Config, plans: Sequence[PackagePlan], env: Mapping[str, str]
) -> str | None:
    """The ``bot plan`` lines saying what the next ``bot release`` does in pr mode (None in
    direct mode, where the plans say it all). Reads git, never the forge: a squash merge that
    dropped its trailers is found by the run itself."""
    from versionbot.cli.report import next_run_to_text

    if config.mode != "pr" or not plans:
        return None
    state = plans[0].plan.state
    at_head = [
        p.plan.previous.tag.name
        for p in plans
        if p.plan.previous is not None and p.plan.previous.tag.sha == state.head
    ]
    due = [p.plan.next.tag for p in plans if p.plan.next is not None]
    proposal = (
        f"then the release pull request for {', '.join(due)}"
        if due
        else "then nothing is due (an open release pull request would be closed)"
    )
    if at_head:
        sentence = (
            f"complete the releases of {', '.join(at_head)} at HEAD (push the tags if missing, "
            f"forge releases, image tags), committing nothing; {proposal}"
        )
        return next_run_to_text(config.mode, sentence)
    git = GitWriter(Path(state.root), env=env)
    starts = sorted({p.plan.previous.tag.sha for p in plans if p.plan.previous is not None})
    merged = find_merged_release(git, starts, config, None, tags=True)
    if merged is not None:
        sentence = (
            f"tag {merged.sha[:7]} (the merged release pull request of "
            f"{', '.join(merged.names)}), push the tags alone, forge releases and image tags; "
            "then a pull request for what came after it"
        )
    elif due:
        sentence = (
            f"open or update the release pull request for {', '.join(due)} from {config.pr_branch}"
        )
    else:
        sentence = "nothing (an open release pull request would be closed)"
    return next_run_to_text(config.mode, sentence)


def proposal_of(plans: Sequence[PackagePlan]) -> Proposal:
    """What the release pull request proposes: every due package's release, named by its tag,
    with each package's notes under its tag."""
    due = [p for p in plans if p.plan.next is not None]
    state = plans[0].plan.state
    if not due:
        return Proposal(state, (), (), "", "no package has a release due")
    sections = []
    for package_plan in due:
        plan, settings = package_plan.plan, package_plan.package.config
        assert plan.next is not None
        renderer = Renderer.for_repository(plan.state, settings)
        notes = renderer.release_notes(plan.notes) if plan.notes is not None else ""
        sections.append(f"## {plan.next.tag}\n\n{notes.rstrip()}\n")
    return Proposal(
        state,
        tuple((p.plan, p.package.config) for p in due),
        tuple(p.plan.next.tag for p in due if p.plan.next is not None),
        "\n".join(sections),
        "",
    )


@contextmanager
def plans_at(
    git: GitWriter,
    config: Config,
    requests: Mapping[str, PlanRequest],
    plans: tuple[PackagePlan, ...],
    sha: str,
) -> Iterator[tuple[PackagePlan, ...]]:
    """Every package's plan as a run at ``sha`` would have made it (``plans`` when ``sha`` is
    HEAD), the branch kept; the work tree behind them lives until the block ends."""
    state = plans[0].plan.state
    if sha == state.head:
        yield plans
        return
    with worktree(git, sha) as tree:
        at = repository_package_plans(tree.root, config, requests)
        branch = state.branch
        yield tuple(
            p._replace(plan=dataclasses.replace(p.plan, state=p.plan.state._replace(branch=branch)))
            for p in at
        )


def _merged_packages(
    merged: MergedRelease, merged_plans: tuple[PackagePlan, ...], outcome: PackagesOutcome
) -> list[PackagePlan]:
    """The package plans the merged pull request's tags name, in its order; none (logged) when
    the commits at the merged commit no longer ask for every one of those tags."""
    by_tag = {p.plan.next.tag: p for p in merged_plans if p.plan.next is not None}
    stale = [tag for tag in merged.names if tag not in by_tag]
    if stale:
        outcome.log.append(
            f"the merged release pull request of {', '.join(merged.names)} "
            f"({merged.sha[:7]}) is out of date: the commits no longer ask for "
            f"{', '.join(stale)}; a new pull request follows"
        )
        return []
    return [by_tag[tag] for tag in merged.names]
