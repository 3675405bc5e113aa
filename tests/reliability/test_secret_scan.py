"""No secret is ever shown or written: every failure scenario, scanned everywhere.

Recognisable secrets: the GitHub token (``GITHUB_TOKEN``), the git remote's token
(``VERSIONBOT_GIT_TOKEN``), the registry password (``VERSIONBOT_REGISTRY_<HOST>_PASSWORD``,
behind a Bearer-token registry), wrong tokens the user mistyped, and a token the *user* put in
the remote URL (``http://user:TOKEN@host/…`` as ``origin``). Each scenario runs the installed
``bot release`` (``-v`` too, so log records reach stderr) as a GitHub Actions job, and one runs
in this process under ``caplog`` at DEBUG. Scanned: stdout, stderr, log records,
``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``, ``CHANGELOG.md``, the release commit and tag
messages, ``.git/config`` (which must be byte for byte what the user had: the bot adds nothing,
not even their own credential elsewhere). The forge stand-in quotes the Authorization header it
was sent back in its error bodies, as a careless proxy would.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import CliResult, CliRunner, RepoFactory
from forge_server import ForgeServer
from git_remote import GitHttpServer, clone_remote
from leaks import leaked
from reliability.harness import FORGE_TOKEN, Images, Project, new_project

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(120)

WRONG_FORGE = "ghp_WRONGFORGETOKEN0123456789abcdefghij"
WRONG_GIT = "gt_wrong0123456789abcdef0123456789abcdef"
WRONG_REGISTRY = "wrong-registry-password-0123456789"


@dataclass
class Scan:
    """The secrets of a job and every text its runs made visible."""

    secrets: list[str]
    texts: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, text: str) -> None:
        """One more text to scan."""
        self.texts[f"{where} #{len(self.texts)}"] = text

    def leaks(self) -> list[tuple[str, str]]:
        """(where, which secret) for every occurrence, as is or encoded: must be empty."""
        return [
            (where, secret[:8] + "…")
            for where, text in self.texts.items()
            for secret in self.secrets
            if leaked(secret, text)
        ]


@dataclass
class Job:
    """A GitHub Actions job releasing a project with images on a Bearer-token registry."""

    project: Project
    scan: Scan
    output: Path
    summary: Path
    git_config: bytes

    def run(self, bot: CliRunner, env: dict[str, str | None] | None = None) -> CliResult:
        """``bot -v release`` with the job's environment (plus ``env``), every text scanned."""
        variables: dict[str, str | None] = {**self.project.env, **(env or {})}
        result = bot("-C", self.project.root, "-v", "release", env=variables)
        assert "Traceback" not in result.stderr, result.stderr
        self.scan.add("stdout", result.stdout)
        self.scan.add("stderr", result.stderr)
        self.collect()
        return result

    def collect(self) -> None:
        """The files a run may have written, and git's messages."""
        root = self.project.root
        for name, path in (
            ("GITHUB_OUTPUT", self.output),
            ("GITHUB_STEP_SUMMARY", self.summary),
            ("CHANGELOG.md", root / "CHANGELOG.md"),
        ):
            if path.exists():
                self.scan.add(name, path.read_text(encoding="utf-8", errors="replace"))
        repo = self.project.repo
        self.scan.add("git log", repo.run("log", "--format=%B", "-3"))
        self.scan.add("git tags", repo.run("tag", "-l", "--format=%(contents)"))
        assert (root / ".git" / "config").read_bytes() == self.git_config


@pytest.fixture
def job(
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_token: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
) -> Iterator[Job]:
    source = image_in(registry_token)
    images = Images(
        registry_token.host,
        source,
        source.partition("@")[2],
        f"{registry_token.host}/secret/{uuid.uuid4().hex[:12]}",
    )
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.touch()
    extra = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        **registry_token.env(),
    }
    project = new_project(
        make_repo,
        f"secret-{uuid.uuid4().hex[:8]}",
        git_server,
        forge,
        images=images,
        extra_env=extra,
    )
    forge.echo_credentials()
    secrets = [
        FORGE_TOKEN,
        git_server.token,
        registry_token.password,
        WRONG_FORGE,
        WRONG_GIT,
        WRONG_REGISTRY,
    ]
    git_config = (project.root / ".git" / "config").read_bytes()
    the_job = Job(project, Scan(secrets), output, summary, git_config)
    yield the_job
    assert the_job.scan.leaks() == []


