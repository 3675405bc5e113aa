"""Pure helpers of the registry client: references, challenges, credentials, retries, schemes."""

from __future__ import annotations

import doctest
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import versionbot.core.retries
from versionbot.core.errors import RegistryError, UsageError
from versionbot.core.retries import RetryPolicy, parse_retry_after
from versionbot.registry.auth import Challenge, parse_www_authenticate
from versionbot.registry.client import RegistryClient
from versionbot.registry.credentials import (
    Credentials,
    credentials_from_docker_config,
    credentials_from_env,
    env_var_prefix,
)
from versionbot.registry.manifests import list_tags, listed_referrers, referrers_api, resolve
from versionbot.registry.oci import (
    OCI_INDEX,
    OCI_MANIFEST,
    ImageRef,
    InvalidImageRef,
    Manifest,
    cosign_tags,
    merged_referrers,
    plain_http_allowed,
    platform_matches,
    referrers_tag,
)

pytestmark = pytest.mark.timeout(20)

DIGEST = "sha256:" + "ab" * 32


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("alpine", "docker.io", "library/alpine", None, None),
        ("alpine:3.20", "docker.io", "library/alpine", "3.20", None),
        ("acme/app", "docker.io", "acme/app", None, None),
        ("docker.io/app:1", "docker.io", "library/app", "1", None),
        ("index.docker.io/library/app", "docker.io", "library/app", None, None),
        ("ghcr.io/acme/app:sha-abc", "ghcr.io", "acme/app", "sha-abc", None),
        ("ghcr.io/acme/team/app", "ghcr.io", "acme/team/app", None, None),
        ("localhost/app:dev", "localhost", "app", "dev", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        (f"127.0.0.1:5000/acme/app@{DIGEST}", "127.0.0.1:5000", "acme/app", None, DIGEST),
        (f"127.0.0.1:5000/acme/app:1.0@{DIGEST}", "127.0.0.1:5000", "acme/app", "1.0", DIGEST),
        ("[::1]:5000/app:1", "[::1]:5000", "app", "1", None),
        (
            "registry.example.com:443/a.b/c_d__e-f:V1_x.y-z",
            "registry.example.com:443",
            "a.b/c_d__e-f",
            "V1_x.y-z",
            None,
        ),
    ],
)
def test_parse(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = ImageRef.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert ImageRef.parse(str(ref)) == ref


@pytest.mark.parametrize(
    "text",
    [
        "ghcr.io/acme/app:sha-abc",
        f"127.0.0.1:5000/acme/app@{DIGEST}",
        f"127.0.0.1:5000/acme/app:1.0@{DIGEST}",
        "docker.io/library/alpine",
    ],
)
def test_str_round_trips_normalised_text(text: str) -> None:
    assert str(ImageRef.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        " alpine",
        "a b",
        "Acme/App",
        "ghcr.io/acme/app:",
        "ghcr.io/acme/app:-x",
        "ghcr.io/acme/app@sha256:zz",
        "ghcr.io/acme/app@md5:" + "a" * 32,
        "ghcr.io//app",
        "ghcr.io/acme/app:" + "x" * 129,
        "bad_host.io:/app",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidImageRef) as failure:
        ImageRef.parse(text)
    assert isinstance(failure.value, ValueError)
    assert isinstance(failure.value, UsageError)
    assert "\n" not in str(failure.value)


def test_reference_api_host_and_with_tag() -> None:
    hub = ImageRef.parse("alpine")
    assert hub.reference == "latest"
    assert hub.api_host == "registry-1.docker.io"
    local = ImageRef.parse(f"127.0.0.1:5000/acme/app:1@{DIGEST}")
    assert local.reference == DIGEST
    assert local.api_host == "127.0.0.1:5000"
    assert str(local.with_tag("2")) == "127.0.0.1:5000/acme/app:2"


# --------------------------------------------------------------------------- WWW-Authenticate


def test_bearer_challenge_with_quoted_scope_holding_commas() -> None:
    header = (
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
        'scope="repository:library/alpine:pull,push"'
    )
    (challenge,) = parse_www_authenticate(header)
    assert challenge.scheme == "bearer"
    assert challenge.get("realm") == "https://auth.docker.io/token"
    assert challenge.get("service") == "registry.docker.io"
    assert challenge.get("scope") == "repository:library/alpine:pull,push"
    assert challenge.get("missing", "x") == "x"


def test_several_challenges_tokens_and_escapes() -> None:
    header = 'Basic realm="Registry \\"Realm\\"", charset=UTF-8, BEARER realm=https://t/x , error=x'
    basic, bearer = parse_www_authenticate(header)
    assert basic == Challenge("basic", (("realm", 'Registry "Realm"'), ("charset", "UTF-8")))
    assert bearer == Challenge("bearer", (("realm", "https://t/x"), ("error", "x")))


@pytest.mark.parametrize("header", ["", "   ", ",,", '"', "Basic abc==", "=", 'Bearer realm="x'])
def test_garbage_never_raises(header: str) -> None:
    for challenge in parse_www_authenticate(header):
        assert challenge.scheme


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    ("registry", "prefix"),
    [
        ("127.0.0.1:5000", "VERSIONBOT_REGISTRY_127_0_0_1_5000"),
        ("ghcr.io", "VERSIONBOT_REGISTRY_GHCR_IO"),
        ("[::1]:5000", "VERSIONBOT_REGISTRY____1__5000"),
        ("my-registry.example.com", "VERSIONBOT_REGISTRY_MY_REGISTRY_EXAMPLE_COM"),
    ],
)
def test_env_var_prefix(registry: str, prefix: str) -> None:
    assert env_var_prefix(registry) == prefix


