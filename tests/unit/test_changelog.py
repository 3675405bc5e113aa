"""The changelog model, the escaping of commit text, the insertion of sections, and rendering.

``versionbot.core.changelog`` is pure, so most of this file calls it with hand-made commits and
texts.
The last part renders with ``versionbot.files.render.Renderer`` (Jinja, the built-in templates from
disk, a user folder in ``tmp_path``): no git is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from versionbot.core.changelog import (
    INSERT_MARKER,
    ReleaseInfo,
    ReleaseNotes,
    escape_block,
    escape_inline,
    insert_sections,
    link_references,
    release_notes,
    utc_date,
    versions_in,
)
from versionbot.core.commits import ParsedCommit, parse_commit
from versionbot.core.config import DEFAULT_SECTIONS
from versionbot.core.errors import ChangelogError, TemplateError, UsageError
from versionbot.core.links import ForgeLinks
from versionbot.core.version import Version
from versionbot.files.render import Renderer

GITHUB = ForgeLinks("https://github.com/acme/app", "github")
GITLAB = ForgeLinks("https://gitlab.com/acme/app", "gitlab")


def parsed(message: str) -> ParsedCommit:
    result = parse_commit(message)
    assert isinstance(result, ParsedCommit), result
    return result


def notes_of(
    messages: Sequence[str],
    *,
    version: str = "1.4.0",
    previous: str | None = "v1.3.0",
    links: ForgeLinks | None = GITHUB,
    sections: dict[str, str] | None = None,
    date: str | None = "2026-11-28",
) -> ReleaseNotes:
    """The notes of a release whose commits are ``messages``, newest first; shas 1, 2, 3 ..."""
    info = ReleaseInfo(Version.parse(version), f"v{version}", previous, date)
    commits = [(f"{n:040x}", parsed(m)) for n, m in enumerate(messages, start=1)]
    return release_notes(info, commits, sections or dict(DEFAULT_SECTIONS), links)


# -- release_notes ------------------------------------------------------------------------


def test_groups_follow_the_configured_order_and_hide_other_types() -> None:
    notes = notes_of(
        [
            "revert: feat: x",
            "docs: readme",
            "perf: faster",
            "fix(api): b",
            "chore: tidy",
            "feat: a",
            "fix: c",
        ]
    )

    assert [(g.type, g.title) for g in notes.groups] == [
        ("feat", "Features"),
        ("fix", "Bug fixes"),
        ("perf", "Performance"),
        ("revert", "Reverts"),
    ]
    fixes = notes.groups[1].entries
    assert [(e.scope, e.description) for e in fixes] == [("api", "b"), (None, "c")]
    assert not notes.breaking
    assert not notes.empty


def test_configured_sections_show_other_types() -> None:
    notes = notes_of(
        ["docs: readme", "feat: a", "chore: tidy"],
        sections={"docs": "Documentation", "feat": "New"},
    )

    assert [(g.type, g.title) for g in notes.groups] == [
        ("docs", "Documentation"),
        ("feat", "New"),
    ]


def test_breaking_entries_are_listed_whatever_their_type() -> None:
    notes = notes_of(
        [
            "chore!: drop Python 3.10",
            "feat(api)!: remove v1\n\nBREAKING CHANGE: the /v1 routes are gone.\nUse /v2.",
            "fix: normal",
        ]
    )

    assert [e.type for e in notes.breaking] == ["chore", "feat"]
    assert notes.breaking[0].breaking_notes == ("drop Python 3.10",)
    assert notes.breaking[1].breaking_notes == ("the /v1 routes are gone.\nUse /v2.",)
    # chore is hidden as a group, but its breaking change is not
    assert [g.type for g in notes.groups] == ["feat", "fix"]


def test_links_and_references() -> None:
    notes = notes_of(
        [
            "fix(ui): close the menu (#12)\n\nCloses #9\nRefs: #12, !4\n"
            "Co-authored-by: Ann <ann@example.com> #3\nSigned-off-by: B #5\n"
        ]
    )
    entry = notes.groups[0].entries[0]

    assert entry.sha == f"{1:040x}"
    assert entry.short_sha == entry.sha[:7]
    assert entry.commit_url == f"https://github.com/acme/app/commit/{entry.sha}"
    assert [(r.label, r.url, r.action) for r in entry.references] == [
        ("#9", "https://github.com/acme/app/issues/9", "closes"),
        ("!4", "https://github.com/acme/app/pull/4", "refs"),
    ]
    assert notes.compare_url == "https://github.com/acme/app/compare/v1.3.0...v1.4.0"
    assert notes.date == "2026-11-28"
    assert notes.version == "1.4.0"
    assert notes.tag == "v1.4.0"
    assert notes.previous_tag == "v1.3.0"
    assert notes.is_prerelease is False


def test_first_release_links_the_tree_and_no_links_without_a_forge() -> None:
    first = notes_of(["feat: a"], version="0.1.0", previous=None)
    plain = notes_of(["feat: a\n\nCloses #9"], links=None)

    assert first.compare_url == "https://github.com/acme/app/tree/v0.1.0"
    assert plain.compare_url is None
    entry = plain.groups[0].entries[0]
    assert entry.commit_url is None
    assert [(r.label, r.url) for r in entry.references] == [("#9", None)]


def test_prerelease_and_empty_notes() -> None:
    notes = notes_of(["docs: only docs", "chore: and chores"], version="2.0.0-rc.1")

    assert notes.is_prerelease is True
    assert notes.groups == ()
    assert notes.breaking == ()
    assert notes.empty is True


def test_utc_date() -> None:
    assert utc_date(0) == "1970-01-01"
    assert utc_date(1_795_867_200) == "2026-11-28"
    assert utc_date(1_704_067_199) == "2023-12-31"


# -- escaping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words", "plain words"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[link](x)", "\\[link\\](x)"),
        ("![img](y)", "!\\[img\\](y)"),
        ("`code`", "`code`"),
        ("`a` b` c", "`a` b\\` c"),  # the third backtick closes nothing
        ("``a`b`` and `<b>`", "``a`b`` and `<b>`"),  # a code span shows its content as it is
        ("``a`", "\\`\\`a\\`"),
        ("a\\`x`", "a\\\\`x`"),  # a backslash is text: the span after it stays one
        ("*bold* _em_", "\\*bold\\* \\_em\\_"),
        ("snake_case a__b __init__ _x", "snake_case a__b \\_\\_init\\_\\_ \\_x"),
        ("a\\b", "a\\\\b"),
        ("{{ 7*7 }} {% raw %}", "{{ 7\\*7 }} {% raw %}"),
    ],
)
def test_escape_inline(text: str, escaped: str) -> None:
    assert escape_inline(text) == escaped


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# heading", "\\# heading"),
        ("## 9.9.9", "\\## 9.9.9"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("2) item", "2\\) item"),
    ],
)
def test_escape_inline_neutralises_a_block_start(text: str, escaped: str) -> None:
    """The text follows a list bullet (``- {{ description | md }}``), where CommonMark starts a
    block: ``- # x`` is a heading inside the item. So a leading block marker is escaped."""
    assert escape_inline(text) == escaped


