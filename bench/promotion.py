"""What promoting a release image to a second registry costs: versionbot against skopeo.

One run, side by side, on the same content. A two-platform OCI index (``linux/amd64`` and
``linux/arm64``) is built by buildah as the tests build theirs (``FROM scratch``, vfs storage,
``--timestamp 0``): a payload layer shared by both platforms (``--payload-mb``, incompressible,
so bytes matter), a per-platform layer (``--tool-mb``) and a small one with the version. It is
pushed to a source registry (the CNCF distribution registry as the tests run it, with
Bearer-token auth from the tests' token server, or Basic auth with ``--auth basic``), with two
referrers attached the way the tools attach them: a cosign signature under the
``sha256-<hex>.sig`` tag, and an OCI 1.1 SBOM (``--sbom-kb``) whose ``subject`` is the index,
listed in the fallback referrers tag (distribution 2.8 has no referrers API).

Each tool then copies the index (and, where it can, the referrers) to a fresh repository of a
fresh target registry. A counting proxy (``bench/counting_proxy.py``) in front of each registry
records every request (token fetches too: the registry's realm is the proxy), so what is reported
is counted on the wire:

* versionbot: ``bot images push`` (the image stage ``bot release`` runs: registry/stage.py,
  transfer.py, referrers.py) on a git repository tagged ``v1.2.0`` whose ``[images]`` names the
  target with one tag template (``{version}``), like the one tag the others copy;
* ``skopeo copy --all --preserve-digests`` (no referrers: skopeo does not copy them);
* ``regctl image copy --referrers --digest-tags``: not measured, and the report says why.

Two scenarios: an empty target, and a target that already holds the previous release (built
from the same layers, another version file), where the payload and per-platform layers are
there already and must not move again.

Reported per tool: requests (for the image, for its referrers), by method and by kind (auth,
manifest, blob, upload, referrers, tag list, tls probe), answers 401, connections, bytes
uploaded to the target and downloaded from the source, blobs uploaded (and which of them the
target already had, or got twice), blobs downloaded twice, the digest and referrers found on the
target afterwards, wall time (the median of ``--repeat`` runs, each on a fresh target; and the
part before the first request) and ratios to versionbot (the tool's figure divided by the
bot's). The counts are checked against each other and against the blob sizes; a mismatch is
listed as a problem.

Run: ``python bench/promotion.py [--json] [--payload-mb 8] [--repeat 3]``; about 20 s. Needs
``docker-registry`` and ``buildah`` (exit 2 without them); skopeo is measured when installed.
Exit 1 when a tool fails or a count does not add up. Everything runs on loopback in a
temporary directory; every process started is stopped by its PID.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from counting_proxy import KINDS, CountingProxy, Exchange
from registry_fixtures import RegistryServer

PLATFORMS: Final = ("linux/amd64", "linux/arm64")
SOURCE_REPOSITORY: Final = "ci/app"
TARGET_REPOSITORY: Final = "release/app"
VERSION: Final = "1.2.0"
PREVIOUS: Final = "1.1.0"
OCI_INDEX: Final = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
EMPTY: Final = "application/vnd.oci.empty.v1+json"
SBOM: Final = "application/spdx+json"
SIMPLESIGNING: Final = "application/vnd.dev.cosign.simplesigning.v1+json"
ACCEPT: Final = ", ".join([OCI_INDEX, OCI_MANIFEST])
METHODS: Final = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE")
BOT: Final = "versionbot"
SKOPEO: Final = "skopeo"
REGCTL: Final = "regctl"
TOOL_LABELS: Final = {
    BOT: "bot images push",
    SKOPEO: "skopeo copy --all",
    REGCTL: "regctl image copy",
}
REGCTL_REASON: Final = (
    "regctl is not installable here: Debian has no package, Debian's Go (1.19) is too old to "
    "build regclient, and its npm wrapper downloads the binary from GitHub, which this machine "
    "cannot reach"
)
SCENARIOS: Final = {
    "empty": "an empty target repository",
    "previous": f"the target holds the previous release ({PREVIOUS}: same layers, other version)",
}


class BenchError(Exception):
    """A step of the bench failed (a tool, a registry): the message says which."""


def digest_of(raw: bytes) -> str:
    """The sha256 digest of ``raw``."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# -- the image -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How big the built content is."""

    payload_mb: float
    tool_mb: float
    sbom_kb: int


@dataclass(frozen=True)
class Built:
    """The two indexes in buildah's storage: this release's and the previous one's."""

    buildah: tuple[str, ...]
    current: str
    previous: str


