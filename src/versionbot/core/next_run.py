"""What one ``bot release`` run does: the releases it finishes, makes or proposes, and why.

Pure: no I/O. ``bot release`` acts on these decisions (release/run.py) and ``bot plan`` words
them (``sentence``), so the preview and the run cannot disagree. The facts come from the edges:
every package's plan (a repository without ``[packages]`` is one package at its root), the
releases whose tags HEAD carries (planned as the run that made them saw them), the names HEAD's
release trailers give, where those tags are on the remote (``bot release`` asks; ``bot plan``
needs no network and takes the local tags), and in pr mode the merged and the open release pull
request.

A release is named in trailers, commit subjects and pull request titles by its version when the
repository is one package (``chore(release): 1.4.0``) and by its tag in a monorepo
(``chore(release): api-v1.4.0, web-v0.2.0``): ``release_name``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from versionbot.core.config import Config, Package
from versionbot.core.errors import RepositoryError
from versionbot.core.packages import WHOLE_REPOSITORY
from versionbot.core.plan import DueRelease, PackagePlan
from versionbot.core.version import InvalidVersion, Version


class Due(NamedTuple):
    """One package's due release: the package (its settings in ``package.config``) and its
    plan."""

    package: Package
    plan: DueRelease

    @property
    def tag(self) -> str:
        """The release's tag."""
        return self.plan.next.tag

    @property
    def version(self) -> Version:
        """The release's version."""
        return self.plan.next.version

    @property
    def name(self) -> str:
        """How trailers, commit subjects and pull request titles name this release."""
        return release_name(self.package, self.plan)


def release_name(package: Package, plan: DueRelease) -> str:
    """The version for the repository's one package, the tag for a monorepo's package."""
    return str(plan.next.version) if package.name == WHOLE_REPOSITORY else plan.next.tag


def due_releases(plans: Iterable[PackagePlan]) -> tuple[Due, ...]:
    """The plans that have a release due, in their order."""
    return tuple(Due(p.package, p.plan) for p in plans if isinstance(p.plan, DueRelease))


def marked_tags(names: Sequence[str], config: Config) -> list[str]:
    """The tags a release commit's trailer ``names`` stand for (a version is turned into its tag
    in a repository without ``[packages]``; a name that is no version stands for no tag)."""
    if config.packages:
        return list(names)
    tags = []
    for name in names:
        try:
            tags.append(config.tag_format.format(Version.parse(name)))
        except InvalidVersion:
            continue
    return tags


_NO_PACKAGE_DUE = "nothing to release: no package has a release due"


@dataclass(frozen=True, slots=True)
class Releases:
    """What a direct-mode run does: the releases whose tags are (or go) on HEAD, and those that
    need a new release commit. ``finishing``: HEAD is the bot's release commit (``marked`` are
    its trailers' names) whose tags are not all on the remote yet, so the remote branch may
    still be at its parent."""

    at_head: tuple[Due, ...] = ()
    new: tuple[Due, ...] = ()
    finishing: bool = False
    marked: tuple[str, ...] = ()
    idle: str = _NO_PACKAGE_DUE  # said when both are empty

    def only(self, name: str | None) -> Releases:
        """The releases of the package ``name`` alone (``--package NAME``); all with None."""
        if name is None:
            return self
        at_head = tuple(p for p in self.at_head if p.package.name == name)
        new = tuple(p for p in self.new if p.package.name == name)
        return dataclasses.replace(self, at_head=at_head, new=new)


def choose_releases(
    plans: Sequence[PackagePlan],
    at_head: Sequence[Due],
    marked: Sequence[str],
    on_remote: Mapping[str, str],
    config: Config,
) -> Releases:
    """Which releases a direct-mode run makes, from every package's next release (``plans``),
    the releases whose tags HEAD carries (``at_head``, planned as they were made), the names
    HEAD's release trailers give (``marked``) and where their tags are on the remote
    (``on_remote``, tag -> commit).

    On a detached HEAD (a tag's checkout) a run only completes the releases HEAD's tags name.
    While a release commit's tags are not all on the remote, a run only finishes them; once
    they are, the packages still due are released on top of it. A clone that lacks the release
    commit's tags (every package would look due from its first commit) releases nothing: loop
    safety.
    """
    if not plans:
        return Releases()
    head = plans[0].plan.state.head
    if plans[0].plan.state.branch is None and at_head:
        # A tag's checkout (the tag-push workflow): complete what the tags name, nothing more;
        # there is no branch to put a release commit on.
        return Releases(tuple(at_head), marked=tuple(marked))
    due = due_releases(plans)
    tagged = {p.package.name for p in at_head}
    # A due release that HEAD's trailers name was made on HEAD by a run that stopped before
    # tagging it.
    resumed = tuple(p for p in due if p.name in marked and p.package.name not in tagged)
    holding = tuple(at_head) + resumed
    finishing = any(on_remote.get(tag) != head for tag in marked_tags(marked, config))
    if finishing:
        lost = [name for name in marked if name not in {p.name for p in holding}]
        if lost:
            raise RepositoryError(
                f"HEAD {head[:7]} is the release commit of {', '.join(marked)}, but no "
                f"package plans {', '.join(lost)} any more",
                "run with the configuration that made the release commit, or tag it by hand",
            )
        return Releases(holding, (), finishing=True, marked=tuple(marked))
    if not set(marked) <= {p.name for p in at_head}:
        idle = f"HEAD {head[:7]} is the release commit of {', '.join(marked)}: nothing to release"
        return Releases(idle=idle)
    new = tuple(p for p in due if p.package.name not in tagged)
    idle = _NO_PACKAGE_DUE
    if len(plans) == 1 and plans[0].package.name == WHOLE_REPOSITORY:
        idle = f"nothing to release: {plans[0].plan.reason}"
    return Releases(tuple(at_head), new, marked=tuple(marked), idle=idle)


