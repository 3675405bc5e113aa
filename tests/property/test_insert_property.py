"""``insert_sections`` keeps every byte it was given and, run again, changes nothing.

Each example is a changelog as people write them: an optional title and introduction, an optional
insertion marker, release headings in several shapes (in version order, as a changelog keeps
them) with bodies, hand-written paragraphs anywhere, LF or CRLF, with or without a final newline.
The sections to insert are rendered the way ``update_changelog`` renders them.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.changelog import INSERT_MARKER, insert_sections, versions_in
from versionbot.core.errors import ChangelogError
from versionbot.core.version import Version

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Line separators str.splitlines knows besides \n and \r are left out: a changelog line is a line.
_SEPARATORS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
FREE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=_SEPARATORS),
    max_size=30,
).filter(lambda line: not line.lstrip().startswith("#") and line.strip() != INSERT_MARKER)
FREE_LINE = st.one_of(
    FREE_TEXT,
    st.sampled_from(
        ["", "", "- an entry (abc1234)", "### Features", "> a note", "<details>x</details>"]
    ),
)
VERSIONS = st.builds(
    Version,
    st.integers(0, 4),
    st.integers(0, 4),
    st.integers(0, 4),
    st.sampled_from([(), (), ("rc", "1"), ("rc", "2"), ("beta", "1")]),
)
HEADING_SHAPES = st.sampled_from(
    ["## [{v}](https://x/compare/a...b) (2026-01-01)", "## {v} (2026-01-01)", "## v{v}", "# [{v}]"]
)


@st.composite
def examples(draw: st.DrawFn) -> tuple[str, dict[Version, str], str]:
    """A changelog text, the sections to insert, and the file's line ending (both use it).

    The text: header, marker or not, headings in version order, free lines anywhere. The
    sections: heading, body, one blank line, as ``update_changelog`` renders them.
    """
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["# Changelog", "", *draw(st.lists(FREE_LINE, max_size=3))]
    if draw(st.booleans()):
        lines += [INSERT_MARKER, *draw(st.sampled_from([[""], [], ["", ""]]))]
    versions = sorted(draw(st.sets(VERSIONS, max_size=5)), reverse=True)
    for version in versions:
        lines.append(draw(HEADING_SHAPES).format(v=version))
        lines += draw(st.lists(FREE_LINE, max_size=4))
    text = newline.join(lines)
    if text and draw(st.booleans()):
        text += newline
    if newline not in text:
        newline = "\n"  # a file with no line break is LF, as update_changelog decides
    chosen = draw(st.sets(VERSIONS, max_size=4))
    new = {
        v: f"## [{v}](https://x/compare/a...b) (2026-11-28){newline}{newline}- new {v}{newline}"
        f"{newline}"
        for v in chosen
    }
    return text, new, newline


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    """True when ``needles`` appear in ``haystack`` in the same order (not necessarily together)."""
    remaining = iter(haystack)
    return all(any(item == candidate for candidate in remaining) for item in needles)


def added_characters(original: str, result: str) -> str | None:
    """The characters ``result`` has on top of ``original`` if it is ``original`` with some
    characters added (in order), else None."""
    added: list[str] = []
    position = 0
    for char in result:
        if position < len(original) and char == original[position]:
            position += 1
        else:
            added.append(char)
    return "".join(added) if position == len(original) else None


@SETTINGS
@given(examples())
def test_insert_keeps_every_line_in_order_and_is_idempotent(
    example: tuple[str, dict[Version, str], str],
) -> None:
    text, new, newline = example
    try:
        once = insert_sections(text, new, "CHANGELOG.md")
    except ChangelogError:
        # Only a file with neither a marker nor a release heading has no insertion point, and
        # only when something is missing.
        assert INSERT_MARKER not in text
        assert not versions_in(text)
        assert any(str(v) not in versions_in(text) for v in new)
        return

    assert is_subsequence(text.splitlines(), once.splitlines())
    assert insert_sections(once, new, "CHANGELOG.md") == once
    present = versions_in(text)
    missing = {str(v) for v in new} - present
    if not missing:
        assert once == text
        return
    assert versions_in(once) == present | missing
    # Take the inserted sections out again: what is left is the original plus, at most, the
    # line ending and blank line that separate a section from the text before it.
    leftover = once
    for version in sorted(new, reverse=True):
        if str(version) in missing:
            assert leftover.count(new[version]) >= 1
            leftover = leftover.replace(new[version], "", 1)
    added = added_characters(text, leftover)
    assert added is not None
    # At most one line ending (the file's last line lacked one) and one blank line per place a
    # section went: above the first section at the top, and at the end.
    assert added.replace(newline, "") == ""
    assert len(added) <= len(newline) * (1 + min(len(missing), 2))


@SETTINGS
@given(examples())
def test_insert_keeps_the_line_ending_of_the_file(
    example: tuple[str, dict[Version, str], str],
) -> None:
    text, new, newline = example
    if newline != "\r\n" or (INSERT_MARKER not in text and not versions_in(text)):
        return

    once = insert_sections(text, new, "CHANGELOG.md")

    assert "\n" not in once.replace("\r\n", "")


@SETTINGS
@given(examples())
def test_text_above_the_marker_is_untouched(example: tuple[str, dict[Version, str], str]) -> None:
    text, new, _ = example
    if INSERT_MARKER not in text:
        return
    head = text[: text.index(INSERT_MARKER) + len(INSERT_MARKER)]

    once = insert_sections(text, new, "CHANGELOG.md")

    assert once.startswith(head)


@SETTINGS
@given(examples())
def test_headings_below_the_marker_stay_in_version_order(
    example: tuple[str, dict[Version, str], str],
) -> None:
    text, new, _ = example
    if INSERT_MARKER not in text and not versions_in(text):
        return

    once = insert_sections(text, new, "CHANGELOG.md")

    body = once.split(INSERT_MARKER, 1)[-1]
    order = [
        Version.parse(sorted(versions_in(line))[0])
        for line in body.splitlines()
        if versions_in(line)
    ]
    assert order == sorted(order, reverse=True)
