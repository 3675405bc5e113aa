"""The TOML values ``bot init`` writes, and their text.

Pure: no I/O. A value is a string, a flag, a list of strings, an inline table of strings, or a
table of its own (TomlTable); ``toml_value`` writes one as TOML, ``toml_key`` a key (quoted only
when it must be) and ``toml_string`` a basic string with every control character escaped, so
that whatever a peer's config held, the file written parses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TomlTable:
    """A setting that is a table of its own (``[branches."release/*"]``), maybe empty."""

    items: tuple[tuple[str, str | bool], ...] = ()


# A TOML value bot init writes: a string, a flag, a list of strings, an inline table of strings,
# or a table of its own.
TomlValue = str | bool | tuple[str, ...] | tuple[tuple[str, str], ...] | TomlTable


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