def build(work: Path, sizes: Sizes) -> Built:
    """Build both indexes (same payload and per-platform layers, another version file)."""
    buildah = (
        *(_tool("buildah"), "--root", str(work / "storage"), "--runroot", str(work / "run")),
        *("--storage-driver", "vfs"),
    )
    context = work / "context"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text(
        "FROM scratch\nARG TARGETARCH\nCOPY payload.bin /payload.bin\n"
        "COPY tool-${TARGETARCH} /tool\nCOPY version.txt /version.txt\n"
    )
    # Seeded random bytes: incompressible (the gzip layer is as big as the file), same every run.
    (context / "payload.bin").write_bytes(random.Random(1).randbytes(int(sizes.payload_mb * 2**20)))
    for at, name in enumerate(PLATFORMS):
        data = random.Random(2 + at).randbytes(int(sizes.tool_mb * 2**20))
        (context / f"tool-{name.split('/')[1]}").write_bytes(data)
    names = []
    for version in (PREVIOUS, VERSION):
        (context / "version.txt").write_text(f"{version}\n")
        name = f"promotion-bench-{os.getpid()}-{version}"
        _run([*buildah, "manifest", "create", name])
        for target in PLATFORMS:
            _run(
                [
                    *(*buildah, "build", "--quiet", "--layers", "--isolation", "chroot"),
                    *("--timestamp", "0"),
                    *("--platform", target, "--format", "oci", "--manifest", name, str(context)),
                ]
            )
        names.append(name)
    return Built(buildah, current=names[1], previous=names[0])


def push(built: Built, name: str, server: RegistryServer, repository: str, tag: str) -> str:
    """Push one of the indexes straight to ``server`` (no proxy); its digest."""
    digest_file = server.root / f"digest-{tag}"
    _run(
        [
            *(*built.buildah, "manifest", "push", "--all", "--format", "oci", "--tls-verify=false"),
            *("--digestfile", str(digest_file)),
            *("--authfile", str(server.docker_config / "config.json")),
            *(name, f"docker://{server.host}/{repository}:{tag}"),
        ]
    )
    return digest_file.read_text().strip()


@dataclass
class ProxiedRegistry(RegistryServer):
    """The tests' registry, its token realm (token auth) the counting proxy in front of it."""

    realm: str = ""
    token_port: int | None = None

    def _prepare_token(self) -> str:
        config = super()._prepare_token()
        assert self.token_url is not None
        self.token_port = int(self.token_url.rpartition(":")[2].partition("/")[0])
        return config.replace(f"realm: {self.token_url}", f"realm: {self.realm}")


def registry(
    name: str, root: Path, auth: str, started: list[RegistryServer]
) -> tuple[RegistryServer, CountingProxy]:
    """A registry (added to ``started`` before it starts) and the counting proxy in front of
    it, not serving yet."""
    proxy = CountingProxy()
    server = ProxiedRegistry(name, root, auth, realm=f"http://{proxy.host}/token")
    started.append(server)
    server.start()
    proxy.upstream_port, proxy.token_port = server.port, server.token_port
    return server, proxy


# -- a small client of the bench's own (not the code under test) ---------------------------


