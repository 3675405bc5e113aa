"""The image tag set: which tags a release's image gets, and which floating tags move.

Pure: no I/O. Given the version being released, every release version known (git tags and the
registry's tags) and the configured tag templates, decide each tag and say why a floating tag
does or does not move. The registry edge (registry/) pushes what this decides.

Exact tags name one release: once published they are never moved (registry/stage.py refuses to).
Floating tags (``{major}.{minor}``, ``{major}``, ``latest``, channel tags) move to each newer
release, and only forward: for a final release that is the highest of its line, so a 1.4.3
backport made after 1.5.0 moves ``1.4`` but neither ``1`` nor ``latest`` (made after 2.0.0, it
moves ``1.4`` and ``1``: it is the highest 1.x). A prerelease gets only the tags that name it
(``{version}``, ``{prerelease}``, a sha), and its channel tag: ``{major}.{minor}.{patch}`` of
``1.1.0-rc.1`` would be the final's ``1.1.0``, so it is not pushed.

>>> rules = ImageRules(templates=("{version}", "{major}.{minor}", "{major}", "latest"))
>>> released = [Version.parse("1.5.0")]
>>> [t.tag for t in image_tags(Version.parse("1.4.3"), released, "0" * 40, rules).pushed]
['1.4.3', '1.4']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from versionbot.core.config import ImageRules, Signing
from versionbot.core.version import Version

# The distribution reference grammar (github.com/distribution/reference, reference.go), which
# registry/oci.py parses references with too: a path component is lower-case letters and
# digits joined by ".", "_", "__" or dashes; a host is DNS labels (any case) or a bracketed
# IPv6 address, with an optional port; a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a name
# (host and path) holds at most 255 characters.
PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REPOSITORY = re.compile(rf"{PATH_COMPONENT}(?:/{PATH_COMPONENT})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")
OCI_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")
NAME_MAX = 255
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("version", "major", "minor", "patch", "prerelease", "sha", "short_sha")


class InvalidImageTag(ValueError):
    """A tag template that is unknown or makes a tag the OCI grammar refuses."""


@dataclass(frozen=True, slots=True)
class ImageTag:
    """One tag of the set: whether it is pushed, its kind, and why."""

    tag: str
    kind: str  # "version" (names the exact release), "floating", "channel" or "sha"
    pushed: bool
    reason: str

    @property
    def exact(self) -> bool:
        """Whether the tag names one release, so that once published it is never moved: made
        from a template holding ``{version}``, ``{patch}``, ``{prerelease}``, ``{sha}`` or
        ``{short_sha}`` (kind "version"), or the sha tag. Every other tag floats: a template
        of ``{major}``, ``{minor}`` and text only (``{major}.{minor}``, ``{major}``,
        ``latest``), and the channel tags; they move to each newer release of their line.

        >>> rules = ImageRules(templates=("{version}", "{major}.{minor}", "latest"), sha_tag=True)
        >>> tags = image_tags(Version.parse("1.4.3"), [], "0" * 40, rules).tags
        >>> [(t.tag, t.exact) for t in tags]
        [('1.4.3', True), ('1.4', False), ('latest', False), ('sha-0000000', True)]
        """
        return self.kind in ("version", "sha")


@dataclass(frozen=True, slots=True)
class ImageTagSet:
    """Every tag considered for a release, pushed or not."""

    version: Version
    tags: tuple[ImageTag, ...]

    @property
    def pushed(self) -> tuple[ImageTag, ...]:
        """The tags to push, in template order."""
        return tuple(t for t in self.tags if t.pushed)


@dataclass(frozen=True, slots=True)
class ImagePlan:
    """What the image stage of a release does: from which image, which tags, where."""

    tag_set: ImageTagSet
    source: str | None  # the image CI built (placeholders filled); None: build it
    names: tuple[str, ...]  # image repositories, e.g. ghcr.io/acme/app
    platforms: tuple[str, ...]
    sha: str  # the released commit
    released: tuple[Version, ...]  # every release version in git, judged against
    rules: ImageRules
    sign: Signing | None = None  # cosign signs the pushed digest (registry/signing.py)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every ``name:tag`` to push."""
        return tuple(f"{name}:{tag.tag}" for name in self.names for tag in self.tag_set.pushed)


