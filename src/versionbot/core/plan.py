"""The release plan: what the next release is, and why.

Pure: no I/O. ``make_plan`` reads the window of commits once (as git streams it), classifies
each commit, cancels reverted pairs, picks the bump, and computes the next version and tag.
``bot plan`` prints the result; ``bot release`` executes the same plan.

The steps, top to bottom:
1. classify every commit: merge, not conventional (and why), or its type, scope and bump;
2. cancel each revert against the commit it reverts, when both are in the window;
3. the bump is the highest level left; the commits at that level decided it;
4. the version: ``Release-As``, ``--version`` or ``--bump`` when given; otherwise the last final
   release bumped (0.x rule), never below an open prerelease line, with a ``-token.N`` counter
   for prereleases (the branch's token on a prerelease channel, ``--prerelease`` winning);
5. refuse a version that leaves a maintenance line's range, goes backwards, whose tag already
   exists elsewhere, or that is a prerelease of a version released elsewhere;
6. the release notes: the counted commits grouped into the changelog's sections;
7. the image tags, when images are configured.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from versionbot.core.branches import BranchPolicy, branch_policy, line_package
from versionbot.core.bump import (
    Bump,
    BumpRules,
    apply_bump,
    level_between,
    next_prerelease_number,
    zero_rule,
)
from versionbot.core.changelog import ReleaseInfo, ReleaseNotes, release_notes, utc_date
from versionbot.core.commits import (
    Commit,
    ParsedCommit,
    ParseFailure,
    commit_override,
    parse_commit,
    split_changes,
    split_squash,
)
from versionbot.core.config import Config, Package
from versionbot.core.errors import VersionConflictError
from versionbot.core.history import (
    Baseline,
    History,
    PackagesHistory,
    ReleaseTag,
    ReleaseWindow,
    RepositoryState,
)
from versionbot.core.links import ForgeLinks, forge_links
from versionbot.core.neutralise import neutralise, shortened
from versionbot.core.packages import Owners, bits, outside_windows
from versionbot.core.release_commit import (
    has_release_trailer,
    is_release_commit,
    release_trailers,
)
from versionbot.core.version import InvalidVersion, Version

if TYPE_CHECKING:
    from versionbot.core.image_tags import ImagePlan

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What the person asked for on top of the commits (``bot plan`` options)."""

    prerelease: str | None = None  # channel token, e.g. "rc"
    bump: Bump | None = None  # force a level
    version: Version | None = None  # force a version
    build: str | None = None  # build metadata to append
    date: str | None = None  # the release date (YYYY-MM-DD, UTC) for the notes
    # The release exists (its tag is at HEAD): planned again as it was made, so the checks that
    # keep a new release from clashing with later ones do not apply.
    made: bool = False


class PlannedCommit(NamedTuple):
    """One commit (or one part of a squash commit) and what it contributes."""

    sha: str
    subject: str
    parsed: ParsedCommit | None  # None when not conventional or a skipped merge
    bump: Bump
    skipped_reason: str | None  # None when it counts


class NextRelease(NamedTuple):
    """The version and tag the release will make; ``latest`` when it is a final release above
    every release tag in the repository (the forge marks it latest, ``latest`` images move)."""

    version: Version
    tag: str
    latest: bool = False


# The plan's level: the step from the last final release ("none" only when a forced version
# repeats its X.Y.Z, e.g. an initial_version of 0.0.0), or "prerelease" for the next number of
# an open prerelease line.
PlanBump = Literal["major", "minor", "patch", "prerelease", "none"]


@dataclass(frozen=True, slots=True)
class NoRelease:
    """A plan with no release due: ``reason`` says why. ``next``, ``notes`` and ``images`` are
    None and ``bump`` is "none", so a report reads either kind of plan the same way."""

    state: RepositoryState
    previous: ReleaseTag | None  # the release the window starts after
    reason: str  # one sentence: why no release
    commits: tuple[PlannedCommit, ...]  # newest first, skipped ones included
    prerelease: str | None
    ignored_tags: tuple[str, ...]
    next: None = None
    bump: Literal["none"] = "none"
    decided_by: tuple[PlannedCommit, ...] = ()
    notes: None = None
    images: None = None

    @property
    def release(self) -> bool:
        """False: no release is due."""
        return False