class Direct:
    """One repository of a registry, read and written straight (no proxy) with httpx, on one
    connection with one token; a context manager (closed on exit)."""

    def __init__(self, server: RegistryServer, repository: str) -> None:
        """Connect, with a token (or Basic credentials) good for pull and push."""
        self.server, self.repository = server, repository
        self.client = server.http()
        self.client.headers.update(server.authorization(f"repository:{repository}:pull,push"))

    def __enter__(self) -> Direct:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def manifest(self, reference: str) -> bytes | None:
        """The manifest's bytes; None when it is not there."""
        response = self.client.get(
            f"/v2/{self.repository}/manifests/{reference}", headers={"Accept": ACCEPT}
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.content

    def has_blob(self, digest: str) -> bool:
        """Whether the repository has the blob (what a HEAD tells any client)."""
        return self.client.head(f"/v2/{self.repository}/blobs/{digest}").status_code == 200

    def put_blob(self, content: bytes, media_type: str, **extra: Any) -> dict[str, Any]:
        """Upload a blob (POST, then PUT with its digest); its descriptor."""
        digest = digest_of(content)
        started = self.client.post(f"/v2/{self.repository}/blobs/uploads/")
        started.raise_for_status()
        where = started.headers["Location"]
        done = self.client.put(
            f"{where}{'&' if '?' in where else '?'}digest={digest}",
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        done.raise_for_status()
        return {"mediaType": media_type, "digest": digest, "size": len(content), **extra}

    def put_manifest(self, reference: str | None, document: dict[str, Any]) -> dict[str, Any]:
        """PUT ``document`` under ``reference`` (None: its digest); its descriptor."""
        raw = json.dumps(document).encode()
        response = self.client.put(
            f"/v2/{self.repository}/manifests/{reference or digest_of(raw)}",
            content=raw,
            headers={"Content-Type": document["mediaType"]},
        )
        response.raise_for_status()
        return {"mediaType": document["mediaType"], "digest": digest_of(raw), "size": len(raw)}


def referrers_tag(digest: str) -> str:
    """The fallback referrers tag of ``digest`` (distribution spec, "Referrers Tag Schema")."""
    return digest.replace(":", "-")


def attach_referrers(source: Direct, index: str, sbom_kb: int) -> tuple[str, str]:
    """Sign ``index`` as ``cosign sign`` does with its tag scheme, and attach an SBOM as
    ``oras attach`` does on a registry without the referrers API; their digests."""
    subject = {"mediaType": OCI_INDEX, "digest": index, "size": len(source.manifest(index) or b"")}
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": f"{source.server.host}/{source.repository}"},
                "image": {"docker-manifest-digest": index},
                "type": "cosign container image signature",
            },
            "optional": None,
        }
    ).encode()
    layer = source.put_blob(
        payload, SIMPLESIGNING, annotations={"dev.cosignproject.cosign/signature": "MEUCIQ-bench"}
    )
    config = {"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers"}}
    signature = source.put_manifest(
        f"{referrers_tag(index)}.sig",
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": source.put_blob(json.dumps(config).encode(), OCI_CONFIG),
            "layers": [layer],
        },
    )
    packages = [
        {"name": f"package-{n}", "SPDXID": f"SPDXRef-{n}", "versionInfo": f"{n}.0"}
        for n in range(sbom_kb * 1024 // 64)
    ]
    sbom_bytes = json.dumps({"spdxVersion": "SPDX-2.3", "packages": packages}).encode()
    annotations = {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
    sbom = source.put_manifest(
        None,
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": SBOM,
            "config": source.put_blob(b"{}", EMPTY, data="e30="),
            "layers": [source.put_blob(sbom_bytes, SBOM)],
            "subject": subject,
            "annotations": annotations,
        },
    )
    entry = {**sbom, "artifactType": SBOM, "annotations": annotations}
    source.put_manifest(
        referrers_tag(index), {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}
    )
    return signature["digest"], sbom["digest"]


@dataclass(frozen=True)
class Content:
    """Everything a complete promotion puts in the target, read from the source."""

    index: str
    children: tuple[str, ...]
    referrers: tuple[str, ...]  # the signature, the SBOM
    blobs: dict[str, int]  # digest -> size, the image's and the referrers'
    image_blobs: frozenset[str]


def read_content(source: Direct, index: str, referrers: Sequence[str]) -> Content:
    """The index's children, and every blob of them and of the referrers, with sizes."""
    blobs: dict[str, int] = {}
    image_blobs: set[str] = set()

    def blobs_of(digest: str) -> list[dict[str, Any]]:
        raw = source.manifest(digest)
        if raw is None:
            raise BenchError(f"the source lost {digest}")
        document = json.loads(raw)
        return [document["config"], *document["layers"]]

    children = tuple(m["digest"] for m in json.loads(source.manifest(index) or b"{}")["manifests"])
    for child in children:
        for blob in blobs_of(child):
            blobs[blob["digest"]] = blob["size"]
            image_blobs.add(blob["digest"])
    for referrer in referrers:
        blobs.update((blob["digest"], blob["size"]) for blob in blobs_of(referrer))
    return Content(index, children, tuple(referrers), blobs, frozenset(image_blobs))


# -- the tools -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A registry as a tool sees it: through its counting proxy."""

    server: RegistryServer
    proxy: CountingProxy

    @property
    def host(self) -> str:
        """The proxy's ``127.0.0.1:PORT``."""
        return self.proxy.host

    def env(self) -> dict[str, str]:
        """versionbot's credential variables for the proxy's host."""
        prefix = "VERSIONBOT_REGISTRY_" + self.host.upper().replace(".", "_").replace(":", "_")
        return {
            f"{prefix}_USERNAME": self.server.username,
            f"{prefix}_PASSWORD": self.server.password,
        }

    @property
    def creds(self) -> str:
        """``user:password`` for skopeo."""
        return f"{self.server.username}:{self.server.password}"


Command = tuple[list[str], dict[str, str]]


def bot_command(work: Path, source: Endpoint, target: Endpoint, index: str) -> Command:
    """``bot images push`` in a fresh git repository whose HEAD is tagged v1.2.0."""
    home = work / "home"
    (home / "docker").mkdir(parents=True, exist_ok=True)
    (home / "gitconfig").write_text("")
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "DOCKER_CONFIG": str(home / "docker"),  # no credentials but the variables below
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        **{
            f"GIT_{who}_{what}": value
            for who in ("AUTHOR", "COMMITTER")
            for what, value in (
                ("NAME", "bench"),
                ("EMAIL", "bench@example.com"),
                ("DATE", "2024-01-01T00:00:00Z"),
            )
        },
        **source.env(),
        **target.env(),
    }
    repo = work / "repo"
    repo.mkdir()
    (repo / "versionbot.toml").write_text(
        f'[images]\nnames = ["{target.host}/{TARGET_REPOSITORY}"]\n'
        f'source = "{source.host}/{SOURCE_REPOSITORY}@{index}"\ntags = ["{{version}}"]\n'
    )
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "versionbot.toml"],
        ["commit", "-q", "-m", "feat: the release"],
        ["tag", "-a", "-m", f"v{VERSION}", f"v{VERSION}"],
    ):
        _run(["git", "-C", str(repo), *args], env=env)
    bot = Path(sys.executable).with_name("bot")
    return [str(bot), "-C", str(repo), "images", "push"], env


