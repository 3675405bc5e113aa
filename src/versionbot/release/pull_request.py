"""Release by pull request (``mode = "pr"``): a person merges, the bot tags what was merged.

Edge orchestration, like release.py, whose step functions it reuses. One ``bot release`` run on
the release branch (``main``), in order:

1. ``complete``: HEAD already carries a release tag (a re-run, a hand-made tag): release.execute
   finishes it (push the tag if missing, forge release, images), committing nothing;
2. ``find_merged_release``: the release pull request was merged since the last release. Its
   commit is found on the branch's first-parent line by the ``Versionbot-Release`` trailer (in
   the commit itself after a rebase or squash merge, in the merge's second parent after a merge
   commit) or, when a squash message dropped the trailer, by asking the forge which merged pull
   request from ``pr_branch`` made it. ``tag_merged_release`` then tags that commit, pushes the
   tag alone, makes the forge release and promotes the images (release.py's steps 4b-7);
3. ``sync_pull_request``: the next release, if one is due, as one commit on top of HEAD (the
   version files and the changelog, written by release.py's steps 2-4a in a temporary work
   tree, so the checkout is never touched) on ``pr_branch``, force-pushed with a lease on what
   the bot last saw there; the pull request opened, or its title and body brought up to date;
   when nothing is due any more, the open pull request is closed.

The bot never pushes to the release branch in this mode: only ``pr_branch`` (which it owns) and
tags. The tag goes on the commit of the release branch that holds the release (the merge, squash
or rebased commit), which is the commit CI built the images for.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, SupersededError, UsageError
from versionbot.core.history import RepositoryState
from versionbot.core.next_run import RunFacts, next_run
from versionbot.core.plan import RELEASE_TRAILER, PlanRequest, ReleasePlan
from versionbot.core.version import InvalidVersion, Version
from versionbot.files.render import Renderer
from versionbot.forge.client import PullRequest, PullRequestForge
from versionbot.git.writer import GitWriter
from versionbot.release.transaction import (
    ReleaseEdges,
    ReleaseOutcome,
    execute,
    promote_images,
    publish_forge_release,
    release_trailers,
    tag_release,
    write_changelog,
    write_version_files,
)

# Markers that make CI skip a push. The release pull request's commit must not carry them: a
# rebase merge puts it on main as it is, and the run for that push is the one that tags it.
_SKIP_CI = re.compile(r"\s*\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]", re.I)
_WALK_LIMIT = 200  # first-parent commits looked at for a merged release pull request


@dataclass(frozen=True, slots=True)
class MergedRelease:
    """A merged release pull request: the commit on the release branch to tag, and what it
    releases: the names its trailers (or title) give, a version, or a monorepo's tags."""

    sha: str
    names: tuple[str, ...]
    how: str  # how it was recognised, for the log

    @property
    def version(self) -> Version:
        """The version a single-package release pull request releases."""
        return Version.parse(self.names[-1])


