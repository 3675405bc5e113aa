"""Pytest plugin: real OCI registries and a real two-platform image, all on loopback.

* Registries are the CNCF distribution registry (Debian's ``docker-registry``), one subprocess
  each on a free ``127.0.0.1`` port, with config, data, certificates and logs in a session tmp
  dir. Variants: ``registry_plain`` (no auth), ``registry_basic`` (htpasswd, bcrypt via
  ``htpasswd -Bbn``), ``registry_token`` (Bearer tokens from ``tests/token_server.py``, RS256
  JWTs signed by the ``openssl`` CLI), ``registry_tls`` (Basic auth over HTTPS with a throw-away
  CA and a leaf for 127.0.0.1), and ``registry_other`` (a second Basic-auth registry for
  cross-registry copies). ``registry_factory`` starts extra ones (e.g. one a test may kill).
* ``multiarch_index``: one OCI index with ``linux/amd64`` and ``linux/arm64`` children, built
  once per session by buildah (vfs storage in a tmp dir, ``--isolation chroot``,
  ``--timestamp 0``, ``FROM scratch`` + ``COPY``), so no daemon and no emulation is needed.
* ``image_in(server)``: a fresh repository per call holding that index, copied from the
  registry's seed repository by cross-repository blob mount (instant), so tests never share
  a repository and never see each other's tags.

Missing tools: with ``VERSIONBOT_REQUIRE_INFRA=1`` (CI sets it) the fixtures fail, so a broken
install cannot pass as skipped tests; without it they skip and say which tool is missing.
Every process is stopped by its PID at teardown.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REQUIRE_INFRA = "VERSIONBOT_REQUIRE_INFRA"
TOKEN_SERVER = Path(__file__).with_name("token_server.py")
SEED_REPOSITORY = "seed/multiarch"
SEED_TAG = "built"
PLATFORMS = ("linux/amd64", "linux/arm64")
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_ACCEPT = ", ".join(
    [
        OCI_INDEX,
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def require_tool(name: str) -> str:
    """The tool's path; fail (CI) or skip (elsewhere) when it is not installed."""
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (apt-get install docker-registry buildah apache2-utils)"
        if os.environ.get(REQUIRE_INFRA) == "1":
            pytest.fail(f"{reason}; {REQUIRE_INFRA}=1 makes that an error", pytrace=False)
        pytest.skip(reason)
    return found


def free_port() -> int:
    """A port the OS says is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args[:3])} failed: {result.stderr.strip()[-2000:]}", pytrace=False)
    return result


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """Kill one process we started, by its PID, and reap it (data is throw-away)."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def make_ca_and_leaf(directory: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA (with keyUsage, which strict verifiers want) and a leaf for 127.0.0.1."""
    openssl = require_tool("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (
        directory / name for name in ("ca.key", "ca.pem", "key.pem", "leaf.csr", "cert.pem")
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _run(
        [
            *(openssl, "req", "-x509", *ec, "-days", "7", "-keyout", str(ca_key), "-out", str(ca)),
            *("-subj", "/CN=versionbot test CA"),
            *("-addext", "basicConstraints=critical,CA:TRUE"),
            *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        ]
    )
    _run([openssl, "req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1"])
    extensions = directory / "leaf.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectKeyIdentifier=hash\n"
    )
    _run(
        [
            *(openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key)),
            *("-CAcreateserial", "-days", "7", "-extfile", str(extensions), "-out", str(cert)),
        ]
    )
    return ca, cert, key


