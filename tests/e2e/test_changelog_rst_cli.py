"""A CHANGELOG.rst, through the installed ``bot``: ``bot changelog``, ``bot release`` (direct mode,
a ``file://`` remote), ``bot plan`` and ``bot init``.

Golden files: ``tests/e2e/golden/changelog/<history>.rst`` is the exact ``bot changelog --stdout``
of ``HISTORIES[<history>]`` (tests/e2e/test_changelog_cli.py) with ``[changelog] file =
"CHANGELOG.rst"``. Each is parsed with docutils too: a golden file that docutils warns about is
no golden file. After an intended change of the rst templates:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e -k golden
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils.core import publish_doctree
from docutils.nodes import Element, system_message

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from e2e.test_changelog_cli import GOLDEN, HISTORIES, RELEASE_DAY, assert_golden, next_day, scopes
from git_remote import bare_repo
from versionbot.core.changelog import INSERT_MARKER as MARKDOWN_MARKER
from versionbot.core.changelog_rst import INSERT_MARKER

pytestmark = pytest.mark.timeout(120)

SAFE = {"file_insertion_enabled": False, "raw_enabled": False, "report_level": 5, "halt_level": 5}
RST_CONFIG = 'file = "CHANGELOG.rst"\n'
# The titles of the breaking golden history's file: two releases, the second breaking.
TWO_RELEASES = [
    "2.0.0 (2024-01-02)",
    "⚠ Breaking changes",
    "Features",
    "Bug fixes",
    "1.0.0 (2024-01-01)",
    "Features",
]


def use_rst(repo: GitRepo, name: str = "CHANGELOG.rst") -> None:
    """``[changelog] file = name`` in the work tree's versionbot.toml (appended to a
    ``[changelog]`` table that ends the file, as the gitlab history's does)."""
    path = repo.path / "versionbot.toml"
    text = path.read_text() if path.exists() else ""
    table = "" if text.rstrip().split("\n")[-1:] != ['forge = "gitlab"'] else None
    path.write_text(text + ("[changelog]\n" if table is not None else "") + f'file = "{name}"\n')


def problems(text: str) -> list[str]:
    """docutils' warnings and errors (level 2 and up) about ``text``."""
    document = publish_doctree(text, settings_overrides=SAFE)
    return [m.astext() for m in document.findall(system_message) if m["level"] >= 2]


def node_kinds(text: str) -> set[str]:
    return {n.tagname for n in publish_doctree(text, settings_overrides=SAFE).findall(Element)}


def titles(text: str) -> list[str]:
    """Every section title, in document order."""
    document = publish_doctree(text, settings_overrides=SAFE)
    return [s[0].astext() for s in document.findall(Element) if s.tagname == "section"]


# -- golden -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_golden_rst_changelog(name: str, repo: GitRepo, bot: CliRunner) -> None:
    HISTORIES[name](repo)
    use_rst(repo)

    printed = bot("changelog", "--stdout", cwd=repo.path)
    written = bot("changelog", cwd=repo.path)

    assert printed.exit_code == 0, printed.stderr
    assert printed.stderr == ""
    assert_golden(f"{name}.rst", printed.stdout)
    assert problems(printed.stdout) == []
    assert written.exit_code == 0, written.stderr
    assert (repo.path / "CHANGELOG.rst").read_bytes() == printed.stdout_bytes
    assert not (repo.path / "CHANGELOG.md").exists()


def test_the_rst_goldens_read_as_the_markdown_ones() -> None:
    """The same releases, sections and entries as the Markdown golden, in reStructuredText."""
    text = (GOLDEN / "breaking.rst").read_text(encoding="utf-8")
    markdown = (GOLDEN / "breaking.md").read_text(encoding="utf-8")
    assert text.startswith("=========\nChangelog\n=========\n")
    assert INSERT_MARKER in text.splitlines()
    assert MARKDOWN_MARKER not in text
    assert titles(text) == TWO_RELEASES
    assert titles(text) == [
        line.lstrip("#").strip().replace("[", "").split("](")[0]
        + (" " + line.rsplit(" ", 1)[1] if line.startswith("## ") else "")
        for line in markdown.splitlines()
        if line.startswith(("## ", "### "))
    ]
    assert "- **api:** the /v1 routes are gone." in text
    assert "  Clients must call /v2 instead;" in text


# -- bot changelog into an existing file ------------------------------------------------------

ATTRS_STYLE = """Changelog
=========

Versions follow `CalVer <https://calver.org>`_.

1.0.0 (2024-01-01)
------------------

Changes
^^^^^^^

- The first release, written by hand.
"""


