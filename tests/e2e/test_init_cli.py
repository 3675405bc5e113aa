"""``bot init`` run as the installed console script: output streams, exit codes, files written."""

from __future__ import annotations

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
