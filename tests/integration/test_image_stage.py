"""The release's image stage end to end against real distribution registries.

``RegistryImageStage`` re-judges the planned tags against the tags already in the registries,
then promotes one real two-platform OCI index (built by buildah for the session, or built here
by the ``buildah`` builder) to every tag of every configured repository. Every check reads the
registry back: same digest everywhere, both platforms present.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from versionbot.core.config import Builder, Config, ImageRules, ImagesConfig
from versionbot.core.errors import RegistryError
from versionbot.core.image_tags import ImagePlan, image_plan
from versionbot.core.version import Version
from versionbot.registry.build_spec import build_tag
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import digest_of, list_tags, put_manifest, resolve
from versionbot.registry.oci import ImageRef
from versionbot.registry.stage import PushedTag, RegistryImageStage
from versionbot.registry.transfer import ImageCopy

if TYPE_CHECKING:
    from conftest import RepoFactory
    from registry_fixtures import ImageFactory, RegistryFactory, RegistryServer

pytestmark = pytest.mark.timeout(60)

PLATFORMS = ("linux/amd64", "linux/arm64")
SHA = "0123456789abcdef0123456789abcdef01234567"
RULES = ImageRules(sha_tag=True, channel_tags=(("rc", "next"),))
_names = itertools.count(1)


def fresh(server: RegistryServer, request: pytest.FixtureRequest) -> str:
    """A repository name no other test uses."""
    test = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:50]
    return f"{server.host}/stage/{test}-{next(_names)}"


def stage_for(
    names: tuple[str, ...],
    source: str | None,
    env: dict[str, str],
    root: Path,
    *,
    ca_file: Path | None = None,
    make_client: Callable[..., RegistryClient] = RegistryClient,
    builder: Builder = "buildah",
) -> RegistryImageStage:
    settings = ImagesConfig(
        names=names,
        source=source,
        platforms=PLATFORMS,
        rules=RULES,
        builder=builder,
        ca_file=str(ca_file) if ca_file else None,
    )
    return RegistryImageStage(Config(images=settings), root, env, make_client=make_client)


def plan(
    version: str,
    names: tuple[str, ...],
    source: str | None,
    released: tuple[str, ...] = (),
    sha: str = SHA,
) -> ImagePlan:
    return image_plan(
        Version.parse(version),
        [Version.parse(v) for v in released],
        sha,
        names=names,
        source=source,
        platforms=PLATFORMS,
        rules=RULES,
    )


def tags_of(name: str, env: dict[str, str], ca_file: Path | None = None) -> dict[str, str]:
    """``{tag: digest}`` of a repository, read back with a client of its own."""
    ref = ImageRef.parse(name)
    with RegistryClient(env=env, ca_file=ca_file) as client:
        found = {}
        for tag in list_tags(client, ref.registry, ref.repository):
            digest = digest_of(client, ref.with_tag(tag))
            assert digest is not None
            found[tag] = digest
        return found


def assert_promoted(pushed: list[PushedTag], digest: str) -> None:
    assert pushed
    for tag in pushed:
        assert tag.digest == digest, tag
        assert set(tag.platforms) == set(PLATFORMS), tag


VARIANTS = ["registry_plain", "registry_basic", "registry_token", "registry_tls"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_final_release_gets_every_tag_by_digest(
    variant: str, image_in: ImageFactory, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    server: RegistryServer = request.getfixturevalue(variant)
    source = image_in(server)
    digest = source.rpartition("@")[2]
    name = fresh(server, request)
    stage = stage_for((name,), source, server.env(), tmp_path, ca_file=server.ca_file)
    images = plan("1.2.0", (name,), source, released=("1.1.0",))
    pushed = stage.push(images)
    assert_promoted(pushed, digest)
    expected = ["1.2.0", "1.2", "1", "latest", f"sha-{SHA[:7]}"]
    assert [p.ref.tag for p in pushed] == expected
    assert tags_of(name, server.env(), server.ca_file) == dict.fromkeys(expected, digest)
    # The same call again, as release.execute makes it: every tag is there already.
    assert stage(images) == [(f"{name}:{tag}", digest, False, ()) for tag in expected]


def test_several_tags_in_two_repositories_on_two_registries_share_one_digest(
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
    image_in: ImageFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    source = image_in(registry_basic)
    digest = source.rpartition("@")[2]
    names = (
        fresh(registry_basic, request),
        fresh(registry_basic, request),
        fresh(registry_other, request),
    )
    env = {**registry_basic.env(), **registry_other.env()}
    pushed = stage_for(names, source, env, tmp_path).push(plan("3.0.0", names, source))
    assert_promoted(pushed, digest)
    assert len(pushed) == 3 * 5
    for name in names:
        assert set(tags_of(name, env).values()) == {digest}
    # Read the copy on the other registry with the fixtures' own client: both children are there.
    other = ImageRef.parse(names[2])
    headers = {
        "Accept": "application/vnd.oci.image.index.v1+json, "
        "application/vnd.oci.image.manifest.v1+json",
        **registry_other.authorization(f"repository:{other.repository}:pull"),
    }
    with registry_other.http() as client:
        index = client.get(f"/v2/{other.repository}/manifests/3.0.0", headers=headers).json()
        assert {m["platform"]["architecture"] for m in index["manifests"]} == {"amd64", "arm64"}
        for child in index["manifests"]:
            response = client.get(
                f"/v2/{other.repository}/manifests/{child['digest']}", headers=headers
            )
            assert response.status_code == 200


def test_a_registry_holding_a_higher_release_keeps_its_latest_tag(
    registry_basic: RegistryServer, image_in: ImageFactory, tmp_path: Path
) -> None:
    """Git knows only 1.4.0, but the registry already has 2.0.0: 1.5.0 moves 1.5 and 1, not
    latest (the backport rule, judged against the registry's tags)."""
    source = image_in(registry_basic)
    digest = source.rpartition("@")[2]
    name = source.partition("@")[0]
    env = registry_basic.env()
    with RegistryClient(env=env) as client:
        child = resolve(client, ImageRef.parse(source)).children()[0].digest
        amd64 = resolve(client, ImageRef.parse(f"{name}@{child}"))
        for tag in ("2.0.0", "latest", "1.4.0"):
            put_manifest(client, ImageRef.parse(f"{name}:{tag}"), amd64)
    stage = stage_for((name,), source, env, tmp_path)
    images = plan("1.5.0", (name,), source, released=("1.4.0",))
    assert [t.tag for t in images.tag_set.pushed] == ["1.5.0", "1.5", "1", "latest", "sha-0123456"]
    with RegistryClient(env=env) as client:
        judged = stage.judge(client, images)
    assert [t.tag for t in judged.pushed] == ["1.5.0", "1.5", "1", "sha-0123456"]
    kept = next(t for t in judged.tags if t.tag == "latest")
    assert kept.reason == "2.0.0 is higher"
    pushed = stage.push(images)
    assert_promoted(pushed, digest)
    tags = tags_of(name, env)
    assert tags["latest"] == tags["2.0.0"] == amd64.digest
    assert tags["1.5.0"] == tags["1.5"] == tags["1"] == digest


def test_a_prerelease_gets_only_its_own_tag_and_its_channel_tag(
    registry_token: RegistryServer,
    image_in: ImageFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    source = image_in(registry_token)
    name = fresh(registry_token, request)
    images = plan("2.0.0-rc.1", (name,), source, released=("1.4.0",))
    pushed = stage_for((name,), source, registry_token.env(), tmp_path).push(images)
    assert_promoted(pushed, source.rpartition("@")[2])
    assert set(tags_of(name, registry_token.env())) == {"2.0.0-rc.1", "next", "sha-0123456"}


def test_a_rerun_verifies_every_tag_and_pushes_nothing(
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
    image_in: ImageFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    source = image_in(registry_basic)
    names = (fresh(registry_basic, request), fresh(registry_other, request))
    env = {**registry_basic.env(), **registry_other.env()}
    stage = stage_for(names, source, env, tmp_path)
    images = plan("1.0.0", names, source)
    first = stage.push(images)
    assert all(p.pushed for p in first)
    again = stage.push(images)
    assert [(p.ref, p.digest) for p in again] == [(p.ref, p.digest) for p in first]
    assert not any(p.pushed for p in again)


def test_a_registry_that_dies_midway_is_completed_by_a_rerun(
    registry_basic: RegistryServer,
    registry_factory: RegistryFactory,
    image_in: ImageFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    flaky = registry_factory("flaky", auth="basic")
    source = image_in(registry_basic)
    digest = source.rpartition("@")[2]
    names = (fresh(registry_basic, request), fresh(flaky, request))
    env = {**registry_basic.env(), **flaky.env()}
    tag_puts: list[str] = []

    def kill_after_first_tag(response: httpx.Response) -> None:
        """The first tag PUT on the flaky registry succeeds; then the registry is gone."""
        url = response.request.url
        manifest_put = response.request.method == "PUT" and "/manifests/" in url.path
        if manifest_put and url.netloc.decode() == flaky.host:
            reference = url.path.rpartition("/")[2]
            if not reference.startswith("sha256:") and not tag_puts:
                tag_puts.append(reference)
                flaky.stop()

    dying = functools.partial(
        RegistryClient, event_hooks={"response": [kill_after_first_tag]}, sleep=lambda _: None
    )
    images = plan("1.0.0", names, source)
    with pytest.raises(RegistryError, match=f"registry {flaky.host} did not answer") as caught:
        stage_for(names, source, env, tmp_path, make_client=dying).push(images)
    assert caught.value.exit_code == 6
    assert tag_puts == ["1.0.0"]
    flaky.start()  # the same port and data: what was pushed before the crash is still there
    assert set(tags_of(names[1], env)) == {"1.0.0"}

    pushed = stage_for(names, source, env, tmp_path).push(images)
    assert_promoted(pushed, digest)
    state = {(p.ref.registry, p.ref.tag): p.pushed for p in pushed}
    assert not any(pushed for (host, _), pushed in state.items() if host == registry_basic.host)
    assert state[(flaky.host, "1.0.0")] is False  # put before the crash: verified, not re-put
    assert all(state[(flaky.host, tag)] for tag in ("1", "1.0", "latest", "sha-0123456"))
    assert set(tags_of(names[1], env)) == {"1.0.0", "1", "1.0", "latest", "sha-0123456"}


@pytest.mark.parametrize("variant", ["registry_basic", "registry_token", "registry_tls"])
def test_wrong_credentials_are_a_clear_error_without_the_secret(
    variant: str, image_in: ImageFactory, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    server: RegistryServer = request.getfixturevalue(variant)
    source = image_in(server)
    name = fresh(server, request)
    secret = "not-the-password-9f8e7d"
    env = {k: secret if k.endswith("PASSWORD") else v for k, v in server.env().items()}
    stage = stage_for((name,), source, env, tmp_path, ca_file=server.ca_file)
    with pytest.raises(RegistryError) as caught:
        stage.push(plan("1.0.0", (name,), source))
    error = caught.value
    assert error.exit_code == 6
    assert error.message == (
        f"registry {server.host} refused the credentials for {ImageRef.parse(name).repository} "
        "(401)"
    )
    assert "VERSIONBOT_REGISTRY_" in error.hint
    assert secret not in f"{error.message}\n{error.hint}\n{error!r}"


def test_without_a_source_the_stage_builds_once_and_promotes_that_digest(
    registry_plain: RegistryServer,
    registry_basic: RegistryServer,
    make_repo: RepoFactory,
    request: pytest.FixtureRequest,
) -> None:
    repo = make_repo("app")
    repo.commit(
        "feat: an image",
        {
            "Dockerfile": "FROM scratch\nARG TARGETARCH\nCOPY hello-${TARGETARCH} /hello\n",
            "hello-amd64": "amd64\n",
            "hello-arm64": "arm64\n",
        },
    )
    names = (fresh(registry_plain, request), fresh(registry_basic, request))
    env: dict[str, Any] = {**repo.env.variables, **registry_basic.env()}
    stage = stage_for(names, None, env, repo.path)
    images = plan("0.2.0", names, None, sha=repo.head())
    pushed = stage.push(images)
    build = ImageRef.parse(names[0]).with_tag(build_tag(repo.head()))
    with RegistryClient(env=env) as client:
        digest = digest_of(client, build)
    assert digest is not None
    assert_promoted(pushed, digest)
    assert {p.ref.tag for p in pushed} == {"0.2.0", "0.2", "latest", "sha-" + repo.head()[:7]}
    again = stage.push(images)  # the build tag is found: nothing is built or pushed again
    assert not any(p.pushed for p in again)


def test_builder_mode_finishes_a_half_published_release_from_its_published_image(
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """A run killed between tags left 1.2.0 published and the floating tags missing. The re-run
    builds nothing (a second build's digest would differ, and moving 1.2.0 is never allowed):
    it gives the missing tags the published image. The work tree has no Dockerfile, so any
    build would fail the test."""
    name = fresh(registry_plain, request)
    source = ImageRef.parse(image_in(registry_plain))
    env: dict[str, str] = {}
    with RegistryClient(env=env) as client:
        manifest = resolve(client, source)
        published = ImageRef.parse(name).with_tag("1.2.0")
        ImageCopy(client, source, published.registry, published.repository).copy(manifest)
        put_manifest(client, published, manifest)
    stage = stage_for((name,), None, env, tmp_path, builder="docker")

    pushed = stage.push(plan("1.2.0", (name,), None))

    assert_promoted(pushed, manifest.digest)
    assert {str(p.ref).rpartition(":")[2]: p.pushed for p in pushed} == {
        "1.2.0": False,
        "1.2": True,
        "1": True,
        "latest": True,
        f"sha-{SHA[:7]}": True,
    }
    again = stage.push(plan("1.2.0", (name,), None))  # complete: changes nothing
    assert not any(p.pushed for p in again)
