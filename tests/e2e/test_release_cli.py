"""The installed ``bot release``, run as a subprocess the way a GitHub Actions job runs it.

Sealed environment (tests/conftest.py) plus what Actions sets: ``GITHUB_ACTIONS=true``,
``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files, ``GITHUB_REPOSITORY``, ``GITHUB_API_URL``
and one ``GITHUB_TOKEN`` that serves both the git push (to our authenticated smart-HTTP
server, tests/git_remote.py) and the forge API (tests/forge_server.py, a strict local stand-in
for GitHub's releases API: NOT a real forge). What is checked is what CI sees: exit codes,
stdout and stderr, the step outputs and summary, and where the token never shows up.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory, SealedEnv
from forge_server import ForgeServer, recorded_bodies
from git_remote import (
    GitHttpServer,
    Remote,
    assert_released_once,
    ci_checkout,
    clone_remote,
    git_http_server,
    seed_project,
)

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(60)

# Actions checks out with no git identity; the bot must fall back to the Actions bot.
_NO_IDENTITY = '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'


@pytest.fixture(scope="module")
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    with git_http_server(tmp_path_factory.mktemp("git-http")) as server:
        yield server


@pytest.fixture(scope="module")
def forge_module(git_server: GitHttpServer) -> Iterator[ForgeServer]:
    with ForgeServer(git_server.token) as server:  # one token for git and forge, as in Actions
        yield server


@pytest.fixture
def forge(forge_module: ForgeServer) -> Iterator[ForgeServer]:
    forge_module.reset()
    yield forge_module
    assert forge_module.violations == []


@dataclass
class Job:
    """One CI job's checkout and environment."""

    repo: GitRepo
    remote: Remote
    env: dict[str, str | None]
    output: Path
    summary: Path
    token: str

    def outputs(self) -> dict[str, str]:
        """The last value of each key in $GITHUB_OUTPUT."""
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)

    def everything(self, *results: CliResult) -> str:
        """Every text this job made visible: output, logs, files, git's config."""
        git_dir = self.repo.path / ".git"
        texts = [r.stdout + r.stderr for r in results]
        texts += [
            self.output.read_text(),
            self.summary.read_text() if self.summary.exists() else "",
        ]
        texts += [(git_dir / "config").read_text(), self.repo.run("remote", "-v")]
        changelog = self.repo.path / "CHANGELOG.md"
        texts.append(changelog.read_text() if changelog.exists() else "")
        return "\n".join(texts)


@pytest.fixture
def job(
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    git_server: GitHttpServer,
    forge: ForgeServer,
) -> Job:
    url, path = git_server.new_repo(tmp_path.name)
    repo = make_repo("app")
    seed_project(repo, path, url)
    no_identity = tmp_path / "actions-gitconfig"
    no_identity.write_text(_NO_IDENTITY)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    env: dict[str, str | None] = {
        "GIT_CONFIG_GLOBAL": str(no_identity),
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": git_server.token,
        "VERSIONBOT_GIT_USERNAME": git_server.user,
        "EMAIL": None,
        "SOURCE_DATE_EPOCH": "1717200000",  # 2024-06-01, the date assert_released_once expects
    }
    return Job(repo, Remote(path), env, output, summary, git_server.token)


