"""Git edge: whether a commit is the bot's release commit (core/release_commit.py's rule),
whether its version files say the versions it releases, and whether it is another tool's
release commit (``bot check`` skips those).

Each reads a commit or two: they run only for commits that carry release trailers or another
tool's release subject, which are few (a release commit each), never for every commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.errors import VersionbotError
from versionbot.core.packages import packages_of
from versionbot.core.release_commit import (
    NamedRelease,
    has_release_trailer,
    is_peer_release_commit,
    is_release_commit,
    named_releases,
    peer_release,
    release_trailers,
)
from versionbot.core.version import Version
from versionbot.core.version_files import current_version, parse_version_file_spec
from versionbot.git.reader import changed_paths, read_tags, tags_at, text_at
from versionbot.git.stand_ins import copies


def release_commit_names(root: str, sha: str, message: str, config: Config) -> tuple[str, ...]:
    """The releases ``sha`` (whose message is ``message``) is the bot's release commit of, by
    its trailers' names; none when it is an ordinary commit, forged trailers or not."""
    names = release_trailers(message) if has_release_trailer(message) else []
    if not names:
        return ()
    tags = {tag.name: sha for tag in tags_at(root, sha)}
    if is_release_commit(sha, names, config, tags, ()):
        return tuple(names)
    changed = changed_paths(root, sha)
    return tuple(names) if is_release_commit(sha, names, config, {}, changed) else ()


def peer_releases(root: str, commits: Sequence[Commit], config: Config) -> dict[str, str]:
    """The commits that are other tools' release commits (commitizen's ``bump: version …``, a
    version alone, …), by sha -> tool, believed as the bot's own are (core/release_commit.py),
    or as a copy of such a commit a release tag points at (same subject, same change: a
    release commit pushed twice, git/stand_ins.py). No git call unless a subject says so; then
    one tag listing, and a commit or two for each such subject."""
    said = {c.sha: found for c in commits if (found := peer_release(c.message)) is not None}
    if not said:
        return {}
    tags = read_tags(Path(root))
    at: dict[str, list[str]] = {}
    for tag in tags:
        at.setdefault(tag.sha, []).append(tag.name)
    believed: dict[str, str] = {}
    for sha, (tool, version) in said.items():
        named = dict.fromkeys(at.get(sha, ()), sha)
        if is_peer_release_commit(sha, version, config, named, ()) or is_peer_release_commit(
            sha, version, config, {}, changed_paths(root, sha)
        ):
            believed[sha] = tool
    formats = [package.config.tag_format for package in packages_of(config)]
    tagged: dict[Version, list[str]] = {}
    for tag in tags:
        for fmt in formats:
            if (named_version := fmt.parse(tag.name)) is not None:
                tagged.setdefault(named_version, []).append(tag.sha)
    doubted = [(sha, version) for sha, (_, version) in said.items() if sha not in believed]
    pairs = [(sha, other) for sha, v in doubted for other in tagged.get(v, ()) if other != sha]
    believed.update((sha, said[sha][0]) for sha in copies(root, pairs))
    return believed


def says_its_versions(root: str, sha: str, names: tuple[str, ...], config: Config) -> bool:
    """Whether every version file of each release ``names`` stand for declares that release's
    version in the commit ``sha``: a release commit no tag names yet is tagged only then."""
    named = named_releases(names, config) or ()
    return bool(named) and all(_says_version(root, sha, release) for release in named)


def _says_version(root: str, sha: str, release: NamedRelease) -> bool:
    for text in release.package.config.version_files:
        spec = parse_version_file_spec(text)
        content = text_at(root, sha, spec.path)
        if content is None:
            return False
        try:
            if current_version(spec, content) != str(release.version):
                return False
        except VersionbotError:  # no version there, or places that disagree
            return False
    return True
