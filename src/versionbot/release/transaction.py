"""The release transaction: the numbered steps that make (or finish) a run's releases.

Edge orchestration over a set of package releases (core/next_run.py's ``Releases``: a
repository without ``[packages]`` is one package at its root). ``execute`` runs, in order:

1. ``verify_release``: a release branch, a clean work tree (but for what steps 2-3 write), HEAD
   is the planned commit and the remote branch has not moved past it (if it has, stop: nothing
   is pushed, the next run releases); and, before anything changes, that every credential a
   later step needs is there;
2. ``write_version_files`` of every new release;
3. ``write_changelog`` of every new release;
4. ``commit_release``: ONE commit for every new release (its subject names them, one
   ``Versionbot-Release`` trailer each), and ``tag_release``: an annotated tag per release, on
   HEAD for the releases HEAD holds, on the new commit for the others; then ``preflight``,
   still local and undone on failure: the forge and every registry answer as steps 6-7 need
   (token and rights, the release commit's image with every platform; builder mode builds it);
5. ``push_atomically``: the commit and every tag land together, or nothing does;
6. ``publish_forge_release`` of each release;
7. ``promote_images`` of each release.

Each step is safe to repeat, so a run that finds releases half-made finishes them: tags already
on the remote are not pushed again, a tag already made locally is kept, work-tree changes that
are exactly what steps 2-3 write are taken as done, and HEAD being the bot's release commit
without its tags (``finishing``) resumes at step 4b. A re-run after a crash at any point makes
no second commit, tag, changelog section, forge release or image tag. Exactly one run reports
a release as ``released`` (CI publishes on it): the one whose push put the tag on the remote, or,
for a tag that was there before the run, the one that made what the release lacked (its forge
release, a missing image tag).

The pull-request mode (pull_request.py) reuses steps 2-4a for the pull request's commit and
steps 4b-7 for the merged one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from versionbot.core.branches import rule_for
from versionbot.core.changelog import insert_sections
from versionbot.core.changelog_rst import layout_of
from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, SupersededError, UsageError, VersionbotError
from versionbot.core.image_tags import ImagePlan, image_plan
from versionbot.core.next_run import Due, Releases
from versionbot.core.plan import ReleasePlan
from versionbot.core.release_commit import release_files, trailer_lines
from versionbot.core.version import Version
from versionbot.files.atomic import in_work_tree, read_text, write_atomically
from versionbot.files.render import Renderer
from versionbot.forge.model import Forge
from versionbot.git.writer import PushResult
from versionbot.release.outcome import ReleaseOutcome, RunOutcome


class ReleaseGit(Protocol):
    """What a release needs of git (git/writer.py's GitWriter is the one implementation)."""

    @property
    def root(self) -> Path:
        """The work tree."""
        ...

    def head(self) -> str: ...
    def remote_url(self, remote: str) -> str: ...
    def parent(self, sha: str) -> str: ...
    def dirty_paths(self) -> list[str]: ...
    def pending_paths(self, paths: Iterable[str]) -> list[str]: ...
    def head_text(self, path: str) -> str | None: ...
    def has_identity(self) -> bool: ...
    def remove_stale_locks(self, *, older_than: float = 5.0) -> list[str]: ...
    def remote_sha(self, remote: str, ref: str) -> str | None: ...
    def remote_tag_commits(self, remote: str, tags: Iterable[str]) -> dict[str, str]: ...
    def remote_tags(self, remote: str, globs: Iterable[str]) -> dict[str, str]: ...
    def commits_after(self, base: str, tip: str) -> list[str]: ...
    def local_tags(self, globs: Iterable[str]) -> dict[str, str]: ...
    def local_sha(self, ref: str) -> str | None: ...
    def local_tag(self, name: str) -> str | None: ...
    def fetch(self, remote: str, *refspecs: str) -> None: ...
    def is_ancestor(self, ancestor: str, descendant: str) -> bool: ...
    def commit(self, paths: list[str], message: str) -> str: ...
    def tag(self, name: str, sha: str, message: str, *, sign: bool) -> None: ...
    def delete_tag(self, name: str) -> None: ...
    def reset_to(self, sha: str) -> None: ...
    def push_atomically(self, remote: str, refspecs: list[str]) -> PushResult: ...
    # The pull-request mode's own needs.
    def message(self, sha: str) -> str: ...
    def first_parent_line(
        self, limit: int, since: Iterable[str]
    ) -> list[tuple[str, tuple[str, ...], str]]: ...
    def same_change(self, old: str, new: str) -> bool: ...
    def push_with_lease(
        self, remote: str, sha: str, branch: str, seen: str | None
    ) -> PushResult: ...
    def worktree(self, sha: str) -> AbstractContextManager[ReleaseGit]: ...


class ImageStage(Protocol):
    """What a release needs of the image stage (registry/stage.py implements it): each tag's
    (reference, digest, pushed by this call, lines for the log: the referrers copied with it);
    a tag a re-run pushes finishes the release."""

    def __call__(self, images: ImagePlan) -> Sequence[tuple[str, str, bool, Sequence[str]]]: ...
    def check(self, images: ImagePlan, *, source: bool) -> None:
        """Before anything is pushed: raise what would make the stage fail (with ``source``,
        a missing source image too)."""
        ...


@dataclass(frozen=True, slots=True)
class ReleaseEdges:
    """The outside world a release touches, built from the environment (edges.py) or by tests:
    git, the forge, and each package's image stage (by package name)."""

    git: ReleaseGit
    forge: Forge | None
    images: Mapping[str, ImageStage] = field(default_factory=dict)
    forge_missing: str | None = None  # what a due forge release lacks (e.g. "no GITHUB_TOKEN")


def execute(
    releases: Releases, config: Config, edges: ReleaseEdges, *, push: bool = True
) -> RunOutcome:
    """Make the releases ``releases`` names (or finish them): steps 1-7. Idempotent. Without
    ``push`` (``--no-push``), steps 1-4 only: the release commit and tags stay local, for the
    release's image to be built from them before a second run publishes everything."""
    outcome = RunOutcome()
    everything = (*releases.at_head, *releases.new)
    if not everything:
        outcome.log.append(releases.idle)
        return outcome
    require_forge(edges)
    notes = {due.package.name: release_notes(due) for due in everything}
    for due in everything:
        outcome.packages[due.package.name] = start_outcome(due, notes[due.package.name])
    sha = commit_tag_and_push(releases, config, edges, notes, outcome, push=push)
    outcome.sha = sha
    head = everything[0].plan.state.head
    for due in everything:
        name = due.package.name
        target = head if due in releases.at_head else sha
        outcome.packages[name].sha = target
        if not push:  # --no-push publishes nothing
            continue
        publish_forge_release(due, edges.forge, target, notes[name], outcome)
        promote_images(due, images_at(due, target), edges.images.get(name), outcome)
    return outcome


def start_outcome(due: Due, notes: str) -> ReleaseOutcome:
    """A package's outcome before anything is done: what it releases."""
    previous = due.plan.previous
    return ReleaseOutcome(
        version=due.version,
        tag=due.tag,
        previous_version=previous.version if previous else None,
        notes=notes or None,
    )


def release_notes(due: Due) -> str:
    """The release's notes, rendered with its package's templates."""
    renderer = Renderer.for_repository(due.plan.state, due.package.config)
    return renderer.release_notes(due.plan.notes)


def commit_tag_and_push(
    releases: Releases,
    config: Config,
    edges: ReleaseEdges,
    notes: Mapping[str, str],
    outcome: RunOutcome,
    *,
    push: bool = True,
) -> str:
    """Steps 1-5, or what of them the releases still lack (without ``push``, steps 1-4); the
    newest release commit."""
    git = edges.git
    first = (*releases.at_head, *releases.new)[0].plan
    head = first.state.head
    held = [p.tag for p in releases.at_head]
    on_remote = git.remote_tag_commits(config.remote, held)
    missing = [tag for tag in held if on_remote.get(tag) != head]
    for due in releases.at_head:
        outcome.packages[due.package.name].tag_was_there = due.tag not in missing
    if not releases.new and not missing:
        outcome.log.append(_already_released(held, head))
        return head
    everything = (*releases.at_head, *releases.new)
    untagged = [p for p in releases.at_head if git.local_tag(p.tag) != head]
    writes = bool(releases.new or untagged)
    verify_release(
        first, config, edges, resuming=releases.finishing, writes=writes, units=releases.new
    )
    if releases.finishing:
        names = ", ".join(releases.marked)
        outcome.log.append(f"HEAD {head[:7]} is the release commit of {names}: resuming")
    elif missing and not untagged and not releases.new:
        outcome.log.append(_completing(missing, head))
    made = [p.tag for p in untagged if tag_release(p, git, head, notes[p.package.name])]
    if untagged:
        outcome.log.append(f"tagged {', '.join(p.tag for p in untagged)} on HEAD {head[:7]}")
    sha = head
    new_tags = [p.tag for p in releases.new]
    if releases.new:
        sha = commit_release(releases.new, config, git, head)
        if sha != head:
            subject = release_subject(config.commit_message, [p.name for p in releases.new])
            outcome.log.append(f"committed {sha[:7]} {subject}")
        made += [p.tag for p in releases.new if tag_release(p, git, sha, notes[p.package.name])]
        outcome.log.append(f"tagged {', '.join(new_tags)} on {sha[:7]}")
    targets = {p.package.name: head if p in releases.at_head else sha for p in everything}
    try:
        # Steps 1-4 are local and undone here; what comes after is public.
        preflight(everything, edges, targets, sources=push)
    except VersionbotError:
        undo_local(git, head, made, committed=sha != head)
        raise
    if not push:
        outcome.prepared = True
        outcome.log.append(
            f"not pushed (--no-push): build the image of {sha[:7]} now, then run bot release "
            "to push and publish"
        )
        return sha
    pushed = missing + new_tags
    try:
        result = push_atomically(first, config, git, sha, pushed)
    except VersionbotError:
        # Nothing was pushed (--atomic): the loser of a race, or a refused run, changes
        # nothing, not even its own clone.
        undo_local(git, head, made, committed=sha != head)
        raise
    what = f"{sha[:7]} and " if sha != head or releases.finishing else ""
    outcome.log.append(f"pushed {what}{', '.join(pushed)} to {config.remote}")
    claim_pushed((*releases.at_head, *releases.new), pushed, result.updated, outcome)
    return sha


def claim_pushed(
    releases: Sequence[Due], pushed: Sequence[str], updated: frozenset[str], outcome: RunOutcome
) -> None:
    """After step 5: the releases whose tags this run's push put on the remote are this run's
    to report. A run as fast, with the same commit and tag to the second, found them there (up
    to date): it lost the race, and says so."""
    theirs = []
    for due in releases:
        if f"refs/tags/{due.tag}" in updated:
            outcome.packages[due.package.name].released = True
        elif due.tag in pushed:
            theirs.append(due.tag)
    if theirs:
        names = ", ".join(theirs)
        outcome.log.append(f"another run pushed {names} at the same time: that run reports it")


def require_forge(edges: ReleaseEdges) -> None:
    """Refuse before anything changes when a forge release is due but cannot be made."""
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)


