"""Release tags and where the next release's window of commits begins.

Pure: no I/O. The git edge (git/reader.py) lists the tags and the commits; this module decides which
tags are releases (``tag_format``), which release is the last one on this branch, and so which
commits the next release is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from versionbot.core.branches import VersionRange
from versionbot.core.commits import Commit
from versionbot.core.version import InvalidVersion, Version


class Tag(NamedTuple):
    """A git tag: its name, the commit it points at, whether HEAD contains that commit, and
    when it was made (tagger date of an annotated tag, commit date of a lightweight one)."""

    name: str
    sha: str
    reachable: bool
    date: int | None = None  # Unix seconds
    # The commit the tag points at, when it is off the branch and ``sha`` is the branch's copy
    # of it, which stands in for it (git/stand_ins.py); None for a tag on its own commit.
    stands_in_for: str | None = None


class ReleaseTag(NamedTuple):
    """A tag that names a release: the tag and the version it stands for."""

    tag: Tag
    version: Version


@dataclass(frozen=True, slots=True)
class TagFormat:
    """``tag_format`` such as ``v{version}``: turns versions into tag names and back.

    ``legacy`` formats (``legacy_tag_formats``) name releases too, made before the format was
    renamed: they are read, never written.
    """

    pattern: str
    legacy: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(p.count("{version}") != 1 for p in (self.pattern, *self.legacy)):
            raise ValueError("must contain '{version}' exactly once")

    def format(self, version: Version) -> str:
        """The tag name of ``version``."""
        return self.pattern.replace("{version}", str(version))

    def parse(self, name: str) -> Version | None:
        """The version a tag name stands for (in the format or a legacy one), or None when it
        is not a release tag."""
        for pattern in (self.pattern, *self.legacy):
            version = _version_in(name, pattern)
            if version is not None:
                return version
        return None

    @property
    def glob(self) -> str:
        """A ``refs/tags/`` glob that matches every tag this format can make."""
        return re.sub(r"[\[\]?*]", "?", self.pattern).replace("{version}", "*")


def _version_in(name: str, pattern: str) -> Version | None:
    prefix, _, suffix = pattern.partition("{version}")
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return None
    text = name[len(prefix) : len(name) - len(suffix)] if suffix else name[len(prefix) :]
    try:
        return Version.parse(text)
    except InvalidVersion:
        return None


class Baseline(NamedTuple):
    """Where the next release starts.

    ``last_final`` is the highest final release reachable from HEAD; ``latest_prerelease`` the
    highest reachable prerelease above it, if any; ``start`` the release tag whose commit begins
    the window (exclusive), or None for "since the first commit".
    """

    last_final: ReleaseTag | None
    latest_prerelease: ReleaseTag | None
    start: ReleaseTag | None
    existing: tuple[ReleaseTag, ...]  # every release tag, reachable or not
    ignored: tuple[str, ...]  # tag names that are not releases in this tag format
    within: VersionRange | None = None  # a maintenance line's range: the baseline is inside it


class RepositoryState(NamedTuple):
    """Where we are: the work tree's root, HEAD's commit and branch (None when detached), and
    the ``origin`` remote's URL (None without one), from which links are made."""

    root: str
    head: str
    branch: str | None
    remote_url: str | None = None


class History(NamedTuple):
    """What a plan is made from: the repository state, the release tags, and the window.

    ``commits`` are the commits after ``baseline.start`` up to HEAD, newest first. The git edge
    hands them over as a stream that git is still writing; the plan consumes it once.
    """

    state: RepositoryState
    baseline: Baseline
    commits: Iterable[Commit]


class PackagesHistory(NamedTuple):
    """What a monorepo's plans are made from: the repository state, each package's baseline
    (in the order of ``config.packages``), and every commit any package's window can hold, with
    the paths it changed, children first (streamed, consumed once)."""

    state: RepositoryState
    baselines: tuple[Baseline, ...]
    commits: Iterable[tuple[Commit, tuple[str, ...]]]


