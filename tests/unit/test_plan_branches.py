"""The plan on release branches: prerelease channels and maintenance lines.

Pure: no git. Commits, tags and reachability are written out by hand; the baseline is found
the way git.read_history finds it, with the branch's policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest

from versionbot.core.branches import branch_policy
from versionbot.core.bump import Bump
from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import VersionConflictError
from versionbot.core.history import History, RepositoryState, Tag, find_baseline
from versionbot.core.plan import PlanRequest, ReleasePlan, make_plan
from versionbot.core.version import Version

CONFIG = config_from_mapping(
    {
        "branches": {
            "main": {},
            "next": {"prerelease": "rc"},
            "beta": {"prerelease": "beta"},
            "*.x": {"maintenance": True},
        },
        "images": {"names": ["ghcr.io/acme/app"]},
    }
)

NO_REQUEST = PlanRequest()


def sha(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def tag(name: str, n: int = 0, *, reachable: bool = True) -> Tag:
    return Tag(name, sha(n), reachable)


def commits(*messages: str, start: int = 100) -> list[Commit]:
    return [Commit(sha(start - i), (sha(start - i - 1),), m) for i, m in enumerate(messages)]


def plan_on(
    branch: str | None,
    history_commits: Sequence[Commit],
    tags: Sequence[Tag] = (),
    request: PlanRequest = NO_REQUEST,
    config: Config = CONFIG,
) -> ReleasePlan:
    """make_plan on ``branch``, the baseline found with the branch's policy (as git.py does)."""
    policy = branch_policy(config.branches, branch, None)
    prerelease = request.prerelease is not None or policy.prerelease is not None
    baseline = find_baseline(
        tuple(tags), config.tag_format, prerelease=prerelease, within=policy.range
    )
    state = RepositoryState("/repo", "f" * 40, branch)
    return make_plan(History(state, baseline, iter(history_commits)), config, request)


def version_of(result: ReleasePlan) -> str:
    assert result.next is not None, result.reason
    return str(result.next.version)


# --- prerelease channels ------------------------------------------------------------------------


def test_the_channel_token_applies_without_a_flag() -> None:
    result = plan_on("next", commits("feat!: new api"), [tag("v1.4.0")])
    assert version_of(result) == "2.0.0-rc.1"
    assert result.prerelease == "rc"
    assert result.next is not None
    assert not result.next.latest


def test_the_counter_moves_on_within_the_channel() -> None:
    tags = [tag("v1.4.0", 1), tag("v2.0.0-rc.1", 2), tag("v2.0.0-rc.2", 3)]
    result = plan_on("next", commits("fix: y"), tags)
    assert version_of(result) == "2.0.0-rc.3"
    assert result.previous is not None
    assert result.previous.tag.name == "v2.0.0-rc.2"
    assert result.bump == "prerelease"


def test_the_counter_counts_unreachable_tags_too() -> None:
    """rc.3 was made on another branch (a second channel on the same line): never repeat it."""
    tags = [
        tag("v1.4.0", 1),
        tag("v2.0.0-rc.1", 2),
        tag("v2.0.0-rc.3", 3, reachable=False),
    ]
    assert version_of(plan_on("next", commits("fix: y"), tags)) == "2.0.0-rc.4"


def test_an_explicit_prerelease_wins_over_the_channel() -> None:
    result = plan_on("next", commits("feat: x"), [tag("v1.4.0")], PlanRequest(prerelease="alpha"))
    assert version_of(result) == "1.5.0-alpha.1"


def test_an_explicit_version_is_exact_on_a_channel() -> None:
    result = plan_on(
        "next", commits("feat: x"), [tag("v1.4.0")], PlanRequest(version=Version(2, 0, 0))
    )
    assert version_of(result) == "2.0.0"


def test_main_after_the_channel_is_merged_releases_the_final() -> None:
    tags = [tag("v1.4.0", 1), tag("v2.0.0-rc.1", 2), tag("v2.0.0-rc.2", 3)]
    result = plan_on("main", commits("Merge branch 'next'", "fix: z", "feat!: y"), tags)
    assert version_of(result) == "2.0.0"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.4.0"
    assert result.next is not None
    assert result.next.latest