def test_every_failure_then_the_release_shows_no_secret(
    job: Job, bot: CliRunner, forge: ForgeServer, registry_token: RegistryServer, tmp_path: Path
) -> None:
    host_password = next(k for k in registry_token.env() if k.endswith("_PASSWORD"))
    # 1. A wrong git token: git's refusal.
    assert job.run(bot, {"VERSIONBOT_GIT_TOKEN": WRONG_GIT}).exit_code == 3
    # 2. No forge token for a GitHub repository.
    assert job.run(bot, {"GITHUB_TOKEN": None}).exit_code == 2
    # 3. A wrong forge token: 401, and the forge quotes the header back.
    assert job.run(bot, {"GITHUB_TOKEN": WRONG_FORGE}).exit_code == 7
    # 4. The forge failing every try (5xx, quoting the header) after the push.
    forge.fail_next(5, 502, retry_after="0", after=1)
    assert job.run(bot).exit_code == 7
    # 5. A wrong registry password: the token server refuses.
    assert job.run(bot, {host_password: WRONG_REGISTRY}).exit_code == 6
    # 6. The release completes.
    done = job.run(bot)
    assert done.exit_code == 0, done.stderr
    assert "tag=v0.2.0" in job.output.read_text()
    # 7. Another run released first / the branch moved: exit 8.
    job.project.repo.commit("fix: local")
    job.project.repo.run("push", "--quiet", str(job.project.remote.path), "main")
    other = clone_remote(job.project.remote, job.project.repo, tmp_path / "other")
    other.commit("fix: newer")
    other.run("push", "--quiet", "origin", "main")
    assert job.run(bot).exit_code == 8


def test_a_token_the_user_put_in_the_remote_url_is_never_shown_or_copied(
    job: Job, bot: CliRunner, git_server: GitHttpServer, forge: ForgeServer
) -> None:
    repo = job.project.repo
    url = repo.run("remote", "get-url", "origin")
    with_token = url.replace("http://", f"http://{git_server.user}:{git_server.token}@")
    repo.run("remote", "set-url", "origin", with_token)
    job.git_config = (job.project.root / ".git" / "config").read_bytes()
    without_env_token: dict[str, str | None] = {
        "VERSIONBOT_GIT_TOKEN": None,
        "VERSIONBOT_GIT_USERNAME": None,
    }
    # Failures that quote the remote: a wrong forge token after the push, then success.
    assert job.run(bot, {**without_env_token, "GITHUB_TOKEN": WRONG_FORGE}).exit_code == 7
    done = job.run(bot, without_env_token)
    assert done.exit_code == 0, done.stderr
    # The remote itself refusing the URL's (now wrong) credential.
    repo.run("remote", "set-url", "origin", url.replace("http://", f"http://x:{WRONG_GIT}@"))
    job.git_config = (job.project.root / ".git" / "config").read_bytes()
    repo.commit("fix: more")
    failed = job.run(bot, without_env_token)
    assert failed.exit_code == 3
    assert "***@" in failed.stderr or "Authentication failed" in failed.stderr
    # The user's own .git/config still holds their URL, and only there, once.
    assert job.git_config.count(WRONG_GIT.encode()) == 1


def test_log_records_in_process_hold_no_secret(
    job: Job,
    run_cli: CliRunner,
    forge: ForgeServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in job.project.env.items():
        monkeypatch.setenv(key, value)
    caplog.set_level(logging.DEBUG)
    forge.fail_next(2, 503, retry_after="0")  # retried: logged at INFO with the reason
    result = run_cli("-C", job.project.root, "-v", "release")
    assert result.exit_code == 0, result.stderr
    assert any("retrying" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        job.scan.add(f"log {record.name}", record.getMessage())
    job.scan.add("stdout", result.stdout)
    job.scan.add("stderr", result.stderr)
    job.collect()
