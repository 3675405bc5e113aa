"""Releasing a monorepo (``[packages]``) against real remotes: a ``file://`` bare repository,
the GitHub API stand-in (tests/forge_server.py) and, for images, a loopback registry.

One run releases every due package in ONE commit (each package's changelog and version files
in its folder), one annotated tag per package on it, and ONE atomic push. The crash, resume,
loop-safety and race rules of release_packages.py are driven through the real GitWriter with a
fault injected at one point (tests/git_remote.py ``FaultyGit``).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer
from git_remote import FaultPoint, FaultyGit, Remote, bare_repo
from versionbot.core.errors import SupersededError
from versionbot.core.plan import PlanRequest
from versionbot.files.config_file import load_config
from versionbot.git.repository_plan import package_plans, releases_at_head
from versionbot.release.edges import git_writer
from versionbot.release.outcome import RunOutcome
from versionbot.release.run import direct_releases, run_release

if TYPE_CHECKING:
    from conftest import CliRunner
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(90)

FORGE_TOKEN = "ghp_MONOREPOFORGETOKEN0123456789abcd"
DATE = "2024-06-01"
CONFIG = """\
[packages.api]
path = "services/api"
version_files = ["pyproject.toml"]

[packages.web]
path = "services/web"
version_files = ["package.json"]