def test_host_specific_env_credentials_win() -> None:
    env = {
        "VERSIONBOT_REGISTRY_USERNAME": "any",
        "VERSIONBOT_REGISTRY_PASSWORD": "any-secret",
        "VERSIONBOT_REGISTRY_GHCR_IO_USERNAME": "bot",
        "VERSIONBOT_REGISTRY_GHCR_IO_PASSWORD": "ghcr-secret",
    }
    ghcr = credentials_from_env("ghcr.io", env)
    other = credentials_from_env("quay.io", env)
    assert ghcr is not None
    assert (ghcr.username, ghcr.password) == ("bot", "ghcr-secret")
    assert ghcr.source == "VERSIONBOT_REGISTRY_GHCR_IO_USERNAME/_PASSWORD"
    assert other is not None
    assert (other.username, other.password) == ("any", "any-secret")


def test_half_a_pair_does_not_count() -> None:
    env = {"VERSIONBOT_REGISTRY_GHCR_IO_USERNAME": "bot", "VERSIONBOT_REGISTRY_PASSWORD": "x"}
    assert credentials_from_env("ghcr.io", env) is None


def test_credentials_never_show_in_repr() -> None:
    creds = Credentials("bot", "s3cret-value", "id-token-value", source="somewhere")
    assert "s3cret" not in repr(creds)
    assert "id-token" not in repr(creds)
    assert "bot" not in repr(creds)


def test_docker_config_auths_via_docker_py(tmp_path: Path) -> None:
    import base64

    pair = base64.b64encode(b"bot:from-config").decode()
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "auths": {
                    "127.0.0.1:5000": {"auth": pair},
                    "https://index.docker.io/v1/": {"auth": pair},
                }
            }
        )
    )
    local = credentials_from_docker_config("127.0.0.1:5000", config, {})
    hub = credentials_from_docker_config("docker.io", config, {})
    assert local is not None
    assert (local.username, local.password) == ("bot", "from-config")
    assert hub is not None
    assert hub.password == "from-config"
    assert credentials_from_docker_config("ghcr.io", config, {}) is None
    assert credentials_from_docker_config("ghcr.io", tmp_path / "missing.json", {}) is None


# --------------------------------------------------------------------------- platforms, schemes


@pytest.mark.parametrize(
    ("wanted", "present", "match"),
    [
        ("linux/amd64", "linux/amd64", True),
        ("linux/arm64", "linux/arm64/v8", True),
        ("linux/arm64/v8", "linux/arm64", True),
        ("linux/arm/v7", "linux/arm", True),
        ("linux/arm/v6", "linux/arm", False),
        ("linux/amd64", "linux/arm64", False),
        ("windows/amd64", "linux/amd64", False),
    ],
)
def test_platform_matches(wanted: str, present: str, match: bool) -> None:
    assert platform_matches(wanted, present) is match


