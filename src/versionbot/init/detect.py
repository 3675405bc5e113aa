"""``bot init``: propose a configuration from what a repository already holds, and write it as TOML.

Pure: no I/O. ``detect`` takes file texts (path → text, as the edge repository_init.py read them)
and tag names, and returns a Proposal: ordered settings (key, value, comment), what was found,
what was migrated from python-semantic-release or commitizen (migrate.py), and what was not.
``render_toml`` writes the Proposal as commented TOML that ``config_from_mapping`` accepts;
``embed_in_pyproject`` puts it into pyproject.toml's text keeping every other byte;
``insert_marker`` adds the changelog's insertion marker.

Writing into pyproject.toml is textual, not tomlkit: the new ``[tool.versionbot]`` tables are
appended at the end (or, with --force, put where the old ones were, which are cut out line by
line). tomlkit keeps bytes too, but it places a new table after the last ``[tool.*]`` table and
re-renders what it touches; a textual append is obviously byte-preserving. Every result is
checked: the file must parse, its ``tool.versionbot`` must be the new table and everything else
must equal what it was; otherwise we refuse rather than write.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from versionbot.core.changelog import INSERT_MARKER, versions_in
from versionbot.core.errors import UsageError, VersionbotError
from versionbot.core.version import InvalidVersion, Version
from versionbot.core.version_files import locate_versions, parse_version_file_spec
from versionbot.init.migrate import Migration, Note, Setting, TomlTable, TomlValue, peer_configs

# The files the edge reads for detect(): config files of ours and the peers', version files.
CONFIG_FILES = (
    "pyproject.toml",
    "versionbot.toml",
    "setup.cfg",
    "releaserc.toml",
    "releaserc.json",
    ".cz.toml",
    "cz.toml",
    ".cz.json",
    "cz.json",
    ".cz.yaml",
    "cz.yaml",
)
STANDARD_VERSION_FILES = ("pyproject.toml", "package.json", "Cargo.toml")
# `__version__` candidates: one or two folders deep, never inside these (bounded search).
PYTHON_VERSION_FILES = ("src/*/__init__.py", "src/*/_version.py", "*/__init__.py", "*/_version.py")
SKIPPED_FOLDERS = frozenset(
    {"node_modules", "venv", "env", "build", "dist", "site-packages", "tests", "test", "docs"}
)
DEFAULT_CHANGELOG = "CHANGELOG.md"


@dataclass(frozen=True, slots=True)
class Proposal:
    """What ``bot init`` would write, and the report of how it got there."""

    settings: tuple[Setting, ...]
    detected: tuple[str, ...]  # one line per finding
    migrated_from: tuple[Migration, ...]
    not_migrated: tuple[Note, ...]
    advice: tuple[str, ...]  # what to do by hand (the changelog marker, ...)
    changelog_file: str
    suggestions: tuple[str, ...] = ()  # version files found but not configured by a peer

    def mapping(self) -> dict[str, Any]:
        """The settings as the dict ``config_from_mapping`` takes."""
        table: dict[str, Any] = {}
        for setting in self.settings:
            node = table
            for part in setting.key[:-1]:
                node = node.setdefault(part, {})
            value = setting.value
            if isinstance(value, tuple) and value and isinstance(value[0], tuple):
                node[setting.key[-1]] = {str(k): str(v) for k, v in value}
            elif isinstance(value, tuple):
                node[setting.key[-1]] = list(value)
            else:
                node[setting.key[-1]] = value
        return table


# --- detection ---------------------------------------------------------------------------------


def detect(files: Mapping[str, str], tags: Sequence[str]) -> Proposal:
    """Propose a config from the repository's files (path → text) and its tag names."""
    migrations = peer_configs(files)
    detected: list[str] = []
    notes: list[Note] = [n for m in migrations for n in m.notes]
    if not any(m.tool == "commitizen" for m in migrations):
        notes += [
            Note("commitizen", name, "YAML is not read: translate it by hand (docs/init.md)")
            for name in (".cz.yaml", "cz.yaml")
            if name in files
        ]
    settings: list[Setting] = []
    settings.append(_tag_format(tags, migrations, detected, notes))
    found = _version_files(files, detected)
    # A migrated tool decides which files follow the version, as it did before the switch.
    declared = list(migrations)
    chosen, suggestions = _choose_version_files(found, migrations, declared)
    merged = _merge(migrations, notes)
    settings += [s for s in merged if s.key[0] in ("initial_version", "major_on_zero")]
    if chosen:
        origin = ", ".join(m.tool for m in declared) or "detected"
        comment = (
            f"from {origin}" if declared else "found in the repository: each holds the version"
        )
        settings.append(Setting(("version_files",), tuple(chosen), comment, origin))
    settings += [
        s
        for s in merged
        if s.key[0] not in ("tag_format", "initial_version", "major_on_zero", "version_files")
    ]
    changelog = next(
        (str(s.value) for s in settings if s.key == ("changelog", "file")), DEFAULT_CHANGELOG
    )
    advice = _changelog_advice(changelog, files.get(changelog))
    if not any(s.key[0] == "changelog" for s in settings):
        settings.append(
            Setting(("changelog", "file"), changelog, "where releases are written", "default")
        )
    detected.append(advice[0])
    _check_versions(files, chosen, tags, settings[0], notes)
    return Proposal(
        settings=_ordered(settings),
        detected=tuple(detected),
        migrated_from=tuple(migrations),
        not_migrated=tuple(notes),
        advice=advice[1:],
        changelog_file=changelog,
        suggestions=tuple(suggestions),
    )


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


