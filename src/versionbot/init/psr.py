"""Migration from python-semantic-release: its table found and translated into versionbot's.

Pure: no I/O. Reads python-semantic-release 10.x keys (``semantic_release/cli/config.py``) and
7.x's where they differ. Its defaults differ from ours where it matters: a breaking change on
0.x goes to 1.0.0 (major_on_zero), and since 9.0 it never releases 0.x at all
(allow_zero_version = false); both are written out, so that a migrated project keeps releasing
the versions it released before. The key mapping is tabled in docs/init.md.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from typing import Any

from versionbot.core.changelog import INSERT_MARKER
from versionbot.core.history import TagFormat
from versionbot.core.version import is_valid_prerelease_token
from versionbot.init.proposal import (
    Migration,
    TomlTable,
    Translation,
    bump_differences,
    checked_spec,
    peer_document,
    relative_path,
)

PSR = "python-semantic-release"

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
        "feat", "fix", "perf", "build", "chore", "ci", "docs", "style", "refactor", "test",
    ),
}  # fmt: skip
_PSR_FORGES = {"github": "github", "gitlab": "gitlab", "gitea": "gitea", "bitbucket": "bitbucket"}


def find_psr(files: Mapping[str, str]) -> Migration | None:
    """python-semantic-release's table in ``files`` (path → text), translated. Looked for where
    it looks: pyproject.toml ``[tool.semantic_release]``, releaserc.toml / releaserc.json
    (``semantic_release``) and, for 7.x, setup.cfg ``[semantic_release]``."""
    for name in ("pyproject.toml", "releaserc.toml", "releaserc.json"):
        document = peer_document(name, files.get(name))
        if document is None:
            continue
        table = document.get("tool", {}).get("semantic_release", document.get("semantic_release"))
        if isinstance(table, Mapping):
            where = f"{name} [tool.semantic_release]" if name == "pyproject.toml" else name
            return translate_psr(table, where)
    legacy = _setup_cfg_table(files.get("setup.cfg"))
    if legacy is None:
        return None
    return translate_psr(legacy, "setup.cfg [semantic_release]", legacy=True)


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
        if key in ("version_variable", "version_toml", "version_pattern"):  # lists
            table[key] = [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
        elif value.strip().lower() in ("true", "false"):
            table[key] = value.strip().lower() == "true"
        else:
            table[key] = value.strip()
    return table


def translate_psr(table: Mapping[str, Any], where: str, *, legacy: bool = False) -> Migration:
    """Translate a python-semantic-release table (10.x keys, and 7.x's where they differ).

    ``legacy`` marks a 7.x setup.cfg: 7.x allowed 0.x versions and had no allow_zero_version.
    """
    out = Translation(PSR)
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
    handled = (
        "tag_format", "major_on_zero", "allow_zero_version", "commit_message", "commit_subject",
        "version_toml", "version_variables", "version_variable", "version_pattern",
        "commit_parser", "commit_parser_options", "branches", "branch", "changelog",
        "changelog_file", "remote", "hvcs", "commit_author",
    )  # fmt: skip
    for key in table:
        if key not in handled:
            out.skip(key, _PSR_DROPPED.get(key, "versionbot has no such setting"))
    return Migration(PSR, where, tuple(out.settings), tuple(out.notes))


def _psr_tag_format(table: Mapping[str, Any], out: Translation) -> None:
    value = table.get("tag_format", "v{version}")
    try:
        TagFormat(value) if isinstance(value, str) else TagFormat("")
    except ValueError:
        out.skip("tag_format", f"{value!r} does not hold {{version}} exactly once")
        return
    out.set("tag_format", value, f"python-semantic-release tag_format {value!r}", "tag_format")


def _psr_zero(table: Mapping[str, Any], out: Translation, *, legacy: bool) -> None:
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


def _psr_version_files(table: Mapping[str, Any], out: Translation) -> None:
    specs: list[str] = []
    for key in ("version_toml", "version_variables", "version_variable", "version_pattern"):
        entries = table.get(key, [])
        if not isinstance(entries, str | list):
            out.skip(key, "not a list of strings")
            continue
        for entry in [entries] if isinstance(entries, str) else entries:
            spec, why = _psr_spec(key, str(entry))
            if spec is None:
                out.skip(f"{key} {entry!r}", why)
            elif spec not in specs:
                specs.append(spec)
    if specs:
        out.set("version_files", tuple(specs), "python-semantic-release's version files", "")


def _psr_spec(key: str, entry: str) -> tuple[str | None, str]:
    """An entry of version_toml (``path:key``) or version_variable(s) (``path:NAME``), with an
    optional ``:tf``, or of version_pattern (``path:text with {version}``), as a version file."""
    path, _, rest = entry.partition(":")
    path = relative_path(path)
    if key == "version_pattern":
        if rest.count("{version}") != 1:
            return None, "the pattern holds no {version}"
        regex = rest.replace("{version}", r"(?P<version>[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*)")
        return checked_spec(f"{path}:regex:{regex}")
    name, _, stamp = rest.partition(":")
    if stamp == "tf":
        return None, "versionbot writes the bare version, never the tag (':tf')"
    if key == "version_toml":
        return _psr_toml_spec(path, name)
    if name == "*":  # the whole file is the version
        return checked_spec(f"{path}:regex:\\A\\s*(?P<version>\\S+)")
    return checked_spec(f"{path}:{name}")


def _psr_toml_spec(path: str, key: str) -> tuple[str | None, str]:
    if (path.rsplit("/", 1)[-1], key) in (
        ("pyproject.toml", "project.version"),
        ("pyproject.toml", "tool.poetry.version"),
        ("Cargo.toml", "package.version"),
        ("Cargo.toml", "workspace.package.version"),
    ):
        return checked_spec(path)
    name = key.rsplit(".", 1)[-1]
    if not name:
        return None, "it names no key"
    # Another TOML file: versionbot's NAME form reads the first `name = "..."` line, which is
    # where such a key sits in practice (docs/init.md says so).
    return checked_spec(f"{path}:{name}")


def _psr_commit_message(table: Mapping[str, Any], out: Translation) -> None:
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


def _psr_parser(table: Mapping[str, Any], out: Translation) -> None:
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
    if isinstance(options.get("ignore_merge_commits"), bool):
        flag = "ignore_merge_commits"
        out.set(flag, options[flag], f"python-semantic-release {flag}", flag)
    squash = options.get("parse_squash_commits")
    if isinstance(squash, bool):
        # PSR splits every squash body, whatever its title: "always" keeps its releases.
        out.set(
            "squash_commits",
            "always" if squash else False,
            "python-semantic-release parse_squash_commits (every squash body)",
            "parse_squash_commits",
        )
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


def _psr_bump_rules(options: Mapping[str, Any], out: Translation) -> None:
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
    bump_differences(rules, out, "python-semantic-release commit_parser_options")


def _psr_branches(table: Mapping[str, Any], out: Translation) -> None:
    """PSR's branches become ``[branches."<glob>"]`` tables; a prerelease branch keeps its token."""
    if isinstance(table.get("branch"), str) and table["branch"].strip():  # 7.x: one branch
        name = str(table["branch"]).strip()
        out.set(("branches", name), TomlTable(), "python-semantic-release branch", "branch")
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
                out.set(("branches", glob), TomlTable(items), comment, f"branches.{name}")


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


def _psr_changelog(table: Mapping[str, Any], out: Translation) -> None:
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
        out.set("changelog.file", relative_path(file), "python-semantic-release changelog file", "")
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
        output = str(templates.get("output_format", "md")).lower()
        rst = output == "rst" and isinstance(file, str) and file.lower().endswith(".rst")
        if output not in ("md", "markdown", "none") and not rst:
            out.skip(
                "changelog.default_templates.output_format",
                "versionbot writes reStructuredText to a changelog.file ending in .rst, "
                "Markdown to any other",
            )
        if templates.get("mask_initial_release") is False:
            out.skip(
                "changelog.default_templates.mask_initial_release",
                "versionbot lists the first release's commits like any other's",
            )


def _psr_remote(table: Mapping[str, Any], out: Translation) -> None:
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


def _psr_author(value: object, out: Translation) -> None:
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