@pytest.mark.parametrize(
    ("host", "insecure", "allowed"),
    [
        ("127.0.0.1:5000", (), True),
        ("127.8.9.10", (), True),
        ("localhost:5000", (), True),
        ("[::1]:5000", (), True),
        ("ghcr.io", (), False),
        ("10.0.0.5:5000", (), False),
        ("registry.internal:5000", ("registry.internal:5000",), True),
        ("registry.internal:5000", ("registry.internal",), True),
        ("registry.internal:5000", ("other.internal",), False),
    ],
)
def test_plain_http_allowed(host: str, insecure: tuple[str, ...], allowed: bool) -> None:
    assert plain_http_allowed(host, insecure) is allowed


def test_plain_http_is_never_tried_for_a_remote_registry() -> None:
    urls: list[httpx.URL] = []
    sleeps: list[float] = []

    def record(request: httpx.Request) -> None:
        urls.append(request.url)

    client = RegistryClient(
        env={}, sleep=sleeps.append, timeout=2.0, event_hooks={"request": [record]}
    )
    with client, pytest.raises(RegistryError) as failure:
        resolve(client, ImageRef.parse("registry.invalid/acme/app:1"))
    assert urls
    assert {url.scheme for url in urls} == {"https"}
    assert "registry registry.invalid did not answer GET for acme/app" in str(failure.value)


# --------------------------------------------------------------------------- retries


def test_backoff_schedule_is_bounded() -> None:
    policy = RetryPolicy()
    assert [policy.delay(n, None, 0.0) for n in range(1, 5)] == [0.5, 1.0, 2.0, None]
    assert policy.delay(1, 3.0, 0.0) == 3.0
    assert policy.delay(1, 600.0, 0.0) == 5.0  # Retry-After is honoured up to a cap
    assert policy.delay(3, 600.0, 8.0) == 1.5  # and never past the total budget
    assert policy.delay(2, None, 9.5) == 0.0


