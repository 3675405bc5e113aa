"""Contract tests: the auth flow of each registry users have, as its documentation describes it.

Each registry is stood in for by the real CNCF distribution registry (which sends the
``WWW-Authenticate`` challenge and verifies the signed tokens) and ``tests/token_server.py``
answering in that registry's documented shape (``--shape``: token path, parameters, response
fields, status codes). The bot's side is observed on the wire through an httpx request hook,
the token service's side through its request log. The real registries (ghcr.io, Docker Hub,
quay.io, ECR, Artifact Registry, ACR) are not reachable from the test machine: what is tested
here is the bot against each documented protocol, not against the services themselves.

Every test checks the exact token requests (method, path, query or form fields, Authorization
scheme) and that no credential goes anywhere but where the protocol sends it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from registry_fixtures import (
    ImageFactory,
    RegistryServer,
    make_ca_and_leaf,
    start_token_server,
)
from versionbot.core.errors import RegistryError
from versionbot.registry.client import RegistryClient
from versionbot.registry.credentials import find_credentials
from versionbot.registry.manifests import resolve
from versionbot.registry.oci import ImageRef
from versionbot.registry.stage import promote

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo

pytestmark = pytest.mark.timeout(60)

PLATFORMS = ("linux/amd64", "linux/arm64")
REPOSITORY = "acme/team/app"  # a name with two slashes, as GHCR, GAR and Quay names often are
PUSH = f"repository:{REPOSITORY}:pull,push"
PULL = f"repository:{REPOSITORY}:pull"
ACR_REFRESH_USER = "00000000-0000-0000-0000-000000000000"
SHAPE_PATHS = {
    "dockerhub": "/token",
    "ghcr": "/token",
    "quay": "/v2/auth",
    "gar": "/v2/token",
    "acr": "/oauth2/token",
}


@dataclass
class ShapedRegistry(RegistryServer):
    """A distribution registry whose token realm answers as ``shape``'s service does."""

    shape: str = "ghcr"
    service: str = "ghcr.io"
    realm_host: str = "127.0.0.1"
    realm_tls: bool = False
    more_credentials: list[tuple[str, str]] = field(default_factory=list)
    refresh_token: str = ""
    realm: str = ""

    @property
    def request_log(self) -> Path:
        """JSON lines: every request the token service received."""
        return self.root / "token" / "requests.jsonl"

    def token_requests(self) -> list[dict[str, Any]]:
        """What the token service received, in order."""
        if not self.request_log.exists():
            return []
        return [json.loads(line) for line in self.request_log.read_text().splitlines()]

    def _prepare_token(self) -> str:
        directory = self.root / "token"
        directory.mkdir(exist_ok=True)
        tls: list[str] = []
        if self.realm_tls:
            self.ca_file, leaf, leaf_key = make_ca_and_leaf(self.root / "realm-certs")
            tls = ["--tls-cert", str(leaf), "--tls-key", str(leaf_key)]
        self.token_process, cert, port = start_token_server(
            directory,
            [
                *("--service", self.service, "--issuer", "versionbot-token-issuer"),
                *("--user", self.username, "--scope-log", str(self.scope_log)),
                *("--shape", self.shape, "--request-log", str(self.request_log), *tls),
            ],
            {
                "TOKEN_SERVER_PASSWORD": self.password,
                "TOKEN_SERVER_CREDENTIALS": json.dumps(self.more_credentials),
                "TOKEN_SERVER_REFRESH_TOKEN": self.refresh_token,
            },
        )
        scheme = "https" if self.realm_tls else "http"
        netloc = f"{self.realm_host}:{port}"
        self.realm = f"{scheme}://{netloc}{SHAPE_PATHS[self.shape]}"
        return (
            f"auth:\n  token:\n    realm: {self.realm}\n    service: {self.service}\n"
            f"    issuer: versionbot-token-issuer\n    rootcertbundle: {cert}\n"
        )


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ShapedRegistry]]:
    """One registry per documented shape (plus ECR: Basic only), started once per module."""
    json_key = json.dumps(
        {"type": "service_account", "private_key": "-----BEGIN KEY-----\nabc:def\n"}, indent=2
    )
    servers = {
        "dockerhub": ShapedRegistry(
            "dockerhub",
            tmp_path_factory.mktemp("dockerhub"),
            auth="token",
            shape="dockerhub",
            service="registry.docker.io",
            realm_host="localhost",  # auth.docker.io: another host than the registry, HTTPS
            realm_tls=True,
            username="acmebot",
        ),
        "ghcr": ShapedRegistry(
            "ghcr", tmp_path_factory.mktemp("ghcr"), auth="token", shape="ghcr", service="ghcr.io"
        ),
        "quay": ShapedRegistry(
            "quay",
            tmp_path_factory.mktemp("quay"),
            auth="token",
            shape="quay",
            service="quay.io",
            username="acme+releasebot",
        ),
        "gar": ShapedRegistry(
            "gar",
            tmp_path_factory.mktemp("gar"),
            auth="token",
            shape="gar",
            service="us-docker.pkg.dev",
            username="oauth2accesstoken",
            password="ya29." + secrets.token_urlsafe(24),
            more_credentials=[("_json_key", json_key)],
        ),
        "acr": ShapedRegistry(
            "acr",
            tmp_path_factory.mktemp("acr"),
            auth="token",
            shape="acr",
            service="acme.azurecr.io",
            username="6f1b4c2e-sp-app-id",
            refresh_token="acr-refresh-" + secrets.token_urlsafe(24),
        ),
        "ecr": ShapedRegistry(
            "ecr", tmp_path_factory.mktemp("ecr"), auth="basic", shape="ecr", username="AWS"
        ),
        "upload-elsewhere": ShapedRegistry(
            "upload-elsewhere", tmp_path_factory.mktemp("upload-elsewhere"), auth="token"
        ),
        "http-realm": ShapedRegistry(
            "http-realm",
            tmp_path_factory.mktemp("http-realm"),
            auth="token",
            shape="ghcr",
            realm_host="registry-auth.example.test",  # not loopback, and plain HTTP
        ),
    }
    # Its upload locations name "localhost": another host than the 127.0.0.1 of the API.
    elsewhere = servers["upload-elsewhere"]
    elsewhere.prepare()
    yml = elsewhere.root / "config.yml"
    addr = f"  addr: {elsewhere.host}\n"
    yml.write_text(
        yml.read_text().replace(addr, f"{addr}  host: http://localhost:{elsewhere.port}\n")
    )
    try:
        for server in servers.values():
            server.start()
        yield servers
    finally:
        for server in servers.values():
            server.close()