@dataclass(frozen=True, slots=True)
class DueRelease:
    """A plan with a release due: everything ``bot plan`` shows and ``bot release`` does. The
    release steps take only this kind of plan."""

    state: RepositoryState
    previous: ReleaseTag | None  # the release the window starts after
    next: NextRelease
    bump: PlanBump
    reason: str  # one sentence: why this release
    decided_by: tuple[PlannedCommit, ...]
    commits: tuple[PlannedCommit, ...]  # newest first, skipped ones included
    prerelease: str | None
    ignored_tags: tuple[str, ...]
    notes: ReleaseNotes
    images: ImagePlan | None = None  # the image stage; None without [images]

    @property
    def release(self) -> bool:
        """True: a release is due."""
        return True


ReleasePlan = NoRelease | DueRelease


def make_plan(
    history: History, config: Config, request: PlanRequest = PlanRequest()
) -> ReleasePlan:
    """Build the release plan for ``history`` under ``config`` and the person's ``request``.

    The branch's rule in ``[branches]`` applies: a prerelease channel's token (unless
    ``--prerelease`` or ``--version`` says otherwise) and a maintenance line's range. The
    history must have been read for the same branch (``find_baseline(within=...)``).
    """
    return plan_window(
        history.state, history.baseline, classify(history.commits, config), config, request
    )


def plan_window(
    state: RepositoryState,
    baseline: Baseline,
    classified: list[PlannedCommit],
    config: Config,
    request: PlanRequest,
) -> ReleasePlan:
    """``make_plan`` from the window's commits as ``classify`` planned them (steps 2-7)."""
    policy = branch_policy(config.branches, state.branch, request.prerelease)
    if request.version is None and policy.prerelease != request.prerelease:
        request = dataclasses.replace(request, prerelease=policy.prerelease)
    commits = cancel_reverts(classified)
    counted = [c for c in commits if c.skipped_reason is None]
    level = max((c.bump for c in counted), default=Bump.NONE)
    decided_by = tuple(c for c in counted if c.bump == level) if level else ()
    # --version and --bump win over Release-As: they are the way past a footer that cannot
    # be edited once merged, so the footer is not even read then.
    overridden = request.version is not None or request.bump is not None
    release_as = None if overridden else _release_as(counted)
    if not (level or request.bump or request.version or release_as):
        return _no_release(state, baseline, commits, request, _why_no_release(baseline, commits))
    base = _base_version(request, release_as, baseline, level, config)
    version = _final_or_prerelease(base, request, baseline)
    _check_range(version, policy, request, release_as, decided_by)
    if not request.made:
        _check_version(version, baseline, config)
    bump = _bump_label(version, baseline, request)
    latest = not version.is_prerelease and all(
        r.version < version or r.version.is_prerelease for r in baseline.existing
    )
    plan_next = NextRelease(version, config.tag_format.format(version), latest)
    # The same order as _base_version: --version, then --bump, then Release-As.
    if request.version is not None:
        reason = f"--version {request.version} given"
    elif request.bump is not None:
        reason = f"--bump {request.bump.label} given"
    elif release_as is not None:
        reason = f"Release-As {release_as.version} in {release_as.commit.sha[:7]}"
        decided_by = (release_as.commit,)
    else:
        # Releasable: asking for a release; a counted docs: commit is in the notes, no more.
        asking = sum(1 for c in counted if c.bump)
        reason = f"{asking} releasable commit(s); the highest asks for {level.label}"
        if baseline.last_final is not None:
            rule = zero_rule(
                baseline.last_final.version,
                level,
                major_on_zero=config.major_on_zero,
                minor_on_zero=config.minor_on_zero,
            )
            reason += f", {rule}" if rule else ""
    previous_tag = baseline.start.tag.name if baseline.start else None
    notes = release_notes(
        ReleaseInfo(version, plan_next.tag, previous_tag, request.date),
        ((c.sha, c.parsed) for c in counted if c.parsed is not None),
        dict(config.changelog.sections),
        forge_links(state.remote_url, config.changelog.forge),
    )
    return DueRelease(
        state,
        baseline.start,
        plan_next,
        bump,
        reason,
        decided_by,
        tuple(commits),
        request.prerelease,
        baseline.ignored,
        notes,
        _image_plan(version, baseline, state.head, config),
    )


class PackagePlan(NamedTuple):
    """One package of a monorepo and its release plan (made with ``package.config``)."""

    package: Package
    plan: ReleasePlan


