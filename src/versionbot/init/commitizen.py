"""Migration from commitizen: its table found and translated into versionbot's.

Pure: no I/O. Reads commitizen 4.x keys (``commitizen/defaults.py``). Its defaults differ from
ours where it matters: tags are ``1.2.3`` (``$version``), a breaking change on 0.x goes to 1.0.0
unless major_version_zero, and ``refactor`` bumps the patch; those are written out, so that a
migrated project keeps releasing the versions it released before. The key mapping is tabled in
docs/init.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from versionbot.core.history import TagFormat
from versionbot.init.proposal import (
    Migration,
    Translation,
    bump_differences,
    checked_spec,
    peer_document,
    relative_path,
)

CZ = "commitizen"

_CZ_DROPPED = {
    "version": "versionbot reads the current version from the release tags, not from the config",
    "version_scheme": "versionbot versions are SemVer 2.0.0 (prereleases 1.0.0-rc.1, "
    "not PEP 440's 1.0.0rc1)",
    "version_type": "versionbot versions are SemVer 2.0.0",
    "ignored_tag_formats": "tags that do not match tag_format are ignored already",
    "changelog_incremental": "versionbot always adds only the missing releases "
    "(bot changelog --full rewrites)",
    "changelog_start_rev": "versionbot's changelog covers every release tag",
    "changelog_merge_prerelease": "a final release's notes already hold its prereleases' commits",
    "changelog_format": "versionbot writes reStructuredText to a changelog.file ending in .rst, "
    "Markdown to any other",
    "template": "versionbot's templates have their own context: see docs/templates.md",
    "extras": "versionbot's templates have their own context: see docs/templates.md",
    "pre_bump_hooks": "versionbot runs no hooks: run the commands in CI before bot release",
    "post_bump_hooks": "versionbot runs no hooks: run the commands in CI after bot release",
    "prerelease_offset": "versionbot numbers prereleases from 1 (1.0.0-rc.1)",
    "annotated_tag": "versionbot's tags are always annotated",
    "always_signoff": "versionbot adds no Signed-off-by line",
    "retry_after_failure": "bot release resumes a failed run by itself",
    "bump_map_major_version_zero": "on 0.x versionbot bumps the minor for a breaking change "
    "(major_on_zero = false) or releases 1.0.0 (true)",
}
# `cz commit` / `cz check` settings: nothing to migrate, and still good while cz is kept.
_CZ_COMMIT_TOOLING = (
    "allow_abort", "allowed_prefixes", "use_shortcuts", "style", "encoding",
    "message_length_limit", "body_length_limit", "breaking_change_exclamation_in_title",
)  # fmt: skip
_CZ_BUMP_MAP = {"feat": "minor", "fix": "patch", "refactor": "patch", "perf": "patch"}
_CZ_PROVIDERS = {
    "pep621": ("pyproject.toml", ""),
    "poetry": ("pyproject.toml", ""),
    "uv": ("pyproject.toml", "uv.lock is not updated: run `uv lock` in CI after bot release"),
    "cargo": ("Cargo.toml", "Cargo.lock is not updated: run `cargo update -w` after bot release"),
    "npm": (
        "package.json",
        "package-lock.json is not updated: run `npm install --package-lock-only` after bot release",
    ),
    "composer": ("composer.json:version", 'composer.json\'s first "version" line is the one read'),
}
# commitizen's default change_type_map and change_type_order, in versionbot's words (and its
# Reverts, which commitizen has no section for).
_CZ_SECTIONS = (
    ("feat", "Features"),
    ("fix", "Bug fixes"),
    ("refactor", "Refactoring"),
    ("perf", "Performance"),
    ("revert", "Reverts"),
)
_PLACEHOLDER = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def find_commitizen(files: Mapping[str, str]) -> Migration | None:
    """commitizen's table in ``files`` (path → text), translated: the first of .cz.toml, cz.toml,
    .cz.json, cz.json and pyproject.toml that has one (``[tool.commitizen]`` / ``"commitizen"``),
    as commitizen reads them."""
    for name in (".cz.toml", "cz.toml", ".cz.json", "cz.json", "pyproject.toml"):
        document = peer_document(name, files.get(name))
        if document is None:
            continue
        table = document.get("commitizen") if name.endswith(".json") else None
        if table is None:
            table = document.get("tool", {}).get("commitizen")
        if isinstance(table, Mapping):
            where = f"{name} [tool.commitizen]" if name.endswith(".toml") else name
            return translate_commitizen(table, where)
    return None


def translate_commitizen(table: Mapping[str, Any], where: str) -> Migration:
    """Translate a commitizen table (4.x keys) into versionbot settings and notes."""
    out = Translation(CZ)
    _cz_tag_format(table, out)
    _cz_legacy_tag_formats(table, out)
    major_zero = table.get("major_version_zero", False)
    if isinstance(major_zero, bool):
        meaning = "bumps the minor" if major_zero else "releases 1.0.0"
        source = "major_version_zero" + ("" if "major_version_zero" in table else " (its default)")
        out.set(
            "major_on_zero",
            not major_zero,
            f"commitizen {source}: a breaking change on 0.x {meaning}",
            source,
        )
    _cz_version_files(table, out)
    _cz_bump_message(table, out)
    _cz_rules(table, out)
    if isinstance(table.get("changelog_file"), str) and table["changelog_file"].strip():
        out.set(
            "changelog.file",
            relative_path(table["changelog_file"]),
            "commitizen changelog_file",
            "changelog_file",
        )
    if table.get("gpg_sign") is True:
        out.set("sign_tags", True, "commitizen gpg_sign", "gpg_sign")
    if table.get("update_changelog_on_bump") is not True:
        out.skip(
            "update_changelog_on_bump",
            "false (commitizen's default), but bot release always writes the changelog",
        )
    handled = (
        "tag_format", "legacy_tag_formats", "major_version_zero", "version_files",
        "version_provider", "bump_message", "name", "customize", "change_type_map",
        "change_type_order", "changelog_file", "gpg_sign", "update_changelog_on_bump",
    )  # fmt: skip
    for key in table:
        if key in _CZ_COMMIT_TOOLING:
            out.skip(key, "a setting of `cz commit` / `cz check`, which you may keep using")
        elif key not in handled:
            out.skip(key, _CZ_DROPPED.get(key, "versionbot has no such setting"))
    return Migration(CZ, where, tuple(out.settings), tuple(out.notes))


def translate_placeholders(template: str) -> tuple[str, list[str]]:
    """commitizen's ``$version``/``${new_version}`` → ``{version}``; other placeholders dropped.

    ``$current_version`` and the arrow or "to" after it are dropped (versionbot names only the
    new version). Returns the text and the names dropped.
    """
    text = re.sub(r"v?\$\{?current_version\}?\s*(?:→|->|to)\s*", "", template)
    dropped: list[str] = ["current_version"] if text != template else []

    def replace(match: re.Match[str]) -> str:
        name = match[1] or match[2]
        if name in ("version", "new_version"):
            return "{version}"
        dropped.append(name)
        return ""

    return _PLACEHOLDER.sub(replace, text), dropped


def _cz_tag_format(table: Mapping[str, Any], out: Translation) -> None:
    value = table.get("tag_format", "$version")
    source = "tag_format" if "tag_format" in table else "tag_format (its default)"
    text = _tag_format_of(value)
    if text is None:
        out.skip("tag_format", f"{value!r}: only $version maps to a versionbot tag_format")
        return
    out.set("tag_format", text, f"commitizen {source} {value!r}", source)


def _tag_format_of(value: object) -> str | None:
    """A commitizen tag format as ours, or None when it holds a placeholder other than
    ``$version`` (``${major}.${minor}`` names no whole version) or no ``$version`` at all."""
    text, dropped = translate_placeholders(str(value))
    try:
        TagFormat(text)
    except ValueError:
        return None
    return None if dropped else text


def _cz_legacy_tag_formats(table: Mapping[str, Any], out: Translation) -> None:
    """commitizen's ``legacy_tag_formats`` (older tags that are releases) → ours."""
    listed = table.get("legacy_tag_formats")
    if not isinstance(listed, list) or not listed:
        return
    kept = []
    for value in listed:
        text = _tag_format_of(value)
        if text is None:
            out.skip("legacy_tag_formats", f"{value!r}: only $version maps to a tag format")
        else:
            kept.append(text)
    if kept:
        out.set(
            "legacy_tag_formats", tuple(kept), "commitizen legacy_tag_formats", "legacy_tag_formats"
        )


