"""Release branches: which branches release, and what their releases may be.

Pure: no I/O, no git. ``[branches]`` names each release branch (glob patterns allowed) and what
kind it is: a plain branch (``main``) makes final releases; a prerelease channel (``next``,
``prerelease = "rc"``) makes ``X.Y.Z-rc.N``; a maintenance line (``1.x``, ``maintenance = true``)
makes releases that stay inside the range its name says (``1.x`` → >=1.0.0 <2.0.0, ``1.4.x`` →
>=1.4.0 <1.5.0). This module parses that table, matches a branch name to its rule, and derives the
policy a plan follows on that branch. The plan (core/plan.py) and the history read
(git/reader.py) apply it.

>>> rules = parse_branches({"main": {}, "next": {"prerelease": "rc"}, "*.x": {"maintenance": True}})
>>> policy = branch_policy(rules, "1.4.x", None)
>>> str(policy.range), policy.prerelease
('>=1.4.0 <1.5.0', None)
>>> branch_policy(rules, "next", None).prerelease
'rc'
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from versionbot.core.errors import ConfigError
from versionbot.core.version import Version, is_valid_prerelease_token

_BRANCH_KEYS = {
    "prerelease": 'the prerelease token of this channel, e.g. prerelease = "rc"',
    "maintenance": "true for a maintenance line whose name says its range (1.x, 1.4.x)",
}
_GLOB_CHARACTERS = frozenset("*?[")
# The last path segment of a maintenance branch: 1.x, 1.x.x, v1.x (a major line) or 1.4.x (a minor).
_MAJOR_LINE = re.compile(r"v?(0|[1-9][0-9]*)\.x(?:\.x)?")
_MINOR_LINE = re.compile(r"v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.x")
_RANGE_HINT = (
    "name a maintenance branch after its line: 1.x (or 1.x.x) for 1.y.z, 1.4.x for 1.4.z, "
    'optionally under a folder (maint/1.x); patterns use globs such as "*.x"'
)
DEFAULT_BRANCHES: Mapping[str, Mapping[str, object]] = {"main": {}, "master": {}}


@dataclass(frozen=True, slots=True)
class VersionRange:
    """The versions a maintenance line may release: ``low`` <= version < ``high`` (on the
    version's X.Y.Z, so 1.5.0-rc.1 is outside >=1.4.0 <1.5.0)."""

    low: Version
    high: Version

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, Version):
            return False
        return self.low <= version.core < self.high

    def admits_baseline(self, version: Version) -> bool:
        """True when a release may be the line's baseline: below the range's upper end. (A line
        with no release of its own yet starts from the release it was cut from.)"""
        return version.core < self.high

    def __str__(self) -> str:
        return f">={self.low} <{self.high}"


@dataclass(frozen=True, slots=True)
class BranchRule:
    """One entry of ``[branches]``: the name or glob pattern, and what the branch releases."""

    pattern: str
    prerelease: str | None = None  # a prerelease channel's token
    maintenance: bool = False

    @property
    def is_glob(self) -> bool:
        """True when the pattern has glob characters (so it names many branches)."""
        return any(c in _GLOB_CHARACTERS for c in self.pattern)

    def matches(self, branch: str) -> bool:
        """True when ``branch`` is this rule's branch (fnmatch for a pattern, case-sensitive)."""
        return branch == self.pattern or (
            self.is_glob and fnmatch.fnmatchcase(branch, self.pattern)
        )

    @property
    def kind(self) -> str:
        """``maintenance``, ``prerelease`` or ``release``: for messages."""
        if self.maintenance:
            return "maintenance"
        return "prerelease" if self.prerelease is not None else "release"


@dataclass(frozen=True, slots=True)
class BranchPolicy:
    """What a plan on one branch follows: the branch, its rule (None: not a release branch, or
    a detached HEAD), the prerelease token in effect and the range of a maintenance line."""

    branch: str | None
    rule: BranchRule | None
    prerelease: str | None
    range: VersionRange | None


def parse_branches(table: object, source: str = "<mapping>") -> tuple[BranchRule, ...]:
    """``[branches]`` as rules in the order written; ConfigError names the bad key."""
    if not isinstance(table, Mapping):
        raise ConfigError(
            f"branches in {source} must be a table of branches",
            'write e.g. [branches.main] and [branches.next] with prerelease = "rc"',
        )
    if not table:
        raise ConfigError(
            f"branches in {source} is empty: no branch could release",
            "name at least one release branch, e.g. [branches.main]",
        )
    return tuple(_rule(name, value, source) for name, value in table.items())


