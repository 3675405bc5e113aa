"""Failure injection at every step of a release, then a re-run that converges.

Seams, not mocks: the release's real GitWriter wrapped by ``FaultyGit`` (tests/git_remote.py),
which SIGKILLs a forked child, raises, waits at a barrier or pushes another commit at one
point; the real forge client pointed at tests/forge_server.py (a strict local stand-in for
GitHub's releases API, NOT a real forge) told to fail. The remotes are real: a ``file://`` bare
repo and ``git http-backend`` behind Basic auth. Converged means: exactly one release commit on
the remote branch, one annotated tag, one changelog section, one forge release.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer
from git_remote import (
    FaultPoint,
    GitHttpServer,
    Remote,
    assert_released_once,
    bare_repo,
    ci_checkout,
    clone_remote,
    run_killed,
    run_release,
    seed_project,
)
from versionbot.core.errors import ForgeError, RepositoryError, SupersededError, VersionbotError
from versionbot.release.outcome import ReleaseOutcome

pytestmark = pytest.mark.timeout(60)

FORGE_TOKEN = "ghp_FAULTFORGETOKEN0123456789abcdefgh"


@dataclass
class Project:
    repo: GitRepo
    remote: Remote
    env: dict[str, str]
    before: str  # the remote's main before the release

    @property
    def root(self) -> Path:
        return self.repo.path


@pytest.fixture(params=["file", "http"])
def project(
    request: pytest.FixtureRequest,
    *,
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    git_server: GitHttpServer,
    forge: ForgeServer,
) -> Project:
    """A seeded project with a GitHub release due, over a file:// or an HTTP remote."""
    env = dict(sealed_env.variables) | {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }
    if request.param == "file":
        path = bare_repo(tmp_path / "remote.git")
        url = path.as_uri()
    else:
        url, path = git_server.new_repo(tmp_path.name)
        env |= {
            "VERSIONBOT_GIT_USERNAME": git_server.user,
            "VERSIONBOT_GIT_TOKEN": git_server.token,
        }
    repo = make_repo("app")
    seed_project(repo, path, url)
    remote = Remote(path)
    return Project(repo, remote, env, remote.head())


def ci_rerun(project: Project) -> ReleaseOutcome:
    """The release re-run as CI re-runs a failed job: a fresh clone of the remote, the
    triggering commit (``project.before``) checked out on main; never the clone that failed."""
    destination = project.root.with_name(f"ci-{next(_ci_runs)}")
    clone = ci_checkout(project.remote, project.repo, destination, project.before)
    return run_release(clone.path, project.env)


_ci_runs = itertools.count(1)


def rerun(project: Project, *, same_clone: bool) -> ReleaseOutcome:
    """The next run: in the clone that failed, or as CI re-runs a failed job."""
    return run_release(project.root, project.env) if same_clone else ci_rerun(project)


def assert_converged(project: Project, forge: ForgeServer, *, same_clone: bool = True) -> str:
    """One release everywhere; and one more run changes nothing and says so."""
    sha = assert_released_once(project.remote, project.before)
    [release] = forge.releases_of("acme/app")
    assert (release["tag_name"], release["target_commitish"]) == ("v0.2.0", sha)
    assert "add the thing" in release["body"]
    if same_clone:
        assert project.repo.head() == sha
        assert project.repo.run("status", "--porcelain", "--untracked-files=all") == ""
    again = rerun(project, same_clone=same_clone)
    assert not again.released
    assert any("already released" in line for line in again.log), again.log
    assert project.remote.head() == sha
    assert len(forge.releases_of("acme/app")) == 1
    return sha


def no_secret(project: Project, *texts: str) -> None:
    """None of the tokens of this run in any of ``texts``."""
    secrets = [FORGE_TOKEN, project.env.get("VERSIONBOT_GIT_TOKEN", FORGE_TOKEN)]
    for text in texts:
        for secret in secrets:
            assert secret not in text


SAME_CLONE = pytest.mark.parametrize("same_clone", [True, False], ids=["same-clone", "ci-rerun"])


