"""Changelog escaping, checked by a real CommonMark parser (markdown-it-py) on any line.

Whatever a commit subject holds, ``- {escape_inline(subject)}`` must be one list item holding
one paragraph, with no HTML, link, image or emphasis in it, and must read back as the subject:
its code spans as code (the ones CommonMark would find in the subject itself), every other
character as text. That is "neutralise only what can break the document, keep the Markdown that
is safe".
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from versionbot.core.changelog import code_spans, escape_block, escape_inline, link_references
from versionbot.core.links import forge_links

SETTINGS = settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# What Markdown and HTML read, and letters and digits around them (intraword `_`, `a*b*c`).
ALPHABET = "`_*\\[]()<>!#-+=|~.:/ aZ09é"
LINES = st.text(alphabet=ALPHABET, max_size=40).map(str.strip)
PARSER = MarkdownIt("commonmark")


def _code_content(span: str) -> str:
    """A code span's content as CommonMark gives it: one space stripped from each side when
    both sides have one and it is not all spaces."""
    ticks = len(span) - len(span.lstrip("`"))
    inner = span[ticks:-ticks]
    if len(inner) >= 2 and inner[0] == inner[-1] == " " and inner.strip(" "):
        return inner[1:-1]
    return inner


def _rendered(line: str) -> list[tuple[str, str]]:
    """The inline tokens (type, content) of ``- {line}``, after checking the block structure."""
    tokens = PARSER.parse(f"- {line}\n")
    kinds = [t.type for t in tokens]
    if not line:
        assert kinds == [
            "bullet_list_open",
            "list_item_open",
            "list_item_close",
            "bullet_list_close",
        ]
        return []
    assert kinds == [
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
        "inline",
        "paragraph_close",
        "list_item_close",
        "bullet_list_close",
    ], (line, kinds)
    children = tokens[3].children or []
    return [(child.type, child.content) for child in children]


@SETTINGS
@given(LINES)
def test_a_line_renders_as_written_with_its_code_spans(subject: str) -> None:
    escaped = escape_inline(subject)
    rendered = _rendered(escaped)

    assert {kind for kind, _ in rendered} <= {"text", "code_inline"}, (subject, escaped, rendered)
    spans = code_spans(subject)
    assert [c for kind, c in rendered if kind == "code_inline"] == [
        _code_content(subject[start:end]) for start, end in spans
    ]
    prose, done = [], 0
    for start, end in spans:
        prose.append(subject[done:start])
        done = end
    prose.append(subject[done:])
    assert "".join(c for kind, c in rendered if kind == "text") == "".join(prose)


@SETTINGS
@given(LINES, st.integers(min_value=1, max_value=9999))
def test_references_are_linked_outside_code_spans_only(subject: str, number: int) -> None:
    links = forge_links("https://github.com/acme/app")
    assert links is not None
    line = f"#{number} `#{number}` {subject}"

    tokens = PARSER.parse(f"- {link_references(escape_inline(line), links)}\n")

    children = tokens[3].children or []
    linked = [c for c in children if c.type == "link_open"]
    assert f"#{number}" in [c.content for c in children if c.type == "code_inline"]
    assert linked[0].attrGet("href") == f"https://github.com/acme/app/issues/{number}"
    assert children[0].type == "link_open"


@SETTINGS
@given(st.lists(LINES, min_size=1, max_size=4).map("\n".join))
def test_a_note_stays_one_list_item_of_plain_paragraphs(note: str) -> None:
    tokens = PARSER.parse(f"- {escape_block(note)}\n")

    kinds = {t.type for t in tokens}
    assert kinds <= {
        "bullet_list_open",
        "bullet_list_close",
        "list_item_open",
        "list_item_close",
        "paragraph_open",
        "paragraph_close",
        "inline",
    }, (note, kinds)
    assert [t.type for t in tokens].count("list_item_open") == 1
    inline = {c.type for t in tokens if t.type == "inline" for c in t.children or []}
    assert inline <= {"text", "code_inline", "softbreak"}, (note, inline)
