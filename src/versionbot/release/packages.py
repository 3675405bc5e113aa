"""Execute a monorepo's release: every package that is due, in one commit and one atomic push.

Edge orchestration, the direct mode of release.py for ``[packages]``, with the same numbered
steps over several packages at once:

1. verify (release branch, clean work tree but for what steps 2-3 write, HEAD and the remote
   branch where the plans saw them, credentials), once for all packages;
2. and 3. each due package's version files and changelog (in its folder);
4. ONE release commit, ``commit_message`` with the released tags for ``{version}`` and one
   ``Versionbot-Release: TAG`` trailer per package; an annotated tag per package on it;
5. one ``git push --atomic``: the commit and every tag land together, or nothing does;
6. and 7. each package's forge release and image tags.

Which releases a run makes (``PackageReleases``, decided by ``package_releases``): the releases
HEAD holds or must hold (``at_head``: tags a person or a crashed run made on HEAD, and the
releases HEAD's trailers name) and the releases that need a new commit (``new``). While a
release commit's tags are not all on the remote, a run only finishes them; once they are, the
packages still due are released on top of it. A commit with a release trailer never counts in a
package's window (plan.make_package_plans), so the bot's own commit never makes a release due.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, SupersededError, UsageError
from versionbot.core.plan import RELEASE_TRAILER, PackagePlan
from versionbot.core.version import Version
from versionbot.files.render import Renderer
from versionbot.git.writer import GitWriter
from versionbot.release.transaction import (
    _FORGE_HINT,
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


@dataclass(frozen=True, slots=True)
class PackageReleases:
    """What a monorepo's release run does: the releases whose tags are (or go) on HEAD, and
    those that need a new release commit. ``finishing``: HEAD is a release commit whose tags
    are not all on the remote yet (the remote branch may still be at its parent)."""

    at_head: tuple[PackagePlan, ...] = ()
    new: tuple[PackagePlan, ...] = ()
    finishing: bool = False
    idle: str = "nothing to release: no package has a release due"  # said when both are empty

    def only(self, name: str | None) -> PackageReleases:
        """The releases of the package ``name`` alone (``--package NAME``); all with None."""
        if name is None:
            return self
        at_head = tuple(p for p in self.at_head if p.package.name == name)
        new = tuple(p for p in self.new if p.package.name == name)
        return dataclasses.replace(self, at_head=at_head, new=new)


@dataclass(slots=True)
class PackagesOutcome:
    """What ``execute_packages`` did: one ReleaseOutcome per package released or finished (by
    name), the newest release commit, and the run's log."""

    packages: dict[str, ReleaseOutcome] = field(default_factory=dict)
    sha: str | None = None
    log: list[str] = field(default_factory=list)

    @property
    def released(self) -> bool:
        """Whether this run released (or finished releasing) any package."""
        return any(o.released for o in self.packages.values())


def choose_releases(
    plans: Sequence[PackagePlan],
    at_head: Sequence[PackagePlan],
    marked: Sequence[str],
    on_remote: Mapping[str, str],
) -> PackageReleases:
    """Which releases to make, from every package's next release (``plans``), the releases
    whose tags HEAD carries (``at_head``, planned as they were made), the tags HEAD's trailers
    name (``marked``) and where those tags are on the remote (``on_remote``)."""
    if not plans:
        return PackageReleases()
    head = plans[0].plan.state.head
    tagged = {p.package.name for p in at_head}
    # A due package whose next tag HEAD's trailers name is that release, made on HEAD by a run
    # that stopped before tagging it.
    resumed = tuple(
        p
        for p in plans
        if p.plan.next is not None and p.plan.next.tag in marked and p.package.name not in tagged
    )
    holding = tuple(at_head) + resumed
    finishing = any(on_remote.get(tag) != head for tag in marked)
    if finishing:
        found = {_tag(p) for p in holding}
        lost = [tag for tag in marked if tag not in found]
        if lost:
            raise RepositoryError(
                f"HEAD {head[:7]} is the release commit of {', '.join(marked)}, but no package "
                f"plans {', '.join(lost)} any more",
                "run with the configuration that made the release commit, or tag it by hand",
            )
        return PackageReleases(holding, (), finishing=True)
    if not set(marked) <= {_tag(p) for p in at_head}:
        # The release commit's tags are on the remote, not here (a clone without tags): every
        # package would look due from its first commit. Loop safety: release nothing.
        idle = f"HEAD {head[:7]} is the release commit of {', '.join(marked)}: nothing to release"
        return PackageReleases(idle=idle)
    new = tuple(p for p in plans if p.plan.next is not None and p.package.name not in tagged)
    return PackageReleases(tuple(at_head), new)