def test_release_in_github_actions(job: Job, bot: CliRunner, forge: ForgeServer) -> None:
    before = job.remote.head()
    result = bot("-C", job.repo.path, "release", env=job.env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    sha = job.remote.head()
    assert result.stdout.splitlines()[:3] == [
        f"committed {sha[:7]} chore(release): 0.2.0 [skip ci]",
        f"tagged v0.2.0 on {sha[:7]}",
        f"pushed {sha[:7]} and v0.2.0 to origin",
    ]
    [release] = forge.releases_of("acme/app")
    assert job.outputs() == {
        "released": "true",
        "version": "0.2.0",
        "tag": "v0.2.0",
        "previous_version": "0.1.0",
        "is_prerelease": "false",
        "sha": sha,
        "forge_url": release["html_url"],
        "image_digests": "{}",
        "prepared": "false",
    }
    summary = job.summary.read_text()
    assert summary.startswith("### Released v0.2.0\n")
    assert "add the thing" in summary
    who = job.remote.git("log", "-1", "--format=%an <%ae>", "main")
    assert who == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    assert job.token not in job.everything(result)
    # The next push event is the bot's own commit: nothing happens, exit 0, and it says so.
    job.output.write_text("")
    again = bot("-C", job.repo.path, "release", env=job.env)
    assert again.exit_code == 0, again.stderr
    assert "v0.2.0 is already released on HEAD" in again.stdout
    assert job.outputs()["released"] == "false"
    assert job.remote.head() == sha
    assert len(forge.releases_of("acme/app")) == 1
    assert job.token not in job.everything(again)
    assert_released_once(job.remote, before)


def test_a_moved_branch_exits_8_and_says_the_next_run_releases(
    job: Job, bot: CliRunner, tmp_path: Path
) -> None:
    before = job.remote.head()
    other = clone_remote(job.remote, job.repo, tmp_path / "other")
    other.commit("feat: newer")
    other.run("push", "--quiet", "origin", "main")
    result = bot("-C", job.repo.path, "release", env=job.env)
    assert result.exit_code == 8
    [error, hint] = result.stderr.splitlines()
    assert error.startswith("error: origin/main moved past")
    assert error.endswith("nothing was pushed")
    assert hint == "hint: the run for the newer commit releases it; nothing to do here"
    assert job.outputs()["released"] == "false"
    assert job.remote.tags() == ["v0.1.0"]
    assert job.repo.head() == before
    assert job.token not in job.everything(result)


def test_debug_keeps_the_exit_code_of_a_lost_race(job: Job, bot: CliRunner, tmp_path: Path) -> None:
    """--debug adds the traceback; the exit code and the error and hint lines stay (a workflow
    that turns on --debug still tells a lost race, 8, from a failure)."""
    other = clone_remote(job.remote, job.repo, tmp_path / "other")
    other.commit("feat: newer")
    other.run("push", "--quiet", "origin", "main")
    result = bot("-C", job.repo.path, "--debug", "release", env=job.env)
    assert result.exit_code == 8
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "versionbot.core.errors.SupersededError: origin/main moved past" in result.stderr
    error, hint = result.stderr.splitlines()[-2:]
    assert error.startswith("error: origin/main moved past")
    assert hint == "hint: the run for the newer commit releases it; nothing to do here"
    assert job.outputs()["released"] == "false"
    assert job.token not in job.everything(result)


def test_lost_race_ok_makes_a_lost_race_a_successful_no_op(
    job: Job, bot: CliRunner, tmp_path: Path
) -> None:
    before = job.remote.head()
    other = clone_remote(job.remote, job.repo, tmp_path / "other")
    newer = other.commit("feat: newer")
    other.run("push", "--quiet", "origin", "main")
    said = f"origin/main moved past {before[:7]} to {newer[:7]}; nothing was pushed"
    result = bot("-C", job.repo.path, "release", "--lost-race-ok", env=job.env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"note: {said}\n"
    outputs = job.outputs()
    assert [outputs[key] for key in ("released", "version", "tag", "sha", "forge_url")] == [
        "false",
        "",
        "",
        "",
        "",
    ]
    assert job.summary.read_text().startswith("### No release\n")
    assert "moved past" in job.summary.read_text()
    assert job.remote.head() == newer
    assert job.remote.tags() == ["v0.1.0"]
    assert job.repo.head() == before
    # With --json the document still comes, as on any exit 0.
    as_json = bot("-C", job.repo.path, "release", "--lost-race-ok", "--json", env=job.env)
    assert as_json.exit_code == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["released"] == "false"
    assert document["log"] == [said]
    # Only a lost race: any other failure keeps its exit code.
    wrong = job.env | {"VERSIONBOT_GIT_TOKEN": "gt_" + "f" * 40}
    failed = bot("-C", job.repo.path, "release", "--lost-race-ok", env=wrong)
    assert failed.exit_code == 3
    assert failed.stderr.startswith("error: ")
    assert job.token not in job.everything(result, as_json, failed)


def test_failures_are_one_line_each_and_never_show_the_token(
    job: Job, bot: CliRunner, forge: ForgeServer
) -> None:
    results = []
    # A wrong git token (the forge's one is right): git's refusal, redacted.
    wrong = job.env | {"VERSIONBOT_GIT_TOKEN": "gt_" + "f" * 40}
    result = bot("-C", job.repo.path, "release", env=wrong)
    results.append(result)
    assert result.exit_code == 3
    assert result.stderr.startswith("error: git ls-remote failed: fatal: Authentication failed")
    assert "gt_ffff" not in result.stderr
    # The forge fails every try (and its error bodies quote the Authorization header).
    forge.echo_credentials()
    forge.fail_next(5, 500, retry_after="0", after=1)  # after the check before the push
    result = bot("-C", job.repo.path, "release", env=job.env)
    results.append(result)
    assert result.exit_code == 7, result.stderr
    assert len(result.stderr.splitlines()) == 2
    assert "GitHub failed to read the release of v0.2.0" in result.stderr
    # A re-run finishes the release.
    result = bot("-C", job.repo.path, "release", env=job.env)
    results.append(result)
    assert result.exit_code == 0, result.stderr
    assert "already released" in result.stdout
    assert json.loads(job.outputs()["image_digests"]) == {}
    assert job.outputs()["released"] == "true"  # this run made the forge release
    assert len(forge.releases_of("acme/app")) == 1
    # A GitHub repository with no token: says what is missing.
    no_token = job.env | {"GITHUB_TOKEN": None}
    job.repo.commit("fix: one more", {"src/pkg/more.py": "MORE = 1\n"})
    result = bot("-C", job.repo.path, "release", env=no_token)
    results.append(result)
    assert result.exit_code == 2
    assert "no GITHUB_TOKEN or GH_TOKEN" in result.stderr
    assert job.token not in job.everything(*results)


def test_no_remote_says_what_is_missing(job: Job, bot: CliRunner) -> None:
    job.repo.run("remote", "remove", "origin")
    result = bot("-C", job.repo.path, "release", env=job.env)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: there is no git remote named 'origin' to push the release to",
        "hint: add one (git remote add origin URL) or set remote in the configuration",
    ]
    assert job.repo.run("status", "--porcelain", "--untracked-files=all") == ""


@pytest.fixture
def built(registry_basic: RegistryServer, image_in: ImageFactory) -> tuple[RegistryServer, str]:
    """The image CI built, pinned by digest, in a registry with basic auth."""
    return registry_basic, image_in(registry_basic)


@pytest.mark.parametrize("mode", ["direct", "pr"])
def test_the_tag_push_workflow_completes_a_release_candidate_with_no_flags(
    job: Job, bot: CliRunner, forge: ForgeServer, built: tuple[RegistryServer, str], mode: str
) -> None:
    registry_basic, source = built
    name, _, digest = source.partition("@")
    pyproject = (job.repo.path / "pyproject.toml").read_text()
    images = f'names = ["{name}"]\nsource = "{source}"\nchannel_tags = {{ rc = "next" }}\n'
    settings = f'mode = "{mode}"\n\n[tool.versionbot.images]\n{images}'
    job.repo.commit("ci: the image", {"pyproject.toml": pyproject + settings})
    job.repo.tag("v0.2.0-rc.1", annotated=True)  # git tag -a, then git push origin TAG
    job.repo.run("push", "--quiet", job.remote.path.as_uri(), "main", "v0.2.0-rc.1")
    main = job.remote.head()
    ci = clone_remote(job.remote, job.repo, job.repo.path.parent / "ci")  # checkout of the tag
    ci.run("remote", "set-url", "origin", job.repo.run("remote", "get-url", "origin"))
    ci.checkout("v0.2.0-rc.1", detach=True)
    env = job.env | registry_basic.env()

    plan = bot("-C", ci.path, "plan", env=env)
    result = bot("-C", ci.path, "release", env=env)

    assert plan.exit_code == 0, plan.stderr
    assert plan.stdout.rstrip().splitlines()[-1] == (
        "  next run   complete the release of v0.2.0-rc.1 at HEAD (push the tag if missing, "
        "forge release, image tags), committing nothing"
    )
    assert result.exit_code == 0, result.stderr
    outputs = job.outputs()
    assert {k: outputs[k] for k in ("released", "version", "is_prerelease", "sha")} == {
        "released": "true",
        "version": "0.2.0-rc.1",
        "is_prerelease": "true",
        "sha": main,
    }
    assert json.loads(outputs["image_digests"]) == {
        f"{name}:0.2.0-rc.1": digest,
        f"{name}:next": digest,
    }
    [release] = forge.releases_of("acme/app")
    assert (release["tag_name"], release["prerelease"]) == ("v0.2.0-rc.1", True)
    [created] = [b for b in recorded_bodies(forge, "POST") if "tag_name" in b]
    assert created["make_latest"] == "false"
    assert forge.pulls_of("acme/app") == []
    repository = name.split("/", 1)[1]
    with registry_basic.http() as client:
        listed = client.get(
            f"/v2/{repository}/tags/list",
            headers=registry_basic.authorization(f"repository:{repository}:pull"),
        ).json()["tags"]
    assert sorted(listed) == ["0.2.0-rc.1", "next", "src"]  # no 0.2, 0 or latest
    assert job.remote.head() == main
    assert job.remote.tags() == ["v0.1.0", "v0.2.0-rc.1"]
    assert job.token not in job.everything(plan, result)


# -- the documented direct flow: the image is built from the release commit -------------------

_DOCKERFILE = (
    "FROM scratch\nCOPY pyproject.toml CHANGELOG.md /app/\n"
    "ARG REVISION\nLABEL org.opencontainers.image.revision=$REVISION\n"
)


def _build_and_push(
    work: Path, context: Path, target: str, registry: RegistryServer, sha: str
) -> str:
    """What the workflow's build step does, daemonless: both platforms from ``context`` (the
    checkout), labelled with ``sha``, pushed as one index to ``target``; its digest."""
    from registry_fixtures import require_tool

    buildah = [require_tool("buildah"), "--root", str(work / "storage")]
    buildah += ["--runroot", str(work / "run"), "--storage-driver", "vfs"]
    manifest = f"flow-{uuid.uuid4().hex[:8]}"
    subprocess.run([*buildah, "manifest", "create", manifest], check=True, capture_output=True)
    for platform in ("linux/amd64", "linux/arm64"):
        subprocess.run(
            [
                *(*buildah, "build", "--quiet", "--isolation", "chroot", "--timestamp", "0"),
                *("--platform", platform, "--format", "oci", "--manifest", manifest),
                *("--build-arg", f"REVISION={sha}", str(context)),
            ],
            check=True,
            capture_output=True,
        )
    digest_file = work / f"{manifest}.digest"
    subprocess.run(
        [
            *(*buildah, "manifest", "push", "--all", "--format", "oci", "--tls-verify=false"),
            *("--digestfile", str(digest_file)),
            *("--authfile", str(registry.docker_config / "config.json")),
            *(manifest, f"docker://{target}"),
        ],
        check=True,
        capture_output=True,
    )
    return digest_file.read_text().strip()


def _image_files(registry: RegistryServer, repository: str, tag: str) -> tuple[dict[str, str], str]:
    """The files and the revision label of ``repository:tag``'s linux/amd64 image."""
    headers = registry.authorization(f"repository:{repository}:pull")
    oci = "application/vnd.oci.image"
    accept = {"Accept": f"{oci}.index.v1+json, {oci}.manifest.v1+json"}
    with registry.http() as client:
        index = client.get(f"/v2/{repository}/manifests/{tag}", headers=headers | accept).json()
        [amd64] = [m for m in index["manifests"] if m["platform"]["architecture"] == "amd64"]
        image = client.get(
            f"/v2/{repository}/manifests/{amd64['digest']}", headers=headers | accept
        ).json()
        config = client.get(
            f"/v2/{repository}/blobs/{image['config']['digest']}",
            headers=headers,
            follow_redirects=True,
        ).json()
        files = {}
        for layer in image["layers"]:
            blob = client.get(
                f"/v2/{repository}/blobs/{layer['digest']}", headers=headers, follow_redirects=True
            ).content
            with tarfile.open(fileobj=io.BytesIO(blob)) as archive:
                for member in archive.getmembers():
                    if member.isfile():
                        extracted = archive.extractfile(member)
                        assert extracted is not None
                        files[member.name] = extracted.read().decode()
    return files, config["config"]["Labels"]["org.opencontainers.image.revision"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("rerun", [False, True], ids=["one-run", "forge-fails-then-ci-rerun"])
def test_the_documented_flow_ships_the_release_commit_in_its_image(
    *,
    job: Job,
    bot: CliRunner,
    forge: ForgeServer,
    registry_basic: RegistryServer,
    tmp_path: Path,
    rerun: bool,
) -> None:
    """docs/github-actions.md's direct workflow: ``bot release --no-push``, build and push the
    image of the release commit as ``sha-<release commit>``, ``bot release``. The promoted image
    holds the released version files and changelog, and its revision label is the tagged
    commit. A failure after the push is finished by CI's re-run: a fresh clone at the
    triggering commit, the same steps, the build skipped (``prepared`` is false)."""
    name = f"{registry_basic.host}/flow/{uuid.uuid4().hex[:12]}"
    repository = name.split("/", 1)[1]
    pyproject = (job.repo.path / "pyproject.toml").read_text()
    images = f'[tool.versionbot.images]\nnames = ["{name}"]\nsource = "{name}:sha-{{sha}}"\n'
    job.repo.commit(
        "ci: build the image", {"pyproject.toml": pyproject + images, "Dockerfile": _DOCKERFILE}
    )
    job.repo.run("push", "--quiet", job.remote.path.as_uri(), "main")
    triggering = job.remote.head()
    env = job.env | registry_basic.env()

    def workflow(checkout: Path) -> list[CliResult]:
        prepare = bot("-C", checkout, "release", "--no-push", env=env)
        assert prepare.exit_code == 0, prepare.stderr
        steps = [prepare]
        if job.outputs()["prepared"] == "true":
            sha = job.outputs()["sha"]
            assert job.remote.head() == triggering  # nothing pushed yet
            _build_and_push(tmp_path, checkout, f"{name}:sha-{sha}", registry_basic, sha)
        steps.append(bot("-C", checkout, "release", env=env))
        return steps

    if rerun:
        # The GitHub release, after the push (both runs check the forge first).
        forge.fail_next(5, 500, retry_after="0", after=2)
    first = workflow(job.repo.path)
    if rerun:
        assert first[-1].exit_code == 7, first[-1].stderr
        assert forge.releases_of("acme/app") == []
        ci = ci_checkout(job.remote, job.repo, tmp_path / "ci", triggering)
        plan = bot("-C", ci.path, "plan", env=env)  # says what the re-run then does
        assert plan.exit_code == 0, plan.stderr
        assert plan.stdout.splitlines()[-1] == (
            "  next run   finish the release of v0.2.0, made past HEAD on origin/main (forge "
            "release, image tags), committing nothing and releasing nothing new"
        )
        again = workflow(ci.path)
        assert "released past HEAD: nothing to prepare" in again[0].stdout
        assert again[-1].exit_code == 0, again[-1].stderr
    else:
        assert first[-1].exit_code == 0, first[-1].stderr
    assert job.outputs()["released"] == "true"
    sha = assert_released_once(job.remote, triggering)
    [release] = forge.releases_of("acme/app")
    assert release["tag_name"] == "v0.2.0"
    digests = json.loads(job.outputs()["image_digests"])
    assert set(digests) == {f"{name}:{tag}" for tag in ("0.2.0", "0.2", "0", "latest")} - {
        f"{name}:0"
    }
    files, revision = _image_files(registry_basic, repository, "0.2.0")
    assert revision == sha  # the tagged commit, not its parent
    assert 'version = "0.2.0"' in files["app/pyproject.toml"]
    assert "## 0.2.0 (2024-06-01)" in files["app/CHANGELOG.md"]
    assert files["app/CHANGELOG.md"] == job.remote.show(f"{sha}:CHANGELOG.md") + (
        "" if job.remote.show(f"{sha}:CHANGELOG.md").endswith("\n") else "\n"
    )


def test_a_failed_release_still_writes_the_outputs_and_says_why(
    job: Job, bot: CliRunner, forge: ForgeServer
) -> None:
    forge.fail_next(5, 500, retry_after="0")  # the check before the push: nothing is pushed
    result = bot("-C", job.repo.path, "release", env=job.env)
    assert result.exit_code == 7, result.stderr
    outputs = job.outputs()
    assert outputs["released"] == "false"
    assert outputs["version"] == ""
    summary = job.summary.read_text()
    assert summary.startswith("### No release\n")
    assert "- failed (exit 7): GitHub failed to read the repository in acme/app" in summary
    assert job.token not in summary + job.output.read_text()
