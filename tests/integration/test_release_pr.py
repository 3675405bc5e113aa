"""The release pull request (``mode = "pr"``) against real git remotes and the forge stand-in.

Git is real: bare ``file://`` remotes whose pre-receive hook refuses every push to ``main`` that
does not come from "the forge" (a person merging), and logs every ref update it is offered.
The forge is tests/forge_server.py, a strict local stand-in for GitHub's releases and pull
request APIs (NOT a real forge); a merge is made in git by the test, as GitHub would make it
(merge commit, squash, rebase), then reported to the server with ``merge_pull``.
"""

from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import CliRunner, GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer
from git_remote import RELEASE_DATE, Remote, bare_repo, clone_remote, seed_project
from versionbot.cli.github_outputs import whole_repository
from versionbot.core.errors import RepositoryError, SupersededError, UsageError
from versionbot.core.plan import PlanRequest
from versionbot.files.config_file import load_config
from versionbot.git.writer import PushResult
from versionbot.release.edges import git_writer
from versionbot.release.outcome import ReleaseOutcome, RunOutcome
from versionbot.release.run import describe_next_run, run_release
from versionbot.release.transaction import ReleaseGit

pytestmark = pytest.mark.timeout(60)

FORGE_TOKEN = "ghp_RELEASEPRFORGETOKEN0123456789ab"
BRANCH = "versionbot/release"
# Refuses every update of main unless the pusher is the forge (FORGE_MERGE=1 in its env),
# refuses non-fast-forward updates of main even then, and logs what it was offered.
HOOK = """#!/bin/sh
while read old new ref; do
  echo "$ref ${FORGE_MERGE:-bot}" >> "$GIT_DIR/pushes.log"
  if [ "$ref" = refs/heads/main ]; then
    if [ "$FORGE_MERGE" != 1 ]; then echo "main is protected: merge a pull request" >&2; exit 1; fi
    if [ "$old" != 0000000000000000000000000000000000000000 ] &&
       ! git merge-base --is-ancestor "$old" "$new"; then
      echo "no force pushes to main" >&2; exit 1
    fi
  fi
done
"""


