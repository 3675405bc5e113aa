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

A line a program prints is also read by the CI runner: GitHub Actions takes one that starts (after
its leading white space) with ``::`` or ``##[`` as a workflow command (``::add-mask::``,
``::stop-commands::``). ``inert_lines`` breaks that start in every line of a text.

>>> neutralise("fix: \\x1b[2Jgone\\tnow") == "fix: \\ufffd[2Jgone\\ufffdnow"
True
>>> neutralise("fix: a\\u2028## 9.9.9 \\u202eevil") == "fix: a\\ufffd## 9.9.9 \\ufffdevil"
True
>>> inert_lines("notes\\n  ::add-mask::x\\n##[group]y").split("\\n")
['notes', '  \\ufffd:add-mask::x', '\\ufffd#[group]y']
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
# A workflow command, `::name ...::` or the older `##[name ...]`, after leading white space: the
# runner trims any white space (C#'s Trim), not only spaces and tabs.
_WORKFLOW_COMMAND = re.compile(r"^([^\S\n]*)(?::(?=:)|#(?=#\[))", re.MULTILINE)


def neutralise(text: str) -> str:
    """``text`` with every character of the table, a tab included, replaced by U+FFFD."""
    # Those are not printable: most text needs no (character by character) translate.
    return text if text.isprintable() else text.translate(_ON_A_TERMINAL)


def inert_lines(text: str) -> str:
    """``text`` with the first character of each workflow command replaced by U+FFFD: what a
    program prints from commit text, so that the CI runner reading it obeys none."""
    if "::" not in text and "##[" not in text:
        return text
    return _WORKFLOW_COMMAND.sub(lambda m: m[1] + REPLACEMENT, text)
