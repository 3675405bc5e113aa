"""Migration: translate python-semantic-release and commitizen settings into versionbot's.

Pure: no I/O. ``peer_configs`` finds the peers' tables in file texts handed in (path → text);
``translate_psr`` and ``translate_commitizen`` turn one table into versionbot settings (each with
the comment ``bot init`` writes above it) and a note for every key that does not carry over,
saying why. The key mapping is tabled in docs/init.md; peer semantics were read from
python-semantic-release 10.x (``semantic_release/cli/config.py``) and commitizen 4.x
(``commitizen/defaults.py``), whose defaults differ from ours in places that matter: both make
a breaking change on 0.x go to 1.0.0, PSR 9+ never releases 0.x at all, commitizen tags
``1.2.3`` and bumps patch on ``refactor``. Those defaults are written out explicitly, so that a
migrated project keeps releasing the versions it released before.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from versionbot.core.bump import DEFAULT_TYPE_RULES
from versionbot.core.changelog import INSERT_MARKER
from versionbot.core.history import TagFormat
from versionbot.core.version import is_valid_prerelease_token
from versionbot.core.version_files import parse_version_file_spec

PSR = "python-semantic-release"
CZ = "commitizen"


@dataclass(frozen=True, slots=True)
class TomlTable:
    """A setting that is a table of its own (``[branches."release/*"]``), maybe empty."""

    items: tuple[tuple[str, str | bool], ...] = ()


# A TOML value bot init writes: a string, a flag, a list of strings, an inline table of strings,
# or a table of its own.
TomlValue = str | bool | tuple[str, ...] | tuple[tuple[str, str], ...] | TomlTable


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of the proposed config: its path (``("bump", "refactor")``), value, why, origin."""

    key: tuple[str, ...]
    value: TomlValue
    comment: str
    origin: str  # "detected", "default", PSR or CZ
    source_key: str = ""  # the peer's key it was translated from

    @property
    def dotted(self) -> str:
        """``changelog.file``: the key as the report and the notes name it."""
        return ".".join(self.key)


@dataclass(frozen=True, slots=True)
class Note:
    """A peer key that was not migrated, and why (what to do instead)."""

    tool: str
    key: str
    why: str

    def __str__(self) -> str:
        return f"{self.key} ({self.tool}) — {self.why}"


@dataclass(frozen=True, slots=True)
class Migration:
    """What one peer's table translates to."""

    tool: str
    where: str  # "pyproject.toml [tool.semantic_release]"
    settings: tuple[Setting, ...]
    notes: tuple[Note, ...]


@dataclass
class _Out:
    """Collects one translation's settings and notes."""

    tool: str
    settings: list[Setting] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def set(self, key: str, value: TomlValue, comment: str, source_key: str) -> None:
        self.settings.append(Setting(tuple(key.split(".")), value, comment, self.tool, source_key))

    def set_path(
        self, key: tuple[str, ...], value: TomlValue, comment: str, source_key: str
    ) -> None:
        """Like ``set``, for a key whose parts may hold dots (a branch named ``1.x``)."""
        self.settings.append(Setting(key, value, comment, self.tool, source_key))

    def skip(self, key: str, why: str) -> None:
        self.notes.append(Note(self.tool, key, why))


# --- finding the peers' tables -----------------------------------------------------------------


