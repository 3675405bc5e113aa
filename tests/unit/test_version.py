"""SemVer 2.0.0 tables for versionbot.core.version: syntax, precedence, identity and arithmetic."""

from __future__ import annotations

import itertools

import pytest

from versionbot.core.version import InvalidVersion, Version, is_valid_prerelease_token

# The valid and invalid strings of semver.org's "Is there a suggested regular expression" FAQ,
# plus the cases the spec items name (leading zeros, empty identifiers, '+' rules).
VALID = [
    "0.0.4",
    "1.2.3",
    "10.20.30",
    "1.1.2-prerelease+meta",
    "1.1.2+meta",
    "1.1.2+meta-valid",
    "1.0.0-alpha",
    "1.0.0-beta",
    "1.0.0-alpha.beta",
    "1.0.0-alpha.beta.1",
    "1.0.0-alpha.1",
    "1.0.0-alpha0.valid",
    "1.0.0-alpha.0valid",
    "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
    "1.0.0-rc.1+build.1",
    "2.0.0-rc.1+build.123",
    "1.2.3-beta",
    "10.2.3-DEV-SNAPSHOT",
    "1.2.3-SNAPSHOT-123",
    "1.0.0",
    "2.0.0",
    "1.1.7",
    "2.0.0+build.1848",
    "2.0.1-alpha.1227",
    "1.0.0-alpha+beta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
    "1.2.3----R-S.12.9.1--.12+meta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12",
    "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
    "99999999999999999999999.999999999999999999.99999999999999999",
    "1.0.0-0A.is.legal",
    "0.0.0",
    "1.0.0-0",  # a single zero is a valid numeric identifier
    "1.0.0-0A",  # alphanumeric: leading zero allowed
    "1.0.0-00A",
    "1.0.0--",  # a hyphen alone is an alphanumeric identifier
    "1.0.0+01",  # build identifiers may have leading zeros (item 10)
    "1.0.0+001.0002",
    "1.0.0-x.7.z.92",
    "1.0.0+20130313144700",
    "1.0.0-beta+exp.sha.5114f85",
    "1.0.0+21AF26D3----117B344092BD",
]

INVALID = [
    "",
    "1",
    "1.2",
    "1.2.3-0123",
    "1.2.3-0123.0123",
    "1.1.2+.123",
    "+invalid",
    "-invalid",
    "-invalid+invalid",
    "-invalid.01",
    "alpha",
    "alpha.beta",
    "alpha.beta.1",
    "alpha.1",
    "alpha+beta",
    "alpha_beta",
    "alpha.",
    "alpha..",
    "beta",
    "1.0.0-alpha_beta",
    "-alpha.",
    "1.0.0-alpha..",
    "1.0.0-alpha..1",
    "1.0.0-alpha...1",
    "1.0.0-alpha....1",
    "01.1.1",
    "1.01.1",
    "1.1.01",
    "01.0.0",
    "00.0.0",
    "1.2.3.DEV",
    "1.2-SNAPSHOT",
    "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
    "1.2-RC-SNAPSHOT",
    "-1.0.3-gamma+b7718",
    "+justmeta",
    "9.8.7+meta+meta",
    "9.8.7-whatever+meta+meta",
    "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1"
    "--------------------------------..12",
    "1.0.0-01",  # numeric identifiers must not have leading zeros (item 9)
    "1.0.0-rc.01",
    "1.0.0-00",
    "1.0.0-",  # empty prerelease
    "1.0.0+",  # empty build
    "1.0.0-+build",
    "1.0.0-rc.",
    "1.0.0-.rc",
    "1.0.0+a..b",
    "1.0.0+a.",
    "1.0.0-rc.1+",
    "1.0.0-rc+b+c",
    "1.0.0-\u03b1",  # identifiers are ASCII alphanumerics and hyphens only
    "1.0.0+é",
    "1.0.0-a b",
    "1.0.0-a_b",
    "1.0.0+a_b",
    "v1.0.0",  # no leading 'v': that belongs to the tag format
    "V1.0.0",
    " 1.0.0",
    "1.0.0 ",
    "1.0.0\n",
    "1.0.0.0",
    "-1.0.0",
    "1.-1.0",
    "1..0",
    "1.0.",
    "\uff11.0.0",  # a full-width digit is a digit to int(), not to SemVer
    "1.0.0-\u0661",  # an Arabic-Indic digit
    "1.0.x",
    "*",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_versions_parse_and_round_trip(text: str) -> None:
    assert str(Version.parse(text)) == text


@pytest.mark.parametrize("text", INVALID)
def test_invalid_versions_raise_invalid_version(text: str) -> None:
    with pytest.raises(InvalidVersion):
        Version.parse(text)


def test_invalid_version_is_a_value_error_naming_the_text() -> None:
    with pytest.raises(ValueError, match=r"'01\.0\.0' is not a SemVer 2\.0\.0 version"):
        Version.parse("01.0.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3", Version(1, 2, 3)),
        ("0.0.0", Version(0, 0, 0)),
        ("1.0.0-alpha.1", Version(1, 0, 0, ("alpha", "1"))),
        ("1.0.0+build.7", Version(1, 0, 0, (), ("build", "7"))),
        ("1.4.0-rc.2+build.7", Version(1, 4, 0, ("rc", "2"), ("build", "7"))),
        ("1.0.0-0A.is.legal", Version(1, 0, 0, ("0A", "is", "legal"))),
        ("1.0.0+001", Version(1, 0, 0, (), ("001",))),
    ],
)
def test_parse_fields(text: str, expected: Version) -> None:
    version = Version.parse(text)
    assert version == expected
    assert isinstance(version.prerelease, tuple)
    assert isinstance(version.build, tuple)


