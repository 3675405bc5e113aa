"""The bump engine: which level a commit asks for, and the version arithmetic around it."""

from __future__ import annotations

import pytest

from versionbot.core.bump import (
    DEFAULT_TYPE_RULES,
    Bump,
    BumpRules,
    apply_bump,
    level_between,
    level_on_zero,
    next_prerelease_number,
    zero_rule,
)
from versionbot.core.commits import ParsedCommit, parse_commit
from versionbot.core.version import Version


def parsed(message: str) -> ParsedCommit:
    result = parse_commit(message)
    assert isinstance(result, ParsedCommit), result
    return result


def test_bump_is_ordered_so_max_wins() -> None:
    assert Bump.NONE < Bump.PATCH < Bump.MINOR < Bump.MAJOR
    assert max([Bump.PATCH, Bump.MAJOR, Bump.NONE, Bump.MINOR]) is Bump.MAJOR
    assert not Bump.NONE
    assert all((Bump.PATCH, Bump.MINOR, Bump.MAJOR))


@pytest.mark.parametrize(
    ("label", "level"),
    [
        ("none", Bump.NONE),
        ("patch", Bump.PATCH),
        ("minor", Bump.MINOR),
        ("major", Bump.MAJOR),
        ("MAJOR", Bump.MAJOR),
        ("Minor", Bump.MINOR),
    ],
)
def test_labels(label: str, level: Bump) -> None:
    assert Bump.from_label(label) is level
    assert level.label == label.lower()


@pytest.mark.parametrize("label", ["", "huge", "prerelease", "maj", " minor", "1"])
def test_from_label_rejects_other_words(label: str) -> None:
    with pytest.raises(ValueError, match=label or "^$"):
        Bump.from_label(label)


def test_default_type_rules() -> None:
    assert dict(DEFAULT_TYPE_RULES) == {"feat": Bump.MINOR, "fix": Bump.PATCH, "perf": Bump.PATCH}


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("feat: x", Bump.MINOR),
        ("fix: x", Bump.PATCH),
        ("perf: x", Bump.PATCH),
        ("FEAT: x", Bump.MINOR),
        ("Fix(Parser): x", Bump.PATCH),
        ("docs: x", Bump.NONE),
        ("chore: x", Bump.NONE),
        ("refactor: x", Bump.NONE),
        ("style: x", Bump.NONE),
        ("test: x", Bump.NONE),
        ("build: x", Bump.NONE),
        ("ci: x", Bump.NONE),
        ("revert: x", Bump.NONE),
        ("feature: x", Bump.NONE),  # no prefix matching: "feature" is not "feat"
        ("feat!: x", Bump.MAJOR),
        ("docs!: x", Bump.MAJOR),
        ("chore: x\n\nBREAKING CHANGE: y", Bump.MAJOR),
        ("fix: x\n\nBREAKING-CHANGE: y", Bump.MAJOR),
        ("fix: x\n\nbreaking change: y", Bump.PATCH),
    ],
)
def test_default_rules(message: str, level: Bump) -> None:
    assert BumpRules().for_commit(parsed(message)) is level


@pytest.mark.parametrize(
    ("kind", "scope", "level"),
    [
        ("feat", None, Bump.MINOR),
        ("fix", "api", Bump.PATCH),
        ("perf", None, Bump.PATCH),
        ("docs", None, Bump.NONE),
        # The class promises case-insensitive types, for direct callers too.
        ("FEAT", None, Bump.MINOR),
        ("Fix", "Api", Bump.PATCH),
    ],
)
def test_for_type_defaults(kind: str, scope: str | None, level: Bump) -> None:
    assert BumpRules().for_type(kind, scope) is level