def release_by_pull_request(
    repo: Path,
    config: Config,
    request: PlanRequest,
    plan: ReleasePlan,
    env: Mapping[str, str],
    *,
    progress: Callable[[str], None] | None = None,
) -> ReleaseOutcome:
    """``bot release`` in ``pr`` mode (see the module docstring for the steps)."""
    from versionbot.git.repository_plan import repository_plan
    from versionbot.release.edges import release_edges

    edges = release_edges(plan, config, env, progress, forge_always=True)
    forge = pull_request_forge(edges)
    base = plan.state.branch
    if plan.previous is not None and plan.previous.tag.sha == plan.state.head:
        outcome = execute(plan, config, edges)  # 1. complete the release HEAD's tag names
        if base is not None and forge is not None:
            after = repository_plan(repo, config, request)  # nothing due: close a stale one
            sync_pull_request(
                Proposal.of_plan(after, config), config, edges.git, forge, outcome.log
            )
        return outcome
    if base is None:
        raise UsageError(
            "a release pull request is made from a branch, not from a detached HEAD",
            "run bot release on the release branch (in CI: on push to main)",
        )
    verify_base(config, base)
    if forge is None:
        raise UsageError(
            f"the release pull request needs the forge: {edges.forge_missing or 'no forge'}",
            "set GITHUB_TOKEN (contents: write, pull-requests: write) and GITHUB_REPOSITORY",
        )
    outcome = ReleaseOutcome(previous_version=plan.previous.version if plan.previous else None)
    merged = find_merged_release(edges.git, _since(plan), config, forge)
    if merged is not None:  # 2. tag what the person merged
        with plan_at(edges.git, config, request, plan, merged.sha) as merged_plan:
            if merged_plan.next is not None and merged_plan.next.version == merged.version:
                unit = MergedUnit(merged_plan, config, outcome, edges)
                tag_merged_release([unit], config, merged)
            else:
                found = merged_plan.next.version if merged_plan.next else "no release"
                outcome.log.append(
                    f"the merged release pull request of {merged.version} ({merged.sha[:7]}) is "
                    f"out of date: the commits ask for {found}; a new pull request follows"
                )
        if outcome.released or outcome.tag is not None:
            # Plan again: the new tag starts the next window.
            plan = repository_plan(repo, config, request)
    sync_pull_request(Proposal.of_plan(plan, config), config, edges.git, forge, outcome.log)  # 3.
    return outcome


# -- 2. the merged release pull request --------------------------------------------------------


def find_merged_release(
    git: GitWriter,
    since: Sequence[str],
    config: Config,
    forge: PullRequestForge | None,
    *,
    tags: bool = False,
) -> MergedRelease | None:
    """The newest merged release pull request on HEAD's first-parent line after the commits
    ``since`` (the last releases), or None. The trailer first (no network); the forge only
    when no commit has it. With ``tags`` (a monorepo), trailers and titles name tags."""
    read = _trailer_tags if tags else _trailer_version
    listing = git.run(
        "log",
        "--first-parent",
        f"-{_WALK_LIMIT}",
        "--format=%H%x1f%P%x1f%B%x1e",
        "HEAD",
        *(f"^{sha}" for sha in since),
    ).stdout
    line: list[str] = []
    for record in listing.split("\x1e"):
        sha, _, rest = record.strip("\n").partition("\x1f")
        if not sha:
            continue
        parents, _, message = rest.partition("\x1f")
        line.append(sha)
        names = read(message)
        if names:
            return MergedRelease(sha, names, "its release trailer")
        second = parents.split()[1:2]
        if second:
            names = read(git.run("show", "-s", "--format=%B", second[0]).stdout)
            if names:
                return MergedRelease(sha, names, "the release trailer of the merged commit")
    if forge is None or not line:
        return None
    for pull in forge.pull_requests(config.pr_branch, state="closed"):
        if pull.merged and pull.merge_commit_sha in line:
            names = title_names(config, pull.title, tags=tags)
            if names:
                return MergedRelease(pull.merge_commit_sha, names, f"pull request #{pull.number}")
    return None


def _trailer_version(message: str) -> tuple[str, ...]:
    version = trailer_version(message)
    return (str(version),) if version is not None else ()


def _trailer_tags(message: str) -> tuple[str, ...]:
    return tuple(release_trailers(message))


def trailer_version(message: str) -> Version | None:
    """The version of the last ``Versionbot-Release:`` line of a commit message, or None.

    >>> str(trailer_version("chore(release): 1.4.0\\n\\nVersionbot-Release: 1.4.0\\n"))
    '1.4.0'
    >>> trailer_version("fix: x\\n\\nVersionbot-Release: soon") is None
    True
    """
    found = release_trailers(message)
    if not found:
        return None
    try:
        return Version.parse(found[-1])
    except InvalidVersion:
        return None