def test_repr() -> None:
    assert repr(Version.parse("1.4.0-rc.2+build.7")) == "Version('1.4.0-rc.2+build.7')"


# SemVer item 11: "1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2
# < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0", and "1.0.0 < 2.0.0 < 2.1.0 < 2.1.1".
SPEC_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]


@pytest.mark.parametrize(("lower", "higher"), list(itertools.combinations(SPEC_CHAIN, 2)), ids=str)
def test_spec_precedence_chain(lower: str, higher: str) -> None:
    low, high = Version.parse(lower), Version.parse(higher)
    assert low < high
    assert low <= high
    assert high > low
    assert high >= low
    assert not high < low
    assert not high <= low
    assert not low > high
    assert not low >= high
    assert low != high


def test_sorting_reproduces_the_spec_chain() -> None:
    shuffled = [SPEC_CHAIN[i] for i in (7, 3, 10, 0, 5, 9, 1, 6, 4, 8, 2)]
    assert [str(v) for v in sorted(Version.parse(s) for s in shuffled)] == SPEC_CHAIN


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.9.0", "1.10.0"),  # numeric, not lexical (item 11.2)
        ("1.0.9", "1.0.10"),
        ("9.0.0", "10.0.0"),
        ("1.0.0-2", "1.0.0-10"),  # numeric prerelease identifiers compare numerically
        ("1.0.0-rc.9", "1.0.0-rc.10"),
        ("1.0.0-999", "1.0.0-a"),  # numeric ranks below alphanumeric (11.4.3)
        ("1.0.0-1", "1.0.0-0A"),
        ("1.0.0-A", "1.0.0-a"),  # ASCII order: upper case before lower case
        ("1.0.0-Z", "1.0.0-a"),
        ("1.0.0--", "1.0.0-0A"),  # '-' (0x2D) sorts before '0' (0x30)
        ("1.0.0-rc11", "1.0.0-rc9"),  # alphanumeric identifiers compare lexically
        ("1.0.0-a.b", "1.0.0-a.b.0"),  # a larger set of fields ranks higher (11.4.4)
        ("1.0.0-rc.1", "1.0.1-alpha"),
        ("1.0.0", "1.0.1-0"),
        ("0.9.9", "1.0.0-0"),
    ],
)
def test_precedence_pairs(lower: str, higher: str) -> None:
    assert Version.parse(lower) < Version.parse(higher)
    assert Version.parse(higher) > Version.parse(lower)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("1.0.0+a", "1.0.0+b"),
        ("1.0.0", "1.0.0+build.1"),
        ("1.0.0-rc.1+x", "1.0.0-rc.1+y.z"),
    ],
)
def test_build_metadata_is_ignored_in_precedence_but_part_of_identity(
    left: str, right: str
) -> None:
    a, b = Version.parse(left), Version.parse(right)
    assert a.same_precedence(b)
    assert a.precedence == b.precedence
    assert not a < b
    assert not b < a
    assert a <= b
    assert a >= b
    # Two different tags: identity keeps the build metadata.
    assert a != b
    assert len({a, b}) == 2


def test_equality_and_hash_of_equal_versions() -> None:
    a, b = Version.parse("1.2.3-rc.1+b.2"), Version.parse("1.2.3-rc.1+b.2")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert Version(1, 2, 3, ("rc", "1"), ("b", "2")) == a


def test_comparison_with_other_types() -> None:
    version = Version.parse("1.0.0")
    text: object = "1.0.0"
    assert version != text
    with pytest.raises(TypeError):
        _ = version < text
    with pytest.raises(TypeError):
        _ = version >= 1


@pytest.mark.parametrize(
    ("text", "major", "minor", "patch"),
    [
        ("1.2.3", "2.0.0", "1.3.0", "1.2.4"),
        ("0.0.0", "1.0.0", "0.1.0", "0.0.1"),
        ("0.9.9", "1.0.0", "0.10.0", "0.9.10"),
        ("1.2.3-rc.1+build.5", "2.0.0", "1.3.0", "1.2.4"),
        ("9.99.999", "10.0.0", "9.100.0", "9.99.1000"),
    ],
)
def test_bumps(text: str, major: str, minor: str, patch: str) -> None:
    version = Version.parse(text)
    assert str(version.bump_major()) == major
    assert str(version.bump_minor()) == minor
    assert str(version.bump_patch()) == patch
    for bumped in (version.bump_major(), version.bump_minor(), version.bump_patch()):
        assert bumped > version
        assert not bumped.is_prerelease
        assert bumped.build == ()


