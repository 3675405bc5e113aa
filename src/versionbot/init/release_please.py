"""Migration from release-please: its manifest config translated into versionbot's.

Pure: no I/O. Reads ``release-please-config.json`` and ``.release-please-manifest.json`` as
release-please 16.x does (``src/manifest.ts``: a package's options are its own, else the top
level's). Its defaults differ from ours where it matters, and those are written out so that a
migrated project keeps releasing the versions it released: a breaking change on 0.x releases
1.0.0 unless ``bump-minor-pre-major``, every type its changelog shows asks for a patch, several
changes may be written in one commit body, releases go through a pull request, and tags are
``<component>-v<version>``. A single package at ``.`` is the repository; anything else becomes
``[packages.NAME]`` tables. The key mapping is tabled in docs/init.md.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.history import TagFormat
from versionbot.core.version import InvalidVersion, Version
from versionbot.init.proposal import (
    Migration,
    Note,
    TomlTable,
    Translation,
    bump_differences,
    checked_spec,
    peer_document,
    relative_path,
    writable_version_files,
)

RP = "release-please"
CONFIG_FILE = "release-please-config.json"
MANIFEST_FILE = ".release-please-manifest.json"

# The sections release-please shows when the config names none: its conventionalcommits preset's
# (Dependencies included: the acceptance suite's release-please project shows them), and those
# that the python, java, php, R, dotnet and julia strategies set (Documentation shown too).
_DEFAULT_SECTIONS = (
    ("feat", "Features"),
    ("feature", "Features"),
    ("fix", "Bug Fixes"),
    ("perf", "Performance Improvements"),
    ("deps", "Dependencies"),
    ("revert", "Reverts"),
)
_YOSHI_SECTIONS = (
    ("feat", "Features"),
    ("fix", "Bug Fixes"),
    ("perf", "Performance Improvements"),
    ("deps", "Dependencies"),
    ("revert", "Reverts"),
    ("docs", "Documentation"),
)
_YOSHI_TYPES = (
    "python", "java", "java-yoshi", "java-backport", "java-bom", "java-lts", "maven", "php",
    "php-yoshi", "r", "dotnet", "dotnet-yoshi", "julia",
)  # fmt: skip
# The files each release type writes the version into that versionbot can write too (beside its
# changelog); a type not listed writes files bot init does not know, "go" none at all.
_RELEASE_TYPE_FILES = {
    "node": "package.json",
    "expo": "package.json",
    "python": "pyproject.toml",
    "rust": "Cargo.toml",
}
_TAGS_ONLY = ("go", "go-yoshi")
_RELEASE_TYPE_CAVEATS = {
    "node": "package-lock.json and npm-shrinkwrap.json are not updated: run "
    "`npm install --package-lock-only` after bot release",
    "python": "release-please also wrote setup.py, setup.cfg and a __version__ file when they "
    'existed: list those you keep in version_files ("path:__version__")',
    "rust": "Cargo.lock is not updated: run `cargo update -w` after bot release",
}
# A SemVer version where release-please's generic updater finds one.
_SEMVER = r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_GENERIC_LINE = rf"^.*?(?P<version>{_SEMVER}).*x-release-please-version"
_GENERIC_BLOCK = (
    rf"x-release-please-start-version(?s:.*?)(?P<version>{_SEMVER})(?s:.*?)x-release-please-end"
)
_WHOLE_FILE = r"\A\s*(?P<version>\S+)"

# Options versionbot reads (per package, or the top level's for every package).
_READ = (
    "release-type", "bump-minor-pre-major", "bump-patch-for-minor-pre-major", "changelog-sections",
    "changelog-path", "include-component-in-tag", "include-v-in-tag", "tag-separator",
    "component", "package-name", "version-file", "extra-files", "initial-version",
    "exclude-paths",
)  # fmt: skip
_PR = "versionbot's release pull request has its own title, body and branch (pr_branch)"
# Options with nothing to migrate to, and why; values that are release-please's defaults are
# not reported (they ask for nothing).
_DROPPED = {
    "versioning": "versionbot bumps by the commits, as release-please's default versioning does",
    "prerelease": "versionbot makes prereleases on a prerelease channel: "
    '[branches.NAME] prerelease = "rc"',
    "prerelease-type": "versionbot makes prereleases on a prerelease channel: "
    '[branches.NAME] prerelease = "rc"',
    "release-as": "a one-off version: bot release --version X.Y.Z (or a Release-As: footer)",
    "skip-github-release": "versionbot makes the forge release whenever it has a token",
    "draft": "versionbot publishes its forge releases",
    "draft-pull-request": _PR,
    "pull-request-title-pattern": _PR,
    "pull-request-header": _PR,
    "pull-request-footer": _PR,
    "group-pull-request-title-pattern": _PR,
    "separate-pull-requests": "versionbot's release pull request holds every package's release",
    "label": "versionbot labels no pull request",
    "release-label": "versionbot labels no pull request",
    "extra-label": "versionbot labels no pull request",
    "prerelease-label": "versionbot labels no pull request",
    "snapshot-label": "versionbot makes no Java snapshots",
    "skip-snapshot": "versionbot makes no Java snapshots",
    "changelog-type": "versionbot writes its own notes: see docs/templates.md",
    "changelog-host": "links follow the origin remote's URL ([changelog] forge)",
    "bootstrap-sha": "versionbot starts from the release tags",
    "last-release-sha": "versionbot starts from the release tags",
    "signoff": "versionbot adds no Signed-off-by line",
    "always-link-local": "versionbot does not edit workspace dependencies",
    "release-search-depth": "versionbot reads the whole history with git",
    "commit-search-depth": "versionbot reads the whole history with git",
    "sequential-calls": "versionbot reads the whole history with git",
    "reviewers": "versionbot requests no reviewers",
}
_QUIET: Mapping[str, tuple[object, ...]] = {
    "versioning": ("default",),
    "prerelease": (False,),
    "draft": (False,),
    "draft-pull-request": (False,),
    "skip-github-release": (False,),
    "separate-pull-requests": (False,),
    "changelog-type": ("default",),
}
_PLUGINS = {
    "node-workspace": "versionbot releases a package when its folder or its depends_on "
    "change: list the packages each one depends on in depends_on",
    "cargo-workspace": "versionbot releases a package when its folder or its depends_on "
    "change: list the packages each one depends on in depends_on",
    "maven-workspace": "versionbot releases a package when its folder or its depends_on "
    "change: list the packages each one depends on in depends_on",
    "linked-versions": "each package has its own version line in versionbot",
    "sentence-case": "versionbot keeps each subject as written",
}


@dataclass(frozen=True, slots=True)
class _Package:
    """One entry of release-please's ``packages``: its folder, its own table, and the options it
    releases with (its own, else the top level's)."""

    path: str  # "." or a folder, as versionbot writes paths
    key: str  # as the config wrote it
    own: Mapping[str, Any]
    options: Mapping[str, Any]

    @property
    def where(self) -> str:
        """How the notes name it: ``packages['packages/a']``."""
        return f"packages[{self.key!r}]"


def find_release_please(files: Mapping[str, str], tags: Sequence[str] = ()) -> Migration | None:
    """release-please's manifest config in ``files`` (path → text), translated; ``tags`` are the
    repository's tag names, to check that the manifest's versions are tagged."""
    config = peer_document(CONFIG_FILE, files.get(CONFIG_FILE))
    if config is None:
        return None
    manifest = peer_document(MANIFEST_FILE, files.get(MANIFEST_FILE))
    return translate_release_please(config, manifest, files, tags)


def files_to_read(files: Mapping[str, str]) -> list[str]:
    """The files the translation reads beside the config: each package's version files (the
    release type's, ``version-file``, ``extra-files``), which also name its component."""
    migration = find_release_please(files)
    if migration is None:
        return []
    wanted: list[str] = []
    for setting in migration.settings:
        specs: Iterable[object] = ()
        folder = "."
        if setting.key == ("version_files",) and isinstance(setting.value, tuple):
            specs = setting.value
        elif setting.key[0] == "packages" and isinstance(setting.value, TomlTable):
            table = setting.value.plain()
            folder = str(table.get("path", "."))
            specs = table.get("version_files", [])
        for spec in specs:
            path = _inside(folder, str(spec).split(":", 1)[0])
            if path not in wanted:
                wanted.append(path)
    packages = _packages(peer_document(CONFIG_FILE, files.get(CONFIG_FILE)) or {})
    for package in packages:
        for name in (*_RELEASE_TYPE_FILES.values(), _simple_version_file(package)):
            path = _inside(package.path, name)
            if path not in wanted:
                wanted.append(path)
    return wanted


def translate_release_please(
    config: Mapping[str, Any],
    manifest: Mapping[str, Any] | None,
    files: Mapping[str, str],
    tags: Sequence[str],
) -> Migration:
    """Translate a release-please manifest config (and its manifest of released versions)."""
    out = Translation(RP)
    packages = _packages(config)
    if not packages:
        out.skip("packages", "none with a table: release-please releases nothing either")
        return Migration(RP, CONFIG_FILE, tuple(out.settings), tuple(out.notes))
    out.set(
        "body_changes",
        True,
        "release-please reads several changes in one commit (lines in the body, "
        "BEGIN_COMMIT_OVERRIDE)",
        "",
    )
    out.set("mode", "pr", "release-please releases through a pull request a person merges", "")
    _repository_wide(packages, out)
    if manifest is None:
        out.skip(
            MANIFEST_FILE, "absent (or not a JSON object): the last releases come from the tags"
        )
    if [p.path for p in packages] == ["."]:
        _root_package(packages[0], manifest or {}, files, tags, out)
    else:
        _monorepo(packages, manifest or {}, files, tags, out)
    _dropped(config, packages, out)
    return Migration(RP, CONFIG_FILE, tuple(out.settings), tuple(out.notes))


def _packages(config: Mapping[str, Any]) -> list[_Package]:
    """release-please's packages, each with its options merged over the top level's."""
    table = config.get("packages")
    if not isinstance(table, Mapping):
        return []
    top = {k: v for k, v in config.items() if k not in ("packages", "plugins")}
    found = []
    for key, own in table.items():
        if not isinstance(key, str) or not isinstance(own, Mapping):
            continue
        path = relative_path(key).rstrip("/") or "."
        options = {**top, **own}
        if "changelog-sections" not in options:
            kind = options.get("release-type", "node")
            defaults = _YOSHI_SECTIONS if kind in _YOSHI_TYPES else _DEFAULT_SECTIONS
            options["changelog-sections"] = [{"type": t, "section": s} for t, s in defaults]
        found.append(_Package(path, key, own, options))
    return found


def _repository_wide(packages: Sequence[_Package], out: Translation) -> None:
    """The 0.x rules, changelog sections (and the bumps they imply) and changelog path: one
    value for the repository, the one every package shares (a package that differs keeps its
    own 0.x rules; its own sections or changelog path are noted)."""
    major = _shared(packages, "bump-minor-pre-major", False)
    out.set(
        "major_on_zero",
        not major,
        "release-please bump-minor-pre-major = "
        f"{json.dumps(major)}: a breaking change on 0.x "
        + ("bumps the minor" if major else "releases 1.0.0"),
        "bump-minor-pre-major",
    )
    minor = _shared(packages, "bump-patch-for-minor-pre-major", False)
    if minor:
        out.set(
            "minor_on_zero",
            False,
            "release-please bump-patch-for-minor-pre-major = true: a feature on 0.x bumps "
            "the patch",
            "bump-patch-for-minor-pre-major",
        )
    _sections(_shared(packages, "changelog-sections", None), out)
    changelog = _shared(packages, "changelog-path", "CHANGELOG.md")
    if isinstance(changelog, str) and changelog.strip():
        out.set("changelog.file", relative_path(changelog), "release-please changelog-path", "")
    for package in packages:
        for key, default in (("changelog-sections", None), ("changelog-path", "CHANGELOG.md")):
            if package.options.get(key, default) != _shared(packages, key, default):
                out.skip(
                    f"{package.where}.{key}",
                    "the changelog's sections and file name are the repository's in versionbot: "
                    "this package's differ",
                )


def _shared(packages: Sequence[_Package], key: str, default: object) -> Any:
    """The value of ``key`` every package has, else the most common one (first seen on a tie)."""
    values = [json.dumps(p.options.get(key, default), sort_keys=True) for p in packages]
    return json.loads(max(dict.fromkeys(values), key=values.count))


def _sections(sections: object, out: Translation) -> None:
    """``changelog-sections`` → ``[changelog.sections]``, and ``[bump]``: release-please releases
    a patch for any type its changelog shows, a minor for ``feat``/``feature``."""
    listed: list[tuple[str, str]] = []
    origin = "release-please changelog-sections (the release type's when the config has none)"
    if isinstance(sections, list):
        for entry in sections:
            kind = entry.get("type") if isinstance(entry, Mapping) else None
            title = entry.get("section") if isinstance(entry, Mapping) else None
            if not isinstance(kind, str) or not isinstance(title, str) or not title.strip():
                out.skip("changelog-sections", f"{entry!r} has no type and section")
            elif entry.get("hidden") is not True and kind.lower() not in dict(listed):
                listed.append((kind.lower(), title))
    else:
        out.skip("changelog-sections", "not a list of sections")
        return
    for index, (kind, title) in enumerate(listed):
        comment = "" if index else origin  # one comment above the table's lines
        out.set(("changelog", "sections", kind), title, comment, "changelog-sections")
    rules = {kind: "patch" for kind, _ in listed}
    rules.update(feat="minor", feature="minor")
    bump_differences(rules, out, "release-please releases a patch for a type its changelog shows")


def _root_package(
    package: _Package,
    manifest: Mapping[str, Any],
    files: Mapping[str, str],
    tags: Sequence[str],
    out: Translation,
) -> None:
    """One package at the repository's root: its settings are the top level's."""
    fmt = _tag_format(package, files)
    out.set("tag_format", fmt, f"release-please's tags for {package.where}", "include-v-in-tag")
    specs = _version_files(package, files, out)
    if specs:
        out.set("version_files", tuple(specs), f"release-please {package.where}", "")
    initial = _initial_version(package, out)
    if initial is not None:
        out.set("initial_version", initial, "release-please initial-version", "initial-version")
    version = _manifest_version(package, manifest, out)
    if version is not None and not any(_tag_version(t) == version for t in tags):
        _untagged(package, version, fmt.replace("{version}", str(version)), out)


def _monorepo(
    packages: Sequence[_Package],
    manifest: Mapping[str, Any],
    files: Mapping[str, str],
    tags: Sequence[str],
    out: Translation,
) -> None:
    """Several packages: a ``[packages.NAME]`` table each, checked together as versionbot will
    read them (names and tag formats must not collide)."""
    tables: list[tuple[str, _Package, list[tuple[str, str | bool | tuple[str, ...]]]]] = []
    names: set[str] = set()
    for package in packages:
        name = _package_name(package, files, names)
        names.add(name)
        items: list[tuple[str, str | bool | tuple[str, ...]]] = [("path", package.path)]
        items.append(("tag_format", _tag_format(package, files)))
        initial = _initial_version(package, out)
        if initial is not None:
            items.append(("initial_version", initial))
        for key, ours, default in (
            ("bump-minor-pre-major", "major_on_zero", False),
            ("bump-patch-for-minor-pre-major", "minor_on_zero", False),
        ):
            value = package.options.get(key, default)
            if isinstance(value, bool) and value != _shared(packages, key, default):
                items.append((ours, not value))
        specs = _kept(_version_files(package, files, out), package.path, files, out)
        if specs:
            items.append(("version_files", tuple(specs)))
        tables.append((name, package, items))
    together = {
        name: {k: list(v) if isinstance(v, tuple) else v for k, v in items}
        for name, _, items in tables
    }
    try:
        config_from_mapping({"packages": together}, "release-please's packages")
    except ConfigError as exc:
        out.skip("packages", f"{exc.message}: write the [packages.NAME] tables by hand")
        return
    for name, package, items in tables:
        fmt = TagFormat(str(dict(items)["tag_format"]))
        version = _manifest_version(package, manifest, out)
        comment = f"release-please {package.where}"
        if version is not None:
            tag = fmt.format(version)
            if tag in tags:
                comment += f": manifest {version}, tag {tag}"
            else:
                _untagged(package, version, tag, out)
        out.set(("packages", name), TomlTable(tuple(items)), comment, package.where)


def _untagged(package: _Package, version: Version, tag: str, out: Translation) -> None:
    if version == Version(0, 0, 0):  # release-please's "not released yet"
        return
    out.skip(
        f"{MANIFEST_FILE} {package.key} {version}",
        f"no tag {tag} in the repository: without it the next release starts over at "
        f"initial_version; tag the commit that released {version}: git tag {tag} <commit>",
    )


def _manifest_version(
    package: _Package, manifest: Mapping[str, Any], out: Translation
) -> Version | None:
    value = manifest.get(package.key, manifest.get(package.path))
    if value is None:
        return None
    try:
        return Version.parse(str(value))
    except InvalidVersion:
        out.skip(f"{MANIFEST_FILE} {package.key}", f"{value!r} is not a SemVer version")
        return None


def _tag_version(tag: str) -> Version | None:
    """The version a tag ends with (``a-v1.2.0`` → 1.2.0), as release-please reads its tags."""
    match = re.fullmatch(r"(?:.*[^A-Za-z0-9])?v?([0-9]+\.[0-9]+\.[0-9]+.*)", tag)
    try:
        return Version.parse(match[1]) if match else None
    except InvalidVersion:
        return None


def _tag_format(package: _Package, files: Mapping[str, str]) -> str:
    """release-please's tag: ``<component><separator>v<version>`` (``TagName.toString``), the
    component and the ``v`` as the options say."""
    options = package.options
    v = "v" if options.get("include-v-in-tag", True) is not False else ""
    component = _component(package, files)
    if options.get("include-component-in-tag", True) is False or not component:
        return f"{v}{{version}}"
    separator = options.get("tag-separator")
    separator = separator if isinstance(separator, str) else "-"
    return f"{component}{separator}{v}{{version}}"


def _component(package: _Package, files: Mapping[str, str]) -> str:
    """``component``, else ``package-name``, else the name the release type reads from its file
    (package.json's ``name`` without its ``@scope/``, pyproject.toml's, Cargo.toml's), as
    release-please's strategies take it."""
    component = package.options.get("component")
    if isinstance(component, str) and component:
        return component
    name = package.options.get("package-name")
    if not isinstance(name, str) or not name:
        name = _default_name(package, files) or ""
    return _normalised(package, name)


def _normalised(package: _Package, name: str) -> str:
    if _release_type(package) in ("node", "expo") and re.match(r"@[\w-]+/", name):
        return name.split("/", 1)[1]
    return name


def _default_name(package: _Package, files: Mapping[str, str]) -> str | None:
    kind = _release_type(package)
    text = files.get(_inside(package.path, _RELEASE_TYPE_FILES.get(kind, "")))
    if text is None:
        return None
    try:
        document: Any = json.loads(text) if kind in ("node", "expo") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError, RecursionError):
        return None
    if kind == "python":
        document = document.get("project") or document.get("tool", {}).get("poetry", {})
    elif kind == "rust":
        document = document.get("package", {})
    name = document.get("name") if isinstance(document, Mapping) else None
    return name if isinstance(name, str) else None


