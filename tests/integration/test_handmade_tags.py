"""Hand-made release tags: a person tags and pushes, the tag-push workflow completes the release.

Real git (a bare ``file://`` remote, tests/git_remote.py) and the strict local stand-in for
GitHub's releases API (tests/forge_server.py, NOT a real forge). The CI checkout is what
actions/checkout makes of a tag push: a detached HEAD at the tag.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer
from git_remote import Remote, bare_repo, clone_remote, run_release, seed_project
from versionbot.core.errors import UsageError

pytestmark = pytest.mark.timeout(60)

FORGE_TOKEN = "ghp_HANDMADETAGFORGETOKEN0123456789"


@pytest.fixture
def person(make_repo: RepoFactory, tmp_path: Path) -> tuple[GitRepo, Remote]:
    """A person's clone with v0.1.0, a feature and a fix; the remote has them all."""
    path = bare_repo(tmp_path / "app.git")
    repo = make_repo("person")
    seed_project(repo, path, path.as_uri())
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