@dataclass
class Project:
    """The CI checkout (``repo``), the protected remote, a person's clone on the forge side."""

    repo: GitRepo
    remote: Remote
    person: GitRepo
    env: dict[str, str]
    forge: ForgeServer

    def release(self) -> ReleaseOutcome:
        """A CI run on main: a fresh view of the remote (fetch, reset), then ``bot release``."""
        self.repo.run("fetch", "--quiet", "--tags", "origin")
        self.repo.run("reset", "--quiet", "--hard", "origin/main")
        config = load_config(self.repo.path, None)
        requests = {"": PlanRequest(date=RELEASE_DATE)}
        return whole_repository(run_release(self.repo.path, config, requests, self.env))

    def person_git(self, *args: str) -> str:
        """git in the person's clone, as the forge (allowed to update main)."""
        env = {**self.person.env.with_dates(self.person._clock[0]), "FORGE_MERGE": "1"}
        self.person._clock[0] += 60
        result = subprocess.run(
            ["git", "-C", str(self.person.path), *args], capture_output=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode().strip()

    def push_to_main(self, message: str, files: dict[str, str] | None = None) -> str:
        """A person's change lands on main (through the forge)."""
        self.person_git("pull", "--quiet", "--ff-only", "origin", "main")
        for name, text in (files or {"notes.txt": message}).items():
            (self.person.path / name).write_text(text)
        self.person_git("add", "--all")
        self.person_git("commit", "--quiet", "-m", message)
        self.person_git("push", "--quiet", "origin", "main")
        return self.remote.head()

    def merge(self, number: int, method: str) -> str:
        """Merge the release pull request as GitHub does with ``method``; tell the forge."""
        [pull] = [p for p in self.forge.pulls_of() if p["number"] == number]
        self.person_git("fetch", "--quiet", "origin", "main", BRANCH)
        self.person_git("checkout", "--quiet", "main")
        self.person_git("reset", "--quiet", "--hard", "origin/main")
        head = f"origin/{BRANCH}"
        if method == "merge":
            title = f"Merge pull request #{number} from acme/{BRANCH}"
            self.person_git("merge", "--quiet", "--no-ff", "-m", title, head)
        elif method == "rebase":
            self.person_git("cherry-pick", head)
        else:  # squash, the description as the message ("squash-bare": the title alone)
            self.person_git("merge", "--quiet", "--squash", head)
            body = "" if method == "squash-bare" else f"\n\n{pull['body']}"
            self.person_git("commit", "--quiet", "-m", f"{pull['title']} (#{number}){body}")
        self.person_git("push", "--quiet", "origin", "main")
        sha = self.remote.head()
        self.forge.merge_pull(number, sha)
        return sha

    def pushes(self) -> list[str]:
        """Every ref update the remote was offered, as ``ref pusher``."""
        log = self.remote.path / "pushes.log"
        return log.read_text().splitlines() if log.exists() else []


def make_project(
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    forge: ForgeServer,
    *,
    deny_non_fast_forwards: bool,
) -> Project:
    path = _bare_remote(tmp_path, deny_non_fast_forwards=deny_non_fast_forwards)
    repo = make_repo("ci")
    seed_project(repo, path, path.as_uri(), 'mode = "pr"\nmajor_on_zero = true\n')
    return _protected_project(repo, path, tmp_path, forge, sealed_env)


def _bare_remote(tmp_path: Path, *, deny_non_fast_forwards: bool) -> Path:
    path = bare_repo(tmp_path / "app.git")
    flag = "true" if deny_non_fast_forwards else "false"
    subprocess.run(
        ["git", "--git-dir", str(path), "config", "receive.denyNonFastForwards", flag], check=True
    )
    return path


def _protected_project(
    repo: GitRepo, path: Path, tmp_path: Path, forge: ForgeServer, sealed_env: SealedEnv
) -> Project:
    """The seeded ``repo`` and its remote at ``path``, main now protected by HOOK, a person's
    clone, and the environment of a run that reaches the forge stand-in."""
    hook = path / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    remote = Remote(path)
    person = clone_remote(remote, repo, tmp_path / "person")
    forge.git_dirs["acme/app"] = path
    env = dict(sealed_env.variables) | {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }
    return Project(repo, remote, person, env, forge)


@pytest.fixture
def project(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, forge: ForgeServer
) -> Project:
    return make_project(make_repo, sealed_env, tmp_path, forge, deny_non_fast_forwards=False)


def branch_file(project: Project, name: str) -> str:
    return project.remote.show(f"refs/heads/{BRANCH}:{name}")


def no_bot_push_to_main(project: Project) -> None:
    assert "refs/heads/main bot" not in project.pushes()


# -- open, update, close --------------------------------------------------------------------


def test_opens_updates_and_closes_the_release_pull_request(project: Project) -> None:
    main = project.remote.head()
    first = project.release()
    assert not first.released
    [pull] = project.forge.pulls_of()
    assert (pull["number"], pull["state"], pull["title"]) == (1, "open", "chore(release): 0.2.0")
    assert (pull["head"]["ref"], pull["base"]["ref"]) == (BRANCH, "main")
    assert "add the thing" in pull["body"]
    assert "mend the other thing" in pull["body"]
    assert pull["body"].rstrip().endswith("Versionbot-Release: 0.2.0")
    assert first.log[-1].startswith("opened pull request #1 for 0.2.0: ")
    # The branch: one commit on top of main, the version files and the changelog, the trailer.
    assert project.remote.git("rev-parse", f"refs/heads/{BRANCH}^") == main
    message = project.remote.git("log", "-1", "--format=%B", f"refs/heads/{BRANCH}")
    assert message == "chore(release): 0.2.0\n\nVersionbot-Release: 0.2.0"
    assert 'version = "0.2.0"' in branch_file(project, "pyproject.toml")
    assert "## 0.2.0 (2024-06-01)" in branch_file(project, "CHANGELOG.md")
    assert project.remote.head() == main
    assert project.remote.tags() == ["v0.1.0"]
    # The checkout the bot ran in is untouched.
    assert project.repo.run("status", "--porcelain", "--untracked-files=all") == ""
    assert project.repo.head() == main

    again = project.release()  # nothing changed: nothing pushed, nothing edited
    assert again.log[-1] == "pull request #1 for 0.2.0 is up to date"
    assert project.remote.git("rev-parse", f"refs/heads/{BRANCH}^") == main

    breaking = project.push_to_main("feat!: drop the old thing")
    second = project.release()
    [pull] = project.forge.pulls_of()  # the same pull request, brought up to date
    assert (pull["number"], pull["state"], pull["title"]) == (1, "open", "chore(release): 1.0.0")
    assert "drop the old thing" in pull["body"]
    assert second.log[-1].startswith("updated pull request #1 to 1.0.0")
    assert project.remote.git("rev-parse", f"refs/heads/{BRANCH}^") == breaking
    assert 'version = "1.0.0"' in branch_file(project, "pyproject.toml")

    # Everything releasable reverted: the pull request is closed.
    project.person_git("pull", "--quiet", "--ff-only", "origin", "main")
    shas = [project.person_git("rev-parse", ref) for ref in ("HEAD", "HEAD~1", "HEAD~2")]
    for sha in shas:  # feat!, fix, feat
        project.person_git("revert", "--no-edit", sha)
    project.person_git("push", "--quiet", "origin", "main")
    third = project.release()
    [pull] = project.forge.pulls_of()
    assert pull["state"] == "closed"
    assert third.log[-1] == "closed pull request #1: nothing to release"
    assert project.remote.tags() == ["v0.1.0"]
    no_bot_push_to_main(project)


# -- merge by each method, then the tagging run ---------------------------------------------


@pytest.mark.parametrize("method", ["merge", "squash", "rebase", "squash-bare"])
def test_a_merged_release_pull_request_is_tagged_by_the_next_run(
    project: Project, method: str
) -> None:
    project.release()
    merged = project.merge(1, method)
    outcome = project.release()
    assert outcome.released
    assert (str(outcome.version), outcome.tag, outcome.sha) == ("0.2.0", "v0.2.0", merged)
    # The tag is on the commit main got from the merge; main itself was not touched by the bot.
    assert project.remote.head() == merged
    assert project.remote.tags() == ["v0.1.0", "v0.2.0"]
    assert project.remote.git("rev-parse", "refs/tags/v0.2.0^{commit}") == merged
    assert project.remote.git("cat-file", "-t", "refs/tags/v0.2.0") == "tag"
    assert 'version = "0.2.0"' in project.remote.show("v0.2.0:pyproject.toml")
    tag_message = project.remote.git("tag", "--list", "--format=%(contents)", "v0.2.0")
    assert "add the thing" in tag_message
    [release] = project.forge.releases_of()
    assert (release["tag_name"], release["target_commitish"]) == ("v0.2.0", merged)
    assert "add the thing" in release["body"]
    assert "mend the other thing" in release["body"]
    how = "pull request #1" if method == "squash-bare" else "release trailer"
    assert how in outcome.log[0]
    # Nothing is due after the release: no second pull request.
    assert [p["number"] for p in project.forge.pulls_of()] == [1]
    assert outcome.log[-1].startswith("nothing to release")
    rerun = project.release()  # the run for the same push again: no duplicates
    assert not rerun.released
    assert len(project.forge.releases_of()) == 1
    assert project.remote.tags() == ["v0.1.0", "v0.2.0"]
    no_bot_push_to_main(project)


def test_commits_after_the_merge_get_tagged_release_and_a_new_pull_request(
    project: Project,
) -> None:
    project.release()
    merged = project.merge(1, "merge")
    project.push_to_main("fix: after the release")  # the merge's own run never came
    outcome = project.release()
    assert outcome.sha == merged
    assert project.remote.git("rev-parse", "refs/tags/v0.2.0^{commit}") == merged
    [_, pull] = project.forge.pulls_of()
    assert (pull["number"], pull["title"], pull["state"]) == (2, "chore(release): 0.2.1", "open")
    assert "after the release" in pull["body"]
    assert "add the thing" not in pull["body"]


def test_plan_says_what_the_next_run_does(project: Project) -> None:
    from versionbot.cli.report import next_run_to_text
    from versionbot.git.repository_plan import package_plans

    config = load_config(project.repo.path, None)
    requests = {"": PlanRequest(date=RELEASE_DATE)}

    def sentence() -> str:
        project.repo.run("fetch", "--quiet", "--tags", "origin")
        project.repo.run("reset", "--quiet", "--hard", "origin/main")
        root = project.repo.path
        plans = package_plans(root, config, requests)
        said = describe_next_run(root, config, requests, plans, project.env)
        return next_run_to_text(config.mode, said or "")

    assert "Mode: pr" in sentence()
    assert "open the release pull request for 0.2.0 from versionbot/release" in sentence()
    project.release()
    assert "update the release pull request #1 (" in sentence()
    merged = project.merge(1, "squash")
    assert f"tag {merged[:7]} (the merged release pull request of 0.2.0)" in sentence()
    project.release()
    assert "complete the release of v0.2.0 at HEAD" in sentence()


@pytest.mark.parametrize("tag", ["v0.2.1", "v0.2.1-rc.1"])
def test_a_hand_made_tag_at_head_is_completed_not_proposed_again(
    project: Project, tag: str
) -> None:
    project.release()
    project.merge(1, "merge")
    project.release()  # tags v0.2.0
    fixed = project.push_to_main("fix: after the release")
    project.release()  # proposes 0.2.1 in pull request #2
    project.person_git("tag", "--annotate", "--message", f"release {tag}", tag, fixed)
    project.person_git("push", "--quiet", "origin", tag)
    final = "-" not in tag
    then = (
        "nothing is due (an open release pull request would be closed)"
        if final
        else "the release pull request for 0.2.1"
    )
    assert next_run_of(project) == (
        f"complete the release of {tag} at HEAD (push the tag if missing, forge release, image "
        f"tags), committing nothing; then {then}"
    )

    outcome = project.release()

    assert outcome.released
    assert (outcome.tag, outcome.sha) == (tag, fixed)
    release = next(r for r in project.forge.releases_of() if r["tag_name"] == tag)
    assert release["prerelease"] is not final
    assert "after the release" in release["body"]
    assert "add the thing" not in release["body"]
    pulls = [(p["number"], p["state"], p["title"]) for p in project.forge.pulls_of()]
    if final:  # released by hand: the proposal of 0.2.1 is closed, no new one
        assert pulls[1:] == [(2, "closed", "chore(release): 0.2.1")]
        assert outcome.log[-1] == "closed pull request #2: nothing to release"
    else:  # a candidate: the final 0.2.1 is still what the pull request proposes
        assert pulls[1:] == [(2, "open", "chore(release): 0.2.1")]
    assert project.remote.head() == fixed
    no_bot_push_to_main(project)


def next_run_of(project: Project) -> str | None:
    """``bot plan``'s ``next run`` sentence in a CI checkout of main."""
    from versionbot.git.repository_plan import package_plans

    project.repo.run("fetch", "--quiet", "--tags", "origin")
    project.repo.run("reset", "--quiet", "--hard", "origin/main")
    config = load_config(project.repo.path, None)
    requests = {"": PlanRequest(date=RELEASE_DATE)}
    plans = package_plans(project.repo.path, config, requests)
    return describe_next_run(project.repo.path, config, requests, plans, project.env)


# -- protected main ---------------------------------------------------------------------------


def test_protected_main_the_pr_mode_never_pushes_there(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, forge: ForgeServer
) -> None:
    project = make_project(make_repo, sealed_env, tmp_path, forge, deny_non_fast_forwards=True)
    assert project.remote.git("config", "receive.denyNonFastForwards") == "true"
    project.release()
    project.merge(1, "merge")
    assert project.release().released
    project.push_to_main("feat: next thing")
    project.release()  # the branch moves on by a fast-forward: the old commit is in main
    assert [(p["number"], p["state"]) for p in forge.pulls_of()] == [(1, "closed"), (2, "open")]
    assert forge.pulls_of()[1]["title"] == "chore(release): 0.3.0"
    no_bot_push_to_main(project)
    assert "refs/heads/versionbot/release bot" in project.pushes()
    assert "refs/tags/v0.2.0 bot" in project.pushes()
    # The same remote refuses the direct mode's push to main: the hook is real.
    project.push_to_main("fix: one more")
    project.repo.run("fetch", "--quiet", "--tags", "origin")
    project.repo.run("reset", "--quiet", "--hard", "origin/main")
    direct = dataclasses.replace(load_config(project.repo.path, None), mode="direct")
    with pytest.raises(RepositoryError) as caught:  # a refusal, not a lost race (exit 8)
        run_release(project.repo.path, direct, {"": PlanRequest(date=RELEASE_DATE)}, project.env)
    assert caught.value.exit_code == 3
    assert caught.value.message == (
        "origin refused refs/heads/main, refs/tags/v0.3.0 (pre-receive hook declined: main is "
        "protected: merge a pull request); nothing was pushed"
    )
    assert "branch protection" in caught.value.hint
    assert "contents: write" in caught.value.hint
    assert "refs/heads/main bot" in project.pushes()


class BranchTakenFirst:
    """The release's git edge, wrapped: just before the release branch is pushed, another run
    pushes its own commit there (the lease this run took no longer holds)."""

    def __init__(self, inner: ReleaseGit, project: Project) -> None:
        self.inner = inner
        self.project = project

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def push_with_lease(self, remote: str, sha: str, branch: str, seen: str | None) -> PushResult:
        """Another run's push, then this run's."""
        self.project.person_git("checkout", "--quiet", "-B", "theirs", "origin/main")
        self.project.person_git("commit", "--quiet", "--allow-empty", "-m", "theirs")
        self.project.person_git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
        result: PushResult = self.inner.push_with_lease(remote, sha, branch, seen)
        return result


def release_with(project: Project, git: ReleaseGit) -> RunOutcome:
    config = load_config(project.repo.path, None)
    requests = {"": PlanRequest(date=RELEASE_DATE)}
    return run_release(project.repo.path, config, requests, project.env, git=git)


def test_a_release_branch_another_run_pushed_first_is_a_lost_race(project: Project) -> None:
    config = load_config(project.repo.path, None)
    theirs = BranchTakenFirst(git_writer(project.repo.path, config, project.env), project)
    with pytest.raises(SupersededError) as caught:
        release_with(project, theirs)
    assert caught.value.exit_code == 8
    assert f"refused the release pull request's branch {BRANCH}" in caught.value.message
    assert "stale info" in caught.value.message
    assert project.remote.git("log", "-1", "--format=%s", f"refs/heads/{BRANCH}") == "theirs"
    assert project.forge.pulls_of() == []
    assert not project.release().released  # the next run brings the branch up to date
    assert project.remote.git("log", "-1", "--format=%s", f"refs/heads/{BRANCH}") == (
        "chore(release): 0.2.0"
    )


def test_a_release_branch_the_remote_refuses_says_why_and_is_no_race(project: Project) -> None:
    hook = project.remote.path / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "while read old new ref; do\n"
        f'  if [ "$ref" = refs/heads/{BRANCH} ]; then\n'
        '    echo "only admins may push to $ref" >&2; exit 1\n'
        "  fi\n"
        "done\n"
    )
    with pytest.raises(RepositoryError) as caught:
        project.release()
    assert caught.value.exit_code == 3
    assert caught.value.message == (
        f"origin refused refs/heads/{BRANCH} (pre-receive hook declined: only admins may push "
        f"to refs/heads/{BRANCH}); nothing was pushed"
    )
    assert "contents: write" in caught.value.hint
    assert project.remote.git("branch", "--list", BRANCH) == ""
    assert project.forge.pulls_of() == []


