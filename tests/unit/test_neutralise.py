"""The one table of control characters: what a terminal and the changelog's Markdown get."""

from __future__ import annotations

import doctest

from hypothesis import given
from hypothesis import strategies as st

import versionbot.core.neutralise
from versionbot.core.changelog import escape_inline
from versionbot.core.neutralise import neutralise

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
    assert all(a == b for a, b in zip(text, clean, strict=True) if ord(a) not in CONTROL)