def test_a_new_release_goes_into_an_existing_changes_rst_in_its_own_style(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("feat: first", {"CHANGES.rst": ATTRS_STYLE})
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit("feat(api): add pagination (#12)")
    repo.commit("fix: .. raw:: html")
    repo.tag("v1.1.0")
    use_rst(repo, "CHANGES.rst")

    result = bot("changelog", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "CHANGES.rst: wrote 1.1.0\n"
    text = (repo.path / "CHANGES.rst").read_text(encoding="utf-8")
    head, _, rest = ATTRS_STYLE.partition("1.0.0 (2024-01-01)")
    assert text.startswith(head + "`1.1.0 <https://github.com/acme/app/compare/v1.0.0...v1.1.0>`__")
    assert text.endswith("1.0.0 (2024-01-01)" + rest)
    assert problems(text) == []
    assert "raw" not in node_kinds(text)
    assert titles(text) == [
        "1.1.0 (2024-01-02)",
        "Features",
        "Bug fixes",
        "1.0.0 (2024-01-01)",
        "Changes",
    ]
    document = publish_doctree(text, settings_overrides=SAFE)
    assert document["title"] == "Changelog"  # still the document's title, above both releases
    again = bot("changelog", cwd=repo.path)
    assert again.stdout == "CHANGES.rst is up to date\n"


def test_an_rst_file_with_no_place_for_releases_is_refused_untouched(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.commit("feat: first", {"CHANGELOG.rst": "Just a paragraph, no title.\n"})
    repo.tag("v1.0.0")
    use_rst(repo)

    result = bot("changelog", cwd=repo.path)

    assert result.exit_code == 5, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: CHANGELOG.rst has no '{INSERT_MARKER}' line and no release heading",
        f"hint: add the line {INSERT_MARKER} where new releases should go, then run again",
    ]
    assert (repo.path / "CHANGELOG.rst").read_text() == "Just a paragraph, no title.\n"


def test_plan_notes_stay_markdown_while_unreleased_is_the_file_s_format(
    repo: GitRepo, bot: CliRunner
) -> None:
    scopes(repo)
    use_rst(repo)
    repo.commit("feat: brand new")

    plan = bot("plan", cwd=repo.path, env=RELEASE_DAY)
    unreleased = bot("changelog", "--unreleased", cwd=repo.path, env=RELEASE_DAY)

    assert plan.exit_code == 0, plan.stderr
    assert "### Features" in plan.stdout
    assert "- brand new (" in plan.stdout
    assert "--------" not in plan.stdout
    assert unreleased.exit_code == 0, unreleased.stderr
    assert unreleased.stdout.startswith("`1.2.0 <https://github.com/acme/app/compare/")
    assert "Features\n--------\n" in unreleased.stdout
    assert problems(unreleased.stdout) == []


# -- bot release ------------------------------------------------------------------------------

PSR_STYLE = """.. _changelog:

=========
CHANGELOG
=========

.. version list

.. _changelog-v0.1.0:

v0.1.0 (2024-01-01)
===================

Feature
-------

* Initial (`abc1234`_)

.. _abc1234: https://example.com/abc1234
"""


@pytest.fixture
def released_once(make_repo: RepoFactory, tmp_path: Path) -> GitRepo:
    """v0.1.0 on a file:// origin, with versionbot writing CHANGELOG.rst."""
    repo = make_repo("app")
    repo.commit(
        "feat: initial", {"README.md": "app\n", "versionbot.toml": f"[changelog]\n{RST_CONFIG}"}
    )
    repo.tag("v0.1.0", annotated=True)
    remote = bare_repo(tmp_path / "origin.git")
    repo.run("remote", "add", "origin", remote.as_uri())
    repo.run("push", "--quiet", "origin", "main", "v0.1.0")
    return repo


def _released(repo: GitRepo, result: CliResult) -> str:
    """The CHANGELOG.rst of the release commit on the remote, after a successful release."""
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "v0.2.0" in repo.run("ls-remote", "--tags", "origin")
    remote_head = repo.run("ls-remote", "origin", "refs/heads/main").split()[0]
    assert remote_head == repo.head()
    assert repo.run("log", "-1", "--format=%s").startswith("chore(release): ")
    return repo.run("show", f"{remote_head}:CHANGELOG.rst") + "\n"


def test_release_inserts_into_a_psr_changelog_rst(released_once: GitRepo, bot: CliRunner) -> None:
    repo = released_once
    repo.commit("docs: the psr changelog", {"CHANGELOG.rst": PSR_STYLE})
    repo.commit("feat(api): add the thing\n\nCloses #3\n")
    repo.commit("fix: `x <javascript:alert(1)>`_ and |sub| and *")
    repo.commit("fix: =====")
    repo.run("push", "--quiet", "origin", "main")

    text = _released(repo, bot("-C", repo.path, "release"))

    assert text.startswith(PSR_STYLE.partition(".. _changelog-v0.1.0:")[0] + "0.2.0 (")
    assert text.endswith(".. _changelog-v0.1.0:" + PSR_STYLE.partition(".. _changelog-v0.1.0:")[2])
    assert problems(text) == []
    assert titles(text) == [
        titles(text)[0],
        "Features",
        "Bug fixes",
        "v0.1.0 (2024-01-01)",
        "Feature",
    ]
    assert titles(text)[0].startswith("0.2.0 (")
    shown = publish_doctree(text, settings_overrides=SAFE).astext()
    assert "`x <javascript:alert(1)>`_ and |sub| and *" in shown
    assert "=====" in shown
    assert not node_kinds(text) & {"raw", "substitution_reference", "emphasis", "transition"}
    references = [
        n["refuri"]
        for n in publish_doctree(text, settings_overrides=SAFE).findall(Element)
        if n.tagname == "reference" and "refuri" in n
    ]
    assert not any(uri.startswith("javascript") for uri in references)


def test_a_first_release_creates_changelog_rst_with_a_title(
    released_once: GitRepo, bot: CliRunner
) -> None:
    repo = released_once
    repo.commit("feat: the second feature")
    repo.run("push", "--quiet", "origin", "main")

    text = _released(repo, bot("-C", repo.path, "release"))

    assert text.startswith("=========\nChangelog\n=========\n")
    assert INSERT_MARKER in text.splitlines()
    assert problems(text) == []
    assert titles(text)[1:] == ["Features"]
    assert titles(text)[0].startswith("0.2.0 (")
    assert not (repo.path / "CHANGELOG.md").exists()


# -- bot init ---------------------------------------------------------------------------------


def test_init_proposes_the_changelog_rst_a_repository_has(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: first", {"CHANGES.rst": ATTRS_STYLE})
    repo.tag("v1.0.0")

    result = bot("init", "--changelog-marker", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert 'file = "CHANGES.rst"' in (repo.path / "versionbot.toml").read_text()
    text = (repo.path / "CHANGES.rst").read_text()
    assert text == ATTRS_STYLE.replace(
        "1.0.0 (2024-01-01)\n", f"{INSERT_MARKER}\n\n1.0.0 (2024-01-01)\n"
    )
    assert problems(text) == []


def test_init_takes_commitizen_s_rst_changelog(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit(
        "feat: first",
        {
            "pyproject.toml": '[tool.commitizen]\nchangelog_file = "docs/HISTORY.rst"\n',
            "CHANGELOG.md": "# Changelog\n",
        },
    )

    result = bot("init", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert 'file = "docs/HISTORY.rst"' in result.stdout


@pytest.mark.parametrize(
    ("settings", "file", "noted"),
    [
        ('changelog_file = "CHANGELOG.rst"\noutput_format = "rst"\n', "CHANGELOG.rst", False),
        ('output_format = "rst"\n', "CHANGELOG.md", True),
    ],
)
def test_init_migrates_psr_s_rst_output(
    repo: GitRepo, bot: CliRunner, settings: str, file: str, noted: bool
) -> None:
    """An rst file is migrated as it is; rst output into another file is a note."""
    table = "[tool.semantic_release.changelog.default_templates]\n"
    repo.commit("feat: first", {"pyproject.toml": table + settings})

    result = bot("init", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert f'file = "{file}"' in result.stdout
    note = "output_format (python-semantic-release) — versionbot writes reStructuredText"
    assert (note in result.stderr + result.stdout) is noted


# -- hostile commit text, through the CLI -----------------------------------------------------

HOSTILE_SUBJECTS = [
    ".. raw:: html",
    ".. include:: /etc/passwd",
    "`x <javascript:alert(1)>`_",
    "javascript:alert(1)",
    "|sub|",
    "a * b and *emphasis*",
    "trailing_",
    "=====",
    "__ https://evil.example",
    ".. _target: https://evil.example",
    ".. |sub| replace:: evil",
    ":field: value",
    "A. Einstein",
    "ends ::",
]


def test_hostile_subjects_stay_text_in_the_written_changelog(repo: GitRepo, bot: CliRunner) -> None:
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    for subject in HOSTILE_SUBJECTS:
        repo.commit(f"fix: {subject}\n\nBREAKING CHANGE: {subject}\n")
        repo.commit(f"feat({subject}): {subject}")
    repo.tag("v2.0.0")
    use_rst(repo)

    result = bot("changelog", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "CHANGELOG.rst: wrote 2.0.0, 1.0.0\n"
    text = (repo.path / "CHANGELOG.rst").read_text(encoding="utf-8")
    assert problems(text) == []
    allowed = {
        "document", "title", "section", "paragraph", "bullet_list", "list_item", "strong",
        "reference", "comment",
        "system_message",  # info only (two releases' "Features"): problems() is empty
    }  # fmt: skip
    assert node_kinds(text) <= allowed
    shown = publish_doctree(text, settings_overrides=SAFE).astext()
    for subject in HOSTILE_SUBJECTS:
        assert shown.count(subject) >= 2, subject  # the entry and its breaking note (a scope too)
    assert titles(text) == TWO_RELEASES