def test_the_pull_request_calls() -> None:
    from versionbot.forge.github import GitHubForge

    with ForgeServer(FORGE_TOKEN) as server:
        github = GitHubForge(server.url, "acme/app", FORGE_TOKEN)
        assert github.pull_requests(BRANCH) == []
        made = github.create_pull_request(head=BRANCH, base="main", title="t", body="b")
        again = github.create_pull_request(head=BRANCH, base="main", title="t", body="b")
        assert again.number == made.number == 1  # 422: the open one is returned
        assert github.update_pull_request(1, title="t2").title == "t2"
        assert github.close_pull_request(1).state == "closed"
        assert github.pull_requests(BRANCH) == []
        assert [p.number for p in github.pull_requests(BRANCH, state="closed")] == [1]
        assert server.violations == []


# -- a monorepo: one release pull request for every due package ------------------------------

MONO_CONFIG = """\
[tool.versionbot]
mode = "pr"

[tool.versionbot.packages.api]
path = "services/api"
version_files = ["pyproject.toml"]

[tool.versionbot.packages.web]
path = "services/web"
version_files = ["package.json"]
"""
MONO_TITLE = "chore(release): api-v1.1.0, web-v0.3.1"


def make_mono_project(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, forge: ForgeServer
) -> Project:
    """api 1.0.0 and web 0.3.0 released; then a feature of api and a fix of web, on main."""
    path = _bare_remote(tmp_path, deny_non_fast_forwards=False)
    repo = make_repo("ci")
    repo.commit(
        "chore: init",
        {
            "pyproject.toml": MONO_CONFIG,
            "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "1.0.0"\n',
            "services/web/package.json": '{\n  "name": "web",\n  "version": "0.3.0"\n}\n',
        },
    )
    repo.tag("api-v1.0.0", annotated=True)
    repo.tag("web-v0.3.0", annotated=True)
    repo.commit("feat: list the widgets", {"services/api/widgets.py": "WIDGETS = []\n"})
    repo.commit("fix: the button's colour", {"services/web/button.js": "export {};\n"})
    repo.run("push", "--quiet", path.as_uri(), "main", "api-v1.0.0", "web-v0.3.0")
    repo.run("remote", "add", "origin", path.as_uri())
    return _protected_project(repo, path, tmp_path, forge, sealed_env)


