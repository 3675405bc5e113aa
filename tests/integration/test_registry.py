"""Promote by digest against real distribution registries (plain, Basic, token, TLS).

Every test gets a fresh repository holding the session's real two-platform OCI index (built by
buildah). Requests are observed through httpx event hooks, so "no blob was uploaded" and "the
blobs were mounted" are checked on the wire, not inferred.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from versionbot.core.errors import RegistryError
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import list_tags, platforms_of, resolve
from versionbot.registry.oci import ImageRef
from versionbot.registry.stage import PushedTag, promote

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryFactory, RegistryServer

pytestmark = pytest.mark.timeout(30)

PLATFORMS = ("linux/amd64", "linux/arm64")
VARIANTS = ["registry_plain", "registry_basic", "registry_token", "registry_tls"]


@dataclass
class Wire:
    """What the client sent and what it got back: (method, path, query, status)."""

    exchanges: list[tuple[str, str, str, int]] = field(default_factory=list)
    on_response: Callable[[httpx.Response], None] | None = None

    def hooks(self) -> dict[str, list[Callable[..., Any]]]:
        """httpx event hooks recording every response."""
        return {"response": [self._record]}

    def _record(self, response: httpx.Response) -> None:
        url = response.request.url
        self.exchanges.append(
            (response.request.method, url.path, url.query.decode(), response.status_code)
        )
        if self.on_response is not None:
            self.on_response(response)

    def blob_uploads(self) -> list[tuple[str, str, str, int]]:
        """Requests that move blob bytes or open an upload."""
        return [e for e in self.exchanges if "/blobs/uploads/" in e[1] or e[0] == "PATCH"]

    def manifest_puts(self) -> list[str]:
        """Paths of every manifest PUT."""
        return [e[1] for e in self.exchanges if e[0] == "PUT" and "/manifests/" in e[1]]


@dataclass
class Sleeps:
    """An injected sleep that only records."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(
    *servers: RegistryServer,
    wire: Wire | None = None,
    sleeps: Sleeps | None = None,
    env: dict[str, str] | None = None,
    docker_config: Path | None = None,
    ca_file: Path | None = None,
) -> RegistryClient:
    """A client with each server's host-specific credentials (unless ``env`` is given)."""
    if env is None:
        env = {}
        for server in servers:
            env.update(server.env())
    cas = [s.ca_file for s in servers if s.ca_file is not None]
    return RegistryClient(
        env=env,
        docker_config=docker_config or Path("/nonexistent/docker-config"),
        ca_file=ca_file or (cas[0] if cas else None),
        sleep=sleeps or Sleeps(),
        timeout=5.0,
        event_hooks=(wire or Wire()).hooks(),
    )


def targets(source: ImageRef, *tags: str, repository: str | None = None) -> list[ImageRef]:
    """``source``'s registry and repository (or another repository) under each tag."""
    return [ImageRef(source.registry, repository or source.repository, tag, None) for tag in tags]


def blob_digests(client: RegistryClient, source: ImageRef) -> list[str]:
    """Config and layer digests of every child of ``source`` (shared blobs repeat)."""
    found = []
    for child in resolve(client, source).children():
        reference = ImageRef(source.registry, source.repository, None, child.digest)
        found += [blob.digest for blob in resolve(client, reference).blobs()]
    return found


