"""Configuration: ``[tool.versionbot]`` in pyproject.toml, or ``versionbot.toml``.

Owns the schema (every key, its type, its default) and its validation. Pure: no I/O (reading the
file is files/config_file.py's); ``config_from_mapping`` is what the public API offers. Unknown
keys and bad values raise ConfigError naming the key and the file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from versionbot.core.branches import DEFAULT_BRANCHES, BranchRule, parse_branches
from versionbot.core.bump import DEFAULT_TYPE_RULES, Bump, BumpRules
from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.version import InvalidVersion, Version

# The Conventional Commits / Angular set (commitlint's config-conventional).
DEFAULT_TYPES = (
    "feat",
    "fix",
    "perf",
    "refactor",
    "docs",
    "style",
    "test",
    "build",
    "ci",
    "chore",
    "revert",
)


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
    """How a release's image is tagged: the tag keys of ``[images]`` (images.py applies them)."""

    templates: tuple[str, ...] = ("{version}", "{major}.{minor}", "{major}", "latest")
    major_zero: bool = False  # give 0.x releases a "0" tag
    sha_tag: bool = False  # also tag sha-<short sha>
    v_prefix: bool = False  # v1.4.2 rather than 1.4.2 for every version-derived tag
    channel_tags: tuple[tuple[str, str], ...] = ()  # prerelease token -> tag ("rc" -> "next")


_TOP_LEVEL_KEYS = {
    "tag_format": "a string with '{version}', e.g. \"v{version}\"",
    "initial_version": 'a final SemVer version, e.g. "0.1.0"',
    "major_on_zero": "true or false",
    "squash_commits": "true or false",
    "ignore_merge_commits": "true or false",
    "fetch_unshallow": "true or false",
    "bump": 'a table of type or "type(scope)" = "major" | "minor" | "patch" | "none"',
    "changelog": "a table with file, sections, templates, forge",
    "images": "a table with names, source, platforms, tags, builder, ...",
    "branches": "a table of release branches, e.g. [branches.main], [branches.next] with "
    'prerelease = "rc", [branches."1.x"] with maintenance = true (glob patterns allowed)',
    "version_files": 'e.g. ["pyproject.toml", "src/app/__init__.py:__version__"]',
    "commit_message": 'the release commit\'s subject, e.g. "chore(release): {version} [skip ci]"',
    "committer": "a table with name and email of the release commit's author and committer",
    "sign_tags": "true to make signed tags (git tag -s)",
    "remote": 'the git remote to push to, e.g. "origin"',
    "check": "a table with types, scopes, max_subject_length, subject_period, allow_fixup",
    "mode": '"direct" (commit, tag and push the release) or "pr" (a release pull request)',
    "pr_branch": 'the branch the release pull request comes from, e.g. "versionbot/release"',
    "packages": 'a table per package of a monorepo, e.g. [packages.api] with path = "services/api"',
}
MODES = ("direct", "pr")
_CHECK_KEYS = {
    "types": 'the allowed commit types, e.g. ["feat", "fix", "docs"]',
    "scopes": 'the allowed scopes, e.g. ["api", "cli"]; empty: any scope',
    "max_subject_length": "the longest subject line in characters, e.g. 100",
    "subject_period": "true to allow a subject that ends with a period",
    "allow_fixup": "true to let fixup!, squash! and amend! commits pass",
}
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
_BUILDERS = ("buildx", "buildah", "docker")
_PACKAGE_KEYS = {
    "path": 'the package\'s folder from the repository root, e.g. "services/api"',
    "tag_format": "its tags, with '{version}'; default \"NAME-v{version}\"",
    "initial_version": 'its first version, e.g. "0.1.0"',
    "scopes": 'commit scopes that belong to it wherever the files are, e.g. ["api"]',
    "depends_on": 'folders, files or packages whose changes release it, e.g. ["libs/common"]',
    "version_files": 'files holding its version, from its folder, e.g. ["pyproject.toml"]',
    "images": "its image table, with the keys of [images] (paths from its folder)",
}
# Keys that describe one released thing: in a monorepo each package has its own.
_PER_PACKAGE_KEYS = ("tag_format", "initial_version", "version_files", "images")
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class ImagesConfig:
    """``[images]``: which image a release tags, where, and how."""

    names: tuple[str, ...]
    source: str | None = None
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64")
    rules: ImageRules = ImageRules()
    builder: str = "buildx"
    context: str = "."
    dockerfile: str = "Dockerfile"
    insecure: tuple[str, ...] = ()
    ca_file: str | None = None
    labels: tuple[tuple[str, str], ...] = ()


