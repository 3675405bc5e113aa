"""The reStructuredText changelog: the built-in template in Python writes what Jinja writes
from CHANGELOG.rst.j2, and docutils reads whatever commit text holds as text, with no warning.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from docutils.nodes import system_message
from hypothesis import given
from hypothesis import strategies as st
from test_prop_render import ENTRIES, LINKS, RELEASES, SETTINGS, TEXT

from versionbot.core.changelog import Entry, Group, ReleaseNotes
from versionbot.core.changelog_rst import RST
from versionbot.core.links import ForgeLinks
from versionbot.files.render import RST_CHANGELOG_TEMPLATE, Renderer

SAFE = {"file_insertion_enabled": False, "raw_enabled": False, "report_level": 5, "halt_level": 5}
GITHUB = ForgeLinks("https://github.com/acme/app", "github")
# Text with what rst escaping acts on: inline markup, line starts, schemes, enumerators.
RST_TEXT = st.one_of(
    TEXT,
    st.text("ab1 .:_`*|\\-=#()<>[]^~+!", max_size=24),
    st.sampled_from(
        [".. raw:: html", "__ x", "A. b", "(i) x", "x::", "x ::", "|a|", "javascript:x"]
    ),
)
# What a real release holds: links the forge made, a version heading and a date.
REAL_ENTRIES = st.builds(
    lambda e, description, scope, notes: e._replace(
        description=description,
        scope=scope,
        commit_url=GITHUB.commit(e.sha),
        short_sha="fffffff",
        references=(),
        breaking_notes=notes,
    ),
    ENTRIES,
    RST_TEXT.filter(lambda t: "\n" not in t),
    st.one_of(st.none(), RST_TEXT.filter(lambda t: t.strip() != "" and "\n" not in t)),
    st.lists(RST_TEXT.filter(str.strip), max_size=2).map(tuple),
)


@pytest.fixture(scope="module")
def extending() -> Iterator[Path]:
    """A user folder whose rst changelog template extends the built-in one without a change."""
    with tempfile.TemporaryDirectory() as folder:
        name = RST_CHANGELOG_TEMPLATE
        (Path(folder) / name).write_text(f'{{% extends "builtin/{name}" %}}\n')
        yield Path(folder)


@SETTINGS
@given(releases=st.lists(RELEASES, max_size=3), links=LINKS, sections_only=st.booleans())
def test_the_builtin_rst_changelog_is_the_template_s(
    extending: Path, releases: list[ReleaseNotes], links: ForgeLinks | None, sections_only: bool
) -> None:
    python = Renderer(None, links, layout=RST)
    jinja = Renderer(extending, links, extending, RST)
    expected = jinja.changelog(releases, sections_only=sections_only)
    assert python.changelog(releases, sections_only=sections_only) == expected


@SETTINGS
@given(entries=st.lists(REAL_ENTRIES, min_size=1, max_size=4), title=RST_TEXT.filter(str.strip))
def test_any_commit_text_is_valid_rst(entries: list[Entry], title: str) -> None:
    release = ReleaseNotes(
        version="1.4.0",
        tag="v1.4.0",
        previous_tag="v1.3.0",
        date="2026-11-28",
        compare_url=GITHUB.compare("v1.3.0", "v1.4.0"),
        is_prerelease=False,
        breaking=tuple(e for e in entries if e.breaking_notes),
        groups=(Group("feat", title.replace("\n", " "), tuple(entries)),),
    )
    text = Renderer(None, GITHUB, layout=RST).changelog([release], sections_only=False)

    document = publish_doctree(text, settings_overrides=SAFE)
    messages = [m.astext() for m in document.findall(system_message) if m["level"] >= 2]
    assert messages == [], text
