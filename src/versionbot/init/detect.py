"""``bot init``'s detection: propose a configuration from what a repository already holds.

Pure: no I/O. ``detect`` takes file texts (path → text, as the edge repository.py read them)
and tag names, finds the peers' tables (psr.py, commitizen.py) and returns a Proposal;
``describe`` words it for the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath

from versionbot.core.errors import VersionbotError
from versionbot.core.version import InvalidVersion, Version
from versionbot.core.version_files import (
    locate_versions,
    parse_version_file_spec,
)
from versionbot.init import release_please
from versionbot.init.changelog_marker import changelog_advice, default_changelog
from versionbot.init.commitizen import find_commitizen
from versionbot.init.proposal import (
    Migration,
    Note,
    Proposal,
    Setting,
    TomlTable,
    writable_version_files,
)
from versionbot.init.psr import find_psr
from versionbot.init.toml_render import toml_value

# The files the edge reads for detect(): config files of ours and the peers', version files.
CONFIG_FILES = (
    "pyproject.toml", "versionbot.toml", "setup.cfg", "releaserc.toml", "releaserc.json",
    ".cz.toml", "cz.toml", ".cz.json", "cz.json", ".cz.yaml", "cz.yaml",
    release_please.CONFIG_FILE, release_please.MANIFEST_FILE,
)  # fmt: skip
STANDARD_VERSION_FILES = ("pyproject.toml", "package.json", "Cargo.toml")
# `__version__` candidates: one or two folders deep, never inside these (bounded search).
PYTHON_VERSION_FILES = ("src/*/__init__.py", "src/*/_version.py", "*/__init__.py", "*/_version.py")
SKIPPED_FOLDERS = frozenset(
    {"node_modules", "venv", "env", "build", "dist", "site-packages", "tests", "test", "docs"}
)


def detect(files: Mapping[str, str], tags: Sequence[str]) -> Proposal:
    """Propose a config from the repository's files (path → text) and its tag names."""
    migrations = _migrations(files, tags)
    detected: list[str] = []
    notes: list[Note] = [n for m in migrations for n in m.notes]
    if not any(m.tool == "commitizen" for m in migrations):
        notes += [
            Note("commitizen", name, "YAML is not read: translate it by hand (docs/init.md)")
            for name in (".cz.yaml", "cz.yaml")
            if name in files
        ]
    packages = [s for m in migrations for s in m.settings if s.key[0] == "packages"]
    fmt = None if packages else _tag_format(tags, migrations, detected, notes)
    settings = [*([fmt] if fmt else []), *_merge(migrations, notes)]
    detected += [_package_line(s) for s in packages]
    found = _version_files(files, detected)
    chosen: list[str] = []
    suggestions: list[str] = []
    if packages or package_prefixes(tags):
        # A monorepo's root files (a workspace's package.json) hold no package's version.
        detected += [f"{spec}: the root's file, not a package's" for spec, _ in found]
    else:
        # A migrated tool decides which files follow the version, as it did before the switch.
        chosen, suggestions = _choose_version_files(found, migrations)
        chosen = writable_version_files(chosen, files, notes)
    if chosen:
        origin = ", ".join(m.tool for m in migrations) or "detected"
        comment = (
            f"from {origin}" if migrations else "found in the repository: each holds the version"
        )
        settings.append(Setting(("version_files",), tuple(chosen), comment, origin))
    changelog = next(
        (str(s.value) for s in settings if s.key == ("changelog", "file")),
        default_changelog(files),
    )
    advice = changelog_advice(changelog, files.get(changelog))
    if not any(s.key[0] == "changelog" for s in settings):
        settings.append(
            Setting(("changelog", "file"), changelog, "where releases are written", "default")
        )
    detected.append(advice[0])
    if fmt is not None:
        _check_versions(files, chosen, tags, fmt, notes)
    return Proposal(
        settings=_ordered(settings),
        detected=tuple(detected),
        migrated_from=tuple(migrations),
        not_migrated=tuple(notes),
        advice=advice[1:],
        changelog_file=changelog,
        suggestions=tuple(suggestions),
    )


def _package_line(setting: Setting) -> str:
    """``package api at services/api, tags api-v{version}``."""
    table = setting.value.plain() if isinstance(setting.value, TomlTable) else {}
    return f"package {setting.key[1]} at {table.get('path')}, tags {table.get('tag_format')}"


def _migrations(files: Mapping[str, str], tags: Sequence[str]) -> list[Migration]:
    """The peers' configurations found in ``files``, translated."""
    found = (
        find_psr(files),
        find_commitizen(files),
        release_please.find_release_please(files, tags),
    )
    return [m for m in found if m is not None]