def skopeo_command(work: Path, source: Endpoint, target: Endpoint, index: str) -> Command:
    """``skopeo copy --all`` of the index, digests preserved, plain HTTP to loopback."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    command = [
        _tool("skopeo"),
        *("--insecure-policy", "copy", "--all", "--preserve-digests", "--quiet"),
        *("--src-tls-verify=false", "--dest-tls-verify=false"),
        *("--src-creds", source.creds, "--dest-creds", target.creds),
        f"docker://{source.host}/{SOURCE_REPOSITORY}@{index}",
        f"docker://{target.host}/{TARGET_REPOSITORY}:{VERSION}",
    ]
    return command, {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home)}


COMMANDS: Final[dict[str, Callable[[Path, Endpoint, Endpoint, str], Command]]] = {
    BOT: bot_command,
    SKOPEO: skopeo_command,
}


def not_measured(tool: str) -> str | None:
    """Why ``tool`` is not measured here (None: it is)."""
    if tool == REGCTL:
        return (
            REGCTL_REASON
            if shutil.which("regctl") is None
            else (
                "regctl is on PATH, but this bench has no driver for it yet (it could not be run "
                "where the bench was written)"
            )
        )
    if tool == SKOPEO and shutil.which("skopeo") is None:
        return "skopeo is not installed (apt-get install skopeo)"
    return None


# -- one measured run ------------------------------------------------------------------------


@dataclass
class Measured:
    """One tool's run: what went over the wire, and what the target held before and after."""

    seconds: float
    started: float  # time.monotonic() when the tool was started
    source: list[Exchange]
    target: list[Exchange]
    had_before: frozenset[str]
    after: dict[str, Any]


