"""Release by pull request (``mode = "pr"``): a person merges, the bot tags what was merged.

Edge orchestration over the same package releases as the direct mode (a repository without
``[packages]`` is one package at its root), reusing transaction.py's steps. One ``bot release``
run on the release branch (``main``), in order:

1. HEAD carries release tags (a re-run, tags a person made): transaction.execute finishes those
   releases (tags pushed if missing, forge releases, images), committing nothing;
2. ``find_merged_release``: the release pull request was merged since the last releases. Its
   commit is found on the branch's first-parent line by its ``Versionbot-Release`` trailers (in
   the commit itself after a rebase or squash merge, in the merge's second parent after a merge
   commit) or, when a squash message dropped them, by asking the forge which merged pull
   request from ``pr_branch`` made it. When the plans at that commit still ask for every release
   it names, ``tag_merged_release`` tags it, pushes the tags alone (``--atomic``), and makes
   each forge release and promotes each image (steps 4b-7);
3. ``sync_pull_request``: what is due now, as ONE commit on top of HEAD (every due release's
   version files and changelog, written by steps 2-4a in a temporary work tree, so the checkout
   is never touched) on ``pr_branch``, force-pushed with a lease on what the bot last saw there;
   the pull request opened, or its title and body brought up to date; when nothing is due any
   more, the open pull request is closed.

The bot never pushes to the release branch in this mode: only ``pr_branch`` (which it owns) and
tags. The tag goes on the commit of the release branch that holds the release (the merge,
squash or rebased commit), which is the commit CI built the images for.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.branches import rule_for
from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, SupersededError, UsageError
from versionbot.core.next_run import Due, Releases, due_releases
from versionbot.core.packages import WHOLE_REPOSITORY
from versionbot.core.plan import PackagePlan
from versionbot.core.release_commit import has_release_trailer, trailer_lines
from versionbot.core.version import InvalidVersion, Version
from versionbot.forge.model import PullRequest, PullRequestForge
from versionbot.git.release_commits import release_commit_names, says_its_versions
from versionbot.release.outcome import RunOutcome
from versionbot.release.transaction import (
    ReleaseEdges,
    ReleaseGit,
    execute,
    images_at,
    preflight,
    promote_images,
    publish_forge_release,
    release_message,
    release_notes,
    release_subject,
    start_outcome,
    tag_release,
    write_release_files,
)

# Markers that make CI skip a push. The release pull request's commit must not carry them: a
# rebase merge puts it on main as it is, and the run for that push is the one that tags it.
_SKIP_CI = re.compile(r"\s*\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]", re.I)
_WALK_LIMIT = 200  # first-parent commits looked at for a merged release pull request

# The plans of the packages as a run in the work tree at a folder makes them.
PlanTree = Callable[[Path], tuple[PackagePlan, ...]]


@dataclass(frozen=True, slots=True)
class MergedRelease:
    """A merged release pull request: the commit on the release branch to tag, and the names
    of the releases it holds (its trailers, or its title)."""

    sha: str
    names: tuple[str, ...]
    how: str  # how it was recognised, for the log


def release_by_pull_request(
    plans: tuple[PackagePlan, ...],
    at_head: Sequence[Due],
    config: Config,
    edges: ReleaseEdges,
    plan_tree: PlanTree,
) -> RunOutcome:
    """``bot release`` in ``pr`` mode (see the module docstring for the steps). ``at_head``:
    the releases HEAD's tags hold, planned as they were made; ``plan_tree`` plans a work tree."""
    git, pulls = edges.git, pull_request_forge(edges)
    state = plans[0].plan.state
    if at_head:  # 1. finish the releases HEAD's tags name, committing nothing
        outcome = execute(Releases(at_head=tuple(at_head)), config, edges)
        if state.branch is not None and pulls is not None:
            after = plan_tree(Path(state.root))  # nothing due: close a stale pull request
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
            f"the release pull request needs the forge: {edges.forge_missing or 'no forge'}",
            "set GITHUB_TOKEN (contents: write, pull-requests: write) and GITHUB_REPOSITORY",
        )
    outcome = RunOutcome()
    merged = find_merged_release(git, last_releases(plans), config, pulls)
    if merged is not None:  # 2. tag what the person merged
        with plans_at(merged.sha, plans, git, plan_tree) as at_merge:
            holding = merged_releases(merged, at_merge, outcome)
            if holding:
                tag_merged_release(holding, config, edges, merged, outcome)
        if holding:
            plans = plan_tree(Path(state.root))  # plan again: the new tags start new windows
    sync_pull_request(proposal_of(plans), config, git, pulls, outcome.log)  # 3.
    return outcome