def preflight(
    releases: Sequence[Due], edges: ReleaseEdges, targets: Mapping[str, str], *, sources: bool
) -> None:
    """After step 4 (the local commit and tags), before anything is pushed: every remote thing
    a later step needs answers as it must. The forge takes the token and lets it write; each
    registry lets the credentials push, and (with ``sources``) the image of each release's
    commit (``targets``, by package) is there with every platform. The forge release and the
    images come after the push: a failure found there would leave a public release half made."""
    if edges.forge is not None:
        edges.forge.check_access()
    for due in releases:
        stage = edges.images.get(due.package.name)
        images = images_at(due, targets[due.package.name])
        if stage is not None and images is not None:
            stage.check(images, source=sources)


def images_at(due: Due, sha: str) -> ImagePlan | None:
    """The release's image plan for its release commit ``sha``: ``{sha}`` in ``source`` and
    the sha tag name the commit the release tag points at (the plan was made at HEAD, which
    in direct mode is the release commit's parent)."""
    images, settings = due.plan.images, due.package.config.images
    if images is None or settings is None or images.sha == sha:
        return images
    return image_plan(
        due.version,
        images.released,
        sha,
        names=images.names,
        source=settings.source,
        platforms=images.platforms,
        rules=images.rules,
    )


def verify_release(
    plan: ReleasePlan,
    config: Config,
    edges: ReleaseEdges,
    *,
    resuming: bool,
    writes: bool,
    units: Sequence[Due] = (),
) -> None:
    """Step 1: refuse early, before anything changes. ``units``: the releases steps 2-3 write
    (their files are not foreign work when a crashed run left them)."""
    git = edges.git
    branch = plan.state.branch
    require_forge(edges)
    if branch is None and not writes:
        # A tag checked out by a tag-push workflow: complete it, no branch to verify or push.
        verify_head(plan, git)
        return
    if branch is None or rule_for(config.branches, branch) is None:
        raise UsageError(
            f"{branch or 'a detached HEAD'} is not a release branch "
            f"({', '.join(r.pattern for r in config.branches)})",
            "release from a release branch, or add this one to [branches]",
        )
    verify_head(plan, git)
    # A run killed inside a git command left its lock: the commit, tag or fetch would fail.
    git.remove_stale_locks()
    foreign = _foreign_changes(units, git)
    if foreign:
        raise UsageError(
            f"the work tree has uncommitted changes in {', '.join(sorted(foreign)[:3])}",
            "commit or stash them, then run bot release again",
        )
    if writes and not git.has_identity():
        raise RepositoryError(
            "git has no identity to make the release commit and tag with",
            "set committer in the versionbot configuration, or git config user.name and user.email",
        )
    # On a resumed release commit, the remote branch is still at its parent.
    expected = [plan.state.head]
    if resuming:
        expected.insert(0, git.parent(plan.state.head))
    verify_remote(git, config.remote, branch, expected)


