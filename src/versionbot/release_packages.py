"""Execute a monorepo's release: every package that is due, in one commit and one atomic push.

Edge orchestration, the direct mode of release.py for ``[packages]``, with the same numbered
steps and the same resuming rules, over several packages at once:

1. verify (release branch, clean work tree but for what steps 2-3 write, HEAD and the remote
   branch where the plans saw them, credentials), once for all packages;
2. and 3. each due package's version files and changelog (in its folder);
4. ONE release commit, ``commit_message`` with the released tags for ``{version}`` and one
   ``Versionbot-Release: TAG`` trailer per package; an annotated tag per package on it;
5. one ``git push --atomic``: the commit and every tag land together, or nothing does;
6. and 7. each package's forge release and image tags.

Resuming: HEAD already holding every due package's tag: steps 5-7 where missing (a person's
tags, a crashed run's). HEAD the bot's release commit for exactly the due packages' tags:
steps 4 (tags only) to 7. HEAD the release commit of other tags: nothing (loop safety).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from versionbot.config import Config
from versionbot.errors import SupersededError, UsageError
from versionbot.git_write import GitWriter
from versionbot.plan import PackagePlan
from versionbot.release import (
    _FORGE_HINT,
    RELEASE_TRAILER,
    ImageStage,
    ReleaseEdges,
    ReleaseOutcome,
    own_paths,
    promote_images,
    publish_forge_release,
    push_atomically,
    tag_release,
    undo_local,
    verify_release,
    write_changelog,
    write_version_files,
)
from versionbot.render import Renderer
from versionbot.version import Version

_TRAILER = re.compile(rf"^{RELEASE_TRAILER}:[ \t]*(\S+)[ \t]*$", re.M)


@dataclass(slots=True)
class PackagesOutcome:
    """What ``execute_packages`` did: one ReleaseOutcome per package that is due (by name),
    the release commit, and the run's log."""

    packages: dict[str, ReleaseOutcome] = field(default_factory=dict)
    sha: str | None = None
    log: list[str] = field(default_factory=list)

    @property
    def released(self) -> bool:
        """Whether this run released (or finished releasing) any package."""
        return any(o.released for o in self.packages.values())


def execute_packages(
    plans: Sequence[PackagePlan],
    config: Config,
    edges: ReleaseEdges,
    images: Mapping[str, ImageStage],
) -> PackagesOutcome:
    """Release every package whose plan has a release due (or finish a half-made release).
    ``edges`` are the repository's git and forge; ``images`` each package's image stage."""
    outcome = PackagesOutcome()
    due = [p for p in plans if p.plan.next is not None]
    if not due:
        outcome.log.append("nothing to release: no package has a release due")
        return outcome
    head = due[0].plan.state.head
    tags = [_tag(p) for p in due]
    marked = _TRAILER.findall(edges.git.run("log", "-1", "--format=%B", head).stdout)
    if marked and sorted(marked) != sorted(tags):
        # Loop safety: the bot's own release commit never starts another release.
        outcome.log.append(
            f"HEAD {head[:7]} is the release commit of {', '.join(marked)}: nothing to release"
        )
        return outcome
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)
    notes = {}
    for package_plan in due:
        plan = package_plan.plan
        assert plan.notes is not None
        renderer = Renderer.for_repository(plan.state, package_plan.package.config)
        notes[package_plan.package.name] = renderer.release_notes(plan.notes)
        outcome.packages[package_plan.package.name] = ReleaseOutcome(
            version=_version(package_plan),
            tag=_tag(package_plan),
            previous_version=plan.previous.version if plan.previous else None,
            notes=notes[package_plan.package.name] or None,
        )
    outcome.sha = _commit_tag_and_push(due, config, edges, notes, outcome, resuming=bool(marked))
    for package_plan in due:
        name = package_plan.package.name
        package_outcome = outcome.packages[name]
        package_outcome.sha = outcome.sha
        publish_forge_release(package_plan.plan, edges, outcome.sha, notes[name], package_outcome)
        stage = images.get(name)
        if stage is not None:
            package_edges = ReleaseEdges(edges.git, None, stage)
            promote_images(package_plan.plan, package_edges, package_outcome)
        outcome.log += [f"{name}: {line}" for line in package_outcome.log]
    return outcome