def assert_all_verified(results: list[PushedTag], digest: str, tags: list[ImageRef]) -> None:
    """Every target read back with the source digest and both platforms."""
    assert [r.ref for r in results] == tags
    for result in results:
        assert result.digest == digest
        assert set(result.platforms) == set(PLATFORMS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_promote_in_the_same_repository_puts_only_manifest_bytes(
    variant: str, request: pytest.FixtureRequest, image_in: ImageFactory
) -> None:
    server: RegistryServer = request.getfixturevalue(variant)
    source = ImageRef.parse(image_in(server))
    wire = Wire()
    # The Basic variant reads its credentials from the Docker config, the others from env.
    via_config = server.auth == "basic" and not server.tls
    with make_client(
        server,
        wire=wire,
        env={} if via_config else None,
        docker_config=server.docker_config if via_config else None,
    ) as client:
        wanted = targets(source, "1.4.2", "1.4", "1", "latest")
        results = promote(client, source, wanted, PLATFORMS)
        assert_all_verified(results, str(source.digest), wanted)
        assert all(r.pushed for r in results)
        assert wire.blob_uploads() == []
        assert not [e for e in wire.exchanges if "/blobs/" in e[1]]
        assert sorted(wire.manifest_puts()) == sorted(
            f"/v2/{source.repository}/manifests/{tag}" for tag in ("1.4.2", "1.4", "1", "latest")
        )
        assert set(list_tags(client, source.registry, source.repository)) == {
            "src",
            "1.4.2",
            "1.4",
            "1",
            "latest",
        }
        assert platforms_of(client, wanted[0]) == PLATFORMS


@pytest.mark.parametrize("variant", ["registry_plain", "registry_token"])
def test_promote_to_another_repository_mounts_every_blob(
    variant: str, request: pytest.FixtureRequest, image_in: ImageFactory
) -> None:
    server: RegistryServer = request.getfixturevalue(variant)
    source = ImageRef.parse(image_in(server))
    other_repository = source.repository + "-released"
    wire = Wire()
    with make_client(server, wire=wire) as client:
        wanted = targets(source, "2.0.0", "latest", repository=other_repository)
        results = promote(client, source, wanted, PLATFORMS)
        blobs = blob_digests(client, source)
    assert_all_verified(results, str(source.digest), wanted)
    mounts = [e for e in wire.exchanges if e[0] == "POST" and "mount=" in e[2]]
    # every config and layer of both platforms, each mounted from the source repository
    assert len(blobs) >= 4
    assert sorted(e[2].split("&")[0].removeprefix("mount=") for e in mounts) == sorted(
        b.replace(":", "%3A") for b in blobs
    )
    assert {e[3] for e in mounts} == {201}
    assert all(f"from={source.repository.replace('/', '%2F')}" in e[2] for e in mounts)
    assert not [e for e in wire.exchanges if e[0] == "PATCH"]
    if server.auth == "token":
        issued = [json.loads(line)["scopes"] for line in server.scope_log.read_text().splitlines()]
        assert [
            f"repository:{other_repository}:pull,push",
            f"repository:{source.repository}:pull",
        ] in issued


def test_promote_to_another_registry_streams_the_missing_blobs(
    registry_plain: RegistryServer, registry_other: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_plain))
    wanted = [ImageRef(registry_other.host, "acme/copied", tag, None) for tag in ("3.1.0", "3.1")]
    wire = Wire()
    with make_client(registry_plain, registry_other, wire=wire) as client:
        results = promote(client, source, wanted, PLATFORMS)
        assert_all_verified(results, str(source.digest), wanted)
        patches = [e for e in wire.exchanges if e[0] == "PATCH"]
        # each distinct config and layer once (a blob both platforms share is sent once)
        assert len(patches) == len(set(blob_digests(client, source)))
        assert {e[3] for e in patches} == {202}
        children = [e[1] for e in wire.exchanges if e[0] == "PUT" and "/manifests/sha256:" in e[1]]
        assert len(children) == 2
        # the index goes last, after its children
        assert wire.manifest_puts()[-2:] == [
            "/v2/acme/copied/manifests/3.1.0",
            "/v2/acme/copied/manifests/3.1",
        ]

        # A third tag later copies nothing: every blob and child is already there.
        wire.exchanges.clear()
        more = promote(client, source, [*wanted, wanted[0].with_tag("3")], PLATFORMS)
        assert [r.pushed for r in more] == [False, False, True]
        assert not [e for e in wire.exchanges if e[0] in {"PATCH", "POST"}]


def test_a_rerun_verifies_and_pushes_nothing(
    registry_token: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_token))
    wanted = targets(source, "5.0.0", "5", repository=source.repository + "-again")
    with make_client(registry_token) as client:
        first = promote(client, source, wanted, PLATFORMS)
    wire = Wire()
    with make_client(registry_token, wire=wire) as client:
        second = promote(client, source, wanted, PLATFORMS)
    assert [r.pushed for r in first] == [True, True]
    assert [r.pushed for r in second] == [False, False]
    assert [r.digest for r in second] == [r.digest for r in first]
    assert {e[0] for e in wire.exchanges} <= {"GET", "HEAD"}


