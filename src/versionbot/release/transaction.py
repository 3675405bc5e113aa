"""Execute a release plan: the numbered steps of a release, each one safe to repeat.

Edge orchestration. ``bot release`` makes the same plan as ``bot plan`` and hands it to
``execute``, which runs, in order:

1. ``verify_release``: a release branch, a clean work tree, HEAD is the planned commit, and the
   remote branch has not moved past it (if it has, stop: nothing is pushed, the next run
   releases); and, before anything changes, that every credential a later step needs is there;
2. ``write_version_files``;
3. ``write_changelog``;
4. ``commit_release`` (with the trailer that marks the bot's own commit) and ``tag_release``;
5. ``push_atomically``: the commit and the tag land together, or neither does;
6. ``publish_forge_release``;
7. ``promote_images``.

Resuming: a run that finds the release half-made finishes it instead of starting again. HEAD
already tagged: steps 5-7 where missing. HEAD is the bot's release commit without its tag: steps
4 (tag only) to 7. Work-tree changes that are exactly what steps 2-3 write are taken as done.
So a re-run after a crash at any point makes no second commit, tag, changelog section, forge
release or image tag. Loop safety follows: a push whose HEAD is the bot's release commit never
makes another release commit.

A release tag a person made and pushed (a tag-push workflow checks it out on a detached HEAD) is
completed the same way: steps 5-7 where missing, no commit, no release branch needed. Making a
release from a detached HEAD is still refused.

This module is the direct mode (``mode = "direct"``). The release pull request (``mode = "pr"``,
release_pr.py) reuses steps 2-4 for the pull request's commit and steps 4b-7 for the merged one;
release_edges.run_release picks the mode.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from versionbot.core.branches import rule_for
from versionbot.core.changelog import insert_sections, versions_in
from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, SupersededError, UsageError
from versionbot.core.image_tags import ImagePlan
from versionbot.core.plan import RELEASE_TRAILER, ReleasePlan
from versionbot.core.version import Version
from versionbot.files.atomic import read_text, write_atomically
from versionbot.files.render import Renderer
from versionbot.git.writer import GitWriter


class ForgeReleases(Protocol):
    """What the release needs of a forge (forge.py implements it for GitHub)."""

    def find_release(self, tag: str) -> object | None: ...

    def create_release(
        self, tag: str, *, target: str, name: str, body: str, prerelease: bool, latest: bool
    ) -> object: ...


class ImageStage(Protocol):
    """What the release needs of the image stage (image_stage.py implements it)."""

    def __call__(self, images: ImagePlan) -> Sequence[tuple[str, str, bool]]: ...

    # (reference, digest, pushed by this call): a tag a re-run pushes finishes the release


@dataclass(frozen=True, slots=True)
class ReleaseEdges:
    """The outside world a release touches, built by the CLI (or by tests)."""

    git: GitWriter
    forge: ForgeReleases | None
    images: ImageStage | None
    forge_missing: str | None = None  # what a due forge release lacks (e.g. "no GITHUB_TOKEN")


@dataclass(slots=True)
class ReleaseOutcome:
    """What ``execute`` did: the facts CI outputs are made of, and one line per step."""

    released: bool = False
    version: Version | None = None
    tag: str | None = None
    previous_version: Version | None = None
    sha: str | None = None
    forge_url: str | None = None
    image_digests: list[tuple[str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    notes: str | None = None  # the release notes of what was released (for the step summary)


def execute(plan: ReleasePlan, config: Config, edges: ReleaseEdges) -> ReleaseOutcome:
    """Run the release the plan describes (or finish a half-made one). Idempotent."""
    outcome = ReleaseOutcome(previous_version=plan.previous.version if plan.previous else None)
    if plan.next is None:
        outcome.log.append(f"nothing to release: {plan.reason}")
        return outcome
    version, tag = plan.next.version, plan.next.tag
    marked = _release_commit_version(plan)
    if marked is not None and marked != version:
        # Loop safety: the bot's own release commit never starts another release.
        outcome.log.append(
            f"HEAD {plan.state.head[:7]} is the release commit of {marked}: nothing to release"
        )
        return outcome
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)
    outcome.version, outcome.tag = version, tag
    renderer = Renderer.for_repository(plan.state, config)
    notes = renderer.release_notes(plan.notes) if plan.notes is not None else ""
    outcome.notes = notes or None
    git = edges.git
    resuming = marked == version
    if git.remote_tag_commit(config.remote, tag) == plan.state.head:
        sha = plan.state.head
        outcome.log.append(f"{tag} is already released on HEAD {sha[:7]}: nothing to push")
    elif git.local_tag(tag) == plan.state.head:
        sha = plan.state.head
        verify_release(plan, config, edges, resuming=resuming, writes=False)
        outcome.log.append(f"{tag} is on HEAD {sha[:7]}: completing the release")
        push_atomically(plan, config, git, sha, [tag])
        outcome.log.append(f"pushed {tag} to {config.remote}")
        outcome.released = True
    else:
        verify_release(plan, config, edges, resuming=resuming, writes=True)
        if resuming:
            sha = plan.state.head
            outcome.log.append(f"HEAD {sha[:7]} is the release commit of {version}: resuming")
        else:
            changed = write_version_files(plan, config) + write_changelog(plan, config, renderer)
            sha = commit_release(plan, config, git, changed)
            if sha != plan.state.head:
                outcome.log.append(f"committed {sha[:7]} {_subject(config, version)}")
        made_tag = tag_release(plan, config, git, sha, notes)
        outcome.log.append(f"tagged {tag} on {sha[:7]}")
        try:
            push_atomically(plan, config, git, sha, [tag])
        except SupersededError:
            # The loser of a race changes nothing, not even its own clone.
            undo_local(plan, git, [tag] if made_tag else [], sha != plan.state.head)
            raise
        outcome.log.append(f"pushed {sha[:7]} and {tag} to {config.remote}")
        outcome.released = True
    outcome.sha = sha
    publish_forge_release(plan, edges, sha, notes, outcome)
    promote_images(plan, edges, outcome)
    return outcome


def verify_release(
    plan: ReleasePlan,
    config: Config,
    edges: ReleaseEdges,
    *,
    resuming: bool,
    writes: bool,
    units: Sequence[tuple[Config, Version]] | None = None,
) -> None:
    """Step 1: refuse early, before anything changes. ``units``: what steps 2-3 write (each
    package's settings and version in a monorepo; by default the plan's release)."""
    git = edges.git
    branch = plan.state.branch
    if branch is None and not writes:
        # A tag checked out by a tag-push workflow: complete it, no branch to verify or push.
        verify_tag_completion(plan, edges)
        return
    if branch is None or rule_for(config.branches, branch) is None:
        raise UsageError(
            f"{branch or 'a detached HEAD'} is not a release branch "
            f"({', '.join(r.pattern for r in config.branches)})",
            "release from a release branch, or add this one to [branches]",
        )
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)
    head = git.head()
    if head != plan.state.head:
        raise SupersededError(
            f"HEAD moved to {head[:7]} while planning {plan.state.head[:7]}; nothing was changed",
            "run bot release again",
        )
    # A run killed inside a git command left its lock: the commit, tag or fetch would fail.
    git.remove_stale_locks()
    if units is None:
        assert plan.next is not None
        units = [(config, plan.next.version)]
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
        expected.insert(0, git.run("rev-parse", "HEAD^").stdout.strip())
    verify_remote(git, config.remote, branch, expected)


def verify_tag_completion(plan: ReleasePlan, edges: ReleaseEdges) -> None:
    """Step 1 for completing a tagged HEAD outside any branch: credentials, HEAD unchanged."""
    if edges.forge is None and edges.forge_missing:
        raise UsageError(f"the forge release cannot be made: {edges.forge_missing}", _FORGE_HINT)
    head = edges.git.head()
    if head != plan.state.head:
        raise SupersededError(
            f"HEAD moved to {head[:7]} while planning {plan.state.head[:7]}; nothing was changed",
            "run bot release again",
        )


def verify_remote(git: GitWriter, remote: str, branch: str, expected: list[str]) -> None:
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


def write_version_files(plan: ReleasePlan, config: Config) -> list[str]:
    """Step 2: the new version in every configured version file; the paths that changed."""
    if not config.version_files or plan.next is None:
        return []
    from versionbot.files.version_files import write_version_files as write_all

    return write_all(Path(plan.state.root), config.version_files, str(plan.next.version))


def write_changelog(plan: ReleasePlan, config: Config, renderer: Renderer) -> list[str]:
    """Step 3: the release's section inserted into the changelog (created when missing)."""
    if plan.notes is None or plan.next is None:
        return []
    path = Path(plan.state.root) / config.changelog.file
    if path.exists():
        old = read_text(path)
        newline = "\r\n" if "\r\n" in old else "\n"
        section = (renderer.changelog([plan.notes], sections_only=True) + "\n").replace(
            "\n", newline
        )
        text = insert_sections(old, {plan.next.version: section}, config.changelog.file)
    else:
        old, text = None, renderer.changelog([plan.notes], sections_only=False)
    if text == old:
        return []
    write_atomically(path, text)
    return [config.changelog.file]