def _rule(name: object, value: object, source: str) -> BranchRule:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"branches in {source} has an empty branch name", "write e.g. [branches.main]"
        )
    where = f"branches.{_quote(name)} in {source}"
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where} must be a table", f"write [branches.{_quote(name)}] (it may be empty)"
        )
    unknown = sorted(set(value) - set(_BRANCH_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key 'branches.{_quote(name)}.{unknown[0]}' in {source}",
            "known keys of a branch are: " + ", ".join(sorted(_BRANCH_KEYS)),
        )
    token = value.get("prerelease")
    if token is not None and (not isinstance(token, str) or not is_valid_prerelease_token(token)):
        raise ConfigError(
            f"{where}: prerelease must be a prerelease token, not {token!r}",
            _BRANCH_KEYS["prerelease"] + " (letters, digits and hyphens)",
        )
    maintenance = value.get("maintenance", False)
    if not isinstance(maintenance, bool):
        raise ConfigError(
            f"{where}: maintenance must be true or false, not {maintenance!r}",
            _BRANCH_KEYS["maintenance"],
        )
    if maintenance and token is not None:
        raise ConfigError(
            f"{where} is both a maintenance line and a prerelease channel",
            "a branch is one or the other: drop prerelease or maintenance",
        )
    if name.startswith(("+(", "?(", "@(", "!(")) or "{" in name:
        raise ConfigError(
            f"{where}: {name!r} is an extended glob; branch patterns are shell globs (fnmatch)",
            'write e.g. "*.x" or "maint/*.x"',
        )
    rule = BranchRule(name, token, maintenance)
    if maintenance and not rule.is_glob and maintenance_range(name) is None:
        raise ConfigError(
            f"{where}: the maintenance branch {name!r} does not say which versions it releases",
            _RANGE_HINT,
        )
    return rule


def maintenance_range(branch: str) -> VersionRange | None:
    """The range a maintenance branch's name says (from its last path segment), or None.

    >>> str(maintenance_range("1.x")), str(maintenance_range("maint/1.4.x"))
    ('>=1.0.0 <2.0.0', '>=1.4.0 <1.5.0')
    >>> maintenance_range("stable") is None
    True
    """
    segment = branch.rsplit("/", 1)[-1]
    major = _MAJOR_LINE.fullmatch(segment)
    if major:
        number = int(major.group(1))
        return VersionRange(Version(number, 0, 0), Version(number + 1, 0, 0))
    minor = _MINOR_LINE.fullmatch(segment)
    if minor:
        first, second = int(minor.group(1)), int(minor.group(2))
        return VersionRange(Version(first, second, 0), Version(first, second + 1, 0))
    return None


def line_package(branch: str | None, names: Collection[str]) -> str | None:
    """The package a maintenance branch of a monorepo keeps, when the folder right above its
    line names one (``api/1.x``, ``release/api/1.4.x``); None when no folder does.

    >>> line_package("api/1.x", {"api", "web"}), line_package("maint/1.x", {"api", "web"})
    ('api', None)
    """
    if branch is None or "/" not in branch:
        return None
    folder = branch.rsplit("/", 2)[-2]
    return folder if folder in names else None


def rule_for(rules: tuple[BranchRule, ...], branch: str | None) -> BranchRule | None:
    """The rule of ``branch``: the one named exactly, else the first matching pattern in the
    order written; None for a detached HEAD or a branch no rule names."""
    if branch is None:
        return None
    exact = next((r for r in rules if r.pattern == branch), None)
    if exact is not None:
        return exact
    return next((r for r in rules if r.is_glob and r.matches(branch)), None)


def branch_policy(
    rules: tuple[BranchRule, ...], branch: str | None, prerelease: str | None
) -> BranchPolicy:
    """The policy of a plan on ``branch``. An explicit ``prerelease`` token (``--prerelease``)
    wins over the branch's own; a maintenance line gets the range its name says."""
    rule = rule_for(rules, branch)
    if rule is None or branch is None:
        return BranchPolicy(branch, None, prerelease, None)
    within = None
    if rule.maintenance:
        within = maintenance_range(branch)
        if within is None:
            raise ConfigError(
                f"the maintenance branch {branch!r} (matched by branches.{_quote(rule.pattern)}) "
                "does not say which versions it releases",
                _RANGE_HINT,
            )
    return BranchPolicy(branch, rule, prerelease or rule.prerelease, within)


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'
