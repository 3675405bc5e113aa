"""The proposal of ``bot init`` as commented TOML: a ``versionbot.toml`` or the
``[tool.versionbot]`` section of pyproject.toml, always one that ``config_from_mapping`` accepts.

Pure: no I/O. Settings come in the proposal's order, each with its comment above it; a key
under a table (``changelog.file``) opens that table once, and a TomlTable setting is a table of
its own (``[branches.next]``). Keys are quoted only when they must be, and strings escape every
control character, so that whatever a peer's config held, the file written parses.
"""

from __future__ import annotations

import json
import re

from versionbot.init.proposal import Proposal, TomlTable, TomlValue

TITLE = "# versionbot's release settings, written by `bot init`"


def render_toml(proposal: Proposal, *, embedded: bool, newline: str = "\n") -> str:
    """The proposal as ``[tool.versionbot]`` tables (``embedded``) for pyproject.toml, or as
    top-level keys and tables for versionbot.toml."""
    prefix = "tool.versionbot" if embedded else ""
    lines = [f"{TITLE} (see docs/init.md)."]
    sources = ", ".join(f"{m.tool} ({m.where})" for m in proposal.migrated_from)
    if sources:
        lines.append(f"# Migrated from {sources}.")
    if embedded:
        lines.append("[tool.versionbot]")
    table: tuple[str, ...] = ()
    for setting in proposal.settings:
        if isinstance(setting.value, TomlTable):  # a table of its own, e.g. [branches.next]
            table = setting.key
            header = ".".join(p for p in (prefix, *map(toml_key, table)) if p)
            lines.append("")
            lines += [f"# {line}" for line in _comment_lines(setting.comment)]
            lines.append(f"[{header}]")
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in setting.value.items]
            continue
        parent = setting.key[:-1]
        if parent != table:
            table = parent
            header = ".".join(p for p in (prefix, *map(toml_key, parent)) if p)
            lines += ["", f"[{header}]"]
        if setting.key == ("version_files",) and proposal.suggestions:
            lines.append(
                "# Also holding a version (add to keep it in step): "
                + ", ".join(proposal.suggestions)
            )
        lines += [f"# {line}" for line in _comment_lines(setting.comment)]
        lines.append(f"{toml_key(setting.key[-1])} = {toml_value(setting.value)}")
    if proposal.suggestions and not any(s.key == ("version_files",) for s in proposal.settings):
        lines.append("# Holding a version: " + ", ".join(proposal.suggestions))
        lines.append(
            "# version_files = [" + ", ".join(map(toml_string, proposal.suggestions)) + "]"
        )
    return newline.join(lines) + newline


def _comment_lines(comment: str) -> list[str]:
    return [" ".join(line.split()) for line in comment.splitlines() if line.strip()]


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else a quoted string."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: TomlValue) -> str:
    """A value as TOML writes it inline (a TomlTable as an inline table)."""
    if isinstance(value, TomlTable):
        pairs = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items)
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if value and isinstance(value[0], tuple):
        pairs = ", ".join(f"{toml_key(str(k))} = {toml_string(str(v))}" for k, v in value)
        return "{ " + pairs + " }"
    return "[" + ", ".join(toml_string(str(item)) for item in value) + "]"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    # JSON's string escapes are exactly TOML's basic-string ones, but TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
