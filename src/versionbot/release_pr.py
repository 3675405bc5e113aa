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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from versionbot.config import Config
from versionbot.errors import RepositoryError, SupersededError, UsageError
from versionbot.forge import PullRequest, PullRequestForge
from versionbot.git_write import GitWriter
from versionbot.next_run import RunFacts, next_run
from versionbot.plan import RELEASE_TRAILER, PlanRequest, ReleasePlan
from versionbot.release import (
    ReleaseEdges,
    ReleaseOutcome,
    commit_release,
    execute,
    promote_images,
    publish_forge_release,
    release_trailers,
    tag_release,
    write_changelog,
    write_version_files,
)
from versionbot.render import Renderer
from versionbot.version import InvalidVersion, Version

# Markers that make CI skip a push. The release pull request's commit must not carry them: a
# rebase merge puts it on main as it is, and the run for that push is the one that tags it.
_SKIP_CI = re.compile(r"\s*\[(?:skip ci|ci skip|no ci|skip actions|actions skip)\]", re.I)
_WALK_LIMIT = 200  # first-parent commits looked at for a merged release pull request


@dataclass(frozen=True, slots=True)
class MergedRelease:
    """A merged release pull request: the commit on the release branch to tag, and its version."""

    sha: str
    version: Version
    how: str  # how it was recognised, for the log


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
    from versionbot.release_edges import release_edges
    from versionbot.repository_plan import repository_plan

    edges = release_edges(plan, config, env, progress, forge_always=True)
    forge = _pull_request_forge(edges)
    base = plan.state.branch
    if plan.previous is not None and plan.previous.tag.sha == plan.state.head:
        outcome = execute(plan, config, edges)  # 1. complete the release HEAD's tag names
        if base is not None and forge is not None:
            after = repository_plan(repo, config, request)  # nothing due: close a stale one
            sync_pull_request(after, config, edges.git, forge, outcome)
        return outcome
    if base is None:
        raise UsageError(
            "a release pull request is made from a branch, not from a detached HEAD",
            "run bot release on the release branch (in CI: on push to main)",
        )
    _verify_base(config, base)
    if forge is None:
        raise UsageError(
            f"the release pull request needs the forge: {edges.forge_missing or 'no forge'}",
            "set GITHUB_TOKEN (contents: write, pull-requests: write) and GITHUB_REPOSITORY",
        )
    outcome = ReleaseOutcome(previous_version=plan.previous.version if plan.previous else None)
    merged = find_merged_release(edges.git, plan, config, forge)
    if merged is not None:  # 2. tag what the person merged
        with plan_at(edges.git, config, request, plan, merged.sha) as merged_plan:
            if merged_plan.next is not None and merged_plan.next.version == merged.version:
                tag_merged_release(merged_plan, config, edges, merged, outcome)
            else:
                found = merged_plan.next.version if merged_plan.next else "no release"
                outcome.log.append(
                    f"the merged release pull request of {merged.version} ({merged.sha[:7]}) is "
                    f"out of date: the commits ask for {found}; a new pull request follows"
                )
        if outcome.released or outcome.tag is not None:
            # Plan again: the new tag starts the next window.
            plan = repository_plan(repo, config, request)
    sync_pull_request(plan, config, edges.git, forge, outcome)  # 3.
    return outcome


# -- 2. the merged release pull request --------------------------------------------------------


def find_merged_release(
    git: GitWriter, plan: ReleasePlan, config: Config, forge: PullRequestForge | None
) -> MergedRelease | None:
    """The newest merged release pull request on HEAD's first-parent line since the last
    release, or None. The trailer first (no network); the forge only when no commit has it."""
    since = [f"^{plan.previous.tag.sha}"] if plan.previous is not None else []
    listing = git.run(
        "log", "--first-parent", f"-{_WALK_LIMIT}", "--format=%H%x1f%P%x1f%B%x1e", "HEAD", *since
    ).stdout
    line: list[str] = []
    for record in listing.split("\x1e"):
        sha, _, rest = record.strip("\n").partition("\x1f")
        if not sha:
            continue
        parents, _, message = rest.partition("\x1f")
        line.append(sha)
        version = trailer_version(message)
        if version is not None:
            return MergedRelease(sha, version, "its release trailer")
        second = parents.split()[1:2]
        if second:
            merged = git.run("show", "-s", "--format=%B", second[0]).stdout
            version = trailer_version(merged)
            if version is not None:
                return MergedRelease(sha, version, "the release trailer of the merged commit")
    if forge is None or not line:
        return None
    for pull in forge.pull_requests(config.pr_branch, state="closed"):
        if pull.merged and pull.merge_commit_sha in line:
            version = title_version(config, pull.title)
            if version is not None:
                return MergedRelease(pull.merge_commit_sha, version, f"pull request #{pull.number}")
    return None


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