def _cz_version_files(table: Mapping[str, Any], out: Translation) -> None:
    specs: list[str] = []
    provider = table.get("version_provider") or "commitizen"
    if not isinstance(provider, str):
        out.skip("version_provider", f"{provider!r} is not a provider's name")
    elif provider in _CZ_PROVIDERS:
        provided, caveat = _CZ_PROVIDERS[provider]
        specs.append(provided)
        if caveat:
            out.skip(f"version_provider {provider!r}", caveat)
    elif provider == "commitizen":
        out.skip(
            "version_provider 'commitizen'",
            "the version lived in commitizen's config; versionbot takes it from the tags "
            "(tag the current release first if it has no tag)",
        )
    elif provider != "scm":
        out.skip(f"version_provider {provider!r}", "a provider plugin versionbot cannot run")
    entries = table.get("version_files", [])
    if not isinstance(entries, list):
        out.skip("version_files", "not a list of strings")
    for entry in entries if isinstance(entries, list) else []:
        spec, why = _cz_version_file(str(entry))
        if spec is None:
            out.skip(f"version_files {entry!r}", why)
        elif spec not in specs:
            specs.append(spec)
    if specs:
        out.set(
            "version_files",
            tuple(specs),
            f"commitizen version_provider {provider!r} and version_files",
            "version_files",
        )