@pytest.mark.parametrize(
    "text", ["#12 is fixed", "#hashtag", "-1 is allowed", "1.5 times faster", "+1 for this"]
)
def test_escape_inline_leaves_what_is_not_a_block_start(text: str) -> None:
    """``#12`` must stay a bare reference, so ``link_references`` can link it."""
    assert escape_inline(text) == text


def test_escape_block_keeps_a_note_inside_its_item() -> None:
    note = "first line\n# heading\n=====\n- item\n> quote\n| a | b |\n  <div>x</div>\n+ plus"

    assert escape_block(note) == (
        "first line\n"
        "  \\# heading\n"
        "  \\=====\n"
        "  \\- item\n"
        "  &gt; quote\n"
        "  \\| a | b |\n"
        "  &lt;div&gt;x&lt;/div&gt;\n"
        "  \\+ plus"
    )
    assert escape_block(note, indent="    ").splitlines()[1] == "    \\# heading"


def test_escape_block_neutralises_its_first_line_too() -> None:
    """The first line follows the bullet, which starts a block as much as a line start does."""
    assert escape_block("# not a heading\nsecond") == "\\# not a heading\n  second"


@pytest.mark.parametrize(
    ("text", "links", "linked"),
    [
        ("see #12", GITHUB, "see [#12](https://github.com/acme/app/issues/12)"),
        ("see !7", GITLAB, "see [!7](https://gitlab.com/acme/app/-/merge_requests/7)"),
        ("(#12)", GITHUB, "([#12](https://github.com/acme/app/issues/12))"),
        ("see #12", None, "see #12"),
        ("a#12 and &#12; and x/#12", GITHUB, "a#12 and &#12; and x/#12"),
        ("#12abc", GITHUB, "#12abc"),
    ],
)
def test_link_references(text: str, links: ForgeLinks | None, linked: str) -> None:
    assert link_references(text, links) == linked