def title_names(config: Config, title: str, *, tags: bool = False) -> tuple[str, ...]:
    """What a release pull request's title releases (``chore(release): 1.4.0``, with the
    `` (#12)`` a squash merge adds): its version, or with ``tags`` a monorepo's tags
    (``chore(release): api-v1.4.0, web-v0.2.0``); empty when the title is not one.

    >>> title_names(Config(), "chore(release): 1.4.0 (#12)")
    ('1.4.0',)
    >>> title_names(Config(), "chore(release): api-v1.4.0, web-v2.0.0", tags=True)
    ('api-v1.4.0', 'web-v2.0.0')
    """
    prefix, _, suffix = pr_subject(config, "\0").partition("\0")
    named = r"(\S+(?:, \S+)*)" if tags else r"(\S+)"
    pattern = re.escape(prefix) + named + re.escape(suffix) + r"(?: \(#\d+\))?"
    match = re.fullmatch(pattern, title.strip())
    if match is None:
        return ()
    if tags:
        return tuple(match[1].split(", "))
    try:
        return (str(Version.parse(match[1])),)
    except InvalidVersion:
        return ()


class MergedUnit(NamedTuple):
    """One release a merged release pull request holds: its plan at the merged commit, the
    settings it was made with, where its outcome goes, and its forge and images."""

    plan: ReleasePlan
    settings: Config
    outcome: ReleaseOutcome
    edges: ReleaseEdges


def tag_merged_release(units: Sequence[MergedUnit], config: Config, merged: MergedRelease) -> None:
    """Tag the merged release commit for every release it holds, push the tags together and
    alone (``--atomic``), then each release's forge release and images."""
    git, sha = units[0].edges.git, merged.sha
    tags: list[str] = []
    notes: list[str] = []
    for unit in units:
        plan, outcome = unit.plan, unit.outcome
        assert plan.next is not None
        renderer = Renderer.for_repository(plan.state, unit.settings)
        tags.append(plan.next.tag)
        notes.append(renderer.release_notes(plan.notes) if plan.notes is not None else "")
        outcome.version, outcome.tag, outcome.sha = plan.next.version, plan.next.tag, sha
        outcome.notes = notes[-1]
        outcome.log.append(f"{sha[:7]} is the merged release of {plan.next.version} ({merged.how})")
    on_remote = git.remote_tag_commits(config.remote, tags)
    for tag, at in on_remote.items():
        if at != sha:
            raise RepositoryError(
                f"tag {tag} already exists on {config.remote} on {at[:7]}, not on {sha[:7]}",
                "the release was made elsewhere; delete the tag if it is wrong, then run again",
            )
    missing = [i for i, tag in enumerate(tags) if tag not in on_remote]
    if missing:
        _verify_on_remote(git, config, units[0].plan.state.branch, sha)
        if not git.has_identity():
            raise RepositoryError(
                "git has no identity to make the release tag with",
                "set committer in the versionbot configuration, or git config user.name/email",
            )
        made = []
        for i in missing:
            if tag_release(units[i].plan, units[i].settings, git, sha, notes[i]):
                made.append(tags[i])
            units[i].outcome.log.append(f"tagged {tags[i]} on {sha[:7]}")
        pushed = [tags[i] for i in missing]
        result = git.push_atomically(config.remote, [f"refs/tags/{tag}" for tag in pushed])
        landed = git.remote_tag_commits(config.remote, pushed) if not result.accepted else {}
        if not result.accepted and any(landed.get(tag) != sha for tag in pushed):
            for tag in made:
                git.run("tag", "-d", tag, check=False)
            raise SupersededError(
                f"{config.remote} refused the tags {', '.join(pushed)} "
                f"({'; '.join(result.rejected)})",
                "another run tagged first; the next run takes it from there",
            )
    for i, unit in enumerate(units):
        if i in missing:
            unit.outcome.log.append(f"pushed {tags[i]} to {config.remote}")
            unit.outcome.released = True
        else:
            unit.outcome.log.append(f"{tags[i]} is already on {config.remote}")
        publish_forge_release(unit.plan, unit.edges, sha, notes[i], unit.outcome)
        promote_images(unit.plan, unit.edges, unit.outcome)


