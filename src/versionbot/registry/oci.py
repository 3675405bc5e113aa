"""OCI image data: references, manifests, media types and platforms. Pure: no I/O, no httpx.

What it owns
    * :class:`ImageRef` - ``host[:port]/repo[:tag][@digest]`` with Docker's defaults
      (``alpine`` is ``docker.io/library/alpine``, served by ``registry-1.docker.io``).
    * :class:`Manifest` - a manifest or index exactly as the registry sent it (raw bytes, media
      type, sha256 digest), never re-serialised; :class:`Descriptor` - one of its children or blobs.
    * Platforms (``os/arch[/variant]``): :func:`platform_matches` knows the default variants
      (``arm64`` is ``v8``, ``arm`` is ``v7``) and the usual aliases (``aarch64``, ``x86_64``).
    * :func:`plain_http_allowed` - the transport rule: loopback hosts and hosts the user named.
    * Referrers (signatures, attestations, SBOMs attached to an image): the fallback tag of a
      digest (:func:`referrers_tag`), cosign's tags (:func:`cosign_tags`), the descriptor a
      referrers list holds for a manifest (:func:`referrer_descriptor`) and the merged fallback
      index (:func:`merged_referrers`): the decisions, made here; the requests are in
      referrers.py.

Malformed registry data is a :class:`~versionbot.core.errors.RegistryError`; a malformed
reference written by the user is an :class:`InvalidImageRef` (a ``UsageError``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from versionbot.core.errors import RegistryError, UsageError

# The reference grammar: core's, which the configuration is checked with when it loads.
from versionbot.core.image_tags import DIGEST, HOST, OCI_TAG, REPOSITORY, split_registry

OCI_INDEX: Final = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST: Final = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST: Final = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES: Final = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES: Final = (OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST)

DOCKER_HUB: Final = "docker.io"
DOCKER_HUB_API: Final = "registry-1.docker.io"
# Where `docker login` keeps Docker Hub's credentials in a Docker config, and where every
# Docker-config reader (docker, go-containerregistry and so cosign) looks them up.
DOCKER_HUB_LOGIN: Final = "https://index.docker.io/v1/"
_DOCKER_HUB_ALIASES: Final = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class InvalidImageRef(UsageError, ValueError):
    """A string that is not an image reference (``host[:port]/repo[:tag][@digest]``)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(
            f"{text!r} is not an image reference: {reason}",
            "write it as host[:port]/repository[:tag][@sha256:<hex>], e.g. ghcr.io/acme/app:1.2.0",
        )


def is_digest(text: str) -> bool:
    """True for ``sha256:<64 hex>`` or ``sha512:<128 hex>`` (lower-case), as in a reference."""
    return DIGEST.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference; ``str()`` gives the normalised form and ``parse`` reads it back.

    >>> ImageRef.parse("ghcr.io/acme/app:sha-abc")
    ImageRef(registry='ghcr.io', repository='acme/app', tag='sha-abc', digest=None)
    >>> str(ImageRef.parse("alpine"))
    'docker.io/library/alpine'
    >>> ImageRef.parse("127.0.0.1:5000/acme/app:1.0").registry
    '127.0.0.1:5000'
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        """Parse ``[host[:port]/]repo[:tag][@digest]``; raise :class:`InvalidImageRef`."""
        if not text or text != text.strip() or any(c.isspace() for c in text):
            raise InvalidImageRef(text, "it is empty or holds whitespace")
        name, at, digest = text.partition("@")
        if at and not DIGEST.fullmatch(digest):
            raise InvalidImageRef(text, "the digest is not sha256:<64 lower-case hex>")
        host, remainder = split_registry(name)
        registry = host or DOCKER_HUB
        if not HOST.fullmatch(registry):
            raise InvalidImageRef(text, f"{registry!r} is not a host[:port]")
        if registry.lower() in _DOCKER_HUB_ALIASES:
            registry = DOCKER_HUB
        tag: str | None = None
        colon = remainder.rfind(":")
        if colon > remainder.rfind("/"):
            remainder, tag = remainder[:colon], remainder[colon + 1 :]
            if not OCI_TAG.fullmatch(tag):
                raise InvalidImageRef(text, f"{tag!r} is not a tag")
        if registry == DOCKER_HUB and "/" not in remainder:
            remainder = f"library/{remainder}"
        if not REPOSITORY.fullmatch(remainder) or len(remainder) > 255:
            raise InvalidImageRef(text, f"{remainder!r} is not a repository name")
        return cls(registry, remainder, tag, digest or None)

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest, else the tag, else ``latest``."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        """The host that serves ``/v2/`` for this registry."""
        return api_host(self.registry)

    def with_tag(self, tag: str) -> ImageRef:
        """The same repository under ``tag`` (no digest)."""
        return ImageRef(self.registry, self.repository, tag, None)


def api_host(registry: str) -> str:
    """``docker.io`` is served by ``registry-1.docker.io``; every other host serves itself."""
    return DOCKER_HUB_API if registry.lower() in _DOCKER_HUB_ALIASES else registry


def _hostname(host: str) -> str:
    """``[::1]:5000`` -> ``::1``; ``127.0.0.1:5000`` -> ``127.0.0.1``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def plain_http_allowed(host: str, insecure: Iterable[str] = ()) -> bool:
    """True for loopback hosts (127.0.0.0/8, localhost, ::1) and hosts named in ``insecure``."""
    name = _hostname(host).lower()
    allowed = {entry.lower() for entry in insecure}
    if host.lower() in allowed or name in allowed:
        return True
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