[packages.docs]
path = "docs"
"""
API_PYPROJECT = '[project]\nname = "api"\nversion = "1.0.0"\n'
WEB_PACKAGE = '{\n  "name": "web",\n  "version": "0.3.0"\n}\n'
SUBJECT = "chore(release): api-v1.1.0, web-v0.3.1 [skip ci]"
TRAILERS = "Versionbot-Release: api-v1.1.0\nVersionbot-Release: web-v0.3.1"
BASE_TAGS = ["api-v1.0.0", "docs-v1.0.0", "web-v0.3.0"]
RELEASED_FILES = [
    "services/api/CHANGELOG.md",
    "services/api/pyproject.toml",
    "services/web/CHANGELOG.md",
    "services/web/package.json",
]


@dataclass
class Mono:
    """A monorepo clone to release from, its bare remote, and the environment a run gets."""

    repo: GitRepo
    remote: Remote
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return self.repo.path


def make_mono(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path, *, extra: str = ""
) -> Mono:
    """Three packages released once (api 1.0.0, web 0.3.0, docs 1.0.0), then a feature of api,
    a fix of web and a docs change of docs, all on the remote; ``origin`` is the remote."""
    remote = bare_repo(tmp_path / "mono.git")
    repo = make_repo("mono")
    repo.commit(
        "chore: init",
        {
            "versionbot.toml": CONFIG + extra,
            "services/api/pyproject.toml": API_PYPROJECT,
            "services/web/package.json": WEB_PACKAGE,
            "docs/index.md": "# Docs\n",
        },
    )
    for tag in BASE_TAGS:
        repo.tag(tag, annotated=True)
    repo.commit("feat: list the widgets", {"services/api/widgets.py": "WIDGETS = []\n"})
    repo.commit("fix: the button's colour", {"services/web/button.js": "export {};\n"})
    repo.commit("docs: a typo", {"docs/index.md": "# The docs\n"})
    repo.run("push", "--quiet", remote.as_uri(), "main", *BASE_TAGS)
    repo.run("remote", "add", "origin", remote.as_uri())
    return Mono(repo, Remote(remote), dict(sealed_env.variables))


@pytest.fixture
def mono(make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path) -> Mono:
    return make_mono(make_repo, sealed_env, tmp_path)


def requests_for(root: Path) -> dict[str, PlanRequest]:
    return {p.name: PlanRequest(date=DATE) for p in load_config(root).packages}


def release(mono: Mono, *, only: str | None = None) -> RunOutcome:
    """What ``bot release`` does in a monorepo, in this process."""
    config = load_config(mono.root)
    return run_release(mono.root, config, requests_for(mono.root), mono.env, only=only)


class Crash(Exception):
    """A run that stopped at a fault point."""


def crashed_release(mono: Mono, at: FaultPoint, action: Callable[[], None] | None = None) -> None:
    """A release whose git edge fails at ``at`` (raises Crash, or runs ``action``)."""

    def crash() -> None:
        raise Crash(at)

    config = load_config(mono.root)
    git = FaultyGit(git_writer(mono.root, config, mono.env), at, action or crash)
    run_release(mono.root, config, requests_for(mono.root), mono.env, git=git)


def remote_tags(mono: Mono) -> list[str]:
    return mono.remote.tags()


def assert_released(mono: Mono, before: str) -> str:
    """The remote's main is ``before`` plus ONE release commit of api and web (not docs), with
    both changelogs and version files in their folders and an annotated tag per package."""
    sha = mono.remote.head()
    assert mono.remote.git("rev-parse", f"{sha}^") == before
    assert mono.remote.git("log", "-1", "--format=%B", sha).strip() == f"{SUBJECT}\n\n{TRAILERS}"
    changed = mono.remote.git("diff-tree", "--no-commit-id", "--name-only", "-r", sha)
    assert changed.split() == RELEASED_FILES
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0", "web-v0.3.1"])
    for tag in ("api-v1.1.0", "web-v0.3.1"):
        assert mono.remote.git("cat-file", "-t", f"refs/tags/{tag}") == "tag"
        assert mono.remote.git("rev-parse", f"refs/tags/{tag}^{{commit}}") == sha
    api_log = mono.remote.show(f"{sha}:services/api/CHANGELOG.md")
    web_log = mono.remote.show(f"{sha}:services/web/CHANGELOG.md")
    assert "## 1.1.0" in api_log
    assert "list the widgets" in api_log
    assert "button" not in api_log
    assert "## 0.3.1" in web_log
    assert "the button's colour" in web_log
    assert "widgets" not in web_log
    assert 'version = "1.1.0"' in mono.remote.show(f"{sha}:services/api/pyproject.toml")
    assert '"version": "0.3.1"' in mono.remote.show(f"{sha}:services/web/package.json")
    # No changelog at the root, none for the package that was not due.
    for path in ("CHANGELOG.md", "docs/CHANGELOG.md"):
        probe = subprocess.run(
            ["git", "--git-dir", str(mono.remote.path), "cat-file", "-e", f"{sha}:{path}"],
            capture_output=True,
            check=False,
        )
        assert probe.returncode != 0, path
    return sha


def read_outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def pushes(trace: Path) -> list[str]:
    return [
        line.split("trace: built-in: ", 1)[1]
        for line in trace.read_text().splitlines()
        if "trace: built-in: git push" in line
    ]


# -- the release ------------------------------------------------------------------------------


def test_two_due_packages_one_commit_two_tags_one_push(
    mono: Mono, bot: CliRunner, tmp_path: Path
) -> None:
    before = mono.remote.head()
    output = tmp_path / "github-output"
    output.write_text("")
    trace = tmp_path / "git-trace.log"
    env = {"GITHUB_OUTPUT": str(output), "GIT_TRACE": str(trace)}

    result = bot("-C", mono.root, "release", "--json", env=env)

    assert result.exit_code == 0, result.stderr
    sha = assert_released(mono, before)
    assert mono.repo.head() == sha
    assert mono.repo.run("status", "--porcelain") == ""
    assert len(pushes(trace)) == 1, pushes(trace)
    assert "--atomic" in pushes(trace)[0]
    # The tag messages hold each package's own notes.
    api_tag = mono.repo.run("tag", "--list", "--format=%(contents)", "api-v1.1.0")
    assert api_tag.startswith("1.1.0\n")
    assert "list the widgets" in api_tag
    assert "button" not in api_tag
    document = json.loads(result.stdout)
    assert document["released"] == "true"
    assert document["sha"] == sha
    assert json.loads(document["packages"]) == ["api", "web"]
    releases = json.loads(document["releases"])
    assert set(releases) == {"api", "web"}
    assert releases["api"]["tag"] == "api-v1.1.0"
    assert releases["api"]["version"] == "1.1.0"
    assert releases["api"]["previous_version"] == "1.0.0"
    assert releases["api"]["released"] is True
    assert releases["web"]["tag"] == "web-v0.3.1"
    assert releases["web"]["is_prerelease"] == "false"
    outputs = read_outputs(output)
    assert outputs["released"] == "true"
    assert outputs["sha"] == sha
    assert json.loads(outputs["packages"]) == ["api", "web"]
    assert json.loads(outputs["releases"]) == releases

    output.write_text("")
    again = bot("-C", mono.root, "release", "--json", env=env)

    assert again.exit_code == 0, again.stderr
    assert mono.remote.head() == sha
    assert mono.repo.head() == sha
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0", "web-v0.3.1"])
    second = json.loads(again.stdout)
    assert second["released"] == "false"
    assert json.loads(second["packages"]) == []
    assert read_outputs(output)["released"] == "false"


def test_only_the_named_package_is_released(mono: Mono, run_cli: CliRunner) -> None:
    before = mono.remote.head()

    result = run_cli("-C", mono.root, "release", "--json", "--package", "api")

    assert result.exit_code == 0, result.stderr
    sha = mono.remote.head()
    assert mono.remote.git("rev-parse", f"{sha}^") == before
    message = mono.remote.git("log", "-1", "--format=%B", sha).strip()
    assert message == ("chore(release): api-v1.1.0 [skip ci]\n\nVersionbot-Release: api-v1.1.0")
    changed = mono.remote.git("diff-tree", "--no-commit-id", "--name-only", "-r", sha)
    assert changed.split() == ["services/api/CHANGELOG.md", "services/api/pyproject.toml"]
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0"])
    assert json.loads(result.json()["packages"]) == ["api"]


def test_bot_changelog_after_a_release_keeps_the_released_sections(
    mono: Mono, run_cli: CliRunner
) -> None:
    """The section ``bot release`` wrote is what ``bot changelog`` would write: it stays byte
    for byte; only the earlier release the file never had is added, once."""
    release(mono)
    mono.repo.run("pull", "--quiet", "--ff-only", "origin", "main")
    released = {
        name: (mono.root / f"services/{name}/CHANGELOG.md").read_text() for name in ("api", "web")
    }

    first = run_cli("-C", mono.root, "changelog")
    second = run_cli("-C", mono.root, "changelog")

    assert first.exit_code == 0, first.stderr
    assert first.stdout == (
        "services/api/CHANGELOG.md: wrote 1.0.0\n"
        "services/web/CHANGELOG.md: wrote 0.3.0\n"
        "docs/CHANGELOG.md: wrote 1.0.0\n"
    )
    for name, text in released.items():
        section = text[text.index("\n## ") + 1 :]
        assert section in (mono.root / f"services/{name}/CHANGELOG.md").read_text()
    assert second.stdout.count("is up to date") == 3


def test_a_package_with_only_docs_commits_is_not_released(mono: Mono) -> None:
    outcome = release(mono)

    assert sorted(outcome.packages) == ["api", "web"]
    assert "docs" not in outcome.packages
    assert not any(t.startswith("docs-v1.0.1") for t in remote_tags(mono))


def test_a_second_run_and_a_run_with_nothing_due_change_nothing(
    make_repo: RepoFactory, sealed_env: SealedEnv, tmp_path: Path
) -> None:
    mono = make_mono(make_repo, sealed_env, tmp_path)
    first = release(mono)
    assert first.released
    sha = mono.remote.head()

    outcome = release(mono)

    # HEAD carries the tags: the run looks at that release again, finds it done, pushes nothing.
    assert not outcome.released
    assert sorted(outcome.packages) == ["api", "web"]
    assert not any(o.released for o in outcome.packages.values())
    assert outcome.log[0] == f"api-v1.1.0, web-v0.3.1 already released on HEAD {sha[:7]}"
    assert mono.remote.head() == sha
    assert mono.repo.head() == sha

    # A commit of no package after the release: no package is due.
    mono.repo.commit("chore: tidy", {"Makefile": "all:\n"})
    mono.repo.run("push", "--quiet", "origin", "main")
    idle = release(mono)
    assert idle.packages == {}
    assert idle.log == ["nothing to release: no package has a release due"]
    assert mono.remote.tags() == sorted([*BASE_TAGS, "api-v1.1.0", "web-v0.3.1"])


# -- resuming a crashed run -------------------------------------------------------------------


def test_a_run_that_crashed_after_the_commit_is_finished_without_a_second_commit(
    mono: Mono,
) -> None:
    before = mono.remote.head()
    with pytest.raises(Crash):
        crashed_release(mono, "after-commit")
    made = mono.repo.head()
    assert made != before
    assert mono.repo.run("tag", "--list", "api-v1.1.0") == ""
    assert mono.remote.head() == before

    outcome = release(mono)

    assert outcome.released
    assert outcome.sha == made
    assert any("resuming" in line for line in outcome.log), outcome.log
    assert assert_released(mono, before) == made


def test_a_release_commit_made_by_hand_is_tagged_and_pushed(mono: Mono) -> None:
    """The trailers alone mark a commit as the release of those tags (as a crashed run left it)."""
    before = mono.remote.head()
    mono.repo.write("services/api/CHANGELOG.md", "# Changelog\n\n## 1.1.0 (2024-06-01)\n")
    mono.repo.write("services/api/pyproject.toml", API_PYPROJECT.replace("1.0.0", "1.1.0"))
    mono.repo.write("services/web/CHANGELOG.md", "# Changelog\n\n## 0.3.1 (2024-06-01)\n")
    mono.repo.write("services/web/package.json", WEB_PACKAGE.replace("0.3.0", "0.3.1"))
    made = mono.repo.commit(f"{SUBJECT}\n\n{TRAILERS}\n")

    outcome = release(mono)

    assert outcome.released
    assert outcome.sha == made
    assert mono.remote.head() == made
    assert mono.remote.git("rev-parse", f"{made}^") == before
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0", "web-v0.3.1"])
    assert mono.remote.git("rev-parse", "refs/tags/web-v0.3.1^{commit}") == made


def test_bot_tag_makes_one_package_tag_that_the_next_run_completes(
    mono: Mono, run_cli: CliRunner
) -> None:
    before = mono.remote.head()

    unnamed = run_cli("-C", mono.root, "tag")
    too_low = run_cli("-C", mono.root, "tag", "--package", "api", "1.0.1")
    tagged = run_cli("-C", mono.root, "tag", "--package", "api", "--push", "--json")

    assert unnamed.exit_code == 2
    assert "bot tag --package NAME" in unnamed.stderr
    assert too_low.exit_code == 4
    assert "below 1.1.0" in too_low.stderr
    assert tagged.exit_code == 0, tagged.stderr
    assert json.loads(tagged.stdout) == {
        "tag": "api-v1.1.0",
        "version": "1.1.0",
        "sha": before,
        "pushed": True,
    }
    message = mono.remote.git("tag", "-l", "--format=%(contents)", "api-v1.1.0")
    assert message.startswith("1.1.0\n")
    assert "list the widgets" in message
    assert "button" not in message
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0"])

    outcome = release(mono)

    # The hand-made tag is api's release; web, due too, is released in a commit on top.
    assert sorted(outcome.packages) == ["api", "web"]
    assert remote_tags(mono) == sorted([*BASE_TAGS, "api-v1.1.0", "web-v0.3.1"])
    head = mono.remote.head()
    assert mono.remote.git("rev-parse", f"{head}^") == before
    assert mono.remote.git("rev-parse", "refs/tags/api-v1.1.0^{commit}") == before
    assert mono.remote.git("rev-parse", "refs/tags/web-v0.3.1^{commit}") == head


def test_a_tag_checkout_completes_the_tagged_packages_alone(mono: Mono) -> None:
    # web had a release candidate on its first fix, then another fix; a person then tags
    # HEAD as api's first candidate and as web's final, and pushes the tags.
    mono.repo.tag("web-v0.3.1-rc.1", annotated=True, sha=mono.repo.run("rev-parse", "HEAD~1"))
    mono.repo.commit("fix: the button's border", {"services/web/border.js": "export {};\n"})
    mono.repo.commit("feat: list the gadgets", {"docs/gadgets.md": "# Gadgets\n"})
    head = mono.repo.head()
    mono.repo.tag("api-v1.1.0-rc.1", annotated=True)
    mono.repo.tag("web-v0.3.1", annotated=True)
    mono.repo.run("push", "--quiet", "origin", "main", "--tags")
    mono.repo.checkout("web-v0.3.1", detach=True)  # the tag-push workflow's checkout

    outcome = release(mono)

    # docs is due too (a feat), but a tag's checkout has no branch to commit a release on.
    assert sorted(outcome.packages) == ["api", "web"]
    api, web = outcome.packages["api"], outcome.packages["web"]
    assert (str(api.version), str(api.previous_version)) == ("1.1.0-rc.1", "1.0.0")
    assert (str(web.version), str(web.previous_version)) == ("0.3.1", "0.3.0")
    assert api.sha == web.sha == head
    assert api.notes is not None
    assert web.notes is not None
    assert "list the widgets" in api.notes
    # The final's notes hold every change since the last final, its candidate's too.
    assert "the button's colour" in web.notes
    assert "the button's border" in web.notes
    assert mono.remote.head() == head
    assert not any(t.startswith("docs-v1.1") for t in remote_tags(mono))


def test_tags_made_but_not_pushed_are_pushed_by_the_next_run(mono: Mono) -> None:
    before = mono.remote.head()
    with pytest.raises(Crash):
        crashed_release(mono, "before-push")
    made = mono.repo.head()
    assert mono.repo.run("rev-parse", "api-v1.1.0^{commit}") == made
    assert mono.repo.run("rev-parse", "web-v0.3.1^{commit}") == made
    assert remote_tags(mono) == BASE_TAGS

    outcome = release(mono)

    assert outcome.released
    assert sorted(outcome.packages) == ["api", "web"]
    assert assert_released(mono, before) == made
    assert mono.repo.head() == made


def test_a_run_that_crashed_between_its_tags_is_finished(mono: Mono) -> None:
    before = mono.remote.head()
    with pytest.raises(Crash):
        crashed_release(mono, "after-tag")  # after the first tag (api's)
    made = mono.repo.head()
    assert mono.repo.run("tag", "--list", "api-v1.1.0") == "api-v1.1.0"
    assert mono.repo.run("tag", "--list", "web-v0.3.1") == ""

    outcome = release(mono)

    assert outcome.released, outcome.log
    assert assert_released(mono, before) == made


def test_loop_safety_a_clone_at_the_release_commit_releases_nothing(
    mono: Mono, tmp_path: Path
) -> None:
    release(mono)
    sha = mono.remote.head()
    tags = remote_tags(mono)
    for name, args in (("with-tags", ()), ("no-tags", ("--no-tags",))):
        clone = tmp_path / name
        subprocess.run(
            ["git", "clone", "--quiet", *args, mono.remote.path.as_uri(), str(clone)],
            check=True,
            env=mono.env,
            capture_output=True,
        )
        copy = Mono(GitRepo(clone, mono.repo.env, [0]), mono.remote, mono.env)
        outcome = release(copy)
        assert not outcome.released, (name, outcome.log)
        if name == "no-tags":
            # Without tags every package looks due, from its first commit: the trailers stop it.
            assert outcome.log == [
                f"HEAD {sha[:7]} is the release commit of api-v1.1.0, web-v0.3.1: "
                "nothing to release"
            ]
        else:
            assert outcome.log[0] == f"api-v1.1.0, web-v0.3.1 already released on HEAD {sha[:7]}"
        assert mono.remote.head() == sha
        assert remote_tags(mono) == tags


def test_after_one_package_is_released_the_others_are_released_on_top(mono: Mono) -> None:
    """After ``--package api``, web is still due: a run on api's release commit finds api's
    release done and releases web in a commit on top (the release commit itself counts for no
    package, so it never makes one due)."""
    release(mono, only="api")
    api_release = mono.remote.head()

    outcome = release(mono)

    assert outcome.released
    assert sorted(outcome.packages) == ["api", "web"]
    assert outcome.packages["api"].released is False  # only finished: nothing left to do
    assert outcome.packages["web"].released is True
    assert outcome.log[:2] == [
        f"committed {outcome.sha[:7] if outcome.sha else ''} chore(release): web-v0.3.1 [skip ci]",
        f"tagged web-v0.3.1 on {outcome.sha[:7] if outcome.sha else ''}",
    ]
    assert mono.remote.git("rev-parse", "HEAD^") == api_release
    assert mono.remote.git("rev-parse", "refs/tags/api-v1.1.0^{commit}") == api_release
    assert "web-v0.3.1" in remote_tags(mono)

    again = release(mono)
    assert not again.released
    assert mono.remote.head() == outcome.sha


# -- races ------------------------------------------------------------------------------------


def _push_from_elsewhere(mono: Mono, tmp_path: Path) -> Callable[[], None]:
    """Someone else's push to main (from another clone), for a fault point to run."""

    def push() -> None:
        other = tmp_path / "someone-else"
        subprocess.run(
            ["git", "clone", "--quiet", mono.remote.path.as_uri(), str(other)],
            check=True,
            env=mono.env,
            capture_output=True,
        )
        repo = GitRepo(other, mono.repo.env, [1_800_000_000])
        repo.commit("fix: theirs", {"services/web/theirs.js": "1\n"})
        repo.run("push", "--quiet", "origin", "main")

    return push