def release_tags(tags: tuple[Tag, ...], fmt: TagFormat) -> tuple[list[ReleaseTag], list[str]]:
    """Split tags into release tags (with their versions) and the names of all others."""
    releases: list[ReleaseTag] = []
    ignored: list[str] = []
    for tag in tags:
        version = fmt.parse(tag.name)
        if version is None:
            ignored.append(tag.name)
        else:
            releases.append(ReleaseTag(tag, version))
    return releases, ignored


def find_baseline(
    tags: tuple[Tag, ...],
    fmt: TagFormat,
    *,
    prerelease: bool,
    within: VersionRange | None = None,
    channel: str | None = None,
) -> Baseline:
    """Find the last releases on this branch and where the window of the next one begins.

    A final release counts every commit since the last final release, so the notes of 1.4.0 hold
    what its release candidates held too. A prerelease counts only what came after the latest
    prerelease of its ``channel`` (``beta`` for 2.0.0-beta.3; any channel when None), or the
    last final, on this branch: as semantic-release's channels, a beta that takes in the alpha
    line (a merge of alpha into beta) releases what beta has not released yet.

    On a maintenance line (``within``), releases at or above the range's upper end do not count
    as this branch's (a merged main's 2.0.0 is not where 1.x continues from); they stay in
    ``existing``, where conflicts and prerelease counters see them.
    """
    releases, ignored = release_tags(tags, fmt)
    reachable = [
        r
        for r in releases
        if r.tag.reachable and (within is None or within.admits_baseline(r.version))
    ]
    finals = [r for r in reachable if not r.version.is_prerelease]
    last_final = max(finals, key=_precedence, default=None)
    pres = [
        r
        for r in reachable
        if r.version.is_prerelease and (last_final is None or r.version > last_final.version)
    ]
    latest_pre = max(pres, key=_precedence, default=None)
    own = latest_pre
    if channel is not None:
        identifiers = tuple(channel.split("."))
        own = max(
            (r for r in pres if r.version.prerelease[:-1] == identifiers),
            key=_precedence,
            default=None,
        )
    start = own if prerelease and own is not None else last_final
    return Baseline(last_final, latest_pre, start, tuple(releases), tuple(ignored), within)


def package_baselines(
    tags: tuple[Tag, ...],
    formats: Sequence[TagFormat],
    *,
    prerelease: bool,
    within: Sequence[VersionRange | None] | None = None,
    channel: str | None = None,
) -> tuple[Baseline, ...]:
    """``find_baseline`` for each package of a monorepo (its tag format in ``formats``, its
    maintenance range in ``within``). A package's ignored tags are those no package's format
    names: another package's tags are not noise."""
    ranges = within or [None] * len(formats)
    baselines = [
        find_baseline(tags, f, prerelease=prerelease, within=r, channel=channel)
        for f, r in zip(formats, ranges, strict=True)
    ]
    names = {r.tag.name for b in baselines for r in b.existing}
    ignored = tuple(t.name for t in tags if t.name not in names)
    return tuple(b._replace(ignored=ignored) for b in baselines)


def _precedence(release: ReleaseTag) -> tuple[object, str]:
    # Ties in precedence (1.0.0 and 1.0.0+build) break on the tag name, so the choice is stable.
    return (release.version.precedence, release.tag.name)


def stop_at_shallow_boundary(
    commits: Iterator[Commit], shallow: frozenset[str]
) -> Iterator[Commit]:
    """Yield commits; raise TruncatedHistory at a commit whose parents a shallow clone lacks."""
    for commit in commits:
        yield commit
        if commit.sha in shallow:
            raise TruncatedHistory(commit.sha)


class TruncatedHistory(Exception):
    """The window reaches the edge of a shallow clone: its older commits are not here."""

    def __init__(self, sha: str) -> None:
        super().__init__(sha)
        self.sha = sha


class ReleaseWindow(NamedTuple):
    """One release of the history and the commits it released, newest first."""

    release: ReleaseTag
    previous: ReleaseTag | None
    commits: tuple[Commit, ...]


