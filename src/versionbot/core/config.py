"""The configuration's model: ``[tool.versionbot]`` in pyproject.toml, or ``versionbot.toml``.

Pure values, no I/O: every setting, its type and its default, so that no file is needed; closed
sets are Literal types. config_mapping.py builds a Config from a table, validating every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from versionbot.core.branches import DEFAULT_BRANCHES, BranchRule, parse_branches
from versionbot.core.bump import BumpRules
from versionbot.core.commits import SquashMode
from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.version import Version

# How bot release releases: commit, tag and push ("direct"), or a release pull request ("pr").
Mode = Literal["direct", "pr"]
# What builds the image when CI built none (registry/builders.py).
Builder = Literal["buildx", "buildah", "docker"]
# Whose URL shapes the changelog's links take: guessed from the remote, none, or one forge's.
ChangelogForge = Literal["auto", "none", "github", "gitlab", "gitea", "bitbucket"]
MODES: tuple[Mode, ...] = get_args(Mode)
BUILDERS: tuple[Builder, ...] = get_args(Builder)
CHANGELOG_FORGES: tuple[ChangelogForge, ...] = get_args(ChangelogForge)

# The Conventional Commits / Angular set (commitlint's config-conventional).
DEFAULT_TYPES = (
    "feat", "fix", "perf", "refactor", "docs", "style", "test", "build", "ci", "chore", "revert",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CheckRules:
    """``[check]``, bot check's policy: allowed types (lower case) and scopes (empty: any), the
    longest subject, whether it may end with a period, and whether ``fixup!`` commits pass."""

    types: tuple[str, ...] = DEFAULT_TYPES
    scopes: tuple[str, ...] = ()
    max_subject_length: int = 100
    subject_period: bool = False
    allow_fixup: bool = False


@dataclass(frozen=True, slots=True)
class ImageRules:
    """How a release's image is tagged: the tag keys of ``[images]`` (image_tags.py uses them)."""

    templates: tuple[str, ...] = ("{version}", "{major}.{minor}", "{major}", "latest")
    major_zero: bool = False  # give 0.x releases a "0" tag
    sha_tag: bool = False  # also tag sha-<short sha>
    v_prefix: bool = False  # v1.4.2 rather than 1.4.2 for every version-derived tag
    channel_tags: tuple[tuple[str, str], ...] = ()  # prerelease token -> tag ("rc" -> "next")


@dataclass(frozen=True, slots=True)
class Signing:
    """``[images] sign``: the released digest is signed with the user's cosign, keyless (the
    CI's OIDC identity, Fulcio and Rekor) or with ``key`` (whatever ``cosign sign --key``
    takes: a key file, ``env://VAR``, a KMS or Kubernetes URI)."""

    key: str | None = None  # None: keyless

    @property
    def label(self) -> str:
        """``keyless`` or ``key <ref>``, for reports."""
        return "keyless" if self.key is None else f"key {self.key}"


@dataclass(frozen=True, slots=True)
class ImagesConfig:
    """``[images]``: which image a release tags, where, and how."""

    names: tuple[str, ...]
    source: str | None = None
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64")
    rules: ImageRules = ImageRules()
    builder: Builder = "buildx"
    context: str = "."
    dockerfile: str = "Dockerfile"
    insecure: tuple[str, ...] = ()
    ca_file: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    sign: Signing | None = None  # None: the bot signs nothing (registry/signing.py)


DEFAULT_SECTIONS: Mapping[str, str] = {
    "feat": "Features",
    "fix": "Bug fixes",
    "perf": "Performance",
    "revert": "Reverts",
}


@dataclass(frozen=True, slots=True)
class ChangelogConfig:
    """``[changelog]``: where the changelog lives, what it shows, how it links."""

    file: str = "CHANGELOG.md"
    sections: tuple[tuple[str, str], ...] = tuple(DEFAULT_SECTIONS.items())
    templates: str | None = None
    forge: ChangelogForge = "auto"


@dataclass(frozen=True, slots=True)
class Package:
    """One package of a monorepo (``[packages.NAME]``): where it lives, which commits are its
    own, and ``config``: the settings its releases are made with (the repository's, with its
    own tags, changelog, version files and images)."""

    name: str
    path: str  # its folder from the repository root, without a trailing "/"; "." for the root
    config: Config
    scopes: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()  # folders (or files) whose changes belong to it too


@dataclass(frozen=True, slots=True)
class Config:
    """Validated settings; every field has a default so no config file is needed."""

    tag_format: TagFormat = TagFormat("v{version}")
    initial_version: Version = Version(0, 1, 0)
    major_on_zero: bool = False
    minor_on_zero: bool = True  # false: a feature moves the patch on 0.x (bump.py)
    squash_commits: SquashMode = True  # true, false or "always" (core/commits.split_squash)
    body_changes: bool = False  # release-please's several changes in one message (commits.py)
    ignore_merge_commits: bool = True
    fetch_unshallow: bool = False
    bump_rules: BumpRules = field(default_factory=BumpRules)
    changelog: ChangelogConfig = ChangelogConfig()
    images: ImagesConfig | None = None  # None: no image stage
    branches: tuple[BranchRule, ...] = parse_branches(DEFAULT_BRANCHES)  # where releases happen
    version_files: tuple[str, ...] = ()
    commit_message: str = "chore(release): {version} [skip ci]"
    committer: tuple[str, str] | None = None  # (name, email); None: see release.identity
    sign_tags: bool = False
    remote: str = "origin"
    check: CheckRules = CheckRules()  # bot check's policy
    mode: Mode = "direct"  # how bot release releases (release/)
    pr_branch: str = "versionbot/release"  # where the release pull request comes from
    packages: tuple[Package, ...] = ()  # a monorepo's packages; empty: one release per repository
    source: str = "defaults"  # where it came from, for messages

    @property
    def change_types(self) -> frozenset[str]:
        """The types a change line of ``body_changes`` may have: those the configuration names
        anywhere (allowed by [check], given a [bump] rule, or a changelog section)."""
        named = [*self.check.types, *(t for t, _ in self.bump_rules.by_type)]
        return frozenset(t.lower() for t in [*named, *(t for t, _ in self.changelog.sections)])

    def package(self, name: str) -> Package:
        """The package called ``name`` (``--package NAME``)."""
        for package in self.packages:
            if package.name == name:
                return package
        known = ", ".join(p.name for p in self.packages) or "none: there is no [packages] table"
        raise ConfigError(f"there is no package {name!r} in {self.source}", f"packages: {known}")
