"""A sequence of releases, prereleases and finals, never goes backwards and never repeats a tag.

Each example is a linear history built step by step: some commits, then a plan (final, or a
prerelease on a channel); when the plan releases, its tag goes on the last commit and stays
reachable for every later plan, exactly as on a real branch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.history import History, RepositoryState, Tag, find_baseline
from versionbot.core.plan import PlanRequest, ReleasePlan, make_plan
from versionbot.core.version import Version

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MESSAGES = st.sampled_from(["feat: a", "fix: b", "perf: c", "docs: d", "feat!: e", "chore: f"])
STEPS = st.lists(
    st.tuples(st.lists(MESSAGES, max_size=3), st.sampled_from([None, None, "rc", "beta", "alpha"])),
    min_size=1,
    max_size=12,
)
CONFIGS = st.builds(
    lambda major_on_zero, minor_on_zero, initial: config_from_mapping(
        {"major_on_zero": major_on_zero, "minor_on_zero": minor_on_zero, "initial_version": initial}
    ),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["0.1.0", "1.0.0", "0.0.1"]),
)


def sha(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


@dataclass
class Branch:
    """A linear branch: commits oldest first, and the release tags made on it."""

    config: Config
    messages: list[str] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def commit(self, message: str) -> None:
        self.messages.append(message)

    def plan(self, channel: str | None) -> ReleasePlan:
        baseline = find_baseline(
            tuple(self.tags), self.config.tag_format, prerelease=channel is not None
        )
        start = -1
        if baseline.start is not None:
            start = [sha(i) for i in range(len(self.messages))].index(baseline.start.tag.sha)
        window = [
            Commit(sha(i), (sha(i - 1),) if i else (), self.messages[i])
            for i in range(len(self.messages) - 1, start, -1)
        ]
        head = sha(len(self.messages) - 1) if self.messages else ""
        history = History(RepositoryState("/repo", head, "main"), baseline, iter(window))
        return make_plan(history, self.config, PlanRequest(prerelease=channel))

    def release(self, result: ReleasePlan) -> None:
        assert result.next is not None
        self.tags.append(Tag(result.next.tag, sha(len(self.messages) - 1), reachable=True))

    def versions(self) -> list[Version]:
        found = [self.config.tag_format.parse(t.name) for t in self.tags]
        return [v for v in found if v is not None]


def run(config: Config, steps: list[tuple[list[str], str | None]], *, one_channel: bool) -> None:
    branch = Branch(config)
    for new_messages, drawn in steps:
        channel = "rc" if one_channel and drawn is not None else drawn
        for message in new_messages:
            branch.commit(message)
        before = branch.versions()
        result = branch.plan(channel)  # channels are lines of their own: never refused here
        if result.next is None:
            assert result.bump == "none"
            continue
        version = result.next.version
        # Above every final and its own channel's prereleases (every release, for a final).
        passed = [v for v in before if v.prerelease[:1] in ((), version.prerelease[:1])]
        assert all(version > v for v in (before if channel is None else passed)), (version, before)
        assert result.next.tag not in {t.name for t in branch.tags}
        if channel is None:
            assert not version.is_prerelease
        else:
            assert version.prerelease[:1] == (channel,)
            assert version.prerelease_number(channel) is not None
        branch.release(result)


@SETTINGS
@given(CONFIGS, STEPS)
def test_release_sequence_on_one_channel(
    config: Config, steps: list[tuple[list[str], str | None]]
) -> None:
    run(config, steps, one_channel=True)


@SETTINGS
@given(CONFIGS, STEPS)
def test_release_sequence_across_channels(
    config: Config, steps: list[tuple[list[str], str | None]]
) -> None:
    run(config, steps, one_channel=False)


@SETTINGS
@given(CONFIGS, STEPS)
def test_a_final_after_prereleases_covers_every_commit_since_the_last_final(
    config: Config, steps: list[tuple[list[str], str | None]]
) -> None:
    """Releasing finals only, or with prereleases in between, ends at the same final version."""
    finals_only = Branch(config)
    with_prereleases = Branch(config)
    for new_messages, channel in steps:
        for message in new_messages:
            finals_only.commit(message)
            with_prereleases.commit(message)
        if channel is not None:
            pre = with_prereleases.plan("rc")
            if pre.next is not None:
                with_prereleases.release(pre)
            continue
        a, b = finals_only.plan(None), with_prereleases.plan(None)
        assert (a.next is None) is (b.next is None)
        if a.next is not None and b.next is not None:
            assert a.next.version == b.next.version
            finals_only.release(a)
            with_prereleases.release(b)