_CHANGELOG_KEYS = {
    "file": 'the changelog\'s path from the repository root, e.g. "CHANGELOG.md"',
    "sections": 'a table of type = "Section title", in the order to show them',
    "templates": "a folder (from the repository root) whose templates override the built-in ones",
    "forge": '"auto", "none", "github", "gitlab", "gitea" or "bitbucket"',
}
DEFAULT_SECTIONS: Mapping[str, str] = {
    "feat": "Features",
    "fix": "Bug fixes",
    "perf": "Performance",
    "revert": "Reverts",
}
_FORGES = ("auto", "none", "github", "gitlab", "gitea", "bitbucket")


@dataclass(frozen=True, slots=True)
class ChangelogConfig:
    """``[changelog]``: where the changelog lives, what it shows, how it links."""

    file: str = "CHANGELOG.md"
    sections: tuple[tuple[str, str], ...] = tuple(DEFAULT_SECTIONS.items())
    templates: str | None = None
    forge: str = "auto"


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
    squash_commits: bool = True
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
    mode: str = "direct"  # "direct" | "pr": how bot release releases (release_pr.py)
    pr_branch: str = "versionbot/release"  # where the release pull request comes from
    packages: tuple[Package, ...] = ()  # a monorepo's packages; empty: one release per repository
    source: str = "defaults"  # where it came from, for messages

    def package(self, name: str) -> Package:
        """The package called ``name`` (``--package NAME``)."""
        for package in self.packages:
            if package.name == name:
                return package
        known = ", ".join(p.name for p in self.packages) or "none: there is no [packages] table"
        raise ConfigError(f"there is no package {name!r} in {self.source}", f"packages: {known}")


def config_from_mapping(mapping: Mapping[str, Any], source: str = "<mapping>") -> Config:
    """Build a Config from a dict shaped like the ``[tool.versionbot]`` table."""
    if "release_branches" in mapping:
        raise ConfigError(
            f"release_branches in {source} was replaced by the [branches] table",
            'write a table per release branch: [branches.main], [branches."release/*"]; '
            "see the README",
        )
    unknown = sorted(set(mapping) - set(_TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {source}",
            "known keys are: " + ", ".join(sorted(_TOP_LEVEL_KEYS)),
        )
    defaults = Config()
    bump_rules = _bump_rules(mapping.get("bump", {}), source)
    changelog = _changelog(mapping.get("changelog", {}), source)
    config = Config(
        tag_format=_tag_format(mapping, source) or defaults.tag_format,
        initial_version=_initial_version(mapping, source) or defaults.initial_version,
        major_on_zero=_flag(mapping, "major_on_zero", defaults.major_on_zero, source),
        squash_commits=_flag(mapping, "squash_commits", defaults.squash_commits, source),
        ignore_merge_commits=_flag(
            mapping, "ignore_merge_commits", defaults.ignore_merge_commits, source
        ),
        fetch_unshallow=_flag(mapping, "fetch_unshallow", defaults.fetch_unshallow, source),
        bump_rules=bump_rules,
        changelog=changelog,
        images=_images(mapping["images"], source) if "images" in mapping else None,
        branches=parse_branches(mapping["branches"], source)
        if "branches" in mapping
        else defaults.branches,
        version_files=_version_files(mapping, source),
        commit_message=_commit_message(mapping, defaults.commit_message, source),
        committer=_committer(mapping.get("committer"), source),
        sign_tags=_flag(mapping, "sign_tags", defaults.sign_tags, source),
        remote=_text(mapping, "remote", defaults.remote, source),
        check=_check(mapping.get("check", {}), source, bump_rules, changelog),
        mode=_mode(mapping, defaults.mode, source),
        pr_branch=_pr_branch(mapping, defaults.pr_branch, source),
        source=source,
    )
    if "packages" not in mapping:
        return config
    return dataclasses.replace(config, packages=_packages(mapping, config, source))


def _flag(mapping: Mapping[str, Any], key: str, default: bool, source: str) -> bool:
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{key} in {source} must be true or false, not {value!r}",
            f"write {key} = true or {key} = false",
        )
    return value