def test_the_retry_loop_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.retries).failed == 0


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:03 GMT", now) == 3.0
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 (with Retry-After) ``failures`` times, then a tiny OCI index."""

    failures = 0
    seen = 0

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        type(self).seen += 1
        if type(self).seen <= type(self).failures:
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", OCI_INDEX)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def flaky() -> Iterator[tuple[str, type[_Flaky]]]:
    handler = type("Handler", (_Flaky,), {"failures": 0, "seen": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_retries_a_503_honouring_retry_after(flaky: tuple[str, type[_Flaky]]) -> None:
    host, handler = flaky
    handler.failures = 2
    sleeps: list[float] = []
    with RegistryClient(env={}, sleep=sleeps.append) as client:
        manifest = resolve(client, ImageRef.parse(f"{host}/acme/app:1"))
    assert manifest.is_index
    assert sleeps == [1.0, 1.0]


def test_gives_up_after_four_tries_within_ten_seconds(flaky: tuple[str, type[_Flaky]]) -> None:
    host, handler = flaky
    handler.failures = 100
    sleeps: list[float] = []
    with RegistryClient(env={}, sleep=sleeps.append) as client, pytest.raises(RegistryError) as e:
        resolve(client, ImageRef.parse(f"{host}/acme/app:1"))
    assert len(sleeps) == 3
    assert sum(sleeps) < 10
    assert str(e.value) == f"registry {host} did not answer GET for acme/app after 4 tries (503)"
    assert e.value.exit_code == 6


def test_connection_refused_backs_off_exponentially() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    with RegistryClient(env={}, sleep=sleeps.append) as client, pytest.raises(RegistryError) as e:
        list_tags(client, f"127.0.0.1:{port}", "acme/app")
    assert sleeps == [0.5, 1.0, 2.0]
    assert "(ConnectError)" in str(e.value)


class _Paged(BaseHTTPRequestHandler):
    """``tags/list`` in pages of two with ``Link: <...>; rel="next"``, as the spec pages."""

    tags = ("a", "b", "c", "d", "e")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        url = httpx.URL(self.path)
        if url.path == "/v2/":
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        last = url.params.get("last")
        start = self.tags.index(last) + 1 if last else 0
        page = self.tags[start : start + int(url.params.get("n", "2"))]
        body = json.dumps({"name": "acme/app", "tags": list(page)}).encode()
        self.send_response(200)
        if start + len(page) < len(self.tags):
            self.send_header("Link", f'</v2/acme/app/tags/list?n=2&last={page[-1]}>; rel="next"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_tags_follow_the_next_links() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Paged)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paths: list[str] = []

    def record(request: httpx.Request) -> None:
        paths.append(str(request.url.raw_path, "ascii"))

    try:
        with RegistryClient(env={}, event_hooks={"request": [record]}) as client:
            found = list_tags(
                client, f"127.0.0.1:{server.server_address[1]}", "acme/app", page_size=2
            )
    finally:
        server.shutdown()
        server.server_close()
    assert found == ["a", "b", "c", "d", "e"]
    assert [p for p in paths if "tags" in p] == [
        "/v2/acme/app/tags/list?n=2",
        "/v2/acme/app/tags/list?n=2&last=b",
        "/v2/acme/app/tags/list?n=2&last=d",
    ]


# -- referrers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digest", "tag"),
    [  # the table of the distribution spec's "Referrers Tag Schema"
        ("sha256:" + "a" * 64, "sha256-" + "a" * 64),
        ("sha512:" + "a" * 128, "sha512-" + "a" * 64),
        (
            "test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+"
            "overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAnd"
            "LotsOfCharactersToExcerciseEncodedTruncation",
            "test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplace"
            "mentAndLotsAndLot",
        ),
    ],
)
def test_referrers_tag_follows_the_spec_table(digest: str, tag: str) -> None:
    assert referrers_tag(digest) == tag


def test_cosign_tags() -> None:
    assert cosign_tags(DIGEST) == tuple(f"sha256-{'ab' * 32}.{s}" for s in ("sig", "att", "sbom"))


# The distribution spec's example answer of GET /v2/<name>/referrers/<digest> ("Listing
# Referrers"), its elided digests written out; served in two pages as the spec allows.
SPEC_REFERRERS = [
    {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "size": 1234,
        "digest": "sha256:" + "a1" * 32,
        "artifactType": "application/vnd.example.sbom.v1",
        "annotations": {
            "org.opencontainers.image.created": "2022-01-01T14:42:55Z",
            "org.example.sbom.format": "json",
        },
    },
    {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "size": 1234,
        "digest": "sha256:" + "a2" * 32,
        "artifactType": "application/vnd.example.signature.v1",
        "annotations": {
            "org.opencontainers.image.created": "2022-01-01T07:21:33Z",
            "org.example.signature.fingerprint": "abcd",
        },
    },
    {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "size": 1234,
        "digest": "sha256:" + "a3" * 32,
        "annotations": {"org.opencontainers.image.created": "2023-01-01T07:21:33Z"},
    },
]


class _Referrers(BaseHTTPRequestHandler):
    """A registry with the referrers API (``/v2/acme/app``) and one without (``/v2/old/app``,
    404 as distribution 2.8 answers, its referrers tag holding the spec's list)."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = httpx.URL(self.path)
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX}
        if url.path == f"/v2/acme/app/referrers/{DIGEST}":
            page = 1 if url.params.get("page") == "2" else 0
            body = json.dumps({**index, "manifests": SPEC_REFERRERS[page * 2 : page * 2 + 2]})
            headers = {"Content-Type": OCI_INDEX}
            if not page:
                headers["Link"] = f'</v2/acme/app/referrers/{DIGEST}?page=2>; rel="next"'
            self._send(200, body.encode(), headers)
        elif url.path == f"/v2/old/app/manifests/{referrers_tag(DIGEST)}":
            body = json.dumps({**index, "manifests": SPEC_REFERRERS})
            self._send(200, body.encode(), {"Content-Type": OCI_INDEX})
        else:
            self._send(404, b"404 page not found\n", {"Content-Type": "text/plain"})


@pytest.fixture
def referrers_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Referrers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_referrers_api_answer_is_read_page_by_page(referrers_host: str) -> None:
    with RegistryClient(env={}) as client:
        listed = referrers_api(client, referrers_host, "acme/app", DIGEST)
        assert listed == listed_referrers(client, referrers_host, "acme/app", DIGEST)
    assert listed is not None
    assert [(d.digest, d.media_type, d.artifact_type) for d in listed] == [
        (r["digest"], r["mediaType"], r.get("artifactType")) for r in SPEC_REFERRERS
    ]