def _tag_format(
    tags: Sequence[str], migrations: Sequence[Migration], detected: list[str], notes: list[Note]
) -> Setting:
    found, following, semver = detect_tag_format(tags)
    configured = next((s for m in migrations for s in m.settings if s.key == ("tag_format",)), None)
    if found is not None:
        others = f"; other SemVer tags: {semver - following}" if semver > following else ""
        detected.append(f"tag format {found} ({following} of {len(tags)} tags{others})")
        if configured is not None and configured.value == found:
            detected[-1] += f"; {configured.origin}'s tag_format agrees"
        elif configured is not None:
            notes.append(
                Note(
                    configured.origin,
                    "tag_format",
                    f"{configured.value!r} was "
                    f"configured, but the tags follow {found!r}: the tags win",
                )
            )
        return Setting(
            ("tag_format",), found, f"detected: {following} release tags follow it", "detected"
        )
    if configured is not None:
        detected.append("no release tags yet")
        return configured
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
        found.append((spec_text, sites[0].value))
        where = ", ".join(f"{site.key} = {site.value}" for site in sites)
        detected.append(f"version file {spec_text} ({where})")
    return found


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
    found: list[tuple[str, str]], migrations: Sequence[Migration], declared: Sequence[Migration]
) -> tuple[list[str], list[str]]:
    """The peers' version files when a peer is migrated, else every file found.

    A file found that no peer updated becomes a suggestion, not a setting: writing it from now on
    would be a change of behaviour that switching tools should not bring in silently.
    """
    from versionbot.init.migrate import version_files_of

    if not declared:
        return [spec for spec, _ in found], []
    chosen = version_files_of(migrations)
    paths = {spec.split(":", 1)[0] for spec in chosen}
    suggestions = [spec for spec, _ in found if spec.split(":", 1)[0] not in paths]
    return chosen, suggestions


def _merge(migrations: Sequence[Migration], notes: list[Note]) -> list[Setting]:
    """The peers' settings, each key once: the first peer wins; a disagreement is a note."""
    merged: dict[tuple[str, ...], Setting] = {}
    for migration in migrations:
        for setting in migration.settings:
            if setting.key in (("tag_format",), ("version_files",)):
                continue
            first = merged.setdefault(setting.key, setting)
            if first is not setting and first.value != setting.value:
                notes.append(
                    Note(
                        setting.origin,
                        setting.dotted,
                        f"{first.origin}'s value {_toml_value(first.value)} is kept",
                    )
                )
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
        notes.append(
            Note(
                "bot init",
                "version_files",
                f"the files disagree ({listed}): make them equal before the first bot release",
            )
        )
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
        notes.append(
            Note(
                "bot init",
                "version_files",
                f"the latest release tag is {latest} "
                "but the files hold another version; the next release overwrites "
                "them",
            )
        )