_DEFAULT_VARIANT: Final = {"arm64": "v8", "arm": "v7"}


def _split_platform(text: str) -> tuple[str, str, str]:
    parts = text.lower().split("/")
    os_, arch = parts[0], parts[1] if len(parts) > 1 else ""
    variant = parts[2] if len(parts) > 2 else _DEFAULT_VARIANT.get(arch, "")
    if arch == "aarch64":
        arch, variant = "arm64", variant or "v8"
    if arch in {"x86_64", "x86-64"}:
        arch = "amd64"
    return os_, arch, variant


def platform_matches(wanted: str, present: str) -> bool:
    """``linux/arm64`` matches ``linux/arm64/v8``; ``linux/arm/v6`` does not match ``linux/arm``.

    >>> platform_matches("linux/arm64", "linux/arm64/v8")
    True
    >>> platform_matches("linux/amd64", "linux/arm64")
    False
    """
    return _split_platform(wanted) == _split_platform(present)


def missing_platforms(wanted: Iterable[str], present: Sequence[str]) -> list[str]:
    """The platforms of ``wanted`` that none of ``present`` matches (``platform_matches``)."""
    return [w for w in wanted if not any(platform_matches(w, p) for p in present)]


def platform_text(platform: Mapping[str, Any]) -> str:
    """``os/architecture[/variant]`` of a descriptor's ``platform`` or an image config."""
    text = f"{platform.get('os', 'unknown')}/{platform.get('architecture', 'unknown')}"
    if platform.get("variant"):
        text += f"/{platform['variant']}"
    return text


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A pointer to a blob or a child manifest."""

    media_type: str
    digest: str
    size: int
    platform: str | None = None
    urls: tuple[str, ...] = ()
    artifact_type: str | None = None  # in a referrers list: what kind of artifact it is


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest exactly as the registry sent it: never re-serialised, so the digest holds."""

    media_type: str
    raw: bytes = field(repr=False)
    digest: str

    @classmethod
    def from_bytes(cls, raw: bytes, media_type: str | None = None) -> Manifest:
        """Wrap raw bytes; the media type comes from the header, else from the document."""
        document = json_object(raw)
        kind = media_type or str(document.get("mediaType", ""))
        return cls(kind, raw, "sha256:" + hashlib.sha256(raw).hexdigest())

    @property
    def is_index(self) -> bool:
        """An OCI index or a Docker manifest list."""
        return self.media_type in INDEX_TYPES

    def children(self) -> tuple[Descriptor, ...]:
        """The child manifests of an index (empty for an image manifest)."""
        if not self.is_index:
            return ()
        return tuple(_descriptor(d) for d in json_object(self.raw).get("manifests", ()))

    def blobs(self) -> tuple[Descriptor, ...]:
        """The config and layers of an image manifest (empty for an index)."""
        if self.is_index:
            return ()
        document = json_object(self.raw)
        config = document.get("config")
        found = [_descriptor(config)] if isinstance(config, dict) else []
        found += [_descriptor(layer) for layer in document.get("layers", ())]
        return tuple(found)

    @property
    def subject(self) -> Descriptor | None:
        """The manifest this one refers to (image spec, ``subject``): None for an image."""
        subject = json_object(self.raw).get("subject")
        return _descriptor(subject) if isinstance(subject, dict) else None

    @property
    def artifact_type(self) -> str | None:
        """What a referrers list calls this manifest (distribution spec, "Listing Referrers"):
        its ``artifactType``; when that is empty, an image manifest's ``config.mediaType`` and
        an index's nothing."""
        document = json_object(self.raw)
        declared = document.get("artifactType")
        if isinstance(declared, str) and declared:
            return declared
        config = document.get("config")
        if self.is_index or not isinstance(config, dict):
            return None
        media_type = config.get("mediaType")
        return media_type if isinstance(media_type, str) and media_type else None

    def index_platforms(self) -> tuple[str, ...]:
        """Platforms named in an index, without attestation entries (``unknown/unknown``)."""
        return tuple(
            d.platform
            for d in self.children()
            if d.platform is not None and not d.platform.startswith("unknown/")
        )