def test_a_registry_that_dies_midway_fails_cleanly_and_a_rerun_completes(
    registry_plain: RegistryServer, registry_factory: RegistryFactory, image_in: ImageFactory
) -> None:
    dying = registry_factory("dying", auth="basic")
    source = ImageRef.parse(image_in(registry_plain))
    wanted = [ImageRef(dying.host, "acme/app", tag, None) for tag in ("7.0.0", "7.0", "7")]

    def kill_after_first_tag(response: httpx.Response) -> None:
        if response.request.method == "PUT" and response.request.url.path.endswith("/7.0.0"):
            dying.stop()

    wire = Wire(on_response=kill_after_first_tag)
    sleeps = Sleeps()
    with (
        make_client(registry_plain, dying, wire=wire, sleeps=sleeps) as client,
        pytest.raises(RegistryError) as failure,
    ):
        promote(client, source, wanted, PLATFORMS)
    assert failure.value.exit_code == 6
    assert f"registry {dying.host} did not answer" in str(failure.value)
    assert "run the release again" in failure.value.hint
    assert len(sleeps.calls) == 3
    assert sum(sleeps.calls) < 10

    dying.start()  # same port, same storage: the first tag survived
    with make_client(registry_plain, dying) as client:
        assert list_tags(client, dying.host, "acme/app") == ["7.0.0"]
        results = promote(client, source, wanted, PLATFORMS)
        assert sorted(list_tags(client, dying.host, "acme/app")) == ["7", "7.0", "7.0.0"]
    assert [r.pushed for r in results] == [False, True, True]
    assert_all_verified(results, str(source.digest), wanted)


@pytest.mark.parametrize("variant", ["registry_basic", "registry_token", "registry_tls"])
def test_wrong_credentials_name_the_registry_and_never_show_the_password(
    variant: str,
    request: pytest.FixtureRequest,
    image_in: ImageFactory,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server: RegistryServer = request.getfixturevalue(variant)
    source = ImageRef.parse(image_in(server))
    secret = "wrong-Secret-4f9c1e"
    env = {k: (secret if k.endswith("_PASSWORD") else v) for k, v in server.env().items()}
    with make_client(server, env=env) as client, pytest.raises(RegistryError) as failure:
        promote(client, source, targets(source, "9.9.9"), PLATFORMS)
    error = failure.value
    assert str(error) == (
        f"registry {server.host} refused the credentials for {source.repository} (401)"
    )
    assert "docker login" in error.hint
    assert "VERSIONBOT_REGISTRY_USERNAME" in error.hint
    captured = capfd.readouterr()
    everything = " ".join(
        [str(error), error.hint, repr(error), captured.out, captured.err, caplog.text]
    )
    assert secret not in everything
    pair = base64.b64encode(f"{server.username}:{secret}".encode()).decode()
    assert pair not in everything
    assert "wrong-Secret" not in everything


def test_no_credentials_say_they_are_required(
    registry_basic: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_basic))
    with make_client(registry_basic, env={}) as client, pytest.raises(RegistryError) as failure:
        resolve(client, source)
    assert str(failure.value) == (
        f"registry {registry_basic.host} requires credentials for {source.repository} (401)"
    )


def test_host_specific_credentials_win_over_the_generic_ones(
    registry_token: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_token))
    env = {
        **registry_token.env(),
        "VERSIONBOT_REGISTRY_USERNAME": "nobody",
        "VERSIONBOT_REGISTRY_PASSWORD": "not-this-one",
    }
    with make_client(registry_token, env=env) as client:
        assert resolve(client, source).digest == source.digest


def test_credentials_from_a_docker_credential_helper(
    registry_basic: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = ImageRef.parse(image_in(registry_basic))
    helper = tmp_path / "bin" / "docker-credential-versionbot-test"
    helper.parent.mkdir()
    answer = json.dumps(
        {
            "ServerURL": registry_basic.host,
            "Username": "testuser",
            "Secret": registry_basic.password,
        }
    )
    helper.write_text(f"#!/bin/sh\nread server\ncat <<'EOF'\n{answer}\nEOF\n")
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{helper.parent}:{Path('/usr/bin')}:{Path('/bin')}")
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(
        json.dumps({"credHelpers": {registry_basic.host: "versionbot-test"}})
    )
    with make_client(registry_basic, env={}, docker_config=config) as client:
        assert platforms_of(client, source) == PLATFORMS


def test_a_missing_platform_is_named_and_nothing_is_pushed(
    registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_plain))
    wire = Wire()
    with make_client(registry_plain, wire=wire) as client:
        with pytest.raises(RegistryError) as failure:
            promote(client, source, targets(source, "1.0.0"), ["linux/amd64", "linux/s390x"])
        assert list_tags(client, source.registry, source.repository) == ["src"]
    assert "lacks platform linux/s390x" in str(failure.value)
    assert "linux/amd64, linux/arm64" in str(failure.value)
    assert wire.manifest_puts() == []