def _verify_on_remote(git: GitWriter, config: Config, branch: str | None, sha: str) -> None:
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
    """What the release pull request proposes on top of HEAD: each release's plan with the
    settings that write its files, and the names its title and trailers give them (the version;
    in a monorepo, each package's tag)."""

    state: RepositoryState
    releases: tuple[tuple[ReleasePlan, Config], ...]
    names: tuple[str, ...]
    notes: str  # what the description shows
    reason: str  # why nothing is proposed, when ``releases`` is empty

    @classmethod
    def of_plan(cls, plan: ReleasePlan, config: Config) -> Proposal:
        """The proposal of one repository's next release (none when no release is due)."""
        if plan.next is None:
            return cls(plan.state, (), (), "", plan.reason)
        renderer = Renderer.for_repository(plan.state, config)
        notes = renderer.release_notes(plan.notes) if plan.notes is not None else ""
        return cls(plan.state, ((plan, config),), (str(plan.next.version),), notes, plan.reason)


def sync_pull_request(
    proposal: Proposal,
    config: Config,
    git: GitWriter,
    forge: PullRequestForge,
    log: list[str],
) -> PullRequest | None:
    """Open, update or close the release pull request so that it proposes ``proposal``."""
    base = proposal.state.branch
    assert base is not None
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