def test_the_branch_moved_before_the_push_nothing_is_pushed_and_nothing_kept(
    mono: Mono, tmp_path: Path
) -> None:
    before = mono.repo.head()

    with pytest.raises(SupersededError):
        crashed_release(mono, "before-push", _push_from_elsewhere(mono, tmp_path))

    theirs = mono.remote.head()
    assert mono.remote.git("log", "-1", "--format=%s", theirs) == "fix: theirs"
    assert remote_tags(mono) == BASE_TAGS
    # The loser takes back its commit and its tags.
    assert mono.repo.head() == before
    assert mono.repo.run("tag", "--list").split() == BASE_TAGS
    assert mono.repo.run("status", "--porcelain") == ""


def test_the_branch_moved_before_the_run_exits_8(
    mono: Mono, tmp_path: Path, bot: CliRunner
) -> None:
    before = mono.repo.head()
    _push_from_elsewhere(mono, tmp_path)()
    output = tmp_path / "github-output"
    output.write_text("")

    result = bot("-C", mono.root, "release", env={"GITHUB_OUTPUT": str(output)})

    assert result.exit_code == SupersededError.exit_code == 8, result.stderr
    assert "moved past" in result.stderr
    assert remote_tags(mono) == BASE_TAGS
    assert mono.repo.head() == before
    assert mono.repo.run("tag", "--list").split() == BASE_TAGS
    assert read_outputs(output)["released"] == "false"


