"""``bot images plan``, the ``images`` section of ``bot plan --json``, and ``bot images push``
at a tagged HEAD against a real distribution registry, through the installed console script."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import CliResult, CliRunner, GitRepo
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(60)

CONFIG = """\
[images]
names = ["ghcr.io/acme/app", "registry.example.com/acme/app"]
source = "ghcr.io/acme/app:sha-{sha}"
channel_tags = { rc = "next" }
"""


def assert_error(result: CliResult, code: int) -> tuple[str, str]:
    """Exactly ``error:`` and ``hint:`` on stderr, nothing on stdout."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: ")
    assert hint.startswith("hint: ")
    return error, hint


def configured(repo: GitRepo, config: str = CONFIG) -> str:
    """v1.0.0 with the images configured, then a feat: the next release is 1.1.0."""
    repo.commit("chore: init", {"versionbot.toml": config})
    repo.tag("v1.0.0", annotated=True)
    return repo.commit("feat: a widget")


def test_images_plan_prints_each_tag_and_why(repo: GitRepo, bot: CliRunner) -> None:
    sha = configured(repo)
    result = bot("-C", repo.path, "images", "plan")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Images (linux/amd64, linux/arm64) from ghcr.io/acme/app:sha-{sha}:",
        "  push  1.1.0   names this release",
        "  push  1.1     1.1.0 is the highest 1.1.x release",
        "  push  1       1.1.0 is the highest 1.x release",
        "  push  latest  1.1.0 is the highest release",
        "  to    ghcr.io/acme/app, registry.example.com/acme/app",
        "  labels: the source image's own, unchanged (promoted by digest): set "
        "org.opencontainers.image.version and .revision when you build it",
    ]


def test_images_plan_of_a_prerelease_moves_no_floating_tag(repo: GitRepo, bot: CliRunner) -> None:
    configured(repo)
    result = bot("-C", repo.path, "images", "plan", "--prerelease", "rc")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1:6] == [
        "  push  1.1.0-rc.1  names this release",
        "  keep  1.1         a prerelease moves no floating tag",
        "  keep  1           a prerelease moves no floating tag",
        "  keep  latest      a prerelease moves no floating tag",
        "  push  next        the rc channel",
    ]


