"""``bot changelog`` in a monorepo: each package's changelog in its own folder, from its tags.

A real repository with two packages: ``api`` (a scope of its own) and ``web`` (which depends on
``libs/ui``), released at different times, with commits of one package, of both, of a shared
folder, of no package, and one that is not released yet.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo

pytestmark = pytest.mark.timeout(60)

CONFIG = """\
[packages.api]
path = "services/api"
scopes = ["api"]

[packages.web]
path = "services/web"
depends_on = ["libs/ui"]
"""
API_LOG = "services/api/CHANGELOG.md"
WEB_LOG = "services/web/CHANGELOG.md"


@pytest.fixture
def mono(repo: GitRepo) -> GitRepo:
    """api 1.0.0 and web 0.1.0 released together, then api 1.1.0; web's later work unreleased."""
    repo.commit(
        "chore: init",
        {"versionbot.toml": CONFIG, "services/api/a.py": "0\n", "services/web/w.js": "0\n"},
    )
    repo.commit("feat: the first endpoint", {"services/api/a.py": "1\n"})
    repo.commit("fix: a crash on load", {"services/web/w.js": "1\n"})
    both = {"services/api/b.py": "1\n", "services/web/b.js": "1\n"}
    repo.commit("feat: one change for both", both)
    repo.tag("api-v1.0.0", annotated=True)
    repo.tag("web-v0.1.0", annotated=True)
    repo.commit("feat: a new button", {"libs/ui/button.js": "1\n"})  # web's, by depends_on
    repo.commit("fix(api): a typo in the docs", {"docs/api.md": "x\n"})  # api's, by its scope
    repo.commit("docs: the readme", {"README.md": "x\n"})  # no package's
    repo.commit("feat: filters", {"services/api/a.py": "2\n"})
    repo.tag("api-v1.1.0", annotated=True)
    repo.commit("fix: a slow page", {"services/web/w.js": "2\n"})
    return repo


def test_each_package_gets_its_releases_in_its_folder_and_a_rerun_changes_nothing(
    mono: GitRepo, run_cli: CliRunner
) -> None:
    result = run_cli("-C", mono.path, "changelog")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{API_LOG}: wrote 1.1.0, 1.0.0\n{WEB_LOG}: wrote 0.1.0\n"
    api = (mono.path / API_LOG).read_text()
    web = (mono.path / WEB_LOG).read_text()
    new, old = api.split("## 1.0.0", 1) if "## 1.0.0" in api else api.split("## [1.0.0]", 1)
    assert "1.1.0" in new
    assert "filters" in new
    assert "a typo in the docs" in new
    assert "the first endpoint" in old
    assert "one change for both" in old
    assert "0.1.0" in web
    assert "a crash on load" in web
    assert "one change for both" in web
    for other in ("a crash on load", "a new button", "the readme", "a slow page"):
        assert other not in api
    for later in ("a new button", "a slow page", "filters", "the readme"):
        assert later not in web  # after web's release: not in its changelog yet
    assert not (mono.path / "CHANGELOG.md").exists()

    again = run_cli("-C", mono.path, "changelog")

    assert again.exit_code == 0, again.stderr
    assert again.stdout == f"{API_LOG} is up to date\n{WEB_LOG} is up to date\n"
    assert (mono.path / API_LOG).read_text() == api
    assert (mono.path / WEB_LOG).read_text() == web


def test_a_missing_release_is_inserted_and_the_rest_of_the_file_kept(
    mono: GitRepo, run_cli: CliRunner
) -> None:
    assert run_cli("-C", mono.path, "changelog", "--package", "api").exit_code == 0
    path = mono.path / API_LOG
    full = path.read_text()
    # A person's edit above the releases, and the newest release gone: only it comes back.
    start = full.index("\n## ") + 1
    end = full.index("\n## ", start) + 1
    edited = full[:start] + "Hand-written intro.\n\n" + full[end:]
    path.write_text(edited)

    result = run_cli("-C", mono.path, "changelog", "--package", "api", "--json")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "packages": [
            {
                "name": "api",
                "file": str(path),
                "added": ["1.1.0"],
                "changed": True,
                "written": True,
                "left_out": [],
            }
        ]
    }
    text = path.read_text()
    assert "Hand-written intro." in text
    assert text.count("filters") == 1
    assert not (mono.path / WEB_LOG).exists()  # only the package named


def test_stdout_prints_one_package_and_asks_for_it_when_there_are_several(
    mono: GitRepo, run_cli: CliRunner
) -> None:
    one = run_cli("-C", mono.path, "changelog", "--package", "web", "--stdout")
    several = run_cli("-C", mono.path, "changelog", "--stdout")
    unknown = run_cli("-C", mono.path, "changelog", "--package", "mobile")

    assert one.exit_code == 0, one.stderr
    assert "a crash on load" in one.stdout
    assert "filters" not in one.stdout
    assert not (mono.path / WEB_LOG).exists()  # --stdout writes nothing
    assert several.exit_code == 2
    assert "--package NAME" in several.stderr
    assert unknown.exit_code == 2
    assert "there is no package 'mobile'" in unknown.stderr
    assert "api, web" in unknown.stderr


def test_unreleased_shows_each_package_next_notes(mono: GitRepo, run_cli: CliRunner) -> None:
    both = run_cli("-C", mono.path, "changelog", "--unreleased")
    web = run_cli("-C", mono.path, "changelog", "--unreleased", "--package", "web")

    assert both.exit_code == 0, both.stderr
    api_part, web_part = both.stdout.split("== web (services/web) ==")
    assert api_part.startswith("== api (services/api) ==\nNothing to release")
    assert "a new button" in web_part
    assert "a slow page" in web_part
    assert web.exit_code == 0, web.stderr
    assert web.stdout.startswith("## ")
    assert "a slow page" in web.stdout
    assert "==" not in web.stdout


def test_package_is_refused_without_packages(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: one")

    result = run_cli("-C", repo.path, "changelog", "--package", "api")

    assert result.exit_code == 2
    assert "has no [packages]" in result.stderr
