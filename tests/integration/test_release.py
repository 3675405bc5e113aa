"""``release.execute`` against real remotes: a ``file://`` bare repo and an authenticated
smart-HTTP server (``git http-backend`` behind Basic auth, tests/git_remote.py).

The forge is the one edge nothing real can serve here: its API is tests/forge_server.py, a
strict local stand-in for GitHub's releases API (NOT a real forge, see testinfra/README.md,
section 5). Everything on the git side is real: commits, annotated tags, atomic pushes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer
from git_remote import (
    SUBJECT,
    GitHttpServer,
    Remote,
    assert_released_once,
    bare_repo,
    clone_remote,
    run_release,
    seed_project,
)
from versionbot.core.errors import RepositoryError, SupersededError, UsageError

pytestmark = pytest.mark.timeout(60)

FORGE_TOKEN = "ghp_RELEASEFORGETOKEN0123456789abcd"


@dataclass
class Project:
    """A working clone to release from, its remote, and the environment a run gets."""

    repo: GitRepo
    remote: Remote
    env: dict[str, str]
    token: str | None  # the git token, for the HTTP remote

    @property
    def root(self) -> Path:
        return self.repo.path


def make_project(
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    *,
    server: GitHttpServer | None,
    name: str,
    extra: str = "",
) -> Project:
    """A seeded project whose origin is a fresh bare repo, over HTTP when ``server`` is given."""
    env = dict(sealed_env.variables)
    token = None
    if server is None:
        path = bare_repo(tmp_path / f"{name}.git")
        url = path.as_uri()
    else:
        url, path = server.new_repo(name)
        token = server.token
        env |= {"VERSIONBOT_GIT_USERNAME": server.user, "VERSIONBOT_GIT_TOKEN": server.token}
    repo = make_repo(name)
    seed_project(repo, path, url, extra)
    return Project(repo, Remote(path), env, token)


def with_forge(project: Project, forge: ForgeServer) -> dict[str, str]:
    """The project's environment with a GitHub release due (at the local forge server)."""
    return project.env | {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }


@pytest.fixture
def file_project(make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path) -> Project:
    return make_project(make_repo, sealed_env, tmp_path, server=None, name="app")


@pytest.fixture
def http_project(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, git_server: GitHttpServer
) -> Project:
    return make_project(make_repo, sealed_env, tmp_path, server=git_server, name=tmp_path.name)


def unchanged(project: Project, before: str) -> None:
    """Nothing changed: not the remote, not the clone's HEAD, tags or work tree."""
    assert project.remote.head() == before
    assert project.remote.tags() == ["v0.1.0"]
    assert project.repo.head() == before
    assert project.repo.run("tag", "--list").split() == ["v0.1.0"]
    assert project.repo.run("status", "--porcelain", "--untracked-files=all") == ""


# -- the release ---------------------------------------------------------------------------


def test_release_over_a_file_remote_without_a_forge(file_project: Project) -> None:
    before = file_project.remote.head()
    outcome = run_release(file_project.root, file_project.env)
    sha = assert_released_once(file_project.remote, before)
    assert outcome.released
    assert (str(outcome.version), outcome.tag, outcome.sha) == ("0.2.0", "v0.2.0", sha)
    assert str(outcome.previous_version) == "0.1.0"
    assert "forge release skipped: no forge for this remote" in outcome.log
    repo = file_project.repo
    assert repo.head() == sha
    assert repo.run("status", "--porcelain") == ""
    message = repo.run("log", "-1", "--format=%B")
    assert message == f"{SUBJECT}\n\nVersionbot-Release: 0.2.0"
    # The annotated tag's message holds the release notes.
    tag_message = repo.run("tag", "--list", "--format=%(contents)", "v0.2.0")
    assert tag_message.startswith("0.2.0\n\n")
    assert "### Features" in tag_message
    assert "add the thing" in tag_message
    assert "mend the other thing" in tag_message
    # Only the version's characters changed in the version files.
    diff = repo.run("diff", "--numstat", "HEAD^", "HEAD", "--", "pyproject.toml", "src")
    assert diff.splitlines() == ["1\t1\tpyproject.toml", "1\t1\tsrc/pkg/__init__.py"]