@dataclass
class Sent:
    """Every request the bot sent and every answer (httpx event hooks), auth-flow resends
    included."""

    requests: list[httpx.Request] = field(default_factory=list)
    answers: list[httpx.Response] = field(default_factory=list)

    def hooks(self) -> dict[str, list[Any]]:
        """httpx event hooks recording each request as it goes and each answer."""
        return {"request": [self.requests.append], "response": [self.answers.append]}

    def challenges(self, netloc: str) -> list[str]:
        """The ``WWW-Authenticate`` headers of the 401s from ``netloc``."""
        return [
            a.headers.get("WWW-Authenticate", "")
            for a in self.answers
            if a.status_code == 401 and a.request.url.netloc.decode() == netloc
        ]

    def to(self, netloc: str) -> list[httpx.Request]:
        """The requests sent to ``netloc`` (host:port)."""
        return [r for r in self.requests if r.url.netloc.decode() == netloc]

    def schemes(self, netloc: str) -> set[str]:
        """The Authorization schemes sent to ``netloc`` ('' for none)."""
        return {r.headers.get("Authorization", "").split(" ")[0] for r in self.to(netloc)}

    def assert_secret_only_in(self, secret: str, allowed: set[str]) -> None:
        """``secret`` (as itself or inside a Basic pair) left only for the ``allowed`` hosts."""
        for request in self.requests:
            netloc = request.url.netloc.decode()
            header = request.headers.get("Authorization", "")
            body = request.content if isinstance(request.stream, httpx.ByteStream) else b""
            seen = secret in str(request.url) or secret.encode() in body
            if header.startswith("Basic "):
                seen = seen or secret in base64.b64decode(header[6:]).decode()
            assert not seen or netloc in allowed, f"the secret went to {netloc}"


