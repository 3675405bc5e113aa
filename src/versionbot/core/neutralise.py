"""Neutralise untrusted text (commit messages and what is built from them) before it is shown.

Pure: no I/O. Owns the one table of control characters: C0, DEL and C1, ANSI escapes among
them, which would let a commit message move a terminal's cursor, clear its screen or set its
title (``cat CHANGELOG.md``, ``bot plan``, ``git tag -n``). Each becomes U+FFFD, so that
something stays visible where it was. ``neutralise`` replaces a tab too (a report line, a table
cell); the changelog's Markdown keeps tabs, which are text there (``IN_MARKDOWN``).

>>> neutralise("fix: \\x1b[2Jgone\\tnow") == "fix: \\ufffd[2Jgone\\ufffdnow"
True
"""

from __future__ import annotations

_REPLACEMENT = "\ufffd"
_CONTROL = (*range(0x20), *range(0x7F, 0xA0))
_ON_A_TERMINAL = dict.fromkeys(_CONTROL, _REPLACEMENT)
# What Markdown escaping (changelog.escape_inline) merges into its own one-pass table.
IN_MARKDOWN = {code: _REPLACEMENT for code in _CONTROL if code != ord("\t")}


def neutralise(text: str) -> str:
    """``text`` with every control character, a tab included, replaced by U+FFFD."""
    # Control characters are not printable: most text needs no (character by character) translate.
    return text if text.isprintable() else text.translate(_ON_A_TERMINAL)