def verify_head(plan: ReleasePlan, git: ReleaseGit) -> None:
    """HEAD is still the commit that was planned."""
    head = git.head()
    if head != plan.state.head:
        raise SupersededError(
            f"HEAD moved to {head[:7]} while planning {plan.state.head[:7]}; nothing was changed",
            "run bot release again",
        )


def verify_remote(git: ReleaseGit, remote: str, branch: str, expected: list[str]) -> None:
    """The remote branch must be one of ``expected``: not ahead (moved), not behind."""
    remote_sha = git.remote_sha(remote, f"refs/heads/{branch}")
    if remote_sha is None:
        raise RepositoryError(
            f"{remote} has no branch {branch}",
            f"push {branch} to {remote} first; a release is made from what the remote has",
        )
    if remote_sha in expected:
        return
    base = expected[0]
    git.fetch(remote, f"refs/heads/{branch}")
    if git.is_ancestor(base, remote_sha):
        raise SupersededError(
            f"{remote}/{branch} moved past {base[:7]} to {remote_sha[:7]}; nothing was pushed",
            "the run for the newer commit releases it; nothing to do here",
        )
    raise RepositoryError(
        f"HEAD {base[:7]} is not on {remote}/{branch} ({remote_sha[:7]})",
        f"release only what {remote}/{branch} has: pull or push first",
    )