@dataclass
class Bench:
    """The source side, built once; targets are made fresh for each run."""

    work: Path
    built: Built
    source: Endpoint
    content: Content
    auth: str
    started: list[RegistryServer]

    def run(self, tool: str, scenario: str, number: int) -> Measured:
        """Copy with ``tool`` to a fresh target prepared for ``scenario``; what it cost."""
        root = self.work / f"{scenario}-{tool}-{number}"
        server, proxy = registry(f"{scenario}-{tool}-{number}", root, self.auth, self.started)
        with proxy, Direct(server, TARGET_REPOSITORY) as target:
            if scenario == "previous":
                push(self.built, self.built.previous, server, TARGET_REPOSITORY, PREVIOUS)
            had = frozenset(d for d in self.content.blobs if target.has_blob(d))
            command, env = COMMANDS[tool](
                root, self.source, Endpoint(server, proxy), self.content.index
            )
            self.source.proxy.take()
            proxy.take()
            started = time.monotonic()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            seconds = time.monotonic() - started
            exchanges = self.source.proxy.take(), proxy.take()
            if done.returncode != 0:
                raise BenchError(
                    f"{tool} failed ({done.returncode}): {done.stderr.strip()[-1500:]}"
                )
            after = self.verify(target)
        server.close()
        return Measured(seconds, started, exchanges[0], exchanges[1], had, after)

    def verify(self, target: Direct) -> dict[str, Any]:
        """What the target holds now, read straight from it."""
        content = self.content
        raw = target.manifest(VERSION)
        listed = target.manifest(referrers_tag(content.index))
        listed_digests = {m["digest"] for m in json.loads(listed)["manifests"]} if listed else set()
        signature = target.manifest(f"{referrers_tag(content.index)}.sig")
        return {
            "digest": None if raw is None else digest_of(raw),
            "same_digest": raw is not None and digest_of(raw) == content.index,
            "children": sum(target.manifest(c) is not None for c in content.children),
            "referrers": sum(target.manifest(r) is not None for r in content.referrers),
            "signature_tag": signature is not None and digest_of(signature) == content.referrers[0],
            "sbom_listed": content.referrers[1] in listed_digests,
            "blobs": sum(target.has_blob(d) for d in content.blobs),
        }


# -- counting --------------------------------------------------------------------------------


def uploads(exchanges: Iterable[Exchange]) -> tuple[list[tuple[str, int]], list[str], int]:
    """The blob uploads the target completed, ``(digest, body bytes)`` in order; the blobs
    mounted; the body bytes of uploads never completed."""
    sessions: dict[str, int] = {}
    done: list[tuple[str, int]] = []
    mounted: list[str] = []
    for exchange in exchanges:
        if exchange.kind != "upload":
            continue
        query = {k: v[0] for k, v in parse_qs(exchange.query).items()}
        session = exchange.path.partition("/blobs/uploads/")[2].strip("/")
        if exchange.method == "POST" and exchange.status == 201:
            if "mount" in query:
                mounted.append(query["mount"])
            else:  # a monolithic upload: POST ?digest= with the body
                done.append((query["digest"], exchange.sent))
            continue
        if exchange.method == "POST":
            opened = exchange.location.partition("/blobs/uploads/")[2].partition("?")[0]
            sessions[opened] = exchange.sent
            continue
        sessions[session] = sessions.get(session, 0) + exchange.sent
        if exchange.method == "PUT" and exchange.status == 201 and "digest" in query:
            done.append((query["digest"], sessions.pop(session)))
        elif exchange.method == "DELETE":
            sessions.pop(session, None)
    return done, mounted, sum(sessions.values())


def downloads(exchanges: Iterable[Exchange]) -> list[tuple[str, int]]:
    """The blobs read in full from a registry, ``(digest, body bytes)`` in order."""
    return [
        (e.path.rpartition("/")[2], e.received)
        for e in exchanges
        if e.kind == "blob" and e.method == "GET" and e.status == 200
    ]


def about(exchanges: Sequence[Exchange]) -> list[str]:
    """What each exchange is about: the digest or tag its path ends with, or for an upload the
    blob it uploads (mounted, or named when the upload completes); ``""`` for none."""
    session_digests: dict[str, str] = {}
    sessions: list[str] = []
    for exchange in exchanges:
        query = {k: v[0] for k, v in parse_qs(exchange.query).items()}
        session = exchange.path.partition("/blobs/uploads/")[2].strip("/")
        if exchange.kind == "upload" and exchange.method == "POST" and not session:
            session = exchange.location.partition("/blobs/uploads/")[2].partition("?")[0]
            session_digests[session] = query.get("mount") or query.get("digest") or ""
        elif exchange.kind == "upload" and "digest" in query:
            session_digests[session] = query["digest"]
        sessions.append(session)
    return [
        session_digests.get(session, "") if e.kind == "upload" else e.path.rpartition("/")[2]
        for e, session in zip(exchanges, sessions, strict=True)
    ]


def for_referrers(exchanges: Sequence[Exchange], content: Content) -> int:
    """How many of ``exchanges`` are about the referrers: finding them (the referrers API,
    referrers tags, cosign's tags), reading and putting their manifests, and moving the blobs
    only they have."""
    only_theirs = set(content.blobs) - content.image_blobs
    count = 0
    for exchange, what in zip(exchanges, about(exchanges), strict=True):
        if exchange.kind == "manifest":
            count += what.startswith("sha256-") or what in content.referrers
        else:
            count += exchange.kind == "referrers" or what in only_theirs
    return count


