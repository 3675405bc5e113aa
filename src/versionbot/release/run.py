"""``bot release`` from top to bottom, and the ``next run`` sentence of ``bot plan``.

Edge orchestration. One release path for every repository and mode:

1. the plans (git/repository_plan.py): every package's next release; a repository without
   ``[packages]`` is one package at its root;
2. what HEAD holds: the releases whose tags it carries (planned as they were made) and the
   names its release trailers give, with where their tags are on the remote;
3. the decision (core/next_run.py), which ``bot plan`` words with the same code;
4. the mode decides where the release commit goes: ``direct`` runs the transaction on the
   branch (transaction.py); ``pr`` puts it in the release pull request and tags what a person
   merged (pull_request.py). A tag a person pushed is finished by either, committing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.errors import ForgeError, UsageError, VersionConflictError
from versionbot.core.history import RepositoryState
from versionbot.core.next_run import (
    Due,
    PullRequestFacts,
    Releases,
    choose_releases,
    due_releases,
    marked_tags,
    sentence,
)
from versionbot.core.packages import WHOLE_REPOSITORY, packages_of
from versionbot.core.plan import PackagePlan, PlanRequest
from versionbot.core.version import Version
from versionbot.git.reader import repository_state
from versionbot.git.release_commits import release_commit_names, says_its_versions
from versionbot.git.repository_plan import (
    package_plans,
    releases_at_head,
    releases_made_at_head,
)
from versionbot.git.writer import GitWriter
from versionbot.release.behind import finish_past_head, releases_past_head
from versionbot.release.edges import forge_of, git_writer, image_stage
from versionbot.release.outcome import ReleaseOutcome, RunOutcome
from versionbot.release.pull_request import (
    find_merged_release,
    last_releases,
    release_by_pull_request,
)
from versionbot.release.transaction import (
    ReleaseEdges,
    ReleaseGit,
    execute,
)


def run_release(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    env: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
    *,
    only: str | None = None,
    git: ReleaseGit | None = None,
    push: bool = True,
) -> RunOutcome:
    """``bot release``: every due package's release (or ``only`` that package's) in the
    configured mode. ``git`` replaces the git edge built from the environment (tests wrap it).
    Without ``push`` (``--no-push``, direct mode) the release commit and tags stay local."""
    if not push and config.mode == "pr":
        raise UsageError(
            "--no-push does not apply in pr mode: the release commit is the merged pull request",
            'build the image of the merged commit before bot release, or use mode = "direct"',
        )
    if only is not None and config.mode == "pr":
        raise UsageError(
            "--package does not apply in pr mode: the release pull request holds every due package",
            'merge the release pull request, or release with mode = "direct"',
        )
    state = repository_state(repo)
    root = Path(state.root)
    git = git or git_writer(root, config, env)

    def connect_tree(tree: ReleaseGit) -> ReleaseEdges:
        return connect(tree.root, config, env, tree, progress, forge=True)

    try:
        plans = package_plans(repo, config, requests)
    except VersionConflictError:
        # The next version is taken. On a tag checkout, by a release made after the tag's: the
        # run completes the tag's release, which needs no next one.
        held = tagged_head_releases(repo, config, requests, state)
        if held:
            edges = connect(root, config, env, git, progress, forge=True)
            outcome = execute(Releases(at_head=held), config, edges, push=push)
            return _with_whole_repository(outcome, config, None)
        # Or by a release on another branch, or (a CI re-run of the run that made it) by one
        # the remote branch holds past HEAD, which is finished instead.
        past = releases_past_head(git, config, state)
        if not past:
            raise
        if not push:
            tags = ", ".join(tag for _, names in past for tag in names)
            return _with_whole_repository(
                RunOutcome(log=[f"{tags} released past HEAD: nothing to prepare"]), config, None
            )
        outcome = finish_past_head(past, config, requests, git, state, connect=connect_tree)
        return _with_whole_repository(outcome, config, None)
    at_head = releases_at_head(repo, config, requests, plans)
    if config.mode == "pr":

        def plan_tree(path: Path) -> tuple[PackagePlan, ...]:
            return package_plans(path, config, requests)

        edges = connect(root, config, env, git, progress, forge=True)
        outcome = release_by_pull_request(plans, at_head, config, edges, plan_tree)
    else:
        releases = direct_releases(plans, at_head, config, git, remote=True).only(only)
        due = bool(releases.at_head or releases.new)
        edges = connect(root, config, env, git, progress, forge=due)
        outcome = execute(releases, config, edges, push=push)
    previous = plans[0].plan.previous
    return _with_whole_repository(outcome, config, previous.version if previous else None)


def _with_whole_repository(
    outcome: RunOutcome, config: Config, previous: Version | None
) -> RunOutcome:
    """A repository without ``[packages]`` always reports its one package (CI outputs)."""
    if not config.packages and WHOLE_REPOSITORY not in outcome.packages:
        outcome.packages[WHOLE_REPOSITORY] = ReleaseOutcome(previous_version=previous)
    return outcome


def tagged_head_releases(
    repo: Path, config: Config, requests: Mapping[str, PlanRequest], state: RepositoryState
) -> tuple[Due, ...]:
    """On a detached HEAD (a tag checkout), the releases its tags hold, planned as made;
    nothing on a branch, where the next release's plan decides."""
    if state.branch is not None:
        return ()
    order = [package.name for package in packages_of(config)]
    return releases_made_at_head(repo, config, requests, state, order)