def write_version_files(root: Path, due: Due) -> list[str]:
    """Step 2: the new version in every version file of the release's package; the paths
    that changed."""
    settings = due.package.config
    if not settings.version_files:
        return []
    from versionbot.files.version_files import write_version_files as write_all

    return write_all(root, settings.version_files, str(due.version))


def write_changelog(root: Path, due: Due, renderer: Renderer) -> list[str]:
    """Step 3: the release's section inserted into its package's changelog (created when
    missing)."""
    changelog = due.package.config.changelog.file
    path = in_work_tree(root, changelog, "changelog")
    if path.exists():
        old = read_text(path)
        newline = "\r\n" if "\r\n" in old else "\n"
        section = renderer.changelog([due.plan.notes], sections_only=True) + "\n"
        sections = {due.version: section.replace("\n", newline)}
        text = insert_sections(old, sections, changelog, layout_of(changelog))
        if text == old:
            return []
    else:
        text = renderer.changelog([due.plan.notes], sections_only=False)
    write_atomically(path, text)
    return [path.relative_to(root.resolve()).as_posix()]  # an in-tree symlink's target


def write_release_files(root: Path, releases: Sequence[Due]) -> list[str]:
    """Steps 2-3 for every one of ``releases``, in the work tree at ``root``."""
    changed: list[str] = []
    for due in releases:
        renderer = Renderer.for_repository(due.plan.state, due.package.config)
        changed += write_version_files(root, due) + write_changelog(root, due, renderer)
    return changed


