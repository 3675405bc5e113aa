"""Hand-made release tags: a person tags and pushes, the tag-push workflow completes the release.

Real git (a bare ``file://`` remote, tests/git_remote.py) and the strict local stand-in for
GitHub's releases API (tests/forge_server.py, NOT a real forge). The CI checkout is what
actions/checkout makes of a tag push: a detached HEAD at the tag.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CliRunner, GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer, recorded_bodies
from git_remote import (
    RELEASE_DATE,
    Remote,
    bare_repo,
    clone_remote,
    run_release,
    seed_project,
)
from versionbot.core.errors import UsageError
from versionbot.core.plan import PlanRequest
from versionbot.files.config_file import load_config
from versionbot.git.repository_plan import package_plans
from versionbot.release.run import describe_next_run

pytestmark = pytest.mark.timeout(60)

FORGE_TOKEN = "ghp_HANDMADETAGFORGETOKEN0123456789"


@pytest.fixture(params=["direct"])
def person(
    make_repo: RepoFactory, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[GitRepo, Remote]:
    """A person's clone with v0.1.0, a feature and a fix; the remote has them all. The mode is
    ``direct`` unless a test parametrizes ``person`` indirectly with ``pr``."""
    path = bare_repo(tmp_path / "app.git")
    repo = make_repo("person")
    seed_project(repo, path, path.as_uri(), f'mode = "{request.param}"\n')
    return repo, Remote(path)


def env_of(sealed_env: SealedEnv, forge: ForgeServer) -> dict[str, str]:
    return dict(sealed_env.variables) | {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }


def tag_checkout(remote: Remote, like: GitRepo, destination: Path, tag: str) -> GitRepo:
    """What actions/checkout makes of a tag push (fetch-depth 0): a detached HEAD at the tag."""
    checkout = clone_remote(remote, like, destination)
    checkout.checkout(tag, detach=True)
    return checkout


def test_a_pushed_hand_made_tag_is_completed_without_a_commit(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv, tmp_path: Path
) -> None:
    repo, remote = person
    main = remote.head()
    repo.tag("v0.2.0", annotated=True)  # git tag -a v0.2.0 && git push --tags
    repo.run("push", "--quiet", "origin", "v0.2.0")
    ci = tag_checkout(remote, repo, tmp_path / "ci", "v0.2.0")
    assert ci.run("rev-parse", "--abbrev-ref", "HEAD") == "HEAD"  # detached
    outcome = run_release(ci.path, env_of(sealed_env, forge))
    assert outcome.released
    assert (str(outcome.version), outcome.tag, outcome.sha) == ("0.2.0", "v0.2.0", main)
    assert remote.head() == main  # nothing committed, nothing pushed to main
    assert remote.tags() == ["v0.1.0", "v0.2.0"]
    [release] = forge.releases_of()
    assert (release["tag_name"], release["target_commitish"]) == ("v0.2.0", main)
    # The notes: the commits since the previous tag, and only those.
    assert "add the thing" in release["body"]
    assert "mend the other thing" in release["body"]
    assert "initial" not in release["body"]
    assert ci.run("status", "--porcelain", "--untracked-files=all") == ""
    again = run_release(ci.path, env_of(sealed_env, forge))  # a re-run: nothing more
    assert not again.released
    assert len(forge.releases_of()) == 1


def test_a_local_hand_made_tag_on_a_detached_head_pushes_the_tag_alone(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv
) -> None:
    repo, remote = person
    main = remote.head()
    repo.checkout("HEAD", detach=True)
    repo.tag("v0.2.0", annotated=True)
    outcome = run_release(repo.path, env_of(sealed_env, forge))
    assert outcome.released
    assert remote.git("rev-parse", "refs/tags/v0.2.0^{commit}") == main
    assert remote.head() == main
    assert [r["tag_name"] for r in forge.releases_of()] == ["v0.2.0"]


def test_a_detached_head_without_a_release_tag_makes_no_release(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv
) -> None:
    repo, remote = person
    repo.checkout("HEAD", detach=True)
    with pytest.raises(UsageError, match="detached HEAD is not a release branch"):
        run_release(repo.path, env_of(sealed_env, forge))
    assert remote.tags() == ["v0.1.0"]
    assert forge.releases_of() == []


def push_tag(repo: GitRepo, tag: str) -> None:
    """``git tag -a TAG && git push origin TAG``, as a person cuts a release by hand."""
    repo.tag(tag, annotated=True)
    repo.run("push", "--quiet", "origin", tag)


def next_run(checkout: GitRepo, env: dict[str, str]) -> str | None:
    """``bot plan``'s ``next run`` sentence in ``checkout`` (no request: no flags)."""
    config = load_config(checkout.path, None)
    requests = {"": PlanRequest(date=RELEASE_DATE)}
    plans = package_plans(checkout.path, config, requests)
    return describe_next_run(checkout.path, config, requests, plans, env)


def created_releases(forge: ForgeServer) -> list[tuple[str, bool, str]]:
    """``(tag_name, prerelease, make_latest)`` of every release the bot asked GitHub to make."""
    return [
        (body["tag_name"], body["prerelease"], body["make_latest"])
        for body in recorded_bodies(forge, "POST")
        if "tag_name" in body
    ]