def detect_tag_format(tags: Iterable[str]) -> tuple[str | None, int, int]:
    """The ``tag_format`` most SemVer tags follow: ``(format, tags following it, SemVer tags)``.

    A tag's prefix is what comes before the first digit from which the rest parses as SemVer:
    ``v1.2.3`` → ``v{version}``, ``1.2.3`` → ``{version}``, ``pkg-v1.2.3`` → ``pkg-v{version}``.
    Ties prefer ``v``, then no prefix.

    >>> detect_tag_format(["v1.0.0", "v1.1.0", "1.0.0", "latest"])
    ('v{version}', 2, 3)
    """
    prefixes: Counter[str] = Counter()
    for name in tags:
        prefix = _semver_prefix(name)
        if prefix is not None:
            prefixes[prefix] += 1
    if not prefixes:
        return None, 0, 0
    best = max(prefixes, key=lambda p: (prefixes[p], p == "v", p == ""))
    return f"{best}{{version}}", prefixes[best], sum(prefixes.values())


# A package's tag prefix: its name, then a separator and maybe a `v` (`api-v`, `web@`, `cli/v`).
_PACKAGE_PREFIX = re.compile(r"[A-Za-z][\w.-]*?(?:-v|@v?|/v?|_v)")


def _semver_prefix(name: str) -> str | None:
    for index, char in enumerate(name):
        if char.isdigit() and (index == 0 or not name[index - 1].isdigit()):
            try:
                Version.parse(name[index:])
            except InvalidVersion:
                continue
            prefix = name[:index]
            return prefix if "{" not in prefix and "}" not in prefix else None
    return None


def package_prefixes(tags: Iterable[str]) -> list[str]:
    """The tag prefixes that name packages (``api-v``, ``web@``, ``tools/v``): two or more of
    them say the tags are a monorepo's, whose packages each have their own tag format.

    >>> package_prefixes(["api-v1.0.0", "web-v0.2.0", "api-v1.1.0", "v3.0.0"])
    ['api-v', 'web-v']
    """
    named = {p for p in map(_semver_prefix, tags) if p and _PACKAGE_PREFIX.fullmatch(p)}
    return sorted(named) if len(named) > 1 else []


def _tag_format(
    tags: Sequence[str], migrations: Sequence[Migration], detected: list[str], notes: list[Note]
) -> Setting:
    packages = package_prefixes(tags)
    if packages:
        # One package's tags are not the repository's: its releases would start over.
        shown = ", ".join(f"{p}{{version}}" for p in packages[:5])
        more = f" and {len(packages) - 5} more" if len(packages) > 5 else ""
        detected.append(f"the tags name {len(packages)} packages ({shown}{more}): a monorepo")
        why = (
            "bot init does not write [packages] yet: add a [packages.NAME] table per package "
            "with its path and tag_format (docs/monorepos.md)"
        )
        notes.append(Note("bot init", "packages", why))
        tags = [t for t in tags if _semver_prefix(t) not in packages]
    found, following, semver = detect_tag_format(tags)
    configured = next((s for m in migrations for s in m.settings if s.key == ("tag_format",)), None)
    if found is not None:
        others = f"; other SemVer tags: {semver - following}" if semver > following else ""
        detected.append(f"tag format {found} ({following} of {len(tags)} tags{others})")
        if configured is not None and configured.value == found:
            detected[-1] += f"; {configured.origin}'s tag_format agrees"
        elif configured is not None:
            why = (
                f"{configured.value!r} was configured, but the tags follow {found!r}: the tags win"
            )
            notes.append(Note(configured.origin, "tag_format", why))
        return Setting(
            ("tag_format",), found, f"detected: {following} release tags follow it", "detected"
        )
    if configured is not None:
        detected.append("no release tags yet")
        return configured
    if packages:
        detected.append("no tags of the repository as a whole: the default tag format v{version}")
    else:
        detected.append("no release tags yet: the default tag format v{version}")
    return Setting(
        ("tag_format",), "v{version}", "no release tags yet: versionbot's default", "default"
    )


def _version_files(files: Mapping[str, str], detected: list[str]) -> list[tuple[str, str]]:
    """``(spec, version)`` of every file that holds a version versionbot can write."""
    found: list[tuple[str, str]] = []
    candidates = [name for name in STANDARD_VERSION_FILES if name in files]
    candidates += sorted(n for n in files if is_python_version_candidate(n))
    for path in candidates:
        spec_text = path if path in STANDARD_VERSION_FILES else f"{path}:__version__"
        spec = parse_version_file_spec(spec_text)
        try:
            sites = locate_versions(spec, files[path])
        except VersionbotError as exc:
            if path in STANDARD_VERSION_FILES:
                detected.append(f"{path}: no version to write ({exc.message})")
            continue
        where = ", ".join(f"{site.key} = {site.value}" for site in sites)
        if _placeholder(sites[0].value):
            # 0.0.0 (or semantic-release's 0.0.0-development) says the version lives elsewhere.
            detected.append(f"{spec_text} holds {sites[0].value}, a placeholder: not proposed")
            continue
        found.append((spec_text, sites[0].value))
        detected.append(f"version file {spec_text} ({where})")
    return found


def _placeholder(value: str) -> bool:
    """A version that stands for none: 0.0.0, with or without a prerelease or build."""
    try:
        return Version.parse(value).core == Version(0, 0, 0)
    except InvalidVersion:
        return False