def image_plan(
    version: Version,
    existing: Iterable[Version],
    sha: str,
    *,
    names: tuple[str, ...],
    source: str | None,
    platforms: tuple[str, ...],
    rules: ImageRules,
    sign: Signing | None = None,
) -> ImagePlan:
    """The image stage's plan for releasing ``version`` at commit ``sha``."""
    filled = _fill(source, _values(version, sha, ImageRules())) if source else None
    released = tuple(existing)
    tag_set = image_tags(version, released, sha, rules)
    return ImagePlan(tag_set, filled, names, platforms, sha, released, rules, sign)


def validate_channel_tag(tag: str) -> None:
    """Raise InvalidImageTag for a channel tag (``images.channel_tags``) no OCI tag may be."""
    _oci_tag(tag)


def validate_template(template: str) -> None:
    """Raise InvalidImageTag for an unknown placeholder, or a template that makes a tag the
    OCI grammar refuses (characters, length, empty) for a final release or a prerelease."""
    names = _PLACEHOLDER.findall(template)
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise InvalidImageTag(
            f"unknown placeholder {{{unknown[0]}}}; known: "
            + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        )
    # As a release fills it: a final and a prerelease, the full sha, the longer v-prefixed form.
    for version in (Version(1, 2, 3), Version(1, 2, 3, ("rc", "1"))):
        sample = _fill(template, _values(version, "0" * 40, ImageRules(v_prefix=True)))
        try:
            _oci_tag(sample)
        except InvalidImageTag:
            message = f"{template!r} cannot make a valid OCI tag ({sample!r})"
            raise InvalidImageTag(message) from None


def split_registry(name: str) -> tuple[str | None, str]:
    """``(host, path)`` of an image name: the first part is a host when it holds '.' or ':', is
    ``localhost`` or an IPv6 address, and a path follows it (Docker's rule); else None."""
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first[:1] == "["):
        return first, rest
    return None, name


def image_name_problem(name: str) -> str | None:
    """Why ``name`` is not an image repository (``[host[:port]/]path``, with no tag and no
    digest), or None.

    >>> image_name_problem("ghcr.io/Acme/App")
    "'Acme/App' is not a repository path: lower-case letters and digits joined by '.', '_', \
'__' or '-', parts separated by '/'"
    """
    if "@" in name:
        return "holds a digest ('@'): give the repository alone"
    host, path = split_registry(name)
    if ":" in path:
        return "holds a tag (':'): give the repository alone, the release tags it"
    if host is not None and not HOST.fullmatch(host):
        return f"{host!r} is not a host[:port]"
    if not REPOSITORY.fullmatch(path):
        return (
            f"{path!r} is not a repository path: lower-case letters and digits joined by '.', "
            "'_', '__' or '-', parts separated by '/'"
        )
    if len(name) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    return None


def image_reference_problem(reference: str) -> str | None:
    """Why ``reference`` (``name[:tag][@digest]``) is not an image reference, or None."""
    name, at, digest = reference.partition("@")
    if at and not DIGEST.fullmatch(digest):
        return f"the digest {digest!r} is not sha256:<64 lower-case hex>"
    host, path = split_registry(name)
    path, colon, tag = path.partition(":")
    if colon and not OCI_TAG.fullmatch(tag):
        return f"{tag!r} is not a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}"
    return image_name_problem(path if host is None else f"{host}/{path}")


def source_problem(source: str) -> str | None:
    """Why the ``images.source`` template cannot make an image reference, or None: it may use
    every placeholder, filled as the release fills them."""
    unknown = [n for n in _PLACEHOLDER.findall(source) if n not in PLACEHOLDERS]
    if unknown:
        return f"holds the unknown placeholder {{{unknown[0]}}}"
    for version in (Version(1, 2, 3), Version(1, 2, 3, ("rc", "1"))):
        filled = _fill(source, _values(version, "0" * 40, ImageRules()))
        problem = image_reference_problem(filled)
        if problem is not None:
            return f"makes {filled!r}, and {problem}" if filled != source else problem
    return None


