"""The built-in templates rendered in Python write what Jinja writes from the template files.

Jinja renders them here through a user folder whose templates only extend the built-in ones
(``{% extends "builtin/..." %}``), so both paths run as they do in a repository.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.changelog import Entry, Group, Reference, ReleaseNotes
from versionbot.core.links import ForgeLinks
from versionbot.files.render import CHANGELOG_TEMPLATE, RELEASE_NOTES_TEMPLATE, Renderer

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Commit text with what the escaping and the whitespace clean-up act on.
TEXT = st.one_of(
    st.text(max_size=20),
    st.text("ab #!12*_[]<>`\\-+=|.)\n\t ", max_size=20),
    st.sampled_from(["# x", "1. x", "- x", "fix #12 and !7", "a  \n\n\n b", "{{ x }}", ""]),
)
MAYBE_TEXT = st.one_of(st.none(), TEXT)
URL = st.one_of(st.none(), st.just(""), st.sampled_from(["https://x.test/a", "u (1)"]))
REFERENCES = st.builds(
    Reference, st.sampled_from(["#1", "!2", "#30"]), URL, st.sampled_from([None, "", "closes"])
)
ENTRIES = st.builds(
    Entry,
    type=st.sampled_from(["feat", "fix"]),
    scope=MAYBE_TEXT,
    description=TEXT,
    sha=st.just("f" * 40),
    short_sha=st.sampled_from(["fffffff", ""]),
    commit_url=URL,
    references=st.lists(REFERENCES, max_size=3).map(tuple),
    breaking=st.booleans(),
    breaking_notes=st.lists(TEXT, max_size=2).map(tuple),
)
GROUPS = st.builds(Group, st.just("feat"), TEXT, st.lists(ENTRIES, max_size=4).map(tuple))
RELEASES = st.builds(
    ReleaseNotes,
    version=st.sampled_from(["1.4.0", "2.0.0-rc.1"]),
    tag=st.just("v1.4.0"),
    previous_tag=st.none(),
    date=st.sampled_from([None, "", "2026-11-28"]),
    compare_url=URL,
    is_prerelease=st.booleans(),
    breaking=st.lists(ENTRIES, max_size=3).map(tuple),
    groups=st.lists(GROUPS, max_size=3).map(tuple),
)
LINKS = st.sampled_from(
    [
        None,
        ForgeLinks("https://github.com/acme/app", "github"),
        ForgeLinks("https://g.l/a/b", "gitlab"),
    ]
)


@pytest.fixture(scope="module")
def extending() -> Iterator[Path]:
    """A user folder whose templates are the built-in ones, extended without a change."""
    with tempfile.TemporaryDirectory() as folder:
        for name in (CHANGELOG_TEMPLATE, RELEASE_NOTES_TEMPLATE):
            (Path(folder) / name).write_text(f'{{% extends "builtin/{name}" %}}\n')
        yield Path(folder)


@SETTINGS
@given(releases=st.lists(RELEASES, max_size=3), links=LINKS, sections_only=st.booleans())
def test_the_builtin_changelog_is_the_template_s(
    extending: Path,
    releases: list[ReleaseNotes],
    links: ForgeLinks | None,
    sections_only: bool,
) -> None:
    python, jinja = Renderer(None, links), Renderer(extending, links)
    expected = jinja.changelog(releases, sections_only=sections_only)
    assert python.changelog(releases, sections_only=sections_only) == expected


@SETTINGS
@given(release=RELEASES, links=LINKS)
def test_the_builtin_release_notes_are_the_template_s(
    extending: Path, release: ReleaseNotes, links: ForgeLinks | None
) -> None:
    python, jinja = Renderer(None, links), Renderer(extending, links)
    assert python.release_notes(release) == jinja.release_notes(release)
