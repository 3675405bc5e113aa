"""``config_from_mapping``: the configuration from a table shaped like ``[tool.versionbot]``.

Pure: no I/O. Owns the top-level keys (an unknown one is an error naming it); the tables are read
by config_tables.py and config_packages.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from versionbot.core.branches import BranchRule, parse_branches
from versionbot.core.config import MODES, Config
from versionbot.core.config_packages import parse_packages
from versionbot.core.config_tables import (
    TOP_LEVEL_KEYS,
    check_one_line,
    parse_bump_rules,
    parse_changelog,
    parse_check,
    parse_choice,
    parse_flag,
    parse_images,
    parse_initial_version,
    parse_squash,
    parse_tag_format,
    parse_version_files,
)
from versionbot.core.errors import ConfigError
from versionbot.core.neutralise import control_in
from versionbot.core.ref_names import ref_name_problem


def config_from_mapping(mapping: Mapping[str, Any], source: str = "<mapping>") -> Config:
    """Build a Config from a dict shaped like the ``[tool.versionbot]`` table."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(
            f"{source} must be a table, not {type(mapping).__name__}",
            "write [tool.versionbot] as a table header, with its keys below it",
        )
    if "release_branches" in mapping:
        raise ConfigError(
            f"release_branches in {source} was replaced by the [branches] table",
            'write a table per release branch: [branches.main], [branches."release/*"]; '
            "see the README",
        )
    unknown = sorted(set(mapping) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in {source}",
            "known keys are: " + ", ".join(sorted(TOP_LEVEL_KEYS)),
        )
    defaults = Config()
    bump_rules = parse_bump_rules(mapping.get("bump", {}), source)
    changelog = parse_changelog(mapping.get("changelog", {}), source)
    config = Config(
        tag_format=parse_tag_format(mapping, source, defaults.tag_format),
        initial_version=parse_initial_version(mapping, source) or defaults.initial_version,
        major_on_zero=parse_flag(mapping, "major_on_zero", defaults.major_on_zero, source),
        minor_on_zero=parse_flag(mapping, "minor_on_zero", defaults.minor_on_zero, source),
        squash_commits=parse_squash(mapping, source),
        body_changes=parse_flag(mapping, "body_changes", defaults.body_changes, source),
        ignore_merge_commits=parse_flag(
            mapping, "ignore_merge_commits", defaults.ignore_merge_commits, source
        ),
        fetch_unshallow=parse_flag(mapping, "fetch_unshallow", defaults.fetch_unshallow, source),
        bump_rules=bump_rules,
        changelog=changelog,
        images=parse_images(mapping["images"], source) if "images" in mapping else None,
        branches=_branches(mapping, defaults.branches, source),
        version_files=parse_version_files(mapping, source),
        commit_message=_commit_message(mapping, defaults.commit_message, source),
        committer=_committer(mapping.get("committer"), source),
        sign_tags=parse_flag(mapping, "sign_tags", defaults.sign_tags, source),
        remote=_remote(mapping, defaults.remote, source),
        check=parse_check(mapping.get("check", {}), source, bump_rules, changelog),
        mode=parse_choice(
            mapping.get("mode", defaults.mode), MODES, "mode", source, TOP_LEVEL_KEYS["mode"]
        ),
        pr_branch=_pr_branch(mapping, defaults.pr_branch, source),
        source=source,
    )
    if "packages" not in mapping:
        return config
    return dataclasses.replace(config, packages=parse_packages(mapping, config, source))


def _branches(
    mapping: Mapping[str, Any], default: tuple[BranchRule, ...], source: str
) -> tuple[BranchRule, ...]:
    """``[branches]``: branches.py's rules, whose names (glob patterns) must be one line."""
    if "branches" not in mapping:
        return default
    table = mapping["branches"]
    for name in table if isinstance(table, Mapping) else ():
        if isinstance(name, str):
            check_one_line(name, f"branches in {source}", TOP_LEVEL_KEYS["branches"])
    return parse_branches(table, source)


def _text(mapping: Mapping[str, Any], key: str, default: str, source: str) -> str:
    value = mapping.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} in {source} must be a non-empty string", TOP_LEVEL_KEYS[key])
    return value


def _commit_message(mapping: Mapping[str, Any], default: str, source: str) -> str:
    value = _text(mapping, "commit_message", default, source)
    check_one_line(value, f"commit_message in {source}", TOP_LEVEL_KEYS["commit_message"])
    if "{version}" not in value:
        raise ConfigError(
            f"commit_message in {source} must be one line holding {{version}}, not {value!r}",
            TOP_LEVEL_KEYS["commit_message"],
        )
    return value


def _remote(mapping: Mapping[str, Any], default: str, source: str) -> str:
    """A name git takes as a remote's (``git remote add`` checks ``refs/remotes/NAME/x``), not
    an option."""
    value = _text(mapping, "remote", default, source)
    problem = "starts with '-'" if value.startswith("-") else None
    problem = problem or ref_name_problem(f"refs/remotes/{value}/x")
    if problem is not None:
        raise ConfigError(
            f"remote in {source} is not a git remote name: {value!r} {problem}",
            TOP_LEVEL_KEYS["remote"],
        )
    return value


_BRANCH_NAME = re.compile(r"(?!-)(?!.*(?:\.\.|@\{|//|/\.|\.lock(?:/|$)))[A-Za-z0-9._/-]+(?<![./])")


def _pr_branch(mapping: Mapping[str, Any], default: str, source: str) -> str:
    """A plain branch name (what ``git check-ref-format --branch`` accepts, narrowed to the
    characters a pull request's head can carry without quoting)."""
    value = _text(mapping, "pr_branch", default, source)
    if not _BRANCH_NAME.fullmatch(value) or value.startswith(("/", ".", "refs/")):
        raise ConfigError(
            f"pr_branch in {source} is not a branch name: {value!r}",
            TOP_LEVEL_KEYS["pr_branch"],
        )
    return value


def _committer(value: object, source: str) -> tuple[str, str] | None:
    hint = 'write committer = { name = "Release Bot", email = "bot@example.com" }'
    if value is None:
        return None
    if (
        not isinstance(value, Mapping)
        or set(value) != {"name", "email"}
        or not all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        raise ConfigError(f"committer in {source} must be a table with name and email", hint)
    for key in ("name", "email"):
        problem = _identity_problem(value[key], allow_space=key == "name")
        if problem is not None:
            raise ConfigError(f"committer.{key} in {source} {problem}", hint)
    return (value["name"], value["email"])


def _identity_problem(text: str, *, allow_space: bool) -> str | None:
    """Why ``text`` cannot be a git identity's name (or, without spaces, email): git writes
    ``name <email>`` on one line of the commit, so no line break, control character, '<'
    or '>' (nor bidi control) may be in either."""
    found = control_in(text)
    if found is not None:
        return f"holds the control character {found}"
    for char in text:
        if char in "<>":
            return f"holds {char!r}, which git uses to mark the email"
        if not allow_space and char.isspace():
            return "holds a space"
    return None