def title_version(config: Config, title: str) -> Version | None:
    """The version in a release pull request's title (``chore(release): 1.4.0``, with the
    `` (#12)`` a squash merge adds), or None.

    >>> str(title_version(Config(), "chore(release): 1.4.0 (#12)"))
    '1.4.0'
    """
    prefix, _, suffix = pr_subject(config, "\0").partition("\0")
    pattern = re.escape(prefix) + r"(\S+)" + re.escape(suffix) + r"(?: \(#\d+\))?"
    match = re.fullmatch(pattern, title.strip())
    try:
        return Version.parse(match[1]) if match else None
    except InvalidVersion:
        return None


def tag_merged_release(
    plan: ReleasePlan,
    config: Config,
    edges: ReleaseEdges,
    merged: MergedRelease,
    outcome: ReleaseOutcome,
) -> None:
    """Tag the merged release commit, push the tag alone, then forge release and images."""
    assert plan.next is not None
    git, tag, sha = edges.git, plan.next.tag, merged.sha
    renderer = Renderer.for_repository(plan.state, config)
    notes = renderer.release_notes(plan.notes) if plan.notes is not None else ""
    outcome.version, outcome.tag, outcome.sha, outcome.notes = plan.next.version, tag, sha, notes
    outcome.log.append(f"{sha[:7]} is the merged release of {plan.next.version} ({merged.how})")
    remote_tag = git.remote_tag_commit(config.remote, tag)
    if remote_tag is not None and remote_tag != sha:
        raise RepositoryError(
            f"tag {tag} already exists on {config.remote} on {remote_tag[:7]}, not on {sha[:7]}",
            "the release was made elsewhere; delete the tag if it is wrong, then run again",
        )
    if remote_tag is None:
        _verify_on_remote(git, config, plan.state.branch, sha)
        if not git.has_identity():
            raise RepositoryError(
                "git has no identity to make the release tag with",
                "set committer in the versionbot configuration, or git config user.name/email",
            )
        made = tag_release(plan, config, git, sha, notes)
        outcome.log.append(f"tagged {tag} on {sha[:7]}")
        result = git.push_atomically(config.remote, [f"refs/tags/{tag}"])
        if not result.accepted and git.remote_tag_commit(config.remote, tag) != sha:
            if made:
                git.run("tag", "-d", tag, check=False)
            raise SupersededError(
                f"{config.remote} refused the tag {tag} ({'; '.join(result.rejected)})",
                "another run tagged first; the next run takes it from there",
            )
        outcome.log.append(f"pushed {tag} to {config.remote}")
        outcome.released = True
    else:
        outcome.log.append(f"{tag} is already on {config.remote}")
    publish_forge_release(plan, edges, sha, notes, outcome)
    promote_images(plan, edges, outcome)


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


def sync_pull_request(
    plan: ReleasePlan,
    config: Config,
    git: GitWriter,
    forge: PullRequestForge,
    outcome: ReleaseOutcome,
) -> PullRequest | None:
    """Open, update or close the release pull request so that it proposes ``plan``'s release."""
    base = plan.state.branch
    assert base is not None
    pull = next((p for p in forge.pull_requests(config.pr_branch) if p.base == base), None)
    if plan.next is None:
        if pull is not None:
            forge.close_pull_request(pull.number)
            outcome.log.append(f"closed pull request #{pull.number}: nothing to release")
        else:
            outcome.log.append(f"nothing to release: {plan.reason}")
        return None
    renderer = Renderer.for_repository(plan.state, config)
    notes = renderer.release_notes(plan.notes) if plan.notes is not None else ""
    version = plan.next.version
    pushed = push_release_branch(plan, config, git, renderer)
    title, body = pr_subject(config, str(version)), pr_body(notes, version, base)
    if pull is None:
        pull = forge.create_pull_request(head=config.pr_branch, base=base, title=title, body=body)
        outcome.log.append(f"opened pull request #{pull.number} for {version}: {pull.url}")
    elif pull.title != title or pull.body.strip() != body.strip():
        pull = forge.update_pull_request(pull.number, title=title, body=body)
        outcome.log.append(f"updated pull request #{pull.number} to {version}: {pull.url}")
    elif pushed:
        outcome.log.append(f"updated pull request #{pull.number} for {version}: {pull.url}")
    else:
        outcome.log.append(f"pull request #{pull.number} for {version} is up to date")
    return pull