def test_arm64_matches_its_default_variant(
    registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    source = ImageRef.parse(image_in(registry_plain))
    with make_client(registry_plain) as client:
        results = promote(client, source, targets(source, "v8"), ["linux/arm64/v8"])
    assert results[0].digest == source.digest


def test_tls_without_the_ca_fails_with_a_clear_error(
    registry_tls: RegistryServer, image_in: ImageFactory, tmp_path: Path
) -> None:
    source = ImageRef.parse(image_in(registry_tls))
    client = RegistryClient(env=registry_tls.env(), docker_config=tmp_path, sleep=Sleeps())
    with client, pytest.raises(RegistryError) as failure:
        resolve(client, source)
    assert (
        str(failure.value) == f"the TLS certificate of registry {registry_tls.host} is not trusted"
    )
    assert "CA" in failure.value.hint


def test_tags_of_a_missing_repository_are_empty_and_a_missing_tag_is_an_error(
    registry_token: RegistryServer,
) -> None:
    with make_client(registry_token) as client:
        assert list_tags(client, registry_token.host, "nobody/here") == []
        with pytest.raises(RegistryError) as failure:
            resolve(client, ImageRef(registry_token.host, "nobody/here", "1.0", None))
    assert str(failure.value) == (
        f"registry {registry_token.host} has no manifest nobody/here:1.0 (404)"
    )


def test_tags_with_a_page_size(registry_plain: RegistryServer, image_in: ImageFactory) -> None:
    # distribution 2.8 ignores `n` for tags (paging is checked against a stub in the unit tests)
    source = ImageRef.parse(image_in(registry_plain))
    with make_client(registry_plain) as client:
        promote(client, source, targets(source, "a", "b", "c", "d"), PLATFORMS)
        found = list_tags(client, source.registry, source.repository, page_size=2)
    assert sorted(found) == ["a", "b", "c", "d", "src"]


def _push_blob(client: httpx.Client, repository: str, data: bytes) -> dict[str, Any]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    assert started.status_code == 202, started.text
    location = httpx.URL(started.headers["Location"])
    response = client.put(location.copy_add_param("digest", digest), content=data)
    assert response.status_code == 201, response.text
    return {"digest": digest, "size": len(data)}


def test_a_single_platform_image_with_a_multi_chunk_layer_is_streamed_across(
    registry_plain: RegistryServer, registry_other: RegistryServer
) -> None:
    layer = os.urandom(3 * 1024 * 1024 + 17)  # more than three 1 MiB chunks
    config = json.dumps({"architecture": "arm64", "os": "linux", "rootfs": {}}).encode()
    repository = "t/single-platform"
    with registry_plain.http() as raw:
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                **_push_blob(raw, repository, config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    **_push_blob(raw, repository, layer),
                }
            ],
        }
        body = json.dumps(manifest, indent=3).encode()  # odd spacing: bytes must not be redone
        response = raw.put(
            f"/v2/{repository}/manifests/src",
            content=body,
            headers={"Content-Type": str(manifest["mediaType"])},
        )
        assert response.status_code == 201, response.text
    source = ImageRef(registry_plain.host, repository, "src", None)
    wanted = [ImageRef(registry_other.host, "acme/single", "1.0.0", None)]
    wire = Wire()
    with make_client(registry_plain, registry_other, wire=wire) as client:
        (result,) = promote(client, source, wanted, ["linux/arm64"])
        with pytest.raises(RegistryError, match="lacks platform linux/amd64"):
            promote(client, source, wanted, ["linux/amd64"])
    assert result.digest == "sha256:" + hashlib.sha256(body).hexdigest()
    assert result.platforms == ("linux/arm64",)
    assert len([e for e in wire.exchanges if e[0] == "PATCH"]) == 2
