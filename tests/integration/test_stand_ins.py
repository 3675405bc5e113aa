"""Release tags left on commits the branch lost (history rewritten after the release), in real
git: the branch's copy of the release commit (same subject, same change) stands in for it.

The shape is commitizen's own history (4.13.0-4.13.3 tagged on bump commits its main branch
does not hold, each with a copy on main): ``bot plan`` there stopped with exit 4, since the next
version's tag existed elsewhere. On the real repository it now plans 4.13.1 from the copy of
4.13.0, as commitizen released.
"""

from __future__ import annotations

import json

import pytest

from conftest import CliRunner, GitRepo

PYPROJECT = (
    '[project]\nname = "app"\nversion = "{}"\n\n'
    '[tool.versionbot]\nversion_files = ["pyproject.toml"]\n'
)


def _released_then_rewritten(
    repo: GitRepo, *, copy_changes: dict[str, str] | None = None
) -> dict[str, str]:
    """v1.0.0, a feature, the release commit of 1.1.0 (tagged), then main rebuilt from before
    it: the release commit cherry-picked (a copy: new sha, same change) and a fix after it.
    ``copy_changes``: more files the copy changes (then it is not the same change)."""
    shas = {}
    repo.commit("feat: start", {"pyproject.toml": PYPROJECT.format("1.0.0")})
    repo.tag("v1.0.0", annotated=True)
    shas["feature"] = repo.commit("feat: search", {"src/search.py": "SEARCH = 1\n"})
    shas["tagged"] = repo.commit(
        "bump: version 1.0.0 → 1.1.0\n",
        {"pyproject.toml": PYPROJECT.format("1.1.0"), "CHANGELOG.md": "## v1.1.0\n"},
    )
    repo.tag("v1.1.0", annotated=True)
    repo.run("checkout", "--quiet", "-B", "main", shas["feature"])  # the release commit is lost
    repo.run("cherry-pick", "--allow-empty", "--no-commit", shas["tagged"])
    for name, content in (copy_changes or {}).items():
        repo.write(name, content)
    shas["copy"] = repo.commit("bump: version 1.0.0 → 1.1.0\n")
    shas["fix"] = repo.commit("fix: mend search", {"src/search.py": "SEARCH = 2\n"})
    return shas


def test_the_branchs_copy_of_an_off_branch_release_stands_in_for_it(
    repo: GitRepo, bot: CliRunner
) -> None:
    shas = _released_then_rewritten(repo)

    human = bot("-C", repo.path, "plan")
    document = bot("-C", repo.path, "plan", "--json")

    assert document.exit_code == 0, document.stderr
    plan = json.loads(document.stdout)
    assert plan["previous"] == {
        "version": "1.1.0",
        "tag": "v1.1.0",
        "sha": shas["copy"],
        "stands_in_for": shas["tagged"],
    }
    assert plan["next"] == {"version": "1.1.1", "tag": "v1.1.1"}
    assert [c["sha"] for c in plan["commits"]] == [shas["fix"]]  # the window starts at the copy
    assert human.stdout.splitlines()[1] == (
        f"  previous   v1.1.0  (1.1.0 at {shas['copy'][:7]}; the tag is on "
        f"{shas['tagged'][:7]}, off this branch: this is its copy)"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"src/search.py": "SEARCH = 'and more'\n"},  # the copy carries another change too
    ],
)
def test_a_commit_with_the_subject_but_not_the_change_stands_in_for_nothing(
    repo: GitRepo, bot: CliRunner, change: dict[str, str]
) -> None:
    _released_then_rewritten(repo, copy_changes=change)

    result = bot("-C", repo.path, "plan")

    assert result.exit_code == 4, result.stdout
    assert "tag v1.1.0 already exists on" in result.stderr