@pytest.fixture
def mono(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, forge: ForgeServer
) -> Project:
    return make_mono_project(make_repo, sealed_env, tmp_path, forge)


def release_packages(project: Project, *, only: str | None = None) -> RunOutcome:
    """A CI run on main of a monorepo: a fresh view of the remote, then ``bot release``."""
    project.repo.run("fetch", "--quiet", "--tags", "origin")
    project.repo.run("reset", "--quiet", "--hard", "origin/main")
    config = load_config(project.repo.path, None)
    requests = {p.name: PlanRequest(date=RELEASE_DATE) for p in config.packages}
    return run_release(project.repo.path, config, requests, project.env, only=only)


def test_a_monorepo_release_pull_request_holds_every_due_package(mono: Project) -> None:
    main = mono.remote.head()

    first = release_packages(mono)

    assert not first.released
    [pull] = mono.forge.pulls_of()
    assert (pull["number"], pull["state"], pull["title"]) == (1, "open", MONO_TITLE)
    body = pull["body"]
    sections = [body.index(text) for text in ("## api-v1.1.0", "widgets", "## web-v0.3.1")]
    assert sections == sorted(sections)
    assert "the button's colour" in body
    trailers = "Versionbot-Release: api-v1.1.0\nVersionbot-Release: web-v0.3.1"
    assert body.rstrip().endswith(trailers)
    assert first.log[-1].startswith("opened pull request #1 for api-v1.1.0, web-v0.3.1: ")
    # One commit on top of main: both packages' files, one trailer per tag.
    assert mono.remote.git("rev-parse", f"refs/heads/{BRANCH}^") == main
    message = mono.remote.git("log", "-1", "--format=%B", f"refs/heads/{BRANCH}")
    assert message == (
        f"{MONO_TITLE}\n\nVersionbot-Release: api-v1.1.0\nVersionbot-Release: web-v0.3.1"
    )
    changed = mono.remote.git("diff-tree", "--no-commit-id", "--name-only", "-r", BRANCH)
    assert changed.split() == [
        "services/api/CHANGELOG.md",
        "services/api/pyproject.toml",
        "services/web/CHANGELOG.md",
        "services/web/package.json",
    ]
    assert 'version = "1.1.0"' in branch_file(mono, "services/api/pyproject.toml")
    assert '"version": "0.3.1"' in branch_file(mono, "services/web/package.json")
    assert "list the widgets" not in branch_file(mono, "services/web/CHANGELOG.md")
    assert mono.remote.head() == main
    assert mono.remote.tags() == ["api-v1.0.0", "web-v0.3.0"]
    assert release_packages(mono).log[-1] == (
        "pull request #1 for api-v1.1.0, web-v0.3.1 is up to date"
    )

    # A new feature of web: the same pull request now proposes web 0.4.0.
    mono.push_to_main("feat: a new page", {"services/web/page.js": "export {};\n"})
    second = release_packages(mono)
    [pull] = mono.forge.pulls_of()
    assert pull["title"] == "chore(release): api-v1.1.0, web-v0.4.0"
    assert second.log[-1].startswith("updated pull request #1 to api-v1.1.0, web-v0.4.0")
    with pytest.raises(UsageError, match="--package does not apply in pr mode"):
        release_packages(mono, only="api")
    no_bot_push_to_main(mono)


