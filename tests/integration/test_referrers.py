"""Signatures, SBOMs and other referrers travel with the image, against real registries.

The source is the session's buildah-built two-platform index in a Basic-auth distribution
registry; the target is a second registry with Bearer-token auth (and, for mounts, another
repository on the source's registry). Debian's distribution 2.8 has no referrers API (it answers
404), so both sides use the fallback referrers tag for real.

The artifacts are written by the test through the registry API the way the tools attach them:
``oras attach`` on a registry without the referrers API (an OCI 1.1 image manifest with
``subject`` and ``artifactType``, its descriptor appended to the subject's ``sha256-<hex>``
referrers index) and ``cosign sign`` with the tag scheme (an image manifest whose layer is the
simple-signing payload, tagged ``sha256-<hex>.sig``). Neither tool is installable here. The
test's writer is its own code (httpx), not the code under test.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from git_remote import bare_repo, run_release, seed_project
from versionbot.registry.client import RegistryClient
from versionbot.registry.oci import ImageRef
from versionbot.registry.stage import promote

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo, RepoFactory, SealedEnv
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(60)

PLATFORMS = ("linux/amd64", "linux/arm64")
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
EMPTY = "application/vnd.oci.empty.v1+json"
SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"
SBOM = "application/spdx+json"
PROVENANCE = "application/vnd.in-toto+json"
SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
EMPTY_DIGEST = "sha256:" + hashlib.sha256(b"{}").hexdigest()
_ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST])
_names = itertools.count(1)


def tag_of(digest: str) -> str:
    """The referrers tag of ``digest`` (distribution spec, "Referrers Tag Schema")."""
    return digest.replace(":", "-")


@dataclass(frozen=True)
class Repo:
    """One repository of a test registry, written to and read with plain httpx."""

    server: RegistryServer
    repository: str

    def _headers(self) -> dict[str, str]:
        return self.server.authorization(f"repository:{self.repository}:pull,push")

    def blob(self, content: bytes, media_type: str, **extra: Any) -> dict[str, Any]:
        """Upload ``content`` (POST, then PUT with the digest); its descriptor."""
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        with self.server.http() as client:
            started = client.post(f"/v2/{self.repository}/blobs/uploads/", headers=self._headers())
            assert started.status_code == 202, started.text
            where = started.headers["Location"]
            finish = f"{where}{'&' if '?' in where else '?'}digest={digest}"
            headers = {**self._headers(), "Content-Type": "application/octet-stream"}
            done = client.put(finish, content=content, headers=headers)
            assert done.status_code == 201, done.text
        return {"mediaType": media_type, "digest": digest, "size": len(content), **extra}

    def put(self, reference: str | None, document: dict[str, Any]) -> dict[str, Any]:
        """PUT ``document`` under ``reference`` (None: its digest); its descriptor."""
        raw = json.dumps(document).encode()
        digest = "sha256:" + hashlib.sha256(raw).hexdigest()
        headers = {**self._headers(), "Content-Type": document["mediaType"]}
        with self.server.http() as client:
            path = f"/v2/{self.repository}/manifests/{reference or digest}"
            response = client.put(path, content=raw, headers=headers)
        assert response.status_code == 201, response.text
        return {"mediaType": document["mediaType"], "digest": digest, "size": len(raw)}

    def get(self, reference: str) -> httpx.Response:
        """GET a manifest (the response, whatever its status)."""
        headers = {**self._headers(), "Accept": _ACCEPT}
        with self.server.http() as client:
            return client.get(f"/v2/{self.repository}/manifests/{reference}", headers=headers)

    def listed(self, digest: str) -> list[str]:
        """The digests the referrers tag of ``digest`` lists, in order."""
        response = self.get(tag_of(digest))
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == OCI_INDEX
        return [entry["digest"] for entry in response.json()["manifests"]]

    def attach(self, subject: dict[str, Any], artifact_type: str, payload: bytes) -> str:
        """As ``oras attach`` does on a registry without the referrers API; the digest."""
        annotations = {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": self.blob(b"{}", EMPTY, data="e30="),
            "layers": [self.blob(payload, artifact_type)],
            "subject": subject,
            "annotations": annotations,
        }
        descriptor = self.put(None, document)
        entry = {**descriptor, "artifactType": artifact_type, "annotations": annotations}
        existing = self.get(tag_of(subject["digest"]))
        index: dict[str, Any] = (
            existing.json()
            if existing.status_code == 200
            else {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
        )
        index["manifests"].append(entry)
        self.put(tag_of(subject["digest"]), index)
        return str(descriptor["digest"])

    def cosign_sign(self, digest: str, who: str = "ci") -> str:
        """As ``cosign sign`` does with the tag scheme; the signature manifest's digest."""
        payload = json.dumps(
            {
                "critical": {
                    "identity": {"docker-reference": f"{self.server.host}/{self.repository}"},
                    "image": {"docker-manifest-digest": digest},
                    "type": "cosign container image signature",
                },
                "optional": {"signer": who},
            }
        ).encode()
        layer = self.blob(
            payload,
            SIMPLESIGNING,
            annotations={"dev.cosignproject.cosign/signature": f"MEUCIQ-{who}"},
        )
        config = {
            "architecture": "",
            "os": "",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
        }
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": self.blob(
                json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json"
            ),
            "layers": [layer],
        }
        return str(self.put(f"{tag_of(digest)}.sig", document)["digest"])