def direct_releases(
    plans: tuple[PackagePlan, ...],
    at_head: Sequence[Due],
    config: Config,
    git: ReleaseGit,
    *,
    remote: bool,
) -> Releases:
    """What a direct-mode run does. With ``remote``, where the tags HEAD's trailers name are
    is asked of the remote; without (``bot plan``: no network), the local tags at HEAD are
    taken for it.

    HEAD's trailers count only when HEAD is the bot's release commit (git/release_commits.py),
    and one that no tag names yet is finished only when its version files say the versions
    its trailers name: otherwise HEAD is an ordinary commit, whatever its message claims.
    """
    head, root = plans[0].plan.state.head, plans[0].plan.state.root
    marked = release_commit_names(root, head, git.message(head), config)
    tags = marked_tags(marked, config)
    if not tags:
        on_remote: Mapping[str, str] = {}
    elif remote:
        on_remote = git.remote_tag_commits(config.remote, tags)
    else:
        on_remote = {p.tag: head for p in at_head}
    tagged = {p.tag for p in at_head} | {tag for tag, at in on_remote.items() if at == head}
    if marked and not tagged & set(tags) and not says_its_versions(root, head, marked, config):
        marked, on_remote = (), {}
    return choose_releases(plans, at_head, marked, on_remote, config)


def connect(
    root: Path,
    config: Config,
    env: Mapping[str, str],
    git: ReleaseGit,
    progress: Callable[[str], None] | None,
    *,
    forge: bool,
) -> ReleaseEdges:
    """The edges of a run: ``git``, the forge (only when ``forge``: a release is due, or a
    release pull request is kept) and every package's image stage."""
    found, missing = forge_of(env, git.remote_url(config.remote)) if forge else (None, None)
    images = {
        package.name: image_stage(package.config, root, env, progress)
        for package in packages_of(config)
        if package.config.images is not None
    }
    return ReleaseEdges(git=git, forge=found, images=images, forge_missing=missing)


def describe_next_run(
    repo: Path,
    config: Config,
    requests: Mapping[str, PlanRequest],
    plans: tuple[PackagePlan, ...],
    env: Mapping[str, str],
) -> str | None:
    """What the next ``bot release`` does, in one sentence (``bot plan``'s ``next run``); None
    in direct mode when HEAD carries no release tag and the run releases what the plan shows
    (the plan says it all then). HEAD's release tags are found whatever the request (a
    prerelease's too), as ``bot release`` finds them; a detached HEAD without one is refused.
    Reads git, and in pr mode asks the forge which pull request is open only when a token is
    there (read-only; without one, or when the forge cannot be reached, the sentence says "open
    or update")."""
    state = plans[0].plan.state
    at_head = releases_at_head(repo, config, requests, plans)
    due = due_releases(plans)
    detached = state.branch is None
    if config.mode != "pr" and not at_head and not (detached and due):
        return None
    git = GitWriter(Path(state.root), env=env)
    if config.mode == "pr":
        releases = Releases(at_head=at_head)
    else:
        releases = direct_releases(plans, at_head, config, git, remote=False)
    facts = PullRequestFacts()
    if config.mode == "pr" and not at_head and not detached:
        merged = find_merged_release(git, last_releases(plans), config, None)
        if merged is not None:
            facts = PullRequestFacts(merged=(merged.sha, merged.names))
        else:
            facts = _open_pull(config, plans, git, env)
    return sentence(config.mode, config.pr_branch, releases, due, facts, detached=detached)


def _open_pull(
    config: Config, plans: tuple[PackagePlan, ...], git: GitWriter, env: Mapping[str, str]
) -> PullRequestFacts:
    from versionbot.forge.settings import github_forge, token_from_env

    remote_url = git.remote_url(config.remote)
    if token_from_env(env) is None or not remote_url:
        return PullRequestFacts()
    try:
        forge = github_forge(env, remote_url)
        if forge is None:
            return PullRequestFacts()
        with forge:
            pulls = forge.pull_requests(config.pr_branch)
    except ForgeError:
        return PullRequestFacts()
    pull = next((p for p in pulls if p.base == plans[0].plan.state.branch), None)
    return PullRequestFacts(pull=(pull.number, pull.url) if pull else None, pull_known=True)