def _release_type(package: _Package) -> str:
    kind = package.options.get("release-type", "node")
    return kind if isinstance(kind, str) else ""


def _package_name(package: _Package, files: Mapping[str, str], taken: set[str]) -> str:
    """The ``[packages.NAME]`` name: the component, else the folder's last part, made a name
    versionbot takes (``auth/oauth2adapt`` → ``auth-oauth2adapt``) and unique."""
    base = _component(package, files) or package.path.rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-._") or "root"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


def _initial_version(package: _Package, out: Translation) -> str | None:
    value = package.options.get("initial-version")
    if value is None:
        return None
    try:
        version = Version.parse(str(value))
    except InvalidVersion:
        out.skip(f"{package.where}.initial-version", f"{value!r} is not a SemVer version")
        return None
    return str(version)


def _version_files(package: _Package, files: Mapping[str, str], out: Translation) -> list[str]:
    """The files the package's version is written into, from its folder: the release type's
    (when it exists), ``version-file`` (simple), and ``extra-files``."""
    kind = _release_type(package)
    specs: list[str] = []
    standard = _RELEASE_TYPE_FILES.get(kind)
    if standard is not None and _inside(package.path, standard) in files:
        specs.append(standard)
        caveat = f"release-type {kind!r}"
        if kind in _RELEASE_TYPE_CAVEATS and all(n.key != caveat for n in out.notes):
            out.skip(caveat, _RELEASE_TYPE_CAVEATS[kind])
    elif kind == "simple":
        name = _simple_version_file(package)
        if _inside(package.path, name) in files:  # release-please skips it when it is absent
            specs.append(f"{name}:regex:{_WHOLE_FILE}")
    elif standard is None and kind not in _TAGS_ONLY:
        out.skip(
            f"{package.where} release-type {kind!r}",
            "bot init does not know which files it writes the version into: list them in "
            "version_files",
        )
    extra = package.options.get("extra-files", [])
    for entry in extra if isinstance(extra, list) else []:
        spec, why = _extra_file(package, entry, files)
        if spec is None:
            out.skip(f"{package.where}.extra-files {json.dumps(entry)}", why)
        elif spec not in specs:
            specs.append(spec)
    return specs