@contextmanager
def plans_at(
    sha: str, plans: tuple[PackagePlan, ...], git: ReleaseGit, plan_tree: PlanTree
) -> Iterator[tuple[PackagePlan, ...]]:
    """The plans as a run at ``sha`` would have made them on this branch (``plans`` when
    ``sha`` is HEAD); the work tree behind them lives until the block ends."""
    state = plans[0].plan.state
    if sha == state.head:
        yield plans
        return
    with git.worktree(sha) as tree:
        yield tuple(
            p._replace(
                plan=dataclasses.replace(p.plan, state=p.plan.state._replace(branch=state.branch))
            )
            for p in plan_tree(tree.root)
        )


def last_releases(plans: Sequence[PackagePlan]) -> list[str]:
    """The commits of the packages' last releases: where the walk for a merged release stops."""
    return sorted({p.plan.previous.tag.sha for p in plans if p.plan.previous is not None})


# -- 2. the merged release pull request --------------------------------------------------------


def find_merged_release(
    git: ReleaseGit, since: Sequence[str], config: Config, forge: PullRequestForge | None
) -> MergedRelease | None:
    """The newest merged release pull request on HEAD's first-parent line after the commits
    ``since`` (the last releases), or None. The bot's release commits first, by their trailers
    (no network); the forge only when there is none, and only when given."""
    line = git.first_parent_line(_WALK_LIMIT, since)
    for sha, parents, message in line:
        marked, how = message, "its release trailer"
        if len(parents) > 1 and not has_release_trailer(message):
            marked, how = git.message(parents[1]), "the release trailer of the merged commit"
        # What merging it changed on the branch decides, whatever its message claims: a
        # contributor's commit with the bot's trailers is an ordinary commit.
        names = release_commit_names(str(git.root), sha, marked, config)
        if names and says_its_versions(str(git.root), sha, names, config):
            return MergedRelease(sha, names, how)
    if forge is None or not line:
        return None
    shas = {sha for sha, _, _ in line}
    for pull in forge.pull_requests(config.pr_branch, state="closed"):
        if pull.merged and pull.merge_commit_sha in shas:
            names = title_names(config, pull.title)
            if names:
                return MergedRelease(pull.merge_commit_sha, names, f"pull request #{pull.number}")
    return None


def title_names(config: Config, title: str) -> tuple[str, ...]:
    """What a release pull request's title releases (``chore(release): 1.4.0``, with the
    `` (#12)`` a squash merge adds): its version, or in a monorepo its tags
    (``chore(release): api-v1.4.0, web-v0.2.0``); empty when the title is not one.

    >>> title_names(Config(), "chore(release): 1.4.0 (#12)")
    ('1.4.0',)
    >>> title_names(Config(), "chore(release): soon") == ()
    True
    """
    prefix, _, suffix = pr_subject(config, "\0").partition("\0")
    pattern = re.escape(prefix) + r"(\S+(?:, \S+)*)" + re.escape(suffix) + r"(?: \(#\d+\))?"
    match = re.fullmatch(pattern, title.strip())
    if match is None:
        return ()
    names = tuple(match[1].split(", "))
    if config.packages:
        return names
    try:
        return (str(Version.parse(names[-1])),) if len(names) == 1 else ()
    except InvalidVersion:
        return ()


def merged_releases(
    merged: MergedRelease, plans: Sequence[PackagePlan], outcome: RunOutcome
) -> list[Due]:
    """The releases the merged pull request names, planned at its commit, in its order; none
    (logged) when the commits there no longer ask for every one of them."""
    due = due_releases(plans)
    by_name = {p.name: p for p in due}
    stale = [name for name in merged.names if name not in by_name]
    if stale:
        found = ", ".join(p.name for p in due) or "no release"
        outcome.log.append(
            f"the merged release pull request of {', '.join(merged.names)} ({merged.sha[:7]}) "
            f"is out of date: the commits ask for {found}; a new pull request follows"
        )
        return []
    return [by_name[name] for name in merged.names]


