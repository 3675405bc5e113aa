"""The image tag set: the highest-in-line rule, prereleases, options and the OCI tag grammar."""

from __future__ import annotations

import doctest

import pytest

import versionbot.core.image_tags
from versionbot.core.config import ImageRules
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.image_tags import (
    InvalidImageTag,
    image_plan,
    image_tags,
    validate_template,
    versions_from_tags,
)
from versionbot.core.version import Version

SHA = "3f2a91c0" + "0" * 32
DEFAULT = ImageRules()


def pushed(version: str, existing: list[str], rules: ImageRules = DEFAULT) -> list[str]:
    versions = [Version.parse(v) for v in existing]
    return [t.tag for t in image_tags(Version.parse(version), versions, SHA, rules).pushed]


@pytest.mark.parametrize(
    ("version", "existing", "expected"),
    [
        # The newest release moves everything.
        ("1.4.2", ["1.4.1", "1.3.0"], ["1.4.2", "1.4", "1", "latest"]),
        # A backport after 1.5.0 and 2.0.0 moves its minor line only (the example).
        ("1.4.3", ["1.4.2", "1.5.0", "2.0.0"], ["1.4.3", "1.4"]),
        # A maintenance release of the 1.x line after 2.0.0 moves 1.5 and 1, not latest.
        ("1.5.1", ["1.5.0", "2.0.0"], ["1.5.1", "1.5", "1"]),
        # An older patch than one already released in its minor line moves nothing floating.
        ("1.4.1", ["1.4.2"], ["1.4.1"]),
        # Prereleases of higher versions do not hold floating tags back.
        ("1.5.0", ["2.0.0-rc.1"], ["1.5.0", "1.5", "1", "latest"]),
        # A prerelease gets its own tag only.
        ("2.0.0-rc.2", ["1.5.0", "2.0.0-rc.1"], ["2.0.0-rc.2"]),
        # A backport after 2.0.0 alone is the highest 1.x: it moves 1 too (the README says so).
        ("1.4.3", ["1.4.2", "2.0.0"], ["1.4.3", "1.4", "1"]),
        # 0.x: no "0" tag by default.
        ("0.3.0", ["0.2.0"], ["0.3.0", "0.3", "latest"]),
        # Build metadata becomes '_' (no '+' in an OCI tag).
        ("1.0.0+build.7", [], ["1.0.0_build.7", "1.0", "1", "latest"]),
        # A re-run for the same version is still the highest in line.
        ("1.4.2", ["1.4.2", "1.4.1"], ["1.4.2", "1.4", "1", "latest"]),
    ],
)
def test_highest_in_line(version: str, existing: list[str], expected: list[str]) -> None:
    assert pushed(version, existing) == expected


def test_reasons_say_why_a_floating_tag_stays() -> None:
    released = [Version.parse("1.5.0"), Version.parse("2.0.0")]
    tags = image_tags(Version.parse("1.4.3"), released, SHA, DEFAULT).tags
    reasons = {t.tag: (t.pushed, t.reason) for t in tags}
    assert reasons["1.4"] == (True, "1.4.3 is the highest 1.4.x release")
    assert reasons["1"] == (False, "1.5.0 is higher")
    assert reasons["latest"] == (False, "2.0.0 is higher")


def test_options() -> None:
    rules = ImageRules(major_zero=True, sha_tag=True, v_prefix=True, channel_tags=(("rc", "next"),))
    assert pushed("0.3.0", [], rules) == ["v0.3.0", "v0.3", "v0", "latest", "sha-3f2a91c"]
    assert pushed("2.0.0-rc.1", [], rules) == ["v2.0.0-rc.1", "next", "sha-3f2a91c"]
    assert pushed("2.0.0-beta.1", [], rules) == ["v2.0.0-beta.1", "sha-3f2a91c"]


def test_exact_tags_name_one_release_and_the_others_float() -> None:
    rules = ImageRules(
        templates=(
            "{version}",
            "{major}.{minor}.{patch}-slim",
            "{major}.{minor}",
            "v{major}",
            "latest",
            "build-{short_sha}",
        ),
        sha_tag=True,
        channel_tags=(("rc", "next"),),
    )
    tags = image_tags(Version.parse("2.0.0-rc.1"), [], SHA, rules).tags
    assert {t.tag: t.exact for t in tags} == {
        "2.0.0-rc.1": True,
        "2.0.0-slim": True,
        "2.0": False,
        "v2": False,
        "latest": False,
        "build-3f2a91c": True,
        "next": False,
        "sha-3f2a91c": True,
    }


