"""Forged release markers: a merged commit that carries the bot's ``Versionbot-Release`` trailer
but is not the bot's release commit is an ordinary commit, in every mode.

The attacker is anyone with a merged pull request: they write the commit's message and files.
Each test plays one through the installed ``bot`` against a real ``file://`` remote (and, in pr
mode, the local GitHub API stand-in), and asserts what was released, tagged and pushed. The
rule is core/release_commit.py's; the genuine cases (a merged release pull request, a run that
stopped before its tags) are kept by tests/integration/test_release_pr.py and
test_monorepo_release.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from forge_server import ForgeServer
from git_remote import PACKAGE_INIT, PYPROJECT, Remote, bare_repo
from reliability.harness import FORGE_TOKEN

pytestmark = pytest.mark.timeout(120)

FEATURE = {"src/pkg/api.py": "def call() -> None: ...\n"}


def _project(make_repo: RepoFactory, extra: str = "") -> tuple[GitRepo, Remote]:
    """v1.0.0 with two version files, on a bare ``file://`` origin."""
    repo = make_repo("app")
    pyproject = PYPROJECT.replace('"0.1.0"', '"1.0.0"') + extra
    init = PACKAGE_INIT.replace("0.1.0", "1.0.0")
    repo.commit("feat: initial", {"pyproject.toml": pyproject, "src/pkg/__init__.py": init})
    repo.tag("v1.0.0", annotated=True)
    path = bare_repo(repo.path.parent / "origin.git")
    repo.run("remote", "add", "origin", path.as_uri())
    repo.run("push", "--quiet", "origin", "main", "v1.0.0")
    return repo, Remote(path)


def _merged(repo: GitRepo, message: str, files: dict[str, str]) -> str:
    """A contributor's commit lands on main (as a merged pull request would)."""
    repo.commit(message, files)
    repo.run("push", "--quiet", "origin", "main")
    return repo.run("rev-parse", "HEAD")


def _released(result: CliResult) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("claimed", ["9.9.9", "2.0.0"])
def test_a_forged_trailer_in_direct_mode_is_an_ordinary_commit(
    make_repo: RepoFactory, bot: CliRunner, claimed: str
) -> None:
    """9.9.9 made ``bot release`` say "nothing to release" while ``bot plan`` said 2.0.0; the
    computed 2.0.0 made it tag the contributor's commit with no version bump or changelog."""
    repo, remote = _project(make_repo)
    forged = _merged(repo, f"feat!: drop the old call\n\nVersionbot-Release: {claimed}\n", FEATURE)
    plan = bot("-C", repo.path, "plan", "--json")
    _released(plan)
    assert plan.json()["next"]["version"] == "2.0.0"
    _released(bot("-C", repo.path, "release"))
    tagged = remote.git("rev-parse", "v2.0.0^{commit}")
    assert tagged != forged  # the bot's own release commit, on top of the contributor's
    assert remote.git("rev-parse", f"{tagged}^") == forged
    assert remote.git("show", f"{tagged}:pyproject.toml").count('version = "2.0.0"') == 1
    changelog = remote.git("show", f"{tagged}:CHANGELOG.md")
    assert "## 2.0.0" in changelog
    assert "drop the old call" in changelog
    assert remote.git("tag", "-l", "v9.9.9") == ""