def push_release_branch(
    plan: ReleasePlan, config: Config, git: GitWriter, renderer: Renderer
) -> bool:
    """The release commit on top of HEAD, on ``pr_branch``; True when it had to be pushed.

    Written in a temporary work tree (the checkout stays as it is) with release.py's steps.
    The push is forced, with a lease on the sha the branch had when we looked: a branch that
    already holds these very changes on this very HEAD is left alone.
    """
    assert plan.next is not None
    branch, remote = config.pr_branch, config.remote
    version = plan.next.version
    seen = git.remote_sha(remote, f"refs/heads/{branch}")
    with worktree(git, plan.state.head) as tree:
        tree_plan = dataclasses.replace(plan, state=plan.state._replace(root=str(tree.root)))
        changed = write_version_files(tree_plan, config)
        changed += write_changelog(tree_plan, config, renderer)
        subject = pr_subject(config, str(version))
        sha = commit_release(tree_plan, config, tree, changed, subject=subject)
        if sha == plan.state.head:  # nothing to write: the commit carries only the trailer
            message = f"{subject}\n\n{RELEASE_TRAILER}: {version}\n"
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


def pr_body(notes: str, version: Version, base: str) -> str:
    """The release pull request's description: the notes, what merging does, the trailer (a
    squash merge that uses the description as its message keeps it)."""
    return (
        f"{notes.rstrip()}\n\n---\n\n"
        f"Merging this pull request releases {version}: the next `bot release` on {base} tags "
        "the merged commit, publishes the release and promotes the images. versionbot keeps "
        f"this pull request up to date with {base}; edits to it are overwritten.\n\n"
        f"{RELEASE_TRAILER}: {version}\n"
    )


# -- bot plan: what the next run will do -------------------------------------------------------


def describe_next_run(config: Config, plan: ReleasePlan, env: Mapping[str, str]) -> str | None:
    """The ``bot plan`` lines saying the mode and what the next ``bot release`` does; None in
    direct mode when the plan says it all. Reads git; asks the forge which pull request is open
    only in pr mode and only when a token is there (read-only; without one, or when the forge
    cannot be reached, the sentence says "open or update")."""
    from versionbot.report import next_run_to_text

    tagged = plan.previous.tag.name if plan.previous else None
    at_head = plan.previous is not None and plan.previous.tag.sha == plan.state.head
    if config.mode != "pr" and not at_head:
        return None
    facts = RunFacts(config.mode, config.pr_branch, tagged if at_head else None)
    if config.mode == "pr" and not at_head:
        git = GitWriter(Path(plan.state.root), env=env)
        merged = find_merged_release(git, plan, config, None)
        facts = dataclasses.replace(
            facts, merged=(merged.sha, str(merged.version)) if merged else None
        )
        if merged is None:
            facts = _open_pull_facts(facts, config, plan, git, env)
    return next_run_to_text(config.mode, next_run(plan, facts))


def _open_pull_facts(
    facts: RunFacts, config: Config, plan: ReleasePlan, git: GitWriter, env: Mapping[str, str]
) -> RunFacts:
    from versionbot.errors import ForgeError
    from versionbot.forge import github_forge, token_from_env

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
    from versionbot.repository_plan import repository_plan

    with worktree(git, sha) as tree:
        at = repository_plan(tree.root, config, request)
        yield dataclasses.replace(at, state=at.state._replace(branch=plan.state.branch))


def _verify_base(config: Config, base: str) -> None:
    from versionbot.branches import rule_for

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


def _pull_request_forge(edges: ReleaseEdges) -> PullRequestForge | None:
    from versionbot.forge import GiteaForge, GitHubForge

    return edges.forge if isinstance(edges.forge, GitHubForge | GiteaForge) else None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
