"""The one table of control characters: what a terminal and the changelog's Markdown get."""

from __future__ import annotations

import doctest
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import versionbot.core.neutralise
from versionbot.core.changelog import escape_inline
from versionbot.core.neutralise import in_json, in_template, inert_lines, neutralise

CONTROL = [*range(0x20), *range(0x7F, 0xA0)]


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.neutralise).failed == 0


def test_every_control_character_becomes_the_replacement_character() -> None:
    text = "".join(map(chr, CONTROL))
    assert neutralise(text) == "\ufffd" * len(CONTROL)
    # The changelog's Markdown keeps a tab, and neutralises the rest in the same pass.
    assert escape_inline(text) == "\ufffd" * 9 + "\t" + "\ufffd" * (len(CONTROL) - 10)


@given(st.text())
def test_neutralised_text_has_no_control_character_and_keeps_the_rest(text: str) -> None:
    clean = neutralise(text)
    assert len(clean) == len(text)
    assert not any(ord(c) in CONTROL for c in clean)
    # Only controls, line and paragraph separators and format characters (bidi, invisible)
    # are replaced: every other character is kept.
    for before, after in zip(text, clean, strict=True):
        if unicodedata.category(before) not in ("Cc", "Zl", "Zp", "Cf"):
            assert after == before
        assert after in (before, "\ufffd")


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        # The runner ends a line at a carriage return too, and trims white space before `::`.
        ("a\r::add-mask::x", "a\r\ufffd:add-mask::x"),
        ("a\r\n \x0b::stop-commands::t", "a\r\n \x0b\ufffd:stop-commands::t"),
        ("\u3000::set-output name=x::y", "\u3000\ufffd:set-output name=x::y"),
        # The older form counts anywhere in a line.
        ("fix: see ##[add-mask]secret", "fix: see \ufffd#[add-mask]secret"),
        ("###[x]", "#\ufffd#[x]"),
        # Not a command: `::` after other text, one `#`.
        ("a ::b:: #[c]", "a ::b:: #[c]"),
    ],
)
def test_inert_lines(text: str, inert: str) -> None:
    assert inert_lines(text) == inert
    assert inert_lines(inert) == inert


def test_json_keeps_the_data_and_writes_the_table_as_escapes() -> None:
    hostile = "a\x7f\x9b\u2028\u202e\ufeff##[add-mask]b\x1b"
    document = json.dumps({"s": hostile, "l": [hostile]}, indent=2, ensure_ascii=False)
    written = in_json(document)
    assert json.loads(written) == {"s": hostile, "l": [hostile]}
    assert written.isascii()
    assert "##[" not in written
    assert "\\u009b\\u2028\\u202e\\ufeff\\u0023#[" in written
    assert in_json("[1]") == "[1]"


def test_a_template_value_keeps_its_line_feeds_and_tabs() -> None:
    assert in_template("a\n\tb\r\u2028\u202e\x1b") == "a\n\tb" + "\ufffd" * 4
    assert in_template("a\n\u00e9\u202e") == "a\n\u00e9\ufffd"  # not ASCII: the regex path