def test_main_with_the_channel_not_merged_ignores_its_prereleases() -> None:
    tags = [tag("v1.4.0", 1), tag("v2.0.0-rc.1", 2, reachable=False)]
    assert version_of(plan_on("main", commits("fix: z"), tags)) == "1.4.1"


def test_a_prerelease_of_a_version_released_elsewhere_stops() -> None:
    """main released 2.0.0 from next's work; next was not brought up to date: rc.3 of a
    released 2.0.0 would come after 2.0.0."""
    tags = [
        tag("v1.4.0", 1),
        tag("v2.0.0-rc.2", 2),
        tag("v2.0.0", 3, reachable=False),
    ]
    with pytest.raises(VersionConflictError, match=r"2\.0\.0 is already released \(v2\.0\.0") as e:
        plan_on("next", commits("fix: late"), tags)
    assert "main into next" in e.value.hint


def test_the_channel_after_main_was_merged_back() -> None:
    tags = [tag("v1.4.0", 1), tag("v2.0.0-rc.2", 2), tag("v2.0.0", 3)]
    assert version_of(plan_on("next", commits("feat: more"), tags)) == "2.1.0-rc.1"


def test_a_detached_head_follows_no_branch_rule() -> None:
    assert version_of(plan_on(None, commits("feat: x"), [tag("v1.4.0")])) == "1.5.0"


# --- maintenance lines --------------------------------------------------------------------------


MAIN_AHEAD = [
    tag("v1.4.0", 1),
    tag("v2.0.0", 5, reachable=False),
    tag("v2.1.0", 6, reachable=False),
    tag("v2.2.0-rc.1", 7, reachable=False),
]


def test_a_fix_on_the_line_while_main_is_ahead() -> None:
    result = plan_on("1.x", commits("fix: backport"), MAIN_AHEAD)
    assert version_of(result) == "1.4.1"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.4.0"
    assert result.next is not None
    assert not result.next.latest


def test_a_feat_on_a_major_line_stays_in_it() -> None:
    assert version_of(plan_on("1.x", commits("feat: small"), MAIN_AHEAD)) == "1.5.0"


def test_a_breaking_change_on_a_major_line_stops() -> None:
    with pytest.raises(VersionConflictError) as caught:
        plan_on("1.x", commits("fix: a", "feat!: drop py3.8", "docs: b"), MAIN_AHEAD)
    message = caught.value.message
    assert f"commit {sha(99)[:7]} ('feat!: drop py3.8') asks for 2.0.0" in message
    assert "outside the maintenance branch 1.x (>=1.0.0 <2.0.0)" in message
    assert "release this change from a branch above the line (e.g. main), or revert it" in (
        caught.value.hint
    )
    assert caught.value.exit_code == 4


def test_a_feat_on_a_minor_line_stops() -> None:
    with pytest.raises(VersionConflictError, match=r"asks for 1\.5\.0, outside .*1\.4\.x"):
        plan_on("1.4.x", commits("feat: small"), MAIN_AHEAD)


def test_a_fix_on_a_minor_line() -> None:
    tags = [*MAIN_AHEAD, tag("v1.4.1", 2), tag("v1.5.0", 4, reachable=False)]
    assert version_of(plan_on("1.4.x", commits("fix: x"), tags)) == "1.4.2"


def test_the_baseline_ignores_higher_lines_even_when_merged() -> None:
    """main merged into the line by mistake: 2.x tags are reachable but not the line's own."""
    tags = [tag("v1.4.0", 1), tag("v2.0.0", 5), tag("v2.0.1-rc.1", 6)]
    result = plan_on("1.x", commits("fix: x"), tags)
    assert version_of(result) == "1.4.1"
    assert result.previous is not None
    assert result.previous.tag.name == "v1.4.0"


def test_a_tag_of_the_line_made_elsewhere_still_conflicts() -> None:
    tags = [*MAIN_AHEAD, tag("v1.4.1", 9, reachable=False)]
    with pytest.raises(VersionConflictError, match=r"tag v1\.4\.1 already exists"):
        plan_on("1.x", commits("fix: x"), tags)