def twice(digests: Iterable[str]) -> list[str]:
    """The digests that occur more than once."""
    return sorted(d for d, n in Counter(digests).items() if n > 1)


def summarise(measured: Measured, content: Content) -> dict[str, Any]:
    """The counts of one run, and any count that does not add up (``problems``)."""
    both = [*measured.source, *measured.target]
    done, mounted, _ = uploads(measured.target)
    fetched = downloads(measured.source)
    uploaded = [d for d, _ in done]
    by_kind = {kind: sum(e.kind == kind for e in both) for kind in KINDS}
    by_method = {
        m: sum(e.method == m for e in both) for m in METHODS if any(e.method == m for e in both)
    }
    if any(e.kind == "tls probe" for e in both):
        by_method["(tls probe)"] = by_kind["tls probe"]
    summary: dict[str, Any] = {
        "seconds": round(measured.seconds, 3),
        # Starting up (interpreter, imports, git, configuration) before the first request.
        "seconds_to_first_request": round(min(e.started for e in both) - measured.started, 3),
        "requests": {
            "total": len(both),
            "for_referrers": for_referrers(measured.source, content)
            + for_referrers(measured.target, content),
            "source": len(measured.source),
            "target": len(measured.target),
            "by_kind": by_kind,
            "by_method": by_method,
            "unauthorized": sum(e.status == 401 for e in both),
            "connections": len({e.connection for e in measured.source})
            + len({e.connection for e in measured.target}),
        },
        "bytes": {
            "uploaded_to_target": sum(e.sent for e in measured.target),
            "downloaded_from_source": sum(e.received for e in measured.source),
            "downloaded_from_target": sum(e.received for e in measured.target),
            "uploaded_to_source": sum(e.sent for e in measured.source),
            "blob_bytes_uploaded": sum(n for _, n in done),
            "blob_bytes_downloaded": sum(n for _, n in fetched),
        },
        "blobs": {
            "uploaded": uploaded,
            "mounted": mounted,
            "uploaded_target_had": sorted(set(uploaded) & measured.had_before),
            "uploaded_twice": twice(uploaded),
            "downloaded": [d for d, _ in fetched],
            "downloaded_twice": twice(d for d, _ in fetched),
            "target_had_before": sorted(measured.had_before),
        },
        "target_after": measured.after,
        "exchanges": [
            [
                side,
                e.method,
                e.path,
                e.query[:40],
                e.status,
                e.sent,
                e.received,
                e.connection,
                round(e.started - measured.started, 4),
                round(e.seconds, 4),
            ]
            for side, exchanges in (("source", measured.source), ("target", measured.target))
            for e in exchanges
        ],
    }
    summary["problems"] = problems(summary, measured, content.blobs)
    return summary


def problems(summary: dict[str, Any], measured: Measured, sizes: dict[str, int]) -> list[str]:
    """Counts that do not agree with each other or with the blobs' sizes."""
    done, _, abandoned = uploads(measured.target)
    fetched = downloads(measured.source)
    found = []
    requests, moved = summary["requests"], summary["bytes"]
    totals = {
        "total": requests["total"],
        "source + target": requests["source"] + requests["target"],
        "by kind": sum(requests["by_kind"].values()),
        "by method": sum(requests["by_method"].values()),
    }
    if len(set(totals.values())) != 1:
        found.append(f"request totals differ: {totals}")
    for digest, sent in done:
        if digest in sizes and sent != sizes[digest]:
            found.append(f"upload of {digest} sent {sent} bytes, the blob has {sizes[digest]}")
    for digest, received in fetched:
        if digest in sizes and received != sizes[digest]:
            found.append(f"download of {digest} got {received} bytes, the blob has {sizes[digest]}")
    upload_bodies = sum(e.sent for e in measured.target if e.kind == "upload")
    if upload_bodies != moved["blob_bytes_uploaded"] + abandoned:
        found.append(
            f"upload bodies ({upload_bodies}) != completed uploads "
            f"({moved['blob_bytes_uploaded']}) + abandoned ({abandoned})"
        )
    by_kind_bytes = sum(sum(e.sent for e in measured.target if e.kind == k) for k in KINDS)
    if by_kind_bytes != moved["uploaded_to_target"]:
        found.append(
            f"bytes by kind ({by_kind_bytes}) != bytes uploaded ({moved['uploaded_to_target']})"
        )
    return found


# -- the report ------------------------------------------------------------------------------


