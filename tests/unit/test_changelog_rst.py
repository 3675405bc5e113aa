"""The changelog in reStructuredText: commit text that docutils reads as text whatever it holds,
headings docutils accepts, and sections inserted where a Python project's CHANGELOG.rst keeps
them.

Every rendered text is parsed with docutils itself (``publish_doctree``), with file insertion
and raw output switched off so that an injected directive cannot read anything: it shows up as
the system message it causes instead.
"""

from __future__ import annotations

import doctest
import tempfile
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from docutils.nodes import Element, system_message

import versionbot.core.changelog_rst
from versionbot.core.changelog import (
    MARKDOWN,
    Entry,
    Group,
    Reference,
    ReleaseNotes,
    insert_sections,
)
from versionbot.core.changelog_rst import INSERT_MARKER, RST, inline, layout_of, underline
from versionbot.core.errors import ChangelogError
from versionbot.core.links import ForgeLinks
from versionbot.core.version import Version
from versionbot.files.render import RST_CHANGELOG_TEMPLATE, Renderer

LINKS = ForgeLinks("https://github.com/acme/app", "github")
SAFE = {"file_insertion_enabled": False, "raw_enabled": False, "report_level": 5, "halt_level": 5}

# Commit subjects that would be markup if written as they are.
HOSTILE = [
    ".. raw:: html",
    "..  raw:: html\n\n   <script>alert(1)</script>",
    ".. include:: /etc/passwd",
    ".. image:: javascript:alert(1)",
    "`x <javascript:alert(1)>`_",
    "see javascript:alert(1) and data:text/html,x",
    "|sub| and .. |sub| replace:: evil",
    "*emphasis* and **strong** and * lone star",
    "trailing_ underscore_ and __anonymous__ and `_target`",
    "=====",
    "-----",
    "__ https://evil.example",
    ".. _target: https://evil.example",
    ":field: value",
    "A. Einstein said",
    "(1) first",
    "#. auto",
    "- nested bullet",
    "* star bullet",
    "+ plus bullet",
    "| line block",
    ">>> doctest",
    "the end::",
    "back\\slash\\ and \\*",
    ":role:`text` and :math:`x`",
    "[1]_ footnote and [#]_ and [cit]_",
    "``literal`` and `interpreted`",
    "fix #12, #13 (#14)=#15 x#16",
    "\u2022 unicode bullet",
    "日本語の説明 \uff0a全角\uff0a",
    "e\u0301cole combining",
    "tab\there",
]


def problems(text: str) -> list[str]:
    """docutils' warnings and errors (level 2 and up) about ``text``."""
    document = publish_doctree(text, settings_overrides=SAFE)
    found = document.findall(system_message)
    return [message.astext() for message in found if message["level"] >= 2]


def kinds(text: str) -> set[str]:
    """The node types docutils makes of ``text``."""
    document = publish_doctree(text, settings_overrides=SAFE)
    return {node.tagname for node in document.findall(Element)} | {"#text"}


def entry(description: str, **fields: object) -> Entry:
    values: dict[str, object] = {
        "type": "feat",
        "scope": None,
        "description": description,
        "sha": "a" * 40,
        "short_sha": "aaaaaaa",
        "commit_url": "https://github.com/acme/app/commit/" + "a" * 40,
        "references": (),
        "breaking": False,
        "breaking_notes": (),
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def notes(*entries: Entry, version: str = "1.4.0") -> ReleaseNotes:
    breaking = tuple(e for e in entries if e.breaking)
    return ReleaseNotes(
        version=version,
        tag=f"v{version}",
        previous_tag="v1.3.0",
        date="2026-11-28",
        compare_url=f"https://github.com/acme/app/compare/v1.3.0...v{version}",
        is_prerelease=False,
        breaking=breaking,
        groups=(Group("feat", "Features", tuple(e for e in entries if e.type == "feat")),),
    )


def renderers() -> list[Renderer]:
    """The built-in rst templates in Python, and the same through Jinja (a user folder that
    extends them)."""
    folder = Path(tempfile.mkdtemp())
    (folder / RST_CHANGELOG_TEMPLATE).write_text(
        f'{{% extends "builtin/{RST_CHANGELOG_TEMPLATE}" %}}\n'
    )
    return [Renderer(None, LINKS, layout=RST), Renderer(folder, LINKS, folder, RST)]


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.changelog_rst).failed == 0


