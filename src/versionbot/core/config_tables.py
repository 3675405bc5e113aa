"""Reading the configuration's values: the tables ``[bump]``, ``[changelog]``, ``[check]`` and
``[images]``, and the values that several tables hold (flags, tag formats, versions, files).

Pure: no I/O. Each reader takes a table as TOML decodes it and ``source`` (where it came from)
and returns the checked value, or raises ConfigError naming the key and the file, with a hint.
``TOP_LEVEL_KEYS`` is the schema of ``[tool.versionbot]``: its keys, each with its errors' hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from versionbot.core.bump import DEFAULT_TYPE_RULES, Bump, BumpRules
from versionbot.core.commits import SquashMode, is_commit_type
from versionbot.core.config import (
    BUILDERS,
    CHANGELOG_FORGES,
    DEFAULT_TYPES,
    ChangelogConfig,
    CheckRules,
    ImageRules,
    ImagesConfig,
    Signing,
)
from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.neutralise import control_in, shortened
from versionbot.core.ref_names import tag_name_problem
from versionbot.core.version import InvalidVersion, Version

TOP_LEVEL_KEYS = {
    "tag_format": "a string with '{version}', e.g. \"v{version}\"",
    "legacy_tag_formats": 'formats of older release tags, read only, e.g. ["{version}"]',
    "initial_version": 'a final SemVer version, e.g. "0.1.0"',
    "major_on_zero": "true: a breaking change on 0.x releases 1.0.0 (false: it moves the minor)",
    "minor_on_zero": "false: a feature on 0.x moves the patch (true, the default: the minor)",
    "squash_commits": 'true, false or "always"',
    "body_changes": "true or false",
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
_CHANGELOG_KEYS = {
    "file": 'the changelog\'s path from the repository root, e.g. "CHANGELOG.md"',
    "sections": 'a table of type = "Section title", in the order to show them',
    "templates": "a folder (from the repository root) whose templates override the built-in ones",
    "forge": '"auto", "none", "github", "gitlab", "gitea" or "bitbucket"',
}
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
    "sign": '"keyless" or "key:<cosign key>" (a file, env://VAR, a KMS URI): cosign signs',
}


def check_one_line(value: str, where: str, hint: str) -> str:
    """``value`` if it holds no control character (a path, a title, a message: a line break
    or an escape sequence in one would break the line it is written on, or the terminal)."""
    found = control_in(value)
    if found is not None:
        raise ConfigError(f"{where} holds the control character {found}: {value!r}", hint)
    return value


def parse_squash(mapping: Mapping[str, Any], source: str) -> SquashMode:
    """``squash_commits``: true (the default), false, or "always"."""
    value = mapping.get("squash_commits", True)
    if isinstance(value, bool):
        return value
    if value == "always":
        return "always"
    raise ConfigError(
        f'squash_commits in {source} must be true, false or "always", not {_cut(value)}',
        "write squash_commits = true (bullets under a title that is not conventional), false, "
        'or "always" (every squash body, as python-semantic-release reads them)',
    )


def parse_flag(mapping: Mapping[str, Any], key: str, default: bool, source: str) -> bool:
    """``mapping[key]``, true or false (``default`` when it is not set)."""
    value = mapping.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{key} in {source} must be true or false, not {value!r}",
            f"write {key} = true or {key} = false",
        )
    return value


_Choice = TypeVar("_Choice", bound=str)


def parse_choice(
    value: object, choices: tuple[_Choice, ...], key: str, source: str, hint: str
) -> _Choice:
    """``value`` if it is one of ``choices`` (the values of a Literal type), else ConfigError."""
    for choice in choices:
        if value == choice:
            return choice
    raise ConfigError(f"{key} in {source} must be one of {', '.join(choices)}; not {value!r}", hint)


def _strings(value: object, where: str, hint: str, *, blank: bool = False) -> tuple[str, ...]:
    """``value``, a list of strings none of which is empty (nor, unless ``blank``, blank)."""
    if not isinstance(value, list) or not all(
        isinstance(v, str) and (v if blank else v.strip()) for v in value
    ):
        raise ConfigError(f"{where} must be a list of strings", hint)
    return tuple(value)


def _table(value: object, name: str, known: Mapping[str, str], source: str) -> Mapping[str, Any]:
    """``value`` as the table ``[name]``: a table, holding only keys of ``known``."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} in {source} must be a table", TOP_LEVEL_KEYS[name])
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key '{name}.{unknown[0]}' in {source}",
            f"known keys of [{name}] are: " + ", ".join(sorted(known)),
        )
    return value