def test_forced_versions_must_stay_in_the_line() -> None:
    with pytest.raises(VersionConflictError, match=r"--bump major asks for 2\.0\.0"):
        plan_on("1.x", commits("fix: x"), MAIN_AHEAD, PlanRequest(bump=Bump.MAJOR))
    with pytest.raises(VersionConflictError, match=r"--version 3\.0\.0 asks for 3\.0\.0"):
        plan_on("1.x", commits("fix: x"), MAIN_AHEAD, PlanRequest(version=Version(3, 0, 0)))
    release_as = "fix: x\n\nRelease-As: 2.5.0"
    with pytest.raises(VersionConflictError, match=r"Release-As 2\.5\.0 in"):
        plan_on("1.x", commits(release_as), MAIN_AHEAD)


def test_a_prerelease_on_the_line() -> None:
    result = plan_on("1.x", commits("fix: x"), MAIN_AHEAD, PlanRequest(prerelease="rc"))
    assert version_of(result) == "1.4.1-rc.1"


def test_zero_major_lines_take_breaking_changes_as_minor() -> None:
    tags = [tag("v0.4.0", 1), tag("v1.0.0", 2, reachable=False)]
    assert version_of(plan_on("0.x", commits("feat!: x"), tags)) == "0.5.0"


def test_a_line_cut_before_its_first_release_starts_from_below() -> None:
    """1.4.x cut from 1.3.2 (no 1.4 release on it yet): --version 1.4.0 opens the line."""
    tags = [tag("v1.3.2", 1), tag("v1.5.0", 3, reachable=False)]
    with pytest.raises(VersionConflictError, match=r"asks for 1\.3\.3") as caught:
        plan_on("1.4.x", commits("fix: x"), tags)
    assert (
        caught.value.hint
        == "1.4.x has no release of its own yet: open the line with --version 1.4.0"
    )
    opened = plan_on("1.4.x", commits("fix: x"), tags, PlanRequest(version=Version(1, 4, 0)))
    assert version_of(opened) == "1.4.0"


def test_no_release_due_on_the_line_says_so() -> None:
    result = plan_on("1.x", commits("docs: x"), MAIN_AHEAD)
    assert result.next is None
    assert "since v1.4.0" in result.reason


# --- images across branches ---------------------------------------------------------------------


def pushed(result: ReleasePlan) -> list[str]:
    assert result.images is not None
    return [t.tag for t in result.images.tag_set.pushed]


def test_images_of_a_backport_move_only_its_own_lines() -> None:
    assert pushed(plan_on("1.x", commits("fix: x"), MAIN_AHEAD)) == ["1.4.1", "1.4", "1"]
    tags = [*MAIN_AHEAD, tag("v1.5.0", 4, reachable=False)]
    assert pushed(plan_on("1.4.x", commits("fix: x"), tags)) == ["1.4.1", "1.4"]


def test_images_of_a_channel_release_move_no_floating_tag() -> None:
    assert pushed(plan_on("next", commits("feat: x"), [tag("v1.4.0")])) == ["1.5.0-rc.1"]


def test_images_of_main_after_a_backport_move_everything() -> None:
    tags = [tag("v2.1.0", 1), tag("v1.4.1", 2, reachable=False)]
    assert pushed(plan_on("main", commits("fix: x"), tags)) == ["2.1.1", "2.1", "2", "latest"]


def test_a_prerelease_window_starts_after_its_own_channels_latest() -> None:
    """semantic-release's 25.0.1-beta.1: beta merged the alpha line after 25.0.0; beta has not
    released since 25.0.0, so its window starts there, not after alpha.4."""
    from versionbot.core.history import Tag, TagFormat, find_baseline

    tags = (
        Tag("v25.0.0", "f" * 40, True),
        Tag("v25.0.0-beta.11", "b" * 40, True),
        Tag("v25.0.1-alpha.4", "a" * 40, True),
    )
    fmt = TagFormat("v{version}")

    beta = find_baseline(tags, fmt, prerelease=True, channel="beta")
    alpha = find_baseline(tags, fmt, prerelease=True, channel="alpha")
    unnamed = find_baseline(tags, fmt, prerelease=True)

    starts = [b.start.tag.name if b.start else None for b in (beta, alpha, unnamed)]
    assert starts == ["v25.0.0", "v25.0.1-alpha.4", "v25.0.1-alpha.4"]
    assert beta.latest_prerelease == alpha.latest_prerelease  # the line's core still counts
