"""Image tags only move forward, and every release gets the tags that name it exactly.

Whatever versions git and the registries already know, a floating tag (``{major}.{minor}``,
``{major}``, ``latest``) is pushed for a release only when no final release of its line is
higher: it never goes back to an older version. The exact tags are always pushed.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from versionbot.core.config import ImageRules
from versionbot.core.image_tags import image_tags
from versionbot.core.version import Version

SETTINGS = settings(max_examples=400, deadline=None)
SHA = "0123456789abcdef0123456789abcdef01234567"
RULES = ImageRules(
    templates=("{version}", "{major}.{minor}", "{major}", "latest"),
    major_zero=True,
    sha_tag=True,
    channel_tags=(("rc", "next"),),
)
LINES = (None, ("major", "minor"), ("major",), ())  # by template

# Small numbers, so that versions of one line and equal versions are common.
VERSIONS = st.builds(
    lambda major, minor, patch, pre: Version.parse(
        f"{major}.{minor}.{patch}" + (f"-rc.{pre}" if pre is not None else "")
    ),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 2),
    st.one_of(st.none(), st.integers(1, 2)),
)


def _same_line(a: Version, b: Version, line: tuple[str, ...]) -> bool:
    return all(getattr(a, part) == getattr(b, part) for part in line)


@SETTINGS
@given(VERSIONS, st.lists(VERSIONS, max_size=8))
def test_floating_tags_never_move_back(version: Version, known: list[Version]) -> None:
    tags = image_tags(version, known, SHA, RULES).tags
    for tag, line in zip(tags, LINES, strict=False):
        if line is None or not tag.pushed:
            continue
        assert not version.is_prerelease, tag
        newer = [
            v for v in known if not v.is_prerelease and _same_line(v, version, line) and v > version
        ]
        assert newer == [], (tag, newer)


@SETTINGS
@given(VERSIONS, st.lists(VERSIONS, max_size=8))
def test_the_exact_tags_are_always_pushed(version: Version, known: list[Version]) -> None:
    tags = image_tags(version, known, SHA, RULES).tags
    exact = {t.tag for t in tags if t.exact}
    assert exact == {str(version), f"sha-{SHA[:7]}"}
    assert all(t.pushed for t in tags if t.exact)