@pytest.mark.parametrize(
    "point",
    ["before-commit", "after-commit", "after-tag", "after-push"],
    ids=["files-written", "committed", "tagged", "pushed"],
)
@SAME_CLONE
def test_a_run_killed_between_steps_is_finished_by_the_next(
    project: Project, forge: ForgeServer, point: FaultPoint, same_clone: bool
) -> None:
    run_killed(project.root, project.env, point)
    pushed = point == "after-push"
    assert (project.remote.head() != project.before) is pushed
    assert project.remote.tags() == (["v0.1.0", "v0.2.0"] if pushed else ["v0.1.0"])
    assert forge.releases_of("acme/app") == []
    outcome = rerun(project, same_clone=same_clone)
    # The run that finishes a release reports it as released (CI publishes on that output).
    assert outcome.released
    sha = assert_converged(project, forge, same_clone=same_clone)
    assert outcome.sha == sha
    no_secret(project, *outcome.log)


def test_locks_a_killed_git_left_are_removed_by_the_next_run(
    project: Project, forge: ForgeServer
) -> None:
    """A git command killed mid-way leaves ``index.lock`` (or a ref's lock), and every later
    git command fails on it: the next run takes a lock untouched for seconds as stale."""
    import os

    git_dir = project.root / ".git"
    stale = [git_dir / "index.lock", git_dir / "refs" / "tags" / "v0.2.0.lock"]
    for lock in stale:
        lock.write_text("")
        os.utime(lock, (0, 0))  # written long ago: no live command holds it
    run_release(project.root, project.env)
    assert_converged(project, forge)
    assert not any(lock.exists() for lock in stale)


def test_an_exception_after_the_tag_then_a_rerun(project: Project, forge: ForgeServer) -> None:
    def boom() -> None:
        raise OSError("the runner lost its disk")

    with pytest.raises(OSError, match="lost its disk"):
        run_release(project.root, project.env, ("after-tag", boom))
    assert project.remote.tags() == ["v0.1.0"]
    run_release(project.root, project.env)
    assert_converged(project, forge)


@SAME_CLONE
def test_forge_5xx_fails_after_the_push_and_a_rerun_makes_the_release(
    project: Project, forge: ForgeServer, same_clone: bool
) -> None:
    forge.echo_credentials()  # a careless proxy quoting the Authorization header back
    # Every try of the first request after the check before the push (which passes).
    forge.fail_next(5, 503, retry_after="0", after=1)
    with pytest.raises(ForgeError) as caught:
        run_release(project.root, project.env)
    assert caught.value.exit_code == 7
    assert "after 5 tries" in caught.value.message
    assert "re-run is safe" in caught.value.hint
    no_secret(project, caught.value.message, caught.value.hint)
    assert project.remote.tags() == ["v0.1.0", "v0.2.0"]  # git's part is done
    assert forge.releases_of("acme/app") == []
    outcome = rerun(project, same_clone=same_clone)
    assert outcome.released
    assert any(line.startswith("v0.2.0 is already released on HEAD") for line in outcome.log)
    if not same_clone:
        assert "is behind origin/main, which released v0.2.0 after it" in outcome.log[0]
    assert_converged(project, forge, same_clone=same_clone)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("down", "GitHub failed to read the repository in acme/app after 5 tries"),
        ("read-only", "the GitHub token may read acme/app but not write to it"),
        ("bad-token", "GitHub refused the token for acme/app (401)"),
    ],
)
def test_a_forge_that_cannot_take_the_release_stops_it_before_the_push(
    project: Project, forge: ForgeServer, fault: str, words: str
) -> None:
    if fault == "down":
        forge.fail_next(5, 503, retry_after="0")
    elif fault == "read-only":
        forge.permissions = {"admin": False, "push": False, "pull": True}
    env = project.env | ({"GITHUB_TOKEN": "ghp_" + "0" * 36} if fault == "bad-token" else {})
    with pytest.raises(ForgeError) as caught:
        run_release(project.root, env)
    assert caught.value.exit_code == 7
    assert words in caught.value.message
    no_secret(project, caught.value.message, caught.value.hint)
    assert project.remote.head() == project.before  # nothing pushed: no commit, no tag
    assert project.remote.tags() == ["v0.1.0"]
    assert [m for m, _ in forge.calls()] == ["GET"] * len(forge.calls())
    forge.reset()
    run_release(project.root, project.env)  # mended: the next run releases
    assert_converged(project, forge)


def test_a_token_that_may_push_passes_the_check(project: Project, forge: ForgeServer) -> None:
    forge.permissions = {"admin": False, "push": True, "pull": True}
    run_release(project.root, project.env)
    assert_converged(project, forge)


