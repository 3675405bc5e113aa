"""The TOML values ``bot init`` writes, and their text.

Pure: no I/O. A value is a string, a flag, a list of strings, an inline table of strings, or a
table of its own (TomlTable); ``toml_value`` writes one as TOML, ``toml_key`` a key (quoted only
when it must be) and ``toml_string`` a basic string with every control character escaped, so
that whatever a peer's config held, the file written parses.
"""

from __future__ import annotations

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
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: TomlValue) -> str:
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


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
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