@pytest.mark.parametrize("method", ["merge", "squash", "rebase", "squash-bare"])
def test_a_merged_monorepo_release_pull_request_tags_every_package_it_holds(
    mono: Project, method: str
) -> None:
    release_packages(mono)
    merged = mono.merge(1, method)

    outcome = release_packages(mono)

    assert outcome.released
    assert sorted(outcome.packages) == ["api", "web"]
    assert mono.remote.tags() == ["api-v1.0.0", "api-v1.1.0", "web-v0.3.0", "web-v0.3.1"]
    for tag in ("api-v1.1.0", "web-v0.3.1"):
        assert mono.remote.git("rev-parse", f"refs/tags/{tag}^{{commit}}") == merged
        assert mono.remote.git("cat-file", "-t", f"refs/tags/{tag}") == "tag"
    assert 'version = "1.1.0"' in mono.remote.show("api-v1.1.0:services/api/pyproject.toml")
    releases = {r["tag_name"]: r for r in mono.forge.releases_of()}
    assert sorted(releases) == ["api-v1.1.0", "web-v0.3.1"]
    assert "list the widgets" in releases["api-v1.1.0"]["body"]
    assert "widgets" not in releases["web-v0.3.1"]["body"]
    assert all(r["target_commitish"] == merged for r in releases.values())
    how = "pull request #1" if method == "squash-bare" else "release trailer"
    assert how in outcome.log[0]
    assert [p["number"] for p in mono.forge.pulls_of()] == [1]  # nothing due: no new one
    assert outcome.log[-1].startswith("nothing to release")

    rerun = release_packages(mono)  # the same push again: no duplicates
    assert not rerun.released
    assert len(mono.forge.releases_of()) == 2
    no_bot_push_to_main(mono)