def json_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw``; a :class:`RegistryError` for anything else."""
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise RegistryError(
            "the registry sent a manifest that is not a JSON object",
            "check that the reference names an image, not some other artifact",
        )
    return document


def _descriptor(item: Any) -> Descriptor:
    if not isinstance(item, dict) or not DIGEST.fullmatch(str(item.get("digest", ""))):
        raise RegistryError(
            "the registry sent a manifest with a malformed descriptor",
            "the image is damaged; rebuild and push it again",
        )
    platform = item.get("platform")
    size = item.get("size", -1)
    return Descriptor(
        media_type=str(item.get("mediaType", "")),
        digest=str(item["digest"]),
        size=size if isinstance(size, int) else -1,
        platform=platform_text(platform) if isinstance(platform, dict) else None,
        urls=tuple(str(u) for u in item.get("urls", ()) or ()),
        artifact_type=str(item["artifactType"]) if item.get("artifactType") else None,
    )


# Characters a tag may not hold (distribution spec, "Pulling manifests": ``<tag-or-digest>``).
_NOT_IN_TAG: Final = re.compile(r"[^a-zA-Z0-9._-]")
COSIGN_SUFFIXES: Final = ("sig", "att", "sbom")


def referrers_tag(digest: str) -> str:
    """The tag holding ``digest``'s referrers list where a registry has no referrers API
    (distribution spec, "Backwards Compatibility" / "Referrers Tag Schema"): the algorithm cut
    to 32 characters, ``-``, the encoded part cut to 64, any character a tag may not hold
    replaced with ``-``.

    >>> referrers_tag("sha256:" + "a" * 64) == "sha256-" + "a" * 64
    True
    """
    algorithm, _, encoded = digest.partition(":")
    return _NOT_IN_TAG.sub("-", f"{algorithm[:32]}-{encoded[:64]}")


def cosign_tags(digest: str) -> tuple[str, ...]:
    """The tags cosign puts a signature, attestations and an SBOM of ``digest`` under
    (``sha256-<hex>.sig``, ``.att``, ``.sbom``): a convention older than the referrers API."""
    return tuple(f"{referrers_tag(digest)}.{suffix}" for suffix in COSIGN_SUFFIXES)


def referrer_descriptor(manifest: Manifest) -> dict[str, Any]:
    """The entry a referrers list holds for ``manifest`` (distribution spec, "Pushing Manifests
    with Subject", step 5, and "Listing Referrers"): media type, digest, size, ``artifactType``
    (see :attr:`Manifest.artifact_type`; omitted when there is none) and every annotation."""
    entry: dict[str, Any] = {
        "mediaType": manifest.media_type,
        "digest": manifest.digest,
        "size": len(manifest.raw),
    }
    if manifest.artifact_type is not None:
        entry["artifactType"] = manifest.artifact_type
    annotations = json_object(manifest.raw).get("annotations")
    if isinstance(annotations, dict) and annotations:
        entry["annotations"] = annotations
    return entry


def merged_referrers(existing: Manifest | None, additions: Sequence[Manifest]) -> bytes | None:
    """The fallback referrers index with an entry for each of ``additions`` it lacks, or None
    when it lacks none (distribution spec, "Pushing Manifests with Subject"): a missing tag
    starts an empty OCI index; no entry already there is dropped or changed, and none is
    added twice. A tag holding anything but an OCI index is a RegistryError (the spec: report
    a failure and skip the update).
    """
    if existing is None:
        document: dict[str, Any] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    else:
        document = json_object(existing.raw)
    entries = document.get("manifests")
    if (existing is not None and existing.media_type != OCI_INDEX) or not isinstance(entries, list):
        raise RegistryError(
            "the referrers tag holds something other than an OCI image index",
            "it is left as it is; delete it by hand if nothing else uses it",
        )
    present = {entry.get("digest") for entry in entries if isinstance(entry, dict)}
    added: list[dict[str, Any]] = []
    for manifest in additions:
        if manifest.digest not in present:
            present.add(manifest.digest)
            added.append(referrer_descriptor(manifest))
    if not added:
        return None
    document["manifests"] = [*entries, *added]
    return json.dumps(document, indent=2).encode()
