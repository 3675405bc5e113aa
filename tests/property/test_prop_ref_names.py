"""core/ref_names.py says what real git says: ``git check-ref-format`` on any name.

The names are drawn from the characters git's rules are about (slashes, dots, '@', '{', the
forbidden ones, controls, a non-ASCII letter), so that most examples sit near a rule's edge.
"""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from versionbot.core.ref_names import ref_name_problem

# Parts made of the characters of the structural rules, joined by "/", mostly under
# refs/tags/; sometimes one forbidden character is put in.
TOKENS = st.sampled_from([*"aa1..-@{}é", "lock", ".lock"])
PART = st.lists(TOKENS, max_size=5).map("".join)
PARTS = st.lists(PART, min_size=1, max_size=4).map("/".join)
FORBIDDEN = st.sampled_from(["", "", "", *"~^:?*[\\ \t\x01\x7f"])


@st.composite
def names(draw: st.DrawFn) -> str:
    """A ref name near the rules' edges."""
    prefix: str = draw(st.sampled_from(["refs/tags/", "refs/tags/", ""]))
    name: str = prefix + draw(PARTS)
    where = draw(st.integers(0, len(name)))
    hazard: str = draw(FORBIDDEN)
    return name[:where] + hazard + name[where:]


CASES = [
    "refs/tags/v1.2.3", "refs/tags/-1.2.3", "refs/tags/a..b", "refs/tags/x.lock",
    "refs/tags/v1/.x", "@", "refs/tags/a@{b", "refs/tags/a\\b", "refs/tags/a b", "refs/tags/a~b",
    "refs/tags/ü1", "refs/tags/a]b", "refs/tags/a{b", "refs/tags/HEAD", "refs/tags/a.",
    "refs/tags/a/", "refs//tags", "/refs/tags/a", "tags", "refs/tags/a*", "refs/tags/a.lock/b",
    "refs/tags/@", "refs/tags/.a", "refs/tags/a\x7f", "refs/tags/a^", "refs/tags/a:b",
]  # fmt: skip


def git_accepts(name: str) -> bool:
    """What ``git check-ref-format`` says (exit 0: a valid ref name)."""
    result = subprocess.run(
        ["git", "check-ref-format", name], capture_output=True, check=False, timeout=30
    )
    return result.returncode == 0


@pytest.mark.parametrize("name", CASES)
def test_known_names_as_git_judges_them(name: str) -> None:
    assert (ref_name_problem(name) is None) == git_accepts(name), name


@settings(max_examples=1000, deadline=None)
@given(names())
@example("refs/tags/v1.2.3")
def test_any_name_as_git_judges_it(name: str) -> None:
    assume(not name.startswith("-"))  # git check-ref-format takes it for an option
    assert (ref_name_problem(name) is None) == git_accepts(name), name