def client_for(
    sent: Sent, env: dict[str, str], server: ShapedRegistry, docker_config: Path | None = None
) -> RegistryClient:
    """A client whose only credentials are ``env`` (and ``docker_config``, when given)."""
    return RegistryClient(
        env=env,
        docker_config=docker_config or Path("/nonexistent/docker-config"),
        ca_file=server.ca_file,
        sleep=lambda _seconds: None,
        timeout=10.0,
        event_hooks=sent.hooks(),
    )


def env_for(server: RegistryServer, username: str, password: str) -> dict[str, str]:
    """The host-specific variables, as the README tells users to set them."""
    prefix = next(iter(server.env())).removesuffix("_USERNAME").removesuffix("_PASSWORD")
    return {f"{prefix}_USERNAME": username, f"{prefix}_PASSWORD": password}


def push_and_pull(
    server: ShapedRegistry,
    source_server: RegistryServer,
    image_in: ImageFactory,
    env: dict[str, str],
    docker_config: Path | None = None,
) -> tuple[Sent, Sent, ImageRef]:
    """Promote a two-platform index onto ``server`` (push), then read it back (pull); the
    pushed image by digest comes back too.

    Two clients, so the pull starts with no challenge or token remembered.
    """
    source = ImageRef.parse(image_in(source_server))
    target = ImageRef(server.host, REPOSITORY, f"1.0.{secrets.randbelow(10**6)}", None)
    pushed, pulled = Sent(), Sent()
    with client_for(pushed, env, server, docker_config) as client:
        results = promote(client, source, [target], PLATFORMS)
    assert [r.digest for r in results] == [source.digest]
    with client_for(pulled, env, server, docker_config) as client:
        assert resolve(client, target).digest == source.digest
    # Nothing ever carries credentials to the source registry, which asks for none.
    assert pushed.schemes(source_server.host) == {""}
    return pushed, pulled, ImageRef(server.host, REPOSITORY, None, source.digest)


Call = tuple[str, str, str, str | None, tuple[str, ...]]


def token_calls(server: ShapedRegistry) -> list[Call]:
    """(method, path, Authorization scheme, Basic user, scopes) of each token request; each
    also named the registry's service and nothing else (checked here)."""
    calls = []
    for entry in server.token_requests():
        assert entry["query"]["service"] == [server.service]
        assert set(entry["query"]) == {"service", "scope"}
        scopes = tuple(entry["query"]["scope"])
        method, path, user = entry["method"], entry["path"], entry["user"]
        calls.append((method, path, entry["authorization"], user, scopes))
    return calls


def push_pull_calls(method: str, path: str, scheme: str, user: str | None) -> list[Call]:
    """The token requests of one promotion and one read-back: the target's tag is looked up
    (pull), the content and tag are pushed (pull,push), and the second client reads (pull)."""
    return [(method, path, scheme, user, scopes) for scopes in ((PULL,), (PUSH,), (PULL,))]


def assert_bearer_flow(sent: Sent, server: ShapedRegistry) -> None:
    """The registry got one unauthenticated request (its 401 taught the challenge), then only
    Bearer tokens; the realm got no Bearer token."""
    to_registry = sent.to(server.host)
    first, rest = to_registry[0], to_registry[1:]
    assert "Authorization" not in first.headers
    assert {r.headers.get("Authorization", "").split(" ")[0] for r in rest} == {"Bearer"}
    realm = urlsplit(server.realm).netloc
    assert "Bearer" not in sent.schemes(realm)


def clear(server: ShapedRegistry) -> None:
    """Forget what the token service saw so far."""
    server.request_log.unlink(missing_ok=True)


# -- GitHub Container Registry -----------------------------------------------------------------