def start_token_server(
    directory: Path, args: list[str], env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], Path, str]:
    """tests/token_server.py started with ``args`` (and ``env``), its signing key and certificate
    made in ``directory``: the process, the certificate the registry trusts, and its port."""
    openssl = require_tool("openssl")
    key, cert = directory / "key.pem", directory / "cert.pem"
    _run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=versionbot token signer"),
        ]
    )
    port_file = directory / "port"
    process = subprocess.Popen(
        [
            *(sys.executable, str(TOKEN_SERVER), "--port-file", str(port_file)),
            *("--key", str(key), "--cert", str(cert), *args),
        ],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(directory / "server.log").open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the token server did not start", pytrace=False)
        time.sleep(0.02)
    return process, cert, port_file.read_text()


@dataclass
class RegistryServer:
    """One distribution registry process (plus its token server) and what clients need."""

    name: str
    root: Path
    auth: str = "none"  # none | basic | token
    tls: bool = False
    port: int = field(default_factory=free_port)
    username: str = "testuser"
    password: str = field(default_factory=lambda: "testpass-" + secrets.token_hex(8))
    ca_file: Path | None = None
    token_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    token_process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, the registry part of image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The base URL of the API."""
        return f"{'https' if self.tls else 'http'}://{self.host}"

    @property
    def docker_config(self) -> Path:
        """A directory holding a Docker ``config.json`` with an ``auths`` entry for this host."""
        return self.root / "docker"

    @property
    def scope_log(self) -> Path:
        """JSON lines of the scopes the token server issued (token variant only)."""
        return self.root / "token" / "scopes.jsonl"

    def env(self) -> dict[str, str]:
        """Host-specific versionbot credential variables for this registry."""
        prefix = "VERSIONBOT_REGISTRY_" + re.sub(r"[^A-Z0-9]", "_", self.host.upper())
        if self.auth == "none":
            return {}
        return {f"{prefix}_USERNAME": self.username, f"{prefix}_PASSWORD": self.password}

    def ssl_context(self) -> ssl.SSLContext:
        """A context trusting this registry's CA (or the default one for plain registries)."""
        context = ssl.create_default_context()
        if self.ca_file is not None:
            context.load_verify_locations(cafile=str(self.ca_file))
        return context

    def prepare(self) -> None:
        """Write config, htpasswd, certificates, keys and the Docker config (once)."""
        registry = require_tool("docker-registry")
        del registry
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        self.docker_config.mkdir(exist_ok=True)
        auth_yaml = ""
        if self.auth == "basic":
            htpasswd = require_tool("htpasswd")
            entry = _run([htpasswd, "-Bbn", self.username, self.password]).stdout.strip()
            (self.root / "htpasswd").write_text(entry + "\n")
            auth_yaml = (
                f"auth:\n  htpasswd:\n    realm: versionbot-tests\n    path: {self.root}/htpasswd\n"
            )
        elif self.auth == "token":
            auth_yaml = self._prepare_token()
        tls_yaml = ""
        if self.tls:
            self.ca_file, cert, key = make_ca_and_leaf(self.root / "certs")
            tls_yaml = f"  tls:\n    certificate: {cert}\n    key: {key}\n"
        (self.root / "config.yml").write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.root}/data\n"
            "  delete:\n    enabled: true\n"
            "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            f"http:\n  addr: {self.host}\n  secret: {secrets.token_hex(16)}\n{tls_yaml}"
            f"{auth_yaml}"
        )
        auths: dict[str, Any] = {}
        if self.auth != "none":
            pair = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            auths[self.host] = {"auth": pair}
        (self.docker_config / "config.json").write_text(json.dumps({"auths": auths}))

    def _prepare_token(self) -> str:
        directory = self.root / "token"
        directory.mkdir(exist_ok=True)
        self.token_process, cert, port = start_token_server(
            directory,
            [
                *("--service", "versionbot-tests", "--issuer", "versionbot-token-issuer"),
                *("--user", self.username, "--scope-log", str(self.scope_log)),
            ],
            {"TOKEN_SERVER_PASSWORD": self.password},
        )
        self.token_url = f"http://127.0.0.1:{port}/token"
        return (
            f"auth:\n  token:\n    realm: {self.token_url}\n    service: versionbot-tests\n"
            f"    issuer: versionbot-token-issuer\n    rootcertbundle: {cert}\n"
        )

    def start(self) -> None:
        """Start (or restart, same port and data) the registry; return once ``/v2/`` answers."""
        if not (self.root / "config.yml").exists():
            self.prepare()
        self.process = subprocess.Popen(
            [require_tool("docker-registry"), "serve", str(self.root / "config.yml")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "registry.log").open("ab"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        with httpx.Client(verify=self.ssl_context(), trust_env=False, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    if client.get(f"{self.url}/v2/").status_code in {200, 401}:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.03)
        log = (self.root / "registry.log").read_text(errors="replace")[-2000:]
        self.stop()
        pytest.fail(f"registry {self.name} did not start:\n{log}", pytrace=False)

    def stop(self) -> None:
        """Kill the registry process by PID (the token server keeps running)."""
        _stop(self.process)
        self.process = None

    def close(self) -> None:
        """Kill everything this server started."""
        self.stop()
        _stop(self.token_process)
        self.token_process = None

    # -- a tiny independent API client, so fixtures do not depend on the code under test ----

    def authorization(self, *scopes: str) -> dict[str, str]:
        """An Authorization header good for ``scopes`` on this registry."""
        basic = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if self.auth == "basic":
            return {"Authorization": basic}
        if self.auth == "token":
            assert self.token_url is not None
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("service", "versionbot-tests"),
                *(("scope", s) for s in scopes),
            ]
            response = httpx.get(
                self.token_url, params=params, headers={"Authorization": basic}, trust_env=False
            )
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['token']}"}
        return {}

    def http(self) -> httpx.Client:
        """A plain httpx client for this registry (trusting its CA)."""
        return httpx.Client(
            base_url=self.url, verify=self.ssl_context(), trust_env=False, timeout=10
        )


