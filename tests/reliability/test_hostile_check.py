"""Breaking changes the release does not read, through the installed ``bot check`` on real repos.

A contributor (or a tool) writes ``BREAKING CHANGE`` without its colon, as a list item, under a
heading, indented or misspelt: the release, reading Conventional Commits 1.0.0, plans a minor or a
patch. ``bot check`` must say so at the line and column, with a fix the release reads, and must
not flag what the release does read (a ``* feat!: x`` bullet of a squash body is a commit).
The real cases are recorded from public monorepos in fixtures/breaking_forms.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CliResult, CliRunner, GitRepo

pytestmark = pytest.mark.timeout(120)

FIXTURE = Path(__file__).parent / "fixtures" / "breaking_forms.json"
NOT_READ = "the release will NOT treat this commit as breaking"


def _breaking_findings(commit: dict[str, Any]) -> list[list[object]]:
    return [
        [f["line"], f["column"], f["rule"], f["severity"]]
        for f in commit["findings"]
        if f["rule"].startswith("breaking-change")
    ]


def _checked(repo: GitRepo, bot: CliRunner, *args: str) -> tuple[CliResult, list[dict[str, Any]]]:
    """``bot check --json`` of a range; nothing in the repository may change."""
    head, status = repo.head(), repo.run("status", "--porcelain")
    result = bot("-C", repo.path, "check", "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == ""
    assert (repo.head(), repo.run("status", "--porcelain")) == (head, status)
    return result, result.json()["commits"]


@pytest.fixture
def released(repo: GitRepo) -> GitRepo:
    repo.commit("feat: first", {"README.md": "app\n"})
    repo.tag("v1.0.0")
    return repo


def test_real_history_flags_exactly_the_breaking_changes_the_release_misses(
    released: GitRepo, bot: CliRunner
) -> None:
    """Ten real commits: the seven that declare a breaking change the release does not read are
    flagged at the line (errors, or a warning where '!' makes the commit breaking anyway); the
    three whose breaking changes the release reads (a `* chore(load)!:` squash bullet, footers
    under squash bullets, a spec footer) are not."""
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))["commits"]
    missed = [c for c in recorded if c["flagged"] and c["flagged"][0][3] == "error"]
    read = [c for c in recorded if c not in missed]
    released.fast_import([c["message"] for c in read])
    released.tag("v2.0.0")
    shas = released.fast_import([c["message"] for c in missed])

    result, checked = _checked(released, bot, "v1.0.0..HEAD")

    assert result.exit_code == 1
    by_subject = {c["subject"]: c for c in checked}
    assert len(by_subject) == len(recorded) == 10
    for original in recorded:
        commit = by_subject[original["message"].partition("\n")[0].strip()]
        assert _breaking_findings(commit) == original["flagged"], original["sha"]
        for finding in commit["findings"]:
            if finding["severity"] == "error" and finding["rule"].startswith("breaking"):
                assert NOT_READ in finding["message"]
    # The release reads none of the seven: their range plans a minor, not the major they declare.
    plan = bot("-C", released.path, "plan", "--json")
    assert plan.exit_code == 0, plan.stderr
    assert (plan.json()["bump"], plan.json()["next"]["version"]) == ("minor", "2.1.0")
    assert len(shas) == len(missed) == 6


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("BREAKING CHANGE - the API changed", (3, 1, "breaking-change-form", "error")),
        ("BREAKING CHANGE\nthe API changed", (3, 1, "breaking-change-form", "error")),
        ("* BREAKING CHANGE: the API changed", (3, 3, "breaking-change-form", "error")),
        ("- BREAKING CHANGE: the API changed", (3, 3, "breaking-change-form", "error")),
        ("## BREAKING CHANGES\n\nthe API changed", (3, 4, "breaking-change-form", "error")),
        ("    BREAKING CHANGE: the API changed", (3, 5, "breaking-change-form", "error")),
        ("Some text.\nBREAKING CHANGE: the API", (4, 1, "breaking-change-position", "error")),
        ("BREAKING CHANGES: the API changed", (3, 1, "breaking-change-token", "error")),
        ("breaking change: the API changed", (3, 1, "breaking-change-token", "warning")),
    ],
)
def test_each_form_is_flagged_at_its_line_and_column(
    released: GitRepo, bot: CliRunner, body: str, expected: tuple[int, int, str, str]
) -> None:
    released.commit(f"feat(api): new paging\n\n{body}\n", {"api.txt": "v2\n"})

    result, [commit] = _checked(released, bot, "v1.0.0..HEAD")

    [finding] = commit["findings"]
    assert (finding["line"], finding["column"], finding["rule"], finding["severity"]) == expected
    assert result.exit_code == (1 if expected[3] == "error" else 0)
    assert (
        "start the last paragraph with 'BREAKING CHANGE: <what breaks>', or put '!'"
        in (finding["message"])
    )
    plan = bot("-C", released.path, "plan", "--json")
    assert plan.json()["bump"] == "minor"  # what the check warns about


def test_breaking_change_with_a_hyphen_is_read_and_not_flagged(
    released: GitRepo, bot: CliRunner
) -> None:
    released.commit("feat(api): new paging\n\nBREAKING-CHANGE: pages start at 1\n", {"a": "1\n"})

    result, [commit] = _checked(released, bot, "v1.0.0..HEAD")

    assert (result.exit_code, commit["findings"]) == (0, [])
    assert bot("-C", released.path, "plan", "--json").json()["bump"] == "major"


@pytest.mark.parametrize(
    ("squash", "rules"), [(True, ["no-type"]), (False, ["no-type", "breaking-change-ignored"])]
)
def test_squash_bullets_are_commits_when_squash_commits_says_so(
    released: GitRepo, bot: CliRunner, squash: bool, rules: list[str]
) -> None:
    """GitHub's squash body under a title that is not conventional: `* feat(api)!: x` is a
    breaking commit and the footer right under `* fix: y` is that commit's own, as the release
    reads them with squash_commits (core/commits.split_squash)."""
    config = f"[tool.versionbot]\nsquash_commits = {str(squash).lower()}\n"
    released.commit("build: config", {"pyproject.toml": config})
    message = (
        "Bundle (#7)\n\n* feat(api)!: drop v1\n\n* fix(api): names\n"
        "BREAKING CHANGE: names are sorted\n"
    )
    released.commit(message, {"bundle.txt": "zip\n"})

    result, [commit, *_] = _checked(released, bot, "v1.0.0..HEAD")

    assert [f["rule"] for f in commit["findings"]] == rules
    assert result.exit_code == 1  # the title itself is not conventional
    plan = bot("-C", released.path, "plan", "--json").json()
    assert plan["bump"] == ("major" if squash else "none")


def test_the_commit_msg_hook_flags_a_bare_breaking_change_before_the_commit_exists(
    released: GitRepo, bot: CliRunner, tmp_path: Path
) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(
        "feat(api): new paging\n\nBREAKING CHANGE\npages start at 1\n# Please enter\n",
        encoding="utf-8",
    )
    head = released.head()

    result = bot("-C", released.path, "check", "--message-file", str(message))

    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 1
    assert "3:1    error    breaking-change-form  'BREAKING CHANGE' without ':'" in result.stdout
    assert released.head() == head


def test_issue_references_of_a_breaking_change_stay_in_the_notes(
    released: GitRepo, bot: CliRunner
) -> None:
    """`see #123` inside the footer is linked where it stands; `Refs: #12` next to it follows
    the note when no section lists the commit (a `refactor!:`), and the entry when one does."""
    released.run("remote", "add", "origin", "https://github.com/acme/app.git")
    released.commit(
        "refactor!: drop the v1 client\n\nBREAKING CHANGE: the v1 client is gone\nRefs: #12\n",
        {"client.txt": "v2\n"},
    )
    released.commit(
        "feat(api): drop X\n\nBREAKING CHANGE: drop X, see #123\nCloses #7\n", {"x.txt": "0\n"}
    )
    issue = "https://github.com/acme/app/issues/"

    result = bot("-C", released.path, "changelog", "--unreleased")

    assert result.exit_code == 0, result.stderr
    assert f"- **api:** drop X, see [#123]({issue}123)\n" in result.stdout
    assert f"- the v1 client is gone, refs [#12]({issue}12)\n" in result.stdout
    assert f"), closes [#7]({issue}7)\n" in result.stdout  # on the Features entry
    assert result.stdout.count("#7") == 1