def test_commits_after_a_merged_monorepo_release_get_a_new_pull_request(mono: Project) -> None:
    release_packages(mono)
    merged = mono.merge(1, "merge")
    mono.push_to_main("fix: a late api fix", {"services/api/late.py": "LATE = 1\n"})

    outcome = release_packages(mono)

    assert outcome.released
    assert mono.remote.git("rev-parse", "refs/tags/api-v1.1.0^{commit}") == merged
    [_, pull] = mono.forge.pulls_of()
    assert (pull["number"], pull["title"]) == (2, "chore(release): api-v1.1.1")
    assert "a late api fix" in pull["body"]
    assert "web-v" not in pull["title"]
    no_bot_push_to_main(mono)


def test_plan_says_what_the_next_monorepo_run_does(mono: Project, run_cli: CliRunner) -> None:
    def next_run() -> str:
        mono.repo.run("fetch", "--quiet", "--tags", "origin")
        mono.repo.run("reset", "--quiet", "--hard", "origin/main")
        result = run_cli("-C", mono.repo.path, "plan")
        assert result.exit_code == 0, result.stderr
        mode, line = result.stdout.rstrip("\n").splitlines()[-2:]
        assert mode == "Mode: pr"
        return line.strip()

    assert next_run() == (
        "next run   open or update the release pull request for api-v1.1.0, web-v0.3.1 "
        "from versionbot/release"
    )
    release_packages(mono)
    merged = mono.merge(1, "merge")
    assert next_run().startswith(
        f"next run   tag {merged[:7]} (the merged release pull request of api-v1.1.0, "
        "web-v0.3.1), push the tags alone"
    )
    release_packages(mono)
    assert next_run() == (
        "next run   complete the releases of api-v1.1.0, web-v0.3.1 at HEAD (push the tags if "
        "missing, forge releases, image tags), committing nothing; then nothing is due (an "
        "open release pull request would be closed)"
    )
