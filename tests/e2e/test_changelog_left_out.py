"""``bot changelog --full`` says which releases it leaves out, why, and the configuration that
brings them in: a renamed tag format, tags on commits the branch does not hold, a moved package
folder. Real git, the installed ``bot``."""

from __future__ import annotations

import json

from conftest import CliRunner, GitRepo

CONFIG = '[tool.versionbot]\nchangelog = {{ forge = "none" }}\n{}'


def _history(repo: GitRepo) -> dict[str, str]:
    """Releases 1.0.0 (tag `1.0.0`: the old format), v1.1.0, v1.2.0 on a branch never merged,
    and v1.3.0 on a release commit main lost (main has its copy)."""
    shas = {}
    repo.commit("feat: start", {"pyproject.toml": CONFIG.format("")})
    repo.tag("1.0.0")
    repo.commit("feat: search", {"search.py": "1\n"})
    repo.tag("v1.1.0")
    repo.checkout("old-line", create=True)
    repo.commit("fix: only on the old line", {"old.py": "1\n"})
    repo.tag("v1.2.0")
    repo.checkout("main")
    base = repo.commit("feat: export", {"export.py": "1\n"})
    shas["tagged"] = repo.commit("chore(release): 1.3.0", {"VERSION": "1.3.0\n"})
    repo.tag("v1.3.0")
    repo.run("reset", "--quiet", "--hard", base)
    repo.run("cherry-pick", shas["tagged"])
    shas["copy"] = repo.head()
    repo.commit("fix: after the copy", {"export.py": "2\n"})
    return shas


def test_a_whole_changelog_names_what_it_leaves_out_and_how_to_include_it(
    repo: GitRepo, bot: CliRunner
) -> None:
    _history(repo)

    result = bot("-C", repo.path, "changelog", "--full", "--stdout")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "note: left out 1 release tag on commits this branch does not hold (v1.2.0): released "
        "from another branch, or the history was rewritten without a copy of the release here; "
        "merge that branch to include them",
        "note: left out 1 tag in another format, {version} (1.0.0): a renamed tag_format? To "
        'include them, set legacy_tag_formats = ["{version}"]',
    ]
    # v1.3.0's tag is off the branch, but main's copy of its release commit stands in for it.
    headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
    assert [h.split()[1] for h in headings] == ["1.3.0", "1.1.0"]


def test_the_offered_configuration_brings_the_release_in(repo: GitRepo, bot: CliRunner) -> None:
    _history(repo)
    repo.write("pyproject.toml", CONFIG.format('legacy_tag_formats = ["{version}"]\n'))

    result = bot("-C", repo.path, "changelog", "--full", "--json")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["added"] == ["1.3.0", "1.1.0", "1.0.0"]
    assert document["left_out"] == [
        "1 release tag on commits this branch does not hold (v1.2.0): released from another "
        "branch, or the history was rewritten without a copy of the release here; merge that "
        "branch to include them"
    ]
    assert "## 1.0.0" in (repo.path / "CHANGELOG.md").read_text()


def test_an_update_of_an_existing_changelog_says_nothing_of_it(
    repo: GitRepo, bot: CliRunner
) -> None:
    _history(repo)
    assert bot("-C", repo.path, "changelog").exit_code == 0  # a new file: a whole changelog

    result = bot("-C", repo.path, "changelog")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


MONOREPO = (
    '[tool.versionbot]\nchangelog = {{ forge = "none" }}\n'
    '[tool.versionbot.packages.api]\npath = "services/api"\n{}'
)


def test_a_moved_package_folder_is_named_with_the_setting_that_follows_it(
    repo: GitRepo, bot: CliRunner
) -> None:
    repo.commit("feat(api): search", {"pyproject.toml": MONOREPO.format(""), "old/api/a.py": "1\n"})
    repo.tag("api-v1.0.0")
    repo.commit("fix(api): mend search", {"old/api/a.py": "2\n"})
    (repo.path / "services").mkdir()
    repo.run("mv", "old/api", "services")
    repo.commit("refactor: move the api under services")
    moved = repo.head()
    repo.tag("api-v1.0.1")
    repo.commit("feat(api): export", {"services/api/b.py": "1\n"})
    repo.tag("api-v1.1.0")

    before = bot("-C", repo.path, "changelog", "--full", "--stdout", "--package", "api")
    repo.write("pyproject.toml", MONOREPO.format('depends_on = ["old/api"]\n'))
    after = bot("-C", repo.path, "changelog", "--full", "--stdout", "--package", "api")

    assert before.exit_code == 0, before.stderr
    assert before.stderr.splitlines() == [
        f"note: left out the folder services/api was moved from old/api in {moved[:7]}: the "
        "commits before that are not package api's; to include them, set depends_on = "
        '["old/api"] in [packages.api]'
    ]
    assert "mend search" not in before.stdout
    assert after.stderr == ""
    assert "mend search" in after.stdout
