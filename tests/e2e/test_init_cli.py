"""``bot init`` run as the installed console script: output streams, exit codes, files written."""

from __future__ import annotations

import json
import tomllib
from typing import TYPE_CHECKING

from versionbot.core.changelog import INSERT_MARKER

if TYPE_CHECKING:
    from conftest import CliRunner, RepoFactory

PYPROJECT = """\
[project]
name = "acme"
version = "1.2.0"

[tool.commitizen]
version_provider = "pep621"
tag_format = "v$version"
bump_message = "bump: $current_version → $new_version"
update_changelog_on_bump = true
pre_bump_hooks = ["make lint"]
"""


def test_init_writes_reports_and_refuses_a_second_time(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    repo = make_repo()
    repo.commit(
        "feat: x", {"pyproject.toml": PYPROJECT, "CHANGELOG.md": "# Changelog\n\n## 1.2.0\n"}
    )
    repo.tag("v1.1.0")
    repo.tag("v1.2.0")

    printed = bot("init", "--stdout", "-C", repo.path)
    assert printed.exit_code == 0, printed.stderr
    section = tomllib.loads(printed.stdout)["tool"]["versionbot"]
    assert section["tag_format"] == "v{version}"
    assert section["commit_message"] == "bump: {version}"
    assert section["version_files"] == ["pyproject.toml"]
    assert "Not migrated:" in printed.stderr
    assert "pre_bump_hooks (commitizen)" in printed.stderr
    assert "Not written" in printed.stderr
    assert (repo.path / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT

    written = bot("init", "--changelog-marker", cwd=repo.path)
    assert written.exit_code == 0, written.stderr
    assert "Wrote pyproject.toml [tool.versionbot]." in written.stdout
    assert "Migrated from commitizen (pyproject.toml [tool.commitizen]):" in written.stdout
    text = (repo.path / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith(PYPROJECT)
    assert text.endswith(printed.stdout)
    changelog = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog == f"# Changelog\n\n{INSERT_MARKER}\n\n## 1.2.0\n"

    again = bot("init", cwd=repo.path)
    assert again.exit_code == 2
    assert again.stderr.startswith(
        "error: versionbot is already configured in pyproject.toml [tool.versionbot]\nhint: "
    )
    assert bot("init", "--force", cwd=repo.path).exit_code == 0
    assert (repo.path / "pyproject.toml").read_text(encoding="utf-8") == text

    plan = bot("plan", "--json", cwd=repo.path)
    assert plan.exit_code == 0, plan.stderr


def test_init_without_pyproject_writes_versionbot_toml(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    repo = make_repo()
    repo.commit("feat: x", {"Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n'})
    result = bot("init", "-C", repo.path)
    assert result.exit_code == 0, result.stderr
    assert "version file Cargo.toml (package.version = 0.1.0)" in result.stdout
    assert "CHANGELOG.md does not exist" in result.stdout
    config = tomllib.loads((repo.path / "versionbot.toml").read_text(encoding="utf-8"))
    assert config["version_files"] == ["Cargo.toml"]
    assert bot("plan", cwd=repo.path).exit_code == 0


def test_stdout_with_marker_is_a_usage_error(make_repo: RepoFactory, bot: CliRunner) -> None:
    repo = make_repo()
    result = bot("init", "--stdout", "--changelog-marker", cwd=repo.path)
    assert result.exit_code == 2
    assert "--stdout writes nothing" in result.stderr


# A release-please monorepo as its config and manifest are written (the shape of
# open-feature/python-sdk-contrib's, with node packages): two packages, 0.x rules on.
RELEASE_PLEASE_CONFIG = """\
{
  "$schema": "https://raw.githubusercontent.com/googleapis/release-please/main/schemas/config.json",
  "release-type": "node",
  "bump-minor-pre-major": true,
  "bump-patch-for-minor-pre-major": true,
  "packages": {
    "packages/a": {"component": "a"},
    "packages/b": {"component": "b", "bump-patch-for-minor-pre-major": false},
    "tools/c": {"release-type": "simple", "package-name": "c", "include-v-in-tag": false}
  }
}
"""


def test_init_migrates_a_release_please_monorepo_and_plans_each_package(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """bot init took one package's tags (a-v1.2.0) as the repository's and wrote the workspace
    root's placeholder 0.0.0 package.json as its version file (issue 20)."""
    repo = make_repo()
    root = '{"name": "workspace", "private": true, "version": "0.0.0"}\n'
    repo.commit(
        "chore: init",
        {
            "package.json": root,
            "release-please-config.json": RELEASE_PLEASE_CONFIG,
            ".release-please-manifest.json": (
                '{"packages/a": "1.2.0", "packages/b": "0.3.1", "tools/c": "0.1.0"}\n'
            ),
            "packages/a/package.json": '{"name": "@acme/a", "version": "1.2.0"}\n',
            "packages/b/package.json": '{"name": "@acme/b", "version": "0.3.1"}\n',
            "tools/c/version.txt": "0.1.0\n",
        },
    )
    for tag in ("a-v1.2.0", "b-v0.3.1", "c-0.1.0"):
        repo.tag(tag)
    repo.commit("feat: a feature", {"packages/a/x.js": "x\n"})
    repo.commit("feat: b feature", {"packages/b/x.js": "x\n"})
    repo.commit("feat!: c breaking", {"tools/c/x.sh": "x\n"})

    written = bot("init", cwd=repo.path)

    assert written.exit_code == 0, written.stderr
    assert "Migrated from release-please (release-please-config.json):" in written.stdout
    assert "package.json holds 0.0.0, a placeholder: not proposed" in written.stdout
    config = tomllib.loads((repo.path / "versionbot.toml").read_text(encoding="utf-8"))
    assert "tag_format" not in config
    assert "version_files" not in config
    assert config["packages"] == {
        "a": {
            "path": "packages/a",
            "tag_format": "a-v{version}",
            "version_files": ["package.json"],
        },
        "b": {
            "path": "packages/b",
            "tag_format": "b-v{version}",
            "minor_on_zero": True,
            "version_files": ["package.json"],
        },
        "c": {
            "path": "tools/c",
            "tag_format": "c-{version}",
            "version_files": ["version.txt:regex:\\A\\s*(?P<version>\\S+)"],
        },
    }

    plan = bot("plan", "--json", cwd=repo.path)

    assert plan.exit_code == 0, plan.stderr
    plans = {p["name"]: p["plan"] for p in plan.json()["packages"]}
    assert {name: p["next"] for name, p in plans.items()} == {
        "a": {"version": "1.3.0", "tag": "a-v1.3.0"},
        "b": {"version": "0.4.0", "tag": "b-v0.4.0"},  # its own minor_on_zero = true
        "c": {"version": "0.2.0", "tag": "c-0.2.0"},  # bump-minor-pre-major: not 1.0.0
    }
    assert [c["subject"] for c in plans["a"]["commits"]] == ["feat: a feature"]


def test_init_on_a_hostile_release_please_config_writes_a_config_that_loads(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """Paths out of the repository, escape sequences, wrong types: each is a note, never a
    traceback, and what is written loads."""
    repo = make_repo()
    hostile = {
        "release-type": ["node"],
        "plugins": 7,
        "packages": {
            "ok": {
                "component": "bad\u001b[31mname\n",
                "tag-separator": "\n",
                "extra-files": [
                    {"type": "json", "path": "/etc/passwd", "jsonpath": "$.a.b"},
                    5,
                    {"type": "yaml", "path": "../../x.yaml", "jsonpath": "$.version"},
                ],
            },
            "c": {"changelog-sections": "nope", "initial-version": "x"},
        },
    }
    repo.commit(
        "chore: init",
        {
            "release-please-config.json": json.dumps(hostile),
            ".release-please-manifest.json": "[1, 2]",
        },
    )

    written = bot("init", cwd=repo.path)

    assert written.exit_code == 0, written.stderr
    assert "Traceback" not in written.stderr
    assert "\x1b" not in written.stdout
    assert "packages['ok'].extra-files 5 (release-please) — not a path" in written.stdout
    config = tomllib.loads((repo.path / "versionbot.toml").read_text(encoding="utf-8"))
    assert "bad" not in json.dumps(config)  # the component makes no valid tag: left out
    plan = bot("plan", "--json", cwd=repo.path)
    assert plan.exit_code == 0, plan.stderr


def test_init_never_reads_or_marks_a_changelog_outside_the_work_tree(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """A peer's config and the repository's files are a contributor's: a changelog path with
    `..`, or a symlinked CHANGELOG.md, leads nowhere outside the work tree."""
    repo = make_repo("app")
    outside = repo.path.parent / "x.md"
    outside.write_text("## 9.9.9\n", encoding="utf-8")
    config = {"release-type": "simple", "packages": {".": {"changelog-path": "../x.md"}}}
    repo.commit(
        "feat: start",
        {"release-please-config.json": json.dumps(config), "version.txt": "1.0.0\n"},
    )
    repo.tag("v1.0.0")

    refused = bot("init", "--changelog-marker", cwd=repo.path)

    assert refused.exit_code != 0
    assert refused.stderr.splitlines()[0] == (
        f"error: changelog ../x.md leads out of the work tree (to {outside})"
    )
    assert outside.read_text(encoding="utf-8") == "## 9.9.9\n"
    assert not (repo.path / "versionbot.toml").exists()  # nothing written

    (repo.path / "release-please-config.json").unlink()
    (repo.path / "CHANGELOG.md").symlink_to(outside)
    linked = bot("init", "--changelog-marker", cwd=repo.path)

    assert linked.exit_code != 0
    assert "leads out of the work tree" in linked.stderr
    assert outside.read_text(encoding="utf-8") == "## 9.9.9\n"


def test_init_names_the_marker_it_added_to_an_rst_changelog(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    repo = make_repo("app")
    repo.commit("feat: start", {"CHANGELOG.rst": "Changelog\n=========\n\n1.0.0\n-----\n"})
    repo.tag("v1.0.0")

    written = bot("init", "--changelog-marker", cwd=repo.path)

    assert written.exit_code == 0, written.stderr
    assert "Added .. versionbot: insert releases below to CHANGELOG.rst." in written.stdout
