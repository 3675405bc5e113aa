"""The release plan, built from messages (versionbot.api) and from hand-built histories.

Pure: no git. Commits, tags and reachability are written out by hand, so each case states the
exact history it plans for.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import pytest

from versionbot.api import plan_from_messages
from versionbot.cli.report import plan_json_parts, plan_to_text
from versionbot.core.bump import Bump
from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import VersionConflictError
from versionbot.core.history import (
    History,
    ReleaseTag,
    RepositoryState,
    Tag,
    TagFormat,
    find_baseline,
    release_tags,
)
from versionbot.core.plan import SCHEMA_VERSION, PlanRequest, ReleasePlan, make_plan
from versionbot.core.version import Version

STATE = RepositoryState("/repo", "f" * 40, "main")
DEFAULT = Config()
NO_REQUEST = PlanRequest()


def sha(n: int) -> str:
    """A distinct, realistic 40-hex sha for commit number ``n`` (unique in its first 7)."""
    return hashlib.sha1(str(n).encode()).hexdigest()


def api_sha(i: int) -> str:
    """The sha plan_from_messages gives the i-th message (1-based) when none are given."""
    return f"{i:040x}"


def tag(name: str, n: int = 0, *, reachable: bool = True) -> Tag:
    return Tag(name, sha(n), reachable)


def commits(*messages: str, start: int = 100) -> list[Commit]:
    """Commits newest first, with shas ``start``, ``start - 1``, ..."""
    return [Commit(sha(start - i), (sha(start - i - 1),), m) for i, m in enumerate(messages)]


def plan(
    history_commits: Sequence[Commit],
    tags: Sequence[Tag] = (),
    config: Config = DEFAULT,
    request: PlanRequest = NO_REQUEST,
) -> ReleasePlan:
    """make_plan over a hand-built history (commits handed over as a one-shot iterator)."""
    baseline = find_baseline(
        tuple(tags), config.tag_format, prerelease=request.prerelease is not None
    )
    return make_plan(History(STATE, baseline, iter(history_commits)), config, request)


def version_of(result: ReleasePlan) -> str:
    assert result.next is not None, result.reason
    return str(result.next.version)


# --- From messages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "current", "version", "bump"),
    [
        (["feat: add x", "fix: y"], "1.2.3", "1.3.0", "minor"),
        (["fix: y", "docs: z"], "1.2.3", "1.2.4", "patch"),
        (["perf: y"], "1.2.3", "1.2.4", "patch"),
        (["feat(api)!: drop v1", "feat: x"], "1.2.3", "2.0.0", "major"),
        (["fix: y\n\nBREAKING CHANGE: z"], "1.2.3", "2.0.0", "major"),
        (["docs: y\n\nBREAKING-CHANGE: z"], "1.2.3", "2.0.0", "major"),
        (["FEAT: shouting"], "1.2.3", "1.3.0", "minor"),
        (["feat: x"], "v1.2.3", "1.3.0", "minor"),
        # 0.x: breaking moves the minor (major_on_zero false by default).
        (["feat!: x"], "0.3.1", "0.4.0", "minor"),
        (["feat: x"], "0.3.1", "0.4.0", "minor"),
        (["fix: x"], "0.3.1", "0.3.2", "patch"),
        (["fix: x"], "0.0.1", "0.0.2", "patch"),
        # First release: the initial version, whatever the commits ask for.
        (["fix: x"], None, "0.1.0", "minor"),
        (["feat!: x"], None, "0.1.0", "minor"),
    ],
)
def test_plan_from_messages(
    messages: list[str], current: str | None, version: str, bump: str
) -> None:
    result = plan_from_messages(messages, current)
    assert result.release is True
    assert version_of(result) == version
    assert result.next is not None
    assert result.next.tag == f"v{version}"
    assert result.bump == bump


@pytest.mark.parametrize(
    ("mapping", "current", "messages", "version", "bump"),
    [
        ({"major_on_zero": True}, "0.3.1", ["feat!: x"], "1.0.0", "major"),
        ({"major_on_zero": True}, "0.3.1", ["feat: x"], "0.4.0", "minor"),
        ({"major_on_zero": True}, "1.3.1", ["feat!: x"], "2.0.0", "major"),
        # minor_on_zero = false (release-please's bump-patch-for-minor-pre-major).
        ({"minor_on_zero": False}, "0.3.1", ["feat: x"], "0.3.2", "patch"),
        ({"minor_on_zero": False}, "0.3.1", ["feat!: x"], "0.4.0", "minor"),
        ({"minor_on_zero": False, "major_on_zero": True}, "0.3.1", ["feat!: x"], "1.0.0", "major"),
        ({"minor_on_zero": False}, "1.3.1", ["feat: x"], "1.4.0", "minor"),
        (
            {"minor_on_zero": False, "bump": {"docs": "minor"}},
            "0.3.1",
            ["docs: x"],
            "0.3.2",
            "patch",
        ),
        ({"initial_version": "1.0.0"}, None, ["fix: x"], "1.0.0", "major"),
        ({"initial_version": "0.0.1"}, None, ["feat!: x"], "0.0.1", "patch"),
        ({"tag_format": "release-{version}"}, "release-1.0.0", ["fix: x"], "1.0.1", "patch"),
        ({"bump": {"docs": "patch"}}, "1.0.0", ["docs: x"], "1.0.1", "patch"),
        ({"bump": {"*": "patch"}}, "1.0.0", ["style: x"], "1.0.1", "patch"),
        ({"bump": {"feat(internal)": "patch"}}, "1.0.0", ["feat(internal): x"], "1.0.1", "patch"),
    ],
)
def test_plan_from_messages_with_config(
    mapping: dict[str, Any], current: str, messages: list[str], version: str, bump: str
) -> None:
    config = config_from_mapping(mapping)
    result = plan_from_messages(messages, current and current.removeprefix("release-"), config)
    assert version_of(result) == version
    assert result.bump == bump
    assert result.next is not None
    assert result.next.tag == config.tag_format.format(Version.parse(version))


@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        ([], "no commits since v1.2.3"),
        (
            ["docs: x", "chore: y", "Update readme", "ci: z"],
            "no releasable commits since v1.2.3 (4 commit(s), none asks for a release)",
        ),
        (["test: x"], "no releasable commits since v1.2.3 (1 commit(s), none asks for a release)"),
    ],
)
def test_no_releasable_commits(messages: list[str], reason: str) -> None:
    result = plan_from_messages(messages, "1.2.3")
    assert result.release is False
    assert result.next is None
    assert result.bump == "none"
    assert result.reason == reason
    assert result.decided_by == ()
    assert len(result.commits) == len(messages)
    assert result.previous is not None
    assert result.previous.tag.name == "v1.2.3"


def test_no_releasable_commits_without_a_release_tag() -> None:
    result = plan_from_messages(["docs: x"], None)
    assert result.release is False
    assert result.previous is None
    assert result.reason == (
        "no releasable commits in the history (1 commit(s), none asks for a release)"
    )
    assert plan_from_messages([], None).reason == "no commits in the history"


@pytest.mark.parametrize("level", [Bump.PATCH, Bump.MINOR, Bump.MAJOR])
def test_forced_bump_on_a_first_release_gives_the_initial_version(level: Bump) -> None:
    result = plan(commits("docs: x"), [], request=PlanRequest(bump=level))
    assert version_of(result) == "0.1.0"
    assert result.reason == f"--bump {level.label} given"


def test_decided_by_and_reason() -> None:
    result = plan_from_messages(
        ["fix: a", "feat: b", "docs: c", "feat(x): d", "Not conventional"], "1.0.0"
    )
    assert [c.subject for c in result.decided_by] == ["feat: b", "feat(x): d"]
    assert [c.sha for c in result.decided_by] == [api_sha(2), api_sha(4)]
    # "docs: c" is counted (it is in the notes) but asks for nothing: not releasable.
    assert result.reason == "3 releasable commit(s); the highest asks for minor"
    assert [c.bump for c in result.commits] == [
        Bump.PATCH,
        Bump.MINOR,
        Bump.NONE,
        Bump.MINOR,
        Bump.NONE,
    ]
    assert result.commits[4].skipped_reason == (
        "not conventional: no type prefix: expected 'type(scope): description'"
    )
    assert result.commits[4].parsed is None


# --- Merges and squashes ------------------------------------------------------------------------


MERGE = Commit(sha(50), (sha(49), sha(48)), "feat: merge the x branch")


def test_merge_commits_are_skipped_by_default() -> None:
    result = plan([MERGE], [tag("v1.0.0")])
    assert result.release is False
    assert len(result.commits) == 1
    skipped = result.commits[0]
    assert skipped.skipped_reason == "merge commit"
    assert skipped.parsed is None
    assert skipped.subject == "feat: merge the x branch"


def test_merge_commits_count_when_not_ignored() -> None:
    config = config_from_mapping({"ignore_merge_commits": False})
    result = plan([MERGE], [tag("v1.0.0")], config)
    assert version_of(result) == "1.1.0"
    assert result.commits[0].skipped_reason is None
    assert result.decided_by == result.commits


def test_single_parent_and_root_commits_are_not_merges() -> None:
    root = Commit(sha(1), (), "fix: root")
    result = plan([*commits("fix: a"), root], [])
    assert [c.skipped_reason for c in result.commits] == [None, None]


SQUASH = (
    "Bundle (#3)\n\n"
    "* feat: a\n\n  body of a\n\n"
    "* fix!: b\n\n"
    "* tidy up\n\n"
    "Co-authored-by: X <x@example.com>"
)


def test_squash_bodies_are_counted() -> None:
    result = plan(commits(SQUASH), [tag("v1.0.0")])
    assert version_of(result) == "2.0.0"
    assert [(c.subject, c.bump) for c in result.commits] == [
        ("Bundle (#3)", Bump.NONE),
        ("feat: a", Bump.MINOR),
        ("fix!: b", Bump.MAJOR),
    ]
    assert {c.sha for c in result.commits} == {sha(100)}
    assert [c.subject for c in result.decided_by] == ["fix!: b"]


def test_a_conventional_squash_title_is_the_change() -> None:
    """Whoever merged chose the title; the bullets are the branch's history (stale ones made
    three minor releases in a row in commitlint)."""
    result = plan(commits(SQUASH.replace("Bundle (#3)", "fix: bundle (#3)")), [tag("v1.0.0")])
    assert version_of(result) == "1.0.1"
    assert [c.subject for c in result.commits] == ["fix: bundle (#3)"]


def test_squash_bodies_are_one_message_when_squash_commits_is_false() -> None:
    config = config_from_mapping({"squash_commits": False})
    result = plan(commits(SQUASH), [tag("v1.0.0")], config)
    assert result.release is False
    assert [c.subject for c in result.commits] == ["Bundle (#3)"]


# --- Reverts --------------------------------------------------------------------------------------


def revert_of(target: str) -> str:
    return f'Revert "something"\n\nThis reverts commit {target}.'


def test_revert_pair_cancels() -> None:
    history = [
        Commit(sha(3), (sha(2),), revert_of(sha(2))),
        Commit(sha(2), (sha(1),), "feat: a"),
        Commit(sha(1), (sha(0),), "fix: c"),
    ]
    result = plan(history, [tag("v1.0.0")])
    assert version_of(result) == "1.0.1"
    reasons = [c.skipped_reason for c in result.commits]
    assert reasons == [f"reverts {sha(2)[:7]} in this release", f"reverted by {sha(3)[:7]}", None]


def test_revert_pair_cancels_through_the_api_with_shas() -> None:
    a, b = "a" * 40, "b" * 40
    result = plan_from_messages([revert_of(a), "feat: a"], "1.0.0", shas=[b, a])
    assert result.release is False
    assert result.bump == "none"


@pytest.mark.parametrize(
    ("revert", "cancelled"),
    [
        (f"revert: a\n\nRefs: {sha(2)}", True),
        (f"revert: a\n\nRefs: {sha(2)[:12]}", True),  # a unique prefix of 7+ characters
        (f"revert: a\n\nReverts: {sha(2).upper()}", True),
        (f"revert: a\n\nRefs: {sha(2)[-12:]}", False),  # not a prefix
        (f"revert: a\n\nRefs: {sha(2)[:6]}", False),  # too short to be a sha
        (f"revert: a\n\nRefs: {sha(7)}", False),  # not in the window
    ],
)
def test_revert_type_with_refs_footer(revert: str, cancelled: bool) -> None:
    history = [Commit(sha(3), (), revert), Commit(sha(2), (), "feat: a")]
    result = plan(history, [tag("v1.0.0")])
    assert result.release is not cancelled


def test_ambiguous_sha_prefix_cancels_nothing() -> None:
    a1 = "abcdef1" + "1" * 33
    a2 = "abcdef1" + "2" * 33
    history = [
        Commit(sha(3), (), "revert: a\n\nRefs: abcdef1"),
        Commit(a1, (), "feat: a"),
        Commit(a2, (), "fix: b"),
    ]
    result = plan(history, [tag("v1.0.0")])
    assert [c.skipped_reason for c in result.commits] == [None, None, None]


def test_revert_by_sha_prefix() -> None:
    a = "abcdef1234567890abcdef1234567890abcdef12"
    history = [
        Commit(sha(3), (), f'Revert "feat: a"\n\nThis reverts commit {a[:9]}.'),
        Commit(a, (), "feat: a"),
    ]
    assert plan(history, [tag("v1.0.0")]).release is False


def test_revert_of_revert_chain() -> None:
    a, b, c = sha(1), sha(2), sha(3)
    history = [
        Commit(c, (b,), f'Revert "Revert "feat: a""\n\nThis reverts commit {b}.'),
        Commit(b, (a,), revert_of(a)),
        Commit(a, (sha(0),), "feat: a"),
    ]
    result = plan(history, [tag("v1.0.0", 0)])
    assert version_of(result) == "1.1.0"
    assert [x.skipped_reason for x in result.commits] == [
        f"reverts {b[:7]} in this release",
        f"reverted by {c[:7]}",
        None,
    ]
    assert [x.sha for x in result.decided_by] == [a]


def test_four_step_chain_cancels_everything() -> None:
    history = [
        Commit(sha(4), (), revert_of(sha(3))),
        Commit(sha(3), (), revert_of(sha(2))),
        Commit(sha(2), (), revert_of(sha(1))),
        Commit(sha(1), (), "feat: a"),
    ]
    assert plan(history, [tag("v1.0.0")]).release is False


def test_revert_of_a_squash_commit_cancels_every_piece() -> None:
    history = [Commit(sha(9), (), revert_of(sha(8))), Commit(sha(8), (), SQUASH)]
    result = plan(history, [tag("v1.0.0")])
    assert result.release is False
    assert all(c.skipped_reason is not None for c in result.commits)


@pytest.mark.parametrize(
    ("mapping", "version"),
    [({}, None), ({"bump": {"revert": "patch"}}, "1.0.1"), ({"bump": {"*": "minor"}}, "1.1.0")],
)
def test_revert_of_a_commit_outside_the_window_counts_as_type_revert(
    mapping: dict[str, Any], version: str | None
) -> None:
    result = plan(
        [Commit(sha(9), (), revert_of(sha(1)))], [tag("v1.0.0", 5)], config_from_mapping(mapping)
    )
    assert result.commits[0].skipped_reason is None
    assert result.commits[0].parsed is not None
    assert result.commits[0].parsed.type == "revert"
    assert (str(result.next.version) if result.next else None) == version


def test_a_commit_that_reverts_itself_counts() -> None:
    result = plan([Commit(sha(9), (), f"revert: x\n\nRefs: {sha(9)}")], [tag("v1.0.0")])
    assert result.commits[0].skipped_reason is None


# --- Release-As -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("footer", "version", "bump"),
    [("2.0.0", "2.0.0", "major"), ("v3.1.0", "3.1.0", "major"), ("1.5.0", "1.5.0", "minor")],
)
def test_release_as_sets_the_version(footer: str, version: str, bump: str) -> None:
    result = plan_from_messages(["fix: y", f"chore: release\n\nRelease-As: {footer}"], "1.2.3")
    assert version_of(result) == version
    assert result.bump == bump
    assert result.reason == f"Release-As {version} in {api_sha(2)[:7]}"
    assert [c.sha for c in result.decided_by] == [api_sha(2)]


def test_newest_release_as_wins() -> None:
    result = plan_from_messages(
        ["chore: a\n\nRelease-As: 3.0.0", "chore: b\n\nRelease-As: 2.0.0"], "1.0.0"
    )
    assert version_of(result) == "3.0.0"


def test_reverted_release_as_does_not_count() -> None:
    a, b = "a" * 40, "b" * 40
    result = plan_from_messages(
        [revert_of(a), "feat: x\n\nRelease-As: 9.0.0"], "1.0.0", shas=[b, a]
    )
    assert result.release is False


@pytest.mark.parametrize("footer", ["1.2.3", "1.0.0", "1.2.3-rc.1", "1.2.3+build"])
def test_release_as_must_be_greater(footer: str) -> None:
    with pytest.raises(VersionConflictError) as caught:
        plan_from_messages([f"chore: x\n\nRelease-As: {footer}"], "1.2.3")
    assert caught.value.exit_code == 4
    assert "1.2.3" in caught.value.message


@pytest.mark.parametrize("footer", ["next", "2.0", "#4"])
def test_release_as_must_be_a_version(footer: str) -> None:
    with pytest.raises(VersionConflictError, match=r"is not X\.Y\.Z"):
        plan_from_messages([f"chore: x\n\nRelease-As: {footer}"], "1.2.3")


def test_release_as_with_a_prerelease_channel() -> None:
    result = plan_from_messages(["chore: x\n\nRelease-As: 2.0.0"], "1.2.3", prerelease="rc")
    assert version_of(result) == "2.0.0-rc.1"


# --- The person's request: --bump, --version, --build ---------------------------------------------


@pytest.mark.parametrize(
    ("request_", "messages", "version", "bump", "reason"),
    [
        (PlanRequest(bump=Bump.MAJOR), [], "2.0.0", "major", "--bump major given"),
        (PlanRequest(bump=Bump.PATCH), ["feat: x"], "1.2.4", "patch", "--bump patch given"),
        (PlanRequest(bump=Bump.MINOR), ["docs: x"], "1.3.0", "minor", "--bump minor given"),
        (
            PlanRequest(version=Version.parse("4.0.0")),
            ["fix: x"],
            "4.0.0",
            "major",
            "--version 4.0.0 given",
        ),
        (
            PlanRequest(version=Version.parse("1.2.4-beta.7")),
            [],
            "1.2.4-beta.7",
            "patch",
            "--version 1.2.4-beta.7 given",
        ),
        (
            PlanRequest(build="b.9"),
            ["feat: x"],
            "1.3.0+b.9",
            "minor",
            "1 releasable commit(s); the highest asks for minor",
        ),
        (
            PlanRequest(prerelease="rc", build="sha.5114f85"),
            ["fix: x"],
            "1.2.4-rc.1+sha.5114f85",
            "patch",
            "1 releasable commit(s); the highest asks for patch",
        ),
        (
            PlanRequest(version=Version.parse("3.0.0"), prerelease="beta"),
            [],
            "3.0.0-beta.1",
            "major",
            "--version 3.0.0 given",
        ),
        # What the person asks for wins over a Release-As footer (see _base_version), and the
        # reason must say so.
        (
            PlanRequest(version=Version.parse("5.0.0")),
            ["chore: x\n\nRelease-As: 3.0.0"],
            "5.0.0",
            "major",
            "--version 5.0.0 given",
        ),
        (
            PlanRequest(bump=Bump.PATCH),
            ["chore: x\n\nRelease-As: 3.0.0"],
            "1.2.4",
            "patch",
            "--bump patch given",
        ),
    ],
)
def test_plan_request(
    request_: PlanRequest, messages: list[str], version: str, bump: str, reason: str
) -> None:
    result = plan(commits(*messages), [tag("v1.2.3")], request=request_)
    assert version_of(result) == version
    assert result.next is not None
    assert result.next.tag == f"v{version}"
    assert result.bump == bump
    assert result.reason == reason
    if "Release-As" not in "".join(messages):
        return
    # The footer decided nothing: the request did.
    assert all(c.parsed is None or c.parsed.release_as is None for c in result.decided_by)


@pytest.mark.parametrize("version", ["1.2.3", "1.2.2", "1.2.3+b", "1.2.3-rc.9"])
def test_requested_version_must_be_greater(version: str) -> None:
    with pytest.raises(VersionConflictError, match=r"is not greater than the last release 1\.2\.3"):
        plan(
            commits("fix: x"), [tag("v1.2.3")], request=PlanRequest(version=Version.parse(version))
        )


# --- Prereleases ----------------------------------------------------------------------------------


def test_prerelease_from_a_final() -> None:
    result = plan(commits("feat: a"), [tag("v1.0.0", 1)], request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "1.1.0-rc.1"
    assert result.bump == "minor"
    assert result.prerelease == "rc"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.0.0"


# Linear history: 1 (v1.0.0) - 2 feat (v1.1.0-rc.1) - 3 fix (v1.1.0-rc.2) - 4 feat! - 5 fix
RC_TAGS = [tag("v1.0.0", 1), tag("v1.1.0-rc.1", 2)]


def test_fix_after_rc1_gives_rc2() -> None:
    result = plan(commits("fix: b", start=3), RC_TAGS, request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "1.1.0-rc.2"
    assert result.bump == "prerelease"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.1.0-rc.1"  # the window starts at the prerelease


def test_breaking_change_after_rc_opens_a_new_line() -> None:
    tags = [*RC_TAGS, tag("v1.1.0-rc.2", 3)]
    result = plan(commits("feat!: c", start=4), tags, request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "2.0.0-rc.1"
    assert result.bump == "major"


def test_fix_after_a_breaking_rc_stays_on_its_line() -> None:
    tags = [*RC_TAGS, tag("v2.0.0-rc.1", 4)]
    result = plan(commits("fix: d", start=5), tags, request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "2.0.0-rc.2"


def test_final_after_rc_promotes() -> None:
    tags = [*RC_TAGS, tag("v1.1.0-rc.2", 3)]
    # A final counts every commit since the last final release.
    result = plan(commits("fix: b", "feat: a", start=3), tags)
    assert version_of(result) == "1.1.0"
    assert result.bump == "minor"
    assert result.prerelease is None
    assert result.previous is not None
    assert result.previous.tag.name == "v1.0.0"


def test_final_never_below_the_open_prerelease_line() -> None:
    # The feat! of 2.0.0-rc.1 was reverted, leaving a fix: the final is still 2.0.0.
    tags = [tag("v1.0.0", 1), tag("v2.0.0-rc.1", 2)]
    history = [
        Commit(sha(4), (), "fix: b"),
        Commit(sha(3), (), revert_of(sha(2))),
        Commit(sha(2), (), "feat!: a"),
    ]
    assert version_of(plan(history, tags)) == "2.0.0"


def test_prerelease_counter_counts_unreachable_tags() -> None:
    tags = [
        tag("v1.0.0", 1),
        tag("v1.1.0-rc.1", 7, reachable=False),
        tag("v1.1.0-rc.2", 8, reachable=False),
        tag("v1.1.0-beta.5", 9, reachable=False),
    ]
    result = plan(commits("feat: a", start=2), tags, request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "1.1.0-rc.3"


@pytest.mark.parametrize("existing", ["v1.1.0", "v1.1.0+elsewhere"])
def test_unreachable_tag_with_the_computed_final_is_a_conflict(existing: str) -> None:
    tags = [tag("v1.0.0", 1), tag(existing, 9, reachable=False)]
    with pytest.raises(VersionConflictError) as caught:
        plan(commits("feat: a", start=2), tags)
    assert caught.value.message == (
        f"tag {existing} already exists on {sha(9)[:7]}, which is not reachable from HEAD"
    )
    assert caught.value.exit_code == 4
    assert caught.value.hint


def test_unreachable_tags_do_not_move_the_baseline() -> None:
    tags = [tag("v1.0.0", 1), tag("v3.0.0", 9, reachable=False)]
    result = plan(commits("fix: a", start=2), tags)
    assert version_of(result) == "1.0.1"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.0.0"


def test_first_release_prereleases_then_final() -> None:
    first = plan(commits("feat: a", start=1), [], request=PlanRequest(prerelease="rc"))
    assert version_of(first) == "0.1.0-rc.1"
    second = plan(
        commits("feat!: b", start=2), [tag("v0.1.0-rc.1", 1)], request=PlanRequest(prerelease="rc")
    )
    assert version_of(second) == "0.1.0-rc.2"
    final = plan(commits("feat!: b", "feat: a", start=2), [tag("v0.1.0-rc.1", 1)])
    assert version_of(final) == "0.1.0"
    assert final.previous is None


def test_channels_are_lines_of_their_own() -> None:
    """alpha -> beta -> alpha, as semantic-release's channels allow: a prerelease passes the
    last final and its own channel's latest, not another channel's."""
    tags = [tag("v1.0.0", 1), tag("v1.1.0-alpha.1", 2), tag("v1.1.0-beta.1", 3)]
    back = plan(commits("fix: b", start=4), tags, request=PlanRequest(prerelease="alpha"))
    assert version_of(back) == "1.1.0-alpha.2"
    first = plan(commits("fix: b", start=3), RC_TAGS, request=PlanRequest(prerelease="alpha"))
    assert version_of(first) == "1.1.0-alpha.1"  # a new channel of the open line


def test_a_channel_never_goes_below_its_own_latest_or_the_final() -> None:
    tags = [tag("v1.0.0", 1), tag("v1.1.0-alpha.3", 2)]
    with pytest.raises(VersionConflictError):
        plan(
            commits("fix: b", start=3),
            tags,
            request=PlanRequest(version=Version.parse("1.1.0-alpha.2")),
        )
    with pytest.raises(VersionConflictError):
        plan(
            commits("fix: b", start=3),
            tags,
            request=PlanRequest(version=Version.parse("1.0.0-alpha.9")),
        )


def test_moving_to_a_higher_channel() -> None:
    tags = [tag("v1.0.0", 1), tag("v1.1.0-beta.3", 2)]
    result = plan(commits("fix: b", start=3), tags, request=PlanRequest(prerelease="rc"))
    assert version_of(result) == "1.1.0-rc.1"
    assert result.bump == "prerelease"


# --- Baseline and tags ----------------------------------------------------------------------------


FMT = TagFormat("v{version}")


def test_find_baseline() -> None:
    tags = (
        tag("v0.9.0", 1),
        tag("v1.0.0-rc.1", 2),
        tag("v1.0.0", 3),
        tag("v1.1.0-rc.1", 4),
        tag("v1.1.0-rc.2", 5),
        tag("v1.1.0-rc.10", 6),
        tag("v1.1.0", 7, reachable=False),
        tag("v2.0.0-rc.1", 8, reachable=False),
        tag("latest", 6),
        tag("v1.2", 6),
        tag("x1.0.0", 6),
    )
    final = find_baseline(tags, FMT, prerelease=False)
    pre = find_baseline(tags, FMT, prerelease=True)
    for baseline in (final, pre):
        assert baseline.last_final is not None
        assert baseline.last_final.tag.name == "v1.0.0"
        assert baseline.latest_prerelease is not None
        assert baseline.latest_prerelease.tag.name == "v1.1.0-rc.10"
        assert len(baseline.existing) == 8
        assert baseline.ignored == ("latest", "v1.2", "x1.0.0")
    assert final.start == final.last_final
    assert pre.start == pre.latest_prerelease


def test_find_baseline_ignores_prereleases_below_the_last_final() -> None:
    baseline = find_baseline((tag("v1.0.0-rc.1", 1), tag("v1.0.0", 2)), FMT, prerelease=True)
    assert baseline.latest_prerelease is None
    assert baseline.start == baseline.last_final


def test_find_baseline_empty() -> None:
    baseline = find_baseline((), FMT, prerelease=True)
    assert (baseline.last_final, baseline.latest_prerelease, baseline.start) == (None, None, None)
    assert baseline.existing == ()
    assert baseline.ignored == ()


def test_find_baseline_breaks_precedence_ties_by_name() -> None:
    tags = (tag("v1.0.0+b", 1), tag("v1.0.0+a", 2), tag("v1.0.0", 3))
    for order in (tags, tags[::-1]):
        baseline = find_baseline(order, FMT, prerelease=False)
        assert baseline.last_final is not None
        assert baseline.last_final.tag.name == "v1.0.0+b"


@pytest.mark.parametrize(
    ("pattern", "name", "version"),
    [
        ("v{version}", "v1.2.3", "1.2.3"),
        ("v{version}", "v1.2.3-rc.1+b", "1.2.3-rc.1+b"),
        ("v{version}", "1.2.3", None),
        ("v{version}", "v1.2", None),
        ("v{version}", "vv1.2.3", None),
        ("{version}", "1.2.3", "1.2.3"),
        ("{version}", "v1.2.3", None),
        ("pkg-{version}-final", "pkg-1.0.0-rc.1-final", "1.0.0-rc.1"),
        ("pkg-{version}-final", "pkg-1.0.0", None),
        ("pkg/{version}", "pkg/2.0.0", "2.0.0"),
        ("a{version}a", "aa", None),
    ],
)
def test_tag_format_parse(pattern: str, name: str, version: str | None) -> None:
    fmt = TagFormat(pattern)
    parsed = fmt.parse(name)
    assert (str(parsed) if parsed else None) == version
    if parsed is not None:
        assert fmt.format(parsed) == name


@pytest.mark.parametrize(("pattern", "glob"), [("v{version}", "v*"), ("r[{version}]?", "r?*??")])
def test_tag_format_glob(pattern: str, glob: str) -> None:
    assert TagFormat(pattern).glob == glob


@pytest.mark.parametrize("pattern", ["v", "{version}{version}", "{Version}", ""])
def test_tag_format_needs_version_once(pattern: str) -> None:
    with pytest.raises(ValueError, match="exactly once"):
        TagFormat(pattern)


def test_release_tags_split() -> None:
    releases, ignored = release_tags((tag("v1.0.0", 1), tag("nightly", 2)), FMT)
    assert releases == [ReleaseTag(tag("v1.0.0", 1), Version(1, 0, 0))]
    assert ignored == ["nightly"]


def test_ignored_tags_reach_the_plan() -> None:
    tags = [tag("v1.0.0", 1), tag("nightly", 2), tag("v1", 3)]
    result = plan(commits("fix: x"), tags)
    assert result.ignored_tags == ("nightly", "v1")
    verbose = plan_to_text(result, verbose=True)
    assert "Tags ignored (not in the tag format): nightly, v1" in verbose
    assert "Tags ignored" not in plan_to_text(result)


# --- Reports ---------------------------------------------------------------------------------

TOP_KEYS = {
    "schema",
    "release",
    "bump",
    "reason",
    "previous",
    "next",
    "prerelease",
    "head",
    "branch",
    "decided_by",
    "commits",
    "ignored_tags",
}
COMMIT_KEYS = {
    "sha",
    "subject",
    "type",
    "scope",
    "breaking",
    "bump",
    "conventional",
    "skipped_reason",
}


def as_json(result: ReleasePlan) -> dict[str, Any]:
    document: Any = "".join(plan_json_parts(result))
    if isinstance(document, str):
        document = json.loads(document)
    assert isinstance(document, dict)
    # The document must survive a JSON round trip exactly.
    assert json.loads(json.dumps(document)) == document
    return document


def test_plan_to_json_release() -> None:
    history = [
        Commit(sha(3), (), "feat(api)!: drop v1"),
        Commit(sha(2), (), "Update readme"),
        Commit(sha(1), (sha(0), sha(9)), "Merge branch x"),
    ]
    result = plan(history, [tag("v1.2.3", 0), tag("nightly", 5)], request=PlanRequest("rc"))
    document = as_json(result)
    # docs/plan-json.md: new fields may be added within a schema; the documented ones stay.
    assert set(document) >= TOP_KEYS
    assert document["schema"] == SCHEMA_VERSION == 1
    assert document["release"] is True
    assert document["bump"] == "major"
    assert document["reason"] == "1 releasable commit(s); the highest asks for major"
    assert document["previous"] == {
        "version": "1.2.3",
        "tag": "v1.2.3",
        "sha": sha(0),
        "stands_in_for": None,
    }
    assert document["next"] == {"version": "2.0.0-rc.1", "tag": "v2.0.0-rc.1"}
    assert document["prerelease"] == "rc"
    assert document["head"] == STATE.head
    assert document["branch"] == "main"
    assert document["decided_by"] == [sha(3)]
    assert document["ignored_tags"] == ["nightly"]
    assert all(set(c) >= COMMIT_KEYS for c in document["commits"])
    assert [{k: c[k] for k in COMMIT_KEYS} for c in document["commits"]] == [
        {
            "sha": sha(3),
            "subject": "feat(api)!: drop v1",
            "type": "feat",
            "scope": "api",
            "breaking": True,
            "bump": "major",
            "conventional": True,
            "skipped_reason": None,
        },
        {
            "sha": sha(2),
            "subject": "Update readme",
            "type": None,
            "scope": None,
            "breaking": False,
            "bump": "none",
            "conventional": False,
            "skipped_reason": (
                "not conventional: no type prefix: expected 'type(scope): description'"
            ),
        },
        {
            "sha": sha(1),
            "subject": "Merge branch x",
            "type": None,
            "scope": None,
            "breaking": False,
            "bump": "none",
            "conventional": False,
            "skipped_reason": "merge commit",
        },
    ]


def test_plan_to_json_skipped_commits_report_bump_none() -> None:
    history = [Commit(sha(3), (), revert_of(sha(2))), Commit(sha(2), (), "feat: a")]
    document = as_json(plan(history, [tag("v1.0.0")]))
    assert [c["bump"] for c in document["commits"]] == ["none", "none"]
    assert [c["type"] for c in document["commits"]] == ["revert", "feat"]


def test_plan_to_json_no_release() -> None:
    document = as_json(plan_from_messages([], None))
    assert set(document) >= TOP_KEYS
    assert document["release"] is False
    assert document["bump"] == "none"
    assert document["previous"] is None
    assert document["next"] is None
    assert document["prerelease"] is None
    assert document["branch"] is None
    assert document["commits"] == []
    assert document["decided_by"] == []
    assert document["ignored_tags"] == []


def test_plan_json_parts_keep_ascii_commit_lines_apart_from_the_notes() -> None:
    # The notes' "⚠" widens any string that holds them to two bytes a character; the commit
    # lines stay a part of their own, so 22 MB of them at 100k are not widened and re-encoded.
    result = plan(commits("feat(api)!: drop v1", "fix: b"), [tag("v1.0.0")])
    parts = plan_json_parts(result, "### ⚠ Breaking changes\n")
    assert json.loads("".join(parts))["changelog"] == "### ⚠ Breaking changes\n"
    assert not parts[0].isascii()
    lines = parts[-2]
    assert lines.isascii()
    assert [json.loads(line)["subject"] for line in lines.split(",\n    ")] == [
        "feat(api)!: drop v1",
        "fix: b",
    ]


def test_plan_to_json_escapes_awkward_text() -> None:
    subject = 'feat(a"b\\c): quote " back \\ tab \t bell \x07 esc \x1b[2J nul \x00 é \u2028'
    document = as_json(plan(commits(subject), [tag("v1.0.0")]))
    assert document["commits"][0]["subject"] == subject.strip()
    assert document["commits"][0]["scope"] == 'a"b\\c'


def test_plan_to_text_key_lines() -> None:
    result = plan(commits("feat: a", "fix: b", "Oops"), [tag("v1.2.3", 7)])
    text = plan_to_text(result)
    lines = text.splitlines()
    assert lines[0] == "Release plan for main at fffffff"
    assert f"  previous   v1.2.3  (1.2.3 at {sha(7)[:7]})" in lines
    assert "  next       v1.3.0  (1.3.0, minor)" in lines
    assert "  why        2 releasable commit(s); the highest asks for minor" in lines
    assert f"  decided by {sha(100)[:7]} feat: a" in lines
    assert "Commits since v1.2.3: 3 (2 counted, 1 skipped)" in lines
    assert f"  {sha(100)[:7]}  minor  feat: a" in lines
    assert f"  {sha(99)[:7]}  patch  fix: b" in lines
    assert any(
        line.startswith(f"  {sha(98)[:7]}  skip   Oops  (not conventional: ") for line in lines
    )
    assert text.endswith("\n")


def test_plan_to_text_no_release() -> None:
    text = plan_to_text(plan_from_messages(["docs: x"], None))
    assert "Release plan for detached HEAD at " in text
    assert "  previous   none (no release tag reachable from HEAD)" in text
    assert "  next       no release" in text
    assert "Commits in the history: 1 (1 counted, 0 skipped)" in text
    assert "decided by" not in text


CONTROL_SUBJECTS = [
    "feat: red \x1b[31malert\x1b[0m",
    "feat: bell \x07 and backspace \x08",
    "feat: vertical \x0b tab and form \x0c feed",
    "feat: delete \x7f",
    "feat: C1 CSI \x9b31m and NEL \x85 and OSC \x9d",
]


@pytest.mark.parametrize("subject", CONTROL_SUBJECTS)
def test_control_characters_are_neutralised_in_text(subject: str) -> None:
    result = plan(
        [Commit(sha(1), (), subject), Commit(sha(2), (sha(3), sha(4)), f"Merge {subject}")],
        [tag("v1.0.0")],
        config_from_mapping({"ignore_merge_commits": True}),
    )
    text = plan_to_text(result, verbose=True)
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]
    assert controls == [], repr(text)
    assert "\ufffd" in text


# --- Choices made after review ------------------------------------------------------------------


def test_revert_of_several_commits_cancels_them_all() -> None:
    # The spec's example form: one revert naming two commits in its Refs footer.
    history = [
        Commit(sha(4), (sha(3),), f"revert: both\n\nRefs: {sha(3)[:7]}, {sha(2)[:7]}"),
        Commit(sha(3), (sha(2),), "feat: a"),
        Commit(sha(2), (sha(1),), "fix: b"),
    ]
    result = plan(history, [tag("v1.0.0")])
    assert result.release is False
    assert result.commits[0].skipped_reason == f"reverts {sha(3)[:7]}, {sha(2)[:7]} in this release"


def test_revert_naming_a_released_commit_too_still_counts() -> None:
    # One target in the window (cancelled), one from an earlier release: the revert stays.
    history = [
        Commit(sha(4), (sha(3),), f"revert: both\n\nRefs: {sha(3)[:7]}, {sha(50)[:7]}"),
        Commit(sha(3), (sha(2),), "feat: a"),
    ]
    config = config_from_mapping({"bump": {"revert": "patch"}})
    result = plan(history, [tag("v1.0.0")], config)
    assert [c.skipped_reason for c in result.commits] == [None, f"reverted by {sha(4)[:7]}"]
    assert version_of(result) == "1.0.1"


def test_forced_major_on_zero_goes_to_one() -> None:
    # `--bump major` is the decision that major_on_zero = false withholds from commits.
    history = commits("fix: a")
    forced = plan(history, [tag("v0.4.2")], request=PlanRequest(bump=Bump.MAJOR))
    assert version_of(forced) == "1.0.0"
    from_commits = plan(commits("feat!: a"), [tag("v0.4.2")])
    assert version_of(from_commits) == "0.5.0"


ASKS_FOR_MINOR = "1 releasable commit(s); the highest asks for minor"


@pytest.mark.parametrize(
    ("mapping", "current", "message", "reason"),
    [
        (
            {"minor_on_zero": False},
            "v0.3.1",
            "feat: x",
            "1 releasable commit(s); the highest asks for minor, a patch on 0.x "
            "(minor_on_zero = false)",
        ),
        (
            {},
            "v0.3.1",
            "feat!: x",
            "1 releasable commit(s); the highest asks for major, a minor on 0.x "
            "(major_on_zero = false)",
        ),
        (
            {"minor_on_zero": False},
            "v1.3.1",
            "feat: x",
            "1 releasable commit(s); the highest asks for minor",
        ),
        (
            {"minor_on_zero": False},
            None,
            "feat: x",
            "1 releasable commit(s); the highest asks for minor",
        ),
    ],
)
def test_the_reason_names_the_zero_rule_that_moved_the_level(
    mapping: dict[str, Any], current: str | None, message: str, reason: str
) -> None:
    tags = [tag(current)] if current else []
    result = plan(commits(message), tags, config_from_mapping(mapping))
    assert result.reason == reason


def test_forced_minor_on_zero_moves_the_minor() -> None:
    # `--bump minor` is a decision, as `--bump major` is against major_on_zero.
    config = config_from_mapping({"minor_on_zero": False})
    forced = plan(commits("fix: a"), [tag("v0.4.2")], config, PlanRequest(bump=Bump.MINOR))
    assert version_of(forced) == "0.5.0"
    assert version_of(plan(commits("feat: a"), [tag("v0.4.2")], config)) == "0.4.3"


def test_plan_to_text_shows_the_few_that_decide_and_a_count() -> None:
    """A long window printed thousands of "decided by" lines."""
    result = plan(commits(*(f"feat: f{n}" for n in range(12))), [tag("v1.2.3", 7)])
    lines = plan_to_text(result).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  decided by"))
    assert lines[start + 5] == "             … and 7 more (bot plan --json lists them all)"
    assert len(result.decided_by) == 12


def test_body_changes_count_as_release_please_counts_them() -> None:
    """Wallos's 4.9.0 was planned as a patch: its feature was a change line of a fix's squash."""
    message = "fix: names (#900)\n\nfix: names (#898)\nfeat: export (#899)\n"
    assert version_of(plan(commits(message), [tag("v4.8.0")])) == "4.8.1"
    config = config_from_mapping({"body_changes": True})
    result = plan(commits(message), [tag("v4.8.0")], config)
    assert version_of(result) == "4.9.0"
    assert [c.subject for c in result.commits] == ["fix: names (#900)", "feat: export (#899)"]
    override = "Deps (#9)\n\nBEGIN_COMMIT_OVERRIDE\nfeat: a\nfix: b\nEND_COMMIT_OVERRIDE\n"
    overridden = plan(commits(override), [tag("v4.8.0")], config)
    assert [c.subject for c in overridden.commits] == ["feat: a", "fix: b"]