_ORDER = (
    "tag_format",
    "initial_version",
    "major_on_zero",
    "squash_commits",
    "ignore_merge_commits",
    "version_files",
    "commit_message",
    "committer",
    "sign_tags",
    "remote",
    "branches",  # tables of their own: after every top-level key
    "bump",
    "changelog",
)


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
                lines.append(f"  {setting.dotted} = {_toml_value(setting.value)}{source}")
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


# --- the changelog -----------------------------------------------------------------------------


def _changelog_advice(path: str, text: str | None) -> tuple[str, ...]:
    """A finding about the changelog, then advice (if any)."""
    if text is None:
        return (f"{path} does not exist: bot changelog (or the first bot release) creates it",)
    if any(line.strip() == INSERT_MARKER for line in text.splitlines()):
        return (f"{path} has the insertion marker",)
    heading = _newest_heading(text)
    if heading is not None:
        return (
            f"{path} has no insertion marker; new releases go above its newest release heading",
            f"to choose the place, add the line {INSERT_MARKER} to {path} "
            f"(bot init --changelog-marker puts it above {heading.strip()!r})",
        )
    return (
        f"{path} has no insertion marker and no release heading",
        f"add the line {INSERT_MARKER} to {path} where releases should go "
        "(bot init --changelog-marker puts it at the end); bot changelog refuses without it",
    )


def _newest_heading(text: str) -> str | None:
    present = versions_in(text)
    if not present:
        return None
    return next(line for line in text.splitlines() if _heading_version(line) in present)


def _heading_version(line: str) -> str | None:
    found = versions_in(line)
    return next(iter(found)) if found else None


def insert_marker(text: str) -> str:
    """``text`` with the insertion marker above its first release heading (or at its end).

    Unchanged when the marker is already there. Nothing else changes: the marker line and one
    blank line are inserted; line endings follow the file's.
    """
    if any(line.strip() == INSERT_MARKER for line in text.splitlines()):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    present = versions_in(text)
    index = (
        next((i for i, line in enumerate(lines) if _heading_version(line) in present), None)
        if present
        else None
    )
    if index is None:
        ending = "" if not text or text.endswith(("\n", "\r")) else newline
        spacer = newline if text.strip() and not text.endswith(newline * 2) else ""
        return f"{text}{ending}{spacer}{INSERT_MARKER}{newline}"
    return "".join([*lines[:index], INSERT_MARKER, newline, newline, *lines[index:]])


# --- TOML --------------------------------------------------------------------------------------


def render_toml(proposal: Proposal, *, embedded: bool, newline: str = "\n") -> str:
    """The proposal as commented TOML: ``[tool.versionbot]`` tables (``embedded``) for
    pyproject.toml, or top-level keys and ``[bump]``/``[changelog]`` tables for versionbot.toml.
    """
    prefix = "tool.versionbot" if embedded else ""
    lines = [f"{_TITLE} (see docs/init.md)."]
    sources = ", ".join(f"{m.tool} ({m.where})" for m in proposal.migrated_from)
    if sources:
        lines.append(f"# Migrated from {sources}.")
    if embedded:
        lines.append("[tool.versionbot]")
    table: tuple[str, ...] = ()
    for setting in proposal.settings:
        if isinstance(setting.value, TomlTable):  # a table of its own, e.g. [branches.next]
            table = setting.key
            header = ".".join(p for p in (prefix, *map(_toml_key, table)) if p)
            lines.append("")
            lines += [f"# {line}" for line in _comment_lines(setting.comment)]
            lines.append(f"[{header}]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in setting.value.items]
            continue
        parent = setting.key[:-1]
        if parent != table:
            table = parent
            header = ".".join(p for p in (prefix, *map(_toml_key, parent)) if p)
            lines += ["", f"[{header}]"]
        if setting.key == ("version_files",) and proposal.suggestions:
            lines.append(
                "# Also holding a version (add to keep it in step): "
                + ", ".join(proposal.suggestions)
            )
        lines += [f"# {line}" for line in _comment_lines(setting.comment)]
        lines.append(f"{_toml_key(setting.key[-1])} = {_toml_value(setting.value)}")
    if proposal.suggestions and not any(s.key == ("version_files",) for s in proposal.settings):
        lines.append("# Holding a version: " + ", ".join(proposal.suggestions))
        lines.append(
            "# version_files = [" + ", ".join(map(_toml_string, proposal.suggestions)) + "]"
        )
    return newline.join(lines) + newline


def _comment_lines(comment: str) -> list[str]:
    return [" ".join(line.split()) for line in comment.splitlines() if line.strip()]


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_value(value: TomlValue) -> str:
    if isinstance(value, TomlTable):
        pairs = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items)
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    if value and isinstance(value[0], tuple):
        pairs = ", ".join(f"{_toml_key(str(k))} = {_toml_string(str(v))}" for k, v in value)
        return "{ " + pairs + " }"
    return "[" + ", ".join(_toml_string(str(item)) for item in value) + "]"


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# --- pyproject.toml ----------------------------------------------------------------------------

