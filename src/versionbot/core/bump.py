"""The bump engine: which SemVer level a commit asks for, and which version comes next.

Pure: no I/O. The rules are Conventional Commits 1.0.0 (breaking → major, feat → minor,
fix → patch) with per-type and per-``type(scope)`` overrides, and SemVer 2.0.0 for the
arithmetic, with the 0.x and prerelease transitions written out in docs/versioning.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

from versionbot.core.commits import ParsedCommit
from versionbot.core.version import Version

BumpLabel = Literal["none", "patch", "minor", "major"]


class Bump(IntEnum):
    """A release level; ordered so that ``max()`` picks the one that wins."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> BumpLabel:
        """The lower-case name used in config files and JSON."""
        return _LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> Bump:
        """``"minor"`` → Bump.MINOR; raise ValueError on anything else."""
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(label) from None


_LABELS: dict[Bump, BumpLabel] = {
    Bump.NONE: "none",
    Bump.PATCH: "patch",
    Bump.MINOR: "minor",
    Bump.MAJOR: "major",
}


DEFAULT_TYPE_RULES: Mapping[str, Bump] = {
    "feat": Bump.MINOR,
    "fix": Bump.PATCH,
    "perf": Bump.PATCH,
}


@dataclass(frozen=True, slots=True)
class BumpRules:
    """What each conventional type asks for.

    ``scoped`` rules (``("docs", "readme.md")``) win over ``by_type`` rules, which win over
    ``default``. Types and scopes compare case-insensitively. A breaking change is always major.
    """

    by_type: tuple[tuple[str, Bump], ...] = tuple(DEFAULT_TYPE_RULES.items())
    scoped: tuple[tuple[tuple[str, str], Bump], ...] = ()
    default: Bump = Bump.NONE
    _types: dict[str, Bump] = field(init=False, repr=False, compare=False, hash=False)
    _scopes: dict[tuple[str, str], Bump] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_types", {k.lower(): v for k, v in self.by_type})
        object.__setattr__(
            self, "_scopes", {(t.lower(), s.lower()): v for (t, s), v in self.scoped}
        )

    def for_commit(self, commit: ParsedCommit) -> Bump:
        """The level one parsed commit asks for."""
        if commit.breaking:
            return Bump.MAJOR
        if commit.scope is not None and self._scopes:
            return self.for_type(commit.type, commit.scope)
        return self._types.get(commit.type.lower(), self.default)

    def for_type(self, kind: str, scope: str | None) -> Bump:
        """The level a non-breaking ``kind(scope)`` asks for."""
        kind = kind.lower()
        if scope is not None and self._scopes:
            scoped = self._scopes.get((kind, scope.lower()))
            if scoped is not None:
                return scoped
        return self._types.get(kind, self.default)


def level_on_zero(
    version: Version, level: Bump, *, major_on_zero: bool, minor_on_zero: bool = True
) -> Bump:
    """The level ``version`` really moves by: on 0.x (SemVer item 4: anything may change before
    1.0.0) a major moves the minor unless ``major_on_zero``, and a minor moves the patch unless
    ``minor_on_zero``. Each moves one step down, no further, as release-please's
    ``bump-minor-pre-major`` and ``bump-patch-for-minor-pre-major`` do.

    >>> level_on_zero(Version.parse("0.3.1"), Bump.MINOR, major_on_zero=False, minor_on_zero=False)
    <Bump.PATCH: 1>
    """
    if version.major != 0:
        return level
    if level is Bump.MAJOR and not major_on_zero:
        return Bump.MINOR
    if level is Bump.MINOR and not minor_on_zero:
        return Bump.PATCH
    return level


def zero_rule(
    version: Version, level: Bump, *, major_on_zero: bool, minor_on_zero: bool = True
) -> str | None:
    """The 0.x rule that moved ``level`` for ``version``, in the words ``bot plan`` gives as its
    reason (``"a patch on 0.x (minor_on_zero = false)"``); None when none did."""
    moved = level_on_zero(version, level, major_on_zero=major_on_zero, minor_on_zero=minor_on_zero)
    if moved is level:
        return None
    setting = "major_on_zero" if level is Bump.MAJOR else "minor_on_zero"
    return f"a {moved.label} on 0.x ({setting} = false)"


def apply_bump(
    version: Version, level: Bump, *, major_on_zero: bool, minor_on_zero: bool = True
) -> Version:
    """The next final version after ``version`` for ``level``, with the 0.x rules of
    ``level_on_zero`` (the first major release is a decision, not a side effect).

    >>> str(apply_bump(Version.parse("0.3.1"), Bump.MAJOR, major_on_zero=False))
    '0.4.0'
    >>> str(apply_bump(Version.parse("0.3.1"), Bump.MAJOR, major_on_zero=True))
    '1.0.0'
    >>> zero = {"major_on_zero": False, "minor_on_zero": False}
    >>> str(apply_bump(Version.parse("0.3.1"), Bump.MINOR, **zero))
    '0.3.2'
    """
    level = level_on_zero(version, level, major_on_zero=major_on_zero, minor_on_zero=minor_on_zero)
    if level is Bump.MAJOR:
        return version.bump_major()
    if level is Bump.MINOR:
        return version.bump_minor()
    if level is Bump.PATCH:
        return version.bump_patch()
    return version.core


def level_between(old: Version, new: Version) -> Bump:
    """The SemVer level of the step ``old`` → ``new`` (cores only)."""
    if new.major != old.major:
        return Bump.MAJOR
    if new.minor != old.minor:
        return Bump.MINOR
    if new.patch != old.patch:
        return Bump.PATCH
    return Bump.NONE


def next_prerelease_number(base: Version, token: str, existing: Iterable[Version]) -> int:
    """1 + the highest N among existing ``base-token.N`` versions (1 when there is none).

    Counting over every existing tag, not only the reachable ones, is what keeps a prerelease
    from ever repeating a tag made on another branch.
    """
    numbers = [
        n
        for v in existing
        if v.major == base.major and v.minor == base.minor and v.patch == base.patch
        for n in (v.prerelease_number(token),)
        if n is not None
    ]
    return max(numbers, default=0) + 1
