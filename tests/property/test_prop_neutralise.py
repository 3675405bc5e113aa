"""Properties of the one neutralisation (core/neutralise.py) and of the Markdown escaping built on
it: any text in, nothing out that moves a terminal, breaks a line, reorders or hides text, or
commands a CI runner."""

from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.changelog import escape_block, escape_inline, lines_of
from versionbot.core.neutralise import REPLACEMENT, in_json, in_template, inert_lines, neutralise

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What the table must hold, from the Unicode database rather than from the module's own list.
BIDI_CLASSES = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM", "ALM"}
# The invisible format characters the module names (its decision); the other Cf stay (joiners,
# soft hyphen, flag tags, script marks), so they are not derived from the category alone.
INVISIBLE = {0x180E, 0x200B, *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0xFEFF, 0xFFF9}
INVISIBLE |= {0xFFFA, 0xFFFB}
BIDI_MARKS = {0x061C, 0x200E, 0x200F}  # ALM, LRM, RLM: the database gives them the class AL, L, R


def forbidden(character: str) -> bool:
    """A character no neutralised text may hold."""
    if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
        return True
    if unicodedata.bidirectional(character) in BIDI_CLASSES:
        return True
    return ord(character) in INVISIBLE | BIDI_MARKS


# Text rich in the characters that matter (every forbidden one, found in the Unicode database, so
# that a character missing from the module's table is drawn), and any text at all.
FORBIDDEN = [chr(c) for c in range(0x30000) if forbidden(chr(c))]
TRICKY = st.sampled_from([*FORBIDDEN, "\t", "\u200d", ":", " ", "#", "[", "-"])
TEXT = st.one_of(st.text(), st.text(st.one_of(TRICKY, st.characters()), max_size=60))


def test_every_forbidden_character_is_replaced() -> None:
    """Exhaustive over the database's forbidden characters; the tab too."""
    assert len(FORBIDDEN) > 90
    assert [f"U+{ord(c):04X}" for c in FORBIDDEN if neutralise(c) != REPLACEMENT] == []


@SETTINGS
@given(TEXT)
def test_neutralised_text_holds_no_forbidden_character(text: str) -> None:
    out = neutralise(text)
    assert not [c for c in out if forbidden(c)], [f"U+{ord(c):04X}" for c in out if forbidden(c)]
    assert "\n" not in out
    assert len(out) == len(text)  # one for one: nothing hidden, nothing added


@SETTINGS
@given(TEXT)
def test_neutralise_is_idempotent_and_keeps_printable_text(text: str) -> None:
    once = neutralise(text)
    assert neutralise(once) == once
    assert all(b in (a, REPLACEMENT) for a, b in zip(text, once, strict=True))


def runner_lines(text: str) -> list[str]:
    """The lines the Actions runner reads: .NET's ReadLine ends one at CR, LF or CRLF."""
    return re.split(r"\r\n|\r|\n", text)


def is_workflow_command(line: str) -> bool:
    """What the runner obeys (ActionCommand.TryParseV2 after TrimStart, or TryParse's IndexOf of
    the older form), for any command name."""
    return line.lstrip().startswith("::") or "##[" in line


@SETTINGS
@given(st.lists(TEXT, max_size=8))
def test_no_printed_line_is_a_workflow_command(lines: list[str]) -> None:
    # Neutralised pieces on lines of their own, and raw text (a changelog file printed whole).
    for text in ("\n".join(neutralise(line) for line in lines), "\n".join(lines)):
        inert = inert_lines(text)
        assert not [line for line in runner_lines(inert) if is_workflow_command(line)]
        assert inert_lines(inert) == inert


@SETTINGS
@given(TEXT, TEXT)
def test_json_keeps_the_data_and_carries_nothing_raw(key: str, text: str) -> None:
    """``bot plan --json`` and the others: the document a parser reads is the same, and its
    bytes hold no character of the table and no workflow command."""
    data = {key: [text, {"n": None, key: text}]}
    written = in_json(json.dumps(data, indent=2, ensure_ascii=False))
    assert json.loads(written) == data
    structural = [c for c in written if forbidden(c) and c != "\n"]
    assert not structural, [f"U+{ord(c):04X}" for c in structural]
    assert not [line for line in runner_lines(written) if is_workflow_command(line)]
    assert in_json(written) == written


@SETTINGS
@given(TEXT)
def test_a_template_value_holds_nothing_but_line_feeds_and_tabs(text: str) -> None:
    out = in_template(text)
    assert not [c for c in out if forbidden(c) and c not in "\n\t"]
    assert [i for i, c in enumerate(out) if c in "\n\t"] == [
        i for i, c in enumerate(text) if c in "\n\t"
    ]
    assert in_template(out) == out


@SETTINGS
@given(TEXT)
def test_markdown_escaping_keeps_to_its_line(text: str) -> None:
    inline = escape_inline(text.replace("\n", " "))
    assert not [c for c in inline if forbidden(c) and c != "\t"]
    block = escape_block(text)
    assert not [c for c in block if forbidden(c) and c not in "\t\n"]


@SETTINGS
@given(TEXT)
def test_lines_end_only_at_a_line_feed(text: str) -> None:
    lines = lines_of(text)
    assert "".join(lines) == text
    assert all(line.endswith("\n") for line in lines[:-1])
    assert all("\n" not in line[:-1] for line in lines)