def commit_release(
    plan: ReleasePlan,
    config: Config,
    git: GitWriter,
    changed: list[str],
    *,
    subject: str | None = None,
) -> str:
    """Step 4a: the release commit, marked with the trailer; its sha. ``subject`` replaces
    the configured one (the release pull request's commit)."""
    assert plan.next is not None
    version = plan.next.version
    message = f"{subject or _subject(config, version)}\n\n{RELEASE_TRAILER}: {version}\n"
    # What a crashed run wrote before its commit is part of this one (already in the files).
    paths = sorted({*changed, *git.pending_paths(own_paths(config))})
    if not paths:
        # Nothing to write (no version files, changelog up to date): the tag goes on HEAD.
        return plan.state.head
    return git.commit(paths, message)


def tag_release(plan: ReleasePlan, config: Config, git: GitWriter, sha: str, notes: str) -> bool:
    """Step 4b: the annotated tag on the release commit (kept if a crashed run made it); True
    when this call made it."""
    assert plan.next is not None
    tag = plan.next.tag
    existing = git.local_tag(tag)
    if existing == sha:
        return False
    if existing is not None:
        raise RepositoryError(
            f"tag {tag} already exists on {existing[:7]}, which is not the release commit",
            "delete the local tag (git tag -d) if a crashed run left it, then run again",
        )
    message = f"{plan.next.version}\n\n{notes}" if notes else f"{plan.next.version}\n"
    git.tag(tag, sha, message, sign=config.sign_tags)
    return True


