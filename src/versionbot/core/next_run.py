"""What the next ``bot release`` will do, in one sentence: the ``next run`` line of ``bot plan``.

Pure: no I/O. The facts (is HEAD tagged, was a release pull request merged, which pull request
is open) are gathered by release_pr.describe_next_run; this module only words them.
"""

from __future__ import annotations

from dataclasses import dataclass

from versionbot.core.plan import ReleasePlan


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the next run will find besides the plan."""

    mode: str  # "direct" | "pr"
    pr_branch: str
    tagged_at_head: str | None = None  # the release tag HEAD carries
    merged: tuple[str, str] | None = None  # (sha, version) of a merged release pull request
    pull: tuple[int, str] | None = None  # (number, url) of the open release pull request
    pull_known: bool = False  # whether the forge was asked about open pull requests


def next_run(plan: ReleasePlan, facts: RunFacts) -> str:
    """The sentence: what ``bot release`` will do with this plan and these facts."""
    if facts.tagged_at_head is not None:
        text = (
            f"complete the release of {facts.tagged_at_head} at HEAD (push the tag if missing, "
            "forge release, image tags), committing nothing"
        )
        return text + ("; close an open release pull request" if facts.mode == "pr" else "")
    if facts.mode != "pr":
        if plan.next is None:
            return "nothing"
        return f"commit, tag and push {plan.next.tag}, then forge release and image tags"
    if facts.merged is not None:
        sha, merged = facts.merged
        return (
            f"tag {sha[:7]} (the merged release pull request of {merged}), push the tag alone, "
            "forge release and image tags; then a pull request for what came after it"
        )
    return _pull_request_sentence(plan, facts)


def _pull_request_sentence(plan: ReleasePlan, facts: RunFacts) -> str:
    pull = f"#{facts.pull[0]} ({facts.pull[1]})" if facts.pull else None
    if plan.next is None:
        if pull is not None:
            return f"close the release pull request {pull}: nothing to release"
        return "nothing (an open release pull request would be closed)"
    version = plan.next.version
    if pull is not None:
        return f"update the release pull request {pull} to {version} (branch {facts.pr_branch})"
    verb = "open" if facts.pull_known else "open or update"
    return f"{verb} the release pull request for {version} from {facts.pr_branch}"