# -- the forge --------------------------------------------------------------------------------


def test_one_forge_release_per_package_none_latest(mono: Mono, forge: ForgeServer) -> None:
    mono.env |= {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }

    outcome = release(mono)

    sha = mono.remote.head()
    releases = {r["tag_name"]: r for r in forge.releases_of("acme/app")}
    assert sorted(releases) == ["api-v1.1.0", "web-v0.3.1"]
    for tag, release_data in releases.items():
        assert release_data["target_commitish"] == sha
        assert release_data["name"] == tag
        assert release_data["prerelease"] is False
    assert "list the widgets" in releases["api-v1.1.0"]["body"]
    assert "button" not in releases["api-v1.1.0"]["body"]
    assert "the button's colour" in releases["web-v0.3.1"]["body"]
    assert "widgets" not in releases["web-v0.3.1"]["body"]
    posts = [r.body for r in forge.requests if r.method == "POST"]
    assert len(posts) == 2
    assert [p["make_latest"] for p in posts] == ["false", "false"]
    assert outcome.packages["api"].forge_url == releases["api-v1.1.0"]["html_url"]
    assert FORGE_TOKEN not in "\n".join(outcome.log)

    forge.requests.clear()
    again = release(mono)
    assert not again.released
    assert len(forge.releases_of("acme/app")) == 2