def push_atomically(
    plan: ReleasePlan, config: Config, git: GitWriter, sha: str, tags: Sequence[str]
) -> None:
    """Step 5: the commit and the tags together (``git push --atomic``), or nothing."""
    branch = plan.state.branch
    refs = [f"refs/tags/{tag}" for tag in tags]
    # On a detached HEAD (a tag being completed) the tag alone is pushed.
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


def publish_forge_release(
    plan: ReleasePlan, edges: ReleaseEdges, sha: str, notes: str, outcome: ReleaseOutcome
) -> None:
    """Step 6: the forge release with the release notes (idempotent in forge.py)."""
    assert plan.next is not None
    if edges.forge is None:
        outcome.log.append("forge release skipped: no forge for this remote")
        return
    tag = plan.next.tag
    if not outcome.released and edges.forge.find_release(tag) is None:
        outcome.released = True  # the push was done by a run that stopped before this step
    release = edges.forge.create_release(
        tag,
        target=sha,
        name=tag,
        body=notes,
        prerelease=plan.next.version.is_prerelease,
        latest=plan.next.latest,
    )
    outcome.forge_url = getattr(release, "url", None)
    outcome.log.append(f"forge release {outcome.forge_url or tag}")


def promote_images(plan: ReleasePlan, edges: ReleaseEdges, outcome: ReleaseOutcome) -> None:
    """Step 7: the release's image gets its version tags (idempotent in the image stage)."""
    if plan.images is None or edges.images is None:
        return
    for ref, digest, pushed in edges.images(plan.images):
        outcome.image_digests.append((ref, digest))
        outcome.log.append(f"image {ref} = {digest}")
        # A run that pushed a missing tag finished the release: CI should publish it.
        outcome.released = outcome.released or pushed