def test_images_plan_without_images_configured_is_a_usage_error(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.commit("feat: first")
    error, hint = assert_error(bot("-C", repo.path, "images", "plan"), 2)
    assert error == "error: no images are configured"
    assert "[images]" in hint


def test_plan_json_has_the_images_section(repo: GitRepo, bot: CliRunner) -> None:
    sha = configured(repo)
    result = bot("-C", repo.path, "plan", "--json")
    assert result.exit_code == 0, result.stderr
    images = json.loads(result.stdout)["images"]
    # {sha} is the release commit bot release makes on top of HEAD, not HEAD.
    assert images["source"] == "ghcr.io/acme/app:sha-<release commit>"
    assert sha not in json.dumps(images)
    assert images["platforms"] == ["linux/amd64", "linux/arm64"]
    assert images["names"] == ["ghcr.io/acme/app", "registry.example.com/acme/app"]
    assert images["tags"][0] == {
        "tag": "1.1.0",
        "kind": "version",
        "pushed": True,
        "reason": "names this release",
    }
    assert [t["tag"] for t in images["tags"]] == ["1.1.0", "1.1", "1", "latest"]
    assert images["targets"] == [
        f"{name}:{tag}"
        for name in ("ghcr.io/acme/app", "registry.example.com/acme/app")
        for tag in ("1.1.0", "1.1", "1", "latest")
    ]


def _push_config(name: str, source: str | None, builder: str = "buildah") -> str:
    text = f'[images]\nnames = ["{name}"]\nbuilder = "{builder}"\nsha_tag = true\n'
    return text + (f'source = "{source}"\n' if source else "")


def test_images_push_at_a_tagged_head_tags_the_image_then_verifies_on_a_rerun(
    repo: GitRepo, bot: CliRunner, registry_basic: RegistryServer, image_in: ImageFactory
) -> None:
    source = image_in(registry_basic)
    name, _, digest = source.partition("@")
    repo.commit("feat: first", {"versionbot.toml": _push_config(name, source)})
    repo.tag("v1.2.0", annotated=True)
    short = repo.head()[:7]
    tags = ["1.2.0", "1.2", "1", "latest", f"sha-{short}"]

    first = bot("-C", repo.path, "images", "push", env=registry_basic.env())
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines() == [f"{name}:{tag}  {digest}  (pushed)" for tag in tags]
    again = bot("-C", repo.path, "images", "push", env=registry_basic.env())
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines() == [f"{name}:{tag}  {digest}  (already there)" for tag in tags]


def test_images_push_with_wrong_credentials_exits_6_without_the_secret(
    repo: GitRepo, bot: CliRunner, registry_basic: RegistryServer, image_in: ImageFactory
) -> None:
    source = image_in(registry_basic)
    name = source.partition("@")[0]
    repo.commit("feat: first", {"versionbot.toml": _push_config(name, source)})
    repo.tag("v1.2.0", annotated=True)
    secret = "wrong-password-a1b2c3"
    env = {k: secret if k.endswith("PASSWORD") else v for k, v in registry_basic.env().items()}
    result = bot("-C", repo.path, "images", "push", env=env)
    error, hint = assert_error(result, 6)
    assert error.startswith(f"error: registry {registry_basic.host} refused the credentials")
    assert "VERSIONBOT_REGISTRY_" in hint
    assert secret not in result.stderr


def test_images_push_without_a_release_tag_at_head_is_a_usage_error(
    repo: GitRepo, bot: CliRunner
) -> None:
    configured(repo)
    error, _ = assert_error(bot("-C", repo.path, "images", "push"), 2)
    assert error == "error: HEAD carries no release tag, so there is no release image to tag"


def test_images_push_at_a_prerelease_tag_pushes_its_own_and_its_channel_tag(
    repo: GitRepo, bot: CliRunner, registry_basic: RegistryServer, image_in: ImageFactory
) -> None:
    source = image_in(registry_basic)
    name, _, digest = source.partition("@")
    config = _push_config(name, source) + 'channel_tags = { rc = "next" }\n'
    repo.commit("feat: first", {"versionbot.toml": config})
    repo.tag("v1.1.0", annotated=True)
    repo.commit("feat: second")
    repo.tag("v1.2.0-rc.1", annotated=True)
    repo.checkout("v1.2.0-rc.1", detach=True)  # the tag-push workflow's checkout
    tags = ["1.2.0-rc.1", "next", f"sha-{repo.head()[:7]}"]

    planned = bot("-C", repo.path, "images", "plan")
    pushed = bot("-C", repo.path, "images", "push", env=registry_basic.env())

    assert planned.exit_code == 0, planned.stderr
    assert [line.split()[:2] for line in planned.stdout.splitlines()[1:7]] == [
        ["push", "1.2.0-rc.1"],
        ["keep", "1.2"],
        ["keep", "1"],
        ["keep", "latest"],
        ["push", "next"],
        ["push", tags[2]],
    ]
    assert pushed.exit_code == 0, pushed.stderr
    assert pushed.stdout.splitlines() == [f"{name}:{tag}  {digest}  (pushed)" for tag in tags]
    repository = name.split("/", 1)[1]
    with registry_basic.http() as client:
        listed = client.get(
            f"/v2/{repository}/tags/list",
            headers=registry_basic.authorization(f"repository:{repository}:pull"),
        )
    assert sorted(listed.json()["tags"]) == sorted(["src", *tags])


def test_images_push_without_a_source_builds_with_buildah_and_promotes(
    repo: GitRepo, bot: CliRunner, registry_plain: RegistryServer
) -> None:
    name = f"{registry_plain.host}/e2e/built"
    files = {
        "versionbot.toml": _push_config(name, None),
        "Dockerfile": "FROM scratch\nARG TARGETARCH\nCOPY hello-${TARGETARCH} /hello\n",
        "hello-amd64": "amd64\n",
        "hello-arm64": "arm64\n",
    }
    repo.commit("feat: an image", files)
    repo.tag("v0.3.0", annotated=True)
    result = bot("-C", repo.path, "images", "push")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        f"{name}:{tag}" for tag in ("0.3.0", "0.3", "latest", f"sha-{repo.head()[:7]}")
    ]
    assert len({line.split()[1] for line in lines}) == 1
    assert all(line.endswith("(pushed)") for line in lines)