def _simple_version_file(package: _Package) -> str:
    """The file a ``simple`` package's version is the whole of: ``version-file``, else
    version.txt."""
    name = package.options.get("version-file")
    return relative_path(name) if isinstance(name, str) and name.strip() else "version.txt"


def _extra_file(
    package: _Package, entry: object, files: Mapping[str, str]
) -> tuple[str | None, str]:
    """One of release-please's ``extra-files`` as a version file spec from the package's folder,
    or None and why not."""
    if isinstance(entry, str):
        entry = {"type": "generic", "path": entry}
    if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
        return None, "not a path or a table with a path"
    if entry.get("glob") is True:
        return None, "a glob: list each file in version_files"
    path = str(entry["path"])
    if path.startswith("/") and package.path != ".":
        why = "a path from the repository root: a package's version files are from its folder"
        return None, why
    path = relative_path(path.lstrip("/"))
    kind = str(entry.get("type", "generic"))
    if kind == "generic":
        text = files.get(_inside(package.path, path), "")
        marker = _GENERIC_BLOCK if "x-release-please-start-version" in text else _GENERIC_LINE
        return checked_spec(f"{path}:regex:{marker}")
    spec = _structured_spec(kind, path, str(entry.get("jsonpath", "")))
    if spec is None:
        return None, f"{kind} {entry.get('jsonpath', '')!r}: no version_files form; write "
        f'"{path}:regex:<pattern with (?P<version>...)>"'
    return checked_spec(spec)