_TRAILER = re.compile(rf"^{RELEASE_TRAILER}:[ \t]*(\S+)[ \t]*$", re.M)
_FORGE_HINT = "set GITHUB_TOKEN (or GH_TOKEN) with contents: write, or run without a forge remote"


def release_trailers(message: str) -> list[str]:
    """The values of a commit message's ``Versionbot-Release:`` trailers (the version, or in a
    monorepo each tag, the bot's release commit names); none: not a release commit."""
    return _TRAILER.findall(message)


def _release_commit_version(plan: ReleasePlan) -> Version | None:
    """The version in HEAD's release trailer, when HEAD is the bot's own release commit."""
    for commit in plan.commits:
        if commit.sha != plan.state.head or commit.parsed is None:
            continue
        for footer in commit.parsed.footers:
            if footer.token == RELEASE_TRAILER:
                try:
                    return Version.parse(footer.value.strip())
                except ValueError:
                    return None
    return None


def own_paths(config: Config) -> set[str]:
    """The files steps 2-3 write."""
    return {config.changelog.file, *(spec.partition(":")[0] for spec in config.version_files)}


def _foreign_changes(units: Sequence[tuple[Config, Version]], git: GitWriter) -> list[str]:
    """Tracked files changed in the work tree other than by what steps 2-3 write.

    A crashed run may have left exactly the release's version files and changelog section:
    that is not foreign work, and the release commit takes it. Any other change is foreign.
    """
    owner = {path: unit for unit in units for path in own_paths(unit[0])}
    foreign = [p for p in git.dirty_paths() if p not in owner]
    for path in git.pending_paths(set(owner)):
        config, version = owner[path]
        before = git.head_text(path)
        after = git.root / path
        now = read_text(after) if after.is_file() else None
        if now is None or not _written_by_release(config, path, before, now, version):
            foreign.append(path)
    return foreign


def _written_by_release(
    config: Config, path: str, before: str | None, now: str, version: Version
) -> bool:
    """Whether ``now`` is ``before`` with only the release's version and changelog section."""
    if path == config.changelog.file:
        added = difflib.SequenceMatcher(
            None, (before or "").splitlines(), now.splitlines(), autojunk=False
        ).get_opcodes()
        only_added = all(op in ("equal", "insert") for op, *_ in added)
        return only_added and str(version) in versions_in(now) - versions_in(before or "")
    if before is None:
        return False
    from versionbot.files.version_files import parse_version_file_spec, replace_version

    expected = before
    for text in config.version_files:
        spec = parse_version_file_spec(text)
        if spec.path == path:
            expected = replace_version(spec, expected, str(version))
    return expected == now


def undo_local(plan: ReleasePlan, git: GitWriter, tags: Sequence[str], committed: bool) -> None:
    """Take back the tags and commit this run made locally (its push was refused)."""
    for tag in tags:
        git.run("tag", "-d", tag, check=False)
    if committed:
        git.run("reset", "--quiet", "--keep", plan.state.head, check=False)


def _subject(config: Config, version: Version) -> str:
    return config.commit_message.replace("{version}", str(version))