@pytest.mark.parametrize("person", ["direct", "pr"], indirect=True)
def test_pushed_prerelease_tags_are_completed_as_prereleases_without_flags(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv, tmp_path: Path
) -> None:
    repo, remote = person
    env = env_of(sealed_env, forge)
    main = remote.head()
    push_tag(repo, "v0.2.0-rc.1")
    ci = tag_checkout(remote, repo, tmp_path / "ci", "v0.2.0-rc.1")
    said = next_run(ci, env)
    assert said is not None
    assert said.startswith("complete the release of v0.2.0-rc.1 at HEAD (push the tag if missing")
    assert said.endswith("committing nothing")

    first = run_release(ci.path, env)

    assert first.released
    assert (str(first.version), first.tag, first.sha) == ("0.2.0-rc.1", "v0.2.0-rc.1", main)
    assert str(first.previous_version) == "0.1.0"
    # The second candidate: its notes hold what came after the first, and only that.
    repo.commit("fix: mend it again", {"src/pkg/again.py": "AGAIN = 3\n"})
    repo.run("push", "--quiet", "origin", "main")
    push_tag(repo, "v0.2.0-rc.2")
    ci = tag_checkout(remote, repo, tmp_path / "ci-2", "v0.2.0-rc.2")
    second = run_release(ci.path, env)

    assert second.released
    assert (str(second.version), str(second.previous_version)) == ("0.2.0-rc.2", "0.2.0-rc.1")
    assert remote.head() == repo.head()  # nothing committed, nothing pushed to main
    assert remote.tags() == ["v0.1.0", "v0.2.0-rc.1", "v0.2.0-rc.2"]
    releases = {r["tag_name"]: r for r in forge.releases_of()}
    assert sorted(releases) == ["v0.2.0-rc.1", "v0.2.0-rc.2"]
    assert all(r["prerelease"] for r in releases.values())
    assert "add the thing" in releases["v0.2.0-rc.1"]["body"]
    assert "mend the other thing" in releases["v0.2.0-rc.1"]["body"]
    assert "mend it again" in releases["v0.2.0-rc.2"]["body"]
    assert "add the thing" not in releases["v0.2.0-rc.2"]["body"]
    # A prerelease never becomes the repository's latest release.
    assert created_releases(forge) == [
        ("v0.2.0-rc.1", True, "false"),
        ("v0.2.0-rc.2", True, "false"),
    ]
    assert forge.pulls_of() == []  # in pr mode too: no pull request is opened or touched
    assert not any("/pulls" in path for _, path in forge.calls())
    assert not run_release(ci.path, env).released  # a re-run: nothing more


@pytest.mark.parametrize("person", ["pr"], indirect=True)
def test_a_pushed_final_tag_in_pr_mode_is_completed_and_touches_no_pull_request(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv, tmp_path: Path
) -> None:
    repo, remote = person
    env = env_of(sealed_env, forge)
    push_tag(repo, "v0.2.0")
    ci = tag_checkout(remote, repo, tmp_path / "ci", "v0.2.0")
    said = next_run(ci, env)
    assert said is not None
    assert said.startswith("complete the release of v0.2.0 at HEAD")
    assert said.endswith("committing nothing")  # no pull request is proposed from a tag

    outcome = run_release(ci.path, env)

    assert outcome.released
    assert created_releases(forge) == [("v0.2.0", False, "true")]
    assert not any("/pulls" in path for _, path in forge.calls())
    assert remote.git("for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/main"


@pytest.mark.parametrize("person", ["direct", "pr"], indirect=True)
def test_plan_says_a_detached_head_without_a_release_tag_is_refused(
    person: tuple[GitRepo, Remote], forge: ForgeServer, sealed_env: SealedEnv
) -> None:
    repo, remote = person
    env = env_of(sealed_env, forge)
    repo.checkout("HEAD", detach=True)
    said = next_run(repo, env)
    assert said is not None
    assert said.startswith("refuse (exit 2): a detached HEAD without a release tag")
    with pytest.raises(UsageError, match="detached HEAD"):
        run_release(repo.path, env)
    assert remote.tags() == ["v0.1.0"]
    assert forge.releases_of() == []
    assert forge.pulls_of() == []


def test_a_rerun_of_a_candidates_job_after_its_final_completes_the_candidate(
    person: tuple[GitRepo, Remote],
    forge: ForgeServer,
    sealed_env: SealedEnv,
    tmp_path: Path,
    run_cli: CliRunner,
) -> None:
    """The job of v0.2.0-rc.1 failed; the final v0.2.0 was tagged later on a newer commit;
    then the candidate's job is re-run at its tag: it completes the candidate, nothing else."""
    repo, remote = person
    env = env_of(sealed_env, forge)
    push_tag(repo, "v0.2.0-rc.1")
    repo.commit("fix: mend it again", {"src/pkg/again.py": "AGAIN = 3\n"})
    repo.run("push", "--quiet", "origin", "main")
    push_tag(repo, "v0.2.0")
    ci = tag_checkout(remote, repo, tmp_path / "ci", "v0.2.0-rc.1")
    plan = run_cli("-C", ci.path, "plan")  # the next version, 0.2.0, is taken: no exit 4
    assert plan.exit_code == 0, plan.stderr
    assert plan.stdout.splitlines()[-1].startswith(
        "  next run   complete the release of v0.2.0-rc.1 at HEAD"
    )

    rerun = run_release(ci.path, env)

    assert rerun.released
    assert (str(rerun.version), rerun.tag) == ("0.2.0-rc.1", "v0.2.0-rc.1")
    assert [(r["tag_name"], r["prerelease"]) for r in forge.releases_of()] == [
        ("v0.2.0-rc.1", True)
    ]
    assert remote.tags() == ["v0.1.0", "v0.2.0", "v0.2.0-rc.1"]