def _cz_version_file(entry: str) -> tuple[str | None, str]:
    """commitizen's ``path[:regex]`` (every line matching regex gets the version replaced)."""
    path, _, regex = entry.partition(":")
    path = relative_path(path)
    if any(c in path for c in "*?["):
        return None, "a glob: list each file in version_files"
    base = path.rsplit("/", 1)[-1]
    bare = regex.strip().strip("^$").strip("\"'").strip()
    if base in ("pyproject.toml", "package.json", "Cargo.toml") and bare in ("", "version"):
        return checked_spec(path)
    if not regex:
        return None, (
            "commitizen replaced the version wherever it appears in the file; say where it is: "
            f'"{path}:NAME" or "{path}:regex:<pattern with (?P<version>...)>"'
        )
    name = re.sub(r"\\s\*?|\s|=.*$", "", bare)  # "__version__\s*=" → "__version__"
    if re.fullmatch(r"[A-Za-z_][\w.-]*", name):
        return checked_spec(f"{path}:{name}")
    return None, (
        f'{regex!r} is a line pattern; write it as "{path}:regex:<pattern with (?P<version>...)>"'
    )


def _cz_bump_message(table: Mapping[str, Any], out: Translation) -> None:
    value = table.get("bump_message")
    if not isinstance(value, str):
        return  # commitizen's default "bump: version A → B" is not carried: ours is used
    text, dropped = translate_placeholders(value)
    first = text.split("\n", 1)[0].strip()
    if first.count("{version}") != 1:
        out.skip("bump_message", f"{value!r} names no $new_version; versionbot's default is used")
        return
    extra = f" ({', '.join('$' + d for d in dropped)} dropped)" if dropped else ""
    out.set("commit_message", first, f"commitizen bump_message {value!r}{extra}", "bump_message")


def _cz_rules(table: Mapping[str, Any], out: Translation) -> None:
    name = table.get("name", "cz_conventional_commits")
    customize = table.get("customize", {})
    customize = customize if isinstance(customize, Mapping) else {}
    if name == "cz_conventional_commits":
        bump_differences(_CZ_BUMP_MAP, out, "commitizen cz_conventional_commits")
    elif name == "cz_customize":
        _cz_bump_map(customize, out)
        for key in customize:
            if key not in ("bump_map", "change_type_map", "change_type_order"):
                out.skip(
                    f"customize.{key}",
                    "a setting of `cz commit` / `cz check`, or a pattern "
                    "versionbot does not need: it reads Conventional Commits",
                )
    else:
        out.skip(
            "name",
            f"{name!r}: versionbot reads Conventional Commits only; commits in another style "
            "ask for no release",
        )
    type_map = customize.get("change_type_map", table.get("change_type_map"))
    order = customize.get("change_type_order", table.get("change_type_order", []))
    if isinstance(type_map, Mapping) and type_map:
        _cz_sections(type_map, order if isinstance(order, list) else [], out)
    elif name == "cz_conventional_commits":
        # commitizen's own changelog lists refactor commits (they bump the patch there too);
        # without them a refactor-only release would say "No user-facing changes."
        for kind, title in _CZ_SECTIONS:
            out.set(f"changelog.sections.{kind}", title, "as commitizen's changelog shows them", "")


def _cz_bump_map(customize: Mapping[str, Any], out: Translation) -> None:
    bump_map = customize.get("bump_map")
    if not isinstance(bump_map, Mapping):
        bump_differences(_CZ_BUMP_MAP, out, "commitizen cz_customize")
        return
    rules: dict[str, str] = {}
    for pattern, level in bump_map.items():
        label = str(level).lower()
        if re.fullmatch(r"\^?\.\+!\$?|\^?BREAKING[\\ -\[\]]*CHANGE", pattern):
            if label != "major":
                out.skip(
                    f"customize.bump_map {pattern!r}",
                    "a breaking change is always major (minor on 0.x with major_on_zero = false)",
                )
            continue
        kind = re.fullmatch(r"\^?\(?([A-Za-z][\w-]*)\)?", pattern)
        if kind is None or label not in ("major", "minor", "patch"):
            out.skip(f"customize.bump_map {pattern!r}", "only ^type patterns carry over")
            continue
        rules[kind[1].lower()] = label
    if "bump_pattern" in customize:
        out.skip("customize.bump_pattern", "versionbot reads the Conventional Commits header")
    bump_differences(rules, out, "commitizen customize.bump_map")


def _cz_sections(type_map: Mapping[str, Any], order: list[Any], out: Translation) -> None:
    titles = {str(k).lower(): str(v) for k, v in type_map.items() if str(v).strip()}
    wanted = [str(t) for t in order]
    ranked = sorted(
        titles,
        key=lambda k: next(
            (i for i, t in enumerate(wanted) if t == titles[k] or t.lower() == k), len(wanted)
        ),
    )
    for kind in ranked:
        if re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
            out.set(f"changelog.sections.{kind}", titles[kind], "commitizen change_type_map", "")
