"""Configuration schema and validation: defaults, every key, every bad value, file lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from versionbot.core.bump import Bump, BumpRules
from versionbot.core.config import Config, Signing
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError, RepositoryError, UsageError
from versionbot.core.history import TagFormat
from versionbot.core.version import Version
from versionbot.files.config_file import load_config

SOURCE = "pyproject.toml [tool.versionbot]"


def test_defaults() -> None:
    config = Config()
    assert config.tag_format == TagFormat("v{version}")
    assert config.initial_version == Version(0, 1, 0)
    assert config.major_on_zero is False
    assert config.minor_on_zero is True
    assert config.squash_commits is True
    assert config.ignore_merge_commits is True
    assert config.fetch_unshallow is False
    assert config.bump_rules == BumpRules()
    assert config.source == "defaults"


def test_empty_mapping_gives_the_defaults_with_the_source() -> None:
    config = config_from_mapping({}, SOURCE)
    assert config == Config(source=SOURCE)
    assert config_from_mapping({}).source == "<mapping>"


def test_every_key() -> None:
    config = config_from_mapping(
        {
            "tag_format": "release-{version}",
            "initial_version": "1.0.0",
            "major_on_zero": True,
            "squash_commits": False,
            "ignore_merge_commits": False,
            "fetch_unshallow": True,
            "bump": {
                "docs": "patch",
                "Feat": "major",
                "chore(deps)": "patch",
                "docs(Internal)": "none",
                "*": "patch",
            },
        },
        SOURCE,
    )
    assert config.tag_format == TagFormat("release-{version}")
    assert config.initial_version == Version(1, 0, 0)
    assert config.major_on_zero is True
    assert config.squash_commits is False
    assert config.ignore_merge_commits is False
    assert config.fetch_unshallow is True
    rules = config.bump_rules
    assert dict(rules.by_type) == {
        "feat": Bump.MAJOR,  # type keys are lower-cased
        "fix": Bump.PATCH,  # the defaults stay unless overridden
        "perf": Bump.PATCH,
        "docs": Bump.PATCH,
    }
    assert dict(rules.scoped) == {("chore", "deps"): Bump.PATCH, ("docs", "Internal"): Bump.NONE}
    assert rules.default is Bump.PATCH
    assert rules.for_type("docs", "internal") is Bump.NONE
    assert rules.for_type("style", None) is Bump.PATCH
    assert config.source == SOURCE


@pytest.mark.parametrize(
    ("key", "kind", "scope"),
    [
        ("feat", "feat", None),
        ("FIX", "fix", None),
        ("build-system", "build-system", None),
        ("my_type", "my_type", None),
        ("docs(readme.md)", "docs", "readme.md"),
        ("docs(api/v2)", "docs", "api/v2"),
        ("docs( spaced )", "docs", "spaced"),
        ("docs(with space)", "docs", "with space"),
    ],
)
def test_rule_keys(key: str, kind: str, scope: str | None) -> None:
    rules = config_from_mapping({"bump": {key: "major"}}).bump_rules
    if scope is None:
        assert (kind, Bump.MAJOR) in rules.by_type
        assert rules.scoped == ()
    else:
        assert rules.scoped == (((kind, scope), Bump.MAJOR),)


@pytest.mark.parametrize(("label", "level"), [(b.label, b) for b in Bump] + [("MINOR", Bump.MINOR)])
def test_bump_levels(label: str, level: Bump) -> None:
    assert config_from_mapping({"bump": {"docs": label}}).bump_rules.for_type("docs", None) is level


@pytest.mark.parametrize(
    "key", ["foo", "tag-format", "TAG_FORMAT", "bump_rules", "tool", "version", ""]
)
def test_unknown_key_names_the_key_and_the_source(key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"tag_format": "v{version}", key: 1}, SOURCE)
    assert caught.value.message == f"unknown key {key!r} in {SOURCE}"
    assert "tag_format" in caught.value.hint  # the hint lists the known keys
    assert "squash_commits" in caught.value.hint


def test_config_error_is_a_usage_error_with_exit_code_2() -> None:
    with pytest.raises(UsageError) as caught:
        config_from_mapping({"nope": True})
    assert caught.value.exit_code == 2
    assert str(caught.value) == caught.value.message


BAD_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"tag_format": "release"}, "tag_format"),
    ({"tag_format": ""}, "tag_format"),
    ({"tag_format": "{version}-{version}"}, "tag_format"),
    ({"tag_format": "{Version}"}, "tag_format"),
    ({"tag_format": 3}, "tag_format"),
    ({"tag_format": None}, "tag_format"),
    ({"tag_format": ["v{version}"]}, "tag_format"),
    ({"tag_format": "-{version}"}, "tag_format"),
    ({"version_files": ["x\x1b[2J/package.json"]}, "version_files"),
    ({"version_files": ["a\u2028b/package.json"]}, "version_files"),
    ({"changelog": {"file": "CHANGELOG.md\nx"}}, "changelog.file"),
    ({"changelog": {"templates": "t\x07"}}, "changelog.templates"),
    ({"changelog": {"sections": {"feat": "Features\n\n## 9.9.9"}}}, "changelog.sections.feat"),
    ({"changelog": {"sections": {"feat": "Fea\u202etures"}}}, "changelog.sections.feat"),
    ({"commit_message": "chore: {version}\r"}, "commit_message"),
    ({"commit_message": "chore: {version}\x1b[2J"}, "commit_message"),
    ({"remote": "--receive-pack=touch x"}, "remote"),
    ({"remote": "ori gin"}, "remote"),
    ({"remote": "a..b"}, "remote"),
    ({"branches": {"ma\x1b[2Jin": {}}}, "branches"),
    ({"bump": {"feat(\x1b[2J)": "patch"}}, "bump"),
    ({"check": {"scopes": ["api\x1b[2J"]}}, "check.scopes"),
    ({"images": {"names": ["a/b"], "platforms": ["linux/amd64\x1b[2J"]}}, "images.platforms"),
    ({"images": {"names": ["a/b"], "labels": {"a\nb": "c"}}}, "images.labels"),
    ({"images": {"names": ["a/b"], "dockerfile": "Dockerfile\n"}}, "images.dockerfile"),
    ({"tag_format": "v{version}.lock"}, "tag_format"),
    ({"tag_format": "{version}/"}, "tag_format"),
    ({"tag_format": "release//{version}"}, "tag_format"),
    ({"tag_format": "v..{version}"}, "tag_format"),
    ({"tag_format": "v{version}."}, "tag_format"),
    ({"tag_format": ".v{version}"}, "tag_format"),
    ({"tag_format": "a b{version}"}, "tag_format"),
    ({"tag_format": "v{version}\n"}, "tag_format"),
    ({"tag_format": "v{version}~1"}, "tag_format"),
    ({"tag_format": "@{{version}"}, "tag_format"),
    ({"tag_format": "v{version}-{major}"}, "tag_format"),
    ({"tag_format": "{name}-v{version}"}, "tag_format"),
    ({"tag_format": "x" * 300 + "{version}"}, "tag_format"),
    ({"initial_version": "1.0.0-rc.1"}, "initial_version"),
    ({"initial_version": "1.0.0+build"}, "initial_version"),
    ({"initial_version": "v1.0.0"}, "initial_version"),
    ({"initial_version": "1.0"}, "initial_version"),
    ({"initial_version": ""}, "initial_version"),
    ({"initial_version": 1}, "initial_version"),
    ({"initial_version": 1.0}, "initial_version"),
    ({"major_on_zero": "yes"}, "major_on_zero"),
    ({"major_on_zero": 1}, "major_on_zero"),
    ({"minor_on_zero": "no"}, "minor_on_zero"),
    ({"squash_commits": "false"}, "squash_commits"),
    ({"ignore_merge_commits": 0}, "ignore_merge_commits"),
    ({"fetch_unshallow": None}, "fetch_unshallow"),
    ({"bump": "patch"}, "bump"),
    ({"bump": ["feat"]}, "bump"),
    ({"bump": {"feat": "huge"}}, "bump.feat"),
    ({"bump": {"feat": "prerelease"}}, "bump.feat"),
    ({"bump": {"feat": 1}}, "bump.feat"),
    ({"bump": {"feat": True}}, "bump.feat"),
    ({"bump": {"*": "all"}}, 'bump."*"'),
    ({"bump": {"feat(": "patch"}}, 'bump."feat("'),
    ({"bump": {"feat()": "patch"}}, 'bump."feat()"'),
    ({"bump": {"feat( )": "patch"}}, 'bump."feat( )"'),
    ({"bump": {"feat(a)(b)": "patch"}}, 'bump."feat(a)(b)"'),
    ({"bump": {"feat(a": "patch"}}, 'bump."feat(a"'),
    ({"bump": {"feat!": "major"}}, 'bump."feat!"'),
    ({"bump": {"2fix": "patch"}}, "bump.2fix"),
    ({"bump": {"": "patch"}}, 'bump.""'),
    ({"bump": {"feat (api)": "patch"}}, 'bump."feat (api)"'),
    ({"bump": {"(api)": "patch"}}, 'bump."(api)"'),
]


@pytest.mark.parametrize(("mapping", "key"), BAD_VALUES)
def test_bad_values_raise_config_error_naming_the_key_and_the_source(
    mapping: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(mapping, SOURCE)
    message = caught.value.message
    assert message.startswith(key), message
    assert SOURCE in message
    assert "\n" not in message
    assert caught.value.hint
    assert "\n" not in caught.value.hint


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("release", "must contain '{version}' exactly once: 'release'"),
        (3, "must be a string: 3"),
    ],
)
def test_tag_format_messages(value: object, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"tag_format": value}, SOURCE)
    assert caught.value.message == f"tag_format in {SOURCE} {words}"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-{version}", "'-1.2.3' starts with '-' (git tag takes it for an option)"),
        ("v{version}.lock", "'v1.2.3.lock' has a part that ends with '.lock' ('v1.2.3.lock')"),
        ("r/{version}/", "'r/1.2.3/' has an empty part: '//', or a '/' at either end"),
    ],
)
def test_a_tag_format_git_refuses_is_refused_at_load(value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"tag_format": value}, SOURCE)
    assert caught.value.message == f"tag_format in {SOURCE} makes tags git refuses: {words}"
    assert caught.value.exit_code == 2
    assert "v{version}" in caught.value.hint


@pytest.mark.parametrize(
    "value", ["v{version}", "{version}", "release/v{version}", "api-v{version}", "v{version}_x"]
)
def test_usual_tag_formats_load_and_read_their_tags_back(value: str) -> None:
    fmt = config_from_mapping({"tag_format": value}, SOURCE).tag_format
    for text in ("1.2.3", "0.1.0-rc.1", "2.0.0-beta.2+build.7"):
        version = Version.parse(text)
        assert fmt.parse(fmt.format(version)) == version


def test_a_package_tag_format_is_checked_as_the_root_one() -> None:
    packages = {"api": {"path": "api", "tag_format": "api-{version}.lock"}}
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"packages": packages}, SOURCE)
    assert caught.value.message.startswith(f"tag_format in {SOURCE} [packages.api] makes tags")


def test_a_package_name_that_makes_no_default_tag_format_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"packages": {"a..b": {"path": "a"}}}, SOURCE)
    assert caught.value.message.startswith(
        f"the package name of {SOURCE} [packages.a..b] makes no valid default tag_format"
    )
    assert "'a..b-v1.2.3' holds '..'" in caught.value.message
    assert caught.value.hint == "set tag_format in the package's table, or rename the package"


def test_prerelease_initial_version_message() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"initial_version": "1.0.0-rc.1"}, SOURCE)
    assert caught.value.message == (
        f"initial_version in {SOURCE} must be a final SemVer version above 0.0.0, not '1.0.0-rc.1'"
    )


# --- load_config: the files ---------------------------------------------------------------------


def test_no_files_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.versionbot]\ntag_format = "{version}"\n'
        'major_on_zero = true\n\n[tool.versionbot.bump]\ndocs = "patch"\n"chore(deps)" = "patch"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.tag_format == TagFormat("{version}")
    assert config.major_on_zero is True
    assert config.bump_rules.for_type("docs", None) is Bump.PATCH
    assert config.bump_rules.for_type("chore", "deps") is Bump.PATCH
    assert config.source == "pyproject.toml [tool.versionbot]"


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n", encoding="utf-8")
    assert load_config(tmp_path) == Config()


def test_versionbot_toml(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text(
        'initial_version = "1.0.0"\n[bump]\n"*" = "patch"\n', encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert config.initial_version == Version(1, 0, 0)
    assert config.bump_rules.default is Bump.PATCH
    assert config.source == "versionbot.toml"


def test_versionbot_toml_beside_a_pyproject_without_the_table(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text('tag_format = "r{version}"\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(tmp_path).tag_format == TagFormat("r{version}")


@pytest.mark.parametrize("standalone", ["", 'tag_format = "v{version}"\n'])
def test_both_files_are_an_error(tmp_path: Path, standalone: str) -> None:
    (tmp_path / "versionbot.toml").write_text(standalone, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.versionbot]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "versionbot.toml" in caught.value.message
    assert "pyproject.toml" in caught.value.message


@pytest.mark.parametrize("name", ["versionbot.toml", "pyproject.toml"])
def test_invalid_toml_is_an_error_naming_the_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("[tool.versionbot\ntag_format = ", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message.startswith(f"{name} is not valid TOML: ")
    assert caught.value.hint == "fix the syntax"


@pytest.mark.parametrize(
    ("name", "text", "source"),
    [
        ("versionbot.toml", "colour = 1\n", "versionbot.toml"),
        ("pyproject.toml", "[tool.versionbot]\ncolour = 1\n", "pyproject.toml [tool.versionbot]"),
    ],
)
def test_unknown_key_in_a_file_names_the_file(
    tmp_path: Path, name: str, text: str, source: str
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message == f"unknown key 'colour' in {source}"


def test_bad_value_in_a_file_names_the_key_and_the_file(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text('[bump]\nfeat = "huge"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message.startswith("bump.feat in versionbot.toml ")


def test_explicit_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('tag_format = "x{version}"\n', encoding="utf-8")
    # The explicit file wins over (and is not in conflict with) the usual places.
    (tmp_path / "versionbot.toml").write_text('tag_format = "y{version}"\n', encoding="utf-8")
    config = load_config(tmp_path, path)
    assert config.tag_format == TagFormat("x{version}")
    assert config.source == "elsewhere.toml"


def test_explicit_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(tmp_path, path) == Config()


def test_explicit_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, missing)
    assert str(missing) in caught.value.message


def test_undecodable_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_bytes(b'tag_format = "\xff{version}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message == "versionbot.toml is not UTF-8 text: byte 0xff at offset 14"
    assert caught.value.hint == "TOML files are UTF-8: save it as UTF-8"


def test_initial_version_zero_is_refused() -> None:
    # A first release of 0.0.0 would be a release whose bump is "none".
    with pytest.raises(ConfigError, match=r"above 0\.0\.0"):
        config_from_mapping({"initial_version": "0.0.0"})


def test_bump_key_that_is_not_a_string_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a string"):
        config_from_mapping({"bump": {1: "patch"}})


@pytest.mark.parametrize(
    ("name", "email", "words"),
    [
        ("Bot\nCommitter: x", "bot@example.com", "committer.name in {} holds the control "
         "character U+000A"),
        ("Bot", "bot@example.com\r\nx", "committer.email in {} holds the control character "
         "U+000D"),
        ("Bot\u2028x", "bot@example.com", "committer.name in {} holds the control character "
         "U+2028"),
        ("Bot\u202ex", "bot@example.com", "committer.name in {} holds the control character "
         "U+202E"),
        ("Bot\x1b[31m", "bot@example.com", "committer.name in {} holds the control character "
         "U+001B"),
        ("Bot\x00", "bot@example.com", "committer.name in {} holds the control character U+0000"),
        ("Bot <evil@x>", "bot@example.com", "committer.name in {} holds '<', which git uses to "
         "mark the email"),
        ("Bot", "bot@example.com>", "committer.email in {} holds '>', which git uses to mark "
         "the email"),
        ("Bot", "bot @example.com", "committer.email in {} holds a space"),
    ],
)  # fmt: skip
def test_a_committer_git_would_mangle_is_refused_at_load(name: str, email: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"committer": {"name": name, "email": email}}, SOURCE)
    assert caught.value.message == words.format(SOURCE)
    assert "\n" not in caught.value.message
    assert caught.value.exit_code == 2


def test_a_committer_name_may_hold_spaces_and_any_script() -> None:
    name = "Ba\u0301rbara Ro\u0308\u200cse-\u0645\u062d\u0645\u062f"  # combining marks, a ZWNJ
    config = config_from_mapping({"committer": {"name": name, "email": "b@example.com"}}, SOURCE)
    assert config.committer == (name, "b@example.com")


def _images(**table: Any) -> dict[str, Any]:
    return {"images": {"names": ["ghcr.io/acme/app"], **table}}


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("ghcr.io/Acme/App", "'Acme/App' is not a repository path"),
        ("Acme/app", "'Acme/app' is not a repository path"),
        ("ghcr.io/acme/app:1.0", "holds a tag (':')"),
        ("ghcr.io/acme/app@sha256:" + "a" * 64, "holds a digest ('@')"),
        ("ghcr.io/acme//app", "'acme//app' is not a repository path"),
        ("ghcr.io/acme/app/", "'acme/app/' is not a repository path"),
        ("ghcr.io/acme/-app", "'acme/-app' is not a repository path"),
        ("ghcr.io/acme/a...b", "'acme/a...b' is not a repository path"),
        ("ghcr.io/acme/a b", "'acme/a b' is not a repository path"),
        ("ghcr.io/acme/app!", "'acme/app!' is not a repository path"),
        ("gh_cr.io/acme/app", "'gh_cr.io' is not a host[:port]"),
        ("ghcr.io:port/acme/app", "'ghcr.io:port' is not a host[:port]"),
        ("ghcr.io/" + "a" * 250, "is longer than 255 characters"),
    ],
)
def test_an_image_name_the_registry_refuses_is_refused_at_load(name: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"images": {"names": [name]}}, SOURCE)
    message = caught.value.message
    assert message.startswith(f"images.names in {SOURCE}: {name!r} is not an image name: ")
    assert words in message.partition(" is not an image name: ")[2], message
    assert caught.value.exit_code == 2
    assert caught.value.hint == (
        'write a repository in lower case, without a tag, e.g. "ghcr.io/acme/app"'
    )


@pytest.mark.parametrize(
    "name",
    [
        "ghcr.io/acme/app", "alpine", "acme/app", "localhost:5000/a/b/c", "127.0.0.1:5000/app",
        "[::1]:5000/app", "Registry.Example.COM/team/my_app__x.y---z", "docker.io/library/app",
    ],
)  # fmt: skip
def test_image_names_the_registry_takes_load(name: str) -> None:
    from versionbot.registry.oci import ImageRef

    config = config_from_mapping({"images": {"names": [name]}}, SOURCE)
    assert config.images is not None
    assert config.images.names == (name,)
    assert ImageRef.parse(name).tag is None  # and the push reads it the same way


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            {"source": "ghcr.io/acme/App:sha-{sha}"},
            "images.source in {}: 'ghcr.io/acme/App:sha-{{sha}}' is not an image reference: "
            "makes 'ghcr.io/acme/App:sha-" + "0" * 40 + "', and 'acme/App' is not a repository "
            "path: lower-case letters and digits joined by '.', '_', '__' or '-', parts "
            "separated by '/'",
        ),
        (
            {"source": "ghcr.io/acme/app:{nope}"},
            "images.source in {}: 'ghcr.io/acme/app:{{nope}}' is not an image reference: holds "
            "the unknown placeholder {{nope}}",
        ),
        (
            {"source": "ghcr.io/acme/app@sha256:abc"},
            "images.source in {}: 'ghcr.io/acme/app@sha256:abc' is not an image reference: the "
            "digest 'sha256:abc' is not sha256:<64 lower-case hex>",
        ),
        (
            {"channel_tags": {"rc": "next!"}},
            "images.channel_tags.rc in {}: 'next!' is not a valid OCI tag",
        ),
        (
            {"tags": ["{version}", "x" * 100 + "{sha}"]},
            "images.tags in {}: '" + "x" * 100 + "{{sha}}' cannot make a valid OCI tag ('"
            + "x" * 100 + "0" * 40 + "')",
        ),
        (
            {"tags": ["{prerelease}"]},
            "images.tags in {}: '{{prerelease}}' cannot make a valid OCI tag ('')",
        ),
    ],
)  # fmt: skip
def test_image_sources_and_tags_the_release_would_refuse_are_refused_at_load(
    table: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(_images(**table), SOURCE)
    assert caught.value.message == words.format(SOURCE)


def test_image_sources_and_tags_the_release_takes_load() -> None:
    table = {
        "source": "localhost:5000/acme/app:sha-{short_sha}",
        "tags": ["{version}", "v{major}", "{version}+x", "sha-{sha}"],
        "channel_tags": {"rc": "next", "beta.x": "beta_x"},
    }
    images = config_from_mapping(_images(**table), SOURCE).images
    assert images is not None
    assert images.source == table["source"]


@pytest.mark.parametrize(
    ("sign", "expected"),
    [
        ("keyless", Signing()),
        ("key:cosign.key", Signing(key="cosign.key")),
        ("key:env://COSIGN_KEY", Signing(key="env://COSIGN_KEY")),
        ("key:awskms:///arn:aws:kms:eu-west-1:1:key/k", Signing("awskms:///arn:aws:kms:eu-west-1:1:key/k")),
    ],
)  # fmt: skip
def test_images_sign_takes_keyless_or_a_cosign_key(sign: str, expected: Signing) -> None:
    images = config_from_mapping(_images(sign=sign), SOURCE).images
    assert images is not None
    assert images.sign == expected


@pytest.mark.parametrize(
    "sign", ["yes", "key:", "key: ", "key:--upload=false", "Keyless", "x" * 80]
)
def test_images_sign_refuses_anything_else(sign: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(_images(sign=sign), SOURCE)
    assert caught.value.message.startswith(f"images.sign in {SOURCE} is '")
    assert len(caught.value.message) < 100
    assert caught.value.hint.startswith('"keyless" or "key:<cosign key>"')


def test_images_sign_is_off_by_default() -> None:
    images = config_from_mapping(_images(), SOURCE).images
    assert images is not None
    assert images.sign is None


def test_a_deeply_nested_config_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text("a = " + "[" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message == "versionbot.toml nests arrays or tables too deeply to be read"


def test_a_config_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").write_text('\ufefftag_format = "r{version}"\n', "utf-8")
    assert load_config(tmp_path).tag_format == TagFormat("r{version}")


def test_a_config_folder_is_named_a_folder(tmp_path: Path) -> None:
    (tmp_path / "versionbot.toml").mkdir()
    with pytest.raises(ConfigError, match=r"^versionbot\.toml is a folder$"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match=r"is a folder$") as caught:
        load_config(tmp_path, tmp_path / "versionbot.toml")
    assert caught.value.hint == "give --config the path of a file"


def test_a_config_symlinked_out_of_the_work_tree_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.toml").write_text('tag_format = "x{version}"\n', "utf-8")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "versionbot.toml").symlink_to(tmp_path / "outside.toml")
    with pytest.raises(RepositoryError, match="leads out of the work tree"):
        load_config(tmp_path / "repo")
    # --config is the workflow's own choice: it may be anywhere.
    explicit = load_config(tmp_path / "repo", tmp_path / "outside.toml")
    assert explicit.tag_format == TagFormat("x{version}")


def test_an_in_tree_symlinked_config_is_read(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "versionbot.toml").write_text('tag_format = "y{version}"\n', "utf-8")
    (tmp_path / "versionbot.toml").symlink_to("config/versionbot.toml")
    assert load_config(tmp_path).tag_format == TagFormat("y{version}")


def test_a_control_character_in_a_path_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"version_files": ["x\x1b[31m/package.json"]}, SOURCE)
    assert caught.value.message == (
        f"version_files in {SOURCE} holds the control character U+001B: 'x\\x1b[31m/package.json'"
    )
    assert "\x1b" not in caught.value.message  # shown escaped, never raw


@pytest.mark.parametrize(
    ("char", "code"), [("\u200b", "U+200B"), ("\ufeff", "U+FEFF"), ("\u200e", "U+200E")]
)
def test_invisible_and_bidi_characters_are_refused_as_neutralise_names_them(
    char: str, code: str
) -> None:
    """One table (core/neutralise.py) says what a configured value may not hold."""
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"commit_message": f"chore(release): {{version}}{char}"}, SOURCE)
    assert f"holds the control character {code}" in caught.value.message
    zwj = config_from_mapping({"commit_message": "chore(release): {version} \u200d"}, SOURCE)
    assert zwj.commit_message.endswith("\u200d")  # a joiner is text's own


def test_a_package_path_with_a_line_break_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^path in .* must be a folder inside the repository"):
        config_from_mapping({"packages": {"api": {"path": "api\nx"}}}, SOURCE)


@pytest.mark.parametrize("remote", ["origin", "upstream", "my-fork", "team/fork"])
def test_remote_names_git_takes_load(remote: str) -> None:
    assert config_from_mapping({"remote": remote}, SOURCE).remote == remote


def test_a_remote_that_is_an_option_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"remote": "--upload-pack=x"}, SOURCE)
    assert caught.value.message == (
        f"remote in {SOURCE} is not a git remote name: '--upload-pack=x' starts with '-'"
    )