# -- versions_in --------------------------------------------------------------------------


def test_versions_in_reads_the_common_heading_shapes() -> None:
    text = "\n".join(
        [
            "# Changelog",
            "## [1.4.0](https://x/compare/v1.3.0...v1.4.0) (2026-11-28)",
            "## 1.3.0 (2026-01-01)",
            "## v1.2.0",
            "# [1.1.0]",
            "### 1.0.0-rc.1",
            "## [0.9.0+build.5] - 2025-01-01",
            "#### 0.1.0",
            "- 0.2.0 in a list",
            "## 0.3 not a version",
            "##1.9.9 no space",
            "text ## 0.4.0",
        ]
    )

    assert versions_in(text) == {
        "1.4.0",
        "1.3.0",
        "1.2.0",
        "1.1.0",
        "1.0.0-rc.1",
        "0.9.0+build.5",
    }


def test_versions_in_reads_crlf() -> None:
    assert versions_in("# Changelog\r\n\r\n## 1.0.0\r\n") == {"1.0.0"}


# -- insert_sections ----------------------------------------------------------------------


def section(version: str, newline: str = "\n") -> str:
    """A rendered section as update_changelog passes it: heading, body, one blank line."""
    return f"## {version} (2026-11-28){newline}{newline}- change {version}{newline}{newline}"


def sections_for(*versions: str, newline: str = "\n") -> dict[Version, str]:
    return {Version.parse(v): section(v, newline) for v in versions}


HEADER = f"# Changelog\n\nIntro.\n\n{INSERT_MARKER}\n\n"


def test_insert_below_the_marker() -> None:
    text = HEADER + section("1.0.0")

    result = insert_sections(text, sections_for("1.1.0"), "CHANGELOG.md")

    assert result == HEADER + section("1.1.0") + section("1.0.0")


def test_insert_below_a_marker_with_nothing_after_it() -> None:
    text = f"# Changelog\n\n{INSERT_MARKER}\n"

    result = insert_sections(text, sections_for("1.0.0", "1.1.0"), "CHANGELOG.md")

    assert result == (f"# Changelog\n\n{INSERT_MARKER}\n\n" + section("1.1.0") + section("1.0.0"))


def test_insert_several_in_version_order_between_the_right_headings() -> None:
    text = HEADER + section("2.0.0") + section("1.2.0") + section("1.0.0")

    result = insert_sections(text, sections_for("1.1.0", "3.0.0", "1.2.1"), "CHANGELOG.md")

    assert result == HEADER + "".join(
        section(v) for v in ("3.0.0", "2.0.0", "1.2.1", "1.2.0", "1.1.0", "1.0.0")
    )


def test_an_older_version_than_every_heading_goes_at_the_end() -> None:
    text = HEADER + section("1.1.0") + section("1.0.0")

    result = insert_sections(text, sections_for("0.9.0"), "CHANGELOG.md")

    assert result == text + section("0.9.0")


def test_an_older_version_after_a_file_without_a_final_newline() -> None:
    text = HEADER + "## 1.0.0\n\n- last line, no newline"

    result = insert_sections(text, sections_for("0.9.0"), "CHANGELOG.md")

    assert result.startswith(text)
    assert result == text + "\n\n" + section("0.9.0")


def test_a_file_without_a_final_newline_keeps_its_end_when_the_insert_is_at_the_top() -> None:
    """Only an insertion at the very end needs a newline after the last line; elsewhere the
    last byte of the file is the user's and stays as it is."""
    text = HEADER + "## 1.0.0\n\n- last line, no newline"

    result = insert_sections(text, sections_for("1.1.0"), "CHANGELOG.md")

    assert result == HEADER + section("1.1.0") + "## 1.0.0\n\n- last line, no newline"


def test_without_a_marker_the_newest_heading_is_the_insertion_point() -> None:
    text = "# Changes\n\nHand-written intro.\n\n## 1.0.0\n\n- one\n"

    result = insert_sections(text, sections_for("1.1.0"), "CHANGELOG.md")

    assert (
        result == "# Changes\n\nHand-written intro.\n\n" + section("1.1.0") + "## 1.0.0\n\n- one\n"
    )