CUSTOM = BumpRules(
    by_type=(("feat", Bump.MINOR), ("fix", Bump.PATCH), ("Docs", Bump.PATCH), ("deps", Bump.MINOR)),
    scoped=(
        (("docs", "internal"), Bump.NONE),
        (("chore", "DEPS"), Bump.PATCH),
        (("feat", "experimental"), Bump.PATCH),
    ),
)


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("docs: x", Bump.PATCH),  # a type rule (declared as "Docs": case-insensitive)
        ("DOCS(readme): x", Bump.PATCH),
        ("docs(internal): x", Bump.NONE),  # a type(scope) rule wins over the type rule
        ("docs(INTERNAL): x", Bump.NONE),  # scopes compare case-insensitively
        ("Docs(Internal): x", Bump.NONE),
        ("chore: x", Bump.NONE),
        ("chore(deps): x", Bump.PATCH),
        ("chore(Deps): x", Bump.PATCH),
        ("chore(deps-dev): x", Bump.NONE),  # scopes match whole, not by prefix
        ("feat(experimental): x", Bump.PATCH),
        ("feat(api): x", Bump.MINOR),
        ("deps: x", Bump.MINOR),
        ("perf: x", Bump.NONE),  # by_type replaces the defaults: perf is not listed
        ("feat(experimental)!: x", Bump.MAJOR),  # breaking is always major
        ("docs(internal): x\n\nBREAKING CHANGE: y", Bump.MAJOR),
    ],
)
def test_custom_rules(message: str, level: Bump) -> None:
    assert CUSTOM.for_commit(parsed(message)) is level


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("docs: x", Bump.PATCH),  # "*" is the default for types without a rule
        ("anything-else: x", Bump.PATCH),
        ("feat: x", Bump.MINOR),
        ("chore: x", Bump.NONE),  # an explicit "none" beats the default
        ("chore(deps): x", Bump.MINOR),
        ("test(deps): x", Bump.PATCH),
    ],
)
def test_default_level_for_other_types(message: str, level: Bump) -> None:
    rules = BumpRules(
        by_type=(*DEFAULT_TYPE_RULES.items(), ("chore", Bump.NONE)),
        scoped=((("chore", "deps"), Bump.MINOR),),
        default=Bump.PATCH,
    )
    assert rules.for_commit(parsed(message)) is level


def test_rules_are_values() -> None:
    assert BumpRules() == BumpRules()
    assert BumpRules(default=Bump.PATCH) != BumpRules()
    assert hash(BumpRules()) == hash(BumpRules())


@pytest.mark.parametrize(
    ("version", "level", "major_on_zero", "expected"),
    [
        ("1.2.3", Bump.MAJOR, False, "2.0.0"),
        ("1.2.3", Bump.MINOR, False, "1.3.0"),
        ("1.2.3", Bump.PATCH, False, "1.2.4"),
        ("1.2.3", Bump.NONE, False, "1.2.3"),
        ("1.2.3", Bump.MAJOR, True, "2.0.0"),
        ("1.2.3+build", Bump.NONE, False, "1.2.3"),  # the core, without metadata
        ("1.2.3+build", Bump.PATCH, False, "1.2.4"),
        # 0.x: a breaking change moves the minor unless major_on_zero (SemVer item 4).
        ("0.3.1", Bump.MAJOR, False, "0.4.0"),
        ("0.3.1", Bump.MAJOR, True, "1.0.0"),
        ("0.3.1", Bump.MINOR, False, "0.4.0"),
        ("0.3.1", Bump.MINOR, True, "0.4.0"),
        ("0.3.1", Bump.PATCH, False, "0.3.2"),
        ("0.3.1", Bump.PATCH, True, "0.3.2"),
        ("0.0.1", Bump.MAJOR, False, "0.1.0"),
        ("0.0.1", Bump.PATCH, False, "0.0.2"),
        ("0.0.0", Bump.MAJOR, True, "1.0.0"),
    ],
)
def test_apply_bump(version: str, level: Bump, major_on_zero: bool, expected: str) -> None:
    result = apply_bump(Version.parse(version), level, major_on_zero=major_on_zero)
    assert result == Version.parse(expected)


@pytest.mark.parametrize(
    ("version", "level", "major_on_zero", "minor_on_zero", "expected"),
    [
        # release-please's bump-patch-for-minor-pre-major: a feature moves the patch on 0.x.
        ("0.3.1", Bump.MINOR, False, False, "0.3.2"),
        ("0.3.1", Bump.MINOR, True, False, "0.3.2"),
        ("0.3.1", Bump.MINOR, False, True, "0.4.0"),
        # One step down, never two: a breaking change still moves the minor...
        ("0.3.1", Bump.MAJOR, False, False, "0.4.0"),
        # ...or releases 1.0.0 when major_on_zero says so.
        ("0.3.1", Bump.MAJOR, True, False, "1.0.0"),
        ("0.3.1", Bump.PATCH, False, False, "0.3.2"),
        ("0.0.3", Bump.MINOR, False, False, "0.0.4"),
        ("0.3.1", Bump.NONE, False, False, "0.3.1"),
        # From 1.0.0 on the 0.x settings change nothing.
        ("1.3.1", Bump.MINOR, False, False, "1.4.0"),
        ("1.3.1", Bump.MAJOR, False, False, "2.0.0"),
    ],
)
def test_apply_bump_minor_on_zero(
    version: str, level: Bump, major_on_zero: bool, minor_on_zero: bool, expected: str
) -> None:
    result = apply_bump(
        Version.parse(version), level, major_on_zero=major_on_zero, minor_on_zero=minor_on_zero
    )
    assert result == Version.parse(expected)