@dataclass(frozen=True)
class BuiltIndex:
    """The session's two-platform OCI index, in buildah's storage, ready to push anywhere."""

    list_name: str
    buildah: tuple[str, ...]
    work: Path


@dataclass(frozen=True)
class SeededImage:
    """The index pushed to one registry's seed repository."""

    server: RegistryServer
    digest: str
    index: bytes
    children: tuple[bytes, ...]


RegistryFactory = Callable[..., RegistryServer]
ImageFactory = Callable[[RegistryServer], str]


@pytest.fixture(scope="session")
def registry_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryFactory]:
    """Start registries on demand (``auth=``, ``tls=``); all are killed at session end."""
    started: list[RegistryServer] = []

    def start(name: str, *, auth: str = "none", tls: bool = False) -> RegistryServer:
        server = RegistryServer(name, tmp_path_factory.mktemp(f"registry-{name}"), auth, tls)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture(scope="session")
def registry_plain(registry_factory: RegistryFactory) -> RegistryServer:
    """A registry without auth, over plain HTTP."""
    return registry_factory("plain")


@pytest.fixture(scope="session")
def registry_basic(registry_factory: RegistryFactory) -> RegistryServer:
    """A registry with htpasswd (bcrypt) Basic auth, over plain HTTP."""
    return registry_factory("basic", auth="basic")


@pytest.fixture(scope="session")
def registry_token(registry_factory: RegistryFactory) -> RegistryServer:
    """A registry with Bearer-token auth from tests/token_server.py."""
    return registry_factory("token", auth="token")


@pytest.fixture(scope="session")
def registry_tls(registry_factory: RegistryFactory) -> RegistryServer:
    """A registry with Basic auth over HTTPS, its certificate signed by a throw-away CA."""
    return registry_factory("tls", auth="basic", tls=True)


@pytest.fixture(scope="session")
def registry_other(registry_factory: RegistryFactory) -> RegistryServer:
    """A second registry (Basic auth, its own credentials) for cross-registry copies."""
    return registry_factory("other", auth="basic")


@pytest.fixture(scope="session")
def multiarch_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltIndex]:
    """Build the two-platform index once; it is pushed to each registry on first use."""
    work = tmp_path_factory.mktemp("buildah")
    buildah = (
        require_tool("buildah"),
        "--root",
        str(work / "storage"),
        "--runroot",
        str(work / "run"),
        "--storage-driver",
        "vfs",
    )
    context = work / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(
        "FROM scratch\nARG TARGETARCH\nCOPY hello-${TARGETARCH} /hello\n"
        "COPY release.txt /release.txt\n"
        'LABEL org.opencontainers.image.title="versionbot test image"\n'
    )
    (context / "release.txt").write_text("versionbot registry tests\n")
    for platform in PLATFORMS:
        (context / f"hello-{platform.split('/')[1]}").write_text(f"hello from {platform}\n")
    list_name = f"versionbot-test-{os.getpid()}"
    _run([*buildah, "manifest", "create", list_name])
    for platform in PLATFORMS:
        _run(
            [
                *(*buildah, "build", "--quiet", "--isolation", "chroot", "--timestamp", "0"),
                *("--platform", platform, "--format", "oci", "--manifest", list_name, str(context)),
            ]
        )
    yield BuiltIndex(list_name, buildah, work)
    subprocess.run([*buildah, "manifest", "rm", list_name], capture_output=True, check=False)


