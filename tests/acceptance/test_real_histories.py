"""Acceptance on real histories: versionbot, configured as a migrating team would, at each release.

Each fixture in ``fixtures/`` is a few recent releases of a public project (commit messages byte
for byte, tags, the project's own changelog entries), recorded by ``record_fixture.py`` and rebuilt
here as a real git repository (``history_builder.py``). At every recorded release the installed
``bot plan --json`` must plan the version the project released, and its notes must hold every
entry of the project's own changelog for that version (compared by normalised subject text:
``changelog_entries.py``). No network: fixtures only.

A case where the bot disagrees with the project is a strict xfail naming why: the suite turns red
the moment that changes, and the xfail is then removed or reworded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from changelog_entries import appears_in, bot_entries, normalise, parse_changelog
from history_builder import Outcome, load, names, replay

# commitizen pushed each of its release commits 4.13.0-4.13.3 twice: the tag went to one copy,
# main kept the other (git/stand_ins.py counts the release at main's copy). The two lines hold
# different commits before their copies, so from main two releases hold other commits than
# commitizen's changelog says. What main's history says is what the bot follows.
_BEFORE_MAINS_COPY = (
    "commitizen's tagged {tagged} lacks {change}, which main's copy of its release commit comes "
    "after: from main, {change} was released in {tagged}, and commitizen's changelog lists it in "
    "{listed}"
)
_NOTHING_LEFT_ON_MAIN = (
    _BEFORE_MAINS_COPY.format(tagged="4.13.2", change="#1838 (a refactor)", listed="4.13.3")
    + "; from main, 4.13.3 holds two test commits, and nothing is due"
)

# (project, tag, "version" | "changelog") -> why the bot disagrees with the project.
KNOWN_GAPS = {
    ("commitizen", "v4.13.2", "changelog"): _BEFORE_MAINS_COPY.format(
        tagged="4.13.1", change="#1839 (a refactor)", listed="4.13.2"
    ),
    ("commitizen", "v4.13.3", "version"): _NOTHING_LEFT_ON_MAIN,
    ("commitizen", "v4.13.3", "changelog"): _NOTHING_LEFT_ON_MAIN + ", so no notes",
}


def _cases(kind: str) -> list[object]:
    cases: list[object] = []
    for name in names():
        for release in load(name)["releases"]:
            if kind == "changelog" and release["changelog"] is None:
                continue  # not recorded (semantic-release publishes GitHub releases only)
            reason = KNOWN_GAPS.get((name, release["tag"], kind))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(
                pytest.param(name, release["tag"], marks=marks, id=f"{name}-{release['tag']}")
            )
    return cases


_OUTCOMES: dict[str, dict[str, Outcome]] = {}


def _outcome(name: str, tag: str, factory: pytest.TempPathFactory) -> Outcome:
    """The replay of project ``name`` (once per session), at ``tag``."""
    if name not in _OUTCOMES:
        root: Path = factory.mktemp(f"history-{name}")
        _OUTCOMES[name] = {o.tag: o for o in replay(name, root)}
    return _OUTCOMES[name][tag]


@pytest.mark.parametrize(("name", "tag"), _cases("version"))
def test_bot_plans_the_version_the_project_released(
    name: str, tag: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outcome = _outcome(name, tag, tmp_path_factory)
    assert outcome.planned == outcome.expected, outcome.error


@pytest.mark.parametrize(("name", "tag"), _cases("changelog"))
def test_bot_notes_hold_every_entry_of_the_project_changelog(
    name: str, tag: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outcome = _outcome(name, tag, tmp_path_factory)
    assert outcome.entries, "the fixture records no changelog entry for this release"
    assert not outcome.missing, f"{len(outcome.missing)}/{len(outcome.entries)} missing"


def test_every_known_gap_names_a_recorded_release() -> None:
    recorded = {(n, r["tag"]) for n in names() for r in load(n)["releases"]}
    assert {(name, tag) for name, tag, _ in KNOWN_GAPS} <= recorded


@pytest.mark.parametrize(
    ("project", "bot"),
    [
        (  # release-please: a Markdown link to the issue and to the commit
            "**security:** rate limit totp verification ([#12](https://x/issues/12)) "
            "([44e3b62](https://x/commit/44e3b62a))",
            "- **security:** rate limit TOTP verification ([44e3b62](https://y/commit/44e3b62a))",
        ),
        (  # python-semantic-release: reStructuredText references, `closes`, a capital letter
            "**cmd-version**: Fix non-styled error msg, closes `#1423`_ (`PR#1437`_, `5e8f94c`_)",
            "- **cmd-version:** fix non-styled error msg (#1437) ([5e8f94c](https://y/5e8f94c))",
        ),
        (  # commitizen: inline code, the pull request number
            "**bump**: preserve header when `changelog_merge_prerelease` is used (#1850)",
            "- **bump:** preserve header when changelog_merge_prerelease is used (#1850)",
        ),
    ],
)
def test_normalised_entries_compare_equal_across_tools(project: str, bot: str) -> None:
    assert appears_in(normalise(project), bot_entries(bot))


def test_a_different_subject_does_not_appear() -> None:
    assert not appears_in(normalise("add Arabic localization"), bot_entries("- add localization"))


def test_changelog_parsers_read_versions_sections_and_wrapped_bullets() -> None:
    markdown = "## [1.1.0](https://x) (2026-01-01)\n\n### Features\n\n* add a\n* **s:** add b\n"
    rst = "v1.1.0 (2026-01-01)\n====================\n\nFixes\n-----\n\n* one\n  two\n\n* three\n"
    assert parse_changelog(markdown, "CHANGELOG.md") == {
        "1.1.0": [
            {"section": "Features", "text": "add a"},
            {"section": "Features", "text": "**s:** add b"},
        ]
    }
    assert parse_changelog(rst, "CHANGELOG.rst") == {
        "1.1.0": [{"section": "Fixes", "text": "one two"}, {"section": "Fixes", "text": "three"}]
    }
