"""``bot init``'s migration from release-please: real projects' ``release-please-config.json``
shapes (each test names the project it was copied from) translated, rendered, and loaded back
through versionbot's own configuration loader."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.version import Version
from versionbot.core.version_files import locate_versions, parse_version_file_spec
from versionbot.init.detect import detect, peer_version_files
from versionbot.init.proposal import Proposal, TomlTable
from versionbot.init.release_please import files_to_read
from versionbot.init.toml_render import render_toml

CONFIG = "release-please-config.json"
MANIFEST = ".release-please-manifest.json"

# open-feature/python-sdk-contrib's release-please-config.json (three of its packages): python
# packages with package-name, "/" as tag separator, README.md as a generic extra file, emoji
# sections with hidden types, and options versionbot has nothing for.
OPENFEATURE_PYTHON = {
    "bootstrap-sha": "1cef37c5d8c7d97ee52a8e6b71f12150063b8503",
    "separate-pull-requests": True,
    "release-type": "python",
    "bump-minor-pre-major": True,
    "bump-patch-for-minor-pre-major": True,
    "include-component-in-tag": True,
    "tag-separator": "/",
    "packages": {
        f"{folder}/{name}": {
            "package-name": name,
            "bump-minor-pre-major": True,
            "bump-patch-for-minor-pre-major": True,
            "versioning": "default",
            "extra-files": ["README.md"],
        }
        for folder, name in (
            ("providers", "openfeature-provider-flagd"),
            ("providers", "openfeature-provider-ofrep"),
            ("hooks", "openfeature-hooks-opentelemetry"),
        )
    },
    "changelog-sections": [
        {"type": "fix", "section": "🐛 Bug Fixes"},
        {"type": "feat", "section": "✨ New Features"},
        {"type": "chore", "section": "🧹 Chore"},
        {"type": "docs", "section": "📚 Documentation"},
        {"type": "perf", "section": "🚀 Performance"},
        {"type": "build", "hidden": True, "section": "🛠️ Build"},
        {"type": "deps", "section": "📦 Dependencies"},
        {"type": "ci", "hidden": True, "section": "🚦 CI"},
        {"type": "refactor", "section": "🔄 Refactoring"},
        {"type": "revert", "section": "🔙 Reverts"},
        {"type": "style", "hidden": True, "section": "🎨 Styling"},
        {"type": "test", "hidden": True, "section": "🧪 Tests"},
    ],
    "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
}
# Its .release-please-manifest.json, for those three.
OPENFEATURE_MANIFEST = {
    "hooks/openfeature-hooks-opentelemetry": "0.3.1",
    "providers/openfeature-provider-flagd": "0.4.1",
    "providers/openfeature-provider-ofrep": "0.2.0",
}

# googleapis/google-cloud-go's release-please-config-individual.json (part): go modules whose
# components hold "/", a prerelease package, and a plugin.
GOOGLE_CLOUD_GO = {
    "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
    "release-type": "go-yoshi",
    "include-component-in-tag": True,
    "separate-pull-requests": True,
    "tag-separator": "/",
    "packages": {
        "auth": {"component": "auth"},
        "auth/oauth2adapt": {"component": "auth/oauth2adapt"},
        "bigquery": {"component": "bigquery"},
        "bigquery/v2": {"component": "bigquery/v2", "prerelease": True, "prerelease-type": "alpha"},
    },
    "plugins": ["sentence-case"],
}

# 01Joseph-Hwang10/release-please-monorepo-with-root-example: a root package beside
# packages/a, node-workspace, exclude-paths.
MONOREPO_WITH_ROOT = {
    "bump-minor-pre-major": False,
    "bump-patch-for-minor-pre-major": False,
    "draft": False,
    "prerelease": False,
    "plugins": [{"type": "node-workspace", "updatePeerDependencies": True}],
    "packages": {
        ".": {
            "release-type": "node",
            "changelog-path": "CHANGELOG.md",
            "exclude-paths": ["packages"],
        },
        "packages/a": {"release-type": "node", "changelog-path": "CHANGELOG.md"},
    },
    "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
}

# termote's release-please-config.json (a single root package): "simple" at the top level,
# package-name, no component in tags, a json and a generic extra file.
TERMOTE = {
    "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
    "release-type": "simple",
    "packages": {
        ".": {
            "package-name": "termote",
            "include-component-in-tag": False,
            "changelog-path": "CHANGELOG.md",
            "bump-minor-pre-major": True,
            "bump-patch-for-minor-pre-major": True,
            "extra-files": [
                {"type": "json", "path": "pwa/package.json", "jsonpath": "$.version"},
                {"type": "generic", "path": "scripts/termote.sh"},
            ],
        }
    },
}


def files_of(
    config: dict[str, Any], manifest: dict[str, str] | None, **more: str
) -> dict[str, str]:
    files = {CONFIG: json.dumps(config)}
    if manifest is not None:
        files[MANIFEST] = json.dumps(manifest)
    return {**files, **{path.replace("__", "/"): text for path, text in more.items()}}


def values(proposal: Proposal) -> dict[str, Any]:
    return {s.dotted: s.value for s in proposal.settings}


def package_tables(proposal: Proposal) -> dict[str, dict[str, Any]]:
    return {
        s.key[1]: s.value.plain()
        for s in proposal.settings
        if s.key[0] == "packages" and isinstance(s.value, TomlTable)
    }


def sections_of(proposal: Proposal) -> list[tuple[str, Any]]:
    return [
        (s.key[2], s.value) for s in proposal.settings if s.key[:2] == ("changelog", "sections")
    ]


def bumps_of(proposal: Proposal) -> dict[str, Any]:
    return {s.key[1]: s.value for s in proposal.settings if s.key[0] == "bump"}


def notes_about(proposal: Proposal) -> dict[str, str]:
    return {note.key: note.why for note in proposal.not_migrated}


def loaded(proposal: Proposal, *, embedded: bool = False) -> Config:
    """The rendered proposal through versionbot's own loader."""
    document = tomllib.loads(render_toml(proposal, embedded=embedded))
    return config_from_mapping(document["tool"]["versionbot"] if embedded else document, "init")