def prerelease_channel(requests: Iterable[PlanRequest]) -> tuple[bool, str | None]:
    """Whether ``requests`` ask for a prerelease, and its channel when they ask for one alone
    (``--prerelease`` applies to every package): what the history is read for."""
    tokens = {r.prerelease for r in requests if r.prerelease is not None}
    return bool(tokens), next(iter(tokens)) if len(tokens) == 1 else None


def package_requests(
    packages: Sequence[Package], request: PlanRequest, name: str | None
) -> dict[str, PlanRequest]:
    """Each package's request by name: ``request`` for the package ``name``; every other
    package gets it without its version or bump (a version is one package's decision)."""
    others = dataclasses.replace(request, version=None, bump=None)
    return {p.name: request if p.name == name else others for p in packages}


def make_package_plans(
    history: PackagesHistory, config: Config, requests: Mapping[str, PlanRequest]
) -> tuple[PackagePlan, ...]:
    """The plan of every package of a monorepo (``config.packages``), from one stream.

    Each commit is classified once and goes to the window of every package it belongs to
    (packages.Owners) whose last release does not contain it (packages.outside_windows); each
    package's plan is then made as ``make_plan`` makes one (``plan_window``), with its own
    settings and its own request (``requests`` by package name).
    """
    windows = _package_windows(history, config)
    policy = branch_policy(config.branches, history.state.branch, None)
    kept = line_package(policy.branch, [p.name for p in config.packages]) if policy.range else None
    plans = []
    each = zip(config.packages, history.baselines, windows, strict=True)
    for package, baseline, window in each:
        if kept is not None and package.name != kept:
            # A maintenance line under a package's folder (api/1.x) releases that package alone.
            reason = f"{policy.branch} is a maintenance line of {kept} alone"
            idle = _no_release(history.state, baseline, window, requests[package.name], reason)
            plans.append(PackagePlan(package, idle))
            continue
        plan = plan_window(history.state, baseline, window, package.config, requests[package.name])
        if isinstance(plan, DueRelease):
            # A forge has one latest release per repository: no package's release claims it.
            plan = dataclasses.replace(plan, next=plan.next._replace(latest=False))
        plans.append(PackagePlan(package, plan))
    return tuple(plans)


def _no_release(
    state: RepositoryState,
    baseline: Baseline,
    commits: list[PlannedCommit],
    request: PlanRequest,
    reason: str,
) -> NoRelease:
    return NoRelease(
        state, baseline.start, reason, tuple(commits), request.prerelease, baseline.ignored
    )


def _image_plan(version: Version, baseline: Baseline, sha: str, config: Config) -> ImagePlan | None:
    """Step 7: the image tags, judged against every release tag in git (the push also asks the
    registry, which ``bot plan`` does not: it needs no network)."""
    images = config.images
    if images is None:
        return None
    from versionbot.core.image_tags import image_plan  # only with [images]

    return image_plan(
        version,
        (r.version for r in baseline.existing),
        sha,
        names=images.names,
        source=images.source,
        platforms=images.platforms,
        rules=images.rules,
        sign=images.sign,
    )


def classify(commits: Iterable[Commit], config: Config) -> list[PlannedCommit]:
    """Step 1: what every commit in the window contributes (newest first, as given)."""
    return list(each_classified(commits, config))


def _package_windows(history: PackagesHistory, config: Config) -> list[list[PlannedCommit]]:
    """Each package's window: the pieces of the commits that belong to it (packages.Owners)
    and that its last release does not contain (packages.outside_windows), newest first."""
    owners = Owners(config.packages)
    windows: list[list[PlannedCommit]] = [[] for _ in config.packages]
    starts = [b.start.tag.sha if b.start else None for b in history.baselines]
    tags = {r.tag.name: r.tag.sha for b in history.baselines for r in b.existing}
    for commit, paths, outside in outside_windows(history.commits, starts):
        for i, pieces in package_pieces(commit, paths, owners, config, tags, outside=outside):
            windows[i] += pieces
    return windows


