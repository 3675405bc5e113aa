"""``[images] sign``: the release's digest is signed by the user's cosign, against real registries.

cosign is not installable here (no Debian package, not on PyPI): these tests put a stand-in
executable named ``cosign`` on PATH (tests/cosign_standin.py). It records the arguments, the
Docker config and the standard input the bot gave it, then writes a cosign-shaped ``.sig``
manifest to the real registry with those credentials only, as ``cosign sign`` would; so the
call, the credentials hand-over, re-runs and failures are tested for real, and the signature's
cryptography (cosign's business) is not.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from git_remote import Remote, bare_repo, ci_checkout, run_release, seed_project
from versionbot.core.errors import ConfigError, RegistryError

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo, RepoFactory, SealedEnv
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(120)

GITHUB_OIDC = {
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/oidc",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-token-3f9a",
}
_names = itertools.count(1)


@dataclass(frozen=True)
class Cosign:
    """The stand-in on PATH, and what it was asked."""

    bin_dir: Path
    log: Path
    path: str  # the full PATH it is found on

    def env(self, **variables: str) -> dict[str, str]:
        """PATH with the stand-in first, its log, and ``variables``."""
        return {"PATH": self.path, "COSIGN_STANDIN_LOG": str(self.log), **variables}

    def calls(self) -> list[dict[str, Any]]:
        """One record per run, oldest first."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def cosign(tmp_path: Path) -> Cosign:
    bin_dir = tmp_path / "cosign-bin"
    bin_dir.mkdir()
    script = Path(__file__).parent.parent / "cosign_standin.py"
    executable = bin_dir / "cosign"
    executable.write_text(f"#!{sys.executable}\n{script.read_text()}", encoding="utf-8")
    executable.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    return Cosign(bin_dir, tmp_path / "cosign-calls.jsonl", path)


@dataclass(frozen=True)
class Project:
    repo: GitRepo
    remote: Remote
    names: tuple[str, str]  # a repository on each registry
    digest: str
    env: dict[str, str]

    @property
    def root(self) -> Path:
        """The work tree of the clone that runs the release."""
        return self.repo.path


def sig_tag_exists(server: RegistryServer, name: str, digest: str) -> bool:
    repository = name.split("/", 1)[1]
    tag = digest.replace(":", "-") + ".sig"
    headers = {
        **server.authorization(f"repository:{repository}:pull"),
        "Accept": "application/vnd.oci.image.manifest.v1+json",
    }
    with server.http() as client:
        return client.get(f"/v2/{repository}/manifests/{tag}", headers=headers).status_code == 200


def basic_auth(server: RegistryServer) -> dict[str, str]:
    pair = f"{server.username}:{server.password}".encode()
    return {"auth": base64.b64encode(pair).decode()}


Signed = Callable[[str], Project]


@pytest.fixture
def signed(
    *,
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
    image_in: ImageFactory,
) -> Signed:
    """``signed(sign)``: seed_project (v0.1.0, then a feature and a fix) releasing a CI-built
    image to a repository on each of two registries, signed with ``sign``."""

    def make(sign: str) -> Project:
        source = image_in(registry_basic)
        n = next(_names)
        names = (f"{registry_basic.host}/signed/app-{n}", f"{registry_other.host}/signed/app-{n}")
        images = (
            f'\n[tool.versionbot.images]\nnames = ["{names[0]}", "{names[1]}"]\n'
            f'source = "{source}"\nsign = "{sign}"\n'
        )
        remote_path = bare_repo(tmp_path / f"app-{n}.git")
        repo = make_repo(f"app-{n}")
        seed_project(repo, remote_path, remote_path.as_uri(), images)
        env = {**sealed_env.variables, **registry_basic.env(), **registry_other.env()}
        return Project(repo, Remote(remote_path), names, source.partition("@")[2], env)

    return make


def test_a_release_signs_its_digest_once_in_each_repository(
    signed: Signed,
    cosign: Cosign,
    bot: CliRunner,
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
) -> None:
    app = signed("keyless")

    outcome = run_release(app.root, {**app.env, **cosign.env(**GITHUB_OIDC)})

    assert outcome.released
    [call] = cosign.calls()
    first, second = (f"{name}@{app.digest}" for name in app.names)
    assert call["argv"] == ["sign", "--yes", "--allow-http-registry", first, second]
    assert call["stdin"] == "/dev/null"  # no prompt can wait
    assert call["cwd"] == str(app.root)
    # The credentials go in a private Docker config of cosign's own, removed afterwards.
    assert call["docker_config"] == {
        "auths": {registry_basic.host: basic_auth(registry_basic)}
        | {registry_other.host: basic_auth(registry_other)}
    }
    assert call["config_mode"] == "0o600"
    assert not Path(call["docker_config_dir"]).exists()
    for name in app.names:
        at = outcome.log.index(f"image {name}:0.2.0 = {app.digest}")
        assert outcome.log[at + 1] == "signed with cosign (keyless)"
    assert sig_tag_exists(registry_basic, app.names[0], app.digest)
    assert sig_tag_exists(registry_other, app.names[1], app.digest)

    # A re-run finds the signatures and signs nothing again.
    again = bot("-C", app.root, "images", "push", env={**app.env, **cosign.env(**GITHUB_OIDC)})

    assert again.exit_code == 0, again.stderr
    assert len(cosign.calls()) == 1
    # (The second repository's line about the signature copied from the first comes first.)
    assert again.stdout.count("  signature: already there, not signed again") == 2


