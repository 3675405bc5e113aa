"""Pure: what a release build makes, where it is pushed, and how the image is labelled.

The build is pushed to the first configured name under ``sha-<full commit sha>``
(:func:`build_tag`; a re-run that finds it reuses it), then addressed by digest.

Labels (every builder; :func:`oci_labels`)
    ``org.opencontainers.image.`` ``version``, ``revision`` (the commit), ``created`` (RFC 3339
    UTC from ``SOURCE_DATE_EPOCH``, else the commit date), ``source`` (the remote's web address,
    never its credentials; left out for a local remote) and ``title`` (the repository's name),
    plus ``images.labels``: a key without a dot is short for ``org.opencontainers.image.<key>``
    (``description = "…"``, ``licenses = "MIT"``, ``url = "…"``), and may replace ``source`` or
    ``title``; ``version``, ``revision`` and ``created`` always describe the release. buildah also
    writes them as manifest annotations, and an assembled OCI index carries them too.

No I/O here: the clock and the environment are passed in (``Path.resolve`` aside, for the title
of a repository without a remote).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from versionbot.core.config import ImagesConfig
from versionbot.core.errors import BuildError
from versionbot.core.image_tags import ImagePlan
from versionbot.core.links import parse_remote_url
from versionbot.registry.oci import ImageRef

OCI_PREFIX = "org.opencontainers.image."
_RELEASE_KEYS = ("version", "revision", "created")


@dataclass(frozen=True, slots=True)
class BuildSpec:
    """Everything a builder needs, decided before any process runs."""

    ref: ImageRef  # names[0]:sha-<sha>, where the build is pushed
    platforms: tuple[str, ...]
    context: Path
    dockerfile: Path
    labels: tuple[tuple[str, str], ...]  # sorted by key
    timestamp: int | None = None  # SOURCE_DATE_EPOCH: the images' created time (buildah)


def build_tag(sha: str) -> str:
    """The tag a build is pushed under before promotion.

    >>> build_tag("3f2a91c" + "0" * 33)
    'sha-3f2a91c000000000000000000000000000000000'
    """
    return f"sha-{sha}"


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
    remote = parse_remote_url(remote_url) if remote_url else None
    return remote.web_url if remote is not None and remote.path else None


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