@pytest.mark.parametrize(
    ("version", "level", "flags", "moved", "rule"),
    [
        ("0.3.1", Bump.MINOR, (False, False), Bump.PATCH, "a patch on 0.x (minor_on_zero = false)"),
        ("0.3.1", Bump.MAJOR, (False, False), Bump.MINOR, "a minor on 0.x (major_on_zero = false)"),
        ("0.3.1", Bump.MAJOR, (False, True), Bump.MINOR, "a minor on 0.x (major_on_zero = false)"),
        ("0.3.1", Bump.MAJOR, (True, False), Bump.MAJOR, None),
        ("0.3.1", Bump.MINOR, (False, True), Bump.MINOR, None),
        ("0.3.1", Bump.PATCH, (False, False), Bump.PATCH, None),
        ("2.0.0", Bump.MINOR, (False, False), Bump.MINOR, None),
    ],
)
def test_level_on_zero_and_the_rule_it_names(
    version: str, level: Bump, flags: tuple[bool, bool], moved: Bump, rule: str | None
) -> None:
    """``flags`` is (major_on_zero, minor_on_zero)."""
    zero = {"major_on_zero": flags[0], "minor_on_zero": flags[1]}
    assert level_on_zero(Version.parse(version), level, **zero) is moved
    assert zero_rule(Version.parse(version), level, **zero) == rule


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ("1.2.3", "2.0.0", Bump.MAJOR),
        ("1.2.3", "1.3.0", Bump.MINOR),
        ("1.2.3", "1.2.4", Bump.PATCH),
        ("1.2.3", "1.2.3", Bump.NONE),
        ("1.2.3", "1.2.3+b", Bump.NONE),
        ("1.2.3", "1.2.3-rc.1", Bump.NONE),
        ("1.2.3", "2.0.0-rc.1", Bump.MAJOR),
        ("1.2.3", "1.3.0-rc.1", Bump.MINOR),
        ("1.2.3", "3.5.7", Bump.MAJOR),
        ("1.2.3", "1.5.0", Bump.MINOR),
        ("0.0.0", "0.1.0", Bump.MINOR),
        ("0.0.0", "1.0.0", Bump.MAJOR),
        ("0.3.1", "0.4.0", Bump.MINOR),
    ],
)
def test_level_between(old: str, new: str, level: Bump) -> None:
    assert level_between(Version.parse(old), Version.parse(new)) is level


@pytest.mark.parametrize(
    ("base", "token", "existing", "expected"),
    [
        ("1.1.0", "rc", [], 1),
        ("1.1.0", "rc", ["1.0.0", "1.1.0"], 1),
        ("1.1.0", "rc", ["1.1.0-rc.1"], 2),
        ("1.1.0", "rc", ["1.1.0-rc.1", "1.1.0-rc.2"], 3),
        ("1.1.0", "rc", ["1.1.0-rc.7", "1.1.0-rc.2"], 8),  # the highest, not the count
        ("1.1.0", "rc", ["1.1.0-rc.10", "1.1.0-rc.9"], 11),  # numerically highest
        ("1.1.0", "rc", ["1.1.0-rc.1+build.5"], 2),
        ("1.1.0", "rc", ["1.1.0-beta.4"], 1),  # another channel
        ("1.1.0", "beta", ["1.1.0-beta.4", "1.1.0-rc.1"], 5),
        ("1.1.0", "rc", ["1.2.0-rc.3", "1.0.0-rc.3", "2.1.0-rc.3"], 1),  # another version
        ("1.1.0", "rc", ["1.1.0-rc", "1.1.0-rc.x", "1.1.0-rc.1.2"], 1),
        ("1.1.0", "rc", ["1.1.0-rc.0"], 1),
        ("1.1.0", "alpha.beta", ["1.1.0-alpha.beta.2", "1.1.0-alpha.3"], 3),
    ],
)
def test_next_prerelease_number(base: str, token: str, existing: list[str], expected: int) -> None:
    versions = (Version.parse(v) for v in existing)  # any iterable, consumed once
    assert next_prerelease_number(Version.parse(base), token, versions) == expected