def package_pieces(
    commit: Commit,
    paths: Collection[str],
    owners: Owners,
    config: Config,
    tags: Mapping[str, str],
    *,
    outside: int = 0,
) -> list[tuple[int, list[PlannedCommit]]]:
    """The packages (by index) a commit that changed ``paths`` belongs to, leaving out those in
    the bit set ``outside``, each with the pieces of the commit it gets; a commit of no package
    is not parsed. ``tags`` (name -> commit) tell the bot's tagged release commits."""
    members = owners.of_paths(paths) & ~outside
    by_scope = owners.uses_scopes
    if not (members or by_scope):
        return []
    pieces = _package_pieces(commit, paths, config, tags)
    if members & (members - 1):
        shares = [(i, pieces) for i in bits(members)]
    else:  # most commits: one package (or none)
        shares = [(members.bit_length() - 1, pieces)] if members else []
    if by_scope:
        # A piece whose scope names a package is that package's too; only that piece (of a
        # squash commit's bullets) goes there, while the packages whose files the commit
        # changed get every piece.
        for piece in pieces:
            parsed = piece.parsed
            if parsed is None or parsed.scope is None:
                continue
            scoped = owners.of_scope(parsed.scope) & ~outside & ~members
            if scoped:
                shares += [(i, [piece]) for i in bits(scoped)]
    return shares


def _package_pieces(
    commit: Commit, paths: Collection[str], config: Config, tags: Mapping[str, str]
) -> list[PlannedCommit]:
    """``classify_commit``, but the bot's own release commit counts nothing: it changes the
    released packages' files, and must never make a package (one depending on them) due. A
    commit whose release trailers the bot did not write counts as any other."""
    if has_release_trailer(commit.message):
        names = release_trailers(commit.message)
        if names and is_release_commit(commit.sha, names, config, tags, paths):
            subject = _subject(commit)
            return [PlannedCommit(commit.sha, subject, None, Bump.NONE, "release commit")]
    return classify_commit(commit, config)


def classify_commit(commit: Commit, config: Config) -> list[PlannedCommit]:
    """``classify`` of one commit: its pieces (several for a squash commit's bullets)."""
    sha, parents, message = commit
    if config.ignore_merge_commits and len(parents) > 1:
        return [PlannedCommit(sha, _subject(commit), None, Bump.NONE, "merge commit")]
    rules = config.bump_rules
    pieces = _pieces(message, config)
    return [_planned(sha, parse_commit(piece), rules) for piece in pieces]


def _pieces(message: str, config: Config) -> list[str]:
    """The changes one message holds: its squash bullets (``squash_commits``) and the change
    lines at the bottom of its body (``body_changes``); most messages are one."""
    if config.body_changes and "_COMMIT_OVERRIDE" in message:
        message = commit_override(message)
    squash = config.squash_commits
    split = squash and "\n* " in message
    pieces = split_squash(message, always=squash == "always") if split else [message]
    if config.body_changes and "\n" in message:
        types = config.change_types
        pieces = [change for piece in pieces for change in split_changes(piece, types)]
    return pieces


def each_classified(commits: Iterable[Commit], config: Config) -> Iterator[PlannedCommit]:
    """``classify`` one piece at a time, for a reader that keeps only some of them."""
    rules: BumpRules = config.bump_rules
    ignore_merges, squash = config.ignore_merge_commits, config.squash_commits
    body_changes = config.body_changes
    for sha, parents, message in commits:
        if ignore_merges and len(parents) > 1:
            subject = message.partition("\n")[0].strip()
            yield PlannedCommit(sha, subject, None, Bump.NONE, "merge commit")
        elif (squash and "\n* " in message) or (body_changes and "\n" in message):
            for piece in _pieces(message, config):
                yield _planned(sha, parse_commit(piece), rules)
        else:
            yield _planned(sha, parse_commit(message), rules)


def _subject(commit: Commit) -> str:
    return commit.message.partition("\n")[0].strip()


def _planned(sha: str, parsed: ParsedCommit | ParseFailure, rules: BumpRules) -> PlannedCommit:
    if isinstance(parsed, ParseFailure):
        reason = f"not conventional: {parsed.reason}"
        return PlannedCommit(sha, parsed.header, None, Bump.NONE, reason)
    return PlannedCommit(sha, parsed.header, parsed, rules.for_commit(parsed), None)