def ratio(value: float, reference: float) -> str:
    """``value`` as a multiple of ``reference`` (``x1.00``); ``-`` when there is no reference."""
    return "-" if reference == 0 else f"x{value / reference:.2f}"


def table(scenario: dict[str, Any]) -> str:
    """One scenario as a Markdown table: a row per count, a column per tool."""
    runs = scenario["runs"]
    measured = [r for r in runs if r["measured"]]
    bot = next(r for r in measured if r["tool"] == BOT)
    header = "| | " + " | ".join(TOOL_LABELS[r["tool"]] for r in measured) + " |"
    lines = [f"### {scenario['description']}", "", header, "|---" * (len(measured) + 1) + "|"]

    def row(label: str, get: Callable[[dict[str, Any]], Any], *, ratios: bool = False) -> None:
        cells = []
        for run in measured:
            value = get(run)
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            if ratios and run is not bot:
                shown += f" ({ratio(value, get(bot))})"
            cells.append(shown)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("requests", lambda r: r["requests"]["total"], ratios=True)
    row(
        "- for the image",
        lambda r: r["requests"]["total"] - r["requests"]["for_referrers"],
        ratios=True,
    )
    row("- for the referrers", lambda r: r["requests"]["for_referrers"])
    for kind in KINDS:
        if any(r["requests"]["by_kind"][kind] for r in measured):
            row(f"- {kind} (kind)", _kind_count(kind))
    methods = sorted({m for r in measured for m in r["requests"]["by_method"]})
    row(
        "by method",
        lambda r: ", ".join(f"{m} {r['requests']['by_method'].get(m, 0)}" for m in methods),
    )
    row("answers 401", lambda r: r["requests"]["unauthorized"])
    row("connections", lambda r: r["requests"]["connections"])
    row("KiB uploaded to the target", _kib("uploaded_to_target"), ratios=True)
    row("KiB downloaded from the source", _kib("downloaded_from_source"), ratios=True)
    row("blobs uploaded", lambda r: len(r["blobs"]["uploaded"]))
    row("blobs uploaded the target had", lambda r: len(r["blobs"]["uploaded_target_had"]))
    row("blobs uploaded twice", lambda r: len(r["blobs"]["uploaded_twice"]))
    row("blobs downloaded twice", lambda r: len(r["blobs"]["downloaded_twice"]))
    row(
        "same index digest on the target",
        lambda r: "yes" if r["target_after"]["same_digest"] else "no",
    )
    total = len(scenario["referrers"])
    row("referrers on the target", lambda r: f"{r['target_after']['referrers']} of {total}")
    row("wall time (s)", lambda r: r["seconds"], ratios=True)
    row("- before the first request (s)", lambda r: r["seconds_to_first_request"])
    for run in runs:
        if not run["measured"]:
            lines.append(f"\n{TOOL_LABELS[run['tool']]}: not measured: {run['reason']}.")
    for run in measured:
        lines += [f"\nproblem ({run['tool']}): {p}" for p in run["problems"]]
    return "\n".join(lines)


def _kib(key: str) -> Callable[[dict[str, Any]], int]:
    """A run's bytes under ``key``, in KiB (rounded: a manifest-only copy still shows)."""
    return lambda run: round(run["bytes"][key] / 1024)


def _kind_count(kind: str) -> Callable[[dict[str, Any]], int]:
    """A run's count of requests of ``kind``."""
    return lambda run: int(run["requests"]["by_kind"][kind])


def machine() -> dict[str, Any]:
    """Where and with what the figures were taken."""
    from versionbot import __version__

    def version(*command: str) -> str:
        if shutil.which(command[0]) is None:
            return "not installed"
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).strip().splitlines()[0]

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "versionbot": __version__,
        "skopeo": version("skopeo", "--version"),
        "registry": version("docker-registry", "--version"),
        "buildah": version("buildah", "--version"),
    }


# -- the whole bench -------------------------------------------------------------------------