def _commit_tag_and_push(
    due: Sequence[PackagePlan],
    config: Config,
    edges: ReleaseEdges,
    notes: Mapping[str, str],
    outcome: PackagesOutcome,
    *,
    resuming: bool,
) -> str:
    """Steps 1-5, or what of them a half-made release still lacks; the release commit."""
    git, first = edges.git, due[0].plan
    head = first.state.head
    tags = [_tag(p) for p in due]
    units = [(p.package.config, _version(p)) for p in due]
    on_remote = git.remote_tag_commits(config.remote, tags)
    missing = [tag for tag in tags if on_remote.get(tag) != head]
    if not missing:
        outcome.log.append(f"{', '.join(tags)} already released on HEAD {head[:7]}")
        return head
    if all(git.local_tag(tag) == head for tag in tags):
        verify_release(first, config, edges, resuming=resuming, writes=False, units=units)
        outcome.log.append(f"{', '.join(tags)} on HEAD {head[:7]}: completing the release")
        push_atomically(first, config, git, head, missing)
        outcome.log.append(f"pushed {', '.join(missing)} to {config.remote}")
        _mark_released(outcome, due, missing)
        return head
    verify_release(first, config, edges, resuming=resuming, writes=True, units=units)
    if resuming:
        sha = head
        outcome.log.append(f"HEAD {head[:7]} is the release commit of these tags: resuming")
    else:
        sha = _commit(due, config, git, tags)
        if sha != head:
            outcome.log.append(f"committed {sha[:7]} {_subject(config, tags)}")
    made = [
        _tag(p)
        for p in due
        if tag_release(p.plan, p.package.config, git, sha, notes[p.package.name])
    ]
    outcome.log.append(f"tagged {', '.join(tags)} on {sha[:7]}")
    try:
        push_atomically(first, config, git, sha, missing)
    except SupersededError:
        # The loser of a race changes nothing, not even its own clone.
        undo_local(first, git, made, sha != head)
        raise
    outcome.log.append(f"pushed {sha[:7]} and {', '.join(missing)} to {config.remote}")
    _mark_released(outcome, due, missing)
    return sha


def _commit(
    due: Sequence[PackagePlan],
    config: Config,
    git: GitWriter,
    tags: Sequence[str],
) -> str:
    """Steps 2-4a: every due package's version files and changelog, in one release commit."""
    changed: list[str] = []
    for package_plan in due:
        plan, settings = package_plan.plan, package_plan.package.config
        renderer = Renderer.for_repository(plan.state, settings)
        changed += write_version_files(plan, settings) + write_changelog(plan, settings, renderer)
    own = {path for p in due for path in own_paths(p.package.config)}
    # What a crashed run wrote before its commit is part of this one (already in the files).
    paths = sorted({*changed, *git.pending_paths(own)})
    head = due[0].plan.state.head
    if not paths:
        return head  # nothing to write: the tags go on HEAD
    trailers = "".join(f"{RELEASE_TRAILER}: {tag}\n" for tag in tags)
    return git.commit(paths, f"{_subject(config, tags)}\n\n{trailers}")


def _mark_released(outcome: PackagesOutcome, due: Sequence[PackagePlan], pushed: list[str]) -> None:
    for package_plan in due:
        if _tag(package_plan) in pushed:
            outcome.packages[package_plan.package.name].released = True


def _tag(package_plan: PackagePlan) -> str:
    assert package_plan.plan.next is not None
    return package_plan.plan.next.tag


def _version(package_plan: PackagePlan) -> Version:
    assert package_plan.plan.next is not None
    return package_plan.plan.next.version


def _subject(config: Config, tags: Sequence[str]) -> str:
    return config.commit_message.replace("{version}", ", ".join(tags))