def image_tags(
    version: Version, existing: Iterable[Version], sha: str, rules: ImageRules
) -> ImageTagSet:
    """The tag set of ``version``'s image, judged against every ``existing`` release version."""
    finals = [v for v in existing if not v.is_prerelease and v != version]
    values = _values(version, sha, rules)
    tags: list[ImageTag] = []
    for template in rules.templates:
        line = _line_of(template)
        tag = _oci_tag(_PLACEHOLDER.sub(lambda m: values[m.group(1)], template))
        if line is None and version.is_prerelease and not _names_prerelease(template):
            # {major}.{minor}.{patch} of 1.1.0-rc.1 is 1.1.0: the final's tag, not the rc's.
            why = "does not name the prerelease: a prerelease gets only its own tags"
            tags.append(ImageTag(tag, "version", False, why))
        elif line is None:
            tags.append(ImageTag(tag, "version", True, "names this release"))
        elif version.is_prerelease:
            tags.append(ImageTag(tag, "floating", False, "a prerelease moves no floating tag"))
        elif line == ("major",) and version.major == 0 and not rules.major_zero:
            tags.append(ImageTag(tag, "floating", False, "no major tag on 0.x (images.major_zero)"))
        else:
            higher = _higher_in_line(version, finals, line)
            if higher is None:
                tags.append(
                    ImageTag(
                        tag, "floating", True, f"{version} is the highest {_name(line, version)}"
                    )
                )
            else:
                tags.append(ImageTag(tag, "floating", False, f"{higher} is higher"))
    channels: Mapping[str, str] = dict(rules.channel_tags)
    token = ".".join(version.prerelease[:-1]) if version.is_prerelease else None
    if token is not None and token in channels:
        tags.append(ImageTag(_oci_tag(channels[token]), "channel", True, f"the {token} channel"))
    if rules.sha_tag:
        tags.append(ImageTag(f"sha-{sha[:7]}", "sha", True, "the released commit"))
    return ImageTagSet(version, tuple(_unique(tags)))


def versions_from_tags(tags: Iterable[str], rules: ImageRules) -> list[Version]:
    """The release versions among a registry repository's tags (``1.4.2`` or ``v1.4.2``)."""
    found = []
    prefix = "v" if rules.v_prefix else ""
    for tag in tags:
        if not tag.startswith(prefix):
            continue
        try:
            found.append(Version.parse(tag[len(prefix) :]))
        except ValueError:
            continue
    return found


def _values(version: Version, sha: str, rules: ImageRules) -> dict[str, str]:
    prefix = "v" if rules.v_prefix else ""
    return {
        "version": f"{prefix}{version}",
        "major": f"{prefix}{version.major}",
        "minor": str(version.minor),
        "patch": str(version.patch),
        "prerelease": ".".join(version.prerelease),
        "sha": sha,
        "short_sha": sha[:7],
    }


def _fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each known placeholder replaced by its value."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), template)


def _line_of(template: str) -> tuple[str, ...] | None:
    """The line a floating template follows: ("major", "minor"), ("major",), () for latest;
    None for a template that names one release exactly (it has {version}, {patch} or a sha)."""
    names = set(_PLACEHOLDER.findall(template))
    if names & {"version", "patch", "prerelease", "sha", "short_sha"}:
        return None
    if "minor" in names:
        return ("major", "minor")
    if "major" in names:
        return ("major",)
    return ()


def _names_prerelease(template: str) -> bool:
    """Whether a template's tag tells a prerelease from its final: it holds the whole version,
    the prerelease, or a commit."""
    return bool(set(_PLACEHOLDER.findall(template)) & {"version", "prerelease", "sha", "short_sha"})


def _higher_in_line(
    version: Version, finals: list[Version], line: tuple[str, ...]
) -> Version | None:
    """The highest final release of ``version``'s line that is above it, or None."""
    same_line = [
        v
        for v in finals
        if all(getattr(v, part) == getattr(version, part) for part in line) and v > version
    ]
    return max(same_line, key=lambda v: v.precedence, default=None)


def _name(line: tuple[str, ...], version: Version) -> str:
    if line == ("major", "minor"):
        return f"{version.major}.{version.minor}.x release"
    if line == ("major",):
        return f"{version.major}.x release"
    return "release"


def _oci_tag(text: str) -> str:
    # SemVer build metadata uses '+', which no OCI tag may hold; '_' is the usual stand-in.
    tag = text.replace("+", "_")
    if not OCI_TAG.fullmatch(tag):
        raise InvalidImageTag(f"{tag!r} is not a valid OCI tag")
    return tag


def _unique(tags: list[ImageTag]) -> list[ImageTag]:
    seen: set[str] = set()
    result = []
    for tag in tags:
        if tag.tag not in seen:
            seen.add(tag.tag)
            result.append(tag)
    return result