def test_a_prerelease_gets_no_tag_that_does_not_name_it() -> None:
    """{major}.{minor}.{patch} of 1.1.0-rc.1 is 1.1.0, the final's tag: not pushed."""
    rules = ImageRules(
        templates=("{major}.{minor}.{patch}", "{version}", "{patch}-{prerelease}", "c-{sha}")
    )
    tags = image_tags(Version.parse("1.1.0-rc.1"), [], SHA, rules).tags
    assert [(t.tag, t.pushed) for t in tags] == [
        ("1.1.0", False),
        ("1.1.0-rc.1", True),
        ("0-rc.1", True),
        (f"c-{SHA}", True),
    ]
    assert "does not name the prerelease" in tags[0].reason
    assert pushed("1.1.0", [], rules) == ["1.1.0", "0-", f"c-{SHA}"]


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.image_tags).failed == 0


def test_custom_templates_and_duplicates() -> None:
    rules = ImageRules(templates=("{version}", "{major}.{minor}.{patch}", "stable", "{short_sha}"))
    # {major}.{minor}.{patch} names the same tag as {version}: pushed once.
    assert pushed("1.2.3", ["9.0.0"], rules) == ["1.2.3", "3f2a91c"]


@pytest.mark.parametrize(
    "template", ["{version}", "v{major}", "{major}.{minor}", "latest", "sha-{sha}"]
)
def test_valid_templates(template: str) -> None:
    validate_template(template)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{nope}", "unknown placeholder"),
        ("-{version}", "valid OCI tag"),  # a tag cannot start with '-'
        ("{version}/x", "valid OCI tag"),
        ("a" * 129, "valid OCI tag"),
    ],
)
def test_invalid_templates(template: str, problem: str) -> None:
    with pytest.raises(InvalidImageTag, match=problem):
        validate_template(template)


def test_versions_from_registry_tags() -> None:
    tags = ["1.4.2", "1.4", "latest", "v9.0.0", "sha-abc", "2.0.0-rc.1"]
    assert [str(v) for v in versions_from_tags(tags, DEFAULT)] == ["1.4.2", "2.0.0-rc.1"]
    assert [str(v) for v in versions_from_tags(tags, ImageRules(v_prefix=True))] == ["9.0.0"]


def test_image_plan_targets_and_source() -> None:
    plan = image_plan(
        Version.parse("1.4.2"),
        [],
        SHA,
        names=("ghcr.io/acme/app", "docker.io/acme/app"),
        source="ghcr.io/acme/app:sha-{short_sha}",
        platforms=("linux/amd64", "linux/arm64"),
        rules=ImageRules(templates=("{version}", "latest")),
    )
    assert plan.source == "ghcr.io/acme/app:sha-3f2a91c"
    assert plan.targets == (
        "ghcr.io/acme/app:1.4.2",
        "ghcr.io/acme/app:latest",
        "docker.io/acme/app:1.4.2",
        "docker.io/acme/app:latest",
    )


def test_images_config() -> None:
    config = config_from_mapping(
        {"images": {"names": ["ghcr.io/acme/app"], "channel_tags": {"rc": "next"}}}
    )
    assert config.images is not None
    assert config.images.platforms == ("linux/amd64", "linux/arm64")
    assert config.images.rules.channel_tags == (("rc", "next"),)
    assert config_from_mapping({}).images is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"names": []}, "images.names in <mapping> is empty"),
        ({"names": ["x"], "tags": ["{nope}"]}, "unknown placeholder {nope}"),
        ({"names": ["x"], "builder": "kaniko"}, "must be one of buildx, buildah, docker"),
        ({"names": ["x"], "colour": "red"}, "unknown key 'images.colour'"),
        ({"names": "ghcr.io/x"}, "must be a list of strings"),
        ({"names": ["x"], "channel_tags": {"rc": 1}}, "must be a table of strings"),
        ({"names": ["x"], "sha_tag": "yes"}, "sha_tag in <mapping> [images] must be true or false"),
    ],
)
def test_images_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"images": table})
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("ghcr.io/acme/app:sha-{sha}", "the source image's own, unchanged (promoted by digest)"),
        (None, "org.opencontainers.image.version, .revision, .created"),
    ],
)
def test_images_plan_says_what_labels_the_image_carries(source: str | None, says: str) -> None:
    """Promotion never rewrites a manifest (its digest is its name): a CI-built image carries
    the labels its build gave it, and bot images plan says so."""
    from versionbot.cli.report import images_to_text

    plan = image_plan(
        Version.parse("1.4.2"),
        [],
        SHA,
        names=("ghcr.io/acme/app",),
        source=source,
        platforms=("linux/amd64",),
        rules=DEFAULT,
    )
    [line] = [line for line in images_to_text(plan) if line.startswith("  labels: ")]
    assert says in line
