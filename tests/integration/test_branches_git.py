"""Release branches on real repositories: a prerelease channel merged into main, maintenance
lines beside a main that moved on, and the fast history read on each branch.

Real git throughout: releases are made by ``release.execute`` against a ``file://`` bare remote
(commit, annotated tag, atomic push), branches are merged with ``git merge --no-ff``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CliRunner, GitRepo, RepoFactory
from git_remote import Remote, bare_repo, run_release
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import UsageError, VersionConflictError
from versionbot.core.plan import PlanRequest, ReleasePlan, make_plan
from versionbot.files.config_file import load_config
from versionbot.git.reader import read_history
from versionbot.git.repository_plan import repository_plan

pytestmark = pytest.mark.timeout(120)

BRANCHES = """
[tool.versionbot.branches.main]
[tool.versionbot.branches.next]
prerelease = "rc"
[tool.versionbot.branches."*.x"]
maintenance = true
"""
PYPROJECT = (
    """\
[project]
name = "pkg"
version = "1.3.0"

[tool.versionbot]
version_files = ["pyproject.toml"]
"""
    + BRANCHES
)
CONFIG = config_from_mapping(
    {
        "branches": {"main": {}, "next": {"prerelease": "rc"}, "*.x": {"maintenance": True}},
        "images": {"names": ["ghcr.io/acme/app"]},
    }
)

NO_REQUEST = PlanRequest()


def released(repo: GitRepo) -> str:
    """``bot release`` on the checked-out branch; the tag it made."""
    outcome = run_release(repo.path, repo.env.variables)
    assert outcome.released, outcome.log
    assert outcome.tag is not None
    return outcome.tag


def push(repo: GitRepo, *refs: str) -> None:
    repo.run("push", "--quiet", "origin", *refs)


def plan_of(
    repo: GitRepo, config: Config = CONFIG, request: PlanRequest = NO_REQUEST
) -> ReleasePlan:
    """The fast plan (``bot plan``'s), checked against the exact read."""
    history = read_history(repo.path, config, prerelease=request.prerelease is not None, exact=True)
    exact = make_plan(history, config, request)
    fast = repository_plan(repo.path, config, request)
    assert fast == exact
    return fast


def version(plan: ReleasePlan) -> str:
    assert plan.next is not None, plan.reason
    return str(plan.next.version)


def git_commands(trace: Path) -> list[str]:
    """The git commands run since the trace was last cleared."""
    lines = trace.read_text().splitlines() if trace.exists() else []
    return [line.split("trace: built-in: ", 1)[1] for line in lines if "trace: built-in: " in line]


def logs(commands: list[str]) -> list[str]:
    return [c for c in commands if c.split()[1:].count("log")]


def merged_reads(commands: list[str]) -> list[str]:
    return [c for c in commands if "--merged" in c]


@pytest.fixture
def project(make_repo: RepoFactory, tmp_path: Path) -> GitRepo:
    """main released at v1.3.0, pushed to a bare ``origin``."""
    repo = make_repo("app")
    remote = bare_repo(tmp_path / "app.git")
    repo.commit("feat: initial", {"pyproject.toml": PYPROJECT})
    repo.tag("v1.3.0", annotated=True)
    repo.run("remote", "add", "origin", remote.as_uri())
    push(repo, "main", "v1.3.0")
    return repo


def test_a_channel_and_a_maintenance_line_released_for_real(
    project: GitRepo, tmp_path: Path
) -> None:
    repo = project
    remote = Remote(tmp_path / "app.git")
    repo.commit("feat: search")
    push(repo, "main")
    assert released(repo) == "v1.4.0"

    # The 1.x line is cut at 1.4.0; next opens the 2.0.0 channel.
    repo.branch("1.x")
    push(repo, "1.x")
    repo.checkout("next", create=True)
    repo.commit("feat!: the new api\n\nBREAKING CHANGE: v1 endpoints are gone")
    push(repo, "next")
    assert released(repo) == "v2.0.0-rc.1"
    repo.commit("fix: polish the new api")
    push(repo, "next")
    assert released(repo) == "v2.0.0-rc.2"
    assert 'version = "2.0.0-rc.2"' in remote.show("next:pyproject.toml")

    # The channel's work reaches main: main's release is the final version.
    repo.checkout("main")
    repo.merge("next")
    push(repo, "main")
    plan = plan_of(repo, load_config(repo.path))
    assert version(plan) == "2.0.0"
    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.4.0"
    assert plan.next is not None
    assert plan.next.latest
    assert released(repo) == "v2.0.0"
    changelog = remote.show("main:CHANGELOG.md")
    assert "## 2.0.0 (" in changelog
    assert "the new api" in changelog
    repo.commit("feat: more")
    push(repo, "main")
    assert released(repo) == "v2.1.0"

    # The maintenance line releases below 2.0.0 while main is at 2.1.0.
    repo.checkout("1.x")
    repo.commit("fix: backport the search fix")
    push(repo, "1.x")
    assert released(repo) == "v1.4.1"
    assert 'version = "1.4.1"' in remote.show("1.x:pyproject.toml")
    assert 'version = "2.1.0"' in remote.show("main:pyproject.toml")

    # main merged back into next: the channel continues above 2.1.0 with fresh counters.
    repo.checkout("next")
    repo.merge("main")
    repo.commit("feat: experimental")
    push(repo, "next")
    assert released(repo) == "v2.2.0-rc.1"

    tags = remote.tags()
    assert sorted(tags) == sorted(
        [
            "v1.3.0",
            "v1.4.0",
            "v1.4.1",
            "v2.0.0-rc.1",
            "v2.0.0-rc.2",
            "v2.0.0",
            "v2.1.0",
            "v2.2.0-rc.1",
        ]
    )
    # Every release is reachable from the branch that made it.
    for tag, branch in [
        ("v1.4.0", "main"),
        ("v2.0.0", "main"),
        ("v2.1.0", "main"),
        ("v2.0.0-rc.2", "next"),
        ("v2.2.0-rc.1", "next"),
        ("v1.4.1", "1.x"),
    ]:
        remote.git("merge-base", "--is-ancestor", tag, f"refs/heads/{branch}")


def test_an_unconfigured_branch_does_not_release(project: GitRepo) -> None:
    project.checkout("feature", create=True)
    project.commit("feat: x")
    with pytest.raises(UsageError, match=r"feature is not a release branch \(main, next, \*\.x\)"):
        run_release(project.path, project.env.variables)


def history_with_lines(repo: GitRepo) -> None:
    """main: 1.3.0, 1.4.0, then 2.0.0 and 2.1.0; 1.x and 1.4.x cut at 1.4.0; tags made by hand."""
    repo.commit("feat: search")
    repo.tag("v1.4.0")
    repo.branch("1.x")
    repo.branch("1.4.x")
    repo.commit("feat!: the new api")
    repo.tag("v2.0.0")
    repo.commit("feat: more")
    repo.tag("v2.1.0")


def test_a_fix_on_the_major_line_is_read_fast(project: GitRepo, git_trace: Path) -> None:
    history_with_lines(project)
    project.checkout("1.x")
    project.commit("fix: backport")
    plan, commands = traced_plan(project, git_trace)
    assert version(plan) == "1.4.1"
    assert len(logs(commands)) == 1, commands
    assert merged_reads(commands) == [], commands  # the guess within 1.x's range held
    assert plan == plan_of(project)
    assert plan.images is not None
    assert [t.tag for t in plan.images.tag_set.pushed] == ["1.4.1", "1.4", "1"]


def test_a_breaking_change_on_the_major_line_stops(project: GitRepo) -> None:
    history_with_lines(project)
    project.checkout("1.x")
    project.commit("fix: backport")
    breaking = project.commit("feat!: drop python 3.10")
    with pytest.raises(VersionConflictError) as caught:
        repository_plan(project.path, CONFIG, PlanRequest())
    assert caught.value.message == (
        f"commit {breaking[:7]} ('feat!: drop python 3.10') asks for 2.0.0, outside the "
        "maintenance branch 1.x (>=1.0.0 <2.0.0)"
    )
    assert "e.g. main" in caught.value.hint
    assert "revert" in caught.value.hint


def test_a_feat_on_the_minor_line_stops_and_a_fix_releases(project: GitRepo) -> None:
    history_with_lines(project)
    project.checkout("1.4.x")
    project.commit("fix: backport")
    assert version(plan_of(project)) == "1.4.1"
    project.commit("feat: a feature")
    with pytest.raises(VersionConflictError, match=r"asks for 1\.5\.0, outside .*1\.4\.x"):
        repository_plan(project.path, CONFIG, PlanRequest())


def traced_plan(project: GitRepo, git_trace: Path) -> tuple[ReleasePlan, list[str]]:
    """The plan of ``project``, and the git commands that made it."""
    git_trace.unlink(missing_ok=True)
    plan = repository_plan(project.path, CONFIG, PlanRequest())
    return plan, git_commands(git_trace)


def test_maintenance_tags_do_not_confuse_main(project: GitRepo, git_trace: Path) -> None:
    history_with_lines(project)
    project.checkout("1.x")
    project.commit("fix: backport")
    project.tag("v1.4.1")
    project.checkout("main")
    project.commit("fix: on main")
    plan, commands = traced_plan(project, git_trace)
    assert version(plan) == "2.1.1"
    assert len(logs(commands)) == 1, commands
    assert merged_reads(commands) == [], commands
    assert plan == plan_of(project)


def test_an_open_channel_costs_main_at_most_the_exact_read(
    project: GitRepo, git_trace: Path
) -> None:
    """next's rc tags are above main's last release and not on main: the guess fails once, the
    exact read gives the right plan."""
    history_with_lines(project)
    project.checkout("next", create=True)
    project.commit("feat: next thing")
    project.tag("v2.2.0-rc.1")
    project.checkout("main")
    project.commit("fix: on main")
    plan, commands = traced_plan(project, git_trace)
    assert version(plan) == "2.1.1"
    assert len(logs(commands)) <= 2, commands
    assert len(merged_reads(commands)) <= 1, commands
    assert plan == plan_of(project)
    # On next itself the guess holds: one log.
    project.checkout("next")
    project.commit("fix: next fix")
    plan, commands = traced_plan(project, git_trace)
    assert version(plan) == "2.2.0-rc.2"
    assert len(logs(commands)) == 1, commands
    assert merged_reads(commands) == [], commands


def test_the_command_line_on_branches(project: GitRepo, run_cli: CliRunner) -> None:
    history_with_lines(project)
    project.checkout("1.x")
    project.commit("feat!: too big for 1.x")
    result = run_cli("-C", project.path, "plan")
    assert result.exit_code == 4
    assert "outside the maintenance branch 1.x (>=1.0.0 <2.0.0)" in result.stderr
    assert "hint: 1.x releases only >=1.0.0 <2.0.0" in result.stderr
    project.checkout("main")
    project.checkout("next", create=True)
    project.commit("feat: next thing")
    result = run_cli("-C", project.path, "plan", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert (document["next"]["version"], document["prerelease"]) == ("2.2.0-rc.1", "rc")
    project.checkout("next", detach=True)  # a detached HEAD follows no branch rule
    result = run_cli("-C", project.path, "plan", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["next"]["version"] == "2.2.0"


def test_alpha_then_beta_then_alpha_as_semantic_release_channels(
    make_repo: RepoFactory, bot: CliRunner
) -> None:
    """A channel that goes alpha -> beta -> alpha: each channel is a line of its own, so the
    second alpha follows the first alpha (and no tag repeats), as semantic-release allows."""
    repo = make_repo("channels")
    repo.commit("feat: initial", {"app.txt": "1\n"})
    repo.tag("v1.0.0", annotated=True)
    remote = bare_repo(repo.path.parent / "channels.git")
    repo.run("remote", "add", "origin", remote.as_uri())
    repo.run("push", "--quiet", "origin", "main", "v1.0.0")
    made = []
    for token, message in (("alpha", "feat!: new api"), ("beta", "fix: a"), ("alpha", "fix: b")):
        repo.commit(message, {"app.txt": message})
        repo.run("push", "--quiet", "origin", "main")
        result = bot("-C", repo.path, "release", "--prerelease", token, "--json")
        assert result.exit_code == 0, result.stderr
        made.append(repo.run("describe", "--tags", "--abbrev=0"))
    assert made == ["v2.0.0-alpha.1", "v2.0.0-beta.1", "v2.0.0-alpha.2"]
    assert Remote(remote).tags() == ["v1.0.0", *sorted(made)]