def pyproject(name: str, version: str) -> str:
    return f'[project]\nname = "{name}"\nversion = "{version}"\n'


def readme(name: str, version: str) -> str:
    return (
        f"# {name}\n\n<!-- x-release-please-start-version -->\n```\n"
        f"pip install {name}=={version}\n```\n<!-- x-release-please-end -->\n"
    )


def openfeature_files() -> dict[str, str]:
    files = files_of(OPENFEATURE_PYTHON, OPENFEATURE_MANIFEST)
    for path, version in OPENFEATURE_MANIFEST.items():
        name = path.rsplit("/", 1)[1]
        files[f"{path}/pyproject.toml"] = pyproject(name, version)
        files[f"{path}/README.md"] = readme(name, version)
    return files


OPENFEATURE_TAGS = [
    "openfeature-hooks-opentelemetry/v0.3.1",
    "openfeature-provider-flagd/v0.4.0",
    "openfeature-provider-flagd/v0.4.1",
    "openfeature-provider-ofrep/v0.2.0",
]


def test_open_feature_python_monorepo_becomes_packages() -> None:
    proposal = detect(openfeature_files(), OPENFEATURE_TAGS)
    tables = package_tables(proposal)
    assert list(tables) == [
        "openfeature-provider-flagd",
        "openfeature-provider-ofrep",
        "openfeature-hooks-opentelemetry",
    ]
    flagd = tables["openfeature-provider-flagd"]
    assert flagd["path"] == "providers/openfeature-provider-flagd"
    assert flagd["tag_format"] == "openfeature-provider-flagd/v{version}"
    assert flagd["version_files"][0] == "pyproject.toml"
    assert flagd["version_files"][1].startswith("README.md:regex:x-release-please-start-version")
    assert "major_on_zero" not in flagd  # the same as the repository's
    settings = values(proposal)
    assert "tag_format" not in settings  # refused beside [packages]
    assert "version_files" not in settings
    assert (settings["major_on_zero"], settings["minor_on_zero"]) == (False, False)
    assert (settings["body_changes"], settings["mode"]) == (True, "pr")
    assert sections_of(proposal) == [
        ("fix", "🐛 Bug Fixes"),
        ("feat", "✨ New Features"),
        ("chore", "🧹 Chore"),
        ("docs", "📚 Documentation"),
        ("perf", "🚀 Performance"),
        ("deps", "📦 Dependencies"),
        ("refactor", "🔄 Refactoring"),
        ("revert", "🔙 Reverts"),
    ]
    # release-please releases a patch for every type its changelog shows.
    bump = {k: v for k, v in settings.items() if k.startswith("bump.")}
    assert bump == {
        "bump.chore": "patch",
        "bump.docs": "patch",
        "bump.deps": "patch",
        "bump.refactor": "patch",
        "bump.revert": "patch",
        "bump.feature": "minor",
    }
    notes = notes_about(proposal)
    assert notes["bootstrap-sha"] == "versionbot starts from the release tags"
    assert "every package's release" in notes["separate-pull-requests"]
    assert not any(key.startswith(".release-please-manifest") for key in notes)  # all tagged
    config = loaded(proposal)
    assert [p.name for p in config.packages] == list(tables)
    assert config.packages[0].config.version_files[0] == (
        "providers/openfeature-provider-flagd/pyproject.toml"
    )
    assert config.packages[0].config.minor_on_zero is False