def peer_configs(files: Mapping[str, str]) -> list[Migration]:
    """Every python-semantic-release and commitizen table in ``files``, translated.

    Looked for where the tools look: PSR in pyproject.toml ``[tool.semantic_release]``,
    releaserc.toml / releaserc.json (``semantic_release``) and, for 7.x, setup.cfg
    ``[semantic_release]``; commitizen in .cz.toml, cz.toml, .cz.json, cz.json and pyproject.toml
    (``[tool.commitizen]`` / ``"commitizen"``), first found wins, as in commitizen.
    """
    found: list[Migration] = []
    for name in ("pyproject.toml", "releaserc.toml", "releaserc.json"):
        table = _psr_table(name, files.get(name))
        if table is not None:
            where = f"{name} [tool.semantic_release]" if name == "pyproject.toml" else name
            found.append(translate_psr(table, where))
            break
    else:
        legacy = _setup_cfg_table(files.get("setup.cfg"))
        if legacy is not None:
            found.append(translate_psr(legacy, "setup.cfg [semantic_release]", legacy=True))
    for name in (".cz.toml", "cz.toml", ".cz.json", "cz.json", "pyproject.toml"):
        table = _cz_table(name, files.get(name))
        if table is not None:
            where = f"{name} [tool.commitizen]" if name.endswith(".toml") else name
            found.append(translate_commitizen(table, where))
            break
    return found


def _psr_table(name: str, text: str | None) -> Mapping[str, Any] | None:
    document = _load(name, text)
    if document is None:
        return None
    table = document.get("tool", {}).get("semantic_release", document.get("semantic_release"))
    return table if isinstance(table, Mapping) else None


def _cz_table(name: str, text: str | None) -> Mapping[str, Any] | None:
    document = _load(name, text)
    if document is None:
        return None
    table = document.get("commitizen") if name.endswith(".json") else None
    if table is None:
        table = document.get("tool", {}).get("commitizen")
    return table if isinstance(table, Mapping) else None


def _load(name: str, text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    try:
        loaded = json.loads(text) if name.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError):
        return None  # not ours to judge; the peer would refuse it too
    return loaded if isinstance(loaded, Mapping) else None


_LEGACY_LISTS = ("version_variable", "version_toml", "version_pattern")