@pytest.mark.parametrize("renderer", renderers(), ids=["python", "jinja"])
def test_real_shaped_notes_are_valid_rst(renderer: Renderer) -> None:
    release = notes(
        entry("add the export command (#12)", scope="cli"),
        entry(
            "drop the v1 endpoints",
            scope="api",
            breaking=True,
            breaking_notes=("the /v1 routes are gone.\nClients must call /v2 instead;",),
            references=(Reference("#41", "https://github.com/acme/app/issues/41", "closes"),),
        ),
        entry("a plain feature", commit_url=None),
    )
    older = notes(entry("first"), version="1.3.0")

    text = renderer.changelog([release, older], sections_only=False)

    assert problems(text) == []
    assert text.startswith("=========\nChangelog\n=========\n")
    assert INSERT_MARKER in text.splitlines()
    document = publish_doctree(text, settings_overrides=SAFE)
    assert document["title"] == "Changelog"
    sections = [s for s in document.findall(Element) if s.tagname == "section"]
    titles = [s[0].astext() for s in sections]
    assert titles == [
        "1.4.0 (2026-11-28)",
        "⚠ Breaking changes",
        "Features",
        "1.3.0 (2026-11-28)",
        "Features",
    ]
    links = [n["refuri"] for n in document.findall(Element) if n.tagname == "reference"]
    assert "https://github.com/acme/app/issues/12" in links
    assert "https://github.com/acme/app/issues/41" in links
    assert "https://github.com/acme/app/compare/v1.3.0...v1.4.0" in links


@pytest.mark.parametrize("renderer", renderers(), ids=["python", "jinja"])
@pytest.mark.parametrize("subject", HOSTILE)
def test_hostile_commit_text_stays_text(renderer: Renderer, subject: str) -> None:
    """As a description, a scope, a breaking note and a section title: no warning, no node
    but paragraphs, lists, strong scopes and the bot's own links and titles."""
    hostile = entry(
        subject,
        scope=subject,
        breaking=True,
        breaking_notes=(subject, f"first line\n{subject}\n{subject}"),
    )
    release = notes(hostile)
    release = ReleaseNotes(
        **{
            **{f: getattr(release, f) for f in release.__dataclass_fields__},
            "groups": (Group("feat", subject, (hostile,)),),
        }
    )

    text = renderer.changelog([release], sections_only=False)

    assert problems(text) == [], text
    allowed = {
        "document", "title", "section", "paragraph", "#text", "bullet_list", "list_item",
        "strong", "reference", "comment",
    }  # fmt: skip
    assert kinds(text) <= allowed, text
    document = publish_doctree(text, settings_overrides=SAFE)
    shown = document.astext()
    flat = subject.replace("\t", " ")
    for line in flat.split("\n"):
        assert line.strip() in shown, (line, text)
    # Only the bot's own links: the header's, the release's, the commit's and the issues'.
    header = {"https://semver.org", "https://www.conventionalcommits.org"}
    for node in document.findall(Element):
        if node.tagname == "reference" and node["refuri"] not in header:
            if node["refuri"] == node.astext() == "https://evil.example":
                continue  # an http(s) URL in the text is a link, as on GitHub
            assert node["refuri"].startswith("https://github.com/acme/app/"), text


@pytest.mark.parametrize(
    ("title", "width"),
    [
        ("Features", 8),
        ("日本語", 6),
        ("e\u0301cole", 5),
        ("\uff0a全角\uff0a", 8),
        ("⚠ Breaking changes", 18),
        ("a\tb", 9),
    ],
)
def test_an_underline_is_as_wide_as_docutils_counts_the_title(title: str, width: int) -> None:
    line = underline(title, "-")
    assert line == "-" * width
    assert problems(f"Top\n===\n\n{title}\n{line}\n\ntext\n") == []
    assert problems(f"Top\n===\n\n{title}\n{line[:-1]}\n\ntext\n") != []  # one short: a warning


def test_links_glued_to_text_are_separated_by_an_escaped_space() -> None:
    text = inline("x=#15 and #16x_ and (#17)", LINKS)
    assert text == (
        "x=\\ `#15 <https://github.com/acme/app/issues/15>`__ and #16x\\_ and "
        "(`#17 <https://github.com/acme/app/issues/17>`__)"
    )
    assert problems(f"- {text}\n") == []


def test_the_layout_follows_the_file_name() -> None:
    assert layout_of("CHANGELOG.rst") is RST
    assert layout_of("docs/CHANGES.RST") is RST
    assert layout_of("CHANGELOG.md") is MARKDOWN
    assert layout_of("HISTORY") is MARKDOWN


# -- inserting into an existing file ----------------------------------------------------------


def section(version: str, body: str = "- new\n") -> str:
    """A section as the templates render it: `=` under the release, `-` under its groups."""
    heading = f"{version} (2026-11-28)"
    return f"{heading}\n{'=' * len(heading)}\n\nFeatures\n--------\n\n{body}\n"


OWN = f"""=========
Changelog
=========

Intro.

{INSERT_MARKER}

1.0.0 (2024-01-01)
==================

Features
--------

- old
"""