def parse_version_files(mapping: Mapping[str, Any], source: str) -> tuple[str, ...]:
    """``version_files``: specs that files/version_files.py knows how to write."""
    hint = TOP_LEVEL_KEYS["version_files"]
    specs = _strings(mapping.get("version_files", []), f"version_files in {source}", hint)
    if not specs:
        return ()
    from versionbot.core.version_files import parse_version_file_spec  # tomlkit: only when needed

    for spec in specs:
        check_one_line(spec, f"version_files in {source}", hint)
        try:
            parse_version_file_spec(spec)
        except ValueError as exc:
            raise ConfigError(f"version_files in {source}: {spec!r}: {exc}", hint) from None
    return specs


def parse_tag_format(mapping: Mapping[str, Any], source: str, default: TagFormat) -> TagFormat:
    """``tag_format`` (``default`` when it is not set), with its ``legacy_tag_formats``."""
    fmt = checked_tag_format(mapping["tag_format"], source) if "tag_format" in mapping else default
    listed = mapping.get("legacy_tag_formats", [])
    hint = TOP_LEVEL_KEYS["legacy_tag_formats"]
    if not isinstance(listed, list):
        raise ConfigError(f"legacy_tag_formats in {source} must be a list of strings", hint)
    legacy = [checked_tag_format(p, source, "legacy_tag_formats").pattern for p in listed]
    return TagFormat(fmt.pattern, tuple(dict.fromkeys(legacy)))


# Versions whose tags a format must be able to make: a final release and the longest shapes.
_SAMPLE_VERSIONS = (Version(1, 2, 3), Version(1, 2, 3, ("rc", "1"), ("build", "5")))
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]*\}")


def checked_tag_format(value: object, source: str, key: str = "tag_format") -> TagFormat:
    """``value`` as a tag format: ``{version}`` once, no other placeholder, and the tags it
    makes are tags git makes (core/ref_names.py) and reads back as the same version."""
    hint = f'write e.g. {key} = "v{{version}}": letters, digits, ".", "-", "_" and "/"'
    if not isinstance(value, str):
        raise ConfigError(f"{key} in {source} must be a string: {value!r}", hint)
    try:
        fmt = TagFormat(value)
    except ValueError as exc:
        raise ConfigError(f"{key} in {source} {exc}: {value!r}", hint) from None
    other = next((p for p in _PLACEHOLDER.findall(value) if p != "{version}"), None)
    if other is not None:
        raise ConfigError(
            f"{key} in {source} holds {other}, which tag formats do not know: {value!r}",
            "{version} is its one placeholder; " + hint,
        )
    for version in _SAMPLE_VERSIONS:
        tag = fmt.format(version)
        problem = tag_name_problem(tag)
        if problem is not None:
            raise ConfigError(f"{key} in {source} makes tags git refuses: {tag!r} {problem}", hint)
    return fmt


def parse_initial_version(mapping: Mapping[str, Any], source: str) -> Version | None:
    """``initial_version``: a final version above 0.0.0, or None when it is not set."""
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
            f"not {_cut(value)}",
            'write e.g. initial_version = "0.1.0"',
        )
    return version


def _cut(value: object) -> str:
    """A value quoted in an error, at most 40 characters of it: one line, whatever its size."""
    return shortened(repr(value), 42)