def _setup_cfg_table(text: str | None) -> Mapping[str, Any] | None:
    """python-semantic-release 7.x's ``[semantic_release]`` of setup.cfg, typed like TOML."""
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("semantic_release"):
        return None
    table: dict[str, Any] = {}
    for key, value in parser.items("semantic_release"):
        if key in _LEGACY_LISTS:
            table[key] = [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
        elif value.strip().lower() in ("true", "false"):
            table[key] = value.strip().lower() == "true"
        else:
            table[key] = value.strip()
    return table


# --- python-semantic-release -------------------------------------------------------------------

# Keys whose job versionbot does elsewhere or not at all: why, and what to do instead.
_PSR_DROPPED = {
    "assets": "versionbot commits only the version files and the changelog; "
    "list other files in version_files or commit them before the release",
    "build_command": "versionbot builds no packages: run the build in CI after bot release",
    "build_command_env": "versionbot builds no packages",
    "publish": "versionbot uploads no distributions to the forge release; "
    "upload them in a CI step after bot release",
    "upload_to_pypi": "versionbot publishes nothing to PyPI: add a publish step to CI",
    "upload_to_release": "versionbot uploads no distributions to the forge release",
    "upload_to_vcs_release": "versionbot uploads no distributions to the forge release",
    "repo_dir": "bot runs in the repository it is given (-C PATH)",
    "no_git_verify": "the release commit never runs hooks",
    "signoff_commit": "versionbot adds no Signed-off-by line",
    "logging_use_named_masks": "versionbot never prints credentials; there is nothing to set",
    "add_partial_tags": "versionbot makes one tag per release; floating tags exist only for "
    "images ([images] tags)",
    "version_source": "versionbot always reads the last release from the tags",
    "dist_path": "versionbot builds no packages",
    "remove_dist": "versionbot builds no packages",
    "changelog_components": "the changelog is a Jinja template: see docs/templates.md",
    "changelog_sections": "the changelog is a Jinja template: see docs/templates.md",
    "patch_without_tag": "versionbot releases only when a commit asks for a release",
}
_PSR_LEVELS = {0: "none", 2: "patch", 3: "minor", 4: "major"}
_PSR_LEVEL_NAMES = {"no_release": 0, "prerelease_revision": 1, "patch": 2, "minor": 3, "major": 4}
_CONVENTIONAL_PARSERS = ("conventional", "angular", "semantic_release.history.angular_parser")
_PSR_PARSER_DEFAULTS = {
    "minor_tags": ("feat",),
    "patch_tags": ("fix", "perf"),
    "allowed_tags": (
        "feat",
        "fix",
        "perf",
        "build",
        "chore",
        "ci",
        "docs",
        "style",
        "refactor",
        "test",
    ),
}
_PSR_FORGES = {"github": "github", "gitlab": "gitlab", "gitea": "gitea", "bitbucket": "bitbucket"}


def translate_psr(table: Mapping[str, Any], where: str, *, legacy: bool = False) -> Migration:
    """Translate a python-semantic-release table (10.x keys, and 7.x's where they differ).

    ``legacy`` marks a 7.x setup.cfg: 7.x allowed 0.x versions and had no allow_zero_version.
    """
    out = _Out(PSR)
    legacy = legacy or any(k in table for k in ("version_variable", "branch", "commit_subject"))
    _psr_tag_format(table, out)
    _psr_zero(table, out, legacy=legacy)
    _psr_version_files(table, out)
    _psr_commit_message(table, out)
    _psr_parser(table, out)
    _psr_branches(table, out)
    _psr_changelog(table, out)
    _psr_remote(table, out)
    _psr_author(table.get("commit_author"), out)
    handled = {
        "tag_format",
        "major_on_zero",
        "allow_zero_version",
        "version_toml",
        "version_variables",
        "version_variable",
        "version_pattern",
        "commit_message",
        "commit_subject",
        "commit_parser",
        "commit_parser_options",
        "branches",
        "branch",
        "changelog",
        "changelog_file",
        "remote",
        "hvcs",
        "commit_author",
    }
    for key in table:
        if key in handled:
            continue
        out.skip(key, _PSR_DROPPED.get(key, "versionbot has no such setting"))
    return Migration(PSR, where, tuple(out.settings), tuple(out.notes))


def _psr_tag_format(table: Mapping[str, Any], out: _Out) -> None:
    value = table.get("tag_format", "v{version}")
    try:
        TagFormat(value) if isinstance(value, str) else TagFormat("")
    except ValueError:
        out.skip("tag_format", f"{value!r} does not hold {{version}} exactly once")
        return
    out.set("tag_format", value, f"python-semantic-release tag_format {value!r}", "tag_format")


def _psr_zero(table: Mapping[str, Any], out: _Out, *, legacy: bool) -> None:
    major_on_zero = table.get("major_on_zero", True)
    allow_zero = table.get("allow_zero_version", legacy)
    if not isinstance(major_on_zero, bool) or not isinstance(allow_zero, bool):
        out.skip("major_on_zero", "not true or false")
        return
    if not allow_zero:
        out.set(
            "initial_version",
            "1.0.0",
            "python-semantic-release allow_zero_version = false (its default since 9.0): "
            "no 0.x releases, the first release is 1.0.0",
            "allow_zero_version",
        )
        major_on_zero = True
    source = "major_on_zero" if "major_on_zero" in table else "major_on_zero (its default)"
    meaning = (
        "a breaking change on 0.x releases 1.0.0"
        if major_on_zero
        else "a breaking change on 0.x bumps the minor"
    )
    out.set("major_on_zero", major_on_zero, f"python-semantic-release {source}: {meaning}", source)


def _psr_version_files(table: Mapping[str, Any], out: _Out) -> None:
    specs: list[str] = []
    for key, translate in (
        ("version_toml", _psr_toml_spec),
        ("version_variables", _psr_variable_spec),
        ("version_variable", _psr_variable_spec),
        ("version_pattern", _psr_pattern_spec),
    ):
        entries = table.get(key, [])
        if not isinstance(entries, str | list):
            out.skip(key, "not a list of strings")
            continue
        for entry in [entries] if isinstance(entries, str) else entries:
            spec, why = translate(str(entry))
            if spec is None:
                out.skip(f"{key} {entry!r}", why)
            elif spec not in specs:
                specs.append(spec)
    if specs:
        out.set("version_files", tuple(specs), "python-semantic-release's version files", "")


def _psr_toml_spec(entry: str) -> tuple[str | None, str]:
    path, _, rest = entry.partition(":")
    key, _, stamp = rest.partition(":")
    path = _relative(path)
    if stamp == "tf":
        return None, "versionbot writes the bare version, never the tag (':tf')"
    base = path.rsplit("/", 1)[-1]
    if (base, key) in (
        ("pyproject.toml", "project.version"),
        ("pyproject.toml", "tool.poetry.version"),
        ("Cargo.toml", "package.version"),
        ("Cargo.toml", "workspace.package.version"),
    ):
        return _checked(path)
    name = key.rsplit(".", 1)[-1]
    if not name:
        return None, "it names no key"
    # Another TOML file: versionbot's NAME form reads the first `name = "..."` line, which is
    # where such a key sits in practice (docs/init.md says so).
    return _checked(f"{path}:{name}")


def _psr_variable_spec(entry: str) -> tuple[str | None, str]:
    path, _, rest = entry.partition(":")
    name, _, stamp = rest.partition(":")
    path = _relative(path)
    if stamp == "tf":
        return None, "versionbot writes the bare version, never the tag (':tf')"
    if name == "*":  # the whole file is the version
        return _checked(f"{path}:regex:\\A\\s*(?P<version>\\S+)")
    return _checked(f"{path}:{name}")


def _psr_pattern_spec(entry: str) -> tuple[str | None, str]:
    path, _, pattern = entry.partition(":")
    if pattern.count("{version}") != 1:
        return None, "the pattern holds no {version}"
    regex = pattern.replace("{version}", r"(?P<version>[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*)")
    return _checked(f"{_relative(path)}:regex:{regex}")


def _checked(spec: str) -> tuple[str | None, str]:
    try:
        parse_version_file_spec(spec)
    except ValueError as exc:
        return None, str(exc)
    return spec, ""


def _relative(path: str) -> str:
    return path.strip().removeprefix("./")


def _psr_commit_message(table: Mapping[str, Any], out: _Out) -> None:
    key = "commit_subject" if "commit_subject" in table else "commit_message"
    value = table.get(key)
    if not isinstance(value, str):
        return  # PSR's default "{version}\n\nAutomatically generated by ..." is not carried
    first = value.replace("\\n", "\n").split("\n", 1)[0].strip()
    if first.count("{version}") != 1:
        out.skip(
            key, f"its first line {first!r} holds no {{version}}; versionbot's default is used"
        )
        return
    dropped = " (the lines after the first are dropped: one line only)" if "\n" in value else ""
    out.set("commit_message", first, f"python-semantic-release {key}{dropped}", key)


def _psr_parser(table: Mapping[str, Any], out: _Out) -> None:
    parser = table.get("commit_parser", "conventional")
    if parser not in _CONVENTIONAL_PARSERS:
        out.skip(
            "commit_parser",
            f"{parser!r}: versionbot reads Conventional Commits only; commits in another style "
            "ask for no release",
        )
        return
    options = table.get("commit_parser_options", {})
    if not isinstance(options, Mapping):
        return
    for flag, ours in (
        ("parse_squash_commits", "squash_commits"),
        ("ignore_merge_commits", "ignore_merge_commits"),
    ):
        if isinstance(options.get(flag), bool):
            out.set(ours, options[flag], f"python-semantic-release {flag}", flag)
    _psr_bump_rules(options, out)
    for key in options:
        if key not in (
            *_PSR_PARSER_DEFAULTS,
            "default_bump_level",
            "other_allowed_tags",
            "parse_squash_commits",
            "ignore_merge_commits",
        ):
            out.skip(f"commit_parser_options.{key}", "versionbot has no such parser option")


def _psr_bump_rules(options: Mapping[str, Any], out: _Out) -> None:
    def tags(key: str) -> tuple[str, ...]:
        value = options.get(key, _PSR_PARSER_DEFAULTS[key])
        return tuple(str(v).lower() for v in value) if isinstance(value, list | tuple) else ()

    level = options.get("default_bump_level", 0)
    if isinstance(level, str):
        level = _PSR_LEVEL_NAMES.get(level.lower(), -1)
    if not isinstance(level, int) or level not in _PSR_LEVELS:
        out.skip(
            "commit_parser_options.default_bump_level",
            f"{level!r}: versionbot has no prerelease-only level; other types ask for none",
        )
        level = 0
    rules = dict.fromkeys(tags("allowed_tags"), _PSR_LEVELS[level])
    rules.update(dict.fromkeys(tags("patch_tags"), "patch"))
    rules.update(dict.fromkeys(tags("minor_tags"), "minor"))
    _bump_differences(rules, out, "python-semantic-release commit_parser_options")


def _bump_differences(rules: Mapping[str, str], out: _Out, where: str) -> None:
    """Write the rules that differ from versionbot's defaults (every other type asks for none)."""
    ours = {kind: bump.label for kind, bump in DEFAULT_TYPE_RULES.items()}
    for kind in dict.fromkeys([*ours, *rules]):
        theirs = rules.get(kind, "none")
        if theirs != ours.get(kind, "none") and re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
            out.set(f"bump.{kind}", theirs, f"{where}: {kind} asks for {theirs}", "")


def _psr_branches(table: Mapping[str, Any], out: _Out) -> None:
    """PSR's branches become ``[branches."<glob>"]`` tables; a prerelease branch keeps its token."""
    if isinstance(table.get("branch"), str) and table["branch"].strip():  # 7.x: one branch
        name = str(table["branch"]).strip()
        out.set_path(("branches", name), TomlTable(), "python-semantic-release branch", "branch")
        return
    branches = table.get("branches")
    if not isinstance(branches, Mapping):
        return
    seen: set[str] = set()
    for name, branch in branches.items():
        if not isinstance(branch, Mapping):
            continue
        match = str(branch.get("match", "(main|master)"))
        converted = _branch_globs(match)
        if converted is None:
            out.skip(f"branches.{name}.match", f"{match!r} is a regular expression with no glob")
            continue
        items: tuple[tuple[str, str | bool], ...] = ()
        comment = f"python-semantic-release branches.{name} (match {match!r})"
        if branch.get("prerelease", False):
            token = str(branch.get("prerelease_token", "rc"))
            if not is_valid_prerelease_token(token):
                out.skip(f"branches.{name}", f"{token!r} is not a SemVer prerelease token")
                continue
            items = (("prerelease", token),)
            comment += f": a prerelease channel ({token})"
        for glob in converted:
            if glob not in seen:
                seen.add(glob)
                out.set_path(("branches", glob), TomlTable(items), comment, f"branches.{name}")


def _branch_globs(match: str) -> list[str] | None:
    """``(main|master)`` → main, master; ``release/.*`` → release/*; None if not that simple."""
    if match in ("*", ".*", ".+", "^.*$"):
        return ["*"]
    body = match.removeprefix("^").removesuffix("$")
    if body.startswith("(") and body.endswith(")") and body.count("(") == 1:
        body = body[1:-1]
    globs = []
    for alternative in body.split("|"):
        glob = alternative.replace(".*", "*").replace(".+", "?*").replace("\\.", ".")
        if not re.fullmatch(r"[\w./*?-]+", glob):
            return None
        globs.append(glob)
    return globs


def _psr_changelog(table: Mapping[str, Any], out: _Out) -> None:
    changelog = table.get("changelog", {})
    if not isinstance(changelog, Mapping):
        return
    templates = changelog.get("default_templates", {})
    file = (
        (templates.get("changelog_file") if isinstance(templates, Mapping) else None)
        or changelog.get("changelog_file")
        or table.get("changelog_file")
    )
    if isinstance(file, str) and file.strip():
        out.set("changelog.file", _relative(file), "python-semantic-release changelog file", "")
    explained = {
        "exclude_commit_patterns": "versionbot shows the types listed in [changelog.sections] "
        "and hides the rest; a pattern on the message has no equivalent",
        "template_dir": "versionbot's templates have their own context: see docs/templates.md "
        "and [changelog] templates",
        "environment": "versionbot's templates use Jinja's default delimiters",
        "mode": "versionbot adds missing releases to the file (bot changelog --full rewrites it)",
        "insertion_flag": f"versionbot's marker is fixed: {INSERT_MARKER}",
    }
    for key, why in explained.items():
        if key in changelog and changelog[key] not in ((), [], ""):
            out.skip(f"changelog.{key}", why)
    if isinstance(templates, Mapping):
        if str(templates.get("output_format", "md")).lower() not in ("md", "markdown", "none"):
            out.skip("changelog.default_templates.output_format", "versionbot writes Markdown")
        if templates.get("mask_initial_release") is False:
            out.skip(
                "changelog.default_templates.mask_initial_release",
                "versionbot lists the first release's commits like any other's",
            )


def _psr_remote(table: Mapping[str, Any], out: _Out) -> None:
    remote = table.get("remote", {})
    kind = table.get("hvcs") if "hvcs" in table else None
    if isinstance(remote, Mapping):
        kind = remote.get("type", kind)
        name = remote.get("name")
        if isinstance(name, str) and name.strip() and name != "origin":
            out.set("remote", name, "python-semantic-release remote.name", "remote.name")
        for key in ("token", "url", "domain", "api_domain", "insecure", "ignore_token_for_push"):
            if key in remote:
                out.skip(
                    f"remote.{key}",
                    "versionbot reads tokens from GITHUB_TOKEN / VERSIONBOT_GIT_TOKEN and links "
                    "from the origin remote's URL",
                )
    if isinstance(kind, str) and kind.lower() in _PSR_FORGES:
        out.set("changelog.forge", _PSR_FORGES[kind.lower()], "python-semantic-release remote", "")
    elif kind is not None:
        out.skip("remote.type", f"{kind!r} is not a forge versionbot knows")


def _psr_author(value: object, out: _Out) -> None:
    if value is None:
        return
    text = value if isinstance(value, str) else None
    if isinstance(value, Mapping):
        if set(value) == {"name", "email"}:
            text = f"{value['name']} <{value['email']}>"
        else:  # {env = "GIT_COMMIT_AUTHOR", default = ...}
            out.skip(
                "commit_author",
                "versionbot reads no identity from the environment; set "
                "committer = { name, email } or let git's identity be used",
            )
            return
    match = re.fullmatch(r"\s*([^<]+?)\s*<([^>]+)>\s*", text or "")
    if match is None:
        out.skip("commit_author", f"{value!r} is not 'Name <email>'")
        return
    pair = (("name", match[1]), ("email", match[2]))
    out.set("committer", pair, "python-semantic-release commit_author", "commit_author")


# --- commitizen --------------------------------------------------------------------------------

_CZ_DROPPED = {
    "version": "versionbot reads the current version from the release tags, not from the config",
    "version_scheme": "versionbot versions are SemVer 2.0.0 (prereleases 1.0.0-rc.1, "
    "not PEP 440's 1.0.0rc1)",
    "version_type": "versionbot versions are SemVer 2.0.0",
    "legacy_tag_formats": "versionbot reads one tag_format; older tags count as no release",
    "ignored_tag_formats": "tags that do not match tag_format are ignored already",
    "changelog_incremental": "versionbot always adds only the missing releases "
    "(bot changelog --full rewrites)",
    "changelog_start_rev": "versionbot's changelog covers every release tag",
    "changelog_merge_prerelease": "a final release's notes already hold its prereleases' commits",
    "changelog_format": "versionbot writes Markdown",
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
_CZ_COMMIT_TOOLING = (
    "allow_abort",
    "allowed_prefixes",
    "use_shortcuts",
    "style",
    "encoding",
    "message_length_limit",
    "body_length_limit",
    "breaking_change_exclamation_in_title",
)
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
_PLACEHOLDER = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def translate_commitizen(table: Mapping[str, Any], where: str) -> Migration:
    """Translate a commitizen table (4.x keys) into versionbot settings and notes."""
    out = _Out(CZ)
    _cz_tag_format(table, out)
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
            _relative(table["changelog_file"]),
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
    handled = {
        "tag_format",
        "major_version_zero",
        "version_files",
        "version_provider",
        "bump_message",
        "name",
        "customize",
        "change_type_map",
        "change_type_order",
        "changelog_file",
        "gpg_sign",
        "update_changelog_on_bump",
    }
    for key in table:
        if key in handled:
            continue
        if key in _CZ_COMMIT_TOOLING:
            out.skip(key, "a setting of `cz commit` / `cz check`, which you may keep using")
        else:
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


def _cz_tag_format(table: Mapping[str, Any], out: _Out) -> None:
    value = table.get("tag_format", "$version")
    source = "tag_format" if "tag_format" in table else "tag_format (its default)"
    text, dropped = translate_placeholders(str(value))
    try:
        if dropped:
            raise ValueError
        TagFormat(text)
    except ValueError:
        out.skip("tag_format", f"{value!r}: only $version maps to a versionbot tag_format")
        return
    out.set("tag_format", text, f"commitizen {source} {value!r}", source)


def _cz_version_files(table: Mapping[str, Any], out: _Out) -> None:
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
    path = _relative(path)
    if any(c in path for c in "*?["):
        return None, "a glob: list each file in version_files"
    base = path.rsplit("/", 1)[-1]
    bare = regex.strip().strip("^$").strip("\"'").strip()
    if base in ("pyproject.toml", "package.json", "Cargo.toml") and bare in ("", "version"):
        return _checked(path)
    if not regex:
        return None, (
            "commitizen replaced the version wherever it appears in the file; say where it is: "
            f'"{path}:NAME" or "{path}:regex:<pattern with (?P<version>...)>"'
        )
    name = re.sub(r"\\s\*?|\s|=.*$", "", bare)  # "__version__\s*=" → "__version__"
    if re.fullmatch(r"[A-Za-z_][\w.-]*", name):
        return _checked(f"{path}:{name}")
    return None, (
        f'{regex!r} is a line pattern; write it as "{path}:regex:<pattern with (?P<version>...)>"'
    )


def _cz_bump_message(table: Mapping[str, Any], out: _Out) -> None:
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


def _cz_rules(table: Mapping[str, Any], out: _Out) -> None:
    name = table.get("name", "cz_conventional_commits")
    customize = table.get("customize", {})
    customize = customize if isinstance(customize, Mapping) else {}
    if name == "cz_conventional_commits":
        _bump_differences(_CZ_BUMP_MAP, out, "commitizen cz_conventional_commits")
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


def _cz_bump_map(customize: Mapping[str, Any], out: _Out) -> None:
    bump_map = customize.get("bump_map")
    if not isinstance(bump_map, Mapping):
        _bump_differences(_CZ_BUMP_MAP, out, "commitizen cz_customize")
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
    _bump_differences(rules, out, "commitizen customize.bump_map")


def _cz_sections(type_map: Mapping[str, Any], order: list[Any], out: _Out) -> None:
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


def version_files_of(migrations: Iterable[Migration]) -> list[str]:
    """The version files the peers declared, in order, each once."""
    specs: list[str] = []
    for migration in migrations:
        for setting in migration.settings:
            if setting.key == ("version_files",) and isinstance(setting.value, tuple):
                specs += [str(s) for s in setting.value if str(s) not in specs]
    return specs