def cancel_reverts(planned: list[PlannedCommit]) -> list[PlannedCommit]:
    """Step 2: a commit reverted in the same window, and its revert, contribute nothing.

    Walking newest first makes chains come out right: when C reverts B which reverted A, C and B
    cancel, and A (reapplied) counts.
    """
    reverts = [i for i, c in enumerate(planned) if c.parsed is not None and c.parsed.reverts]
    if not reverts:
        return planned
    positions: dict[str, list[int]] = {}
    for i, c in enumerate(planned):
        positions.setdefault(c.sha, []).append(i)
    result = list(planned)
    for i in reverts:
        revert = result[i]
        if revert.skipped_reason is not None or revert.parsed is None:
            continue
        named = revert.parsed.reverts
        found = [t for t in (_resolve_sha(r, positions) for r in named) if t and t != revert.sha]
        live = [j for t in found for j in positions[t] if result[j].skipped_reason is None]
        if not live:
            continue
        for j in live:
            result[j] = _skip(result[j], f"reverted by {revert.sha[:7]}")
        # A revert that also names commits of earlier releases still reverts those: it counts.
        if len(found) == len(named):
            shas = ", ".join(t[:7] for t in found)
            result[i] = _skip(revert, f"reverts {shas} in this release")
    return result


class _ReleaseAs(NamedTuple):
    version: Version
    commit: PlannedCommit


def _release_as(counted: list[PlannedCommit]) -> _ReleaseAs | None:
    """The newest ``Release-As`` footer among the counted commits."""
    for commit in counted:
        if commit.parsed is not None and commit.parsed.release_as is not None:
            value = commit.parsed.release_as
            try:
                version = Version.parse(value.removeprefix("v"))
            except InvalidVersion:
                shown = neutralise(shortened(value))
                raise VersionConflictError(
                    f"commit {commit.sha[:7]} has 'Release-As: {shown}', which is not X.Y.Z",
                    "release with --version X.Y.Z or --bump LEVEL (the footer cannot be edited "
                    "once merged)",
                ) from None
            return _ReleaseAs(version, commit)
    return None


def _base_version(
    request: PlanRequest,
    release_as: _ReleaseAs | None,
    baseline: Baseline,
    level: Bump,
    config: Config,
) -> Version:
    """Step 4: the version before any prerelease counter or build metadata.

    ``--version`` wins, then ``--bump``, then a ``Release-As`` footer, then the commits: the last
    final release bumped, never below an open prerelease line.
    """
    if request.version is not None:
        return request.version
    if release_as is not None and request.bump is None:
        return release_as.version
    level = request.bump or level
    # `--bump major` is the decision that major_on_zero otherwise withholds: it goes to 1.0.0;
    # `--bump minor` likewise moves the minor whatever minor_on_zero says.
    major_on_zero = config.major_on_zero or request.bump is Bump.MAJOR
    minor_on_zero = config.minor_on_zero or request.bump is Bump.MINOR
    if baseline.last_final is None:
        base = config.initial_version
    else:
        base = apply_bump(
            baseline.last_final.version,
            level,
            major_on_zero=major_on_zero,
            minor_on_zero=minor_on_zero,
        )
    pre = baseline.latest_prerelease
    if pre is not None and pre.version.core > base:
        base = pre.version.core
    return base


def _final_or_prerelease(base: Version, request: PlanRequest, baseline: Baseline) -> Version:
    version = base
    if request.prerelease is not None and not base.is_prerelease:
        existing = (r.version for r in baseline.existing)
        number = next_prerelease_number(base, request.prerelease, existing)
        version = base.with_prerelease(request.prerelease, number)
    if request.build is not None:
        version = version.with_build(request.build)
    return version


def _latest_of_channel(version: Version, baseline: Baseline) -> ReleaseTag | None:
    """The latest prerelease on this branch above the last final that ``version`` must pass:
    any channel's for a final, its own channel's (``beta`` of ``2.0.0-beta.3``) for a
    prerelease."""
    latest = baseline.latest_prerelease
    if latest is None or not version.is_prerelease:
        return latest
    channel = version.prerelease[:-1]
    final = baseline.last_final
    same = [
        r
        for r in baseline.existing
        if r.tag.reachable
        and r.version.prerelease[:-1] == channel
        and r.version.is_prerelease
        and (final is None or r.version > final.version)
        and (baseline.within is None or baseline.within.admits_baseline(r.version))
    ]
    return max(same, key=lambda r: r.version.precedence, default=None)