@dataclass
class Wire:
    """Every exchange: (method, path, query, status, bytes sent in the body)."""

    exchanges: list[tuple[str, str, str, int, int]] = field(default_factory=list)

    def hooks(self) -> dict[str, list[Callable[..., Any]]]:
        """httpx event hooks recording every response."""
        return {"response": [self._record]}

    def _record(self, response: httpx.Response) -> None:
        request = response.request
        sent = int(request.headers.get("Content-Length", "0"))
        url = request.url
        self.exchanges.append(
            (request.method, url.path, url.query.decode(), response.status_code, sent)
        )

    def to(self, repository: str) -> list[tuple[str, str, str, int, int]]:
        """The exchanges with one repository."""
        return [e for e in self.exchanges if e[1].startswith(f"/v2/{repository}/")]


def client_for(*servers: RegistryServer, wire: Wire) -> RegistryClient:
    env: dict[str, str] = {}
    for server in servers:
        env.update(server.env())
    return RegistryClient(
        env=env,
        docker_config=Path("/nonexistent/docker-config"),
        sleep=lambda _: None,
        timeout=5.0,
        event_hooks=wire.hooks(),
    )


@dataclass(frozen=True)
class Signed:
    """The source image and what is attached to it."""

    source: ImageRef
    repo: Repo
    index: dict[str, Any]  # the index's descriptor
    amd64: dict[str, Any]  # the linux/amd64 manifest's descriptor


def signed_image(server: RegistryServer, image_in: ImageFactory) -> Signed:
    source = ImageRef.parse(image_in(server))
    assert source.digest is not None
    repo = Repo(server, source.repository)
    index = repo.get(source.digest)
    amd64 = next(m for m in index.json()["manifests"] if m["platform"]["architecture"] == "amd64")
    return Signed(
        source,
        repo,
        {"mediaType": OCI_INDEX, "digest": source.digest, "size": len(index.content)},
        {key: amd64[key] for key in ("mediaType", "digest", "size")},
    )


