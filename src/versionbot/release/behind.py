"""A checkout behind the remote branch: finish the releases made past HEAD, make no new one.

Edge orchestration. A CI re-run checks out the commit that triggered the run, never the
remote's tip, and the bot's own release commit (``[skip ci]``) starts no run. So when a run
pushed its release commit and tags and then failed (the forge release, the images), the only
run that can finish the release is a re-run whose HEAD is the release commit's *parent*. The
remote alone says what to finish: the release tags on the commits its branch has past HEAD.
Each is finished the way a tag a person pushed is, in a temporary work tree at its commit
(tag already pushed: forge release, image tags), committing nothing. No new release is
planned: HEAD's commits are in those releases, and what came after them is the newer run's.
The remote is asked only when HEAD's next version is taken already (run.py): in a re-run of
the run that made a release, it is taken by that release.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from versionbot.core.config import Config
from versionbot.core.history import RepositoryState
from versionbot.core.next_run import Releases
from versionbot.core.packages import packages_of
from versionbot.core.plan import PlanRequest
from versionbot.git.repository_plan import neutral_request, package_plans, releases_at_head
from versionbot.release.outcome import RunOutcome
from versionbot.release.transaction import ReleaseEdges, ReleaseGit, execute

# The edges of a work tree: connect() in run.py, passed in so that this module needs no
# knowledge of the environment.
Connect = Callable[[ReleaseGit], ReleaseEdges]


def releases_past_head(
    git: ReleaseGit, config: Config, state: RepositoryState, *, remote: bool = True
) -> list[tuple[str, list[str]]]:
    """The release tags the remote branch has on commits past HEAD, by commit, oldest first;
    empty when HEAD is detached, is the remote branch's tip, or is not behind it (a diverged
    HEAD is verify_remote's to refuse). Without ``remote`` (``bot plan``: no network), the
    remote-tracking branch and the local tags stand for the remote's."""
    if state.branch is None:
        return []
    branch = f"refs/heads/{state.branch}"
    if remote:
        tip = git.remote_sha(config.remote, branch)
    else:
        tip = git.local_sha(f"refs/remotes/{config.remote}/{state.branch}")
    if tip is None or tip == state.head:
        return []
    if remote:
        git.fetch(config.remote, branch)
    if not git.is_ancestor(state.head, tip):
        return []
    position = {sha: i for i, sha in enumerate(git.commits_after(state.head, tip))}
    formats = {package.config.tag_format for package in packages_of(config)}
    globs = sorted(f.glob for f in formats)
    tags = git.remote_tags(config.remote, globs) if remote else git.local_tags(globs)
    past: dict[str, list[str]] = {}
    for tag, sha in tags.items():
        if sha in position and any(f.parse(tag) is not None for f in formats):
            past.setdefault(sha, []).append(tag)
    return sorted(past.items(), key=lambda item: position[item[0]])


def finish_past_head(
    past: list[tuple[str, list[str]]],
    config: Config,
    requests: Mapping[str, PlanRequest],
    git: ReleaseGit,
    state: RepositoryState,
    *,
    connect: Connect,
) -> RunOutcome:
    """Finish every release of ``past`` (releases_past_head) at its commit; plan nothing new."""
    outcome = RunOutcome()
    tags = [tag for _, names in past for tag in names]
    outcome.log.append(
        f"HEAD {state.head[:7]} is behind {config.remote}/{state.branch}, which released "
        f"{', '.join(tags)} after it: finishing, releasing nothing new"
    )
    # As made: a re-run's --version or --bump was for the release that is now being finished.
    as_made = {name: neutral_request(request) for name, request in requests.items()}
    git.fetch(config.remote, *(f"refs/tags/{tag}:refs/tags/{tag}" for tag in tags))
    for sha, names in past:
        with git.worktree(sha) as tree:
            plans = package_plans(tree.root, config, as_made)
            held = releases_at_head(tree.root, config, as_made, plans)
            due = tuple(d for d in held if d.tag in names)
            done = execute(Releases(at_head=due), config, connect(tree))
        outcome.packages.update(done.packages)
        outcome.log += done.log
        outcome.sha = sha
    return outcome