def test_a_generic_extra_file_reads_the_annotated_version() -> None:
    files = openfeature_files()
    proposal = detect(files, OPENFEATURE_TAGS)
    spec_text = package_tables(proposal)["openfeature-provider-ofrep"]["version_files"][1]
    path = "providers/openfeature-provider-ofrep/README.md"
    sites = locate_versions(
        parse_version_file_spec(f"{path}:{spec_text.split(':', 1)[1]}"), files[path]
    )
    assert [site.value for site in sites] == ["0.2.0"]


def test_a_generic_extra_file_without_annotation_is_left_out_with_a_note() -> None:
    files = openfeature_files()
    files["hooks/openfeature-hooks-opentelemetry/README.md"] = "# hooks\n\nno version here\n"
    proposal = detect(files, OPENFEATURE_TAGS)
    hooks = package_tables(proposal)["openfeature-hooks-opentelemetry"]
    assert hooks["version_files"] == ["pyproject.toml"]
    assert any(
        key.startswith("hooks/openfeature-hooks-opentelemetry/README.md:regex:")
        and "holds no version versionbot can write" in why
        for key, why in notes_about(proposal).items()
    )


def test_an_untagged_manifest_version_is_reported() -> None:
    tags = [t for t in OPENFEATURE_TAGS if not t.endswith("flagd/v0.4.1")]
    notes = notes_about(detect(openfeature_files(), tags))
    why = notes[".release-please-manifest.json providers/openfeature-provider-flagd 0.4.1"]
    assert "no tag openfeature-provider-flagd/v0.4.1" in why
    assert "git tag openfeature-provider-flagd/v0.4.1 <commit>" in why