def test_signatures_sboms_and_referrers_follow_the_image_to_another_registry(
    registry_basic: RegistryServer, registry_token: RegistryServer, image_in: ImageFactory
) -> None:
    image = signed_image(registry_basic, image_in)
    src, digest = image.repo, image.index["digest"]
    signature = src.attach(image.index, SIG, b'{"signature": "of the index"}')
    sbom = src.attach(image.index, SBOM, b'{"spdxVersion": "SPDX-2.3", "name": "app"}')
    sbom_descriptor = {
        "mediaType": OCI_MANIFEST,
        "digest": sbom,
        "size": len(src.get(sbom).content),
    }
    sbom_signature = src.attach(sbom_descriptor, SIG, b'{"signature": "of the sbom"}')
    provenance = src.attach(image.amd64, PROVENANCE, b'{"predicateType": "slsa"}')
    cosign = src.cosign_sign(digest)
    ours = [signature, sbom, cosign, provenance, sbom_signature]
    # The target already holds a signature of the image, made there: it must stay listed.
    dst = Repo(registry_token, f"t/referrers-target-{next(_names)}")
    theirs = dst.attach(image.index, SIG, b'{"signature": "made on the target"}')
    mounted = Repo(registry_basic, f"t/referrers-mounted-{next(_names)}")

    wire = Wire()
    targets = [
        ImageRef(registry_token.host, dst.repository, "1.0.0"),
        ImageRef(registry_token.host, dst.repository, "latest"),
        ImageRef(registry_basic.host, mounted.repository, "1.0.0"),
    ]
    with client_for(registry_basic, registry_token, wire=wire) as client:
        pushed = promote(client, image.source, targets, PLATFORMS)

    # Reported once per repository, on its first tag: five referrers, by kind or tag.
    report = pushed[0].referrers
    assert report is not None
    assert pushed[1].referrers is None
    assert [r.digest for r in report.referrers] == ours
    assert all(r.pushed for r in report.referrers)
    assert report.referrers_tags == tuple(tag_of(d) for d in (digest, image.amd64["digest"], sbom))
    assert report.warnings == ()
    assert pushed[0].notes == (
        f"referrers in {registry_token.host}/{dst.repository}: 5 (1 {SBOM}, "
        f"2 {SIG}, 1 {PROVENANCE}, tag {tag_of(digest)[:19]}….sig); 5 copied, 0 already there; "
        f"referrers tag {tag_of(digest)[:19]}…, {tag_of(image.amd64['digest'])[:19]}…, "
        f"{tag_of(sbom)[:19]}… updated",
    )
    assert pushed[2].referrers is not None
    assert len(pushed[2].referrers.referrers) == 5

    for target in (dst, mounted):
        # The fallback referrers indexes: the target's own entry kept, ours appended once.
        before = [theirs] if target is dst else []
        assert target.listed(digest) == [*before, signature, sbom]
        assert target.listed(image.amd64["digest"]) == [provenance]
        assert target.listed(sbom) == [sbom_signature]
        entries = target.get(tag_of(digest)).json()["manifests"]
        assert [e.get("artifactType") for e in entries] == [*([SIG] if before else []), SIG, SBOM]
        assert entries[-1]["annotations"] == {
            "org.opencontainers.image.created": "2024-01-01T00:00:00Z"
        }
        # cosign's tag, and every referrer byte for byte as on the source.
        assert target.get(f"{tag_of(digest)}.sig").headers["Docker-Content-Digest"] == cosign
        for referrer in ours:
            assert target.get(referrer).content == src.get(referrer).content

    # No blob moved twice, none the target had: the empty config ({}) of four artifacts was
    # there already (the target's own signature uses it), every other blob went once.
    finished = [e for e in wire.to(dst.repository) if e[0] == "PUT" and "digest=" in e[2]]
    moved = Counter(e[2].rpartition("digest=")[2].replace("%3A", ":") for e in finished)
    assert moved
    assert set(moved.values()) == {1}
    assert EMPTY_DIGEST not in moved
    patches = [e for e in wire.to(dst.repository) if e[0] == "PATCH"]
    assert len(patches) == len(moved)
    # Same registry: every blob mounted, not one byte streamed.
    assert not [e for e in wire.to(mounted.repository) if e[0] == "PATCH"]

    # A re-run copies nothing and writes nothing: everything is there.
    wire.exchanges.clear()
    with client_for(registry_basic, registry_token, wire=wire) as client:
        again = promote(client, image.source, targets, PLATFORMS)
    assert {e[0] for e in wire.exchanges} <= {"GET", "HEAD"}
    assert again[0].notes[0].endswith("; 0 copied, 5 already there")
    assert dst.listed(digest) == [theirs, signature, sbom]