def test_release_over_authenticated_http_with_a_forge_release(
    http_project: Project, forge: ForgeServer, git_server: GitHttpServer
) -> None:
    before = http_project.remote.head()
    outcome = run_release(http_project.root, with_forge(http_project, forge))
    sha = assert_released_once(http_project.remote, before)
    [release] = forge.releases_of("acme/app")
    assert release["tag_name"] == "v0.2.0"
    assert release["target_commitish"] == sha
    assert release["name"] == "v0.2.0"
    assert release["prerelease"] is False
    assert "add the thing" in release["body"]
    assert outcome.forge_url == release["html_url"]
    # The check before the push ("Get a repository"), then the release's own two calls.
    assert forge.calls() == [
        ("GET", "/repos/acme/app"),
        ("GET", "/repos/acme/app/releases/tags/v0.2.0"),
        ("POST", "/repos/acme/app/releases"),
    ]
    [make_latest] = [r.body["make_latest"] for r in forge.requests if r.method == "POST"]
    assert make_latest == "true"
    # The remote really asked for credentials, and got them from the helper, not the URL.
    statuses = {status for _, path, status in git_server.requests if http_project.root.name in path}
    assert {401, 200} <= statuses
    assert git_server.token not in (http_project.root / ".git" / "config").read_text()
    assert git_server.token not in http_project.repo.run("remote", "-v")
    assert git_server.token not in "\n".join(outcome.log)


def test_a_run_on_a_released_head_does_nothing_and_says_so(
    http_project: Project, forge: ForgeServer
) -> None:
    env = with_forge(http_project, forge)
    run_release(http_project.root, env)
    sha = http_project.remote.head()
    forge.requests.clear()
    again = run_release(http_project.root, env)
    assert not again.released
    assert again.log[0] == f"v0.2.0 is already released on HEAD {sha[:7]}: nothing to push"
    assert again.sha == sha
    assert http_project.remote.head() == sha
    assert len(forge.releases_of("acme/app")) == 1
    assert {m for m, _ in forge.calls()} == {"GET"}  # looked, changed nothing