def bench(work: Path, sizes: Sizes, repeat: int, auth: str) -> dict[str, Any]:
    """Build, seed the source, run every tool in every scenario; the report as a document."""
    built = build(work / "build", sizes)
    started: list[RegistryServer] = []
    try:
        source_server, proxy = registry("source", work / "source", auth, started)
        with proxy, Direct(source_server, SOURCE_REPOSITORY) as source:
            index = push(built, built.current, source_server, SOURCE_REPOSITORY, VERSION)
            referrers = attach_referrers(source, index, sizes.sbom_kb)
            content = read_content(source, index, referrers)
            state = Bench(work, built, Endpoint(source_server, proxy), content, auth, started)
            scenarios = [
                {
                    "name": name,
                    "description": description,
                    "referrers": list(referrers),
                    "runs": [tool_runs(state, tool, name, repeat) for tool in TOOL_LABELS],
                }
                for name, description in SCENARIOS.items()
            ]
    finally:
        for server in started:
            server.close()
        subprocess.run(
            [*built.buildah, "manifest", "rm", built.current, built.previous],
            capture_output=True,
            check=False,
        )
    return {
        "machine": machine(),
        "image": {
            "index": content.index,
            "platforms": list(PLATFORMS),
            "blobs": len(content.blobs),
            "blob_sizes": content.blobs,
            "image_blobs": sorted(content.image_blobs),
            "children": list(content.children),
            "referrers": list(content.referrers),
            "image_bytes": sum(content.blobs[d] for d in content.image_blobs),
            "referrer_bytes": sum(
                n for d, n in content.blobs.items() if d not in content.image_blobs
            ),
            "sizes": {
                "payload_mb": sizes.payload_mb,
                "tool_mb": sizes.tool_mb,
                "sbom_kb": sizes.sbom_kb,
            },
        },
        "repeat": repeat,
        "auth": auth,
        "scenarios": scenarios,
    }


def tool_runs(state: Bench, tool: str, scenario: str, repeat: int) -> dict[str, Any]:
    """``tool`` in ``scenario``: the first run's counts, the median wall time of ``repeat``."""
    reason = not_measured(tool)
    if reason is not None:
        return {"tool": tool, "measured": False, "reason": reason}
    runs = [state.run(tool, scenario, n) for n in range(repeat)]
    summary = summarise(runs[0], state.content)
    summary["seconds"] = round(statistics.median(r.seconds for r in runs), 3)
    summary["runs_seconds"] = [round(r.seconds, 3) for r in runs]
    return {"tool": tool, "measured": True, **summary}


def report(document: dict[str, Any]) -> str:
    """The human report: what was copied, where, then one table per scenario."""
    image, where = document["image"], document["machine"]
    lines = [
        f"## Promotion cost against skopeo ({where['date']})",
        "",
        f"Index {image['index'][:19]}… ({', '.join(image['platforms'])}): {image['blobs']} blobs, "
        f"{image['image_bytes'] / 2**20:.2f} MB of image and "
        f"{image['referrer_bytes'] / 2**10:.0f} KB of referrers (a cosign signature tag, an OCI "
        "1.1 SBOM); wall time: median of "
        f"{document['repeat']} run(s), each on a fresh target.",
        f"Machine: {where['cpus']} CPUs ({where['cpu'] or 'unknown'}), {where['platform']}, "
        f"Python {where['python']}; versionbot {where['versionbot']}, {where['skopeo']}, "
        f"{where['registry']}, {where['buildah']}.",
    ]
    for scenario in document["scenarios"]:
        lines += ["", table(scenario)]
    return "\n".join(lines) + "\n"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed")
    return found


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(args[:4])} failed: {done.stderr.strip()[-1500:]}")
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; print the report (or ``--json``); 0, 1 (a failure or a problem), 2."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--payload-mb", type=float, default=8, help="the shared layer (8)")
    parser.add_argument("--tool-mb", type=float, default=2, help="each per-platform layer (2)")
    parser.add_argument("--sbom-kb", type=int, default=64, help="the SBOM's size (64)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool and scenario (1)")
    parser.add_argument(
        "--auth",
        choices=("token", "basic"),
        default="token",
        help="the registries' auth: Bearer tokens, as GHCR, Docker Hub or Quay (token), or Basic",
    )
    args = parser.parse_args(argv)
    missing = [t for t in ("docker-registry", "buildah", "git") if shutil.which(t) is None]
    if missing:
        print(f"not installed: {', '.join(missing)} (see .ci/run)", file=sys.stderr)
        return 2
    sizes = Sizes(args.payload_mb, args.tool_mb, args.sbom_kb)
    try:
        with tempfile.TemporaryDirectory(prefix="promotion-bench-") as work:
            document = bench(Path(work), sizes, max(1, args.repeat), args.auth)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        json.dumps(document, indent=2) if args.json else report(document),
        end="" if not args.json else "\n",
    )
    found = [p for s in document["scenarios"] for r in s["runs"] for p in r.get("problems", [])]
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
