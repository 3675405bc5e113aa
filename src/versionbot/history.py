"""Release tags and where the next release's window of commits begins.

Pure: no I/O. The git edge (git.py) lists the tags and the commits; this module decides which
tags are releases (``tag_format``), which release is the last one on this branch, and so which
commits the next release is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from versionbot.commits import Commit
from versionbot.version import InvalidVersion, Version


@dataclass(frozen=True, slots=True)
class Tag:
    """A git tag: its name, the commit it points at, and whether HEAD contains that commit."""

    name: str
    sha: str
    reachable: bool


@dataclass(frozen=True, slots=True)
class ReleaseTag:
    """A tag that names a release: the tag and the version it stands for."""

    tag: Tag
    version: Version


@dataclass(frozen=True, slots=True)
class TagFormat:
    """``tag_format`` such as ``v{version}``: turns versions into tag names and back."""

    pattern: str

    def __post_init__(self) -> None:
        if self.pattern.count("{version}") != 1:
            raise ValueError("must contain '{version}' exactly once")

    def format(self, version: Version) -> str:
        """The tag name of ``version``."""
        return self.pattern.replace("{version}", str(version))

    def parse(self, name: str) -> Version | None:
        """The version a tag name stands for, or None when it is not a release tag."""
        prefix, _, suffix = self.pattern.partition("{version}")
        if not (name.startswith(prefix) and name.endswith(suffix)):
            return None
        text = name[len(prefix) : len(name) - len(suffix)] if suffix else name[len(prefix) :]
        try:
            return Version.parse(text)
        except InvalidVersion:
            return None

    @property
    def glob(self) -> str:
        """A ``refs/tags/`` glob that matches every tag this format can make."""
        return re.sub(r"[\[\]?*]", "?", self.pattern).replace("{version}", "*")


@dataclass(frozen=True, slots=True)
class Baseline:
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


@dataclass(frozen=True, slots=True)
class RepositoryState:
    """Where we are: the work tree's root, HEAD's commit and branch (None when detached)."""

    root: str
    head: str
    branch: str | None


@dataclass(frozen=True, slots=True)
class History:
    """What a plan is made from: the repository state, the release tags, and the window.

    ``commits`` are the commits after ``baseline.start`` up to HEAD, newest first. The git edge
    hands them over as a stream that git is still writing; the plan consumes it once.
    """

    state: RepositoryState
    baseline: Baseline
    commits: Iterable[Commit]


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


def find_baseline(tags: tuple[Tag, ...], fmt: TagFormat, *, prerelease: bool) -> Baseline:
    """Find the last releases on this branch and where the window of the next one begins.

    A final release counts every commit since the last final release, so the notes of 1.4.0 hold
    what its release candidates held too. A prerelease counts only what came after the latest
    prerelease (or final) on this branch.
    """
    releases, ignored = release_tags(tags, fmt)
    reachable = [r for r in releases if r.tag.reachable]
    finals = [r for r in reachable if not r.version.is_prerelease]
    last_final = max(finals, key=_precedence, default=None)
    pres = [
        r
        for r in reachable
        if r.version.is_prerelease and (last_final is None or r.version > last_final.version)
    ]
    latest_pre = max(pres, key=_precedence, default=None)
    start = latest_pre if prerelease and latest_pre is not None else last_final
    return Baseline(last_final, latest_pre, start, tuple(releases), tuple(ignored))


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