def commit_release(releases: Sequence[Due], config: Config, git: ReleaseGit, head: str) -> str:
    """Steps 2-4a: every release's version files and changelog, in one release commit marked
    with a trailer per release; its sha (``head`` when there was nothing to write: the tags go
    on HEAD)."""
    changed = write_release_files(git.root, releases)
    own = {path for due in releases for path in release_files(due.package.config)}
    # What a crashed run wrote before its commit is part of this one (already in the files).
    paths = sorted({*changed, *git.pending_paths(own)})
    if not paths:
        return head
    return git.commit(paths, release_message(config.commit_message, [p.name for p in releases]))


def release_subject(template: str, names: Sequence[str]) -> str:
    """``commit_message`` with ``{version}`` replaced by the releases' names."""
    return template.replace("{version}", ", ".join(names))


def release_message(template: str, names: Sequence[str]) -> str:
    """The release commit's whole message: the subject, a blank line, the trailers."""
    return f"{release_subject(template, names)}\n\n{trailer_lines(names)}"


def tag_release(due: Due, git: ReleaseGit, sha: str, notes: str) -> bool:
    """Step 4b: the release's annotated tag on ``sha`` (kept if a crashed run made it); True
    when this call made it."""
    existing = git.local_tag(due.tag)
    if existing == sha:
        return False
    if existing is not None:
        raise RepositoryError(
            f"tag {due.tag} already exists on {existing[:7]}, which is not the release commit",
            "delete the local tag (git tag -d) if a crashed run left it, then run again",
        )
    git.tag(due.tag, sha, tag_message(due.version, notes), sign=due.package.config.sign_tags)
    return True


def tag_message(version: Version, notes: str) -> str:
    """An annotated release tag's message: the version, then the release notes."""
    return f"{version}\n\n{notes}" if notes else f"{version}\n"


def push_atomically(
    plan: ReleasePlan, config: Config, git: ReleaseGit, sha: str, tags: Sequence[str]
) -> PushResult:
    """Step 5: the commit and the tags together (``git push --atomic``), or nothing; what the
    push did. A lost race raises SupersededError; a ref the remote refused otherwise (a hook, a
    protection rule), RepositoryError (git/writer.py)."""
    branch = plan.state.branch
    refs = [f"refs/tags/{tag}" for tag in tags]
    # On a detached HEAD (a tag being completed) the tags alone are pushed.
    if branch is not None and (
        sha != plan.state.head or git.remote_sha(config.remote, f"refs/heads/{branch}") != sha
    ):
        refs.insert(0, f"{sha}:refs/heads/{branch}")
    result = git.push_atomically(config.remote, refs)
    if not result.accepted:
        raise SupersededError(
            f"{config.remote} refused the release push ({'; '.join(result.rejected)}); "
            "nothing was pushed",
            "another run released first or the branch moved; the next run takes it from there",
        )
    return result


