"""Edge: build the release's multi-arch image once, push it, and name it by digest.

Used by the image stage (image_stage.py) when ``[images]`` has no ``source``: CI did not build
an image for the commit, so the release builds it here, once, and the stage then promotes that
one index to every version tag by digest (registry.promote).

The build tag
    The image is pushed to the first configured name under ``sha-<full commit sha>`` (see
    :func:`build_tag`), then addressed as ``names[0]@sha256:…`` from there on. A re-run that
    finds that tag already in the registry reuses it and builds nothing (the same commit gives
    the same image; promote still checks every platform).

The builders (``images.builder``)
    * ``buildx`` (the default, the standard in GitHub Actions): one ``docker buildx build
      --platform a,b --push`` (:func:`buildx_argv`); the digest is ``containerimage.digest`` from
      its ``--metadata-file``. Registry credentials and trust are the Docker CLI's own
      (``docker login`` / docker/login-action, the builder instance's config); the
      ``VERSIONBOT_REGISTRY_*`` variables are not handed to BuildKit.
    * ``buildah`` (daemonless): one ``buildah build --platform P --manifest LIST`` per platform
      into a throw-away vfs store, ``--isolation chroot``, then ``buildah manifest push --all
      --digestfile`` (:func:`buildah_commands`). buildah 1.28 exits 0 when the registry answers
      401, so an empty digest file is an error. Credentials: the ``VERSIONBOT_REGISTRY_*``
      variables (written to a 0600 authfile in the temporary folder), else the Docker config
      (``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``). ``--tls-verify=false``
      only for a registry :func:`versionbot.registry.oci.plain_http_allowed` permits (loopback or
      ``images.insecure``); ``images.ca_file`` is handed over as ``--cert-dir``.
    * ``docker`` (a Docker engine through docker-py, ``DOCKER_HOST`` and friends): one
      ``images.build(platform=P)`` per platform (:func:`docker_build_kwargs`; the labels are
      one ``LABEL`` line added to a copy of the Dockerfile, :func:`labelled_dockerfile`), each
      pushed under ``sha-<sha>-<os>-<arch>`` (push errors arrive in the stream and are
      checked), then the pushed manifests are assembled into one index (:func:`assemble_index`)
      and PUT under the build tag through the registry API. Those per-platform tags stay in
      the repository. The engine's classic builder commits ``ARG`` and ``RUN`` steps with the
      host's platform, so a foreign platform works only for Dockerfiles without them before a
      ``COPY`` (use buildx or buildah for anything more).

Labels (every builder; :func:`oci_labels`)
    ``org.opencontainers.image.`` ``version``, ``revision`` (the commit), ``created`` (RFC 3339
    UTC from ``SOURCE_DATE_EPOCH``, else the commit date), ``source`` (the remote's web address,
    never its credentials; left out for a local remote) and ``title`` (the repository's name),
    plus ``images.labels``: a key without a dot is short for ``org.opencontainers.image.<key>``
    (``description = "…"``, ``licenses = "MIT"``, ``url = "…"``), and may replace ``source`` or
    ``title``; ``version``, ``revision`` and ``created`` always describe the release. buildah also
    writes them as manifest annotations, and an assembled OCI index carries them too.

What it must not do
    * Put a credential in an argv, a message or a log line: errors end with the tool's last
      line of output with every known secret and any URL credentials replaced by ``***``.
    * Decide tags (images.py) or move them (registry.promote). The pure functions here (argv
      lists, labels, the index) read no clock and no environment: both are passed in.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from versionbot.core.config import ImagesConfig
from versionbot.core.errors import BuildError
from versionbot.core.image_tags import ImagePlan
from versionbot.core.redaction import redact
from versionbot.registry.client import RegistryClient
from versionbot.registry.credentials import (
    Credentials,
    credentials_from_docker_config,
    credentials_from_env,
)
from versionbot.registry.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    ImageRef,
    Manifest,
    plain_http_allowed,
    platform_matches,
)

__all__ = [
    "BuildSpec",
    "BuildahSetup",
    "assemble_index",
    "authfile_document",
    "build_image",
    "build_spec",
    "build_tag",
    "buildah_commands",
    "buildx_argv",
    "docker_build_kwargs",
    "labelled_dockerfile",
    "oci_labels",
    "platform_tag",
    "source_date_epoch",
    "source_url",
    "write_authfile",
]

OCI_PREFIX = "org.opencontainers.image."
_RELEASE_KEYS = ("version", "revision", "created")
_SCP_LIKE = re.compile(r"(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)")

# --------------------------------------------------------------------------- pure: what to run


@dataclass(frozen=True, slots=True)
class BuildSpec:
    """Everything a builder needs, decided before any process runs."""

    ref: ImageRef  # names[0]:sha-<sha>, where the build is pushed
    platforms: tuple[str, ...]
    context: Path
    dockerfile: Path
    labels: tuple[tuple[str, str], ...]  # sorted by key
    timestamp: int | None = None  # SOURCE_DATE_EPOCH: the images' created time (buildah)


@dataclass(frozen=True, slots=True)
class BuildahSetup:
    """Where buildah keeps its store, and how it reaches the registry."""

    work: Path  # a throw-away folder: vfs storage, run root, digest file
    authfile: Path | None = None
    tls_verify: bool = True  # False only for a registry that may be reached over plain HTTP
    cert_dir: Path | None = None  # a folder holding ca.crt (images.ca_file)

    @property
    def digest_file(self) -> Path:
        """Where ``buildah manifest push`` writes the pushed index's digest."""
        return self.work / "digest"