def test_a_key_from_a_variable_is_named_to_cosign_and_a_missing_one_stops_before_the_push(
    signed: Signed, cosign: Cosign, bot: CliRunner
) -> None:
    app = signed("key:env://COSIGN_KEY")

    missing = bot("-C", app.root, "release", env={**app.env, **cosign.env()})

    assert missing.exit_code == 2, missing.stderr
    assert missing.stderr.splitlines()[0] == (
        "error: the signing key variable COSIGN_KEY ([images] sign) is not set"
    )
    assert "Traceback" not in missing.stderr
    assert app.remote.git("tag", "--list") == "v0.1.0"  # nothing was pushed
    assert cosign.calls() == []

    key = {"COSIGN_KEY": "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"}
    outcome = run_release(app.root, {**app.env, **cosign.env(**key)})

    assert outcome.released
    [call] = cosign.calls()
    assert call["argv"][:5] == [
        "sign",
        "--yes",
        "--key",
        "env://COSIGN_KEY",
        "--allow-http-registry",
    ]
    assert "-----BEGIN" not in json.dumps(call["argv"])


def test_keyless_without_an_oidc_token_stops_before_anything_is_pushed(
    signed: Signed, cosign: Cosign
) -> None:
    app = signed("keyless")

    with pytest.raises(ConfigError) as caught:
        run_release(app.root, {**app.env, **cosign.env()})

    assert "has no OIDC token here" in caught.value.message
    assert "id-token: write" in caught.value.hint
    assert app.remote.git("tag", "--list") == "v0.1.0"
    assert cosign.calls() == []


def test_without_cosign_the_release_says_it_signed_nothing(
    signed: Signed, cosign: Cosign, bot: CliRunner, registry_other: RegistryServer
) -> None:
    app = signed("keyless")
    no_cosign = {**app.env, **GITHUB_OIDC}  # the sealed PATH has no cosign

    plan = bot("-C", app.root, "images", "plan", env=no_cosign)
    plan_json = bot("-C", app.root, "images", "plan", "--json", env=no_cosign)
    found = bot("-C", app.root, "images", "plan", "--json", env={**no_cosign, **cosign.env()})
    outcome = run_release(app.root, no_cosign)

    assert plan.exit_code == 0, plan.stderr
    assert plan.stdout.splitlines()[-2:] == [
        "  sign: with cosign (keyless), the digest in each repository without a signature, "
        "after the push",
        "  warning: cosign is not on PATH: the release would sign nothing",
    ]
    assert json.loads(plan_json.stdout)["sign"] == {"key": None, "cosign": None}
    assert json.loads(found.stdout)["sign"] == {
        "key": None,
        "cosign": str(cosign.bin_dir / "cosign"),
    }
    assert outcome.released
    at = outcome.log.index(f"image {app.names[1]}:0.2.0 = {app.digest}")
    assert outcome.log[at + 1] == (
        "warning: not signed: cosign is not on PATH (install it before the release)"
    )
    assert not sig_tag_exists(registry_other, app.names[1], app.digest)


def test_a_failed_signing_is_one_clear_error_and_the_next_run_signs(
    signed: Signed,
    cosign: Cosign,
    bot: CliRunner,
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
) -> None:
    app = signed("keyless")
    said = (
        f"Error: signing {app.names[1]}: PUT https://testuser:{registry_other.password}@"
        f"{registry_other.host}/v2/: UNAUTHORIZED (password {registry_other.password})"
    )
    failing = cosign.env(COSIGN_STANDIN_EXIT="1", COSIGN_STANDIN_SAY=said, **GITHUB_OIDC)

    with pytest.raises(RegistryError) as caught:
        run_release(app.root, {**app.env, **failing})

    error = caught.value
    assert error.exit_code == 6
    assert error.message.startswith(f"cosign could not sign {app.names[0]}@{app.digest} (exit 1): ")
    assert registry_other.password not in f"{error.message} {error.hint}"
    assert "run the release again" in error.hint
    assert app.remote.git("tag", "--list").split() == ["v0.1.0", "v0.2.0"]  # released, unsigned

    again = bot("-C", app.root, "images", "push", env={**app.env, **cosign.env(**GITHUB_OIDC)})

    assert again.exit_code == 0, again.stderr
    assert len(cosign.calls()) == 2
    assert again.stdout.count("  signed with cosign (keyless)") == 2
    assert sig_tag_exists(registry_basic, app.names[0], app.digest)
    assert sig_tag_exists(registry_other, app.names[1], app.digest)


def test_a_ci_rerun_on_a_fresh_clone_signs_what_the_failed_run_left(
    signed: Signed, cosign: Cosign, registry_other: RegistryServer, tmp_path: Path
) -> None:
    """CI re-runs a failed job on a fresh clone at the triggering commit, never in the clone
    that failed: there, the release is finished (its tag is past HEAD on the remote) and the
    images it pushed unsigned are signed."""
    app = signed("keyless")
    trigger = app.repo.head()
    failing = cosign.env(COSIGN_STANDIN_EXIT="1", COSIGN_STANDIN_SAY="Error: boom", **GITHUB_OIDC)
    with pytest.raises(RegistryError):
        run_release(app.root, {**app.env, **failing})
    assert not sig_tag_exists(registry_other, app.names[1], app.digest)

    rerun = ci_checkout(app.remote, app.repo, tmp_path / "rerun", at=trigger)
    outcome = run_release(rerun.path, {**app.env, **cosign.env(**GITHUB_OIDC)})

    assert outcome.log[0].endswith("released v0.2.0 after it: finishing, releasing nothing new")
    assert len(cosign.calls()) == 2
    assert outcome.log.count("signed with cosign (keyless)") == 2
    assert sig_tag_exists(registry_other, app.names[1], app.digest)