def publish_forge_release(
    due: Due, forge: Forge | None, sha: str, notes: str, outcome: RunOutcome
) -> None:
    """Step 6: the forge release with the release notes (idempotent in forge/)."""
    name = due.package.name
    if forge is None:
        outcome.say(name, "forge release skipped: no forge for this remote")
        return
    mine = outcome.packages[name]
    made = forge.create_release(
        due.tag,
        target=sha,
        name=due.tag,
        body=notes,
        prerelease=due.version.is_prerelease,
        latest=due.plan.next.latest,
    )
    # A tag that was on the remote before this run (pushed by a run that stopped before this
    # step, or by a person): the run whose create made the release reports it. The forge lets
    # one create win, so of two runs finishing it at once exactly one does.
    mine.released = mine.released or (mine.tag_was_there and made.created)
    mine.forge_url = made.release.url
    outcome.say(name, f"forge release {mine.forge_url or due.tag}")


def promote_images(
    due: Due, images: ImagePlan | None, stage: ImageStage | None, outcome: RunOutcome
) -> None:
    """Step 7: the release's image (``images``: images_at its commit) gets its version tags
    (idempotent in the image stage)."""
    if images is None or stage is None:
        return
    mine = outcome.packages[due.package.name]
    for ref, digest, pushed, notes in stage(images):
        mine.image_digests.append((ref, digest))
        outcome.say(due.package.name, f"image {ref} = {digest}")
        for note in notes:
            outcome.say(due.package.name, note)
        # A run that pushed a missing tag finished the release: CI should publish it (but not
        # a run that lost the race to push the release's git tag: the winner reports it).
        mine.released = mine.released or (mine.tag_was_there and pushed)


def undo_local(git: ReleaseGit, head: str, tags: Sequence[str], *, committed: bool) -> None:
    """Take back the tags and commit this run made locally (its push was refused)."""
    for tag in tags:
        git.delete_tag(tag)
    if committed:
        git.reset_to(head)


_FORGE_HINT = "set GITHUB_TOKEN (or GH_TOKEN) with contents: write, or run without a forge remote"


def _already_released(tags: Sequence[str], head: str) -> str:
    if len(tags) == 1:
        return f"{tags[0]} is already released on HEAD {head[:7]}: nothing to push"
    return f"{', '.join(tags)} already released on HEAD {head[:7]}"


def _completing(tags: Sequence[str], head: str) -> str:
    if len(tags) == 1:
        return f"{tags[0]} is on HEAD {head[:7]}: completing the release"
    return f"{', '.join(tags)} are on HEAD {head[:7]}: completing the releases"


def _foreign_changes(units: Sequence[Due], git: ReleaseGit) -> list[str]:
    """Tracked files changed in the work tree other than by what steps 2-3 write.

    A crashed run may have left exactly the release's version files and changelog section:
    that is not foreign work, and the release commit takes it. Any other change is foreign.
    """
    owner = {path: due for due in units for path in release_files(due.package.config)}
    foreign = [p for p in git.dirty_paths() if p not in owner]
    for path in git.pending_paths(set(owner)):
        due = owner[path]
        after = in_work_tree(git.root, path, "release file")
        now = read_text(after) if after.is_file() else None
        if now is None or not _written_by_release(due, path, git.head_text(path), now):
            foreign.append(path)
    return foreign


def _written_by_release(due: Due, path: str, before: str | None, now: str) -> bool:
    """Whether ``now`` is ``before`` with only the release's version and changelog section."""
    config, version = due.package.config, due.version
    if path == config.changelog.file:
        added = difflib.SequenceMatcher(
            None, (before or "").split("\n"), now.split("\n"), autojunk=False
        ).get_opcodes()
        only_added = all(op in ("equal", "insert") for op, *_ in added)
        versions = layout_of(path).versions
        return only_added and str(version) in versions(now) - versions(before or "")
    if before is None:
        return False
    from versionbot.core.version_files import parse_version_file_spec, replace_version

    expected = before
    for text in config.version_files:
        spec = parse_version_file_spec(text)
        if spec.path == path:
            expected = replace_version(spec, expected, str(version))
    return expected == now