def test_forge_422_already_exists_converges_on_the_other_runs_release(
    project: Project, forge: ForgeServer
) -> None:
    forge.race_next_create()  # another run's release appears just before our POST
    outcome = run_release(project.root, project.env)
    assert outcome.released
    assert [m for m, _ in forge.calls()] == ["GET", "GET", "POST", "GET", "PATCH"]
    assert_converged(project, forge)


def test_a_lost_create_answer_makes_no_second_release(project: Project, forge: ForgeServer) -> None:
    forge.lose_next_create_answer()  # made, then 502: the retried POST hears already_exists
    run_release(project.root, project.env)
    assert_converged(project, forge)


def test_a_rejected_push_changes_nothing_and_the_next_run_releases(
    project: Project, forge: ForgeServer, tmp_path: Path
) -> None:
    other = clone_remote(project.remote, project.repo, tmp_path / "other")

    def someone_pushes() -> None:
        other.commit("fix: pushed while the release ran", {"src/pkg/late.py": "LATE = 3\n"})
        other.run("push", "--quiet", "origin", "main")

    with pytest.raises(SupersededError) as caught:
        run_release(project.root, project.env, ("before-push", someone_pushes))
    assert caught.value.exit_code == 8
    assert "nothing was pushed" in caught.value.message
    assert "the next run takes it from there" in caught.value.hint
    no_secret(project, caught.value.message, caught.value.hint)
    newer = other.head()
    assert project.remote.head() == newer
    assert project.remote.tags() == ["v0.1.0"]
    assert forge.releases_of("acme/app") == []
    # The loser took back its own commit and tag.
    assert project.repo.head() == project.before
    assert project.repo.run("tag", "--list").split() == ["v0.1.0"]
    assert project.repo.run("status", "--porcelain", "--untracked-files=all") == ""
    # The next run (CI's run for the newer commit) releases it, with the newer fix.
    outcome = run_release(other.path, project.env)
    assert outcome.released
    project.before = newer
    assert_released_once(project.remote, newer)
    assert "pushed while the release ran" in forge.releases_of("acme/app")[0]["body"]


def racers(project: Project, tmp_path: Path, count: int) -> list[GitRepo]:
    """``count`` clones of the remote, one per racing run."""
    return [
        clone_remote(project.remote, project.repo, tmp_path / f"racer{i}") for i in range(count)
    ]


def race_at_the_push(
    clones: list[GitRepo], env_of: Callable[[int], dict[str, str]]
) -> list[ReleaseOutcome | VersionbotError | None]:
    """Every clone runs the release at once, each held at its push until all are there (a
    barrier); each one's outcome or error, in order. ``env_of(index)``: a racer's env."""
    barrier = threading.Barrier(len(clones), timeout=30)
    results: list[ReleaseOutcome | VersionbotError | None] = [None] * len(clones)

    def all_at_the_push() -> None:
        barrier.wait()

    def race(index: int) -> None:
        try:
            results[index] = run_release(
                clones[index].path, env_of(index), ("before-push", all_at_the_push)
            )
        except VersionbotError as exc:
            results[index] = exc

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(clones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=50)
    return results