def test_headings_above_the_marker_are_not_insertion_points() -> None:
    """A heading in the introduction (an old "## 9.0.0 plans") does not pull sections up."""
    text = f"# Changelog\n\n## 9.0.0 plans\n\n{INSERT_MARKER}\n\n" + section("1.0.0")

    result = insert_sections(text, sections_for("1.1.0"), "CHANGELOG.md")

    assert result == (
        f"# Changelog\n\n## 9.0.0 plans\n\n{INSERT_MARKER}\n\n"
        + section("1.1.0")
        + section("1.0.0")
    )


def test_a_version_already_present_is_left_alone() -> None:
    text = HEADER + "## [1.0.0](x) (2020-01-01)\n\nEdited by hand.\n"

    assert insert_sections(text, sections_for("1.0.0"), "CHANGELOG.md") == text
    assert insert_sections(text, {}, "CHANGELOG.md") == text


def test_no_insertion_point_is_an_error_naming_the_marker() -> None:
    with pytest.raises(ChangelogError) as caught:
        insert_sections("# Changes\n\nFree text.\n", sections_for("1.0.0"), "HISTORY.md")

    assert caught.value.exit_code == 5
    assert "HISTORY.md" in caught.value.message
    assert INSERT_MARKER in caught.value.hint
    assert "\n" not in caught.value.message + caught.value.hint


def test_an_empty_file_has_no_insertion_point() -> None:
    with pytest.raises(ChangelogError):
        insert_sections("", sections_for("1.0.0"), "CHANGELOG.md")


def test_crlf_is_kept() -> None:
    header = HEADER.replace("\n", "\r\n")
    text = header + section("1.0.0", "\r\n") + "Custom paragraph.\r\n"

    result = insert_sections(text, sections_for("1.1.0", "0.9.0", newline="\r\n"), "C.md")

    assert result == (
        header
        + section("1.1.0", "\r\n")
        + section("1.0.0", "\r\n")
        + "Custom paragraph.\r\n"
        + "\r\n"
        + section("0.9.0", "\r\n")
    )
    assert "\n" not in result.replace("\r\n", "")


def test_crlf_is_kept_when_the_file_lacks_a_final_newline_or_a_blank_line() -> None:
    """The newline and blank line that insert_sections adds itself must be CRLF too."""
    marker_last = f"# Changelog\r\n\r\n{INSERT_MARKER}"
    text_last = f"# Changelog\r\n\r\n{INSERT_MARKER}\r\n\r\n## 1.0.0\r\n\r\n- one"

    after_marker = insert_sections(marker_last, sections_for("1.0.0", newline="\r\n"), "C.md")
    at_end = insert_sections(text_last, sections_for("0.9.0", newline="\r\n"), "C.md")

    assert after_marker == marker_last + "\r\n\r\n" + section("1.0.0", "\r\n")
    assert at_end == text_last + "\r\n\r\n" + section("0.9.0", "\r\n")


def test_hand_edits_and_custom_text_between_sections_survive() -> None:
    text = (
        HEADER
        + "## 2.0.0\n\n- edited **by hand**\n\n"
        + "> A note the maintainers wrote.\n\n<details>raw html</details>\n\n"
        + "## 1.0.0\n\n- one\n\n[1.0.0]: https://example.com\n"
    )

    result = insert_sections(text, sections_for("1.5.0", "3.0.0"), "CHANGELOG.md")

    assert result == (
        HEADER
        + section("3.0.0")
        + "## 2.0.0\n\n- edited **by hand**\n\n"
        + "> A note the maintainers wrote.\n\n<details>raw html</details>\n\n"
        + section("1.5.0")
        + "## 1.0.0\n\n- one\n\n[1.0.0]: https://example.com\n"
    )


def test_insert_is_idempotent() -> None:
    text = HEADER + section("2.0.0") + section("1.0.0")
    new = sections_for("1.5.0", "3.0.0", "0.1.0")

    once = insert_sections(text, new, "CHANGELOG.md")

    assert insert_sections(once, new, "CHANGELOG.md") == once


def test_prereleases_sort_below_their_final() -> None:
    text = HEADER + section("2.0.0") + section("1.0.0")

    result = insert_sections(text, sections_for("2.0.0-rc.1", "2.0.0-rc.2"), "CHANGELOG.md")

    order = [line for line in result.splitlines() if line.startswith("## ")]
    assert [line.split()[1] for line in order] == ["2.0.0", "2.0.0-rc.2", "2.0.0-rc.1", "1.0.0"]