@pytest.fixture(scope="session")
def seed_image(multiarch_index: BuiltIndex) -> Callable[[RegistryServer], SeededImage]:
    """Push the index to ``server``'s seed repository once per registry."""
    seeded: dict[str, SeededImage] = {}

    def seed(server: RegistryServer) -> SeededImage:
        if server.name in seeded:
            return seeded[server.name]
        digest_file = multiarch_index.work / f"digest-{server.name}"
        command = [*multiarch_index.buildah, "manifest", "push", "--all", "--format", "oci"]
        command += ["--digestfile", str(digest_file)]
        command += ["--authfile", str(server.docker_config / "config.json")]
        if server.tls:
            assert server.ca_file is not None
            cert_dir = server.root / "certs.d"
            cert_dir.mkdir(exist_ok=True)
            shutil.copy(server.ca_file, cert_dir / "ca.crt")
            command += ["--cert-dir", str(cert_dir)]
        else:
            command += ["--tls-verify=false"]
        target = f"docker://{server.host}/{SEED_REPOSITORY}:{SEED_TAG}"
        _run([*command, multiarch_index.list_name, target])
        # buildah 1.28 exits 0 even when the registry answers 401: the digest file tells.
        digest = digest_file.read_text().strip() if digest_file.exists() else ""
        if not digest.startswith("sha256:"):
            pytest.fail(f"buildah wrote no digest pushing to {server.name}", pytrace=False)
        with server.http() as client:
            scope = f"repository:{SEED_REPOSITORY}:pull"
            headers = {"Accept": _ACCEPT, **server.authorization(scope)}
            index = client.get(f"/v2/{SEED_REPOSITORY}/manifests/{digest}", headers=headers)
            index.raise_for_status()
            children = tuple(
                _get(client, f"/v2/{SEED_REPOSITORY}/manifests/{child['digest']}", headers)
                for child in index.json()["manifests"]
            )
        seeded[server.name] = SeededImage(server, digest, index.content, children)
        return seeded[server.name]

    return seed


def _get(client: httpx.Client, path: str, headers: dict[str, str]) -> bytes:
    response = client.get(path, headers=headers)
    response.raise_for_status()
    return response.content


_counter = itertools.count(1)


@pytest.fixture
def image_in(
    seed_image: Callable[[RegistryServer], SeededImage], request: pytest.FixtureRequest
) -> ImageFactory:
    """``image_in(server)`` -> ``host/t/<test>-<n>@sha256:…``, a fresh repository per call.

    The copy is made by cross-repository blob mount from the seed repository (nothing is
    uploaded), then the child manifests and the index are PUT; the index is also tagged ``src``.
    """
    test_name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]

    def make(server: RegistryServer) -> str:
        seeded = seed_image(server)
        repository = f"t/{test_name}-{next(_counter)}"
        scopes = (f"repository:{repository}:pull,push", f"repository:{SEED_REPOSITORY}:pull")
        headers = server.authorization(*scopes)
        with server.http() as client:
            for child in seeded.children:
                manifest = json.loads(child)
                for blob in [manifest["config"], *manifest["layers"]]:
                    response = client.post(
                        f"/v2/{repository}/blobs/uploads/",
                        params={"mount": blob["digest"], "from": SEED_REPOSITORY},
                        headers=headers,
                    )
                    assert response.status_code == 201, response.text
                digest = "sha256:" + hashlib.sha256(child).hexdigest()
                _put(client, f"/v2/{repository}/manifests/{digest}", child, manifest, headers)
            index = json.loads(seeded.index)
            _put(client, f"/v2/{repository}/manifests/src", seeded.index, index, headers)
        return f"{server.host}/{repository}@{seeded.digest}"

    return make


def _put(
    client: httpx.Client, path: str, raw: bytes, document: dict[str, Any], headers: dict[str, str]
) -> None:
    media_type = document.get("mediaType", OCI_INDEX)
    response = client.put(path, content=raw, headers={**headers, "Content-Type": media_type})
    assert response.status_code == 201, response.text