@pytest.mark.parametrize("racer_count", [2, 5])
def test_racing_releases_make_exactly_one(
    project: Project, forge: ForgeServer, tmp_path: Path, racer_count: int
) -> None:
    def env_of(index: int) -> dict[str, str]:
        # Distinct dates: each racer's release commit and tag are objects of their own.
        stamp = f"@{1_720_000_000 + index} +0000"
        return project.env | {"GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}

    clones = racers(project, tmp_path, racer_count)
    results = race_at_the_push(clones, env_of)
    winners = [i for i, r in enumerate(results) if not isinstance(r, VersionbotError)]
    losers = [r for r in results if isinstance(r, VersionbotError)]
    assert len(winners) == 1, results
    assert all(isinstance(r, SupersededError) and r.exit_code == 8 for r in losers), losers
    sha = assert_released_once(project.remote, project.before)
    [release] = forge.releases_of("acme/app")
    assert release["target_commitish"] == sha
    for index, clone in enumerate(clones):
        if index in winners:
            assert clone.head() == sha
            continue
        assert clone.head() == project.before  # the losers changed nothing, not even locally
        assert clone.run("tag", "--list").split() == ["v0.1.0"]
        assert clone.run("status", "--porcelain", "--untracked-files=all") == ""


SAME_SECOND = {"GIT_COMMITTER_DATE": "@1720000000 +0000", "GIT_AUTHOR_DATE": "@1720000000 +0000"}


def test_two_runs_making_the_same_release_in_the_same_second_report_it_once(
    project: Project, forge: ForgeServer, tmp_path: Path
) -> None:
    """Same commit, same second: both runs make the very same release commit and tag, so the
    later push finds them there (up to date) and succeeds. Only the run whose push put the tag
    there reports released=true (CI publishes on it)."""
    first, second = (
        clone_remote(project.remote, project.repo, tmp_path / name) for name in ("first", "second")
    )
    env = project.env | SAME_SECOND
    outcomes: list[ReleaseOutcome] = []

    def the_first_run_releases() -> None:  # the second run is between its checks and its push
        outcomes.append(run_release(first.path, env))

    outcomes.append(run_release(second.path, env, ("before-push", the_first_run_releases)))
    assert [o.released for o in outcomes] == [True, False]
    assert first.head() == second.head()  # the very same commit
    assert "another run pushed v0.2.0 at the same time" in " ".join(outcomes[1].log)
    sha = assert_released_once(project.remote, project.before)
    [release] = forge.releases_of("acme/app")
    assert release["target_commitish"] == sha


def test_racing_releases_in_the_same_second_report_it_once(
    project: Project, forge: ForgeServer, tmp_path: Path
) -> None:
    """Three runs at the same push, with the same commit and tag: one puts them on the remote;
    each other finds them there or loses the ref update (exit 8), and none says released."""
    clones = racers(project, tmp_path, 3)
    results = race_at_the_push(clones, lambda _: project.env | SAME_SECOND)
    released = [r for r in results if isinstance(r, ReleaseOutcome) and r.released]
    others = [r for r in results if r not in released]
    assert len(released) == 1, results
    for other in others:
        assert isinstance(other, ReleaseOutcome | SupersededError), other
    sha = assert_released_once(project.remote, project.before)
    [release] = forge.releases_of("acme/app")
    assert release["target_commitish"] == sha


@SAME_CLONE
def test_of_two_runs_finishing_a_release_the_one_that_made_the_forge_release_reports_it(
    project: Project, forge: ForgeServer, same_clone: bool
) -> None:
    """The tag is on the remote, its GitHub release is not (the forge failed after the push).
    Two re-runs finish it at once: GitHub lets one create the release; the other's create hears
    already_exists, and that run does not report the release."""
    forge.fail_next(5, 503, retry_after="0", after=1)
    with pytest.raises(ForgeError):
        run_release(project.root, project.env)
    forge.race_next_create()  # the other re-run's create lands just before this one's
    outcome = rerun(project, same_clone=same_clone)
    assert not outcome.released
    assert_converged(project, forge, same_clone=same_clone)


def test_a_push_the_remote_refuses_is_no_race_and_says_why(
    project: Project, forge: ForgeServer
) -> None:
    """A protection rule (here a pre-receive hook, as GitHub's branch protection is one) refuses
    the push: exit 3 with git's reason and the remote's words, not exit 8 ("another run
    released first"); nothing is pushed, and once the rule allows it the next run releases."""
    hook = project.remote.path / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        'echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\n'
        'echo "error: Changes must be made through a pull request." >&2\n'
        "exit 1\n"
    )
    hook.chmod(0o755)
    with pytest.raises(RepositoryError) as caught:
        run_release(project.root, project.env)
    assert caught.value.exit_code == 3
    assert caught.value.message == (
        "origin refused refs/heads/main, refs/tags/v0.2.0 (pre-receive hook declined: error: "
        "GH006: Protected branch update failed for refs/heads/main. error: Changes must be made "
        "through a pull request.); nothing was pushed"
    )
    assert caught.value.hint.startswith("not a race: check the remote's protection rules")
    assert "contents: write" in caught.value.hint
    no_secret(project, caught.value.message, caught.value.hint)
    assert project.remote.head() == project.before
    assert project.remote.tags() == ["v0.1.0"]
    assert forge.releases_of("acme/app") == []
    hook.unlink()
    assert run_release(project.root, project.env).released
    assert_converged(project, forge)