def test_google_cloud_go_components_with_slashes() -> None:
    proposal = detect(files_of(GOOGLE_CLOUD_GO, None), ["auth/v0.5.0", "auth/oauth2adapt/v0.2.0"])
    tables = package_tables(proposal)
    assert {name: t["tag_format"] for name, t in tables.items()} == {
        "auth": "auth/v{version}",
        "auth-oauth2adapt": "auth/oauth2adapt/v{version}",
        "bigquery": "bigquery/v{version}",
        "bigquery-v2": "bigquery/v2/v{version}",
    }
    assert all("version_files" not in t for t in tables.values())  # go: the tags only
    # bump-minor-pre-major is off (its default): a breaking change on 0.x releases 1.0.0.
    assert values(proposal)["major_on_zero"] is True
    assert "minor_on_zero" not in values(proposal)
    notes = notes_about(proposal)
    assert "prerelease channel" in notes["packages['bigquery/v2'].prerelease"]
    assert "prerelease channel" in notes["packages['bigquery/v2'].prerelease-type"]
    assert notes["plugins 'sentence-case'"] == "versionbot keeps each subject as written"
    assert notes[".release-please-manifest.json"].startswith("absent (or not a JSON object)")
    config = loaded(proposal, embedded=True)
    auth = config.package("auth-oauth2adapt")
    assert auth.config.tag_format.parse("auth/oauth2adapt/v0.2.0") == Version(0, 2, 0)
    assert config.package("auth").config.tag_format.parse("auth/oauth2adapt/v0.2.0") is None


def test_a_root_package_beside_others_is_a_package_at_the_root() -> None:
    files = files_of(
        MONOREPO_WITH_ROOT,
        {".": "1.1.0", "packages/a": "0.2.0"},
        **{
            "package.json": '{"name": "monorepo-root", "version": "1.1.0"}\n',
            "packages__a__package.json": '{"name": "@scope/a", "version": "0.2.0"}\n',
        },
    )
    proposal = detect(files, ["monorepo-root-v1.1.0", "a-v0.2.0"])
    tables = package_tables(proposal)
    assert tables == {
        "monorepo-root": {
            "path": ".",
            "tag_format": "monorepo-root-v{version}",
            "version_files": ["package.json"],
        },
        "a": {
            "path": "packages/a",
            "tag_format": "a-v{version}",
            "version_files": ["package.json"],
        },
    }
    notes = notes_about(proposal)
    assert "depends_on" in notes["plugins 'node-workspace'"]
    assert "no deeper package holds" in notes["packages['.'].exclude-paths 'packages'"]
    assert "draft" not in notes  # release-please's defaults ask for nothing
    assert "prerelease" not in notes
    assert "package-lock.json" in notes["release-type 'node'"]
    assert "version_files" not in values(proposal)  # the root package.json is the root package's
    assert loaded(proposal).package("monorepo-root").path == "."
    # No changelog-sections: release-please's own, Dependencies shown (and released as a patch).
    assert sections_of(proposal) == [
        ("feat", "Features"),
        ("feature", "Features"),
        ("fix", "Bug Fixes"),
        ("perf", "Performance Improvements"),
        ("deps", "Dependencies"),
        ("revert", "Reverts"),
    ]
    assert bumps_of(proposal) == {"feature": "minor", "deps": "patch", "revert": "patch"}


def test_a_single_root_package_is_the_repository() -> None:
    files = files_of(
        TERMOTE,
        {".": "0.4.2"},
        **{
            "version.txt": "0.4.2\n",
            "pwa__package.json": '{"name": "termote-pwa", "version": "0.4.2"}\n',
            "scripts__termote.sh": 'VERSION="0.4.2" # x-release-please-version\n',
        },
    )
    proposal = detect(files, ["v0.4.1", "v0.4.2"])
    settings = values(proposal)
    assert settings["tag_format"] == "v{version}"
    assert settings["version_files"] == (
        r"version.txt:regex:\A\s*(?P<version>\S+)",
        "pwa/package.json",
        r"scripts/termote.sh:regex:^.*?(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?"
        r"(?:\+[0-9A-Za-z.-]+)?).*x-release-please-version",
    )
    assert (settings["major_on_zero"], settings["minor_on_zero"]) == (False, False)
    assert not [key for key in settings if key.startswith("packages")]
    assert "tag format v{version} (2 of 2 tags); release-please's tag_format agrees" in (
        proposal.detected
    )
    assert not notes_about(proposal)
    config = loaded(proposal)
    assert config.version_files == settings["version_files"]
    for spec in config.version_files:
        parsed = parse_version_file_spec(spec)
        assert [s.value for s in locate_versions(parsed, files[parsed.path])] == ["0.4.2"]
    # release-please skips a simple package's version.txt when there is none: so does the config.
    del files["version.txt"]
    assert values(detect(files, ["v0.4.2"]))["version_files"] == settings["version_files"][1:]