def test_what_cannot_be_copied_is_a_warning_and_the_release_goes_on(
    registry_basic: RegistryServer, registry_other: RegistryServer, image_in: ImageFactory
) -> None:
    image = signed_image(registry_basic, image_in)
    src, digest = image.repo, image.index["digest"]
    signature = src.attach(image.index, SIG, b'{"signature": "ours"}')
    cosign = src.cosign_sign(digest)
    provenance = src.attach(image.amd64, PROVENANCE, b'{"predicateType": "slsa"}')
    broken = src.attach(image.index, SBOM, b'{"spdxVersion": "SPDX-2.3", "name": "lost"}')
    # The source lost one artifact's layer, and deleted one its referrers tag still lists.
    gone = src.attach(image.index, PROVENANCE, b'{"predicateType": "deleted"}')
    layer = src.get(broken).json()["layers"][0]["digest"]
    with registry_basic.http() as http:
        headers = registry_basic.authorization(f"repository:{src.repository}:*")
        for path in (f"blobs/{layer}", f"manifests/{gone}"):
            deleted = http.delete(f"/v2/{src.repository}/{path}", headers=headers)
            assert deleted.status_code == 202, deleted.text
    # The target: cosign's tag holds someone else's signature; the platform manifest's
    # referrers tag holds an image, not an index. Neither may be overwritten.
    dst = Repo(registry_other, f"t/referrers-warned-{next(_names)}")
    others = dst.cosign_sign(digest, who="someone else")
    not_an_index = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": dst.blob(b"{}", EMPTY),
        "layers": [dst.blob(b"not an index", "text/plain")],
    }
    odd = dst.put(tag_of(image.amd64["digest"]), not_an_index)

    target = ImageRef(registry_other.host, dst.repository, "1.0.0")
    with client_for(registry_basic, registry_other, wire=Wire()) as client:
        [pushed] = promote(client, image.source, [target], PLATFORMS)

    assert pushed.digest == digest
    assert pushed.referrers is not None
    copied = {r.digest: r for r in pushed.referrers.referrers}
    assert list(copied) == [signature, cosign, provenance]
    assert copied[cosign].tags == ()
    where = f"{registry_other.host}/{dst.repository}"
    assert pushed.notes[1:] == (
        f"warning: referrer {registry_basic.host}/{src.repository}@{gone} is listed but is not "
        "there",
        f"warning: referrer {broken} ({SBOM}) is not copied to {where}: registry "
        f"{registry_basic.host} could not find what was needed to read a blob of "
        f"{src.repository} (404 BLOB_UNKNOWN)",
        f"warning: {where}:{tag_of(digest)}.sig holds another manifest; it is left as it is, not "
        f"moved to {cosign}",
        f"warning: the referrers tag {where}:{tag_of(image.amd64['digest'])} is not updated: "
        "the referrers tag holds something other than an OCI image index",
    )
    assert dst.get(f"{tag_of(digest)}.sig").headers["Docker-Content-Digest"] == others
    assert dst.get(tag_of(image.amd64["digest"])).headers["Docker-Content-Digest"] == odd["digest"]
    assert dst.listed(digest) == [signature]
    assert dst.get(broken).status_code == 404


def test_bot_images_push_reports_the_referrers_it_copied(
    repo: GitRepo,
    bot: CliRunner,
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
    image_in: ImageFactory,
) -> None:
    image = signed_image(registry_basic, image_in)
    image.repo.attach(image.index, SIG, b'{"signature": "of the index"}')
    image.repo.cosign_sign(image.index["digest"])
    name = f"{registry_other.host}/e2e/referrers-{next(_names)}"
    config = f'[images]\nnames = ["{name}"]\nsource = "{image.source}"\n'
    repo.commit("feat: first", {"versionbot.toml": config})
    repo.tag("v1.2.0", annotated=True)
    env = {**registry_basic.env(), **registry_other.env()}

    result = bot("-C", repo.path, "images", "push", env=env)

    assert result.exit_code == 0, result.stderr
    digest = image.index["digest"]
    assert result.stdout.splitlines() == [
        f"{name}:1.2.0  {digest}  (pushed)",
        f"  referrers in {name}: 2 (1 {SIG}, tag {tag_of(digest)[:19]}….sig); 2 copied, 0 "
        f"already there; referrers tag {tag_of(digest)[:19]}… updated",
        f"{name}:1.2  {digest}  (pushed)",
        f"{name}:1  {digest}  (pushed)",
        f"{name}:latest  {digest}  (pushed)",
    ]


def test_bot_release_logs_the_referrers_it_copied(
    *,
    make_repo: RepoFactory,
    sealed_env: SealedEnv,
    tmp_path: Path,
    registry_basic: RegistryServer,
    registry_other: RegistryServer,
    image_in: ImageFactory,
) -> None:
    image = signed_image(registry_basic, image_in)
    sbom = image.repo.attach(image.index, SBOM, b'{"spdxVersion": "SPDX-2.3"}')
    name = f"{registry_other.host}/release/referrers-{next(_names)}"
    images = f'\n[tool.versionbot.images]\nnames = ["{name}"]\nsource = "{image.source}"\n'
    remote = bare_repo(tmp_path / "app.git")
    repo = make_repo("app")
    seed_project(repo, remote, remote.as_uri(), images)
    env = {**sealed_env.variables, **registry_basic.env(), **registry_other.env()}

    outcome = run_release(repo.path, env)

    digest = image.index["digest"]
    assert outcome.released
    at = outcome.log.index(f"image {name}:0.2.0 = {digest}")
    assert outcome.log[at + 1] == (
        f"referrers in {name}: 1 (1 {SBOM}); 1 copied, 0 already there; "
        f"referrers tag {tag_of(digest)[:19]}… updated"
    )
    assert Repo(registry_other, name.split("/", 1)[1]).listed(digest) == [sbom]