def _strings(
    mapping: Mapping[str, Any], key: str, default: tuple[str, ...], source: str
) -> tuple[str, ...]:
    value = mapping.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key} in {source} must be a list of strings", _TOP_LEVEL_KEYS[key])
    return tuple(value)


def _text(mapping: Mapping[str, Any], key: str, default: str, source: str) -> str:
    value = mapping.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} in {source} must be a non-empty string", _TOP_LEVEL_KEYS[key])
    return value


def _version_files(mapping: Mapping[str, Any], source: str) -> tuple[str, ...]:
    specs = _strings(mapping, "version_files", (), source)
    if not specs:
        return ()
    from versionbot.core.version_files import parse_version_file_spec  # tomlkit: only when needed

    for spec in specs:
        try:
            parse_version_file_spec(spec)
        except ValueError as exc:
            raise ConfigError(
                f"version_files in {source}: {spec!r}: {exc}", _TOP_LEVEL_KEYS["version_files"]
            ) from None
    return specs


def _commit_message(mapping: Mapping[str, Any], default: str, source: str) -> str:
    value = _text(mapping, "commit_message", default, source)
    if "{version}" not in value or "\n" in value:
        raise ConfigError(
            f"commit_message in {source} must be one line holding {{version}}, not {value!r}",
            _TOP_LEVEL_KEYS["commit_message"],
        )
    return value


def _mode(mapping: Mapping[str, Any], default: str, source: str) -> str:
    value = mapping.get("mode", default)
    if value not in MODES:
        raise ConfigError(
            f"mode in {source} must be one of {', '.join(MODES)}; not {value!r}",
            _TOP_LEVEL_KEYS["mode"],
        )
    return str(value)


_BRANCH_NAME = re.compile(r"(?!-)(?!.*(?:\.\.|@\{|//|/\.|\.lock(?:/|$)))[A-Za-z0-9._/-]+(?<![./])")


def _pr_branch(mapping: Mapping[str, Any], default: str, source: str) -> str:
    """A plain branch name (what ``git check-ref-format --branch`` accepts, narrowed to the
    characters a pull request's head can carry without quoting)."""
    value = _text(mapping, "pr_branch", default, source)
    if not _BRANCH_NAME.fullmatch(value) or value.startswith(("/", ".", "refs/")):
        raise ConfigError(
            f"pr_branch in {source} is not a branch name: {value!r}",
            _TOP_LEVEL_KEYS["pr_branch"],
        )
    return value


def _committer(value: object, source: str) -> tuple[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, Mapping)
        or set(value) != {"name", "email"}
        or not all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        raise ConfigError(
            f"committer in {source} must be a table with name and email",
            'write committer = { name = "Release Bot", email = "bot@example.com" }',
        )
    return (value["name"], value["email"])


def _tag_format(mapping: Mapping[str, Any], source: str) -> TagFormat | None:
    if "tag_format" not in mapping:
        return None
    value = mapping["tag_format"]
    try:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        return TagFormat(value)
    except ValueError as exc:
        raise ConfigError(
            f"tag_format in {source} {exc}: {value!r}", 'write e.g. tag_format = "v{version}"'
        ) from None


def _initial_version(mapping: Mapping[str, Any], source: str) -> Version | None:
    if "initial_version" not in mapping:
        return None
    value = mapping["initial_version"]
    try:
        version = Version.parse(value) if isinstance(value, str) else None
    except InvalidVersion:
        version = None
    if version is None or version.is_prerelease or version.build or version == Version(0, 0, 0):
        raise ConfigError(
            f"initial_version in {source} must be a final SemVer version above 0.0.0, "
            f"not {value!r}",
            'write e.g. initial_version = "0.1.0"',
        )
    return version