def _check_range(
    version: Version,
    policy: BranchPolicy,
    request: PlanRequest,
    release_as: _ReleaseAs | None,
    decided_by: tuple[PlannedCommit, ...],
) -> None:
    """Step 5: a maintenance line releases only inside its range; say what asked to leave it."""
    within = policy.range
    if within is None or version in within:
        return
    if request.version is not None:
        who = f"--version {request.version}"
    elif request.bump is not None:
        who = f"--bump {request.bump.label}"
    elif release_as is not None:
        who = f"Release-As {release_as.version} in {release_as.commit.sha[:7]}"
    elif decided_by:
        commit = decided_by[0]
        who = f"commit {commit.sha[:7]} ({commit.subject!r})"
    else:  # pragma: no cover - a release is due only when something asks for one
        who = "the commits"
    hint = (
        f"{policy.branch} has no release of its own yet: open the line with --version {within.low}"
        if version.core < within.low
        else f"{policy.branch} releases only {within}: release this change from a branch above "
        "the line (e.g. main), or revert it here"
    )
    raise VersionConflictError(
        f"{who} asks for {version}, outside the maintenance branch {policy.branch} ({within})",
        hint,
    )


def _check_version(version: Version, baseline: Baseline, config: Config) -> None:
    """Step 5: never backwards, never a tag that exists, never a prerelease of a version
    released elsewhere (it would come after its own final).

    Backwards is against the last final release and the latest prerelease of the version's own
    channel: prerelease channels are lines of their own, as semantic-release has them, so
    ``2.0.0-alpha.2`` may follow ``2.0.0-beta.1`` (alpha -> beta -> alpha). Numbers are
    counted over every channel's tags, so no tag repeats.
    """
    latest = max(
        (r for r in (baseline.last_final, _latest_of_channel(version, baseline)) if r is not None),
        key=lambda r: r.version.precedence,
        default=None,
    )
    if latest is not None and not version > latest.version:
        raise VersionConflictError(
            f"version {version} is not greater than the last release {latest.version} "
            f"({latest.tag.name})",
            "choose a higher version with --version X.Y.Z",
        )
    tag = config.tag_format.format(version)
    for release in baseline.existing:
        if release.tag.name == tag or release.version.same_precedence(version):
            raise VersionConflictError(
                f"tag {release.tag.name} already exists on {release.tag.sha[:7]}, "
                "which is not reachable from HEAD",
                "it is released from another branch or a later commit: merge that branch, or "
                "run from the commit it tags (bot release finishes it from there); never "
                "release the same changes again under another version",
            )
        final = not release.version.is_prerelease
        if version.is_prerelease and final and release.version.same_precedence(version.core):
            raise VersionConflictError(
                f"{version.core} is already released ({release.tag.name} on "
                f"{release.tag.sha[:7]}, not reachable from HEAD): {version} would come after it",
                "merge the branch that released it into this one first (e.g. main into next)",
            )


def _bump_label(version: Version, baseline: Baseline, request: PlanRequest) -> PlanBump:
    pre = baseline.latest_prerelease
    if request.prerelease is not None and pre is not None and version.core == pre.version.core:
        return "prerelease"
    previous = baseline.last_final.version if baseline.last_final else Version(0, 0, 0)
    return level_between(previous, version).label


def _why_no_release(baseline: Baseline, commits: list[PlannedCommit]) -> str:
    since = f"since {baseline.start.tag.name}" if baseline.start else "in the history"
    if not commits:
        return f"no commits {since}"
    return f"no releasable commits {since} ({len(commits)} commit(s), none asks for a release)"


def _skip(commit: PlannedCommit, reason: str) -> PlannedCommit:
    return PlannedCommit(commit.sha, commit.subject, commit.parsed, commit.bump, reason)


def _resolve_sha(reference: str, positions: dict[str, list[int]]) -> str | None:
    if reference in positions:
        return reference
    if len(reference) < 7:
        return None
    matches = [sha for sha in positions if sha.startswith(reference)]
    return matches[0] if len(matches) == 1 else None


def window_notes(
    window: ReleaseWindow,
    planned: Mapping[str, list[PlannedCommit]],
    config: Config,
    links: ForgeLinks | None,
) -> ReleaseNotes:
    """The notes of a past release from its window, whose commits ``classify`` already planned
    (``planned`` maps each sha to its pieces; a sha it lacks has none, e.g. another package's
    commit): reverts cancel and notes group as in ``make_plan``.
    """
    pieces = [piece for commit in window.commits for piece in planned.get(commit.sha, ())]
    counted = [
        (c.sha, c.parsed)
        for c in cancel_reverts(pieces)
        if c.skipped_reason is None and c.parsed is not None
    ]
    release = window.release
    date = utc_date(release.tag.date) if release.tag.date is not None else None
    previous = window.previous.tag.name if window.previous else None
    info = ReleaseInfo(release.version, release.tag.name, previous, date)
    return release_notes(info, counted, dict(config.changelog.sections), links)
