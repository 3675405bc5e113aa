"""``bot tag``: the annotated release tag a person makes by hand, checked against the commits.

Edge: reads the plan of the repository, makes one annotated (or signed) tag on HEAD whose
message is the release notes (as transaction.tag_release writes them), and pushes that tag alone
when asked. The tag-push workflow's ``bot release`` then completes the release (forge release,
images) without committing anything.

A version given by hand is refused (exit 4) when it is not greater than the last release or its
tag exists (never overridable), or when it is a lower level than the commits ask for: a
breaking change tagged as a minor release (``--force`` overrides this check only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, UsageError, VersionConflictError
from versionbot.core.plan import DueRelease, PlanRequest, ReleasePlan
from versionbot.core.version import Version
from versionbot.files.render import Renderer
from versionbot.git.repository_plan import plan_of
from versionbot.release.edges import git_writer
from versionbot.release.transaction import tag_message


@dataclass(frozen=True, slots=True)
class TagOutcome:
    """What ``bot tag`` did."""

    tag: str
    version: Version
    sha: str
    pushed: bool
    log: tuple[str, ...]


def contradiction(planned: ReleasePlan, version: Version) -> str | None:
    """Why ``version`` contradicts what the commits ask for, or None when it does not.

    Lower is a contradiction (1.4.0 when a breaking change asks for 2.0.0; any version when no
    commit asks for a release); higher is the person's decision, like ``--version``. Compared on
    X.Y.Z, so 1.4.0-rc.1 agrees with commits that ask for 1.4.0.
    """
    since = f"since {planned.previous.tag.name}" if planned.previous else "in the history"
    if planned.next is None:
        return f"no commit {since} asks for a release ({planned.reason})"
    wanted = planned.next.version
    if version.core >= wanted.core:
        return None
    decided = planned.decided_by[0].subject if planned.decided_by else planned.reason
    return (
        f"{version} is below {wanted.core}, which the commits {since} ask for "
        f"({planned.bump}: {decided})"
    )


def make_tag(
    repo: Path,
    config: Config,
    request: PlanRequest,
    env: Mapping[str, str],
    *,
    version: Version | None,
    force: bool,
    push: bool,
    package: str | None = None,
) -> TagOutcome:
    """Tag HEAD with the planned version (or ``version``), the notes as the tag's message; in a
    monorepo, the version of ``package``, with its tag format and notes."""
    settings = config if package is None else config.package(package).config
    planned = plan_of(repo, config, request, package)
    if planned.previous is not None and planned.previous.tag.sha == planned.state.head:
        raise VersionConflictError(
            f"HEAD {planned.state.head[:7]} already carries the release tag "
            f"{planned.previous.tag.name}",
            "run bot release to complete that release, or commit something to tag",
        )
    if version is None:
        if not isinstance(planned, DueRelease):
            raise UsageError(
                f"nothing to tag: {planned.reason}",
                "give the version (bot tag X.Y.Z --force) to tag anyway",
            )
        plan: ReleasePlan = planned
    else:
        problem = contradiction(planned, version)
        if problem is not None and not force:
            raise VersionConflictError(
                f"{problem}; not tagging",
                f"tag {planned.next.version if planned.next else 'nothing'} instead, or add "
                "--force if the commits are wrong",
            )
        # Not greater than the last release, or the tag exists: refused here, --force or not.
        plan = plan_of(repo, config, dataclasses.replace(request, version=version), package)
    assert isinstance(plan, DueRelease), "a forced version is always a release"
    git = git_writer(Path(plan.state.root), settings, env, pushes=push)
    if not git.has_identity():
        raise RepositoryError(
            "git has no identity to make the tag with",
            "set committer in the versionbot configuration, or git config user.name/email",
        )
    notes = Renderer.for_repository(plan.state, settings).release_notes(plan.notes)
    tag, sha = plan.next.tag, plan.state.head
    git.tag(tag, sha, tag_message(plan.next.version, notes), sign=settings.sign_tags)
    log = [f"tagged {tag} on {sha[:7]}"]
    if push:
        result = git.push_atomically(config.remote, [f"refs/tags/{tag}"])
        if not result.accepted:
            raise VersionConflictError(
                f"{config.remote} refused the tag {tag} ({'; '.join(result.rejected)})",
                f"the tag exists there already: fetch it (git fetch --tags), or delete yours "
                f"(git tag -d {tag})",
            )
        log.append(f"pushed {tag} to {config.remote}")
    else:
        log.append(f"push it to release: git push {config.remote} {tag}")
    return TagOutcome(tag, plan.next.version, sha, push, tuple(log))