def build_tag(sha: str) -> str:
    """The tag a build is pushed under before promotion.

    >>> build_tag("3f2a91c" + "0" * 33)
    'sha-3f2a91c000000000000000000000000000000000'
    """
    return f"sha-{sha}"


def platform_tag(tag: str, platform: str) -> str:
    """The per-platform tag of the ``docker`` builder.

    >>> platform_tag("sha-abc", "linux/arm64/v8")
    'sha-abc-linux-arm64-v8'
    """
    return f"{tag}-{platform.replace('/', '-')}"


def source_date_epoch(env: Mapping[str, str]) -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, None when unset; raise BuildError when it is no number.

    >>> source_date_epoch({"SOURCE_DATE_EPOCH": "1704067200"})
    1704067200
    """
    text = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise BuildError(
            f"SOURCE_DATE_EPOCH={text[:40]!r} is not a number of seconds",
            "set it to the commit time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
        )
    return int(text)


def source_url(remote_url: str | None) -> str | None:
    """The web address of the repository behind a git remote, without any credentials.

    None for a local remote (a path or ``file://``), which means nothing outside this machine.

    >>> source_url("https://x-access-token:ghp_secret@github.com/acme/app.git")
    'https://github.com/acme/app'
    >>> source_url("git@github.com:acme/app.git")
    'https://github.com/acme/app'
    >>> source_url("ssh://git@git.example.com:2222/acme/app.git")
    'https://git.example.com/acme/app'
    >>> source_url("http://127.0.0.1:3000/acme/app") is None
    False
    >>> source_url("/srv/git/app.git") is None
    True
    """
    if not remote_url:
        return None
    text = remote_url.strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in {"http", "https", "ssh", "git", "git+ssh", "ssh+git"}:
            return None
        host = parts.hostname or ""
        if parts.port and parts.scheme in {"http", "https"}:
            host = f"{host}:{parts.port}"
        scheme = "http" if parts.scheme == "http" else "https"
        path = parts.path
    else:
        match = _SCP_LIKE.fullmatch(text)
        if match is None:
            return None
        scheme, host, path = "https", match["host"], match["path"]
    path = path.strip("/").removesuffix(".git").strip("/")
    return f"{scheme}://{host}/{path}" if host and path else None


def oci_labels(
    *,
    version: str,
    sha: str,
    created: int,
    source: str | None,
    title: str,
    extra: Iterable[tuple[str, str]] = (),
) -> tuple[tuple[str, str], ...]:
    """The labels of a built image, sorted by key (see the module docstring for the rules).

    >>> dict(oci_labels(version="1.2.0", sha="abc", created=0, source=None, title="app",
    ...                 extra=[("licenses", "MIT")]))  # doctest: +NORMALIZE_WHITESPACE
    {'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
     'org.opencontainers.image.licenses': 'MIT',
     'org.opencontainers.image.revision': 'abc',
     'org.opencontainers.image.title': 'app',
     'org.opencontainers.image.version': '1.2.0'}
    """
    labels = {OCI_PREFIX + "title": title}
    if source is not None:
        labels[OCI_PREFIX + "source"] = source
    for key, value in extra:
        labels[key if "." in key else OCI_PREFIX + key] = value
    stamp = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for key, value in zip(_RELEASE_KEYS, (version, sha, stamp), strict=True):
        labels[OCI_PREFIX + key] = value
    return tuple(sorted(labels.items()))


def build_spec(
    settings: ImagesConfig,
    root: Path,
    images: ImagePlan,
    *,
    created: int,
    remote_url: str | None,
    timestamp: int | None,
) -> BuildSpec:
    """What to build for ``images`` (the build of commit ``images.sha``), and where to push it."""
    source = source_url(remote_url)
    title = source.rsplit("/", 1)[-1] if source else Path(root).resolve().name
    labels = oci_labels(
        version=str(images.tag_set.version),
        sha=images.sha,
        created=created,
        source=source,
        title=title,
        extra=settings.labels,
    )
    return BuildSpec(
        ref=ImageRef.parse(images.names[0]).with_tag(build_tag(images.sha)),
        platforms=images.platforms,
        context=root / settings.context,
        dockerfile=root / settings.dockerfile,
        labels=labels,
        timestamp=timestamp,
    )


def buildx_argv(spec: BuildSpec, metadata_file: Path) -> list[str]:
    """The one ``docker buildx build`` command of the ``buildx`` builder."""
    argv = ["docker", "buildx", "build", "--platform", ",".join(spec.platforms), "--push"]
    argv += ["--tag", str(spec.ref), "--metadata-file", str(metadata_file)]
    for key, value in spec.labels:
        argv += ["--label", f"{key}={value}"]
    return [*argv, "-f", str(spec.dockerfile), str(spec.context)]


def buildah_commands(spec: BuildSpec, setup: BuildahSetup, list_name: str) -> list[list[str]]:
    """Every command of the ``buildah`` builder, in order: one build per platform, one push."""
    base = ["buildah", "--root", str(setup.work / "storage"), "--runroot", str(setup.work / "run")]
    base += ["--storage-driver", "vfs"]
    auth = ["--authfile", str(setup.authfile)] if setup.authfile is not None else []
    commands = []
    for platform in spec.platforms:
        build = [*base, "build", "--quiet", "--isolation", "chroot", "--platform", platform]
        build += ["--format", "oci", "--manifest", list_name, "--file", str(spec.dockerfile)]
        if spec.timestamp is not None:
            build += ["--timestamp", str(spec.timestamp)]
        build += auth
        for key, value in spec.labels:
            build += ["--label", f"{key}={value}"]
        for key, value in spec.labels:
            build += ["--annotation", f"{key}={value}"]
        commands.append([*build, str(spec.context)])
    push = [*base, "manifest", "push", "--all", "--format", "oci"]
    push += ["--digestfile", str(setup.digest_file), *auth]
    if not setup.tls_verify:
        push.append("--tls-verify=false")
    if setup.cert_dir is not None:
        push += ["--cert-dir", str(setup.cert_dir)]
    commands.append([*push, list_name, f"docker://{spec.ref}"])
    return commands


def authfile_document(registry: str, credentials: Credentials) -> dict[str, Any]:
    """A containers-auth.json / Docker config.json document holding ``credentials``."""
    if credentials.identity_token:
        entry: dict[str, str] = {"identitytoken": credentials.identity_token}
        if credentials.username:
            entry["auth"] = base64.b64encode(f"{credentials.username}:".encode()).decode()
    else:
        entry = {"auth": credentials.basic_header().removeprefix("Basic ")}
    return {"auths": {registry: entry}}


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


# --------------------------------------------------------------------------- the edge


def build_image(
    settings: ImagesConfig,
    root: Path,
    images: ImagePlan,
    client: RegistryClient,
    *,
    env: Mapping[str, str] | None = None,
    remote: str = "origin",
) -> ImageRef:
    """Build ``images``' commit for every platform, push it under :func:`build_tag`, and return
    it as ``names[0]@sha256:…``; reuse that tag when a previous run pushed it already."""
    environment = dict(os.environ if env is None else env)
    target = ImageRef.parse(images.names[0]).with_tag(build_tag(images.sha))
    existing = client.digest_of(target)
    if existing is not None:
        return ImageRef(target.registry, target.repository, None, existing)
    timestamp = source_date_epoch(environment)
    created = timestamp if timestamp is not None else _commit_time(root, images.sha, environment)
    spec = build_spec(
        settings,
        root,
        images,
        created=created,
        remote_url=_git(root, environment, "remote", "get-url", remote),
        timestamp=timestamp,
    )
    if not spec.dockerfile.is_file():
        raise BuildError(
            f"there is no Dockerfile at {spec.dockerfile}",
            "set images.dockerfile (from the repository root), or images.source to an image CI "
            "built",
        )
    build = _BUILDERS[settings.builder]
    digest = build(spec, settings, root, client, environment)
    found = client.digest_of(target)
    if found != digest:
        raise BuildError(
            f"{target} reads back as {found or 'nothing'}, not the {digest} that "
            f"{settings.builder} reported",
            "another process pushed the same tag during the build; run the release again",
        )
    return ImageRef(target.registry, target.repository, None, digest)


_Builder = Callable[[BuildSpec, ImagesConfig, Path, RegistryClient, Mapping[str, str]], str]


def _with_buildx(
    spec: BuildSpec,
    settings: ImagesConfig,
    root: Path,
    client: RegistryClient,
    env: Mapping[str, str],
) -> str:
    with tempfile.TemporaryDirectory(prefix="versionbot-buildx-") as work:
        metadata_file = Path(work) / "metadata.json"
        secrets = _secrets(spec.ref.registry, env)
        _run_tool(buildx_argv(spec, metadata_file), env, "docker buildx build", root, secrets)
        try:
            metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metadata = None
    digest = metadata.get("containerimage.digest") if isinstance(metadata, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise BuildError(
            f"docker buildx build pushed {spec.ref} but wrote no containerimage.digest",
            "use a buildx that writes --metadata-file (0.6 or later) and a builder that pushes",
        )
    return digest


def _with_buildah(
    spec: BuildSpec,
    settings: ImagesConfig,
    root: Path,
    client: RegistryClient,
    env: Mapping[str, str],
) -> str:
    registry = spec.ref.registry
    with tempfile.TemporaryDirectory(prefix="versionbot-buildah-") as folder:
        work = Path(folder)
        cert_dir = None
        if settings.ca_file is not None:
            cert_dir = work / "certs"
            cert_dir.mkdir()
            shutil.copyfile(root / settings.ca_file, cert_dir / "ca.crt")
        setup = BuildahSetup(
            work=work,
            authfile=write_authfile(registry, env, work),
            tls_verify=not plain_http_allowed(registry, settings.insecure),
            cert_dir=cert_dir,
        )
        secrets = _secrets(registry, env)
        try:
            for argv in buildah_commands(spec, setup, "versionbot-release"):
                what = "buildah manifest push" if "push" in argv else "buildah build"
                result = _run_tool(argv, env, what, root, secrets)
            digest = setup.digest_file.read_text().strip() if setup.digest_file.exists() else ""
        finally:
            shutil.rmtree(work / "storage", ignore_errors=True)
    if not digest.startswith("sha256:"):
        # buildah 1.28 exits 0 when the registry answers 401: the empty digest file tells.
        raise BuildError(
            f"buildah pushed no image to {registry}: " + redact(_last_line(result.stderr), secrets),
            f"check the credentials and TLS settings for {registry}",
        )
    return digest


def _with_docker(
    spec: BuildSpec,
    settings: ImagesConfig,
    root: Path,
    client: RegistryClient,
    env: Mapping[str, str],
) -> str:
    import docker
    import docker.errors

    registry = spec.ref.registry
    secrets = _secrets(registry, env)
    where = env.get("DOCKER_HOST") or "the default socket"
    try:
        engine = docker.from_env(environment=dict(env), timeout=600)
        engine.ping()
    except docker.errors.DockerException as exc:
        raise BuildError(
            f"cannot reach the Docker engine at {where}: {redact(_last_line(str(exc)), secrets)}",
            "start Docker, or set DOCKER_HOST to the engine's socket",
        ) from None
    credentials = _credentials(registry, env)
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
                    + redact(_last_line(str(exc)), secrets),
                    "fix the Dockerfile or the context; the build log above says more",
                ) from None
            pushed = ImageRef.parse(kwargs["tag"])
            digest = _docker_push(engine, pushed, auth, secrets)
            child = ImageRef(registry, spec.ref.repository, None, digest)
            manifest = client.resolve(child)
            found = client.manifest_platforms(child, manifest)
            if not any(platform_matches(platform, p) for p in found):
                raise BuildError(
                    f"the Docker engine built {', '.join(found) or 'no platform'} when asked "
                    f"for {platform}",
                    "use a Docker engine that can build for every configured platform",
                )
            children.append((manifest, found[0]))
    index = assemble_index(children, spec.labels)
    client.put_manifest(spec.ref, index)
    return index.digest


def _docker_push(
    engine: Any, ref: ImageRef, auth: dict[str, str] | None, secrets: Sequence[str]
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
                    + redact(_last_line(str(text)), secrets),
                    f"check the credentials for {ref.registry} (VERSIONBOT_REGISTRY_* or "
                    "docker login)",
                )
            aux = item.get("aux")
            if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
                digest = aux["Digest"]
    except docker.errors.APIError as exc:
        raise BuildError(
            f"the Docker engine could not push {ref}: " + redact(_last_line(str(exc)), secrets),
            f"check that the engine can reach {ref.registry}",
        ) from None
    if not digest.startswith("sha256:"):
        raise BuildError(
            f"the Docker engine pushed {ref} but reported no digest",
            "check the engine's log; run the release again",
        )
    return digest


_BUILDERS: Mapping[str, _Builder] = {
    "buildx": _with_buildx,
    "buildah": _with_buildah,
    "docker": _with_docker,
}


# --------------------------------------------------------------------------- helpers


def _credentials(registry: str, env: Mapping[str, str]) -> Credentials | None:
    """The same credentials RegistryClient would use: the variables, then the Docker config."""
    found = credentials_from_env(registry, env)
    if found is None:
        found = credentials_from_docker_config(registry, _docker_config_file(env), env)
    return found


def _docker_config_file(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]) / "config.json"
    return Path(env.get("HOME") or str(Path.home())) / ".docker" / "config.json"


def write_authfile(registry: str, env: Mapping[str, str], work: Path) -> Path | None:
    """buildah's ``--authfile``: the ``VERSIONBOT_REGISTRY_*`` credentials written to a new 0600
    ``work/auth.json``, else the Docker config file itself, else None."""
    credentials = credentials_from_env(registry, env)
    if credentials is None:
        config = _docker_config_file(env)
        return config if config.is_file() else None
    path = work / "auth.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(authfile_document(registry, credentials), handle)
    return path


def _secrets(registry: str, env: Mapping[str, str]) -> list[str]:
    """Every secret an error text might echo: the registry variables' passwords."""
    found = [v for k, v in env.items() if k.startswith("VERSIONBOT_REGISTRY_") and "PASSWORD" in k]
    credentials = credentials_from_env(registry, env)
    if credentials is not None:
        found += [credentials.password, credentials.basic_header().removeprefix("Basic ")]
    return [s for s in found if s]


def _run_tool(
    argv: list[str],
    env: Mapping[str, str],
    what: str,
    root: Path,
    secrets: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            argv,
            env=dict(env),
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise BuildError(
            f"{argv[0]} is not installed, so {what} cannot run",
            f"install {argv[0]}, or choose another images.builder (buildx, buildah, docker)",
        ) from None
    if result.returncode != 0:
        raise BuildError(
            f"{what} failed (exit {result.returncode}): "
            + redact(_last_line(result.stderr or result.stdout), secrets),
            "fix what the tool says; a re-run starts the build again",
        )
    return result


def _commit_time(root: Path, sha: str, env: Mapping[str, str]) -> int:
    text = _git(root, env, "show", "-s", "--format=%ct", sha)
    if text is None or not text.isdigit():
        raise BuildError(
            f"cannot read the commit time of {sha[:12]} in {root}",
            "set SOURCE_DATE_EPOCH, or run in the repository that has the commit",
        )
    return int(text)


def _git(root: Path, env: Mapping[str, str], *args: str) -> str | None:
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"
