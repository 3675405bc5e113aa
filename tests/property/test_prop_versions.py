"""Properties of versions: round trip, precedence as a total preorder, bumps that increase."""

from __future__ import annotations

import functools
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from versionbot.core.bump import Bump, apply_bump, level_on_zero, next_prerelease_number, zero_rule
from versionbot.core.version import Version

SETTINGS = settings(max_examples=300, deadline=None)

ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
NUMBERS = st.one_of(st.integers(0, 20), st.integers(0, 10**30))
NUMERIC_IDS = NUMBERS.map(str)
# Alphanumeric identifiers hold at least one letter or hyphen, so leading zeros are allowed.
ALPHA_IDS = st.tuples(st.text("0123456789", max_size=3), st.text(ALNUM, max_size=5)).flatmap(
    lambda parts: st.sampled_from("abcrzAZ-").map(lambda c: parts[0] + c + parts[1])
)
PRE_IDS = st.one_of(NUMERIC_IDS, ALPHA_IDS, st.sampled_from(["alpha", "beta", "rc"]))
BUILD_IDS = st.text(ALNUM, min_size=1, max_size=6)


@st.composite
def version_texts(draw: st.DrawFn) -> str:
    text = ".".join(str(draw(NUMBERS)) for _ in range(3))
    pre = draw(st.lists(PRE_IDS, max_size=4))
    build = draw(st.lists(BUILD_IDS, max_size=3))
    if pre:
        text += "-" + ".".join(pre)
    if build:
        text += "+" + ".".join(build)
    return text


VERSIONS = version_texts().map(Version.parse)
# Small versions collide often, which is where ties and order matter.
SMALL_VERSIONS = st.builds(
    Version,
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 2),
    st.lists(st.sampled_from(["1", "2", "10", "a", "b", "rc", "0A", "-"]), max_size=3).map(tuple),
    st.lists(st.sampled_from(["x", "y"]), max_size=1).map(tuple),
)
ANY_VERSIONS = st.one_of(VERSIONS, SMALL_VERSIONS)


def reference_compare(a: Version, b: Version) -> int:
    """SemVer 2.0.0 item 11, written out step by step, independently of Version's key."""
    for m, n in ((a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)):
        if m != n:
            return -1 if m < n else 1
    if not a.prerelease or not b.prerelease:
        return (not a.prerelease) - (not b.prerelease)
    for x, y in zip(a.prerelease, b.prerelease, strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return (len(a.prerelease) > len(b.prerelease)) - (len(a.prerelease) < len(b.prerelease))


@SETTINGS
@given(version_texts())
def test_round_trip(text: str) -> None:
    version = Version.parse(text)
    assert str(version) == text
    assert Version.parse(str(version)) == version
    assert repr(version) == f"Version('{text}')"


@SETTINGS
@given(ANY_VERSIONS, ANY_VERSIONS)
def test_precedence_matches_the_spec(a: Version, b: Version) -> None:
    expected = reference_compare(a, b)
    assert (a < b) is (expected < 0)
    assert (a > b) is (expected > 0)
    assert (a <= b) is (expected <= 0)
    assert (a >= b) is (expected >= 0)
    assert a.same_precedence(b) is (expected == 0)
    # Exactly one of <, same precedence, > holds.
    assert [a < b, a.same_precedence(b), a > b].count(True) == 1
    # Identity implies same precedence; same precedence differs at most in build metadata.
    if a == b:
        assert a.same_precedence(b)
        assert hash(a) == hash(b)
    if a.same_precedence(b):
        assert (a.major, a.minor, a.patch, a.prerelease) == (
            b.major,
            b.minor,
            b.patch,
            b.prerelease,
        )


@SETTINGS
@given(ANY_VERSIONS, ANY_VERSIONS, ANY_VERSIONS)
def test_precedence_is_transitive(a: Version, b: Version, c: Version) -> None:
    if a <= b <= c:
        assert a <= c
    if a < b <= c:
        assert a < c


@SETTINGS
@given(st.lists(ANY_VERSIONS, max_size=12))
def test_sorting_is_consistent_with_the_spec(versions: list[Version]) -> None:
    ordered = sorted(versions)
    assert all(x <= y for x, y in itertools.pairwise(ordered))
    by_reference = sorted(versions, key=functools.cmp_to_key(reference_compare))
    assert [v.precedence for v in ordered] == [v.precedence for v in by_reference]
    if versions:
        assert max(versions).same_precedence(ordered[-1])


@SETTINGS
@given(ANY_VERSIONS)
def test_bumps_increase(version: Version) -> None:
    major, minor, patch = version.bump_major(), version.bump_minor(), version.bump_patch()
    assert version < patch
    assert version < minor
    assert version < major
    if not version.is_prerelease:
        assert patch < minor < major
    for level in (Bump.PATCH, Bump.MINOR, Bump.MAJOR):
        for major_on_zero, minor_on_zero in itertools.product((False, True), repeat=2):
            bumped = apply_bump(
                version, level, major_on_zero=major_on_zero, minor_on_zero=minor_on_zero
            )
            assert bumped > version


FLAGS = st.booleans()
LEVELS = st.sampled_from(list(Bump))


@SETTINGS
@given(ANY_VERSIONS, LEVELS, FLAGS, FLAGS)
def test_zero_rules_move_one_step_down_on_zero_only(
    version: Version, level: Bump, major_on_zero: bool, minor_on_zero: bool
) -> None:
    """The 0.x table of docs/versioning.md: on 0.x a major moves the minor unless major_on_zero
    and a minor the patch unless minor_on_zero, one step and never two; from 1.0.0 on the
    settings change nothing; the plan's reason names the setting exactly when it moved."""
    flags = {"major_on_zero": major_on_zero, "minor_on_zero": minor_on_zero}
    moved = level_on_zero(version, level, **flags)
    if version.major != 0:
        assert moved is level
    elif level is Bump.MAJOR:
        assert moved is (Bump.MAJOR if major_on_zero else Bump.MINOR)
    elif level is Bump.MINOR:
        assert moved is (Bump.MINOR if minor_on_zero else Bump.PATCH)
    else:
        assert moved is level
    assert apply_bump(version, level, **flags) == apply_bump(
        version, moved, major_on_zero=True, minor_on_zero=True
    )
    rule = zero_rule(version, level, **flags)
    assert (rule is None) == (moved is level)
    if rule is not None:
        setting = "major_on_zero" if level is Bump.MAJOR else "minor_on_zero"
        assert rule == f"a {moved.label} on 0.x ({setting} = false)"


@SETTINGS
@given(ANY_VERSIONS, FLAGS, FLAGS)
def test_zero_rules_keep_the_levels_in_order(
    version: Version, major_on_zero: bool, minor_on_zero: bool
) -> None:
    """A higher level never gives a lower version, whatever the 0.x settings."""
    flags = {"major_on_zero": major_on_zero, "minor_on_zero": minor_on_zero}
    results = [apply_bump(version, level, **flags) for level in Bump]
    assert all(a <= b for a, b in itertools.pairwise(results))


@SETTINGS
@given(ANY_VERSIONS, st.sampled_from(["rc", "beta", "alpha.beta"]), st.lists(SMALL_VERSIONS))
def test_prereleases_rank_between_their_neighbours(
    version: Version, token: str, existing: list[Version]
) -> None:
    core = version.core
    number = next_prerelease_number(core, token, existing)
    pre = core.with_prerelease(token, number)
    assert pre < core
    assert pre.core == core
    assert pre.prerelease_number(token) == number
    assert all(not pre.same_precedence(v) for v in existing)
    assert str(Version.parse(str(pre))) == str(pre)