def test_ghcr_pat_as_password_with_any_user_name_and_anonymous_pull(
    shaped: dict[str, ShapedRegistry], registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    """GHCR: a PAT or GITHUB_TOKEN is the password and the user name is not checked; a public
    image is pulled with a token fetched with no credentials.

    https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-container-registry#authenticating-to-the-container-registry
    https://distribution.github.io/distribution/spec/auth/token/ (the flow GHCR follows)
    """
    server = shaped["ghcr"]
    clear(server)
    env = env_for(server, "github-actions[bot]", server.password)
    pushed, pulled, image = push_and_pull(server, registry_plain, image_in, env)
    realm = urlsplit(server.realm).netloc
    assert token_calls(server) == push_pull_calls("GET", "/token", "Basic", "github-actions[bot]")
    assert {e["credential"] for e in server.token_requests()} == {"ok"}
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(server.password, {realm})

    # A copy to another repository of the same registry mounts the blobs: one token names
    # both repositories, ``scope`` repeated (the order: the target's, then the source's).
    clear(server)
    copy = ImageRef(server.host, REPOSITORY + "-copy", "1.0.0", None)
    with client_for(Sent(), env, server) as client:
        promote(client, image, [copy], PLATFORMS)
    mount = (f"repository:{copy.repository}:pull,push", PULL)
    assert ("GET", "/token", "Basic", "github-actions[bot]", mount) in token_calls(server)

    # Anonymous: the token request carries no Authorization at all, and a pull works.
    clear(server)
    anonymous = Sent()
    with client_for(anonymous, {}, server) as client:
        assert resolve(client, image).digest == image.digest
    assert token_calls(server) == [("GET", "/token", "", None, (PULL,))]
    assert anonymous.schemes(realm) == {""}


def test_ghcr_anonymous_push_is_refused_after_one_insufficient_scope_retry(
    shaped: dict[str, ShapedRegistry], registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    """GHCR gives an anonymous client a pull-only token; the registry answers the push with
    ``401`` and ``error="insufficient_scope"``: one new token is asked for, then the bot stops
    and says credentials are required.

    https://distribution.github.io/distribution/spec/auth/token/ (insufficient_scope challenge)
    """
    server = shaped["ghcr"]
    clear(server)
    source = ImageRef.parse(image_in(registry_plain))
    target = ImageRef(server.host, REPOSITORY, "anonymous", None)
    sent = Sent()
    with client_for(sent, {}, server) as client, pytest.raises(RegistryError) as failure:
        promote(client, source, [target], PLATFORMS)
    assert str(failure.value) == (
        f"registry {server.host} requires credentials for {REPOSITORY} (401)"
    )
    realm = server.realm
    # distribution lists a scope's actions in no fixed order (push,pull or pull,push).
    assert _actions_sorted(sent.challenges(server.host)[-1]) == _actions_sorted(
        f'Bearer realm="{realm}",service="ghcr.io",scope="{PUSH}",error="insufficient_scope"'
    )
    assert token_calls(server) == [
        ("GET", "/token", "", None, (PULL,)),
        ("GET", "/token", "", None, (PUSH,)),
        ("GET", "/token", "", None, (PUSH,)),
    ]


# -- Docker Hub --------------------------------------------------------------------------------


def docker_config_with(directory: Path, config: dict[str, Any]) -> Path:
    """A directory holding ``config.json`` = ``config``, as ``docker login`` leaves it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def install_helper(
    directory: Path,
    name: str,
    answer: dict[str, str],
    calls: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stand-in ``docker-credential-<name>`` on PATH: it appends ``<verb> <stdin>`` to
    ``calls`` and prints ``answer`` (the helper protocol's JSON)."""
    directory.mkdir(parents=True, exist_ok=True)
    helper = directory / f"docker-credential-{name}"
    helper.write_text(
        f'#!/bin/sh\nserver=$(cat)\necho "$1 $server" >> {calls}\n'
        f"cat <<'EOF'\n{json.dumps(answer)}\nEOF\n"
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{directory}:/usr/bin:/bin")


def basic_pair(username: str, password: str) -> str:
    """The ``auth`` value of a Docker config entry."""
    return base64.b64encode(f"{username}:{password}".encode()).decode()


def test_docker_hub_token_from_an_https_realm_on_another_host(
    shaped: dict[str, ShapedRegistry],
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
) -> None:
    """Docker Hub: the registry (registry-1.docker.io) names a realm on another host
    (https://auth.docker.io/token, service registry.docker.io); the credentials of
    ``docker login`` go there over HTTPS as Basic, never to the registry, which gets only the
    Bearer token. The response carries ``token``, ``access_token``, ``expires_in`` and
    ``issued_at``.

    https://docs.docker.com/reference/api/registry/auth/
    https://distribution.github.io/distribution/spec/auth/token/
    """
    server = shaped["dockerhub"]
    clear(server)
    config = docker_config_with(
        tmp_path / "docker",
        {"auths": {server.host: {"auth": basic_pair(server.username, server.password)}}},
    )
    pushed, pulled, _image = push_and_pull(server, registry_plain, image_in, {}, config)
    realm = urlsplit(server.realm)
    assert realm.scheme == "https"
    assert realm.hostname == "localhost"
    assert token_calls(server) == push_pull_calls("GET", "/token", "Basic", "acmebot")
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(server.password, {realm.netloc})
        assert all(r.url.scheme == "https" for r in sent.to(realm.netloc))


def test_docker_hub_wrong_password_is_refused_by_the_token_service(
    shaped: dict[str, ShapedRegistry], tmp_path: Path
) -> None:
    """Docker Hub's token service answers wrong credentials with 401: one token request, an
    error naming the registry and where the credentials came from, no secret in it.

    https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token
    """
    server = shaped["dockerhub"]
    clear(server)
    secret = "wrong-" + secrets.token_hex(8)
    config = docker_config_with(
        tmp_path / "docker", {"auths": {server.host: {"auth": basic_pair("acmebot", secret)}}}
    )
    sent = Sent()
    image = ImageRef(server.host, REPOSITORY, "any", None)
    with client_for(sent, {}, server, config) as client, pytest.raises(RegistryError) as failure:
        resolve(client, image)
    assert str(failure.value) == (
        f"registry {server.host} refused the credentials for {REPOSITORY} (401)"
    )
    assert f"(the refused ones came from Docker config {config / 'config.json'})" in (
        failure.value.hint
    )
    assert secret not in f"{failure.value} {failure.value.hint}"
    assert token_calls(server) == [("GET", "/token", "Basic", "acmebot", (PULL,))]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("alpine", "docker.io/library/alpine"),
        ("docker.io/alpine", "docker.io/library/alpine"),
        ("index.docker.io/alpine:3", "docker.io/library/alpine:3"),
        ("registry-1.docker.io/alpine", "docker.io/library/alpine"),
        ("registry-1.docker.io/acme/app:1", "docker.io/acme/app:1"),
        ("docker.io/acme/app", "docker.io/acme/app"),
    ],
)
def test_docker_hub_names_are_one_registry_with_library_images(
    reference: str, expected: str
) -> None:
    """Docker Hub's three host names are one registry, and a one-part name is ``library/``.

    https://docs.docker.com/reference/cli/docker/image/pull/#pull-from-a-different-registry
    """
    image = ImageRef.parse(reference)
    assert str(image) == expected
    assert image.api_host == "registry-1.docker.io"


@pytest.mark.parametrize("registry", ["docker.io", "index.docker.io", "registry-1.docker.io"])
@pytest.mark.parametrize(
    "key", ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
)
def test_docker_hub_credentials_are_found_under_any_of_its_names(
    registry: str, key: str, tmp_path: Path
) -> None:
    """``docker login`` stores Docker Hub under ``https://index.docker.io/v1/``; an image named
    with any of Docker Hub's host names finds it (and the other keys people write by hand).

    https://docs.docker.com/reference/cli/docker/login/#default-behavior
    """
    config = docker_config_with(tmp_path, {"auths": {key: {"auth": basic_pair("me", "pw")}}})
    name = ImageRef.parse(f"{registry}/acme/app").registry
    found = find_credentials(name, config / "config.json", {})
    assert found is not None
    assert (found.username, found.password) == ("me", "pw")


@pytest.mark.parametrize("registry", ["docker.io", "index.docker.io", "registry-1.docker.io"])
def test_docker_hub_credentials_from_one_variable_pair_for_all_its_names(registry: str) -> None:
    """``VERSIONBOT_REGISTRY_DOCKER_IO_*`` serve every Docker Hub host name."""
    env = {
        "VERSIONBOT_REGISTRY_DOCKER_IO_USERNAME": "me",
        "VERSIONBOT_REGISTRY_DOCKER_IO_PASSWORD": "pw",
    }
    name = ImageRef.parse(f"{registry}/acme/app").registry
    found = find_credentials(name, Path("/nonexistent"), env)
    assert found is not None
    assert found.source == "VERSIONBOT_REGISTRY_DOCKER_IO_USERNAME/_PASSWORD"


# -- Quay --------------------------------------------------------------------------------------


def test_quay_robot_account_and_no_anonymous_token(
    shaped: dict[str, ShapedRegistry], registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    """Quay: a robot account (``org+name`` and its token) logs in as a user; the realm is
    ``/v2/auth`` (service quay.io) and the response holds ``token`` only. A private
    repository gives an anonymous client no token: credentials are required.

    https://docs.quay.io/glossary/robot-accounts.html
    https://docs.projectquay.io/use_quay.html#allow-robot-access-user-repo
    """
    server = shaped["quay"]
    clear(server)
    env = env_for(server, "acme+releasebot", server.password)
    pushed, pulled, image = push_and_pull(server, registry_plain, image_in, env)
    assert token_calls(server) == push_pull_calls("GET", "/v2/auth", "Basic", "acme+releasebot")
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(server.password, {urlsplit(server.realm).netloc})

    clear(server)
    with client_for(Sent(), {}, server) as client, pytest.raises(RegistryError) as failure:
        resolve(client, image)
    assert str(failure.value) == (
        f"registry {server.host} requires credentials for {REPOSITORY} (401)"
    )
    assert token_calls(server) == [("GET", "/v2/auth", "", None, (PULL,))]


# -- Google Artifact Registry / GCR ------------------------------------------------------------


@pytest.mark.parametrize("user", ["oauth2accesstoken", "_json_key"])
def test_artifact_registry_access_token_or_json_key(
    user: str,
    shaped: dict[str, ShapedRegistry],
    registry_plain: RegistryServer,
    image_in: ImageFactory,
) -> None:
    """Artifact Registry (and GCR): the user ``oauth2accesstoken`` with an access token
    (``gcloud auth print-access-token``), or ``_json_key`` with a service account key's whole
    JSON (newlines, quotes and colons in the password); realm ``/v2/token``, response
    ``token``, ``expires_in``, ``issued_at``.

    https://cloud.google.com/artifact-registry/docs/docker/authentication#token
    https://cloud.google.com/artifact-registry/docs/docker/authentication#json-key
    """
    server = shaped["gar"]
    clear(server)
    password = dict([(server.username, server.password), *server.more_credentials])[user]
    env = env_for(server, user, password)
    pushed, pulled, _image = push_and_pull(server, registry_plain, image_in, env)
    assert token_calls(server) == push_pull_calls("GET", "/v2/token", "Basic", user)
    assert {e["credential"] for e in server.token_requests()} == {"ok"}
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(password, {urlsplit(server.realm).netloc})


# -- Azure Container Registry ------------------------------------------------------------------


@pytest.mark.parametrize("login", ["service principal", "refresh token as password"])
def test_acr_basic_to_the_token_endpoint(
    login: str,
    shaped: dict[str, ShapedRegistry],
    registry_plain: RegistryServer,
    image_in: ImageFactory,
) -> None:
    """ACR: a service principal (app id and secret), or the user
    ``00000000-0000-0000-0000-000000000000`` with the refresh token of
    ``az acr login --expose-token`` as the password, sent as Basic to ``/oauth2/token``
    (service ``<name>.azurecr.io``); the response holds ``access_token`` only.

    https://learn.microsoft.com/en-us/azure/container-registry/container-registry-authentication#az-acr-login-with---expose-token
    https://azure.github.io/acr/AAD-OAuth.html
    """
    server = shaped["acr"]
    clear(server)
    if login == "service principal":
        user, password = server.username, server.password
    else:
        user, password = ACR_REFRESH_USER, server.refresh_token
    pushed, pulled, _image = push_and_pull(
        server, registry_plain, image_in, env_for(server, user, password)
    )
    assert token_calls(server) == push_pull_calls("GET", "/oauth2/token", "Basic", user)
    assert {e["credential"] for e in server.token_requests()} == {"ok"}
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(password, {urlsplit(server.realm).netloc})


@pytest.mark.parametrize("kept_by", ["auths", "credential helper"])
def test_acr_identity_token_from_docker_login_is_exchanged_by_the_refresh_grant(
    kept_by: str,
    *,
    shaped: dict[str, ShapedRegistry],
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ACR: ``az acr login`` leaves an identity (refresh) token in the Docker config; it is
    exchanged by ``POST /oauth2/token`` with the form ``grant_type=refresh_token``,
    ``service``, ``scope`` and ``refresh_token`` (plus distribution's ``client_id``), never as
    Basic and never in a URL. A credential helper hands the same token out as the user name
    ``<token>`` and the token as the secret.

    https://learn.microsoft.com/en-us/rest/api/containerregistry/access-tokens/get
    https://distribution.github.io/distribution/spec/auth/oauth/
    https://github.com/docker/docker-credential-helpers#development (``<token>`` identity tokens)
    """
    server = shaped["acr"]
    clear(server)
    if kept_by == "auths":
        login = {"auth": basic_pair(ACR_REFRESH_USER, ""), "identitytoken": server.refresh_token}
        config = docker_config_with(tmp_path / "docker", {"auths": {server.host: login}})
    else:
        answer = {"ServerURL": server.host, "Username": "<token>", "Secret": server.refresh_token}
        install_helper(tmp_path / "bin", "acr", answer, tmp_path / "calls", monkeypatch)
        config = docker_config_with(tmp_path / "docker", {"credsStore": "acr"})
    pushed, pulled, _image = push_and_pull(server, registry_plain, image_in, {}, config)
    assert token_calls(server) == push_pull_calls("POST", "/oauth2/token", "", None)
    for entry in server.token_requests():
        assert entry["form_fields"] == [
            "client_id",
            "grant_type",
            "refresh_token",
            "scope",
            "service",
        ]
        assert entry["grant_type"] == "refresh_token"
        assert entry["content_type"] == "application/x-www-form-urlencoded"
        assert entry["credential"] == "ok"
    for sent in (pushed, pulled):
        assert_bearer_flow(sent, server)
        sent.assert_secret_only_in(server.refresh_token, {urlsplit(server.realm).netloc})
        assert all(server.refresh_token not in str(r.url) for r in sent.requests)


# -- Amazon ECR --------------------------------------------------------------------------------


def test_ecr_basic_auth_from_the_ecr_login_credential_helper(
    shaped: dict[str, ShapedRegistry],
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ECR: Basic auth only (no token service), user ``AWS`` and the password of
    ``aws ecr get-login-password``, here handed out by ``docker-credential-ecr-login`` named in
    the Docker config's ``credHelpers`` (a stand-in script: the real helper calls AWS). The
    helper is run as ``docker-credential-ecr-login get`` with the registry host on stdin.

    https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html
    https://github.com/awslabs/amazon-ecr-credential-helper#configuration
    https://docs.docker.com/reference/cli/docker/login/#credential-helpers
    """
    server = shaped["ecr"]
    calls = tmp_path / "helper-calls"
    answer = {"ServerURL": server.host, "Username": "AWS", "Secret": server.password}
    install_helper(tmp_path / "bin", "ecr-login", answer, calls, monkeypatch)
    config = docker_config_with(tmp_path / "docker", {"credHelpers": {server.host: "ecr-login"}})
    pushed, pulled, _image = push_and_pull(server, registry_plain, image_in, {}, config)
    # One lookup per client: credentials are looked up once per registry and run.
    assert calls.read_text().splitlines() == [f"get {server.host}", f"get {server.host}"]
    for sent in (pushed, pulled):
        to_registry = sent.to(server.host)
        assert "Authorization" not in to_registry[0].headers
        assert sent.challenges(server.host)[0] == 'Basic realm="versionbot-tests"'
        assert {r.headers["Authorization"].split(" ")[0] for r in to_registry[1:]} == {"Basic"}
        sent.assert_secret_only_in(server.password, {server.host})
        assert {r.url.netloc.decode() for r in sent.requests} <= {server.host, registry_plain.host}


# -- where credentials must not go -------------------------------------------------------------


def test_no_credential_goes_to_a_plain_http_realm_on_another_host(
    shaped: dict[str, ShapedRegistry],
) -> None:
    """A registry naming a plain-HTTP token realm that is not loopback (and not named
    insecure) gets a refusal: no request goes to that realm, with or without credentials.

    https://distribution.github.io/distribution/spec/auth/token/ (the realm is the client's
    to trust: credentials go to it as Basic)
    """
    server = shaped["http-realm"]
    realm = urlsplit(server.realm).netloc
    for env in (env_for(server, "me", server.password), {}):
        sent = Sent()
        image = ImageRef(server.host, REPOSITORY, "1.0.0", None)
        with client_for(sent, env, server) as client, pytest.raises(RegistryError) as failure:
            resolve(client, image)
        assert str(failure.value) == (
            f"registry {server.host} sends credentials to a plain-HTTP token realm {realm}"
        )
        assert sent.to(realm) == []
        assert {r.url.netloc.decode() for r in sent.requests} == {server.host}
        sent.assert_secret_only_in(server.password, set())


@pytest.mark.parametrize("helper", ["missing", "broken"])
def test_a_credential_helper_that_is_missing_or_broken_is_one_clear_error(
    helper: str,
    *,
    repo: GitRepo,
    bot: CliRunner,
    registry_basic: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
) -> None:
    """``credsStore: desktop`` (Docker Desktop's) on a machine without the helper, or a helper
    that fails: ``bot images push`` exits 6 with one error naming the helper and one hint, no
    warning noise from docker-py and nothing the helper printed; nothing is pushed.

    https://docs.docker.com/reference/cli/docker/login/#credential-stores
    """
    source = image_in(registry_basic)
    name = source.partition("@")[0]
    config = f'[images]\nnames = ["{name}"]\nbuilder = "buildah"\nsource = "{source}"\n'
    repo.commit("feat: first", {"versionbot.toml": config})
    repo.tag("v1.2.0", annotated=True)
    docker = docker_config_with(tmp_path / "docker", {"credsStore": "desktop"})
    env = {"DOCKER_CONFIG": str(docker)}
    if helper == "broken":
        directory = tmp_path / "bin"
        directory.mkdir()
        script = directory / "docker-credential-desktop"
        script.write_text("#!/bin/sh\necho 'keychain locked: secret-4f2a'\nexit 1\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        env["PATH"] = f"{directory}:{os.environ['PATH']}"
    result = bot("-C", repo.path, "images", "push", env=env)
    assert result.exit_code == 6, result.stderr
    assert result.stdout == ""
    program = f"docker-credential-desktop for {registry_basic.host}"
    assert result.stderr.splitlines() == (
        [
            f"error: the Docker credential helper {program} is not installed",
            "hint: install it, or remove it from `credsStore`/`credHelpers` in the Docker "
            f"config, or set the {prefix_of(registry_basic)}_USERNAME/_PASSWORD variables",
        ]
        if helper == "missing"
        else [
            f"error: the Docker credential helper {program} failed",
            f"hint: check `docker login {registry_basic.host}` works, or set the "
            "VERSIONBOT_REGISTRY_* variables",
        ]
    )
    with registry_basic.http() as http:
        repository = name.split("/", 1)[1]
        tags = http.get(f"/v2/{repository}/tags/list", headers=registry_basic.authorization())
    assert tags.json()["tags"] == ["src"]


def prefix_of(server: RegistryServer) -> str:
    """``VERSIONBOT_REGISTRY_<HOST>`` of ``server``."""
    return next(iter(server.env())).removesuffix("_USERNAME")


def test_no_credential_goes_to_an_upload_location_on_another_host(
    shaped: dict[str, ShapedRegistry], registry_plain: RegistryServer, image_in: ImageFactory
) -> None:
    """A registry whose upload ``Location`` names another host (here ``localhost`` for an API
    at ``127.0.0.1``) gets no token there: the upload is refused, and said to need
    credentials, rather than a token going to a host the image reference did not name.

    https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
    """
    server = shaped["upload-elsewhere"]
    source = ImageRef.parse(image_in(registry_plain))
    target = ImageRef(server.host, REPOSITORY, "1.0.0", None)
    sent = Sent()
    env = env_for(server, server.username, server.password)
    with client_for(sent, env, server) as client, pytest.raises(RegistryError) as failure:
        promote(client, source, [target], PLATFORMS)
    assert str(failure.value) == (
        f"registry {server.host} requires credentials for {REPOSITORY} (401)"
    )
    elsewhere = f"localhost:{server.port}"
    assert sent.to(elsewhere), "the registry handed out no upload location on localhost"
    assert sent.schemes(elsewhere) == {""}
    sent.assert_secret_only_in(server.password, {urlsplit(server.realm).netloc})


def _actions_sorted(challenge: str) -> str:
    """``challenge`` with each scope's actions in sorted order, to compare challenges."""
    return re.sub(
        r'(scope="[^"]*:)([a-z*,]+)"',
        lambda m: m[1] + ",".join(sorted(m[2].split(","))) + '"',
        challenge,
    )
