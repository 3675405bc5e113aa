"""The configuration's ``[images]`` table (and each package's ``images``): which image a release
tags, the tag rules, and how to build it when CI built none.

Pure: no I/O. Tag templates are checked with image_tags.py's own rules, so that a template the
release would refuse is refused here, before any release starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from versionbot.core.config import BUILDERS, ImageRules, ImagesConfig
from versionbot.core.config_values import parse_choice, parse_flag, parse_table
from versionbot.core.errors import ConfigError

_IMAGES_KEYS = {
    "names": 'image repositories to tag, e.g. ["ghcr.io/acme/app"]',
    "source": 'the image CI built for the commit, e.g. "ghcr.io/acme/app:sha-{sha}"',
    "platforms": 'e.g. ["linux/amd64", "linux/arm64"]',
    "tags": 'tag templates, e.g. ["{version}", "{major}.{minor}", "{major}", "latest"]',
    "builder": '"buildx", "buildah" or "docker" (used when there is no source)',
    "context": "the build context folder, from the repository root",
    "dockerfile": "the Dockerfile, from the repository root",
    "major_zero": "true to give 0.x releases a 0 tag",
    "sha_tag": "true to also tag sha-<short sha>",
    "v_prefix": "true for v1.4.2 rather than 1.4.2",
    "channel_tags": 'a table of prerelease token = tag, e.g. rc = "next"',
    "insecure": "registries that may be reached over plain HTTP (loopback always may)",
    "ca_file": "a PEM file of extra certificate authorities for the registries",
    "labels": "a table of extra OCI labels for built images",
}


def parse_images(table: object, source: str) -> ImagesConfig:
    """``[images]`` as ImagesConfig; ``names`` is required, every other key has a default."""
    table = parse_table(table, "images", _IMAGES_KEYS, source)
    names = _image_strings(table, "names", (), source)
    if not names:
        raise ConfigError(f"images.names in {source} is empty", _IMAGES_KEYS["names"])
    templates = _image_strings(table, "tags", ImageRules().templates, source)
    # Imported here: its dataclasses cost ~1.7 ms of start-up that a config without [images]
    # need not pay.
    from versionbot.core.image_tags import InvalidImageTag, validate_template

    for template in templates:
        try:
            validate_template(template)
        except InvalidImageTag as exc:
            raise ConfigError(f"images.tags in {source}: {exc}", _IMAGES_KEYS["tags"]) from None
    builder = parse_choice(
        _image_text(table, "builder", source) or "buildx",
        BUILDERS,
        "images.builder",
        source,
        _IMAGES_KEYS["builder"],
    )
    where = f"{source} [images]"
    rules = ImageRules(
        templates=templates,
        major_zero=parse_flag(table, "major_zero", False, where),
        sha_tag=parse_flag(table, "sha_tag", False, where),
        v_prefix=parse_flag(table, "v_prefix", False, where),
        channel_tags=_image_table(table, "channel_tags", source),
    )
    return ImagesConfig(
        names=names,
        source=_image_text(table, "source", source),
        platforms=_image_strings(table, "platforms", ImagesConfig(()).platforms, source),
        rules=rules,
        builder=builder,
        context=_image_text(table, "context", source) or ".",
        dockerfile=_image_text(table, "dockerfile", source) or "Dockerfile",
        insecure=_image_strings(table, "insecure", (), source),
        ca_file=_image_text(table, "ca_file", source),
        labels=_image_table(table, "labels", source),
    )


def _image_strings(
    table: Mapping[str, Any], key: str, default: tuple[str, ...], source: str
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"images.{key} in {source} must be a list of strings", _IMAGES_KEYS[key])
    return tuple(value)


def _image_text(table: Mapping[str, Any], key: str, source: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"images.{key} in {source} must be a non-empty string", _IMAGES_KEYS[key])
    return value


def _image_table(table: Mapping[str, Any], key: str, source: str) -> tuple[tuple[str, str], ...]:
    value = table.get(key, {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"images.{key} in {source} must be a table of strings", _IMAGES_KEYS[key])
    return tuple(value.items())