_STANDARD_TOML = {
    ("pyproject.toml", "project.version"),
    ("pyproject.toml", "tool.poetry.version"),
    ("Cargo.toml", "package.version"),
    ("Cargo.toml", "workspace.package.version"),
}


def _structured_spec(kind: str, path: str, jsonpath: str) -> str | None:
    """A json, toml or yaml extra file's spec: the standard file, or the top-level key
    (``$.version``) read by name (json, toml) or by a pattern at the line's start (yaml)."""
    base = path.rsplit("/", 1)[-1]
    dotted = jsonpath.removeprefix("$.")
    key = dotted if re.fullmatch(r"[A-Za-z_][\w-]*", dotted) else None
    if kind == "json" and key is not None:
        return path if (base, key) == ("package.json", "version") else f"{path}:{key}"
    if kind == "toml" and (base, dotted) in _STANDARD_TOML:
        return path
    if kind == "toml" and key is not None:
        return f"{path}:{key}"
    if kind == "yaml" and key is not None:
        return rf"{path}:regex:^{key}:[ \t]*[\"']?(?P<version>[0-9A-Za-z.+-]+)"
    return None


def _kept(specs: list[str], folder: str, files: Mapping[str, str], out: Translation) -> list[str]:
    """Those of a package's ``specs`` that hold a version versionbot can write, checked at their
    place from the repository root (detect.py checks the root package's)."""
    notes: list[Note] = []
    full = [_inside(folder, spec) for spec in specs]
    kept = writable_version_files(full, files, notes)
    for note in notes:
        out.skip(note.key, note.why)
    prefix = "" if folder == "." else f"{folder}/"
    return [spec.removeprefix(prefix) for spec in kept]