# -- rendering ----------------------------------------------------------------------------


def test_render_default_section() -> None:
    notes = notes_of(
        [
            "feat(api)!: remove v1\n\nBREAKING CHANGE: the /v1 routes are gone.\nUse /v2.\n",
            "fix: close the file\n\nCloses #9\n",
            "perf(db): batch inserts (#4)",
            "docs: hidden",
        ]
    )
    sha = [f"{n:040x}" for n in range(1, 4)]
    url = "https://github.com/acme/app"

    text = Renderer(None, GITHUB).changelog([notes], sections_only=True)

    assert text == (
        f"## [1.4.0]({url}/compare/v1.3.0...v1.4.0) (2026-11-28)\n"
        "\n"
        "### ⚠ Breaking changes\n"
        "\n"
        "- **api:** the /v1 routes are gone.\n"
        "  Use /v2.\n"
        "\n"
        "### Features\n"
        "\n"
        f"- **api:** remove v1 ([{sha[0][:7]}]({url}/commit/{sha[0]}))\n"
        "\n"
        "### Bug fixes\n"
        "\n"
        f"- close the file ([{sha[1][:7]}]({url}/commit/{sha[1]})), "
        f"closes [#9]({url}/issues/9)\n"
        "\n"
        "### Performance\n"
        "\n"
        f"- **db:** batch inserts ([#4]({url}/issues/4)) ([{sha[2][:7]}]({url}/commit/{sha[2]}))\n"
    )


def test_render_empty_release_and_no_date() -> None:
    notes = notes_of(["docs: only"], links=None, date=None)

    text = Renderer(None, None).changelog([notes], sections_only=True)

    assert text == "## 1.4.0\n\nNo user-facing changes.\n"


def test_render_whole_file_has_title_marker_and_newest_first() -> None:
    new = notes_of(["feat: b"], version="1.1.0", previous="v1.0.0", links=None)
    old = notes_of(["feat: a"], version="1.0.0", previous=None, links=None)

    text = Renderer(None, None).changelog([new, old], sections_only=False)

    lines = text.splitlines()
    assert lines[0] == "# Changelog"
    assert lines.index(INSERT_MARKER) < lines.index("## 1.1.0 (2026-11-28)")
    assert lines.index("## 1.1.0 (2026-11-28)") < lines.index("## 1.0.0 (2026-11-28)")
    assert text.endswith("\n")
    assert "\n\n\n" not in text


def test_render_twice_is_identical() -> None:
    notes = notes_of(["feat: a", "fix(x): b\n\nCloses #1"])
    renderer = Renderer(None, GITHUB)

    first = renderer.changelog([notes], sections_only=False)

    assert renderer.changelog([notes], sections_only=False) == first
    assert Renderer(None, GITHUB).changelog([notes], sections_only=False) == first
    assert renderer.release_notes(notes) == Renderer(None, GITHUB).release_notes(notes)


def test_release_notes_template_has_no_heading() -> None:
    notes = notes_of(["feat: a"], links=None)

    text = Renderer(None, None).release_notes(notes)

    assert text == "### Features\n\n- a (0000000)\n"


def test_commit_text_is_never_a_template() -> None:
    notes = notes_of(
        [
            "feat({{ scope }}): {{ 7*7 }} {% raw %} {{ marker }}\n\n"
            "BREAKING CHANGE: {% for x in range(3) %}{{ x }}{% endfor %}\n"
            "{{ ''.__class__.__mro__ }}\n",
        ],
        links=None,
    )

    text = Renderer(None, None).changelog([notes], sections_only=True)

    assert "{{ 7\\*7 }} {% raw %} {{ marker }}" in text
    assert "**{{ scope }}:**" in text
    assert "{% for x in range(3) %}{{ x }}{% endfor %}" in text
    assert "{{ ''.\\_\\_class\\_\\_.\\_\\_mro\\_\\_ }}" in text
    assert "49" not in text
    assert INSERT_MARKER not in text


# -- template overrides -------------------------------------------------------------------