def tag_merged_release(
    releases: Sequence[Due],
    config: Config,
    edges: ReleaseEdges,
    merged: MergedRelease,
    outcome: RunOutcome,
) -> None:
    """Tag the merged release commit for every release it holds, push the tags together and
    alone (``--atomic``), then each release's forge release and images."""
    git, sha = edges.git, merged.sha
    notes = {due.package.name: release_notes(due) for due in releases}
    for due in releases:
        name = due.package.name
        outcome.packages[name] = start_outcome(due, notes[name])
        outcome.packages[name].sha = sha
        outcome.say(name, f"{sha[:7]} is the merged release of {due.name} ({merged.how})")
    tags = [due.tag for due in releases]
    on_remote = git.remote_tag_commits(config.remote, tags)
    for tag, at in on_remote.items():
        if at != sha:
            raise RepositoryError(
                f"tag {tag} already exists on {config.remote} on {at[:7]}, not on {sha[:7]}",
                "the release was made elsewhere; delete the tag if it is wrong, then run again",
            )
    missing = [due for due in releases if due.tag not in on_remote]
    updated: Collection[str] = ()  # the tags this run's push put on the remote
    if missing:
        updated = _tag_and_push(
            missing, releases, config, edges, sha=sha, notes=notes, outcome=outcome
        )
    for due in releases:
        name = due.package.name
        # Only the run whose push put the tag there reports the release (another run's, as
        # fast, found it there); a tag there before this run is reported by whoever finishes it.
        if f"refs/tags/{due.tag}" in updated:
            outcome.say(name, f"pushed {due.tag} to {config.remote}")
            outcome.packages[name].released = True
        elif due in missing:
            said = f"another run pushed {due.tag} at the same time: that run reports the release"
            outcome.say(name, said)
        else:
            outcome.say(name, f"{due.tag} is already on {config.remote}")
            outcome.packages[name].tag_was_there = True
        publish_forge_release(due, edges.forge, sha, notes[name], outcome)
        promote_images(due, images_at(due, sha), edges.images.get(name), outcome)
    outcome.sha = sha


def _tag_and_push(
    missing: Sequence[Due],
    releases: Sequence[Due],
    config: Config,
    edges: ReleaseEdges,
    *,
    sha: str,
    notes: Mapping[str, str],
    outcome: RunOutcome,
) -> frozenset[str]:
    """Tag the merged commit ``sha`` for each of the ``missing`` releases and push the tags
    together and alone (``--atomic``); the tags this push put on the remote."""
    git = edges.git
    _verify_on_remote(git, config, releases[0].plan.state.branch, sha)
    preflight(releases, edges, {due.package.name: sha for due in releases}, sources=True)
    if not git.has_identity():
        raise RepositoryError(
            "git has no identity to make the release tag with",
            "set committer in the versionbot configuration, or git config user.name/email",
        )
    made = []
    for due in missing:
        if tag_release(due, git, sha, notes[due.package.name]):
            made.append(due.tag)
        outcome.say(due.package.name, f"tagged {due.tag} on {sha[:7]}")
    pushed = [due.tag for due in missing]
    result = git.push_atomically(config.remote, [f"refs/tags/{tag}" for tag in pushed])
    landed = git.remote_tag_commits(config.remote, pushed) if not result.accepted else {}
    if not result.accepted and any(landed.get(tag) != sha for tag in pushed):
        for tag in made:
            git.delete_tag(tag)
        raise SupersededError(
            f"{config.remote} refused the tags {', '.join(pushed)} ({'; '.join(result.rejected)})",
            "another run tagged first; the next run takes it from there",
        )
    return result.updated


def _verify_on_remote(git: ReleaseGit, config: Config, branch: str | None, sha: str) -> None:
    """The commit to tag must be on the remote's release branch (it may have moved on)."""
    remote_sha = git.remote_sha(config.remote, f"refs/heads/{branch}")
    if remote_sha == sha:
        return
    if remote_sha is not None:
        git.fetch(config.remote, f"refs/heads/{branch}")
        if git.is_ancestor(sha, remote_sha):
            return
    raise RepositoryError(
        f"{sha[:7]} is not on {config.remote}/{branch}",
        f"release only what {config.remote}/{branch} has: pull or push first",
    )