def test_a_forge_release_missed_by_a_crash_is_made_by_the_next_run(
    mono: Mono, forge: ForgeServer
) -> None:
    with pytest.raises(Crash):
        crashed_release(mono, "after-push")
    assert "api-v1.1.0" in remote_tags(mono)
    assert forge.releases_of("acme/app") == []
    mono.env |= {
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": FORGE_TOKEN,
    }

    outcome = release(mono)

    assert sorted(r["tag_name"] for r in forge.releases_of("acme/app")) == [
        "api-v1.1.0",
        "web-v0.3.1",
    ]
    assert outcome.released


# -- images -----------------------------------------------------------------------------------


def _registry_tags(server: RegistryServer, repository: str) -> list[str]:
    with server.http() as client:
        response = client.get(f"/v2/{repository}/tags/list")
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return sorted(response.json().get("tags") or [])


@dataclass
class WithImages:
    """A monorepo whose api package has ``[packages.api.images]``: its built image (``source``,
    pinned by digest) and the repository it is tagged in (``target``)."""

    mono: Mono
    source: str
    target: str


@pytest.fixture
def with_images(
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    registry_plain: RegistryServer,
    image_in: ImageFactory,
) -> Callable[[str], WithImages]:
    """Makes the monorepo; its argument is more of the images table (e.g. its ``tags``)."""

    def make(more: str = "") -> WithImages:
        source = image_in(registry_plain)
        target = f"{registry_plain.host}/mono/{tmp_path.name.lower()}-api"
        extra = f'\n[packages.api.images]\nnames = ["{target}"]\nsource = "{source}"\n{more}'
        return WithImages(make_mono(make_repo, sealed_env, tmp_path, extra=extra), source, target)

    return make