def _bump_rules(table: object, source: str) -> BumpRules:
    if not isinstance(table, Mapping):
        raise ConfigError(f"bump in {source} must be a table", _TOP_LEVEL_KEYS["bump"])
    by_type: dict[str, Bump] = dict(DEFAULT_TYPE_RULES)
    scoped: dict[tuple[str, str], Bump] = {}
    default = Bump.NONE
    for key, value in table.items():
        if not isinstance(key, str):
            raise ConfigError(
                f"bump in {source} has a key that is not a string: {key!r}", _TOP_LEVEL_KEYS["bump"]
            )
        where = f"bump.{_quote_key(key)} in {source}"
        try:
            level = Bump.from_label(value) if isinstance(value, str) else None
        except ValueError:
            level = None
        if level is None:
            raise ConfigError(
                f"{where} must be one of major, minor, patch, none; not {value!r}",
                f'write e.g. {_quote_key(key)} = "patch"',
            )
        if key == "*":
            default = level
            continue
        kind, scope = _rule_key(key, where)
        if scope is None:
            by_type[kind] = level
        else:
            scoped[(kind, scope)] = level
    return BumpRules(tuple(by_type.items()), tuple(scoped.items()), default)


def _subtable(value: object, name: str, known: Mapping[str, str], source: str) -> Mapping[str, Any]:
    """``value`` as the table ``[name]``: a table, holding only keys of ``known``."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} in {source} must be a table", _TOP_LEVEL_KEYS[name])
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key '{name}.{unknown[0]}' in {source}",
            f"known keys of [{name}] are: " + ", ".join(sorted(known)),
        )
    return value


def _changelog(table: object, source: str) -> ChangelogConfig:
    table = _subtable(table, "changelog", _CHANGELOG_KEYS, source)
    defaults = ChangelogConfig()
    for key in ("file", "templates"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(
                f"changelog.{key} in {source} must be a non-empty string", _CHANGELOG_KEYS[key]
            )
    forge = table.get("forge", defaults.forge)
    if forge not in _FORGES:
        raise ConfigError(
            f"changelog.forge in {source} must be one of {', '.join(_FORGES)}; not {forge!r}",
            _CHANGELOG_KEYS["forge"],
        )
    sections = table.get("sections", dict(defaults.sections))
    if not isinstance(sections, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in sections.items()
    ):
        raise ConfigError(
            f"changelog.sections in {source} must map types to titles",
            'write e.g. feat = "Features" under [changelog.sections]',
        )
    return ChangelogConfig(
        file=table.get("file", defaults.file),
        sections=tuple((k.lower(), v) for k, v in sections.items()),
        templates=table.get("templates", defaults.templates),
        forge=forge,
    )


def _check(
    table: object, source: str, bump_rules: BumpRules, changelog: ChangelogConfig
) -> CheckRules:
    """``[check]``. Without ``types``, the allowed types are the Conventional Commits set plus
    every type that ``[bump]`` or ``[changelog.sections]`` names: those are meant to be used."""
    table = _subtable(table, "check", _CHECK_KEYS, source)
    named = [k for k, _ in bump_rules.by_type] + [t for (t, _), _ in bump_rules.scoped]
    named += [k for k, _ in changelog.sections]
    default_types = tuple(dict.fromkeys([*DEFAULT_TYPES, *(t.lower() for t in named)]))
    types = _check_names(table, "types", default_types, source)
    for kind in types:
        if not _valid_type(kind):
            raise ConfigError(
                f"check.types in {source}: {kind!r} is not a commit type",
                "a type is a letter, then letters, digits, '-' or '_', e.g. \"feat\"",
            )
    if not types:
        raise ConfigError(f"check.types in {source} is empty", _CHECK_KEYS["types"])
    scopes = _check_names(table, "scopes", (), source)
    if any(c in scope for scope in scopes for c in "()\n"):
        raise ConfigError(
            f"check.scopes in {source} must not hold parentheses or line breaks",
            _CHECK_KEYS["scopes"],
        )
    limit = table.get("max_subject_length", CheckRules().max_subject_length)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 10:
        raise ConfigError(
            f"check.max_subject_length in {source} must be a whole number of at least 10, "
            f"not {limit!r}",
            "write e.g. max_subject_length = 100",
        )
    where = f"{source} [check]"
    return CheckRules(
        types=tuple(t.lower() for t in types),
        scopes=scopes,
        max_subject_length=limit,
        subject_period=_flag(table, "subject_period", False, where),
        allow_fixup=_flag(table, "allow_fixup", False, where),
    )


def _check_names(
    table: Mapping[str, Any], key: str, default: tuple[str, ...], source: str
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"check.{key} in {source} must be a list of strings", _CHECK_KEYS[key])
    return tuple(v.strip() for v in value)


def _valid_type(kind: str) -> bool:
    return kind[0].isalpha() and kind.replace("-", "").replace("_", "").isalnum()


def _images(table: object, source: str) -> ImagesConfig:
    table = _subtable(table, "images", _IMAGES_KEYS, source)
    names = _image_strings(table, "names", (), source)
    if not names:
        raise ConfigError(f"images.names in {source} is empty", _IMAGES_KEYS["names"])
    templates = _image_strings(table, "tags", ImageRules().templates, source)
    from versionbot.core.image_tags import InvalidImageTag, validate_template  # only with [images]

    for template in templates:
        try:
            validate_template(template)
        except InvalidImageTag as exc:
            raise ConfigError(f"images.tags in {source}: {exc}", _IMAGES_KEYS["tags"]) from None
    builder = _image_text(table, "builder", source) or "buildx"
    if builder not in _BUILDERS:
        raise ConfigError(
            f"images.builder in {source} must be one of {', '.join(_BUILDERS)}; not {builder!r}",
            _IMAGES_KEYS["builder"],
        )
    where = f"{source} [images]"
    rules = ImageRules(
        templates=templates,
        major_zero=_flag(table, "major_zero", False, where),
        sha_tag=_flag(table, "sha_tag", False, where),
        v_prefix=_flag(table, "v_prefix", False, where),
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


def _rule_key(key: str, where: str) -> tuple[str, str | None]:
    kind, paren, rest = key.partition("(")
    valid_kind = (
        bool(kind) and kind[0].isalpha() and kind.replace("-", "").replace("_", "").isalnum()
    )
    if not paren and valid_kind:
        return kind.lower(), None
    if paren and valid_kind and rest.endswith(")") and "(" not in rest[:-1] and rest[:-1].strip():
        return kind.lower(), rest[:-1].strip()
    raise ConfigError(
        f'{where}: the key must be a commit type or "type(scope)"',
        'write e.g. feat = "minor" or "docs(readme.md)" = "patch"',
    )


def _quote_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else f'"{key}"'


def _packages(mapping: Mapping[str, Any], config: Config, source: str) -> tuple[Package, ...]:
    """``[packages.NAME]`` tables: each package's settings are the repository's with its own
    tags, changelog, version files and images, every path from its folder."""
    table = mapping["packages"]
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(
            f"packages in {source} must hold a table per package", _TOP_LEVEL_KEYS["packages"]
        )
    shared = [key for key in _PER_PACKAGE_KEYS if key in mapping]
    if shared:
        raise ConfigError(
            f"{shared[0]} in {source} is per package in a monorepo",
            "move it into each [packages.NAME] table that needs it",
        )
    packages = [_package(name, value, config, source) for name, value in table.items()]
    paths = {p.path: p.name for p in packages}
    formats: list[tuple[str, TagFormat]] = []
    resolved = []
    for package in packages:
        if paths[package.path] != package.name:
            raise ConfigError(
                f"packages {paths[package.path]!r} and {package.name!r} in {source} have the "
                f"same path {package.path!r}",
                "give each package its own folder",
            )
        fmt = package.config.tag_format
        for other, other_fmt in formats:
            example = Version(1, 2, 3)
            if fmt.parse(other_fmt.format(example)) or other_fmt.parse(fmt.format(example)):
                raise ConfigError(
                    f"the tag formats of packages {other!r} and {package.name!r} in {source} "
                    f"overlap ({other_fmt.pattern!r}, {fmt.pattern!r})",
                    'give each package tags of its own, e.g. tag_format = "NAME-v{version}"',
                )
        formats.append((package.name, fmt))
        folders = _dependency_folders(package, {p.name: p for p in packages})
        resolved.append(dataclasses.replace(package, depends_on=tuple(sorted(folders))))
    return tuple(resolved)


def _dependency_folders(package: Package, by_name: Mapping[str, Package]) -> set[str]:
    """The folders and files whose changes release ``package``, beyond its own folder.

    A dependency that names a package (or is its folder) means that package's folder and, in
    turn, its own dependencies: when ``api`` depends on ``core`` and ``core`` on ``libs/common``,
    a change in ``libs/common`` releases both.
    """
    by_path = {p.path: p for p in by_name.values()}
    folders: set[str] = set()
    seen = {package.name}
    pending = list(package.depends_on)
    while pending:
        entry = pending.pop()
        other = by_name.get(entry) or by_path.get(entry)
        if other is None:
            folders.add(entry)
        elif other.name not in seen:
            seen.add(other.name)
            folders.add(other.path)
            pending += other.depends_on
    return folders


def _package(name: object, value: object, config: Config, source: str) -> Package:
    if not isinstance(name, str) or not _PACKAGE_NAME.fullmatch(name):
        raise ConfigError(
            f"package name {name!r} in {source} is not valid",
            "use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    where = f"{source} [packages.{name}]"
    if not isinstance(value, Mapping):
        raise ConfigError(f"packages.{name} in {source} must be a table", _PACKAGE_KEYS["path"])
    unknown = sorted(set(value) - set(_PACKAGE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {where}",
            "known keys of a package are: " + ", ".join(sorted(_PACKAGE_KEYS)),
        )
    if "path" not in value:
        raise ConfigError(f"{where} has no path", 'write e.g. path = "services/api"')
    path = _folder(value["path"], "path", where)
    depends_on = value.get("depends_on", [])
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise ConfigError(
            f"depends_on in {where} must be a list of strings", _PACKAGE_KEYS["depends_on"]
        )
    scopes = value.get("scopes", [])
    if not isinstance(scopes, list) or not all(
        isinstance(s, str) and s.strip() and not any(c in s for c in "()\n") for s in scopes
    ):
        raise ConfigError(f"scopes in {where} must be a list of scopes", _PACKAGE_KEYS["scopes"])
    settings = dataclasses.replace(
        config,
        tag_format=_tag_format(value, where) or TagFormat(f"{name}-v{{version}}"),
        initial_version=_initial_version(value, where) or config.initial_version,
        changelog=dataclasses.replace(config.changelog, file=_inside(path, config.changelog.file)),
        version_files=tuple(_inside(path, spec) for spec in _version_files(value, where)),
        images=_package_images(value["images"], path, where) if "images" in value else None,
        source=where,
    )
    return Package(
        name,
        path,
        settings,
        scopes=tuple(s.strip() for s in scopes),
        depends_on=tuple(_folder(d, "depends_on", where) for d in depends_on),
    )


def _package_images(table: object, path: str, where: str) -> ImagesConfig:
    images = _images(table, where)
    given = table if isinstance(table, Mapping) else {}
    return dataclasses.replace(
        images,
        context=_inside(path, images.context if "context" in given else "."),
        dockerfile=_inside(path, images.dockerfile),
        ca_file=_inside(path, images.ca_file) if images.ca_file else None,
    )


def _folder(value: object, key: str, where: str) -> str:
    """A folder inside the repository, as git names paths: relative, "/" separated."""
    text = value.strip() if isinstance(value, str) else ""
    parts = text.rstrip("/").split("/")
    if not text or text.startswith("/") or any(p in ("", "..") for p in parts):
        raise ConfigError(
            f"{key} in {where} must be a folder inside the repository, not {value!r}",
            'write it from the repository root with "/", e.g. "services/api" (or "." for the root)',
        )
    return "/".join(p for p in parts if p != ".") or "."


def _inside(folder: str, path: str) -> str:
    """``path`` (relative to the package's folder) from the repository root."""
    if path in (".", "./"):
        return folder
    return path if folder == "." else f"{folder}/{path}"
