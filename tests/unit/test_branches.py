"""Release branches: the ``[branches]`` table, matching a branch to its rule, maintenance ranges.

Pure: no git.
"""

from __future__ import annotations

from typing import Any

import pytest

from versionbot.core.branches import (
    BranchRule,
    VersionRange,
    branch_policy,
    maintenance_range,
    parse_branches,
    rule_for,
)
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.version import Version


def v(text: str) -> Version:
    return Version.parse(text)


def test_default_is_main_and_master() -> None:
    assert [(r.pattern, r.prerelease, r.maintenance) for r in Config().branches] == [
        ("main", None, False),
        ("master", None, False),
    ]


def test_the_issue_example() -> None:
    config = config_from_mapping(
        {"branches": {"main": {}, "next": {"prerelease": "rc"}, "1.x": {"maintenance": True}}}
    )
    assert config.branches == (
        BranchRule("main"),
        BranchRule("next", prerelease="rc"),
        BranchRule("1.x", maintenance=True),
    )


def test_branches_replace_the_default() -> None:
    config = config_from_mapping({"branches": {"trunk": {}}})
    assert rule_for(config.branches, "main") is None
    assert rule_for(config.branches, "trunk") == BranchRule("trunk")


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("1.x", "1.0.0", "2.0.0"),
        ("1.x.x", "1.0.0", "2.0.0"),
        ("v2.x", "2.0.0", "3.0.0"),
        ("0.x", "0.0.0", "1.0.0"),
        ("1.4.x", "1.4.0", "1.5.0"),
        ("0.9.x", "0.9.0", "0.10.0"),
        ("maint/1.x", "1.0.0", "2.0.0"),
        ("release/v3.2.x", "3.2.0", "3.3.0"),
        ("12.x", "12.0.0", "13.0.0"),
    ],
)
def test_maintenance_range_from_the_name(name: str, low: str, high: str) -> None:
    assert maintenance_range(name) == VersionRange(v(low), v(high))


@pytest.mark.parametrize("name", ["stable", "1.x-lts", "1", "1.4", "01.x", "x.x", "1.x/next"])
def test_names_that_do_not_say_a_range(name: str) -> None:
    assert maintenance_range(name) is None


def test_range_contains_on_the_core() -> None:
    line = VersionRange(v("1.4.0"), v("1.5.0"))
    assert v("1.4.0") in line
    assert v("1.4.9") in line
    assert v("1.4.1-rc.1") in line
    assert v("1.5.0-rc.1") not in line  # a prerelease of 1.5.0 is the next line's
    assert v("1.5.0") not in line
    assert v("1.3.9") not in line
    assert "1.4.2" not in line
    assert str(line) == ">=1.4.0 <1.5.0"


def test_exact_name_first_then_first_glob_in_order() -> None:
    rules = parse_branches(
        {
            "release/*": {"prerelease": "rc"},
            "release/1.x": {"maintenance": True},
            "*": {"prerelease": "dev"},
            "release/?": {"prerelease": "beta"},
        }
    )
    assert rule_for(rules, "release/1.x") == BranchRule("release/1.x", maintenance=True)
    assert rule_for(rules, "release/a") == BranchRule("release/*", prerelease="rc")
    assert rule_for(rules, "feature") == BranchRule("*", prerelease="dev")
    assert rule_for(rules, None) is None


def test_matching_is_case_sensitive_and_whole() -> None:
    rules = parse_branches({"main": {}, "hotfix-*": {}})
    assert rule_for(rules, "Main") is None
    assert rule_for(rules, "mainline") is None
    assert rule_for(rules, "hotfix-1") == BranchRule("hotfix-*")


def test_policy_of_each_kind() -> None:
    rules = parse_branches({"main": {}, "next": {"prerelease": "rc"}, "*.x": {"maintenance": True}})
    main = branch_policy(rules, "main", None)
    assert (main.prerelease, main.range) == (None, None)
    assert branch_policy(rules, "next", None).prerelease == "rc"
    assert branch_policy(rules, "next", "beta").prerelease == "beta"  # --prerelease wins
    assert branch_policy(rules, "main", "beta").prerelease == "beta"
    line = branch_policy(rules, "1.4.x", None)
    assert line.range == VersionRange(v("1.4.0"), v("1.5.0"))
    assert line.rule == BranchRule("*.x", maintenance=True)
    unknown = branch_policy(rules, "feature", None)
    assert (unknown.rule, unknown.prerelease, unknown.range) == (None, None, None)
    assert branch_policy(rules, None, "rc").prerelease == "rc"


def test_a_glob_maintenance_branch_whose_name_says_no_range() -> None:
    rules = parse_branches({"maint/*": {"maintenance": True}})
    assert branch_policy(rules, "maint/2.x", None).range == VersionRange(v("2.0.0"), v("3.0.0"))
    with pytest.raises(ConfigError, match=r"'maint/old'.*does not say which versions") as caught:
        branch_policy(rules, "maint/old", None)
    assert "1.4.x" in caught.value.hint


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([], "must be a table of branches"),
        ({}, "is empty"),
        ({"main": True}, r"branches.main in test.toml must be a table"),
        ({"main": {"channel": "rc"}}, r"unknown key 'branches.main.channel'"),
        ({"next": {"prerelease": ""}}, "must be a prerelease token"),
        ({"next": {"prerelease": "rc.1"}}, "must be a prerelease token"),
        ({"next": {"prerelease": "r c"}}, "must be a prerelease token"),
        ({"next": {"prerelease": 1}}, "must be a prerelease token"),
        ({"1.x": {"maintenance": "yes"}}, "maintenance must be true or false"),
        (
            {"1.x": {"maintenance": True, "prerelease": "rc"}},
            "both a maintenance line and a prerelease channel",
        ),
        ({"stable": {"maintenance": True}}, r"'stable' does not say which versions"),
        ({"+([0-9])?(.{+([0-9]),x}).x": {"maintenance": True}}, "extended glob"),
        ({" ": {}}, "empty branch name"),
    ],
)
def test_bad_tables(table: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        config_from_mapping({"branches": table}, "test.toml")
    assert caught.value.hint


def test_quoted_names_in_messages() -> None:
    with pytest.raises(ConfigError, match=r"branches\.\"1\.x\"\.channel"):
        config_from_mapping({"branches": {"1.x": {"channel": 1}}})


def test_release_branches_is_gone_with_a_pointer() -> None:
    with pytest.raises(ConfigError, match=r"release_branches in x\.toml was replaced") as caught:
        config_from_mapping({"release_branches": ["main"]}, "x.toml")
    assert "[branches.main]" in caught.value.hint


def test_from_a_file(tmp_path: Any) -> None:
    from versionbot.files.config_file import load_config

    (tmp_path / "versionbot.toml").write_text(
        '[branches.main]\n[branches.next]\nprerelease = "beta"\n'
        '[branches."maint/*.x"]\nmaintenance = true\n',
        encoding="utf-8",
    )
    rules = load_config(tmp_path).branches
    assert [r.pattern for r in rules] == ["main", "next", "maint/*.x"]
    assert branch_policy(rules, "maint/3.1.x", None).range == VersionRange(v("3.1.0"), v("3.2.0"))


def test_the_module_doctests_pass() -> None:
    import doctest

    import versionbot.core.branches

    assert doctest.testmod(versionbot.core.branches).failed == 0