def test_a_package_with_images_gets_its_image_tags(
    with_images: Callable[[str], WithImages], registry_plain: RegistryServer
) -> None:
    made = with_images('tags = ["{version}", "{major}.{minor}"]\n')
    mono, source, target = made.mono, made.source, made.target

    outcome = release(mono)

    repository = target.split("/", 1)[1]
    assert _registry_tags(registry_plain, repository) == ["1.1", "1.1.0"]
    api = outcome.packages["api"]
    assert {ref for ref, _ in api.image_digests} == {f"{target}:1.1.0", f"{target}:1.1"}
    assert {digest for _, digest in api.image_digests} == {source.split("@", 1)[1]}
    assert outcome.packages["web"].image_digests == []

    # A second run finds the release done and the tags in place.
    again = release(mono)
    assert not again.released
    assert _registry_tags(registry_plain, repository) == ["1.1", "1.1.0"]


def test_bot_images_plans_and_pushes_one_package_images(
    with_images: Callable[[str], WithImages], run_cli: CliRunner
) -> None:
    made = with_images("")
    mono, target = made.mono, made.target

    unnamed = run_cli("-C", mono.root, "images", "plan")
    no_images = run_cli("-C", mono.root, "images", "plan", "--package", "web")
    planned = run_cli("-C", mono.root, "images", "plan", "--package", "api", "--json")
    too_early = run_cli("-C", mono.root, "images", "push", "--package", "api")

    assert unnamed.exit_code == 2
    assert "bot images plan --package NAME" in unnamed.stderr
    assert no_images.exit_code == 2
    assert "no images are configured for package web" in no_images.stderr
    assert planned.exit_code == 0, planned.stderr
    tags = {t["tag"]: t["pushed"] for t in json.loads(planned.stdout)["tags"]}
    assert tags == {"1.1.0": True, "1.1": True, "1": True, "latest": True}
    assert too_early.exit_code == 2
    assert "HEAD carries no release tag" in too_early.stderr

    release(mono)
    mono.repo.run("pull", "--quiet", "--ff-only", "origin", "main")
    after = run_cli("-C", mono.root, "images", "plan", "--package", "api", "--json")
    pushed = run_cli("-C", mono.root, "images", "push", "--package", "api", "--json")

    # HEAD's release, planned as it was made: the same tags, all there already.
    assert json.loads(after.stdout) == json.loads(planned.stdout)
    assert pushed.exit_code == 0, pushed.stderr
    listing = json.loads(pushed.stdout)
    assert sorted(p["ref"] for p in listing) == sorted(f"{target}:{t}" for t in tags)
    assert not any(p["pushed"] for p in listing)


def test_package_web_right_after_package_api_is_released(mono: Mono) -> None:
    release(mono, only="api")
    config = load_config(mono.root)
    git = git_writer(mono.root, config, mono.env)
    requests = requests_for(mono.root)
    plans = package_plans(mono.root, config, requests)
    at_head = releases_at_head(mono.root, config, requests, plans)
    releases = direct_releases(plans, at_head, config, git, remote=True)
    assert [p.package.name for p in releases.at_head] == ["api"]  # HEAD's release, finished
    assert [p.package.name for p in releases.new] == ["web"]

    outcome = release(mono, only="web")

    assert outcome.released, outcome.log
    assert sorted(outcome.packages) == ["web"]
    assert "web-v0.3.1" in remote_tags(mono)