# -- 3. the release pull request ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the release pull request proposes on top of HEAD: the due releases, and the notes
    its description shows (a monorepo's under each tag)."""

    head: str
    base: str | None
    releases: tuple[Due, ...]
    notes: str
    reason: str  # why nothing is proposed, when ``releases`` is empty

    @property
    def names(self) -> tuple[str, ...]:
        """The releases' names for the title and the trailers."""
        return tuple(p.name for p in self.releases)


def proposal_of(plans: Sequence[PackagePlan]) -> Proposal:
    """What the release pull request proposes: every due release, with its notes."""
    state = plans[0].plan.state
    due = due_releases(plans)
    whole = len(plans) == 1 and plans[0].package.name == WHOLE_REPOSITORY
    reason = plans[0].plan.reason if whole else "no package has a release due"
    if whole:
        notes = release_notes(due[0]) if due else ""
    else:
        notes = "\n".join(f"## {p.tag}\n\n{release_notes(p).rstrip()}\n" for p in due)
    return Proposal(state.head, state.branch, due, notes, reason)


def sync_pull_request(
    proposal: Proposal,
    config: Config,
    git: ReleaseGit,
    forge: PullRequestForge,
    log: list[str],
) -> PullRequest | None:
    """Open, update or close the release pull request so that it proposes ``proposal``."""
    base = proposal.base
    assert base is not None, "a release pull request goes to a branch"
    pull = next((p for p in forge.pull_requests(config.pr_branch) if p.base == base), None)
    if not proposal.releases:
        if pull is not None:
            forge.close_pull_request(pull.number)
            log.append(f"closed pull request #{pull.number}: nothing to release")
        else:
            log.append(f"nothing to release: {proposal.reason}")
        return None
    what = ", ".join(proposal.names)
    pushed = push_release_branch(proposal, config, git)
    title, body = pr_subject(config, what), pr_body(proposal.notes, proposal.names, base)
    if pull is None:
        pull = forge.create_pull_request(head=config.pr_branch, base=base, title=title, body=body)
        log.append(f"opened pull request #{pull.number} for {what}: {pull.url}")
    elif pull.title != title or pull.body.strip() != body.strip():
        pull = forge.update_pull_request(pull.number, title=title, body=body)
        log.append(f"updated pull request #{pull.number} to {what}: {pull.url}")
    elif pushed:
        log.append(f"updated pull request #{pull.number} for {what}: {pull.url}")
    else:
        log.append(f"pull request #{pull.number} for {what} is up to date")
    return pull


def push_release_branch(proposal: Proposal, config: Config, git: ReleaseGit) -> bool:
    """The release commit on top of HEAD, on ``pr_branch``; True when it had to be pushed.

    Written in a temporary work tree (the checkout stays as it is) with the transaction's steps
    2-4a. The push is forced, with a lease on the sha the branch had when we looked: a branch
    that already holds these very changes on this very HEAD is left alone.
    """
    branch, remote = config.pr_branch, config.remote
    seen = git.remote_sha(remote, f"refs/heads/{branch}")
    template = _SKIP_CI.sub("", config.commit_message).strip()
    with git.worktree(proposal.head) as tree:
        changed = write_release_files(tree.root, proposal.releases)
        # With nothing to write the commit carries only the trailers.
        sha = tree.commit(sorted(set(changed)), release_message(template, proposal.names))
        if seen is not None:
            git.fetch(remote, f"refs/heads/{branch}")
            if git.same_change(seen, sha):
                return False
        # A refusal that is no race (a protection rule, a hook) raises RepositoryError there.
        result = git.push_with_lease(remote, sha, branch, seen)
    if not result.accepted:
        raise SupersededError(
            f"{remote} refused the release pull request's branch {branch} "
            f"({'; '.join(result.rejected)})",
            "another run updated it first; the next run brings it up to date",
        )
    return True


def pr_subject(config: Config, names: str) -> str:
    """The release pull request's title and commit subject: the configured release subject
    without CI-skip markers (the merge must run the workflow that tags it).

    >>> pr_subject(Config(), "1.4.0")
    'chore(release): 1.4.0'
    """
    return release_subject(_SKIP_CI.sub("", config.commit_message).strip(), [names])


def pr_body(notes: str, names: Sequence[str], base: str) -> str:
    """The release pull request's description: the notes, what merging does, the trailers (a
    squash merge that uses the description as its message keeps them)."""
    return (
        f"{notes.rstrip()}\n\n---\n\n"
        f"Merging this pull request releases {', '.join(names)}: the next `bot release` on "
        f"{base} tags the merged commit, publishes the release and promotes the images. "
        f"versionbot keeps this pull request up to date with {base}; edits to it are "
        f"overwritten.\n\n{trailer_lines(names)}"
    )


def verify_base(config: Config, base: str) -> None:
    """The pull request goes to a release branch, from a ``pr_branch`` that is not one."""
    if rule_for(config.branches, base) is None:
        raise UsageError(
            f"{base} is not a release branch ({', '.join(r.pattern for r in config.branches)})",
            "run bot release on a release branch, or add this one to [branches]",
        )
    if rule_for(config.branches, config.pr_branch) is not None or base == config.pr_branch:
        raise UsageError(
            f"pr_branch {config.pr_branch} is a release branch: the bot would push to it",
            'set pr_branch to a branch of its own, e.g. "versionbot/release"',
        )


def pull_request_forge(edges: ReleaseEdges) -> PullRequestForge | None:
    """The forge of ``edges`` when it serves pull requests (GitHub), else None."""
    from versionbot.forge.github import GitHubForge

    return edges.forge if isinstance(edges.forge, GitHubForge) else None