def _dropped(config: Mapping[str, Any], packages: Sequence[_Package], out: Translation) -> None:
    """Every option with nothing to migrate to, top level and per package, with why."""
    for key, value in config.items():
        if key == "plugins":
            _plugins(value, out)
        elif key not in ("packages", *_READ) and not _quiet(key, value):
            out.skip(key, _DROPPED.get(key, "versionbot has no such setting"))
    folders = {p.path for p in packages}
    for package in packages:
        _exclude_paths(package, package.options.get("exclude-paths", []), folders, out)
        for key, value in package.own.items():
            if key not in _READ and not _quiet(key, value):
                why = _DROPPED.get(key, "versionbot has no such setting")
                out.skip(f"{package.where}.{key}", why)


def _quiet(key: str, value: object) -> bool:
    """Whether ``key`` = ``value`` asks for nothing (a schema, or release-please's default)."""
    return key == "$schema" or value in _QUIET.get(key, ())


def _plugins(value: object, out: Translation) -> None:
    for plugin in value if isinstance(value, list) else [value]:
        name = plugin.get("type") if isinstance(plugin, Mapping) else plugin
        why = _PLUGINS.get(str(name), "a release-please plugin versionbot cannot run")
        out.skip(f"plugins {name!r}", why)


def _exclude_paths(package: _Package, value: object, folders: set[str], out: Translation) -> None:
    """Another package's folder needs no exclusion: a file belongs to the deepest package
    folder holding it. Any other path does."""
    for entry in value if isinstance(value, list) else [value]:
        path = relative_path(str(entry)).rstrip("/")
        if path not in folders:
            out.skip(
                f"{package.where}.exclude-paths {path!r}",
                "a package holds every file in its folder that no deeper package holds",
            )


def _inside(folder: str, path: str) -> str:
    """``path`` (from the package's folder) from the repository root."""
    return path if folder == "." else f"{folder}/{path}"
