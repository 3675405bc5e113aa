"""The bot's own release commit: the trailers that mark it, and when they are believed.

Pure: no I/O. A release commit (and the release pull request's commit and description) carries
one ``Versionbot-Release: NAME`` trailer per release it makes: the version when the repository
is one package, the tag of each package in a monorepo (core/next_run.py's ``release_name``).
Loop safety rests on it: such a commit never makes a release due, and a run whose HEAD is one
finishes its releases instead of making new ones.

Commit text is anyone's to write, so a trailer alone proves nothing. Only trailers in the
message's trailer block count (its last paragraphs, made of ``Token: value`` lines), and a
commit that has them is the bot's release commit only when

* a release tag its trailers name points at it (the bot tagged it), or
* it changes at least one file, and nothing but the named releases' own files: their
  changelogs and version files (``is_release_commit``).

Anything else is an ordinary commit, counted like any other (``bot check`` flags its trailers).
Before the bot tags a release commit that no tag names yet (a merged release pull request, a
run that stopped before tagging), the git edge also checks that its version files say the
named versions (git/release_commits.py).

>>> release_trailers("chore(release): 1.4.0\\n\\nVersionbot-Release: 1.4.0\\n")
['1.4.0']
>>> release_trailers("fix: x\\n\\nquoted:\\nVersionbot-Release: 1.4.0\\nand more prose")
[]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import NamedTuple

from versionbot.core.config import Config, Package
from versionbot.core.packages import WHOLE_REPOSITORY, packages_of
from versionbot.core.version import InvalidVersion, Version

RELEASE_TRAILER = "Versionbot-Release"

_TRAILER = re.compile(rf"{RELEASE_TRAILER}:[ \t]*(\S+)[ \t]*")
# A trailer line as git reads one (``Token: value``), or the continuation of one.
_TRAILER_LINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*:[ \t].*|[ \t]+\S.*")
_MARK = f"{RELEASE_TRAILER}:"  # a substring test first: most messages lack it


def release_trailers(message: str) -> list[str]:
    """The names the release trailers of ``message``'s trailer block give, in order; none: it
    marks no release.

    The trailer block is the run of paragraphs at the end of the message (after the subject)
    whose every line is a trailer: a forge appends its own (``Co-authored-by:``) as a paragraph
    of their own. A trailer quoted inside the body is prose, not a mark.
    """
    if _MARK not in message:
        return []
    paragraphs = message.replace("\r\n", "\n").strip("\n").split("\n\n")
    names: list[str] = []
    for paragraph in reversed(paragraphs[1:]):  # the first paragraph is the subject
        lines = paragraph.strip("\n").split("\n")
        if not all(_TRAILER_LINE.fullmatch(line) for line in lines):
            break
        names[:0] = [m[1] for m in map(_TRAILER.fullmatch, lines) if m is not None]
    return names


def has_release_trailer(message: str) -> bool:
    """Whether ``message`` may carry a release trailer (fast: no regular expression); the
    commits ``release_trailers`` is worth asking about."""
    return _MARK in message


def trailer_lines(names: Iterable[str]) -> str:
    """The trailer block that names ``names``: one ``Versionbot-Release: NAME`` line each."""
    return "".join(f"{RELEASE_TRAILER}: {name}\n" for name in names)


class NamedRelease(NamedTuple):
    """A release a trailer names: the name, the package and the version it stands for."""

    name: str
    package: Package
    version: Version


def named_releases(names: Sequence[str], config: Config) -> tuple[NamedRelease, ...] | None:
    """The releases trailer ``names`` stand for (a version in a repository without
    ``[packages]``, a package's tag in a monorepo), or None when a name is no release here."""
    named: list[NamedRelease] = []
    for name in names:
        if not config.packages:
            try:
                version = Version.parse(name)
            except InvalidVersion:
                return None
            named.append(NamedRelease(name, packages_of(config)[0], version))
            continue
        found = [
            NamedRelease(name, p, v)
            for p in config.packages
            if (v := p.config.tag_format.parse(name)) is not None
        ]
        if not found:
            return None
        named += found
    return tuple(named)


def release_files(config: Config) -> set[str]:
    """The files a release of a package with the settings ``config`` writes: its changelog and
    its version files (from the repository root)."""
    return {config.changelog.file, *(spec.partition(":")[0] for spec in config.version_files)}


# Other tools' release commits, which a migrating project's history is full of: the subject each
# writes by default, its group 1 the version released. They are believed only as the bot's are
# (``is_peer_release_commit``): anyone can write the subject.
_PEER_SUBJECTS = (
    ("commitizen", re.compile(r"bump: version \S+ → (\S+)")),
    ("bump-my-version", re.compile(r"Bump version: \S+ → (\S+)")),
    ("tbump", re.compile(r"Bump to (\S+)")),
    ("npm version", re.compile(r"v?(\d+\.\d+\.\d+\S*)")),
)
_PSR_BODY = "Automatically generated by python-semantic-release"


def peer_release(message: str) -> tuple[str, Version] | None:
    """The tool and version of another tool's release commit by its default message
    (commitizen, python-semantic-release, bump-my-version, tbump, ``npm version``), or None."""
    subject = message.split("\n", 1)[0].strip()
    for tool, pattern in _PEER_SUBJECTS:
        found = pattern.fullmatch(subject)
        if found is None:
            continue
        try:
            version = Version.parse(found[1].removeprefix("v"))
        except InvalidVersion:
            return None
        psr = tool == "npm version" and _PSR_BODY in message
        return ("python-semantic-release" if psr else tool), version
    return None


def is_peer_release_commit(
    sha: str, version: Version, config: Config, tags: Mapping[str, str], changed: Collection[str]
) -> bool:
    """Whether the commit ``sha``, another tool's release commit of ``version`` by its message,
    is one: a release tag of ``version`` (any package's format) among ``tags`` (name -> commit)
    points at it, or it changes some files and nothing but the packages' changelogs and version
    files (the bot's own rule, is_release_commit)."""
    packages = packages_of(config)
    for name, tagged in tags.items():
        if tagged == sha and any(p.config.tag_format.parse(name) == version for p in packages):
            return True
    own = {path for package in packages for path in release_files(package.config)}
    return bool(changed) and all(path in own for path in changed)


def release_tag(release: NamedRelease) -> str:
    """The tag of a named release."""
    if release.package.name == WHOLE_REPOSITORY:
        return release.package.config.tag_format.format(release.version)
    return release.name


def is_release_commit(
    sha: str,
    names: Sequence[str],
    config: Config,
    tags: Mapping[str, str],
    changed: Collection[str],
) -> bool:
    """Whether the commit ``sha``, whose trailers give ``names``, is the bot's release commit:
    one of ``tags`` (name -> commit) that they name points at it, or its ``changed`` paths are
    some and all the named releases' own files."""
    named = named_releases(names, config) if names else None
    if named is None:
        return False
    if any(tags.get(release_tag(release)) == sha for release in named):
        return True
    own = {path for release in named for path in release_files(release.package.config)}
    return bool(changed) and all(path in own for path in changed)