def test_user_template_with_the_same_name_wins(tmp_path: Path) -> None:
    (tmp_path / "release-notes.md.j2").write_text(
        "Release {{ release.version }} ({{ context_version }})\n", encoding="utf-8"
    )
    notes = notes_of(["feat: a"], links=None)

    renderer = Renderer(tmp_path, None)

    assert renderer.release_notes(notes) == "Release 1.4.0 (1)\n"
    assert renderer.changelog([notes], sections_only=True).startswith("## 1.4.0")


def test_user_template_extends_the_builtin_and_overrides_a_block(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md.j2").write_text(
        '{% extends "builtin/CHANGELOG.md.j2" %}\n'
        "{% block header %}\n# History of {{ repository_url }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    notes = notes_of(["feat: a"])

    text = Renderer(tmp_path, GITHUB).changelog([notes], sections_only=False)
    builtin = Renderer(None, GITHUB).changelog([notes], sections_only=False)

    assert text.splitlines()[0] == "# History of https://github.com/acme/app"
    assert text.partition(INSERT_MARKER)[1:] == builtin.partition(INSERT_MARKER)[1:]


def test_user_macros_file_overrides_the_entry_shape(tmp_path: Path) -> None:
    """The built-in templates import ``_macros.j2`` by name, so a user file of that name is
    what they get: one way to change the entry line and keep everything else."""
    builtin = (Path(__file__).parents[2] / "templates" / "_macros.j2").read_text(encoding="utf-8")
    (tmp_path / "_macros.j2").write_text(
        builtin.replace("- {% if e.scope %}", "* {% if e.scope %}"), encoding="utf-8"
    )
    notes = notes_of(["feat: a"], links=None)

    text = Renderer(tmp_path, None).changelog([notes], sections_only=True)

    assert "* a (" in text


def test_a_template_syntax_error_is_a_one_line_template_error(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md.j2").write_text("line one\n{% if %}\n", encoding="utf-8")

    with pytest.raises(TemplateError) as caught:
        Renderer(tmp_path, None).changelog([], sections_only=False)

    assert caught.value.exit_code == 2
    assert "CHANGELOG.md.j2" in caught.value.message
    assert "line 2" in caught.value.message
    assert "\n" not in caught.value.message + caught.value.hint


def test_a_syntax_error_in_an_imported_template_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "_macros.j2").write_text("{% macro entry(e) %}\n", encoding="utf-8")

    with pytest.raises(TemplateError) as caught:
        Renderer(tmp_path, None).changelog([notes_of(["feat: a"])], sections_only=True)

    assert "_macros.j2" in caught.value.message


def test_an_undefined_variable_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md.j2").write_text(
        "{% for r in releases %}{{ r.codename }}{% endfor %}\n", encoding="utf-8"
    )

    with pytest.raises(TemplateError) as caught:
        Renderer(tmp_path, None).changelog([notes_of(["feat: a"])], sections_only=True)

    assert caught.value.exit_code == 2
    assert "codename" in caught.value.message
    assert "\n" not in caught.value.message


def test_the_sandbox_refuses_unsafe_attributes(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md.j2").write_text(
        "{{ marker.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8"
    )

    with pytest.raises(TemplateError):
        Renderer(tmp_path, None).changelog([], sections_only=False)


def test_a_missing_template_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        Renderer(tmp_path / "nowhere", None)

    assert caught.value.exit_code == 2
    assert "nowhere" in caught.value.message


def test_a_breaking_note_links_its_issue_references() -> None:
    """``BREAKING CHANGE: ..., see #123`` lost its reference: the note was escaped, not linked
    (the Jinja templates and the built-in renderer alike: tests/property/test_prop_render.py)."""
    notes = notes_of(["feat: drop v1\n\nBREAKING CHANGE: the v1 endpoints are gone, see #123\n"])
    body = Renderer(None, GITHUB).release_notes(notes)
    assert "- the v1 endpoints are gone, see [#123](https://github.com/acme/app/issues/123)" in body
    plain = Renderer(None, None).release_notes(notes)
    assert "- the v1 endpoints are gone, see #123" in plain


def test_change_lines_in_a_body_are_no_references() -> None:
    """`feat: x (#911)` lines in a body read as footers came out as `, feat #911, fix #909`."""
    notes = notes_of(["feat: add export (#912)\n\nfeat: add export (#911)\nfix: names (#909)\n"])
    [entry] = notes.groups[0].entries
    assert entry.references == ()
    text = Renderer(None, GITHUB).release_notes(notes)
    assert ", feat" not in text
    assert ", fix" not in text
