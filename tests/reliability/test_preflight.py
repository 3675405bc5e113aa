"""Before anything is published, the release proves that its later steps can finish.

The image stage and the forge release come after the atomic push, so a registry or forge
problem found there leaves a public release half made. The preflight (release/transaction.py
``preflight``, registry/preflight.py) asks each of them first. Real components: registries with
Basic auth, token auth and Basic auth over TLS, a buildah-built linux/amd64 + linux/arm64 index,
the authenticated HTTP git remote and the forge stand-in. For every fault: a one-line error
naming the registry and what is missing, exit 6, the remote untouched (no commit, no tag), no
forge release; once mended, the next run releases and converges.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

import pytest

from conftest import RepoFactory
from forge_server import ForgeServer
from git_remote import GitHttpServer, assert_released_once, run_release
from registry_fixtures import free_port
from reliability.harness import IMAGE_TAGS, Images, Project, new_project
from versionbot.core.errors import RegistryError, VersionbotError

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(120)

VARIANTS = ["registry_basic", "registry_token", "registry_tls"]


def _project(
    request: pytest.FixtureRequest,
    variant: str,
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    image_in: ImageFactory,
    **change: object,
) -> tuple[Project, RegistryServer]:
    registry: RegistryServer = request.getfixturevalue(variant)
    forge.reset()
    source = image_in(registry)
    images = Images(
        registry=registry.host,
        source=source,
        digest=source.partition("@")[2],
        target=f"{registry.host}/pre/{uuid.uuid4().hex[:12]}",
        ca_file=str(registry.ca_file) if registry.ca_file else None,
    )
    images = dataclasses.replace(images, **change)  # type: ignore[arg-type]
    name = f"pre-{uuid.uuid4().hex[:8]}"
    project = new_project(make_repo, name, git_server, forge, images=images)
    project.env.update(registry.env())
    return project, registry


def _nothing_published(project: Project, forge: ForgeServer) -> None:
    assert project.remote.head() == project.before
    assert project.remote.tags() == ["v0.1.0"]
    assert forge.releases_of("acme/app") == []


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("fault", ["wrong-password", "missing-source", "missing-platform"])
def test_a_registry_fault_stops_the_release_before_the_push(
    request: pytest.FixtureRequest,
    variant: str,
    fault: str,
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    image_in: ImageFactory,
) -> None:
    change: dict[str, object] = {}
    if fault == "missing-platform":
        change["platforms"] = ("linux/amd64", "linux/arm64", "linux/s390x")
    project, registry = _project(
        request,
        variant,
        make_repo=make_repo,
        git_server=git_server,
        forge=forge,
        image_in=image_in,
        **change,
    )
    env = dict(project.env)
    images = project.images
    assert images is not None
    if fault == "wrong-password":
        env = {k: ("wrong-" + v if k.endswith("_PASSWORD") else v) for k, v in env.items()}
    elif fault == "missing-source":
        # The image CI was to build for this commit is not there.
        _, _, digest = images.source.partition("@")
        gone = images.source.replace(digest, "sha256:" + "0" * 64)
        pyproject = project.root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(images.source, gone))
        project.repo.run("commit", "--quiet", "-am", "chore: point at an image never built")
        project.repo.run("push", "--quiet", project.remote.path.as_uri(), "main")
        project = dataclasses.replace(project, before=project.remote.head())
    with pytest.raises(RegistryError) as caught:
        run_release(project.root, env)
    error = caught.value
    assert error.exit_code == 6
    assert registry.host in error.message
    assert "\n" not in error.message
    assert registry.password not in error.message + error.hint
    expected = {
        "wrong-password": "refused the credentials",
        "missing-source": "has no manifest",
        "missing-platform": "lacks platform linux/s390x",
    }[fault]
    assert expected in error.message
    _nothing_published(project, forge)
    if fault == "wrong-password":  # mended: the same commit releases
        assert run_release(project.root, project.env).released
        assert_released_once(project.remote, project.before)
        assert [r["tag_name"] for r in forge.releases_of("acme/app")] == ["v0.2.0"]
        repository = images.target.partition("/")[2]
        with registry.http() as client:
            for tag in IMAGE_TAGS:
                headers = {
                    "Accept": "application/vnd.oci.image.index.v1+json",
                    **registry.authorization(f"repository:{repository}:pull"),
                }
                answer = client.head(f"/v2/{repository}/manifests/{tag}", headers=headers)
                assert answer.headers.get("Docker-Content-Digest") == images.digest


def test_a_registry_that_is_down_stops_the_release_before_the_push(
    request: pytest.FixtureRequest,
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    image_in: ImageFactory,
) -> None:
    nobody = f"127.0.0.1:{free_port()}"  # nothing listens there
    project, _ = _project(
        request,
        "registry_basic",
        make_repo=make_repo,
        git_server=git_server,
        forge=forge,
        image_in=image_in,
        target=f"{nobody}/pre/app",
    )
    with pytest.raises(RegistryError) as caught:
        run_release(project.root, project.env | {"VERSIONBOT_REGISTRY_TIMEOUT": "2"})
    assert caught.value.exit_code == 6
    assert nobody in caught.value.message
    _nothing_published(project, forge)


@pytest.mark.parametrize("dockerfile", ["builds", "fails"])
def test_builder_mode_builds_the_release_commit_before_the_push(
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_plain: RegistryServer,
    dockerfile: str,
) -> None:
    """Without ``source`` the bot builds the image itself: from the release commit (its files,
    its revision label), and before the push, so a build that fails leaves nothing public."""
    forge.reset()
    project = new_project(make_repo, f"build-{uuid.uuid4().hex[:8]}", git_server, forge)
    name = f"{registry_plain.host}/built/{uuid.uuid4().hex[:12]}"
    copied = "CHANGELOG.md" if dockerfile == "builds" else "no-such-file"
    pyproject = (project.root / "pyproject.toml").read_text()
    images = f'\n[tool.versionbot.images]\nnames = ["{name}"]\nbuilder = "buildah"\n'
    project.repo.commit(
        "ci: the bot builds the image",
        {"pyproject.toml": pyproject + images, "Dockerfile": f"FROM scratch\nCOPY {copied} /\n"},
    )
    project.repo.run("push", "--quiet", project.remote.path.as_uri(), "main")
    project = dataclasses.replace(project, before=project.remote.head())
    if dockerfile == "fails":
        with pytest.raises(VersionbotError) as caught:
            run_release(project.root, project.env)
        assert "\n" not in caught.value.message
        _nothing_published(project, forge)
        assert project.repo.head() == project.before  # the local release commit was undone
        return
    outcome = run_release(project.root, project.env)
    assert outcome.released
    sha = assert_released_once(project.remote, project.before)
    repository = name.partition("/")[2]
    with registry_plain.http() as client:
        accept = {"Accept": "application/vnd.oci.image.index.v1+json"}
        index = client.get(f"/v2/{repository}/manifests/0.2.0", headers=accept).json()
        child = index["manifests"][0]
        image = client.get(
            f"/v2/{repository}/manifests/{child['digest']}",
            headers={"Accept": child["mediaType"]},
        ).json()
        config = client.get(f"/v2/{repository}/blobs/{image['config']['digest']}").json()
    assert config["config"]["Labels"]["org.opencontainers.image.revision"] == sha
