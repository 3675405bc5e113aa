"""``bot changelog`` and the release notes of ``bot plan``, run as the installed console script.

Golden files: ``tests/e2e/golden/changelog/<history>.md`` is the exact ``bot changelog --stdout``
of the repository that ``HISTORIES[<history>]`` builds (sealed git dates, so fixed shas and tag
dates; ``SOURCE_DATE_EPOCH`` for the release being planned). After an intended change of the
built-in templates, regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/e2e -k golden
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from versionbot.core.changelog import INSERT_MARKER

if TYPE_CHECKING:
    from conftest import CliResult, CliRunner, GitRepo

GOLDEN = Path(__file__).parent / "golden" / "changelog"
# 2026-11-28T12:00:00Z: the date of a release that is planned, not tagged yet.
RELEASE_DAY = {"SOURCE_DATE_EPOCH": "1795867200"}
DAY = 86_400
TITLE = "# Changelog"


def next_day(repo: GitRepo, days: int = 1) -> None:
    """Move the sealed clock on by whole days, so that releases have dates of their own.

    The clock is the conftest's, shared by every repository of the test; moving it keeps dates
    fixed (and shas reproducible) while spreading the releases over several days.
    """
    repo._clock[0] += days * DAY


def assert_golden(name: str, text: str) -> None:
    """``text`` is byte for byte ``golden/changelog/<name>`` (UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, (
        f"{name} changed; if intended, regenerate with UPDATE_GOLDEN=1 .venv/bin/python -m pytest "
        "tests/e2e -k golden and review the diff"
    )


def assert_clean_error(result: CliResult, code: int) -> tuple[str, str]:
    """An error exit: nothing on stdout, exactly ``error:`` then ``hint:``, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    error, hint = lines
    assert error.startswith("error: ")
    assert hint.startswith("hint: ")
    return error, hint


# -- deterministic histories ------------------------------------------------------------------


def first_release(repo: GitRepo) -> None:
    """One release only, every kind of commit in it; a GitHub HTTPS remote."""
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("chore: init", {"README.md": "# app\n"})
    repo.commit("feat: add the export command (#12)", {"export.txt": "1\n"})
    repo.commit("fix(cli): exit 2 on a bad flag\n\nCloses #9\n", {"cli.txt": "1\n"})
    repo.commit("docs: explain export")
    repo.commit("perf: cache the parsed config")
    repo.commit("Update stuff")
    repo.tag("v0.1.0")


def breaking(repo: GitRepo) -> None:
    """A major release: a multi-line BREAKING CHANGE note, a bare ``!``; a GitHub SSH remote."""
    repo.run("remote", "add", "origin", "git@github.com:acme/app.git")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit(
        "feat(api)!: drop the v1 endpoints\n\n"
        "The old routes were deprecated for a year.\n\n"
        "BREAKING CHANGE: the /v1 routes are gone.\n"
        "Clients must call /v2 instead;\n"
        "see the migration guide.\n"
        "Closes #41\n"
    )
    repo.commit("fix!: read the config strictly")
    repo.commit("fix(core): handle empty input")
    repo.tag("v2.0.0", annotated=True)


def scopes(repo: GitRepo) -> None:
    """Scoped and unscoped entries, hidden types, two releases after the first."""
    repo.run("remote", "add", "origin", "https://github.com/acme/app")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit("feat(api): add pagination")
    repo.commit("feat(cli): add --json")
    repo.commit("fix(api): off-by-one in the page size")
    repo.commit("perf(db): batch the inserts")
    repo.commit("refactor(core): split the module")
    repo.commit("test: cover pagination")
    repo.commit("ci: cache the venv")
    repo.commit("build(deps): bump jinja2")
    repo.commit("style: format")
    repo.commit("feat: a top-level feature")
    repo.tag("v1.1.0")
    next_day(repo)
    repo.commit("fix(cli): typo in the help")
    repo.tag("v1.1.1")


def reverts(repo: GitRepo) -> None:
    """A revert of a feature released earlier shows; a pair inside one release cancels."""
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    fuzzy = repo.commit("feat(search): fuzzy matching", {"search.txt": "fuzzy\n"})
    repo.tag("v1.1.0")
    next_day(repo)
    repo.revert(fuzzy)
    repo.commit("fix: a bug")
    temporary = repo.commit("feat: a temporary thing", {"tmp.txt": "x\n"})
    repo.revert(temporary)
    repo.tag("v1.1.1")


def no_remote(repo: GitRepo) -> None:
    """No remote at all: no links anywhere, references stay plain text."""
    repo.commit("feat: first (#4)")
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit("fix: second\n\nCloses #9\nRefs: #10, #11\n")
    repo.tag("v1.0.1")


def gitlab(repo: GitRepo) -> None:
    """A self-hosted GitLab behind SSH on a port, named by ``forge = "gitlab"``; subgroups."""
    repo.run("remote", "add", "origin", "ssh://git@code.example.com:2222/acme/sub/app.git")
    repo.commit("chore: config", {"versionbot.toml": '[changelog]\nforge = "gitlab"\n'})
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit("feat(ui): dark mode (!8)\n\nCloses #3\nRefs: !7\n")
    repo.commit("fix: the login loop (#5)")
    repo.tag("v1.1.0")


def bitbucket(repo: GitRepo) -> None:
    """Bitbucket Cloud over SSH: its own commit, compare and pull-request URL shapes."""
    repo.run("remote", "add", "origin", "git@bitbucket.org:team/app.git")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    next_day(repo)
    repo.commit("fix(auth): refresh tokens\n\nCloses #5\n")
    repo.commit("feat: export to S3")
    repo.tag("v1.1.0")


HISTORIES: dict[str, Callable[[GitRepo], None]] = {
    "first_release": first_release,
    "breaking": breaking,
    "scopes": scopes,
    "reverts": reverts,
    "no_remote": no_remote,
    "gitlab": gitlab,
    "bitbucket": bitbucket,
}


# -- golden -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_golden_changelog(name: str, repo: GitRepo, bot: CliRunner) -> None:
    HISTORIES[name](repo)

    printed = bot("changelog", "--stdout", cwd=repo.path)
    written = bot("changelog", cwd=repo.path)

    assert printed.exit_code == 0, printed.stderr
    assert printed.stderr == ""
    assert_golden(f"{name}.md", printed.stdout)
    assert written.exit_code == 0, written.stderr
    assert (repo.path / "CHANGELOG.md").read_bytes() == printed.stdout_bytes


def test_golden_unreleased(repo: GitRepo, bot: CliRunner) -> None:
    scopes(repo)
    repo.commit("feat(api)!: rename the cursor field\n\nBREAKING CHANGE: `next` is `cursor`.\n")
    repo.commit("fix: close the file\n\nCloses #77\n")

    result = bot("changelog", "--unreleased", cwd=repo.path, env=RELEASE_DAY)

    assert result.exit_code == 0, result.stderr
    assert_golden("unreleased.md", result.stdout)


def test_golden_release_notes(repo: GitRepo) -> None:
    """The release-notes template (a forge release's body): no heading, same body."""
    from versionbot.core.plan import PlanRequest
    from versionbot.files.config_file import load_config
    from versionbot.files.render import Renderer
    from versionbot.git.repository_plan import repository_plan

    breaking(repo)
    repo.commit("feat(api)!: rename the cursor field\n\nBREAKING CHANGE: `next` is `cursor`.\n")
    config = load_config(repo.path)
    plan = repository_plan(repo.path, config, PlanRequest(date="2026-11-28"))
    assert plan.notes is not None

    text = Renderer.for_repository(plan.state, config).release_notes(plan.notes)

    assert not any(line.startswith("## ") for line in text.splitlines())
    assert text.startswith("### ⚠ Breaking changes\n")
    assert_golden("release-notes.md", text)


def test_golden_files_have_the_default_shape() -> None:
    """Read the goldens as a user would: the parts of the default shape are there, in order."""
    breaking_text = (GOLDEN / "breaking.md").read_text(encoding="utf-8")
    lines = breaking_text.splitlines()
    assert lines[0] == TITLE
    assert INSERT_MARKER in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## [2.0.0](https://github.com/acme/app/compare/v1.0.0...v2.0.0) (2024-01-02)",
        "## [1.0.0](https://github.com/acme/app/tree/v1.0.0) (2024-01-01)",
    ]
    titles = [line for line in lines if line.startswith("### ")]
    assert titles[:3] == ["### ⚠ Breaking changes", "### Features", "### Bug fixes"]
    assert "- **api:** the /v1 routes are gone." in lines
    assert "  Clients must call /v2 instead;" in lines
    reverts_text = (GOLDEN / "reverts.md").read_text(encoding="utf-8")
    section = reverts_text.split("## [1.1.1]")[1].split("## [1.1.0]")[0]
    assert "### Reverts" in section
    assert "feat(search): fuzzy matching" in section
    assert "temporary" not in reverts_text
    for hidden in ("split the module", "cover pagination", "cache the venv", "bump jinja2"):
        assert hidden not in (GOLDEN / "scopes.md").read_text(encoding="utf-8")
    assert "](" not in (GOLDEN / "no_remote.md").read_text(encoding="utf-8").split(INSERT_MARKER)[1]


# -- bot changelog ------------------------------------------------------------------------


def test_second_run_changes_nothing(repo: GitRepo, bot: CliRunner) -> None:
    scopes(repo)

    first = bot("changelog", cwd=repo.path)
    before = (repo.path / "CHANGELOG.md").read_bytes()
    stat = (repo.path / "CHANGELOG.md").stat()
    second = bot("changelog", cwd=repo.path)

    assert first.exit_code == 0, first.stderr
    assert first.stdout == "CHANGELOG.md: wrote 1.1.1, 1.1.0, 1.0.0\n"
    assert second.exit_code == 0, second.stderr
    assert second.stdout == "CHANGELOG.md is up to date\n"
    assert (repo.path / "CHANGELOG.md").read_bytes() == before
    assert (repo.path / "CHANGELOG.md").stat().st_mtime_ns == stat.st_mtime_ns


def test_new_tag_is_inserted_at_the_top_and_hand_edits_survive(
    repo: GitRepo, bot: CliRunner
) -> None:
    scopes(repo)
    assert bot("changelog", cwd=repo.path).exit_code == 0
    path = repo.path / "CHANGELOG.md"
    edited = (
        path.read_text(encoding="utf-8")
        .replace("add pagination", "add pagination (thanks, @ana!)")
        .replace("\n## [1.0.0]", "\nA paragraph written by hand.\n\n## [1.0.0]")
    )
    path.write_text(edited, encoding="utf-8")
    next_day(repo)
    repo.commit("feat: brand new")
    repo.tag("v1.2.0")

    result = bot("changelog", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "CHANGELOG.md: wrote 1.2.0\n"
    after = path.read_text(encoding="utf-8")
    head, marker, rest = edited.partition(INSERT_MARKER + "\n\n")
    assert after.startswith(head + marker + "## [1.2.0](")
    assert after.endswith(rest)
    new_section = after[len(head + marker) : len(after) - len(rest)]
    assert [line for line in new_section.splitlines() if line.startswith("## ")] == [
        "## [1.2.0](https://github.com/acme/app/compare/v1.1.1...v1.2.0) (2024-01-04)"
    ]
    assert "- brand new (" in new_section
    assert new_section.endswith("\n\n")


def test_stdout_prints_and_writes_nothing(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0
    assert result.stdout.startswith(TITLE + "\n")
    assert not (repo.path / "CHANGELOG.md").exists()


def test_full_regenerates_and_drops_hand_edits(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)
    assert bot("changelog", cwd=repo.path).exit_code == 0
    path = repo.path / "CHANGELOG.md"
    pristine = path.read_bytes()
    path.write_bytes(pristine.replace(b"second", b"second, edited"))

    result = bot("changelog", "--full", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "CHANGELOG.md: wrote 1.0.1, 1.0.0\n"
    assert path.read_bytes() == pristine


def test_unreleased_with_nothing_pending(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)
    repo.commit("docs: typo")

    result = bot("changelog", "--unreleased", cwd=repo.path)

    assert result.exit_code == 0
    assert result.stdout.startswith("Nothing to release: ")
    assert not (repo.path / "CHANGELOG.md").exists()


def test_unreleased_writes_nothing(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)
    repo.commit("feat: pending")

    result = bot("changelog", "--unreleased", cwd=repo.path, env=RELEASE_DAY)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "## 1.1.0 (2026-11-28)"
    assert "- pending (" in result.stdout
    assert not (repo.path / "CHANGELOG.md").exists()


def test_no_insertion_point_exits_5(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)
    path = repo.path / "CHANGELOG.md"
    path.write_bytes(b"# Our changes\n\nNothing here follows a shape.\n")

    result = bot("changelog", cwd=repo.path)

    error, hint = assert_clean_error(result, 5)
    assert "CHANGELOG.md" in error
    assert INSERT_MARKER in hint
    assert path.read_bytes() == b"# Our changes\n\nNothing here follows a shape.\n"


def test_a_repository_with_no_release_gets_a_title_only(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("feat: not released yet")

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(TITLE + "\n")
    assert INSERT_MARKER in result.stdout
    assert "## " not in result.stdout


def test_changelog_help_lists_exit_5(bot: CliRunner) -> None:
    result = bot("changelog", "--help")

    assert result.exit_code == 0
    assert "5 no insertion point" in result.stdout


def test_configured_file_and_sections(repo: GitRepo, bot: CliRunner) -> None:
    config = (
        "[changelog]\n"
        'file = "docs/HISTORY.md"\n'
        "[changelog.sections]\n"
        'fix = "Fixed"\n'
        'docs = "Documentation"\n'
    )
    repo.commit("chore: config", {"versionbot.toml": config, "docs/index.md": "x\n"})
    repo.commit("feat: hidden now")
    repo.commit("docs: shown now")
    repo.commit("fix: shown first")
    repo.tag("v1.0.0")

    result = bot("changelog", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "HISTORY.md: wrote 1.0.0\n"
    text = (repo.path / "docs" / "HISTORY.md").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("### ")] == [
        "### Fixed",
        "### Documentation",
    ]
    assert "hidden now" not in text
    assert not (repo.path / "CHANGELOG.md").exists()


# -- commit text is data ------------------------------------------------------------------


def test_commit_text_is_data_not_template_or_markup(repo: GitRepo, bot: CliRunner) -> None:
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("feat: {{ 7*7 }} {% raw %} {# c #}")
    repo.commit("feat: <script>alert(1)</script>")
    repo.commit("fix: see [link](x) and ![img](y)")
    repo.commit("fix(<b>x</b>): scoped markup")
    repo.commit(
        "feat!: markup in a breaking note\n\n"
        "BREAKING CHANGE: first line\n"
        "# heading\n"
        "## 9.9.9\n"
        "<div>html</div>\n"
        "> quote\n"
    )
    repo.tag("v1.0.0")

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "{{ 7\\*7 }} {% raw %} {# c #}" in text
    assert "49" not in text
    assert "<" not in text.replace(INSERT_MARKER, "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "see \\[link\\](x) and !\\[img\\](y)" in text
    assert "**&lt;b&gt;x&lt;/b&gt;:** scoped markup" in text
    lines = text.splitlines()
    assert "  \\# heading" in lines
    assert "  \\## 9.9.9" in lines
    assert "  &gt; quote" in lines
    assert [line for line in lines if line.startswith("#")] == [
        TITLE,
        "## [1.0.0](https://github.com/acme/app/tree/v1.0.0) (2024-01-01)",
        "### ⚠ Breaking changes",
        "### Features",
        "### Bug fixes",
    ]
    # The file is read back the way the next run reads it: one release, no phantom 9.9.9.
    assert bot("changelog", cwd=repo.path).exit_code == 0
    again = bot("changelog", cwd=repo.path)
    assert again.stdout == "CHANGELOG.md is up to date\n"


@pytest.mark.parametrize(
    ("message", "escaped"),
    [
        ("feat: # a heading", "- \\# a heading ("),
        ("feat: ## 9.9.9", "- \\## 9.9.9 ("),
        ("feat: - a nested item", "- \\- a nested item ("),
    ],
)
def test_a_description_cannot_open_a_block(
    repo: GitRepo, bot: CliRunner, message: str, escaped: str
) -> None:
    """Text right after a list bullet starts a block in CommonMark (``- # x`` is a heading
    inside the item), so an unscoped description that starts with block markup is escaped."""
    repo.commit(message)
    repo.tag("v1.0.0")

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert any(line.startswith(escaped) for line in result.stdout.splitlines()), result.stdout


def test_a_leading_reference_stays_a_link(repo: GitRepo, bot: CliRunner) -> None:
    """``#12`` is not a heading (that needs a space after the ``#``): it must stay a link."""
    repo.run("remote", "add", "origin", "https://github.com/acme/app.git")
    repo.commit("fix: #12 no longer crashes")
    repo.tag("v1.0.0")

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert "- [#12](https://github.com/acme/app/issues/12) no longer crashes (" in result.stdout


def test_a_breaking_note_cannot_open_a_block_on_its_first_line(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.commit("feat!: x\n\nBREAKING CHANGE: # not a heading\n")
    repo.tag("v1.0.0")

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert "- \\# not a heading" in result.stdout.splitlines()


# -- templates ----------------------------------------------------------------------------


def _with_templates(repo: GitRepo, files: dict[str, str]) -> None:
    config = {"versionbot.toml": '[changelog]\ntemplates = ".versionbot/templates"\n'}
    config |= {f".versionbot/templates/{name}": text for name, text in files.items()}
    repo.commit("chore: templates", config)
    repo.commit("feat: first")
    repo.tag("v1.0.0")


def test_same_name_template_replaces_the_builtin(repo: GitRepo, bot: CliRunner) -> None:
    template = "MY LOG\n{{ marker }}\n{% for r in releases %}\n## {{ r.version }}\n{% endfor %}"
    _with_templates(repo, {"CHANGELOG.md.j2": template})

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"MY LOG\n{INSERT_MARKER}\n## 1.0.0\n"


def test_extends_builtin_and_overrides_the_header(repo: GitRepo, bot: CliRunner) -> None:
    template = (
        '{% extends "builtin/CHANGELOG.md.j2" %}\n'
        "{% block header %}\n# Release history of Acme\n{% endblock %}\n"
    )
    _with_templates(repo, {"CHANGELOG.md.j2": template})

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "# Release history of Acme"
    assert TITLE not in lines
    assert INSERT_MARKER in lines
    assert "## 1.0.0 (2024-01-01)" in lines
    assert "### Features" in lines


def test_template_with_a_syntax_error_exits_2(repo: GitRepo, bot: CliRunner) -> None:
    _with_templates(repo, {"CHANGELOG.md.j2": "{{ marker }}\n{% for r in releases %}\n"})

    error, hint = assert_clean_error(bot("changelog", "--stdout", cwd=repo.path), 2)

    assert "CHANGELOG.md.j2" in error
    assert "line" in error
    assert "template" in hint


def test_template_with_an_undefined_variable_exits_2(repo: GitRepo, bot: CliRunner) -> None:
    _with_templates(repo, {"CHANGELOG.md.j2": "{{ marker }}\n{{ no_such_thing }}\n"})

    error, _ = assert_clean_error(bot("changelog", "--stdout", cwd=repo.path), 2)

    assert "CHANGELOG.md.j2" in error
    assert "no_such_thing" in error


def test_template_cannot_reach_python_internals(repo: GitRepo, bot: CliRunner) -> None:
    _with_templates(
        repo, {"CHANGELOG.md.j2": "{{ marker.__class__.__mro__[1].__subclasses__() }}\n"}
    )

    result = bot("changelog", "--stdout", cwd=repo.path)

    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "subclasses" not in result.stdout


def test_missing_templates_folder_exits_2(repo: GitRepo, bot: CliRunner) -> None:
    repo.commit("chore: config", {"versionbot.toml": '[changelog]\ntemplates = "nowhere"\n'})
    repo.commit("feat: first")
    repo.tag("v1.0.0")

    error, _ = assert_clean_error(bot("changelog", cwd=repo.path), 2)

    assert "nowhere" in error


# -- bot plan shows the notes -------------------------------------------------------------


def test_plan_shows_the_release_notes(repo: GitRepo, bot: CliRunner) -> None:
    scopes(repo)
    repo.commit("feat: pending\n\nCloses #3\n")
    head = repo.head()[:7]

    human = bot("plan", cwd=repo.path, env=RELEASE_DAY)
    document = bot("plan", "--json", cwd=repo.path, env=RELEASE_DAY).json()

    assert human.exit_code == 0, human.stderr
    notes = (
        "## [1.2.0](https://github.com/acme/app/compare/v1.1.1...v1.2.0) (2026-11-28)\n"
        "\n"
        "### Features\n"
        "\n"
        f"- pending ([{head}](https://github.com/acme/app/commit/{repo.head()}))"
        ", closes [#3](https://github.com/acme/app/issues/3)\n"
    )
    assert document["changelog"] == notes
    block = "\nRelease notes:\n\n" + "".join(
        f"  {line}\n" if line else "\n" for line in notes.splitlines()
    )
    assert block + "\nCommits since v1.1.1:" in human.stdout


def test_plan_without_a_release_has_no_notes(repo: GitRepo, bot: CliRunner) -> None:
    no_remote(repo)
    repo.commit("docs: typo")

    human = bot("plan", cwd=repo.path)
    document = bot("plan", "--json", cwd=repo.path).json()

    assert "Release notes:" not in human.stdout
    assert document["changelog"] is None