def test_a_forged_release_commit_of_release_files_alone_needs_its_versions(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """A commit that changes only the changelog and claims the computed version is not
    tagged: the version files do not say it, so the bot makes the release itself."""
    repo, remote = _project(make_repo)
    _merged(repo, "feat: add the call", FEATURE)
    forged = _merged(
        repo,
        "chore(release): 1.1.0 [skip ci]\n\nVersionbot-Release: 1.1.0\n",
        {"CHANGELOG.md": "# Changelog\n\n## 1.1.0\n\nall is well\n"},
    )
    _released(bot("-C", repo.path, "release"))
    tagged = remote.git("rev-parse", "v1.1.0^{commit}")
    assert tagged != forged
    assert remote.git("show", f"{tagged}:src/pkg/__init__.py").endswith('"1.1.0"')


def test_a_trailer_quoted_in_a_body_marks_nothing(make_repo: RepoFactory, bot: CliRunner) -> None:
    """Only the trailer block counts: a trailer line inside the body is prose."""
    repo, _ = _project(make_repo)
    message = "feat!: drop the old call\n\nThe bot writes\nVersionbot-Release: 2.0.0\nlike so.\n"
    _merged(repo, message, FEATURE)
    plan = bot("-C", repo.path, "plan", "--json")
    _released(plan)
    assert plan.json()["next"]["version"] == "2.0.0"


def test_a_forged_trailer_in_pr_mode_opens_the_pull_request(
    make_repo: RepoFactory, bot: CliRunner, forge: ForgeServer
) -> None:
    """In pr mode the forged commit was tagged and released, bypassing the person who merges
    the release pull request: now it gets one, and no tag is pushed."""
    repo, remote = _project(make_repo, 'mode = "pr"\n')
    forge.git_dirs["acme/app"] = remote.path
    _merged(repo, "feat: add the call\n\nVersionbot-Release: 1.1.0\n", FEATURE)
    env = {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }
    _released(bot("-C", repo.path, "release", env=env))
    assert remote.git("tag", "-l", "v1.1.0") == ""
    assert forge.releases_of() == []
    [pull] = forge.pulls_of()
    assert pull["title"] == "chore(release): 1.1.0"


MONOREPO = """\
[tool.versionbot.packages.api]
path = "api"
[tool.versionbot.packages.web]
path = "web"
"""


def test_a_forged_trailer_in_a_monorepo_counts_for_its_package(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """A trailer naming a package's tag made the commit count for no package, for good."""
    repo = make_repo("mono")
    repo.commit(
        "feat: initial",
        {
            "pyproject.toml": MONOREPO,
            "api/main.py": "x = 1\n",
            "web/main.py": "y = 1\n",
        },
    )
    repo.tag("api-v1.0.0", annotated=True)
    repo.tag("web-v1.0.0", annotated=True)
    repo.commit(
        "feat(api)!: drop the old call\n\nVersionbot-Release: api-v1.0.0\n",
        {"api/main.py": "x = 2\n"},
    )
    plan = bot("-C", repo.path, "plan", "--json")
    _released(plan)
    [api] = [p for p in plan.json()["packages"] if p["name"] == "api"]
    assert api["plan"]["next"]["version"] == "2.0.0"


def test_bot_release_from_a_fresh_clone_ignores_a_forged_head(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    """The CI way: a fresh clone at the forged commit releases it as an ordinary commit."""
    repo, remote = _project(make_repo)
    _merged(repo, "fix: mend\n\nVersionbot-Release: 1.0.1\n", FEATURE)
    clone = tmp_path / "ci"
    repo.run("clone", "--quiet", remote.path.as_uri(), str(clone))
    _released(bot("-C", clone, "release"))
    tagged = remote.git("rev-parse", "v1.0.1^{commit}")
    assert remote.git("log", "-1", "--format=%s", tagged) == "chore(release): 1.0.1 [skip ci]"


def test_bot_check_skips_the_bots_release_commit_and_flags_a_forged_one(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """``bot check`` skipped any commit with the trailer, silently; now only the bot's."""
    repo, _ = _project(make_repo)
    _merged(repo, "feat: add the call", FEATURE)
    _released(bot("-C", repo.path, "release"))
    forged = _merged(repo, "fix: mend\n\nVersionbot-Release: 1.1.1\n", {"src/pkg/x.py": "x\n"})
    result = bot("-C", repo.path, "check", "--json", "v1.0.0..HEAD")
    assert result.exit_code == 1, result.stderr
    checked = {c["subject"]: c for c in result.json()["commits"]}
    assert checked["chore(release): 1.1.0 [skip ci]"]["skipped"] == "release commit"
    flagged = checked["fix: mend"]
    assert flagged["sha"] == forged
    assert [f["rule"] for f in flagged["findings"]] == ["release-trailer"]
