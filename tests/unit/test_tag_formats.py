"""Tag formats: legacy formats read older releases, and what a whole changelog leaves out."""

from __future__ import annotations

import pytest

from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.history import Tag, TagFormat, find_baseline, left_out
from versionbot.core.version import Version

RENAMED = TagFormat("v{version}", ("{version}", "release-{version}"))


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("v2.0.0", "2.0.0"),
        ("1.4.0", "1.4.0"),
        ("release-0.9.0-rc.1", "0.9.0-rc.1"),
        ("x1.0.0", None),
    ],
)
def test_a_legacy_format_reads_older_tags(name: str, version: str | None) -> None:
    assert RENAMED.parse(name) == (None if version is None else Version.parse(version))


def test_a_legacy_format_is_never_written() -> None:
    assert RENAMED.format(Version(2, 1, 0)) == "v2.1.0"


def test_the_last_release_may_be_in_a_legacy_format() -> None:
    tags = (Tag("1.4.0", "a", True), Tag("1.3.0", "b", True))
    baseline = find_baseline(tags, RENAMED, prerelease=False)
    assert baseline.last_final is not None
    assert baseline.last_final.tag.name == "1.4.0"
    assert find_baseline(tags, TagFormat("v{version}"), prerelease=False).last_final is None


def test_legacy_tag_formats_load_top_level_and_per_package() -> None:
    config = config_from_mapping({"legacy_tag_formats": ["{version}"]}, "versionbot.toml")
    assert config.tag_format == TagFormat("v{version}", ("{version}",))
    packages = {
        "packages": {
            "api": {"path": "api", "legacy_tag_formats": ["api@{version}"]},
            "web": {"path": "web"},
        }
    }
    [api, web] = config_from_mapping(packages, "versionbot.toml").packages
    assert api.config.tag_format == TagFormat("api-v{version}", ("api@{version}",))
    assert web.config.tag_format == TagFormat("web-v{version}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{version}", "legacy_tag_formats in versionbot.toml must be a list of strings"),
        (["v"], "legacy_tag_formats in versionbot.toml must contain '{version}' exactly once: 'v'"),
        ([3], "legacy_tag_formats in versionbot.toml must be a string: 3"),
    ],
)
def test_bad_legacy_tag_formats_are_refused(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"legacy_tag_formats": value}, "versionbot.toml")
    assert caught.value.message == message


def test_a_whole_changelog_says_what_it_leaves_out_and_how_to_bring_it_in() -> None:
    tags = [
        Tag("v2.0.0", "a", True),
        Tag("v2.1.0", "b", False),  # on another branch
        Tag("v1.9.1", "c", False),
        Tag("1.1.0", "d", True),
        Tag("1.0.0", "e", True),
        Tag("1.0.0-rc.1", "f", True),
        Tag("release-0.9.0", "g", True),
        Tag("api-v1.0.0", "h", True),  # another package's
        Tag("nightly", "i", True),
    ]

    lines = left_out(tags, TagFormat("v{version}"), [TagFormat("api-v{version}")])

    assert lines == [
        "2 release tags on commits this branch does not hold (v2.1.0, v1.9.1): released from "
        "another branch, or the history was rewritten without a copy of the release here; "
        "merge that branch to include them",
        "3 tags in another format, {version} (1.1.0, 1.0.0, 1.0.0-rc.1): a renamed tag_format? "
        'To include them, set legacy_tag_formats = ["{version}"]',
        "1 tag in another format, release-{version} (release-0.9.0): a renamed tag_format? "
        'To include them, set legacy_tag_formats = ["release-{version}"]',
    ]
    assert left_out(tags, TagFormat("v{version}", ("{version}", "release-{version}"))) == [
        lines[0],
        "1 tag in another format, api-v{version} (api-v1.0.0): a renamed tag_format? "
        'To include them, set legacy_tag_formats = ["api-v{version}"]',
    ]