def test_the_same_change_under_another_subject_stands_in_for_nothing(
    repo: GitRepo, bot: CliRunner
) -> None:
    shas = _released_then_rewritten(repo)
    repo.run("checkout", "--quiet", "-B", "main", shas["copy"] + "~1")
    repo.run("cherry-pick", shas["tagged"])
    repo.run("commit", "--amend", "--quiet", "-m", "chore: version files")

    result = bot("-C", repo.path, "plan", "--json")

    assert result.exit_code == 4, result.stdout


def test_a_rebased_history_counts_every_release_at_its_copy(repo: GitRepo, bot: CliRunner) -> None:
    """Every commit rewritten (``git rebase --root``, later committer dates): no tag is on the
    branch, and each release is found at its copy."""
    repo.commit("feat: start", {"pyproject.toml": PYPROJECT.format("1.0.0")})
    repo.tag("v1.0.0")
    repo.commit("feat: search", {"src/search.py": "SEARCH = 1\n"})
    repo.tag("v1.1.0")
    repo.commit("fix: mend search", {"src/search.py": "SEARCH = 2\n"})
    before = repo.head()
    repo._clock[0] += 3600
    repo.run("rebase", "--quiet", "--root", "--force-rebase")
    assert repo.head() != before

    result = bot("-C", repo.path, "plan", "--json")

    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["previous"]["tag"] == "v1.1.0"
    assert plan["previous"]["sha"] == repo.run("rev-parse", "HEAD~1")
    assert plan["next"]["version"] == "1.1.1"


def test_a_renamed_tag_format_keeps_its_older_releases(repo: GitRepo, bot: CliRunner) -> None:
    """Tags were `1.0.0` and `1.1.0`; the project now tags `v{version}`."""
    repo.commit("feat: start", {"pyproject.toml": PYPROJECT.format("1.0.0")})
    repo.tag("1.0.0")
    repo.commit("feat: search")
    repo.tag("1.1.0")
    fix = repo.commit("fix: mend search")

    before = bot("-C", repo.path, "plan", "--json")
    config = PYPROJECT.format("1.1.0") + 'legacy_tag_formats = ["{version}"]\n'
    repo.write("pyproject.toml", config)
    after = bot("-C", repo.path, "plan", "--json")

    assert json.loads(before.stdout)["previous"] is None  # every commit would count again
    plan = json.loads(after.stdout)
    assert plan["previous"]["tag"] == "1.1.0"
    assert plan["next"] == {"version": "1.1.1", "tag": "v1.1.1"}
    assert [c["sha"] for c in plan["commits"]] == [fix]


MONOREPO = (
    '[tool.versionbot.packages.api]\npath = "api"\n[tool.versionbot.packages.web]\npath = "web"\n'
)


def test_in_a_monorepo_another_packages_later_release_does_not_hide_the_copy(
    repo: GitRepo, bot: CliRunner
) -> None:
    """api's release commit is on a commit main lost, main has its copy, and web released after
    that copy: the copy is looked for after api's own releases, not web's."""
    repo.commit(
        "feat(api): start", {"pyproject.toml": MONOREPO, "api/a.py": "1\n", "web/w.py": "1\n"}
    )
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    base = repo.commit("feat(api): search", {"api/a.py": "2\n"})
    tagged = repo.commit("chore(release): api 1.1.0", {"api/CHANGELOG.md": "## 1.1.0\n"})
    repo.tag("api-v1.1.0")
    repo.run("checkout", "--quiet", "-B", "main", base)
    repo._clock[0] += 60  # a later committer date: a copy, not the same commit
    repo.run("cherry-pick", tagged)
    copy = repo.head()
    assert copy != tagged
    repo.commit("feat(web): theme", {"web/w.py": "2\n"})
    repo.tag("web-v1.1.0")
    repo.commit("fix(api): mend search", {"api/a.py": "3\n"})

    result = bot("-C", repo.path, "plan", "--json", "--package", "api")

    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)["packages"][0]["plan"]
    assert (plan["previous"]["sha"], plan["previous"]["stands_in_for"]) == (copy, tagged)
    assert plan["next"]["version"] == "1.1.1"