def release_windows(
    commits: list[Commit], releases: list[ReleaseTag]
) -> tuple[list[ReleaseWindow], list[Commit]]:
    """Split a whole history (newest first) into the windows of its releases, oldest release first.

    ``releases`` are the release tags whose commits are in ``commits``. Like ``bot plan``, a final
    release holds every commit since the previous final release (its prereleases' too), and a
    prerelease what came after the release before it. A commit belongs to the lowest release that
    contains it, found by one walk down the parents per release that stops at commits an earlier
    release already owns, so the whole split costs one pass over the history. The second value is
    the commits no release contains yet.
    """
    parents = {c.sha: c.parents for c in commits}
    ordered = sorted(releases, key=_precedence)
    finals = [r for r in ordered if not r.version.is_prerelease]
    owner_final = _owners(parents, finals)
    owner_any = _owners(parents, ordered) if len(finals) != len(ordered) else owner_final
    by_final: dict[str, list[Commit]] = {r.tag.name: [] for r in finals}
    by_any: dict[str, list[Commit]] = {r.tag.name: [] for r in ordered}
    unreleased: list[Commit] = []
    for commit in commits:
        final = owner_final.get(commit.sha)
        if final is not None:
            by_final[final].append(commit)
        owner = owner_any.get(commit.sha)
        if owner is None:
            unreleased.append(commit)
        else:
            by_any[owner].append(commit)
    windows = []
    previous_final: ReleaseTag | None = None
    previous_any: ReleaseTag | None = None
    for release in ordered:
        if release.version.is_prerelease:
            windows.append(ReleaseWindow(release, previous_any, tuple(by_any[release.tag.name])))
        else:
            windows.append(
                ReleaseWindow(release, previous_final, tuple(by_final[release.tag.name]))
            )
            previous_final = release
        previous_any = release
    return windows, unreleased


def _owners(parents: dict[str, tuple[str, ...]], releases: list[ReleaseTag]) -> dict[str, str]:
    owner: dict[str, str] = {}
    for release in releases:
        stack = [release.tag.sha]
        name = release.tag.name
        while stack:
            sha = stack.pop()
            if sha in owner or sha not in parents:
                continue
            owner[sha] = name
            stack.extend(parents[sha])
    return owner


# A SemVer version inside a tag name that no configured format reads (`release-1.2.0`).
_VERSION_INSIDE = re.compile(
    r"(?<![0-9.])(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?![0-9.])"
)
_SHOWN = 3  # tags named in a left-out line; the rest are counted


def left_out(tags: Sequence[Tag], fmt: TagFormat, others: Sequence[TagFormat] = ()) -> list[str]:
    """What a whole changelog of ``fmt``'s releases leaves out of ``tags`` (``reachable``
    exact), and the configuration that would bring it in: one line per reason.

    * release tags on commits this branch does not hold (released from another branch, or a
      history rewritten without a copy of the release here: git/stand_ins.py);
    * tags that name versions in another format (a renamed ``tag_format``): each such format,
      offered as ``legacy_tag_formats``. Tags of ``others`` (a monorepo's other packages) are
      no one's to report here.
    """
    lines = []
    releases, ignored = release_tags(tuple(tags), fmt)
    off = sorted((r for r in releases if not r.tag.reachable), key=_precedence, reverse=True)
    if off:
        lines.append(
            f"{_counted(len(off), 'release tag')} on commits this branch does not hold "
            f"({_named([r.tag.name for r in off])}): released from another branch, or the "
            "history was rewritten without a copy of the release here; merge that branch to "
            "include them"
        )
    formats: dict[str, list[tuple[Version, str]]] = {}
    for name in ignored:
        if any(other.parse(name) is not None for other in others):
            continue
        found = _VERSION_INSIDE.search(name)
        if found is None:
            continue
        pattern = name[: found.start()] + "{version}" + name[found.end() :]
        try:
            version = Version.parse(found[0])
        except InvalidVersion:
            continue
        formats.setdefault(pattern, []).append((version, name))
    for pattern, named in sorted(formats.items(), key=lambda item: -len(item[1])):
        newest = [name for _, name in sorted(named, key=lambda v: v[0].precedence, reverse=True)]
        lines.append(
            f"{_counted(len(named), 'tag')} in another format, {pattern} ({_named(newest)}): a "
            f'renamed tag_format? To include them, set legacy_tag_formats = ["{pattern}"]'
        )
    return lines


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _named(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown if len(names) <= _SHOWN else f"{shown} and {len(names) - _SHOWN} more"
