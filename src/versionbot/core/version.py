"""SemVer 2.0.0 version value type.

Pure: no I/O. Owns parsing, printing, precedence and the arithmetic the bump engine needs.

We keep our own type rather than the `semver` package because its import costs ~20 ms of a 50 ms
start-up budget, and because a release tool needs *identity* (``1.0.0+a`` and ``1.0.0+b`` are two
different tags) beside *precedence* (they rank equal). See docs/decisions.md.

>>> Version.parse("1.4.0-rc.2+build.7")
Version('1.4.0-rc.2+build.7')
>>> Version.parse("1.0.0-alpha") < Version.parse("1.0.0-alpha.1") < Version.parse("1.0.0")
True
>>> str(Version.parse("2.0.0").bump_minor())
'2.1.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from versionbot.core.neutralise import shortened

# A number has at most 64 digits: a version is text anyone can commit (Release-As), and
# Python refuses int() past 4,300 digits with a traceback. SemVer sets no bound; its own
# examples (23 digits) stay valid.
MAX_DIGITS = 64
_NUMERIC = rf"0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}}"
_PRE_ID = rf"(?:0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"(?P<major>{_NUMERIC})\.(?P<minor>{_NUMERIC})\.(?P<patch>{_NUMERIC})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+(?P<build>{_BUILD_ID}(?:\.{_BUILD_ID})*))?"
)
# Strings, compiled by re's cache when first used: only --prerelease and --build need them.
_PRE_IDENTIFIERS = rf"{_PRE_ID}(?:\.{_PRE_ID})*"
_BUILD_IDENTIFIERS = rf"{_BUILD_ID}(?:\.{_BUILD_ID})*"

# A numeric identifier ranks below any alphanumeric one (SemVer 11.4.3); the tuple's first item
# encodes that, so plain tuple comparison implements the whole rule.
PreKey = tuple[tuple[int, int, str], ...]


class InvalidVersion(ValueError):
    """A string that is not a SemVer 2.0.0 version."""


def _pre_key(prerelease: tuple[str, ...]) -> tuple[int, PreKey]:
    if not prerelease:
        # A final version ranks above every prerelease of the same X.Y.Z (SemVer 11.3).
        return (1, ())
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease))


@dataclass(frozen=True, slots=True)
class Version:
    """An immutable SemVer 2.0.0 version.

    Equality is identity of the printed form (build metadata included); ``<``, ``<=``, ``>``
    and ``>=`` are SemVer precedence, which ignores build metadata.
    """

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()
    _key: tuple[int, int, int, tuple[int, PreKey]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_key", (self.major, self.minor, self.patch, _pre_key(self.prerelease))
        )

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse a SemVer 2.0.0 string (no leading ``v``); raise InvalidVersion otherwise."""
        match = _SEMVER.fullmatch(text)
        if match is None:
            shown = repr(shortened(text))
            raise InvalidVersion(
                f"{shown} is not a SemVer 2.0.0 version (expected X.Y.Z, numbers of at most "
                f"{MAX_DIGITS} digits)"
            )
        pre, build = match["pre"], match["build"]
        return cls(
            int(match["major"]),
            int(match["minor"]),
            int(match["patch"]),
            tuple(pre.split(".")) if pre else (),
            tuple(build.split(".")) if build else (),
        )

    @property
    def precedence(self) -> tuple[int, int, int, tuple[int, PreKey]]:
        """A key whose order is SemVer precedence (build metadata ignored)."""
        return self._key

    @property
    def is_prerelease(self) -> bool:
        """True for ``X.Y.Z-anything``."""
        return bool(self.prerelease)

    @property
    def core(self) -> Version:
        """The ``X.Y.Z`` part alone."""
        return Version(self.major, self.minor, self.patch)

    def bump_major(self) -> Version:
        """``(X+1).0.0``."""
        return Version(self.major + 1, 0, 0)

    def bump_minor(self) -> Version:
        """``X.(Y+1).0``."""
        return Version(self.major, self.minor + 1, 0)

    def bump_patch(self) -> Version:
        """``X.Y.(Z+1)``."""
        return Version(self.major, self.minor, self.patch + 1)

    def with_prerelease(self, token: str, number: int) -> Version:
        """``X.Y.Z-token.number`` (the channel form ``rc.3``)."""
        return Version(self.major, self.minor, self.patch, (*token.split("."), str(number)))

    def with_build(self, build: str) -> Version:
        """This version with build metadata ``+build``; raise InvalidVersion if malformed."""
        if not re.fullmatch(_BUILD_IDENTIFIERS, build):
            raise InvalidVersion(f"{build!r} is not valid SemVer build metadata")
        return Version(self.major, self.minor, self.patch, self.prerelease, tuple(build.split(".")))

    def prerelease_number(self, token: str) -> int | None:
        """N when this version is ``X.Y.Z-token.N``, else None."""
        parts = token.split(".")
        pre = self.prerelease
        if len(pre) == len(parts) + 1 and pre[:-1] == tuple(parts) and pre[-1].isdigit():
            return int(pre[-1])
        return None

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def __repr__(self) -> str:
        return f"Version('{self}')"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key < other._key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key <= other._key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key > other._key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key >= other._key

    def same_precedence(self, other: Version) -> bool:
        """True when the two differ at most in build metadata."""
        return self._key == other._key


def is_valid_prerelease_token(token: str) -> bool:
    """True when ``token`` can stand before ``.N`` in a SemVer prerelease (``rc``, ``beta``)."""
    return bool(re.fullmatch(_PRE_IDENTIFIERS, token)) and not token.rsplit(".", 1)[-1].isdigit()