@pytest.mark.parametrize(
    ("text", "core", "is_prerelease"),
    [
        ("1.2.3", "1.2.3", False),
        ("1.2.3+b", "1.2.3", False),
        ("1.2.3-rc.1", "1.2.3", True),
        ("1.2.3-0+b", "1.2.3", True),
    ],
)
def test_core_and_is_prerelease(text: str, core: str, is_prerelease: bool) -> None:
    version = Version.parse(text)
    assert str(version.core) == core
    assert version.is_prerelease is is_prerelease


@pytest.mark.parametrize(
    ("text", "token", "number", "expected"),
    [
        ("1.2.3", "rc", 1, "1.2.3-rc.1"),
        ("1.2.3", "beta", 12, "1.2.3-beta.12"),
        ("1.2.3", "alpha.beta", 2, "1.2.3-alpha.beta.2"),
        ("1.2.3-rc.1", "rc", 2, "1.2.3-rc.2"),  # replaces the prerelease
        ("1.2.3+b.1", "rc", 1, "1.2.3-rc.1"),  # drops build metadata
        ("1.2.3-alpha", "rc", 0, "1.2.3-rc.0"),
    ],
)
def test_with_prerelease(text: str, token: str, number: int, expected: str) -> None:
    result = Version.parse(text).with_prerelease(token, number)
    assert str(result) == expected
    assert result == Version.parse(expected)
    assert result.prerelease_number(token) == number


@pytest.mark.parametrize(
    ("text", "token", "expected"),
    [
        ("1.0.0-rc.1", "rc", 1),
        ("1.0.0-rc.0", "rc", 0),
        ("1.0.0-rc.11+b", "rc", 11),
        ("1.0.0-alpha.beta.3", "alpha.beta", 3),
        ("1.0.0-rc", "rc", None),
        ("1.0.0-rc.x", "rc", None),
        ("1.0.0-rc.1.2", "rc", None),
        ("1.0.0-rc.1", "beta", None),
        ("1.0.0-rc.1", "r", None),
        ("1.0.0-rc1", "rc", None),
        ("1.0.0-pre.rc.1", "rc", None),
        ("1.0.0-alpha.beta.3", "beta", None),
        ("1.0.0-alpha.beta.3", "alpha", None),
        ("1.0.0", "rc", None),
        ("1.0.0-1", "rc", None),
    ],
)
def test_prerelease_number(text: str, token: str, expected: int | None) -> None:
    assert Version.parse(text).prerelease_number(token) == expected


@pytest.mark.parametrize(
    ("text", "build", "expected"),
    [
        ("1.2.3", "b.7", "1.2.3+b.7"),
        ("1.2.3", "001", "1.2.3+001"),
        ("1.2.3-rc.1", "sha.5114f85", "1.2.3-rc.1+sha.5114f85"),
        ("1.2.3+old", "new", "1.2.3+new"),  # replaces existing metadata
        ("1.2.3", "a-b.c--d", "1.2.3+a-b.c--d"),
    ],
)
def test_with_build(text: str, build: str, expected: str) -> None:
    result = Version.parse(text).with_build(build)
    assert str(result) == expected
    assert result.same_precedence(Version.parse(text))


@pytest.mark.parametrize("build", ["", ".", "a..b", "a.", ".a", "a+b", "a_b", "é", "a b", "+a"])
def test_with_build_rejects_malformed_metadata(build: str) -> None:
    with pytest.raises(InvalidVersion):
        Version.parse("1.2.3").with_build(build)


@pytest.mark.parametrize(
    ("token", "valid"),
    [
        ("rc", True),
        ("alpha", True),
        ("beta", True),
        ("RC", True),
        ("alpha.beta", True),
        ("pre-release", True),
        ("0A", True),
        ("rc1", True),
        ("1rc", True),
        ("-", True),
        ("1.rc", True),  # only the last identifier may not be numeric
        ("", False),
        ("1", False),  # "1.N" would make the counter ambiguous
        ("0", False),
        ("rc.1", False),
        ("alpha.0", False),
        ("01", False),
        ("rc.01", False),
        ("rc.", False),
        (".rc", False),
        ("rc..x", False),
        ("r c", False),
        ("rc_1", False),
        ("rc+b", False),
        ("ß", False),
    ],
)
def test_is_valid_prerelease_token(token: str, valid: bool) -> None:
    assert is_valid_prerelease_token(token) is valid


def test_versions_are_immutable() -> None:
    version = Version.parse("1.2.3")
    with pytest.raises(AttributeError):
        version.major = 2  # type: ignore[misc]


@pytest.mark.parametrize("text", ["1" * 65 + ".0.0", "1.0.0-" + "9" * 5000, "9" * 5000 + ".0.0"])
def test_numbers_past_64_digits_are_refused_with_a_short_message(text: str) -> None:
    with pytest.raises(InvalidVersion) as caught:
        Version.parse(text)
    assert len(str(caught.value)) <= 120
    assert "numbers of at most 64 digits" in str(caught.value)