def test_a_section_goes_below_the_marker_and_above_the_newest_release() -> None:
    text = insert_sections(OWN, {Version.parse("1.1.0"): section("1.1.0")}, "C.rst", RST)
    assert text == OWN.replace("1.0.0 (2024", section("1.1.0") + "1.0.0 (2024")
    assert problems(text) == []
    assert RST.versions(text) == {"1.0.0", "1.1.0"}
    again = insert_sections(text, {Version.parse("1.1.0"): section("1.1.0")}, "C.rst", RST)
    assert again == text


def test_without_a_marker_a_section_goes_below_the_title_above_the_newest_release() -> None:
    psr = (
        ".. _changelog:\n\n=========\nCHANGELOG\n=========\n\n.. version list\n\n"
        ".. _changelog-v1.0.0:\n\nv1.0.0 (2024-01-01)\n===================\n\n"
        "Feature\n-------\n\n* x (`abc1234`_)\n\n.. _abc1234: https://example.com/abc1234\n"
    )
    text = insert_sections(psr, {Version.parse("1.1.0"): section("1.1.0")}, "C.rst", RST)
    # Above the target of 1.0.0's heading, which belongs to it.
    assert text == psr.replace(".. _changelog-v1.0.0:", section("1.1.0") + ".. _changelog-v1.0.0:")
    assert problems(text) == []


def test_a_title_alone_takes_the_first_release_at_its_end() -> None:
    title = "Changelog\n=========\n\nWhat changed.\n"
    text = insert_sections(title, {Version.parse("0.1.0"): section("0.1.0")}, "C.rst", RST)
    assert text.startswith(title + "\n")
    assert problems(text) == []
    document = publish_doctree(text, settings_overrides=SAFE)
    assert document["title"] == "Changelog"


def test_no_title_no_marker_no_release_is_refused() -> None:
    with pytest.raises(ChangelogError, match=r"C\.rst has no '\.\. versionbot: insert"):
        insert_sections("Just text.\n", {Version.parse("0.1.0"): section("0.1.0")}, "C.rst", RST)


@pytest.mark.parametrize(
    ("existing", "release", "below"),
    [
        # attrs / towncrier: title `=`, releases `-`, their sections `^`
        ("Changelog\n=========\n\n23.1.0 (2023-04-16)\n-------------------\n\n"
         "Changes\n^^^^^^^\n\n- old\n", "-", "^"),
        # pallets (Flask, Click): no title, releases `-`, no sections below them
        ("Version 3.0.0\n-------------\n\nReleased 2023-09-30\n\n-   old\n", "-", "="),
        # pytest: title over and under `=`, releases `=`, sections `-`
        ("=========\nChangelog\n=========\n\npytest 8.0.0 (2024-01-27)\n"
         "=========================\n\nFeatures\n--------\n\n- old\n", "=", "-"),
    ],
)  # fmt: skip
def test_a_section_takes_the_file_s_adornments(existing: str, release: str, below: str) -> None:
    text = insert_sections(existing, {Version.parse("99.0.0"): section("99.0.0")}, "C.rst", RST)

    heading = "99.0.0 (2026-11-28)"
    assert f"{heading}\n{release * len(heading)}\n" in text
    assert f"Features\n{below * 8}\n" in text
    assert problems(text) == []
    document = publish_doctree(text, settings_overrides=SAFE)
    releases = [
        s[0].astext()
        for s in document.findall(Element)
        if s.tagname == "section" and "0" in s[0].astext()
    ]
    assert releases[0] == heading
    # The new release is a sibling of the old one, not its parent or child.
    new, old = (
        s
        for s in document.findall(Element)
        if s.tagname == "section" and s[0].astext() in (heading, releases[1])
    )
    assert new.parent is old.parent


def test_crlf_and_a_bom_are_kept() -> None:
    crlf = "\ufeff" + OWN.replace("\n", "\r\n")
    text = insert_sections(
        crlf, {Version.parse("1.1.0"): section("1.1.0").replace("\n", "\r\n")}, "C.rst", RST
    )
    assert text.startswith("\ufeff=========\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert RST.versions(text) == {"1.0.0", "1.1.0"}


def test_init_advice_names_the_rst_marker_and_where_releases_go() -> None:
    from versionbot.init.changelog_marker import changelog_advice, insert_marker

    title_only = "Changelog\n=========\n\nWhat changed.\n"
    assert changelog_advice("CHANGES.rst", title_only)[0] == (
        "CHANGES.rst has no insertion marker and no release heading; new releases go at its end"
    )
    finding, advice = changelog_advice("CHANGELOG.rst", OWN.replace(INSERT_MARKER + "\n\n", ""))
    assert finding.endswith("new releases go above its newest release heading")
    assert f"add the line {INSERT_MARKER} to CHANGELOG.rst" in advice
    assert changelog_advice("CHANGELOG.rst", OWN) == ("CHANGELOG.rst has the insertion marker",)
    marked = insert_marker(OWN.replace(INSERT_MARKER + "\n\n", ""), "CHANGELOG.rst")
    assert marked == OWN
    assert problems(marked) == []
