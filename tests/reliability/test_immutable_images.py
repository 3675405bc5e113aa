"""A published version's image is never moved; a complete release is a run that changes nothing.

Real components: the distribution registry, the buildah-built two-platform index (and a
"rebuild" of it: the same index with an annotation, so the same platforms under another digest,
as a second CI build of the same commit gives), the HTTP git remote and the forge stand-in.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

import httpx
import pytest

from conftest import RepoFactory
from forge_server import ForgeServer
from git_remote import GitHttpServer, run_release
from reliability.harness import IMAGE_TAGS, Images, Project, image_digest, new_project
from versionbot.core.errors import RegistryError

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(120)

_INDEX = "application/vnd.oci.image.index.v1+json"


def _rebuild(registry: RegistryServer, source: str, tag: str) -> str:
    """Put under ``repository:tag`` the index of ``source`` (host/repo@digest) with an
    annotation: the same platforms, another digest (a second build of the same commit)."""
    name, _, digest = source.partition("@")
    repository = name.split("/", 1)[1]
    with httpx.Client(base_url=registry.url, trust_env=False, timeout=10) as client:
        index = client.get(f"/v2/{repository}/manifests/{digest}", headers={"Accept": _INDEX})
        index.raise_for_status()
        document = index.json()
        document["annotations"] = {"org.example.build": uuid.uuid4().hex}
        body = json.dumps(document).encode()
        put = client.put(
            f"/v2/{repository}/manifests/{tag}", content=body, headers={"Content-Type": _INDEX}
        )
        put.raise_for_status()
        return put.headers["Docker-Content-Digest"]


def _project(
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry: RegistryServer,
    image_in: ImageFactory,
) -> tuple[Project, str]:
    """A project whose source is a tag (``…:build``) CI may push again; the first build's
    digest."""
    forge.reset()
    built = image_in(registry)
    source = built.partition("@")[0] + ":build"
    first = _rebuild(registry, built, "build")
    images = Images(
        registry=registry.host,
        source=source,
        digest=first,
        target=f"{registry.host}/imm/{uuid.uuid4().hex[:12]}",
    )
    project = new_project(
        make_repo, f"imm-{uuid.uuid4().hex[:8]}", git_server, forge, images=images
    )
    return project, built


def _tags(registry: RegistryServer, project: Project) -> dict[str, str | None]:
    assert project.images is not None
    repository = project.images.target.partition("/")[2]
    return {tag: image_digest(registry.url, repository, tag) for tag in IMAGE_TAGS}


def test_a_run_on_a_released_commit_with_a_rebuilt_image_moves_nothing(
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_plain: RegistryServer,
    image_in: ImageFactory,
) -> None:
    project, built = _project(make_repo, git_server, forge, registry_plain, image_in)
    assert project.images is not None
    assert run_release(project.root, project.env).released
    published = _tags(registry_plain, project)
    assert set(published.values()) == {project.images.digest}
    rebuilt = _rebuild(registry_plain, built, "build")  # a manual dispatch rebuilt the image
    assert rebuilt != project.images.digest

    again = run_release(project.root, project.env)

    assert not again.released
    assert _tags(registry_plain, project) == published
    assert len(forge.releases_of("acme/app")) == 1


def test_a_published_version_tag_with_another_image_stops_the_release_before_the_push(
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_plain: RegistryServer,
    image_in: ImageFactory,
) -> None:
    project, built = _project(make_repo, git_server, forge, registry_plain, image_in)
    assert project.images is not None
    target = project.images.target.partition("/")[2]
    # 0.2.0 was published before (by hand, or by another tool) as another image.
    other = _rebuild(registry_plain, built, "other")
    with httpx.Client(base_url=registry_plain.url, trust_env=False, timeout=10) as client:
        repository = built.partition("@")[0].split("/", 1)[1]
        body = client.get(f"/v2/{repository}/manifests/{other}", headers={"Accept": _INDEX})
        blobs = [*body.json()["manifests"]]
        for child in blobs:  # the index's children, then the index, under 0.2.0
            manifest = client.get(
                f"/v2/{repository}/manifests/{child['digest']}",
                headers={"Accept": child["mediaType"]},
            )
            layers = manifest.json()
            for blob in [layers["config"], *layers["layers"]]:
                mounted = client.post(
                    f"/v2/{target}/blobs/uploads/",
                    params={"mount": blob["digest"], "from": repository},
                )
                assert mounted.status_code == 201
            client.put(
                f"/v2/{target}/manifests/{child['digest']}",
                content=manifest.content,
                headers={"Content-Type": child["mediaType"]},
            ).raise_for_status()
        client.put(
            f"/v2/{target}/manifests/0.2.0", content=body.content, headers={"Content-Type": _INDEX}
        ).raise_for_status()

    with pytest.raises(RegistryError) as caught:
        run_release(project.root, project.env)

    assert caught.value.exit_code == 6
    assert f"{target}:0.2.0 is already published as {other}" in caught.value.message
    assert "never moved" in caught.value.hint
    assert project.remote.head() == project.before  # nothing pushed
    assert project.remote.tags() == ["v0.1.0"]
    assert forge.releases_of("acme/app") == []
    assert _tags(registry_plain, project) == {"0.2.0": other, "0.2": None, "latest": None}