def is_python_version_candidate(path: str) -> bool:
    """A path matching PYTHON_VERSION_FILES outside the skipped and hidden folders."""
    pure = PurePosixPath(path)
    if any(part in SKIPPED_FOLDERS or part.startswith((".", "_")) for part in pure.parts[:-1]):
        return False
    return any(
        pure.match(pattern) and len(pure.parts) == pattern.count("/") + 1
        for pattern in PYTHON_VERSION_FILES
    )


def _choose_version_files(
    found: list[tuple[str, str]], migrations: Sequence[Migration]
) -> tuple[list[str], list[str]]:
    """The peers' version files when a peer is migrated, else every file found.

    A file found that no peer updated becomes a suggestion, not a setting: writing it from now on
    would be a change of behaviour that switching tools should not bring in silently.
    """
    if not migrations:
        return [spec for spec, _ in found], []
    chosen: list[str] = []
    for setting in (s for m in migrations for s in m.settings):
        if setting.key == ("version_files",) and isinstance(setting.value, tuple):
            chosen += [str(s) for s in setting.value if str(s) not in chosen]
    paths = {spec.split(":", 1)[0] for spec in chosen}
    suggestions = [spec for spec, _ in found if spec.split(":", 1)[0] not in paths]
    return chosen, suggestions


def peer_version_files(files: Mapping[str, str]) -> list[str]:
    """The paths of the version files the peers' configs in ``files`` name: the edge reads them
    before ``detect``, which checks that each holds a version versionbot can write."""
    chosen, _ = _choose_version_files([], _migrations(files, ()))
    paths = [parse_version_file_spec(spec).path for spec in chosen]
    return [*paths, *(p for p in release_please.files_to_read(files) if p not in paths)]


def _merge(migrations: Sequence[Migration], notes: list[Note]) -> list[Setting]:
    """The peers' settings, each key once: the first peer wins; a disagreement is a note."""
    merged: dict[tuple[str, ...], Setting] = {}
    for migration in migrations:
        for setting in migration.settings:
            if setting.key in (("tag_format",), ("version_files",)):
                continue
            first = merged.setdefault(setting.key, setting)
            if first is not setting and first.value != setting.value:
                why = f"{first.origin}'s value {toml_value(first.value)} is kept"
                notes.append(Note(setting.origin, setting.dotted, why))
    return list(merged.values())


def _check_versions(
    files: Mapping[str, str],
    chosen: Sequence[str],
    tags: Sequence[str],
    fmt: Setting,
    notes: list[Note],
) -> None:
    """Say when the version files disagree with each other or with the latest release tag."""
    versions: dict[str, str] = {}
    for spec_text in chosen:
        spec = parse_version_file_spec(spec_text)
        if spec.path in files:
            try:
                versions[spec_text] = locate_versions(spec, files[spec.path])[0].value
            except VersionbotError:
                notes.append(Note("bot init", spec_text, "holds no version versionbot can write"))
    if len(set(versions.values())) > 1:
        listed = ", ".join(f"{k} {v}" for k, v in versions.items())
        why = f"the files disagree ({listed}): make them equal before the first bot release"
        notes.append(Note("bot init", "version_files", why))
    prefix, _, suffix = str(fmt.value).partition("{version}")
    released = []
    for name in tags:
        if name.startswith(prefix) and name.endswith(suffix):
            try:
                released.append(Version.parse(name[len(prefix) : len(name) - len(suffix)]))
            except InvalidVersion:
                continue
    latest = max(released, key=lambda v: v.precedence, default=None)
    if latest is not None and versions and str(latest) not in versions.values():
        why = f"the latest release tag is {latest} but the files hold another version"
        notes.append(Note("bot init", "version_files", f"{why}; the next release overwrites them"))


# The order of the keys written; tables of their own (branches) after every top-level key.
_ORDER = (
    "tag_format", "initial_version", "major_on_zero", "minor_on_zero", "squash_commits",
    "body_changes", "ignore_merge_commits", "version_files", "commit_message", "committer",
    "sign_tags", "remote", "mode",
    "branches", "bump", "changelog", "packages",
)  # fmt: skip


def _ordered(settings: Iterable[Setting]) -> tuple[Setting, ...]:
    rank = {key: i for i, key in enumerate(_ORDER)}
    return tuple(sorted(settings, key=lambda s: (rank.get(s.key[0], len(rank)), len(s.key) > 2)))


def describe(proposal: Proposal) -> list[str]:
    """The report's lines: what was found, migrated from where, not migrated, and advice."""
    lines = ["Detected:", *(f"  {line}" for line in proposal.detected)]
    for migration in proposal.migrated_from:
        lines.append(f"Migrated from {migration.tool} ({migration.where}):")
        for setting in proposal.settings:
            if setting.origin == migration.tool:
                source = f"  <- {setting.source_key}" if setting.source_key else ""
                lines.append(f"  {setting.dotted} = {toml_value(setting.value)}{source}")
    if proposal.suggestions:
        lines.append(
            "Also holding a version, not in version_files (add them to keep them in step):"
        )
        lines += [f"  {spec}" for spec in proposal.suggestions]
    if proposal.not_migrated:
        lines.append("Not migrated:")
        lines += [f"  {note}" for note in proposal.not_migrated]
    lines += [f"Hint: {advice}" for advice in proposal.advice]
    return lines