# -- the sentence of bot plan ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PullRequestFacts:
    """What a pr-mode run finds besides the plans: the merged release pull request's commit
    and the names it releases, and the open one (when the forge was asked)."""

    merged: tuple[str, tuple[str, ...]] | None = None  # (sha, names)
    pull: tuple[int, str] | None = None  # (number, url) of the open release pull request
    pull_known: bool = False  # whether the forge was asked about open pull requests


def sentence(
    mode: str,
    pr_branch: str,
    releases: Releases,
    due: Sequence[Due],
    facts: PullRequestFacts = PullRequestFacts(),
    *,
    detached: bool = False,
) -> str:
    """What ``bot release`` will do, in one sentence: in ``mode`` with the direct-mode
    ``releases`` (in pr mode: the releases at HEAD), the pr mode's facts, and ``due``: what a
    pr-mode run proposes after finishing what HEAD holds. On a ``detached`` HEAD (a tag's
    checkout) a run only completes the releases HEAD's tags name, in either mode."""
    if releases.at_head:
        return _completing_sentence(mode, releases.at_head, due, detached=detached)
    if detached and (due or mode == "pr"):
        return (
            "refuse (exit 2): a detached HEAD without a release tag is not a release branch; "
            "nothing is released"
        )
    if mode == "pr":
        return _pull_request_sentence(pr_branch, due, facts)
    if not releases.new:
        return "nothing"
    tags = [p.tag for p in releases.new]
    return (
        f"commit, tag and push {', '.join(tags)}, then forge release{_plural(tags)} and image tags"
    )


def _completing_sentence(
    mode: str, at_head: Sequence[Due], due: Sequence[Due], *, detached: bool
) -> str:
    tags = [p.tag for p in at_head]
    s = _plural(tags)
    text = (
        f"complete the release{s} of {', '.join(tags)} at HEAD (push the tag{s} if missing, "
        f"forge release{s}, image tags), committing nothing"
    )
    if mode != "pr" or detached:
        return text
    if not due:
        return f"{text}; then nothing is due (an open release pull request would be closed)"
    return f"{text}; then the release pull request for {', '.join(p.name for p in due)}"


def past_head_sentence(tags: Sequence[str], remote: str, branch: str) -> str:
    """What a run on a checkout behind ``remote/branch`` does when that branch holds releases
    past HEAD (``tags``): it finishes them and makes no new one."""
    s = _plural(tags)
    return (
        f"finish the release{s} of {', '.join(tags)}, made past HEAD on {remote}/{branch} "
        f"(forge release{s}, image tags), committing nothing and releasing nothing new"
    )


def _pull_request_sentence(pr_branch: str, due: Sequence[Due], facts: PullRequestFacts) -> str:
    if facts.merged is not None:
        sha, merged = facts.merged
        s = _plural(merged)
        return (
            f"tag {sha[:7]} (the merged release pull request of {', '.join(merged)}), push the "
            f"tag{s} alone, forge release{s} and image tags; then a pull request for what came "
            "after it"
        )
    pull = f"#{facts.pull[0]} ({facts.pull[1]})" if facts.pull else None
    names = ", ".join(p.name for p in due)
    if not due and pull is not None:
        return f"close the release pull request {pull}: nothing to release"
    if not due:
        return "nothing (an open release pull request would be closed)"
    if pull is not None:
        return f"update the release pull request {pull} to {names} (branch {pr_branch})"
    verb = "open" if facts.pull_known else "open or update"
    return f"{verb} the release pull request for {names} from {pr_branch}"


def _plural(names: Sequence[str]) -> str:
    return "s" if len(names) > 1 else ""