def parse_bump_rules(table: object, source: str) -> BumpRules:
    """``[bump]``: bump.py's default rules with the table's on top. A key is a type, a
    ``"type(scope)"`` or ``*`` (every other type); a value major, minor, patch or none."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"bump in {source} must be a table", TOP_LEVEL_KEYS["bump"])
    by_type: dict[str, Bump] = dict(DEFAULT_TYPE_RULES)
    scoped: dict[tuple[str, str], Bump] = {}
    default = Bump.NONE
    for key, value in table.items():
        if not isinstance(key, str):
            raise ConfigError(
                f"bump in {source} has a key that is not a string: {key!r}", TOP_LEVEL_KEYS["bump"]
            )
        check_one_line(key, f"bump in {source}", TOP_LEVEL_KEYS["bump"])
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


def _rule_key(key: str, where: str) -> tuple[str, str | None]:
    kind, paren, rest = key.partition("(")
    valid_kind = is_commit_type(kind)
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


def parse_changelog(table: object, source: str) -> ChangelogConfig:
    """``[changelog]``; unset keys keep their defaults."""
    table = _table(table, "changelog", _CHANGELOG_KEYS, source)
    defaults = ChangelogConfig()
    for key in ("file", "templates"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(
                f"changelog.{key} in {source} must be a non-empty string", _CHANGELOG_KEYS[key]
            )
        if key in table:
            check_one_line(table[key], f"changelog.{key} in {source}", _CHANGELOG_KEYS[key])
    forge = parse_choice(
        table.get("forge", defaults.forge),
        CHANGELOG_FORGES,
        "changelog.forge",
        source,
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
    for kind, title in sections.items():
        where = f"changelog.sections.{_quote_key(kind)} in {source}"
        check_one_line(title, where, _CHANGELOG_KEYS["sections"])
    return ChangelogConfig(
        file=table.get("file", defaults.file),
        sections=tuple((k.lower(), v) for k, v in sections.items()),
        templates=table.get("templates", defaults.templates),
        forge=forge,
    )


def parse_check(
    table: object, source: str, bump_rules: BumpRules, changelog: ChangelogConfig
) -> CheckRules:
    """``[check]``. Without ``types``, the allowed types are the Conventional Commits set plus
    every type that ``[bump]`` or ``[changelog.sections]`` names: those are meant to be used."""
    table = _table(table, "check", _CHECK_KEYS, source)
    named = [k for k, _ in bump_rules.by_type] + [t for (t, _), _ in bump_rules.scoped]
    named += [k for k, _ in changelog.sections]
    default_types = tuple(dict.fromkeys([*DEFAULT_TYPES, *(t.lower() for t in named)]))
    types = _check_names(table, "types", default_types, source)
    for kind in types:
        if not is_commit_type(kind):
            raise ConfigError(
                f"check.types in {source}: {kind!r} is not a commit type",
                "a type is a letter, then letters, digits, '-' or '_', e.g. \"feat\"",
            )
    if not types:
        raise ConfigError(f"check.types in {source} is empty", _CHECK_KEYS["types"])
    scopes = _check_names(table, "scopes", (), source)
    if any(c in scope or control_in(scope) for scope in scopes for c in "()"):
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
        subject_period=parse_flag(table, "subject_period", False, where),
        allow_fixup=parse_flag(table, "allow_fixup", False, where),
    )


def _check_names(
    table: Mapping[str, Any], key: str, default: tuple[str, ...], source: str
) -> tuple[str, ...]:
    value = _strings(table.get(key, list(default)), f"check.{key} in {source}", _CHECK_KEYS[key])
    return tuple(v.strip() for v in value)


def parse_images(table: object, source: str) -> ImagesConfig:
    """``[images]`` (or a package's ``images``); ``names`` is required. Tag templates are
    checked with image_tags.py's rules, so that one the release would refuse is refused here."""
    table = _table(table, "images", _IMAGES_KEYS, source)

    def strings(key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        where = f"images.{key} in {source}"
        values = _strings(table.get(key, list(default)), where, _IMAGES_KEYS[key], blank=True)
        return tuple(check_one_line(v, where, _IMAGES_KEYS[key]) for v in values)

    def text(key: str) -> str | None:
        value = table.get(key)
        where = f"images.{key} in {source}"
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{where} must be a non-empty string", _IMAGES_KEYS[key])
        return None if value is None else check_one_line(value, where, _IMAGES_KEYS[key])

    def pairs(key: str) -> tuple[tuple[str, str], ...]:
        value = table.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ConfigError(
                f"images.{key} in {source} must be a table of strings", _IMAGES_KEYS[key]
            )
        for item in (text for pair in value.items() for text in pair):
            check_one_line(item, f"images.{key} in {source}", _IMAGES_KEYS[key])
        return tuple(value.items())

    names = strings("names")
    if not names:
        raise ConfigError(f"images.names in {source} is empty", _IMAGES_KEYS["names"])
    templates = strings("tags", ImageRules().templates)
    _check_images(names, templates, text("source"), pairs("channel_tags"), source)
    hint = _IMAGES_KEYS["builder"]
    builder = parse_choice(text("builder") or "buildx", BUILDERS, "images.builder", source, hint)
    where = f"{source} [images]"
    rules = ImageRules(
        templates=templates,
        major_zero=parse_flag(table, "major_zero", False, where),
        sha_tag=parse_flag(table, "sha_tag", False, where),
        v_prefix=parse_flag(table, "v_prefix", False, where),
        channel_tags=pairs("channel_tags"),
    )
    return ImagesConfig(
        names=names,
        source=text("source"),
        platforms=strings("platforms", ImagesConfig(()).platforms),
        rules=rules,
        builder=builder,
        context=text("context") or ".",
        dockerfile=text("dockerfile") or "Dockerfile",
        insecure=strings("insecure"),
        ca_file=text("ca_file"),
        labels=pairs("labels"),
        sign=_signing(text("sign"), source),
    )


def _signing(value: str | None, source: str) -> Signing | None:
    """``images.sign``: ``"keyless"`` or ``"key:REF"``."""
    if value is None:
        return None
    if value == "keyless":
        return Signing()
    kind, colon, key = value.partition(":")
    if kind == "key" and colon and key.strip() and not key.startswith("-"):
        return Signing(key=key)
    where = f"images.sign in {source}"
    raise ConfigError(f"{where} is {shortened(repr(value), 42)}", _IMAGES_KEYS["sign"])


def _check_images(
    names: tuple[str, ...],
    templates: tuple[str, ...],
    image_source: str | None,
    channel_tags: tuple[tuple[str, str], ...],
    source: str,
) -> None:
    """What the image stage would refuse after the release is tagged and pushed, refused now:
    names and the source by the reference grammar, tags by the OCI tag grammar."""
    # Imported here: its dataclasses cost ~1.7 ms of start-up that a config without [images]
    # need not pay.
    from versionbot.core.image_tags import (
        InvalidImageTag,
        image_name_problem,
        source_problem,
        validate_channel_tag,
        validate_template,
    )

    for name in names:
        problem = image_name_problem(name)
        if problem is not None:
            raise ConfigError(
                f"images.names in {source}: {name!r} is not an image name: {problem}",
                'write a repository in lower case, without a tag, e.g. "ghcr.io/acme/app"',
            )
    if image_source is not None:
        problem = source_problem(image_source)
        if problem is not None:
            raise ConfigError(
                f"images.source in {source}: {image_source!r} is not an image reference: {problem}",
                _IMAGES_KEYS["source"],
            )
    checks: list[tuple[str, str, Callable[[str], None]]]
    checks = [("tags", t, validate_template) for t in templates]
    checks += [(f"channel_tags.{token}", tag, validate_channel_tag) for token, tag in channel_tags]
    for key, value, check in checks:
        try:
            check(value)
        except InvalidImageTag as exc:
            hint = _IMAGES_KEYS[key.partition(".")[0]]
            raise ConfigError(f"images.{key} in {source}: {exc}", hint) from None
