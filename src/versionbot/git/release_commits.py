"""Git edge: whether a commit is the bot's release commit (core/release_commit.py's rule),
and whether its version files say the versions it releases.

Both read a commit or two: they run only for commits that carry release trailers, which are
few (a release commit each), never for every commit of a window.
"""

from __future__ import annotations

from versionbot.core.config import Config
from versionbot.core.errors import VersionbotError
from versionbot.core.release_commit import (
    NamedRelease,
    has_release_trailer,
    is_peer_release_commit,
    is_release_commit,
    named_releases,
    peer_release,
    release_trailers,
)
from versionbot.core.version_files import current_version, parse_version_file_spec
from versionbot.git.reader import changed_paths, tags_at, text_at


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


def peer_release_tool(root: str, sha: str, message: str, config: Config) -> str | None:
    """The tool ``sha`` is a release commit of (commitizen's ``bump: version …``, a version
    alone, …) when it is one by the bot's rule; None for any other commit (most: no git call)."""
    found = peer_release(message)
    if found is None:
        return None
    tool, version = found
    tags = {tag.name: sha for tag in tags_at(root, sha)}
    if is_peer_release_commit(sha, version, config, tags, ()):
        return tool
    changed = changed_paths(root, sha)
    return tool if is_peer_release_commit(sha, version, config, {}, changed) else None


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