def push_release_branch(proposal: Proposal, config: Config, git: GitWriter) -> bool:
    """The release commit on top of HEAD, on ``pr_branch``; True when it had to be pushed.

    Written in a temporary work tree (the checkout stays as it is) with release.py's steps.
    The push is forced, with a lease on the sha the branch had when we looked: a branch that
    already holds these very changes on this very HEAD is left alone.
    """
    branch, remote = config.pr_branch, config.remote
    seen = git.remote_sha(remote, f"refs/heads/{branch}")
    subject = pr_subject(config, ", ".join(proposal.names))
    trailers = "".join(f"{RELEASE_TRAILER}: {name}\n" for name in proposal.names)
    with worktree(git, proposal.state.head) as tree:
        changed: list[str] = []
        for plan, settings in proposal.releases:
            tree_plan = dataclasses.replace(plan, state=plan.state._replace(root=str(tree.root)))
            renderer = Renderer.for_repository(plan.state, settings)
            changed += write_version_files(tree_plan, settings)
            changed += write_changelog(tree_plan, settings, renderer)
        if changed:
            sha = tree.commit(sorted(set(changed)), f"{subject}\n\n{trailers}")
        else:  # nothing to write: the commit carries only the trailers
            message = f"{subject}\n\n{trailers}"
            tree.run("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)
            sha = tree.head()
        if seen is not None and _same_release_commit(git, remote, branch, seen, sha):
            return False
        lease = f"--force-with-lease=refs/heads/{branch}:{seen or ''}"
        result = git.run(
            "push", "--porcelain", lease, remote, f"{sha}:refs/heads/{branch}", check=False
        )
    if result.returncode != 0:
        raise SupersededError(
            f"{remote} refused the release pull request's branch {branch}: "
            f"{git.redact(_last_line(result.stdout + result.stderr))}",
            "another run updated it first; the next run brings it up to date",
        )
    return True


def _same_release_commit(git: GitWriter, remote: str, branch: str, seen: str, sha: str) -> bool:
    """Whether the branch's commit ``seen`` already is ``sha`` in all but its dates."""
    git.fetch(remote, f"refs/heads/{branch}")
    old = git.run("show", "-s", "--format=%P%x1f%T%x1f%B", seen).stdout
    new = git.run("show", "-s", "--format=%P%x1f%T%x1f%B", sha).stdout
    return old == new


def pr_subject(config: Config, version: str) -> str:
    """The release pull request's title and commit subject: the configured release subject
    without CI-skip markers (the merge must run the workflow that tags it).

    >>> pr_subject(Config(), "1.4.0")
    'chore(release): 1.4.0'
    """
    return _SKIP_CI.sub("", config.commit_message).strip().replace("{version}", version)


def pr_body(notes: str, names: Sequence[str], base: str) -> str:
    """The release pull request's description: the notes, what merging does, the trailers (a
    squash merge that uses the description as its message keeps them)."""
    trailers = "".join(f"{RELEASE_TRAILER}: {name}\n" for name in names)
    return (
        f"{notes.rstrip()}\n\n---\n\n"
        f"Merging this pull request releases {', '.join(names)}: the next `bot release` on "
        f"{base} tags the merged commit, publishes the release and promotes the images. "
        f"versionbot keeps this pull request up to date with {base}; edits to it are "
        f"overwritten.\n\n{trailers}"
    )


# -- bot plan: what the next run will do -------------------------------------------------------


def describe_next_run(config: Config, plan: ReleasePlan, env: Mapping[str, str]) -> str | None:
    """The ``bot plan`` lines saying the mode and what the next ``bot release`` does; None in
    direct mode when the plan says it all. Reads git; asks the forge which pull request is open
    only in pr mode and only when a token is there (read-only; without one, or when the forge
    cannot be reached, the sentence says "open or update")."""
    from versionbot.cli.report import next_run_to_text

    tagged = plan.previous.tag.name if plan.previous else None
    at_head = plan.previous is not None and plan.previous.tag.sha == plan.state.head
    if config.mode != "pr" and not at_head:
        return None
    facts = RunFacts(config.mode, config.pr_branch, tagged if at_head else None)
    if config.mode == "pr" and not at_head:
        git = GitWriter(Path(plan.state.root), env=env)
        merged = find_merged_release(git, _since(plan), config, None)
        facts = dataclasses.replace(
            facts, merged=(merged.sha, str(merged.version)) if merged else None
        )
        if merged is None:
            facts = _open_pull_facts(facts, config, plan, git, env)
    return next_run_to_text(config.mode, next_run(plan, facts))


def _open_pull_facts(
    facts: RunFacts, config: Config, plan: ReleasePlan, git: GitWriter, env: Mapping[str, str]
) -> RunFacts:
    from versionbot.core.errors import ForgeError
    from versionbot.forge.client import github_forge, token_from_env

    remote_url = git.run("remote", "get-url", config.remote, check=False).stdout.strip()
    if token_from_env(env) is None or not remote_url:
        return facts
    try:
        forge = github_forge(env, remote_url)
        if forge is None:
            return facts
        with forge:
            pulls = forge.pull_requests(config.pr_branch)
    except ForgeError:
        return facts
    pull = next((p for p in pulls if p.base == plan.state.branch), None)
    return dataclasses.replace(
        facts, pull_known=True, pull=(pull.number, pull.url) if pull else None
    )


# -- helpers -----------------------------------------------------------------------------------


@contextmanager
def worktree(git: GitWriter, sha: str) -> Iterator[GitWriter]:
    """A temporary detached work tree at ``sha`` (removed afterwards), and its GitWriter."""
    folder = Path(tempfile.mkdtemp(prefix="versionbot-"))
    path = folder / "tree"
    git.run("worktree", "add", "--quiet", "--detach", str(path), sha)
    tree = copy.copy(git)
    tree.root = path
    try:
        yield tree
    finally:
        git.run("worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(folder, ignore_errors=True)
        git.run("worktree", "prune", check=False)


@contextmanager
def plan_at(
    git: GitWriter, config: Config, request: PlanRequest, plan: ReleasePlan, sha: str
) -> Iterator[ReleasePlan]:
    """The plan as a run at ``sha`` would have made it (``plan`` itself when ``sha`` is HEAD),
    its branch kept; the work tree behind it lives until the block ends."""
    if sha == plan.state.head:
        yield plan
        return
    from versionbot.git.repository_plan import repository_plan

    with worktree(git, sha) as tree:
        at = repository_plan(tree.root, config, request)
        yield dataclasses.replace(at, state=at.state._replace(branch=plan.state.branch))


def _since(plan: ReleasePlan) -> list[str]:
    return [plan.previous.tag.sha] if plan.previous is not None else []


def verify_base(config: Config, base: str) -> None:
    """The pull request goes to a release branch, from a ``pr_branch`` that is not one."""
    from versionbot.core.branches import rule_for

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
    """The forge of ``edges`` when it serves pull requests (GitHub, Gitea), else None."""
    from versionbot.forge.client import GiteaForge, GitHubForge

    return edges.forge if isinstance(edges.forge, GitHubForge | GiteaForge) else None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