def test_loop_safety_a_clone_at_the_release_commit_releases_nothing(
    file_project: Project, tmp_path: Path
) -> None:
    run_release(file_project.root, file_project.env)
    sha = file_project.remote.head()
    # CI checks out the bot's own push, with tags, and without any tags at all.
    for name, args in (("with-tags", ()), ("no-tags", ("--no-tags",))):
        clone = tmp_path / name
        subprocess.run(
            ["git", "clone", "--quiet", *args, file_project.remote.path.as_uri(), str(clone)],
            check=True,
            env=file_project.env,
        )
        outcome = run_release(clone, file_project.env)
        assert not outcome.released, name
        assert file_project.remote.head() == sha
        assert file_project.remote.tags() == ["v0.1.0", "v0.2.0"]
        head = subprocess.run(
            ["git", "-C", str(clone), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert head.stdout.strip() == sha
    assert "is the release commit of 0.2.0: nothing to release" in outcome.log[0]


def test_version_files_and_changelog_in_place_of_an_existing_changelog(
    file_project: Project,
) -> None:
    repo = file_project.repo
    existing = (
        "# Changelog\r\n\r\nHand-written intro.\r\n\r\n"
        "<!-- versionbot: insert releases below -->\r\n\r\n## 0.1.0 (2024-01-01)\r\n\r\n- old\r\n"
    )
    before = repo.commit("docs: add a changelog", {"CHANGELOG.md": existing})
    repo.run("push", "--quiet", "origin", "main")
    run_release(file_project.root, file_project.env)
    text = file_project.remote.show("main:CHANGELOG.md")
    assert file_project.remote.git("rev-parse", "main^") == before
    assert text.startswith("# Changelog\r\n\r\nHand-written intro.\r\n")
    assert text.index("## 0.2.0") < text.index("## 0.1.0 (2024-01-01)")
    assert "\n" not in text.replace("\r\n", "")  # CRLF kept


def test_configured_committer_makes_commit_and_tag(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path
) -> None:
    extra = 'committer = { name = "Release Bot", email = "bot@example.com" }\n'
    project = make_project(make_repo, sealed_env, tmp_path, server=None, name="app", extra=extra)
    run_release(project.root, project.env)
    who = project.remote.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main")
    assert who == "Release Bot <bot@example.com>|Release Bot <bot@example.com>"
    tagger = project.remote.git(
        "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v0.2.0"
    )
    assert tagger == "Release Bot <bot@example.com>"


@pytest.fixture
def gnupg_home() -> Iterator[Path]:
    """A throwaway GnuPG home with one unprotected signing key (short path: agent sockets)."""
    if shutil.which("gpg") is None:
        reason = "gpg is not installed (apt-get install gnupg): signed tags cannot be made"
        if os.environ.get("VERSIONBOT_REQUIRE_INFRA") == "1":  # CI: a missing tool is a failure
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    home = Path(tempfile.mkdtemp(prefix="vb-gpg-"))
    home.chmod(0o700)
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Release Bot <bot@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    yield home
    subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


def test_signed_tag_when_configured(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, gnupg_home: Path
) -> None:
    extra = 'sign_tags = true\ncommitter = { name = "Release Bot", email = "bot@example.com" }\n'
    project = make_project(make_repo, sealed_env, tmp_path, server=None, name="app", extra=extra)
    env = project.env | {"GNUPGHOME": str(gnupg_home)}
    run_release(project.root, env)
    raw = project.remote.git("cat-file", "-p", "refs/tags/v0.2.0")
    assert "-----BEGIN PGP SIGNATURE-----" in raw
    verified = subprocess.run(
        ["git", "-C", str(project.root), "tag", "--verify", "v0.2.0"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "Good signature" in verified.stderr


# -- refusals: before anything changes -------------------------------------------------------


def test_a_remote_that_moved_on_stops_the_release_cleanly(
    file_project: Project, tmp_path: Path
) -> None:
    before = file_project.remote.head()
    other = clone_remote(file_project.remote, file_project.repo, tmp_path / "other")
    newer = other.commit("feat: a newer feature")
    other.run("push", "--quiet", "origin", "main")
    with pytest.raises(SupersededError) as caught:
        run_release(file_project.root, file_project.env)
    assert caught.value.exit_code == 8
    assert "moved past" in caught.value.message
    assert "nothing was pushed" in caught.value.message
    assert "the run for the newer commit releases it" in caught.value.hint
    assert file_project.remote.head() == newer
    assert file_project.remote.tags() == ["v0.1.0"]
    assert file_project.repo.head() == before
    assert file_project.repo.run("status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("src/pkg/thing.py", "THING = 2\n"),  # a file the release never writes
        ("pyproject.toml", "# someone's edit\n"),  # a file it writes, changed otherwise
    ],
)
def test_a_dirty_work_tree_is_refused(file_project: Project, path: str, content: str) -> None:
    before = file_project.remote.head()
    target = file_project.root / path
    edited = target.read_text() + content
    target.write_text(edited)
    with pytest.raises(UsageError, match="uncommitted changes in " + path):
        run_release(file_project.root, file_project.env)
    assert target.read_text() == edited
    assert file_project.remote.head() == before
    assert file_project.remote.tags() == ["v0.1.0"]
    assert file_project.repo.head() == before
    assert not (file_project.root / "CHANGELOG.md").exists()


@pytest.mark.parametrize("where", ["detached", "feature-branch"])
def test_only_a_release_branch_releases(file_project: Project, where: str) -> None:
    before = file_project.remote.head()
    if where == "detached":
        file_project.repo.checkout("HEAD", detach=True)
        match = "a detached HEAD is not a release branch"
    else:
        file_project.repo.checkout("feature", create=True)
        match = "feature is not a release branch"
    with pytest.raises(UsageError, match=match):
        run_release(file_project.root, file_project.env)
    unchanged(file_project, before)


def test_no_remote_says_what_is_missing(file_project: Project) -> None:
    before = file_project.remote.head()
    file_project.repo.run("remote", "remove", "origin")
    with pytest.raises(UsageError) as caught:
        run_release(file_project.root, file_project.env)
    assert caught.value.message == "there is no git remote named 'origin' to push the release to"
    assert "git remote add origin" in caught.value.hint
    assert file_project.repo.head() == before
    assert file_project.repo.run("status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize("how", ["github-remote", "github-repository"])
def test_a_due_forge_release_without_a_token_says_what_is_missing(
    file_project: Project, how: str
) -> None:
    before = file_project.remote.head()
    env = dict(file_project.env)
    if how == "github-remote":
        # Nothing may be fetched or pushed: this URL is never contacted.
        file_project.repo.run("remote", "set-url", "origin", "https://github.com/acme/app.git")
    else:
        env["GITHUB_REPOSITORY"] = "acme/app"
    with pytest.raises(UsageError) as caught:
        run_release(file_project.root, env)
    assert "no GITHUB_TOKEN or GH_TOKEN" in caught.value.message
    assert "GITHUB_TOKEN" in caught.value.hint
    file_project.repo.run("remote", "set-url", "origin", file_project.remote.path.as_uri())
    unchanged(file_project, before)


def test_a_wrong_git_token_fails_with_a_redacted_one_line_error(
    http_project: Project, git_server: GitHttpServer
) -> None:
    before = http_project.remote.head()
    wrong = "gt_" + "0" * 40
    env = http_project.env | {"VERSIONBOT_GIT_TOKEN": wrong}
    with pytest.raises(RepositoryError) as caught:
        run_release(http_project.root, env)
    message = caught.value.message
    assert "\n" not in message
    assert "Authentication failed" in message
    assert wrong not in message + caught.value.hint
    assert git_server.token not in message + caught.value.hint
    unchanged(http_project, before)
