"""Neutralise untrusted text (commit messages and what is built from them) before it is shown.

Pure: no I/O. Owns the one table of characters that commit text may not carry into a terminal,
a Markdown file, a release body, a job summary or an error:

* control characters: C0, DEL and C1, ANSI escapes among them, which would let a commit message
  move a terminal's cursor, clear its screen or set its title (``cat CHANGELOG.md``, ``bot
  plan``, ``git tag -n``);
* line and paragraph separators (U+2028, U+2029), which Python's ``splitlines`` and some
  editors take as line ends: a subject that holds one could forge a changelog heading;
* bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which reorder
  what is shown against what is stored (Trojan Source, CVE-2021-42574);
* invisible format characters that carry nothing but can hide text or make two different lines
  look alike: zero width space, word joiner and the invisible operators (U+200B, U+2060-U+2064),
  the deprecated format controls (U+206A-U+206F), the byte order mark (U+FEFF), the interlinear
  annotation controls (U+FFF9-U+FFFB) and the Mongolian vowel separator (U+180E). The other
  format characters stay, since text needs them: the zero width joiner and non-joiner (U+200C,
  U+200D: emoji sequences, Persian), the soft hyphen, the tag characters of flag emoji, and the
  marks some scripts render (Arabic number signs, the Syriac abbreviation mark, ...).

Each becomes U+FFFD, so that something stays visible where it was. ``neutralise`` replaces a tab
too (a report line, a table cell); the changelog's Markdown keeps tabs, which are text there
(``IN_MARKDOWN``).

A line a program prints is also read by the CI runner. GitHub Actions takes a line that starts
(after its leading white space) with ``::`` as a workflow command (``::add-mask::``,
``::stop-commands::``), and the older ``##[name]`` form anywhere in a line; it ends lines at a
carriage return as well as at a line feed. ``inert_lines`` breaks both in a text a program
prints: the first ``:`` of a command at a line start, and the first ``#`` of every ``##[``,
become U+FFFD.

JSON keeps its data exact: ``in_json`` writes every character of the table as a ``\\u`` escape
(``json.dumps`` leaves DEL, C1, the separators and the format characters raw when it is not
ASCII-only) and the ``#`` of ``##[`` as ``\\u0023``. A parser gets the same strings; the bytes
on a terminal or in a CI log carry nothing either would act on.

>>> neutralise("fix: \\x1b[2Jgone\\tnow") == "fix: \\ufffd[2Jgone\\ufffdnow"
True
>>> neutralise("fix: a\\u2028## 9.9.9 \\u202eevil") == "fix: a\\ufffd## 9.9.9 \\ufffdevil"
True
>>> inert_lines("notes\\n  ::add-mask::x\\n##[group]y\\rz ##[add-mask]w").split("\\n")
['notes', '  \\ufffd:add-mask::x', '\\ufffd#[group]y\\rz \\ufffd#[add-mask]w']
>>> in_json('{"s": "\\u202e##[x]"}')
'{"s": "\\\\u202e\\\\u0023#[x]"}'
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SEPARATORS = (0x2028, 0x2029)
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_INVISIBLE = (0x180E, 0x200B, *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0xFEFF)
_INVISIBLE += tuple(range(0xFFF9, 0xFFFC))
_CONTROL = (*range(0x20), *range(0x7F, 0xA0), *_SEPARATORS, *_BIDI, *_INVISIBLE)
_ON_A_TERMINAL = dict.fromkeys(_CONTROL, REPLACEMENT)
# What Markdown escaping (changelog.escape_inline) merges into its own one-pass table.
IN_MARKDOWN = {code: REPLACEMENT for code in _CONTROL if code != ord("\t")}
# A value a template writes into Markdown: the table but the line feed and the tab, which a
# template's own filters (md_block) put there on purpose.
_IN_TEMPLATE = {code: char for code, char in IN_MARKDOWN.items() if code != ord("\n")}
# A template may write a whole body at once (a macro's output): on text that is not ASCII, a
# regex finds and replaces in 0.06 s a 7 MB body that str.translate takes a second over.
_TEMPLATE_RAW = re.compile("[" + "".join(f"\\u{code:04x}" for code in _IN_TEMPLATE) + "]")
# json.dumps escapes C0 itself, and writes the rest of the table raw.
_IN_JSON = {code: f"\\u{code:04x}" for code in _CONTROL if code >= 0x20}
_JSON_RAW = re.compile("[" + "".join(f"\\u{code:04x}" for code in _IN_JSON) + "]")
# A line the runner reads starts after a line feed or a carriage return (.NET's ReadLine); it
# trims any white space before `::` (C#'s TrimStart), not only spaces and tabs.
_COMMAND_START = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = "##["  # found anywhere in a line (ActionCommand.TryParse: IndexOf)
_LEGACY_IN_JSON = re.compile(re.escape(_LEGACY_COMMAND))


def neutralise(text: str) -> str:
    """``text`` with every character of the table, a tab included, replaced by U+FFFD."""
    # Those are not printable: most text needs no (character by character) translate.
    return text if text.isprintable() else text.translate(_ON_A_TERMINAL)


def in_template(text: str) -> str:
    """A value a changelog or release-notes template writes: ``neutralise`` but for the line
    feeds and tabs, which Markdown needs (a user's template may leave out the ``md`` filter)."""
    if text.isprintable():
        return text
    return text.translate(_IN_TEMPLATE) if text.isascii() else _TEMPLATE_RAW.sub(REPLACEMENT, text)


def shortened(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of ``text`` (then "…"): what an error quotes of a value
    anyone may have written, one short line whatever its size (a 5,000-digit version)."""
    return text if len(text) <= limit else text[:limit] + "…"


def control_in(text: str) -> str | None:
    """The first character of the table in ``text`` as ``U+XXXX``, or None: what a value the
    configuration gives may not hold (a line break, an escape, a bidi control)."""
    found = next((char for char in text if ord(char) in _ON_A_TERMINAL), None)
    return None if found is None else f"U+{ord(found):04X}"


def inert_lines(text: str) -> str:
    """``text`` with no workflow command the CI runner would obey: what a program prints from
    commit text. A ``:`` or ``#`` that would start one becomes U+FFFD."""
    if "::" in text:
        text = _COMMAND_START.sub(lambda m: m[1] + REPLACEMENT, text)
    return text.replace(_LEGACY_COMMAND, REPLACEMENT + "#[")


def in_json(text: str) -> str:
    """JSON text (``json.dumps`` with ``ensure_ascii=False``) with every character of the table
    written as a ``\\u`` escape and no ``##[``: the same document to a parser, nothing a
    terminal or the CI runner acts on in its bytes."""
    # An ASCII string says so in O(1), and DEL is the table's one ASCII character json leaves
    # raw: a plan's 20 MB of commit lines are mostly that.
    if ("\x7f" in text) if text.isascii() else (_JSON_RAW.search(text) is not None):
        text = text.translate(_IN_JSON)
    # `#` and `[` together occur only inside a string, where `\u0023` is the same `#`.
    if _LEGACY_IN_JSON.search(text) is None:  # a regex finds it faster than str's `in`
        return text
    return text.replace(_LEGACY_COMMAND, "\\u0023#[")