_TITLE = "# versionbot's release settings, written by `bot init`"
_OWN_COMMENTS = (_TITLE, "# Migrated from ")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def existing_versionbot_table(pyproject: str) -> bool:
    """True when pyproject.toml's text already has a ``tool.versionbot`` table."""
    try:
        return "versionbot" in tomllib.loads(pyproject).get("tool", {})
    except tomllib.TOMLDecodeError:
        return False


def embed_in_pyproject(pyproject: str, section: str) -> str:
    """pyproject.toml's text with ``section`` (rendered ``embedded``) as its ``tool.versionbot``.

    An existing ``[tool.versionbot]`` (and its sub-tables) is cut out and the section goes where
    it was; otherwise the section is appended at the end after one blank line. Every other byte
    is kept, and the result is checked; UsageError when that cannot be done safely.
    """
    try:
        before = tomllib.loads(pyproject.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"pyproject.toml is not valid TOML: {exc}",
            "fix it, then run bot init again (or bot init --stdout to see the section)",
        ) from None
    newline = "\r\n" if "\r\n" in pyproject else "\n"
    lines = pyproject.splitlines(keepends=True)
    kept, at = _cut_versionbot_tables(lines)
    if at is None:
        body = "".join(kept)
        if body and not body.endswith(("\n", "\r")):
            body += newline
        spacer = newline if body.strip() and not body.endswith(newline * 2) else ""
        result = body + spacer + section
    else:
        ending = newline if at < len(kept) else ""
        result = "".join([*kept[:at], section, ending, *kept[at:]])
    _check_embedding(before, result, section)
    return result


def _cut_versionbot_tables(lines: list[str]) -> tuple[list[str], int | None]:
    """The lines without the ``[tool.versionbot...]`` tables, and where the first one was.

    A table runs from its header to the next header; comments and blank lines just above the
    next header belong to that one. Headers inside multi-line strings are not headers: the
    check in embed_in_pyproject catches that and any other surprise.
    """
    kept: list[str] = []
    at: int | None = None
    inside = False
    pending: list[str] = []
    for line in lines:
        header = _HEADER.match(line)
        if header is not None:
            name = header[1].replace(" ", "").replace('"', "")
            mine = name == "tool.versionbot" or name.startswith("tool.versionbot.")
            if inside and not mine:
                kept += pending
            pending = []
            if mine and at is None:
                while kept and kept[-1].startswith(_OWN_COMMENTS):
                    kept.pop()  # the header comments bot init wrote above the old section
                at = len(kept)
            inside = mine
            if mine:
                continue
        if inside:
            pending = [*pending, line] if not line.strip() or line.lstrip().startswith("#") else []
            continue
        kept.append(line)
    while at is not None and at < len(kept) and not kept[at].strip():
        del kept[at]  # blank lines the old section left behind
    return kept, at


def _check_embedding(before: Mapping[str, Any], result: str, section: str) -> None:
    try:
        after = tomllib.loads(result.removeprefix("\ufeff"))
        wanted = tomllib.loads(section)["tool"]["versionbot"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise UsageError(
            f"cannot add [tool.versionbot] to pyproject.toml without breaking it ({exc})",
            "run bot init --stdout and paste the section by hand",
        ) from None
    expected = {**before, "tool": {**before.get("tool", {}), "versionbot": wanted}}
    if after != expected:
        raise UsageError(
            "cannot replace [tool.versionbot] in pyproject.toml without touching other settings "
            "(it is not written as [tool.versionbot] tables)",
            "delete the old versionbot settings by hand, then run bot init again",
        )