def test_release_pleases_default_tags_name_the_component_but_tags_win() -> None:
    """stackvox's single package had include-component-in-tag at its default (true), which
    expects stackvox-v0.2.0, while the repository's tags are v0.2.0: the tags win."""
    config = {"packages": {".": {"release-type": "python"}}}
    files = files_of(config, {".": "0.2.0"}, **{"pyproject.toml": pyproject("stackvox", "0.2.0")})
    proposal = detect(files, ["v0.1.0", "v0.2.0"])
    assert values(proposal)["tag_format"] == "v{version}"
    assert "the tags win" in notes_about(proposal)["tag_format"]
    assert values(proposal)["version_files"] == ("pyproject.toml",)
    # The python strategy's own sections show Documentation: docs commits release a patch.
    assert [kind for kind, _ in sections_of(proposal)] == [
        "feat", "fix", "perf", "deps", "revert", "docs",
    ]  # fmt: skip
    assert bumps_of(proposal) == {
        "feature": "minor",  # release-please bumps the minor for it, shown or not
        "deps": "patch",
        "revert": "patch",
        "docs": "patch",
    }
    # Without tags, release-please's own format: the component from pyproject.toml.
    untagged = detect(files, [])
    assert values(untagged)["tag_format"] == "stackvox-v{version}"


@pytest.mark.parametrize(
    ("package", "expected"),
    [
        ({"bump-minor-pre-major": False}, {"major_on_zero": True}),
        ({"bump-patch-for-minor-pre-major": False}, {"minor_on_zero": True}),
        ({}, {}),
    ],
)
def test_a_package_whose_zero_rules_differ_keeps_its_own(
    package: dict[str, Any], expected: dict[str, bool]
) -> None:
    config = {
        "bump-minor-pre-major": True,
        "bump-patch-for-minor-pre-major": True,
        "packages": {
            "a": {"component": "a"},
            "b": {"component": "b"},
            "c": {"component": "c", **package},
        },
    }
    tables = package_tables(detect(files_of(config, None), []))
    assert {k: v for k, v in tables["c"].items() if k.endswith("_on_zero")} == expected
    assert not any(k.endswith("_on_zero") for k in tables["a"])


def test_the_edge_reads_each_packages_files() -> None:
    """The edge reads the files release-please's packages name before detect() runs."""
    files = files_of(OPENFEATURE_PYTHON, OPENFEATURE_MANIFEST)
    wanted = files_to_read(files)
    assert "providers/openfeature-provider-flagd/pyproject.toml" in wanted
    assert "providers/openfeature-provider-flagd/README.md" in wanted
    assert "hooks/openfeature-hooks-opentelemetry/package.json" in wanted  # its name, if node
    assert "hooks/openfeature-hooks-opentelemetry/version.txt" in wanted  # if simple
    assert set(wanted) <= set(peer_version_files(files))


def test_a_config_that_is_not_release_pleases_shape_migrates_nothing() -> None:
    proposal = detect({CONFIG: '{"packages": []}'}, [])
    assert notes_about(proposal)["packages"].startswith("none")
    assert detect({CONFIG: "not json"}, []).migrated_from == ()


def test_colliding_tag_formats_leave_packages_to_be_written_by_hand() -> None:
    config = {"include-component-in-tag": False, "packages": {"a": {}, "b": {}}}
    proposal = detect(files_of(config, None), [])
    assert not package_tables(proposal)
    assert "overlap" in notes_about(proposal)["packages"]
    loaded(proposal)
