"""Edge: the ``docker`` builder: a Docker engine through docker-py (``DOCKER_HOST`` and friends).

One ``images.build(platform=P)`` per platform (:func:`docker_build_kwargs`; the labels are one
``LABEL`` line added to a copy of the Dockerfile, :func:`labelled_dockerfile`), each pushed
under ``sha-<sha>-<os>-<arch>`` (:func:`platform_tag`; push errors arrive in the stream and are
checked), then the pushed manifests are assembled into one index (:func:`assemble_index`) and
PUT under the build tag through the registry API. Those per-platform tags stay in the
repository. The engine's classic builder commits ``ARG`` and ``RUN`` steps with the host's
platform, so a foreign platform works only for Dockerfiles without them before a ``COPY`` (use
buildx or buildah for anything more). Errors end with the engine's last line, every known
secret replaced by ``***``; docker-py is imported only when this builder runs.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from versionbot.core.errors import BuildError
from versionbot.core.redaction import redact
from versionbot.registry.build_spec import BuildSpec
from versionbot.registry.build_tools import last_line, secrets
from versionbot.registry.client import RegistryClient
from versionbot.registry.credentials import docker_config_path, find_credentials
from versionbot.registry.manifests import platforms_of, put_manifest, resolve
from versionbot.registry.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    ImageRef,
    Manifest,
    platform_matches,
)


def platform_tag(tag: str, platform: str) -> str:
    """The per-platform tag of the ``docker`` builder.

    >>> platform_tag("sha-abc", "linux/arm64/v8")
    'sha-abc-linux-arm64-v8'
    """
    return f"{tag}-{platform.replace('/', '-')}"


def labelled_dockerfile(text: str, labels: Iterable[tuple[str, str]]) -> str:
    """The Dockerfile with the labels added as ONE ``LABEL`` instruction at its end (the output
    stage). The engine's classic builder turns each ``labels=`` entry into a step of its own,
    each a container commit (about a second apiece on vfs); one instruction is one step.

    >>> labelled_dockerfile("FROM scratch", [("a.b", 'say "hi" for $5')])
    'FROM scratch\\nLABEL "a.b"="say \\\\"hi\\\\" for \\\\$5"\\n'
    """
    pairs = " ".join(f"{_quoted(key)}={_quoted(value)}" for key, value in labels)
    body = text if text.endswith("\n") else text + "\n"
    return f"{body}LABEL {pairs}\n" if pairs else body


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return '"' + " ".join(escaped.splitlines()) + '"'


def docker_build_kwargs(spec: BuildSpec, platform: str, dockerfile: Path) -> dict[str, Any]:
    """The keyword arguments of the ``docker`` builder's ``images.build`` for one platform;
    ``dockerfile`` is :func:`labelled_dockerfile`'s output, written outside the context.

    The ``TARGET*`` build arguments are passed explicitly: the engine's classic builder, unlike
    BuildKit and buildah, does not set them. Its cache does not tell platforms apart (a second
    platform would get the first one's image), hence ``nocache``.
    """
    os_, _, rest = platform.partition("/")
    arch, _, variant = rest.partition("/")
    return {
        "path": str(spec.context),
        "dockerfile": str(dockerfile),
        "platform": platform,
        "tag": str(spec.ref.with_tag(platform_tag(spec.ref.tag or "latest", platform))),
        "buildargs": {
            "TARGETPLATFORM": platform,
            "TARGETOS": os_,
            "TARGETARCH": arch,
            "TARGETVARIANT": variant,
        },
        "pull": False,
        "nocache": True,
        "rm": True,
        "forcerm": True,
    }


def assemble_index(
    children: Sequence[tuple[Manifest, str]], annotations: Iterable[tuple[str, str]] = ()
) -> Manifest:
    """One index of single-platform manifests: an OCI index (with ``annotations``) when every
    child is an OCI manifest, else a Docker manifest list (which has no annotations)."""
    oci = all(child.media_type == OCI_MANIFEST for child, _ in children)
    entries = []
    for child, platform in children:
        os_, _, rest = platform.partition("/")
        arch, _, variant = rest.partition("/")
        described: dict[str, str] = {"architecture": arch, "os": os_}
        if variant:
            described["variant"] = variant
        entries.append(
            {
                "mediaType": child.media_type if oci else DOCKER_MANIFEST,
                "digest": child.digest,
                "size": len(child.raw),
                "platform": described,
            }
        )
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX if oci else DOCKER_LIST,
        "manifests": entries,
    }
    if oci and annotations:
        document["annotations"] = dict(annotations)
    raw = json.dumps(document, indent=2, sort_keys=True).encode()
    return Manifest.from_bytes(raw, OCI_INDEX if oci else DOCKER_LIST)


def build_with_docker(spec: BuildSpec, client: RegistryClient, env: Mapping[str, str]) -> str:
    """Build ``spec`` per platform on the engine, push each, PUT their index; its digest."""
    import docker
    import docker.errors

    registry = spec.ref.registry
    hidden = secrets(registry, env)
    where = env.get("DOCKER_HOST") or "the default socket"
    try:
        engine = docker.from_env(environment=dict(env), timeout=600)
        engine.ping()
    except docker.errors.DockerException as exc:
        raise BuildError(
            f"cannot reach the Docker engine at {where}: {redact(last_line(str(exc)), hidden)}",
            "start Docker, or set DOCKER_HOST to the engine's socket",
        ) from None
    # The same credentials RegistryClient would use: the variables, then the Docker config.
    credentials = find_credentials(registry, docker_config_path(None, env), env)
    auth: dict[str, str] | None = None
    if credentials is not None:
        auth = {"username": credentials.username, "password": credentials.password}
        if credentials.identity_token:
            auth = {"identitytoken": credentials.identity_token}
    children = []
    with (
        contextlib.closing(engine),
        tempfile.TemporaryDirectory(prefix="versionbot-docker-") as tmp,
    ):
        dockerfile = Path(tmp) / "Dockerfile"
        text = spec.dockerfile.read_text(encoding="utf-8")
        dockerfile.write_text(labelled_dockerfile(text, spec.labels), encoding="utf-8")
        for platform in spec.platforms:
            kwargs = docker_build_kwargs(spec, platform, dockerfile)
            try:
                engine.images.build(**kwargs)
            except (docker.errors.BuildError, docker.errors.APIError) as exc:
                raise BuildError(
                    f"the Docker engine could not build {platform}: "
                    + redact(last_line(str(exc)), hidden),
                    "fix the Dockerfile or the context; the build log above says more",
                ) from None
            pushed = ImageRef.parse(kwargs["tag"])
            digest = _docker_push(engine, pushed, auth, hidden)
            child = ImageRef(registry, spec.ref.repository, None, digest)
            manifest = resolve(client, child)
            found = platforms_of(client, child, manifest)
            if not any(platform_matches(platform, p) for p in found):
                raise BuildError(
                    f"the Docker engine built {', '.join(found) or 'no platform'} when asked "
                    f"for {platform}",
                    "use a Docker engine that can build for every configured platform",
                )
            children.append((manifest, found[0]))
    index = assemble_index(children, spec.labels)
    put_manifest(client, spec.ref, index)
    return index.digest


def _docker_push(
    engine: Any, ref: ImageRef, auth: dict[str, str] | None, hidden: Sequence[str]
) -> str:
    """Push one tag; the engine reports errors inside the stream, never as an exception."""
    import docker.errors

    repository = f"{ref.registry}/{ref.repository}"
    digest = ""
    try:
        for item in engine.api.push(
            repository, tag=ref.tag, auth_config=auth, stream=True, decode=True
        ):
            if not isinstance(item, dict):
                continue
            if item.get("error") or item.get("errorDetail"):
                detail = item.get("errorDetail")
                text = item.get("error") or (detail.get("message") if detail else "") or ""
                raise BuildError(
                    f"the Docker engine could not push {ref}: "
                    + redact(last_line(str(text)), hidden),
                    f"check the credentials for {ref.registry} (VERSIONBOT_REGISTRY_* or "
                    "docker login)",
                )
            aux = item.get("aux")
            if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
                digest = aux["Digest"]
    except docker.errors.APIError as exc:
        raise BuildError(
            f"the Docker engine could not push {ref}: " + redact(last_line(str(exc)), hidden),
            f"check that the engine can reach {ref.registry}",
        ) from None
    if not digest.startswith("sha256:"):
        raise BuildError(
            f"the Docker engine pushed {ref} but reported no digest",
            "check the engine's log; run the release again",
        )
    return digest
