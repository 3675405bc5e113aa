"""Reading real git histories: tags, branches, merges, reverts, shallow clones, odd messages.

Each test builds a small repository with real git (see tests/conftest.py), then reads it twice
where it matters: through ``versionbot.git.reader.read_history`` +
``versionbot.core.plan.make_plan`` (the library path) and through ``bot plan --json`` run
in-process (the CLI path).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import RepositoryError, VersionConflictError
from versionbot.core.plan import PlanRequest, ReleasePlan, make_plan
from versionbot.files.config_file import load_config
from versionbot.git.reader import read_history
from versionbot.git.repository_plan import repository_plan

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo, RepoFactory

UNSHALLOW_FIX = "git fetch --unshallow --tags"


def plan_of(
    repo: GitRepo | Path, config: Config | None = None, request: PlanRequest | None = None
) -> ReleasePlan:
    """The plan of a repository, through the library, by both roads git.py offers.

    ``read_history(exact=True)`` + ``make_plan`` computes which tags HEAD contains;
    ``repository_plan`` (what ``bot plan`` runs) first guesses that the highest release is on
    this branch and falls back to the exact read. Both must give the same plan.
    """
    path = repo if isinstance(repo, Path) else repo.path
    config = config or load_config(path)
    request = request or PlanRequest()
    history = read_history(path, config, prerelease=request.prerelease is not None, exact=True)
    exact = make_plan(history, config, request)
    fast = repository_plan(path, config, request)
    assert fast == exact
    return fast


def json_plan(run_cli: CliRunner, repo: GitRepo, *args: str) -> dict[str, Any]:
    """``bot plan --json`` of the repository, in-process; asserts exit 0."""
    result = run_cli("-C", repo.path, "plan", "--json", *args)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = result.json()
    return document


def subjects(plan: ReleasePlan) -> list[str]:
    """The commit subjects the plan lists, newest first."""
    return [c.subject for c in plan.commits]


# -- tags -----------------------------------------------------------------------------------


@pytest.mark.parametrize("annotated", [False, True], ids=["lightweight", "annotated"])
def test_tag_marks_the_last_release(repo: GitRepo, run_cli: CliRunner, annotated: bool) -> None:
    repo.commit("feat: first")
    released = repo.commit("fix: before the release")
    repo.tag("v1.0.0", annotated=annotated)
    repo.commit("feat: after the release")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    # An annotated tag is peeled: the release's sha is the commit's, not the tag object's.
    assert plan.previous.tag.sha == released
    assert subjects(plan) == ["feat: after the release"]
    assert plan.next is not None
    assert str(plan.next.version) == "1.1.0"
    document = json_plan(run_cli, repo)
    assert document["previous"] == {
        "version": "1.0.0",
        "tag": "v1.0.0",
        "sha": released,
        "stands_in_for": None,
    }
    assert document["next"] == {"version": "1.1.0", "tag": "v1.1.0"}


def test_several_tags_on_one_commit_the_highest_wins(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    tagged = repo.commit("feat: second")
    repo.tag("v1.1.0", annotated=True)
    repo.tag("v1.2.0")
    repo.tag("v1.1.5", annotated=True)
    repo.tag("v1.2.0-rc.1")
    repo.commit("fix: third")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.2.0"
    assert plan.previous.tag.sha == tagged
    assert subjects(plan) == ["fix: third"]
    assert plan.next is not None
    assert plan.next.tag == "v1.2.1"
    assert json_plan(run_cli, repo)["next"]["tag"] == "v1.2.1"


def test_tag_on_an_unmerged_branch_is_not_the_last_release(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.checkout("release/next", create=True)
    elsewhere = repo.commit("feat: only on the other branch")
    repo.tag("v1.1.0", annotated=True)
    repo.checkout("main")
    repo.commit("fix: on main")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    assert subjects(plan) == ["fix: on main"]
    assert plan.next is not None
    assert plan.next.tag == "v1.0.1"

    # A feat on main would make 1.1.0, whose tag exists on a commit HEAD does not contain.
    repo.commit("feat: on main too")
    with pytest.raises(VersionConflictError, match="already exists"):
        plan_of(repo)
    result = run_cli("-C", repo.path, "plan", "--json")
    assert result.exit_code == 4
    assert result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: tag v1.1.0 already exists on ")
    assert elsewhere[:7] in error
    assert hint.startswith("hint: ")


def test_prerelease_counter_skips_numbers_taken_on_other_branches(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.checkout("experiment", create=True)
    repo.commit("feat: experiment")
    repo.tag("v1.1.0-rc.1")
    repo.checkout("main")
    repo.commit("feat: on main")

    document = json_plan(run_cli, repo, "--prerelease", "rc")

    assert document["next"] == {"version": "1.1.0-rc.2", "tag": "v1.1.0-rc.2"}


def test_tags_outside_the_tag_format_are_ignored_and_listed_with_verbose(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("feat: second")
    for name in ("2.0.0", "v1.2", "release-1", "v9.0.0.0", "latest", "vx.y.z"):
        repo.tag(name)
    repo.commit("fix: third")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"
    ignored = {"2.0.0", "v1.2", "release-1", "v9.0.0.0", "latest", "vx.y.z"}
    assert set(plan.ignored_tags) == ignored
    assert set(json_plan(run_cli, repo)["ignored_tags"]) == ignored

    quiet = run_cli("-C", repo.path, "plan")
    assert quiet.exit_code == 0
    assert "release-1" not in quiet.stdout
    verbose = run_cli("-C", repo.path, "plan", "-v")
    assert verbose.exit_code == 0
    line = next(x for x in verbose.stdout.splitlines() if x.startswith("Tags ignored"))
    for name in ignored:
        assert name in line


def test_non_semver_tags_alone_mean_no_release_yet(repo: GitRepo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.2")
    repo.tag("release-1", annotated=True)
    repo.commit("fix: second")

    plan = plan_of(repo)

    assert plan.previous is None
    assert subjects(plan) == ["fix: second", "feat: first"]
    assert plan.next is not None
    assert str(plan.next.version) == "0.1.0"
    assert sorted(plan.ignored_tags) == ["release-1", "v1.2"]


def test_tag_of_a_tag_is_peeled_to_its_commit(repo: GitRepo) -> None:
    """A nested annotated tag (``git tag -a v2 v1``) still names the commit under both."""
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("feat: second")
    repo.tag("v1.1.0", annotated=True)
    tagged = repo.head()
    repo.run("tag", "--annotate", "--message", "nested", "v2.0.0", "v1.1.0")
    repo.commit("feat: third")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v2.0.0"
    assert plan.previous.tag.sha == tagged
    assert plan.next is not None
    assert plan.next.tag == "v2.1.0"


def test_tags_on_trees_and_blobs_are_not_releases(repo: GitRepo) -> None:
    repo.commit("feat: first", {"a.txt": "a\n"})
    repo.tag("v1.0.0")
    repo.run("tag", "v5.0.0", "HEAD^{tree}")
    blob = repo.run("hash-object", "-w", str(repo.path / "a.txt"))
    repo.run("tag", "v6.0.0", blob)
    repo.commit("fix: second")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    assert plan.next is not None
    assert plan.next.tag == "v1.0.1"


# -- prereleases ----------------------------------------------------------------------------


def _prerelease_repo(repo: GitRepo) -> tuple[str, str]:
    repo.commit("feat: first")
    repo.tag("v1.0.0", annotated=True)
    feat = repo.commit("feat: new thing")
    repo.tag("v1.1.0-rc.1", annotated=True)
    fix = repo.commit("fix: polish the new thing")
    return feat, fix


def test_prerelease_continues_the_open_line(repo: GitRepo, run_cli: CliRunner) -> None:
    _, fix = _prerelease_repo(repo)

    plan = plan_of(repo, request=PlanRequest(prerelease="rc"))

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.1.0-rc.1"
    assert [c.sha for c in plan.commits] == [fix]
    assert plan.next is not None
    assert str(plan.next.version) == "1.1.0-rc.2"
    assert plan.bump == "prerelease"
    document = json_plan(run_cli, repo, "--prerelease", "rc")
    assert document["next"] == {"version": "1.1.0-rc.2", "tag": "v1.1.0-rc.2"}
    assert document["prerelease"] == "rc"
    assert document["bump"] == "prerelease"
    assert document["previous"]["tag"] == "v1.1.0-rc.1"


def test_final_release_promotes_the_prerelease_line(repo: GitRepo, run_cli: CliRunner) -> None:
    feat, fix = _prerelease_repo(repo)

    plan = plan_of(repo)

    # The final release counts everything since the last FINAL release, rc commits included.
    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    assert [c.sha for c in plan.commits] == [fix, feat]
    assert plan.next is not None
    assert str(plan.next.version) == "1.1.0"
    assert plan.bump == "minor"
    document = json_plan(run_cli, repo)
    assert document["next"] == {"version": "1.1.0", "tag": "v1.1.0"}
    assert document["prerelease"] is None


def test_new_prerelease_line_starts_at_one(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("feat!: drop the old API")

    document = json_plan(run_cli, repo, "--prerelease", "beta")

    assert document["next"] == {"version": "2.0.0-beta.1", "tag": "v2.0.0-beta.1"}


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        (
            "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.versionbot]\ntag_format = "{version}"\n',
        ),
        ("versionbot.toml", 'tag_format = "{version}"\n'),
    ],
    ids=["pyproject", "versionbot.toml"],
)
def test_custom_tag_format(repo: GitRepo, run_cli: CliRunner, filename: str, content: str) -> None:
    repo.commit("feat: first", {filename: content})
    repo.tag("1.0.0")
    repo.tag("v7.0.0")  # a release in the default format, not in this one
    repo.commit("feat: second")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "1.0.0"
    assert plan.next is not None
    assert plan.next.tag == "1.1.0"
    assert plan.ignored_tags == ("v7.0.0",)
    document = json_plan(run_cli, repo)
    assert document["previous"]["tag"] == "1.0.0"
    assert document["next"] == {"version": "1.1.0", "tag": "1.1.0"}
    # The config is found from a subfolder too (-C points inside the work tree).
    (repo.path / "src" / "pkg").mkdir(parents=True)
    result = run_cli("-C", repo.path / "src" / "pkg", "plan", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["next"]["tag"] == "1.1.0"


def test_prefix_and_suffix_tag_format(repo: GitRepo) -> None:
    config = config_from_mapping({"tag_format": "app-{version}-final"})
    repo.commit("feat: first")
    repo.tag("app-1.0.0-final")
    repo.tag("app-3.0.0")
    repo.commit("fix: second")

    plan = plan_of(repo, config)

    assert plan.previous is not None
    assert plan.previous.tag.name == "app-1.0.0-final"
    assert plan.next is not None
    assert plan.next.tag == "app-1.0.1-final"


# -- merges, squashes and reverts -----------------------------------------------------------


def test_merge_commit_is_skipped_and_the_branch_commits_count(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    repo.checkout("feature", create=True)
    feat = repo.commit("feat: on the branch", {"f.txt": "f\n"})
    fix = repo.commit("fix: also on the branch", {"f.txt": "g\n"})
    repo.checkout("main")
    main_fix = repo.commit("fix: on main", {"m.txt": "m\n"})
    merge = repo.merge("feature", message="Merge branch 'feature'")

    plan = plan_of(repo)

    by_sha = {c.sha: c for c in plan.commits}
    assert set(by_sha) == {merge, feat, fix, main_fix}
    assert by_sha[merge].skipped_reason == "merge commit"
    assert all(by_sha[s].skipped_reason is None for s in (feat, fix, main_fix))
    assert plan.commits[0].sha == merge
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"
    assert [c.sha for c in plan.decided_by] == [feat]
    document = json_plan(run_cli, repo)
    merged = next(c for c in document["commits"] if c["sha"] == merge)
    assert merged["skipped_reason"] == "merge commit"
    assert merged["bump"] == "none"
    assert document["decided_by"] == [feat]


def test_merge_of_a_released_branch_moves_the_baseline(repo: GitRepo) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.checkout("release", create=True)
    repo.commit("fix: hotfix", {"h.txt": "h\n"})
    repo.tag("v1.0.1", annotated=True)
    repo.checkout("main")
    repo.commit("feat: on main", {"m.txt": "m\n"})
    merge = repo.merge("release")

    plan = plan_of(repo)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.1"
    assert [c.subject for c in plan.commits] == [
        "Merge branch 'release'",
        "feat: on main",
    ]
    assert plan.commits[0].sha == merge
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"


def test_squash_merge_body_lists_each_commit(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    squash = repo.commit(
        "Export reports (#12)\n\n"
        "* feat: csv export\n\n"
        "* fix(csv): quote separators\n\n"
        "  with a second line\n\n"
        "* feat(api)!: drop the xml endpoint\n\n"
        "* not a conventional bullet\n"
    )

    plan = plan_of(repo)

    assert [c.sha for c in plan.commits] == [squash] * 4
    assert subjects(plan) == [
        "Export reports (#12)",
        "feat: csv export",
        "fix(csv): quote separators",
        "feat(api)!: drop the xml endpoint",
    ]
    assert plan.next is not None
    assert plan.next.tag == "v2.0.0"
    assert plan.bump == "major"
    document = json_plan(run_cli, repo)
    breaking = [c for c in document["commits"] if c["breaking"]]
    assert [(c["type"], c["scope"], c["bump"]) for c in breaking] == [("feat", "api", "major")]


def test_revert_in_the_window_cancels_both(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    feat = repo.commit("feat: risky feature", {"risky.txt": "on\n"})
    fix = repo.commit("fix: small fix", {"fix.txt": "x\n"})
    revert = repo.revert(feat)

    plan = plan_of(repo)

    by_sha = {c.sha: c for c in plan.commits}
    assert subjects(plan)[0] == 'Revert "feat: risky feature"'
    assert by_sha[feat].skipped_reason == f"reverted by {revert[:7]}"
    assert by_sha[revert].skipped_reason == f"reverts {feat[:7]} in this release"
    assert by_sha[fix].skipped_reason is None
    assert plan.next is not None
    assert plan.next.tag == "v1.0.1"
    assert [c.sha for c in plan.decided_by] == [fix]
    document = json_plan(run_cli, repo)
    assert document["bump"] == "patch"
    assert {c["sha"]: c["skipped_reason"] for c in document["commits"]} == {
        revert: f"reverts {feat[:7]} in this release",
        fix: None,
        feat: f"reverted by {revert[:7]}",
    }


def test_revert_of_a_released_commit_counts(repo: GitRepo) -> None:
    feat = repo.commit("feat: shipped feature", {"shipped.txt": "on\n"})
    repo.tag("v1.0.0")
    revert = repo.revert(feat)

    plan = plan_of(repo)

    assert [c.sha for c in plan.commits] == [revert]
    reverted = plan.commits[0]
    assert reverted.skipped_reason is None
    assert reverted.parsed is not None
    assert reverted.parsed.type == "revert"
    assert reverted.parsed.reverts == (feat,)
    # docs/decisions.md: type `revert` asks for no release unless `[bump] revert = ...` says so.
    assert plan.next is None
    configured = plan_of(repo, config_from_mapping({"bump": {"revert": "patch"}}))
    assert configured.next is not None
    assert configured.next.tag == "v1.0.1"


def test_revert_of_a_revert_reapplies(repo: GitRepo) -> None:
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    feat = repo.commit("feat: flaky feature", {"flag.txt": "on\n"})
    first = repo.revert(feat)
    second = repo.revert(first)

    plan = plan_of(repo)

    by_sha = {c.sha: c for c in plan.commits}
    assert by_sha[feat].skipped_reason is None
    assert by_sha[first].skipped_reason is not None
    assert by_sha[second].skipped_reason is not None
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"


# -- no release yet, empty, not a repository -------------------------------------------------


def test_no_tags_at_all_gives_the_initial_version(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("chore: init")
    repo.commit("fix: a bug")

    plan = plan_of(repo)

    assert plan.previous is None
    assert plan.next is not None
    assert str(plan.next.version) == "0.1.0"
    assert len(plan.commits) == 2
    document = json_plan(run_cli, repo)
    assert document["previous"] is None
    assert document["next"] == {"version": "0.1.0", "tag": "v0.1.0"}
    assert document["release"] is True


def test_initial_version_from_config(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first", {"versionbot.toml": 'initial_version = "1.0.0"\n'})

    assert json_plan(run_cli, repo)["next"]["version"] == "1.0.0"


def test_not_a_git_repository(tmp_path: Path, run_cli: CliRunner, sealed_env: object) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    with pytest.raises(RepositoryError, match="not inside a git repository"):
        plan_of(folder, Config())
    result = run_cli("-C", folder, "plan")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "not inside a git repository" in result.stderr.splitlines()[0]
    assert result.stderr.splitlines()[1].startswith("hint: ")


def test_missing_folder(tmp_path: Path, run_cli: CliRunner) -> None:
    result = run_cli("-C", tmp_path / "nowhere", "plan")

    assert result.exit_code == 3
    assert result.stderr.startswith("error: ")
    assert "is not a directory" in result.stderr


def test_empty_repository(repo: GitRepo, run_cli: CliRunner) -> None:
    with pytest.raises(RepositoryError, match="no commits yet"):
        plan_of(repo)
    result = run_cli("-C", repo.path, "plan", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "no commits yet" in result.stderr
    assert len(result.stderr.splitlines()) == 2


def test_detached_head(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    middle = repo.commit("fix: second")
    repo.commit("feat: third")
    repo.checkout(middle, detach=True)

    plan = plan_of(repo)

    assert plan.state.branch is None
    assert plan.state.head == middle
    assert plan.next is not None
    assert plan.next.tag == "v1.0.1"
    document = json_plan(run_cli, repo)
    assert document["branch"] is None
    assert document["head"] == middle
    human = run_cli("-C", repo.path, "plan")
    assert human.stdout.startswith(f"Release plan for detached HEAD at {middle[:7]}\n")


def test_branch_name_with_slashes(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: first")
    repo.checkout("release/1.x", create=True)

    assert json_plan(run_cli, repo)["branch"] == "release/1.x"


def test_message_with_latin1_bytes_does_not_crash(repo: GitRepo, run_cli: CliRunner) -> None:
    assert repo.run("config", "--get", "i18n.commitEncoding", check=False) == ""
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    latin = repo.commit_bytes(b"fix: caf\xe9 cr\xe8me\n\nBody in latin-1: \xe0 la carte\n")
    repo.commit("feat: plain ascii after it")

    plan = plan_of(repo)

    odd = next(c for c in plan.commits if c.sha == latin)
    assert odd.subject.startswith("fix: caf")
    assert odd.parsed is not None
    assert odd.parsed.type == "fix"
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"
    document = json_plan(run_cli, repo)
    assert [c["type"] for c in document["commits"]] == ["feat", "fix"]
    human = run_cli("-C", repo.path, "plan")
    assert human.exit_code == 0
    assert latin[:7] in human.stdout


def test_raw_invalid_utf8_message_is_read_with_replacement_characters(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    """``git commit`` converts latin-1 to UTF-8; fast-import stores the raw bytes, as old
    repositories converted from other systems often hold them."""
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    raw, after = repo.fast_import(
        [b"fix: caf\xe9 \xff\xfe broken\n\nBody \xe0 la carte\n", "feat: after it\n"]
    )
    log = repo.run_raw("log", "-1", "--format=%B", raw).stdout
    assert b"caf\xe9" in log  # the bytes really are not UTF-8

    plan = plan_of(repo)

    assert [c.sha for c in plan.commits] == [after, raw]
    broken = plan.commits[1]
    assert broken.subject == "fix: caf\ufffd \ufffd\ufffd broken"
    assert broken.skipped_reason is None
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"
    document = json_plan(run_cli, repo)
    assert document["commits"][1]["subject"] == "fix: caf\ufffd \ufffd\ufffd broken"
    human = run_cli("-C", repo.path, "plan")
    assert human.exit_code == 0
    assert "fix: caf\ufffd" in human.stdout


def test_message_in_a_declared_legacy_encoding_is_reencoded(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.run("config", "i18n.commitEncoding", "ISO-8859-1")
    repo.commit_bytes(b"feat: caf\xe9\n")

    document = json_plan(run_cli, repo)

    assert document["commits"][0]["subject"] == "feat: café"


# -- shallow clones --------------------------------------------------------------------------


def _long_history(origin: GitRepo) -> None:
    origin.commit("feat: first")
    origin.tag("v1.0.0", annotated=True)
    for n in range(8):
        origin.commit(f"fix: change {n}", {"n.txt": f"{n}\n"})


def test_shallow_clone_that_misses_the_last_release_fails_clearly(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    origin = make_repo("origin")
    _long_history(origin)
    clone = origin.clone(tmp_path / "clone", "--depth", "5")
    assert clone.run("rev-parse", "--is-shallow-repository") == "true"

    with pytest.raises(RepositoryError, match="shallow clone"):
        plan_of(clone)
    result = run_cli("-C", clone.path, "plan", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: shallow clone")
    assert "fetch-depth: 0" in result.stderr
    assert UNSHALLOW_FIX in result.stderr
    assert hint.startswith("hint: ")


def test_shallow_clone_with_fetch_unshallow_deepens(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    origin = make_repo("origin")
    _long_history(origin)
    expected = plan_of(origin)
    clone = origin.clone(tmp_path / "clone", "--depth", "5")
    clone.write("versionbot.toml", "fetch_unshallow = true\n")

    document = json_plan(run_cli, clone)

    assert clone.run("rev-parse", "--is-shallow-repository") == "false"
    assert document["previous"]["tag"] == "v1.0.0"
    assert document["next"] == {"version": "1.0.1", "tag": "v1.0.1"}
    assert [c["sha"] for c in document["commits"]] == [c.sha for c in expected.commits]
    assert len(document["commits"]) == 8


def test_shallow_clone_without_a_remote_and_fetch_unshallow(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    origin = make_repo("origin")
    _long_history(origin)
    clone = origin.clone(tmp_path / "clone", "--depth", "3")
    clone.run("remote", "remove", "origin")
    clone.write("versionbot.toml", "fetch_unshallow = true\n")

    result = run_cli("-C", clone.path, "plan")

    assert result.exit_code == 3
    assert "no remote" in result.stderr


def test_shallow_clone_whose_window_is_fetched_plans(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    origin = make_repo("origin")
    _long_history(origin)
    origin.tag("v1.0.1", sha=origin.run("rev-parse", "HEAD~2"))
    clone = origin.clone(tmp_path / "clone", "--depth", "5")
    assert clone.run("rev-parse", "--is-shallow-repository") == "true"

    document = json_plan(run_cli, clone)

    assert document["previous"]["tag"] == "v1.0.1"
    assert document["next"]["tag"] == "v1.0.2"
    assert [c["subject"] for c in document["commits"]] == ["fix: change 7", "fix: change 6"]


def test_shallow_clone_with_a_higher_release_on_another_branch(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    """The window after v1.0.0 is fetched; v1.1.0 (higher, fetched too) is on another branch."""
    origin = make_repo("origin")
    for n in range(4):
        origin.commit(f"chore: old work {n}", {"old.txt": f"{n}\n"})
    origin.commit("feat: first", {"first.txt": "1\n"})
    origin.tag("v1.0.0")
    origin.checkout("release/1.1", create=True)
    origin.run("reset", "--quiet", "--hard", "HEAD~1")
    for n in range(5):
        origin.commit(f"feat: release branch {n}", {"r.txt": f"{n}\n"})
    origin.tag("v1.1.0", annotated=True)
    origin.checkout("main")
    origin.commit("fix: on main", {"m.txt": "1\n"})
    origin.commit("fix: again on main", {"m.txt": "2\n"})
    clone = origin.clone(tmp_path / "clone", "--depth", "3", "--no-single-branch")
    assert clone.run("rev-parse", "--is-shallow-repository") == "true"
    assert "v1.1.0" in clone.run("tag").split()
    # The precondition: the commits after v1.1.0's line reach the edge of the clone, while
    # the real window (after v1.0.0) does not.
    edge = set((clone.path / ".git" / "shallow").read_text().split())
    assert edge & set(clone.run("rev-list", "HEAD", "^v1.1.0").split())
    assert not edge & set(clone.run("rev-list", "HEAD", "^v1.0.0").split())

    plan = plan_of(clone)

    assert plan.previous is not None
    assert plan.previous.tag.name == "v1.0.0"
    assert subjects(plan) == ["fix: again on main", "fix: on main"]
    document = json_plan(run_cli, clone)
    assert document["next"]["tag"] == "v1.0.1"


def test_clone_deeper_than_the_history_is_not_shallow(
    make_repo: RepoFactory, tmp_path: Path, run_cli: CliRunner
) -> None:
    origin = make_repo("origin")
    origin.commit("feat: first")
    origin.commit("fix: second")
    clone = origin.clone(tmp_path / "clone", "--depth", "50")

    document = json_plan(run_cli, clone)

    assert document["next"]["version"] == "0.1.0"
    assert len(document["commits"]) == 2


# -- scale -----------------------------------------------------------------------------------


def test_two_thousand_commits_are_read_in_one_git_log(repo: GitRepo, git_trace: Path) -> None:
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    kinds = ["fix", "docs", "chore", "refactor", "feat(core)", "perf", "test"]
    filler = "a line of body text that makes the log output cross pipe-buffer boundaries\n" * 8
    messages = [
        f"{kinds[n % len(kinds)]}: change number {n}\n\n{filler}Refs: #{n}\n" for n in range(2000)
    ]
    shas = repo.fast_import(messages)
    assert len(shas) == 2000

    plan = repository_plan(repo.path, Config(), PlanRequest())

    assert len(plan.commits) == 2000
    assert [c.sha for c in plan.commits] == shas[::-1]
    assert plan.commits[0].subject == f"{kinds[1999 % len(kinds)]}: change number 1999"
    assert plan.commits[-1].subject == "fix: change number 0"
    assert all(c.skipped_reason is None for c in plan.commits)
    assert plan.next is not None
    assert plan.next.tag == "v1.1.0"
    commands = [
        line.split("trace: built-in: ", 1)[1]
        for line in git_trace.read_text().splitlines()
        if "trace: built-in: " in line
    ]
    logs = [c for c in commands if c.split()[1:].count("log") and "rev-list" not in c]
    assert len(logs) == 1, commands
    # A handful of git processes for the whole read, never one per commit.
    assert len(commands) <= 6, commands


# -- the monorepo stream: commits with the paths they changed ---------------------------------


def test_paths_stream_is_the_same_whatever_the_read_size(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records cut anywhere by the pipe (even inside a UTF-8 character) parse the same:
    an empty message, a root commit without parents, a merge without paths, many paths."""
    import versionbot.git.reader as git_module

    repo.write("README.md", "x\n")
    repo.run("add", "README.md")
    repo.run("commit", "--quiet", "--allow-empty-message", "-m", "")
    for i in range(3):
        repo.write(f"pkg/ünïcode {i}/file.txt", f"{i}\n")
        repo.write(f"other/{i}.txt", f"{i}\n")
        repo.commit(f"feat: change {i}\n\nbody ✓ {i}")
    repo.branch("side")
    repo.checkout("side")
    repo.write("side.txt", "s\n")
    repo.commit("fix: side")
    repo.checkout("main")
    repo.write("main.txt", "m\n")
    repo.commit("fix: main")
    repo.merge("side")
    opened = git_module._Repo.open(repo.path)
    whole = list(opened.log_with_paths([], merge_paths=False))
    assert [c.message for c, _ in whole][-1] == ""
    assert whole[-1][0].parents == ()
    assert whole[-1][1] == ("README.md",)
    assert whole[0][1] == ()  # the merge
    assert ("other/2.txt", "pkg/ünïcode 2/file.txt") in [paths for _, paths in whole]
    for size in (1, 2, 3, 5, 64):
        monkeypatch.setattr(git_module, "_CHUNK", size)
        assert list(opened.log_with_paths([], merge_paths=False)) == whole
