"""Which packages of a monorepo a commit belongs to, and which package windows hold it.

Pure: no I/O. The git edge streams every commit once with the paths it changed; here each
commit gets two bit sets over the configured packages (bit i is ``config.packages[i]``):

- ``Owners.of_paths`` and ``of_scope``: the packages the commit belongs to: those whose folder
  holds a changed file (the deepest such folder: a package nested in another owns its files),
  those that depend on a folder (or file) it changed, and those whose ``scopes`` name its scope;
- ``outside_windows``: the packages whose last release already contains the commit, found while
  the stream goes by: a package's start commit and, from it, every parent the stream reaches
  later is outside that package's window. This needs parents after their children, which
  ``git log --topo-order`` guarantees.

Bit sets keep the cost per commit flat in the number of packages: 50 packages cost what one does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from versionbot.core.commits import Commit
from versionbot.core.config import Config, Package

# The name of the one package of a repository without [packages]: the repository at its root.
WHOLE_REPOSITORY = ""


def packages_of(config: Config) -> tuple[Package, ...]:
    """What a release is made of: the ``[packages]``, or the repository itself as one package
    at its root (named ``WHOLE_REPOSITORY``) when there are none. One release path serves both."""
    return config.packages or (Package(WHOLE_REPOSITORY, ".", config),)


class Owners:
    """The packages a commit belongs to, from its changed paths and its scopes."""

    def __init__(self, packages: Sequence[Package]) -> None:
        self._owner: dict[str, int] = {}  # a package's folder -> its bit
        # A shared folder (or file: go.work, a lockfile) -> the packages that depend on it.
        self._dependents: dict[str, int] = {}
        self._scopes: dict[str, int] = {}
        for i, package in enumerate(packages):
            bit = 1 << i
            self._owner[package.path] = bit
            for folder in package.depends_on:
                self._dependents[folder] = self._dependents.get(folder, 0) | bit
            for scope in package.scopes:
                self._scopes[scope] = self._scopes.get(scope, 0) | bit
        self._root = self._owner.get(".", 0)
        self._by_folder: dict[str, int] = {}  # memo: a file's folder -> the packages it reaches

    @property
    def uses_scopes(self) -> bool:
        """Whether a scope can make a commit a package's (else the paths alone decide)."""
        return bool(self._scopes)

    def of_paths(self, paths: Iterable[str]) -> int:
        """The packages that own or depend on any of ``paths`` (files, from the root)."""
        mask = 0
        files = self._dependents  # a dependency that names the file itself
        for path in paths:
            folder, _, _ = path.rpartition("/")
            known = self._by_folder.get(folder)
            if known is None:
                known = self._by_folder[folder] = self._reached_from(folder)
            mask |= known | files.get(path, 0)
        return mask

    def of_scope(self, scope: str | None) -> int:
        """The packages whose ``scopes`` name ``scope``."""
        return self._scopes.get(scope, 0) if scope else 0

    def _reached_from(self, folder: str) -> int:
        """The owner of files in ``folder`` (its deepest package folder, else the root package)
        and every package that depends on ``folder`` or a folder above it."""
        owner = 0
        dependents = self._dependents.get(".", 0)
        while folder:
            if not owner:
                owner = self._owner.get(folder, 0)
            dependents |= self._dependents.get(folder, 0)
            folder = folder.rpartition("/")[0]
        return (owner or self._root) | dependents


def outside_windows(
    commits: Iterable[tuple[Commit, tuple[str, ...]]], starts: Sequence[str | None]
) -> Iterator[tuple[Commit, tuple[str, ...], int]]:
    """Each commit with the packages whose window does not hold it (``starts[i]``: the commit
    package i's window begins after, None for "since the first commit").

    ``commits`` must come children first (``git log --topo-order``): a commit is outside a
    window when it is that window's start or a parent of a commit outside it.
    """
    behind: dict[str, int] = {}  # sha -> packages whose start reaches it (not yet streamed)
    for i, sha in enumerate(starts):
        if sha is not None:
            behind[sha] = behind.get(sha, 0) | 1 << i
    for commit, paths in commits:
        outside = behind.pop(commit.sha, 0)
        if outside:
            for parent in commit.parents:
                behind[parent] = behind.get(parent, 0) | outside
        yield commit, paths, outside


def bits(mask: int) -> Iterator[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def moved_from(folder: str, paths: Iterable[str]) -> str | None:
    """The folder a package's ``folder`` was moved from by the commit that changed ``paths``
    (the oldest commit that touched ``folder``), or None: the commit also removed or added the
    same files under one other folder (``git mv old/api services/api``).

    >>> moved_from("services/api", ["old/api/a.py", "services/api/a.py", "services/api/b.py"])
    'old/api'
    >>> moved_from("services/api", ["services/api/a.py", "README.md"]) is None
    True
    """
    inside = f"{folder}/"
    listed = list(paths)
    moved = {p[len(inside) :] for p in listed if p.startswith(inside)}
    origins: dict[str, int] = {}
    for path in listed:
        if path.startswith(inside):
            continue
        # Each "/" splits the path into a folder and a rest that may be a moved file's.
        cut = path.find("/")
        while cut != -1:
            if path[cut + 1 :] in moved:
                origins[path[:cut]] = origins.get(path[:cut], 0) + 1
                break
            cut = path.find("/", cut + 1)
    if not origins:
        return None
    origin, count = max(origins.items(), key=lambda item: item[1])
    return origin if count * 2 >= len(moved) else None  # most of its files came from there