def test_without_the_api_the_referrers_tag_is_read(referrers_host: str) -> None:
    with RegistryClient(env={}) as client:
        assert referrers_api(client, referrers_host, "old/app", DIGEST) is None
        listed = listed_referrers(client, referrers_host, "old/app", DIGEST)
        assert listed_referrers(client, referrers_host, "none/app", DIGEST) == ()
    assert [d.digest for d in listed] == [r["digest"] for r in SPEC_REFERRERS]


def _artifact(artifact_type: str | None, config_type: str, note: str) -> Manifest:
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config_type, "digest": DIGEST, "size": 2},
        "layers": [],
        "subject": {"mediaType": OCI_INDEX, "digest": DIGEST, "size": 10},
        "annotations": {"note": note},
    }
    if artifact_type is not None:
        document["artifactType"] = artifact_type
    return Manifest.from_bytes(json.dumps(document).encode())


def test_the_merged_referrers_index_keeps_every_entry_and_adds_each_once() -> None:
    sbom = _artifact("application/spdx+json", "application/vnd.oci.empty.v1+json", "sbom")
    legacy = _artifact(None, "application/vnd.example.sig.config", "no artifactType")
    theirs = {"mediaType": OCI_MANIFEST, "digest": "sha256:" + "cd" * 32, "size": 5, "x": 1}
    existing = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [theirs]}
    existing_index = Manifest.from_bytes(json.dumps(existing).encode(), OCI_INDEX)

    merged = merged_referrers(existing_index, [sbom, legacy, sbom])

    assert merged is not None
    document = json.loads(merged)
    assert document["mediaType"] == OCI_INDEX
    assert document["manifests"] == [
        theirs,  # never dropped nor changed
        {
            "mediaType": OCI_MANIFEST,
            "digest": sbom.digest,
            "size": len(sbom.raw),
            "artifactType": "application/spdx+json",
            "annotations": {"note": "sbom"},
        },
        {  # no artifactType: the config's media type stands in (spec step 5)
            "mediaType": OCI_MANIFEST,
            "digest": legacy.digest,
            "size": len(legacy.raw),
            "artifactType": "application/vnd.example.sig.config",
            "annotations": {"note": "no artifactType"},
        },
    ]
    again = Manifest.from_bytes(merged, OCI_INDEX)
    assert merged_referrers(again, [legacy, sbom]) is None  # nothing to add: nothing to write
    fresh = merged_referrers(None, [sbom])
    assert fresh is not None
    assert [e["digest"] for e in json.loads(fresh)["manifests"]] == [sbom.digest]
    assert sbom.subject is not None
    assert sbom.subject.digest == DIGEST


def test_a_referrers_tag_that_is_not_an_index_is_not_overwritten() -> None:
    with pytest.raises(RegistryError, match="other than an OCI image index"):
        merged_referrers(_artifact(None, "a/b", "an image"), [_artifact("x/y", "a/b", "new")])


def test_cosign_gets_docker_hub_credentials_where_docker_login_keeps_them(tmp_path: Path) -> None:
    """go-containerregistry (so cosign) looks Docker Hub up under ``https://index.docker.io/v1/``,
    as ``docker login`` writes it, not under the API host."""
    from versionbot.core.config import ImagesConfig, Signing
    from versionbot.registry.client import RegistryClient
    from versionbot.registry.signing import CosignSigner

    env = {
        "VERSIONBOT_REGISTRY_DOCKER_IO_USERNAME": "bot",
        "VERSIONBOT_REGISTRY_DOCKER_IO_PASSWORD": "pw",
    }
    settings = ImagesConfig(names=("docker.io/acme/app",), sign=Signing())
    signer = CosignSigner(settings, tmp_path, env)
    with RegistryClient(env=env, docker_config=tmp_path / "none") as client:
        cosign_env, secrets = signer._with_credentials(
            client, tmp_path, [("docker.io", "acme/app")]
        )

    config = json.loads((tmp_path / "config.json").read_text())
    assert list(config["auths"]) == ["https://index.docker.io/v1/"]
    assert cosign_env["DOCKER_CONFIG"] == str(tmp_path)
    assert secrets == ["pw"]
