"""Release branches as a state machine: generated histories of commits, merges and releases.

A MODEL of a repository (commits with parents, branch heads, release tags) is driven by
hypothesis through random sequences of three operations: commit(branch, type), merge(a → b)
and release(branch). A release runs the pure plan code exactly as ``bot release`` would on that
branch: the branch's policy from ``[branches]``, the baseline found with its range, the window
of commits reachable from the head but not from the window's start, and a tag on the head when
a release is due. Branches: ``main`` (finals), ``next`` (prerelease channel ``rc``), ``1.x`` and
``1.0.x`` (maintenance lines through the glob ``*.x``); every branch starts at ``v1.0.0``.

What must hold, whatever the sequence:
- no tag is ever made twice (and no two tags share a version's precedence);
- no branch goes backwards: each release is above every earlier release of its branch and above
  every release its head contains (on a maintenance line: every one below the line's end);
- prerelease counters never repeat or go backwards for a version, and no prerelease is made of
  a version already released;
- every release stays reachable from the branch that made it;
- main makes finals, next makes ``-rc.N``, a maintenance line releases inside its range;
- a release that cannot be made stops with VersionConflictError (exit 4), never another error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from versionbot.core.branches import branch_policy
from versionbot.core.commits import Commit
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import VersionConflictError
from versionbot.core.history import History, RepositoryState, Tag, find_baseline
from versionbot.core.plan import PlanRequest, make_plan
from versionbot.core.version import Version

CONFIG = config_from_mapping(
    {"branches": {"main": {}, "next": {"prerelease": "rc"}, "*.x": {"maintenance": True}}}
)
BRANCHES = ("main", "next", "1.x", "1.0.x")
TYPES = st.sampled_from(["feat", "fix", "fix", "feat!", "docs", "perf"])


def sha(n: int) -> str:
    return hashlib.sha1(f"commit {n}".encode()).hexdigest()


@dataclass(frozen=True)
class Node:
    """One commit of the model: its parents (indexes) and message; its index is its age."""

    parents: tuple[int, ...]
    message: str


class BranchesMachine(RuleBasedStateMachine):
    """The repository model and the invariants of releasing on its branches."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[Node] = [Node((), "feat: first")]
        self.ancestry: list[frozenset[int]] = [frozenset({0})]
        self.heads = dict.fromkeys(BRANCHES, 0)
        self.tags: dict[str, int] = {"v1.0.0": 0}  # tag -> commit
        self.versions: dict[str, Version] = {"v1.0.0": Version(1, 0, 0)}
        self.made_on: dict[str, str] = {"v1.0.0": "main"}
        self.released: dict[str, list[Version]] = {b: [] for b in BRANCHES}
        self.released["main"].append(Version(1, 0, 0))

    # -- the model ---------------------------------------------------------------------------

    def _add(self, parents: tuple[int, ...], message: str) -> int:
        self.nodes.append(Node(parents, message))
        self.ancestry.append(
            frozenset({len(self.nodes) - 1}).union(*(self.ancestry[p] for p in parents))
        )
        return len(self.nodes) - 1

    def _reachable(self, tag: str, branch: str) -> bool:
        return self.tags[tag] in self.ancestry[self.heads[branch]]

    # -- operations --------------------------------------------------------------------------

    @rule(branch=st.sampled_from(BRANCHES), kind=TYPES)
    def commit(self, branch: str, kind: str) -> None:
        """A commit of ``kind`` on ``branch``."""
        self.heads[branch] = self._add((self.heads[branch],), f"{kind}: change {len(self.nodes)}")

    @rule(source=st.sampled_from(BRANCHES), into=st.sampled_from(BRANCHES))
    def merge(self, source: str, into: str) -> None:
        """``git merge --no-ff source`` on ``into`` (nothing when already merged)."""
        if source == into or self.heads[source] in self.ancestry[self.heads[into]]:
            return
        parents = (self.heads[into], self.heads[source])
        self.heads[into] = self._add(parents, f"Merge branch '{source}' into {into}")

    @rule(branch=st.sampled_from(BRANCHES))
    def release(self, branch: str) -> None:
        """Plan on ``branch`` as ``bot release`` would; tag the head when a release is due."""
        head = self.heads[branch]
        policy = branch_policy(CONFIG.branches, branch, None)
        tags = tuple(
            Tag(name, sha(at), at in self.ancestry[head]) for name, at in self.tags.items()
        )
        baseline = find_baseline(
            tags,
            CONFIG.tag_format,
            prerelease=policy.prerelease is not None,
            within=policy.range,
        )
        start = self.tags[baseline.start.tag.name] if baseline.start else None
        before = self.ancestry[start] if start is not None else frozenset()
        window = [
            Commit(sha(i), tuple(sha(p) for p in self.nodes[i].parents), self.nodes[i].message)
            for i in sorted(self.ancestry[head] - before, reverse=True)
        ]
        state = RepositoryState("/model", sha(head), branch)
        stopped: str | None = None
        try:
            plan = make_plan(History(state, baseline, iter(window)), CONFIG, PlanRequest())
        except VersionConflictError as exc:
            stopped = exc.message
        if stopped is not None:
            event(f"{policy.rule.kind if policy.rule else '-'}: stopped")
            note(f"release on {branch} stopped: {stopped}")
            if policy.range is not None and "outside the maintenance branch" in stopped:
                assert f"({policy.range})" in stopped
            return
        if plan.next is None:
            event("no release due")
            return
        version, name = plan.next.version, plan.next.tag
        event(f"{branch}: released")
        note(f"{branch} releases {name}")
        # No duplicate tag, no second tag for one precedence.
        assert name not in self.tags, name
        assert not any(version.same_precedence(v) for v in self.versions.values()), name
        # Never backwards on the branch, never below what the head contains.
        assert all(version > earlier for earlier in self.released[branch]), name
        for other, at in self.tags.items():
            contained = at in self.ancestry[head]
            mine = policy.range is None or self.versions[other].core < policy.range.high
            if contained and mine:
                assert version > self.versions[other], (name, other)
        # The kind of release each branch makes.
        if branch == "main":
            assert not version.is_prerelease
        elif branch == "next":
            assert version.prerelease[:-1] == ("rc",), name
        else:
            assert policy.range is not None
            assert version in policy.range, (name, policy.range)
            assert not version.is_prerelease
        # Counters never repeat or go backwards for one version.
        if version.is_prerelease:
            number = version.prerelease_number("rc")
            assert number is not None
            same_core = [
                n
                for v in self.versions.values()
                if v.core == version.core
                for n in (v.prerelease_number("rc"),)
                if n is not None
            ]
            assert all(number > n for n in same_core), name
            # ... and never of a version already released: it would sort below that final.
            finals = (v for v in self.versions.values() if not v.is_prerelease)
            assert all(not v.same_precedence(version.core) for v in finals), name
        self.tags[name] = head
        self.versions[name] = version
        self.made_on[name] = branch
        self.released[branch].append(version)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def releases_stay_reachable_from_their_branch(self) -> None:
        """Branches only move forward, so every release stays in its branch's history."""
        for name, branch in self.made_on.items():
            assert self._reachable(name, branch), (name, branch)

    @invariant()
    def heads_are_commits(self) -> None:
        """The model stays well-formed: each head is a commit, each tag on a commit."""
        assert all(0 <= head < len(self.nodes) for head in self.heads.values())
        assert all(0 <= at < len(self.nodes) for at in self.tags.values())


TestBranches = BranchesMachine.TestCase
TestBranches.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
