"""The installed ``bot tag``: the annotated tag a person makes, checked against the commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CliRunner, GitRepo, RepoFactory
from git_remote import Remote, bare_repo, seed_project

pytestmark = pytest.mark.timeout(60)

DAY = {"SOURCE_DATE_EPOCH": "1717200000"}  # 2024-06-01


@pytest.fixture
def project(make_repo: RepoFactory, tmp_path: Path) -> tuple[GitRepo, Remote]:
    """v0.1.0, then a feature and a fix (the commits ask for 0.2.0), pushed to a bare remote."""
    path = bare_repo(tmp_path / "app.git")
    repo = make_repo("app")
    seed_project(repo, path, path.as_uri())
    return repo, Remote(path)


def test_bot_tag_makes_the_planned_annotated_tag_with_the_notes(
    project: tuple[GitRepo, Remote], bot: CliRunner
) -> None:
    repo, remote = project
    result = bot("-C", repo.path, "tag", env=DAY)
    assert result.exit_code == 0, result.stderr
    head = repo.head()
    assert result.stdout.splitlines() == [
        f"tagged v0.2.0 on {head[:7]}",
        "push it to release: git push origin v0.2.0",
    ]
    assert repo.run("cat-file", "-t", "v0.2.0") == "tag"
    assert repo.run("rev-parse", "v0.2.0^{commit}") == head
    message = repo.run("tag", "--list", "--format=%(contents)", "v0.2.0")
    assert message.startswith("0.2.0\n\n### Features\n")
    assert "add the thing" in message
    assert remote.tags() == ["v0.1.0"]  # not pushed without --push
    assert repo.run("status", "--porcelain") == ""


def test_bot_tag_push_pushes_the_tag_alone(project: tuple[GitRepo, Remote], bot: CliRunner) -> None:
    repo, remote = project
    result = bot("-C", repo.path, "tag", "0.3.0", "--push", "--json", env=DAY)
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "tag": "v0.3.0",
        "version": "0.3.0",
        "sha": repo.head(),
        "pushed": True,
    }
    assert remote.tags() == ["v0.1.0", "v0.3.0"]  # higher than asked: the person's decision


def test_bot_tag_refuses_a_version_the_commits_contradict(
    project: tuple[GitRepo, Remote], bot: CliRunner
) -> None:
    repo, _ = project
    refused = bot("-C", repo.path, "tag", "0.1.1", env=DAY)
    assert refused.exit_code == 4
    assert refused.stderr.splitlines() == [
        "error: 0.1.1 is below 0.2.0, which the commits since v0.1.0 ask for "
        "(minor: feat(api): add the thing); not tagging",
        "hint: tag 0.2.0 instead, or add --force if the commits are wrong",
    ]
    assert repo.run("tag", "--list") == "v0.1.0"
    forced = bot("-C", repo.path, "tag", "0.1.1", "--force", env=DAY)
    assert forced.exit_code == 0, forced.stderr
    assert repo.run("tag", "--list").split() == ["v0.1.0", "v0.1.1"]


def test_bot_tag_refuses_a_breaking_change_tagged_as_minor(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: one")
    repo.tag("v1.3.0", annotated=True)
    repo.commit("feat(api)!: drop the v1 endpoints")
    refused = bot("-C", repo.path, "tag", "1.4.0", env=DAY)
    assert refused.exit_code == 4
    assert "below 2.0.0" in refused.stderr
    assert "major: feat(api)!: drop the v1 endpoints" in refused.stderr
    assert repo.run("tag", "--list") == "v1.3.0"


def test_bot_tag_never_goes_backwards_even_with_force(
    project: tuple[GitRepo, Remote], bot: CliRunner
) -> None:
    repo, _ = project
    result = bot("-C", repo.path, "tag", "0.1.0", "--force", env=DAY)
    assert result.exit_code == 4
    assert repo.run("tag", "--list") == "v0.1.0"


def test_bot_tag_on_a_tagged_head_or_with_nothing_to_release(
    project: tuple[GitRepo, Remote], bot: CliRunner
) -> None:
    repo, _ = project
    assert bot("-C", repo.path, "tag", env=DAY).exit_code == 0
    again = bot("-C", repo.path, "tag", env=DAY)
    assert again.exit_code == 4
    assert "already carries the release tag v0.2.0" in again.stderr
    repo.commit("docs: words")
    nothing = bot("-C", repo.path, "tag", env=DAY)
    assert nothing.exit_code == 2
    assert nothing.stderr.startswith("error: nothing to tag: ")


def test_bot_tag_needs_a_remote_only_to_push(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: one")
    local = bot("-C", repo.path, "tag", env=DAY)
    assert local.exit_code == 0, local.stderr
    assert repo.run("tag", "--list") == "v0.1.0"

    repo.commit("fix: two")
    pushed = bot("-C", repo.path, "tag", "--push", env=DAY)

    assert pushed.exit_code == 2
    assert "there is no git remote named 'origin'" in pushed.stderr
    assert repo.run("tag", "--list") == "v0.1.0"  # nothing made that cannot be pushed