def execute_packages(
    releases: PackageReleases,
    config: Config,
    edges: ReleaseEdges,
    images: Mapping[str, ImageStage],
) -> PackagesOutcome:
    """Make the releases ``releases`` names (or finish them). Idempotent. ``edges`` are the
    repository's git and forge; ``images`` each package's image stage."""
    outcome = PackagesOutcome()
    everything = (*releases.at_head, *releases.new)
    if not everything:
        outcome.log.append(releases.idle)
        return outcome
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)
    notes = {}
    for package_plan in everything:
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
    sha = _commit_tag_and_push(releases, config, edges, notes, outcome)
    outcome.sha = sha
    head = everything[0].plan.state.head
    for package_plan in everything:
        name = package_plan.package.name
        package_outcome = outcome.packages[name]
        package_outcome.sha = head if package_plan in releases.at_head else sha
        target = package_outcome.sha
        publish_forge_release(package_plan.plan, edges, target, notes[name], package_outcome)
        stage = images.get(name)
        if stage is not None:
            package_edges = ReleaseEdges(edges.git, None, stage)
            promote_images(package_plan.plan, package_edges, package_outcome)
        outcome.log += [f"{name}: {line}" for line in package_outcome.log]
    return outcome


def _commit_tag_and_push(
    releases: PackageReleases,
    config: Config,
    edges: ReleaseEdges,
    notes: Mapping[str, str],
    outcome: PackagesOutcome,
) -> str:
    """Steps 1-5, or what of them the releases still lack; the newest release commit."""
    git = edges.git
    first = (*releases.at_head, *releases.new)[0].plan
    head = first.state.head
    held = [_tag(p) for p in releases.at_head]
    on_remote = git.remote_tag_commits(config.remote, held)
    missing = [tag for tag in held if on_remote.get(tag) != head]
    if not releases.new and not missing:
        outcome.log.append(f"{', '.join(held)} already released on HEAD {head[:7]}")
        return head
    untagged = [p for p in releases.at_head if git.local_tag(_tag(p)) != head]
    units = [(p.package.config, _version(p)) for p in releases.new]
    writes = bool(releases.new or untagged)
    verify_release(first, config, edges, resuming=releases.finishing, writes=writes, units=units)
    if releases.finishing:
        outcome.log.append(f"HEAD {head[:7]} is the release commit of {', '.join(held)}: resuming")
    made = [
        _tag(p)
        for p in untagged
        if tag_release(p.plan, p.package.config, git, head, notes[p.package.name])
    ]
    if untagged:
        outcome.log.append(f"tagged {', '.join(_tag(p) for p in untagged)} on HEAD {head[:7]}")
    sha = head
    new_tags = [_tag(p) for p in releases.new]
    if releases.new:
        sha = _commit(releases.new, config, git, new_tags)
        if sha != head:
            outcome.log.append(f"committed {sha[:7]} {_subject(config, new_tags)}")
        made += [
            _tag(p)
            for p in releases.new
            if tag_release(p.plan, p.package.config, git, sha, notes[p.package.name])
        ]
        outcome.log.append(f"tagged {', '.join(new_tags)} on {sha[:7]}")
    pushed = missing + new_tags
    try:
        push_atomically(first, config, git, sha, pushed)
    except SupersededError:
        # The loser of a race changes nothing, not even its own clone.
        undo_local(first, git, made, sha != head)
        raise
    what = f"{sha[:7]} and " if sha != head or releases.finishing else ""
    outcome.log.append(f"pushed {what}{', '.join(pushed)} to {config.remote}")
    for package_plan in (*releases.at_head, *releases.new):
        if _tag(package_plan) in pushed:
            outcome.packages[package_plan.package.name].released = True
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


def _tag(package_plan: PackagePlan) -> str:
    assert package_plan.plan.next is not None
    return package_plan.plan.next.tag


def _version(package_plan: PackagePlan) -> Version:
    assert package_plan.plan.next is not None
    return package_plan.plan.next.version


def _subject(config: Config, tags: Sequence[str]) -> str:
    return config.commit_message.replace("{version}", ", ".join(tags))
