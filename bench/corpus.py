"""Acceptance check on real release history: does versionbot pick the bump the projects shipped?

What it measures: for each of the 2,724 releases in the release-decision corpus
(``../shared/corpus/releases``, one JSONL file per project, described in its README.md), the bump
``versionbot.api.plan_from_messages`` predicts from that release's commit messages and the
previous version, configured the way the project's own release tool was configured, against the
bump the project actually shipped. Agreement follows the corpus README: a final release must match
``bump`` exactly, a prerelease cut from a final must match ``base_bump`` exactly, and a prerelease
that follows a prerelease of the same channel only needs "some release".

The results are split into five groups, each reported per project and overall:

* main-line finals with empty ``notes``: the acceptance target (>= 98.5 %);
* main-line finals with ``notes`` (empty range, skipped version, Release-As, 0.x line);
* prereleases;
* maintenance finals (channel ``maintenance-N.x``);
* finals on another distribution channel (semantic-release's ``next``).

Every disagreement is printed with a heuristic category computed from the messages and the plan
(forced/manual release, non-standard breaking marker, monorepo path filtering, custom rules that
shadow breaking detection, ...), and the categories are totalled.

How each project is modelled (``PROJECTS``) follows the README's rules table; what versionbot's
configuration cannot express is written next to the project and shows up as a category, never as
a tweak. In particular lerna's conventional-recommended-bump never answers "no release": it is
modelled as ``"*" = "patch"`` (every conventional type releases at least a patch), but a window of
only non-conventional messages still plans no release, and lerna's per-package path filtering is
not modelled at all (the corpus has no file lists).

Commits: the tool-made release commit (``is_release_commit``) is dropped, as the tool never saw it.
``plan_from_messages`` takes messages only (no parents), so merge commits are dropped here when
the project's config says ``ignore_merge_commits``; otherwise they are passed as ordinary messages.
Real shas are passed so that ``This reverts commit <sha>`` pairs up within the window.

Run: ``python bench/corpus.py [--corpus DIR] [--json] [--verbose]``; it reads ~10 MB and takes
about a second. Exit status 0 when the target is met, 1 when it is not, 2 when the corpus is
missing. It is a script, not part of the package, and it never writes anything.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from versionbot.api import plan_from_messages
from versionbot.core.commits import ParseFailure, parse_commit
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import VersionbotError
from versionbot.core.plan import PlannedCommit, ReleasePlan

TARGET: Final = 98.5  # percent agreement required on main-line finals with empty notes
DEFAULT_CORPUS: Final = Path(__file__).resolve().parents[1].parent / "shared/corpus/releases"

GROUP_TARGET: Final = "main-line finals, empty notes"
GROUP_NOTES: Final = "main-line finals with notes"
GROUP_PRE: Final = "prereleases"
GROUP_MAINT: Final = "maintenance finals"
GROUP_OTHER: Final = "finals on another channel"
GROUPS: Final = (GROUP_TARGET, GROUP_NOTES, GROUP_PRE, GROUP_MAINT, GROUP_OTHER)

SOME_RELEASE: Final = "release"  # expected level of a prerelease after a same-channel prerelease


@dataclass(frozen=True, slots=True)
class Project:
    """How one corpus project is replayed: the bot's config and what that config cannot say."""

    settings: Mapping[str, Any]  # a [tool.versionbot] table for config_from_mapping
    tool: str  # the release tool whose decisions the corpus records
    model: str  # how its rules map onto the bot's config, and the gaps
    angular_header: bool = False  # the tool's parser ignores `type!:` (angular preset)
    shadowing_types: tuple[str, ...] = ()  # custom releaseRules that win over breaking detection
    floors_at_patch: bool = False  # any change releases at least a patch (lerna)
    monorepo_paths: bool = False  # the tool counts only commits touching a package path
    line_prefix_match: bool = False  # the tool matches keywords at the start of any line


_SR_DEFAULTS: Final[Mapping[str, Any]] = {
    "major_on_zero": True,  # semantic-release increments the major on 0.x too
    "squash_commits": False,  # commit-analyzer reads each message whole
    "ignore_merge_commits": False,  # it analyses merges too (their headers do not parse)
}
_SEMANTIC_RELEASE: Final = Project(
    {**_SR_DEFAULTS, "tag_format": "v{version}", "bump": {"revert": "patch"}},
    "semantic-release (commit-analyzer, preset angular)",
    "angular default releaseRules: breaking major, feat minor, fix/perf/revert patch",
    angular_header=True,
)
_RELEASE_PLEASE: Final = Project(
    {
        **_SR_DEFAULTS,
        "tag_format": "v{version}",
        "bump": {"feature": "minor", "deps": "patch", "revert": "patch"},
    },
    "release-please (releaseType node)",
    "feat/feature minor, fix/perf/deps/revert patch (the visible changelog sections), "
    "Release-As honoured (the bot always honours it)",
)

PROJECTS: Final[Mapping[str, Project]] = {
    "semantic-release/semantic-release": _SEMANTIC_RELEASE,
    "semantic-release/commit-analyzer": _SEMANTIC_RELEASE,
    "semantic-release/github": _SEMANTIC_RELEASE,
    "semantic-release/npm": _SEMANTIC_RELEASE,
    "renovatebot/renovate": Project(
        {
            **_SR_DEFAULTS,
            "tag_format": "{version}",
            "bump": {"revert": "patch", "build": "patch", "docs(readme.md)": "patch"},
        },
        "semantic-release (preset conventionalcommits, custom releaseRules)",
        "default rules plus build and docs(readme.md) patch; commit-analyzer lets a matching "
        "custom rule win over breaking detection, the bot does not (always major)",
        shadowing_types=("build", "docs"),
    ),
    "renovatebot/github-action": Project(
        {
            **_SR_DEFAULTS,
            "tag_format": "v{version}",
            "bump": {
                "revert": "patch",
                "build": "patch",
                "docs(readme.md)": "patch",
                "skip": "none",
            },
        },
        "semantic-release (preset conventionalcommits, custom releaseRules)",
        "as renovate plus skip -> no release; custom rules shadow breaking detection there",
        shadowing_types=("build", "docs", "skip"),
    ),
    "python-semantic-release/python-semantic-release": Project(
        {
            "tag_format": "v{version}",
            "major_on_zero": True,
            "squash_commits": True,
            "ignore_merge_commits": True,
        },
        "python-semantic-release",
        "v8+ settings (major_on_zero, parse_squash_commits, ignore_merge_commits) for the whole "
        "era; v4-v7 did not parse squash bodies",
    ),
    "python-gitlab/python-gitlab": Project(
        {
            "tag_format": "v{version}",
            "major_on_zero": True,
            "squash_commits": False,
            "ignore_merge_commits": True,
        },
        "python-semantic-release",
        "[tool.semantic_release] defaults: feat minor, fix/perf patch, breaking major",
    ),
    "commitizen-tools/commitizen": Project(
        {
            "tag_format": "v{version}",
            "major_on_zero": True,
            "squash_commits": False,  # `* feat: x` lines do not match cz's `^type:` pattern
            "ignore_merge_commits": False,
            "bump": {"refactor": "patch"},
        },
        "commitizen (cz_conventional_commits)",
        "bump_map: breaking major, feat minor, fix/refactor/perf patch; cz matches its pattern "
        "at the start of every line of the message, the bot reads headers and footers",
        line_prefix_match=True,
    ),
    "cocogitto/cocogitto": Project(
        {
            "tag_format": "{version}",
            "major_on_zero": True,  # cog bumped 0.34.0 -> 1.0.0 on `feat!:`
            "squash_commits": False,
            "ignore_merge_commits": False,
        },
        "cocogitto (cog bump --auto)",
        "defaults: breaking major, feat minor, fix patch",
    ),
    "googleapis/release-please": _RELEASE_PLEASE,
    "googleapis/nodejs-storage": _RELEASE_PLEASE,
    "conventional-changelog/commitlint": Project(
        {
            "tag_format": "v{version}",
            "major_on_zero": True,
            "squash_commits": False,
            "ignore_merge_commits": True,
            "bump": {"*": "patch"},
        },
        "lerna publish --conventional-commits (conventional-recommended-bump, angular)",
        'floor at patch modelled as "*" = "patch" (conventional types only: a window of '
        "non-conventional messages still plans no release); per-package path filtering "
        "not modelled",
        angular_header=True,
        floors_at_patch=True,
        monorepo_paths=True,
    ),
}


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One commit of a corpus release."""

    sha: str
    message: str
    is_merge: bool
    is_release_commit: bool


@dataclass(frozen=True, slots=True)
class Release:
    """One corpus record: a release and the commits since the previous one."""

    repo: str
    prev_version: str
    version: str
    bump: str
    base_bump: str
    channel: str
    notes: tuple[str, ...]
    commits: tuple[CommitRecord, ...]

    @property
    def group(self) -> str:
        """Which of the five report groups this release belongs to."""
        if self.bump == "prerelease":
            return GROUP_PRE
        if self.channel.startswith("maintenance-"):
            return GROUP_MAINT
        if self.channel != "main":
            return GROUP_OTHER
        return GROUP_NOTES if self.notes else GROUP_TARGET

    @property
    def expected(self) -> str:
        """The level the bot must predict (``release`` = any release will do)."""
        if self.bump != "prerelease":
            return self.bump
        return SOME_RELEASE if "-" in self.prev_version else self.base_bump

    @property
    def prerelease_token(self) -> str | None:
        """The channel token to plan with (``beta`` for ``2.0.0-beta.3``), None for finals."""
        if self.bump != "prerelease":
            return None
        token = self.version.partition("-")[2].split(".")[0]
        return "pre" if token.isdigit() else token


@dataclass(frozen=True, slots=True)
class Outcome:
    """The bot's answer for one release and whether it agrees with the shipped one."""

    release: Release
    predicted: str  # a bump label, or "error: ..." when the bot refused
    agrees: bool
    category: str | None  # why it disagrees (heuristic), None when it agrees


def load_releases(corpus: Path) -> Iterator[Release]:
    """Read every ``*.jsonl`` file in ``corpus`` (sorted), one Release per line."""
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield _release(json.loads(line))


def _release(record: Mapping[str, Any]) -> Release:
    commits = tuple(
        CommitRecord(c["sha"], c["message"], bool(c["is_merge"]), bool(c["is_release_commit"]))
        for c in record["commits"]
    )
    return Release(
        repo=record["repo"],
        prev_version=record["prev_version"],
        version=record["version"],
        bump=record["bump"],
        base_bump=record["base_bump"],
        channel=record["channel"],
        notes=tuple(record["notes"]),
        commits=commits,
    )


def window(release: Release, config: Config) -> list[CommitRecord]:
    """The commits the tool saw: no release commit, no merges when the config ignores them."""
    return [
        c
        for c in release.commits
        if not c.is_release_commit and not (config.ignore_merge_commits and c.is_merge)
    ]


def evaluate(release: Release, project: Project, config: Config) -> Outcome:
    """Plan ``release`` with the bot and compare with what the project shipped."""
    commits = window(release, config)
    messages = [c.message for c in commits]
    plan: ReleasePlan | None = None
    try:
        plan = plan_from_messages(
            messages,
            release.prev_version,
            config,
            prerelease=release.prerelease_token,
            shas=[c.sha for c in commits],
        )
    except VersionbotError as exc:
        predicted, agrees = f"error: {exc.message}", False
    else:
        predicted = plan.bump
        expected = release.expected
        agrees = plan.release if expected == SOME_RELEASE else predicted == expected
    category = None if agrees else categorize(release, project, commits, plan)
    return Outcome(release, predicted, agrees, category)


# --- disagreement categories (heuristics over the messages and the plan) -------------------------

_RELEASE_AS = re.compile(r"(?im)^release-as: ")
_STD_BREAKING = re.compile(r"(?m)^BREAKING[ -]CHANGE: \S")
_BREAKING_EOL = re.compile(r"(?m)^BREAKING[ -]CHANGE:[ \t\r]*$")
_NONSTD_BREAKING = re.compile(
    r"(?m)^[ \t]*(?:#+[ \t]*)?(?:BREAKING[ -]CHANGES?(?!: )|[Bb]reaking[ -][Cc]hanges?\b)"
)
_BULLET_BANG = re.compile(r"(?m)^[ \t]*[*-][ \t]+[A-Za-z][\w-]*(?:\([^()\n]*\))?!: ")
_BODY_FEAT = re.compile(r"(?m)^[ \t]*(?:[*-][ \t]+)?feat(?:\([^()\n]*\))?!?: ")
_BULLET = re.compile(r"(?m)^[ \t]*[*-][ \t]+\S")
_CZ_LINE = re.compile(r"(?m)^(?:BREAKING[ -]CHANGE|feat|fix|refactor|perf)")
_CZ_CONVENTIONAL_LINE = re.compile(r"(?m)^(?:feat|fix|refactor|perf)(?:\([^()\n]*\))?!?: ")
_GIT_REVERT = re.compile(r'Revert ".*')


def categorize(
    release: Release, project: Project, commits: Sequence[CommitRecord], plan: ReleasePlan | None
) -> str:
    """A heuristic reason for a disagreement, from the messages and the bot's plan."""
    early = _early_category(release, commits)
    if early is not None:
        return early
    if plan is None:
        return "the bot refused to plan (version conflict)"
    expected = release.expected
    if _LEVELS.get(plan.bump, 0) > _LEVELS[expected]:
        return _over(project, commits, plan)
    if expected == "major":
        return _missed_major([c.message for c in commits])
    if expected == "minor" and _LEVELS.get(plan.bump, 0) < _LEVELS["minor"]:
        return _missed_minor(project, commits)
    return _missed_release(project, commits, plan)


def _early_category(release: Release, commits: Sequence[CommitRecord]) -> str | None:
    """Causes that need no look at the plan: nothing to analyse, or a Release-As footer."""
    if not commits or any(n.startswith("empty range") for n in release.notes):
        return "empty range: nothing but the release commit (re-tag or re-publish)"
    if any(_RELEASE_AS.search(c.message) for c in commits):
        return "Release-As override"
    return None


_LEVELS: Final[Mapping[str, int]] = {
    "none": 0,
    "patch": 1,
    SOME_RELEASE: 1,
    "prerelease": 1,
    "minor": 2,
    "major": 3,
}


def _over(project: Project, commits: Sequence[CommitRecord], plan: ReleasePlan) -> str:
    """The bot asks for more than the tool did."""
    if plan.bump == "major":
        return _over_major(project, commits, plan.decided_by)
    if any(_squash_piece(plan.commits, d) for d in plan.decided_by):
        return "release-worthy commit inside a squash body (the tool did not split it)"
    if project.monorepo_paths:
        return "monorepo path filtering or maintainer override (lerna counts package commits)"
    return "the tool released less than the commits ask for (maintainer decision)"


def _over_major(
    project: Project, commits: Sequence[CommitRecord], deciding: Sequence[PlannedCommit]
) -> str:
    """The bot sees a breaking change the tool did not act on: say which kind."""
    by_sha = {c.sha: c.message for c in commits}
    if project.shadowing_types and any(
        d.parsed is not None and d.parsed.type in project.shadowing_types for d in deciding
    ):
        return "custom releaseRules shadow breaking detection (commit-analyzer quirk)"
    if project.angular_header and all(_bang_only(d) for d in deciding):
        return "`type!:` breaking marker not parsed by the tool's angular preset"
    if any(_below_bullets(by_sha.get(d.sha, ""), d) for d in deciding):
        return "breaking marker inside a squash body (the tool honoured only the top message)"
    return "breaking marker the tool did not act on"


def _bang_only(commit: PlannedCommit) -> bool:
    parsed = commit.parsed
    if parsed is None or not parsed.breaking:
        return False
    return "!:" in parsed.header and not any("BREAKING" in f.token for f in parsed.footers)


def _squash_piece(planned: Sequence[PlannedCommit], commit: PlannedCommit) -> bool:
    """True when ``commit`` is a later piece of a split squash message, not its header."""
    first = next(p for p in planned if p.sha == commit.sha)
    return first is not commit


def _below_bullets(message: str, commit: PlannedCommit) -> bool:
    """True when the breaking marker that decided sits below squash bullets in the message."""
    marker = _STD_BREAKING.search(message) or _BULLET_BANG.search(message)
    if marker is None:
        return False
    return bool(_BULLET.search(message, 0, marker.start())) or commit.subject not in message[:200]


def _missed_major(messages: Sequence[str]) -> str:
    """The tool shipped a major the bot did not see."""
    for message in messages:
        if _STD_BREAKING.search(message) and isinstance(parse_commit(message), ParseFailure):
            return (
                "BREAKING CHANGE footer under a non-conventional header (no type: the spec "
                "ignores it, the tool's parser reads notes anyway)"
            )
    if any(_BREAKING_EOL.search(m) for m in messages):
        return "`BREAKING CHANGE:` with its description on the next line (bot reads no footer)"
    if any(_NONSTD_BREAKING.search(m) for m in messages):
        return (
            "non-standard breaking marker (BREAKING CHANGE without ': ', BREAKING CHANGES, "
            "lowercase, heading)"
        )
    if any(_BULLET_BANG.search(m) or _STD_BREAKING.search(m) for m in messages):
        return "breaking marker inside a squash body (bot does not split squash bodies here)"
    return "forced major without a breaking marker (maintainer decision)"


def _missed_minor(project: Project, commits: Sequence[CommitRecord]) -> str:
    """The tool shipped a minor the bot did not see."""
    for commit in commits:
        body = commit.message.partition("\n")[2]
        if _BODY_FEAT.search(body):
            return "feat inside a squash or merge body (the tool read body lines)"
    if project.line_prefix_match and any(_CZ_LINE.search(c.message) for c in commits):
        return "commitizen prefix match: keyword at the start of a line, no ': ' needed"
    return "forced minor without a feat commit (maintainer decision)"


def _missed_release(project: Project, commits: Sequence[CommitRecord], plan: ReleasePlan) -> str:
    """The tool released (a patch) where the bot plans no release (or less)."""
    if any(c.skipped_reason and c.skipped_reason.startswith("reverts ") for c in plan.commits):
        return (
            "revert pair cancelled by the bot; the tool's revert filter missed the pair "
            "(header changed by the ' (#N)' PR suffix) and released the revert as a patch"
        )
    counted = {c.sha for c in plan.commits if c.parsed is not None}
    if any(_GIT_REVERT.match(c.message) and c.sha not in counted for c in commits):
        return 'git revert header the bot does not parse (`Revert "..." (#N)`)'
    if project.line_prefix_match and any(
        _CZ_LINE.search(c.message) and not _CZ_CONVENTIONAL_LINE.search(c.message) for c in commits
    ):
        return "commitizen prefix match: 'fix docs typo' / 'fixes #12' count as fix"
    if project.floors_at_patch and any(c.parsed is None for c in plan.commits):
        return "floor at patch: lerna releases on any change, here only non-conventional commits"
    return "forced/manual release without a releasable commit"


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """Agreements out of a total."""

    agree: int = 0
    total: int = 0

    def add(self, agrees: bool) -> Tally:
        """A tally with one more case."""
        return Tally(self.agree + agrees, self.total + 1)

    @property
    def rate(self) -> float | None:
        """Agreement in percent, None when there are no cases."""
        return 100.0 * self.agree / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "-"
        return f"{self.agree}/{self.total} {self.rate:5.1f}%"


@dataclass(frozen=True, slots=True)
class Report:
    """Every outcome, with the tallies the report prints."""

    outcomes: tuple[Outcome, ...]
    seconds: float

    def tally(self, group: str, repo: str | None = None) -> Tally:
        """Agreement in one group, overall or for one project."""
        tally = Tally()
        for o in self.outcomes:
            if o.release.group == group and (repo is None or o.release.repo == repo):
                tally = tally.add(o.agrees)
        return tally

    @property
    def repos(self) -> list[str]:
        """The projects, sorted."""
        return sorted({o.release.repo for o in self.outcomes})

    @property
    def target(self) -> Tally:
        """The acceptance group's tally."""
        return self.tally(GROUP_TARGET)

    @property
    def passed(self) -> bool:
        """True when the acceptance group meets the target."""
        rate = self.target.rate
        return rate is not None and rate >= TARGET

    def disagreements(self, group: str | None = None) -> list[Outcome]:
        """The outcomes that disagree, in one group or in all."""
        return [
            o for o in self.outcomes if not o.agrees and (group is None or o.release.group == group)
        ]


def run(corpus: Path) -> Report:
    """Replay the whole corpus; raise FileNotFoundError when ``corpus`` holds no JSONL."""
    if not corpus.is_dir() or not any(corpus.glob("*.jsonl")):
        raise FileNotFoundError(f"no corpus (*.jsonl) in {corpus}")
    started = time.perf_counter()
    configs = {repo: config_from_mapping(p.settings, repo) for repo, p in PROJECTS.items()}
    outcomes: list[Outcome] = []
    for release in load_releases(corpus):
        project = PROJECTS.get(release.repo)
        if project is None:
            raise KeyError(f"{release.repo} is in the corpus but not in PROJECTS")
        outcomes.append(evaluate(release, project, configs[release.repo]))
    return Report(tuple(outcomes), time.perf_counter() - started)


def format_text(report: Report, *, verbose: bool) -> str:
    """The human report: the agreement table, the disagreements, the category totals."""
    lines = [f"versionbot vs {len(report.outcomes)} real releases ({report.seconds:.2f} s)", ""]
    width = max(len(r) for r in report.repos)
    header = ["project".ljust(width), *(g.rjust(len(g)) for g in GROUPS)]
    lines.append("  ".join(header))
    for repo in [*report.repos, None]:
        name = (repo or "all").ljust(width)
        cells = [str(report.tally(g, repo)).rjust(len(g)) for g in GROUPS]
        lines.append("  ".join([name, *cells]))
    verdict = "PASS" if report.passed else "FAIL"
    lines += ["", f"target: {GROUP_TARGET} {report.target} (need >= {TARGET}%): {verdict}"]
    for group in GROUPS:
        found = report.disagreements(group)
        if not found:
            continue
        lines += ["", f"disagreements in {group} ({len(found)}):"]
        lines += [_disagreement_line(o) for o in found]
        if verbose:
            lines.append("")
        totals = Counter(o.category for o in found)
        lines += [f"  {n:3d}  {category}" for category, n in totals.most_common()]
    if verbose:
        lines += ["", "project models:"]
        for repo in report.repos:
            project = PROJECTS[repo]
            lines.append(f"  {repo}: {project.tool}; {project.model}")
    return "\n".join(lines)


def _disagreement_line(o: Outcome) -> str:
    r = o.release
    notes = f" [{'; '.join(r.notes)}]" if r.notes else ""
    return (
        f"  {r.repo} {r.prev_version} -> {r.version}: actual {r.expected}, "
        f"predicted {o.predicted} -- {o.category}{notes}"
    )


def to_json(report: Report) -> dict[str, Any]:
    """The machine-readable report (``--json``)."""
    groups: dict[str, Any] = {}
    for group in GROUPS:
        overall = report.tally(group)
        groups[group] = {
            "agree": overall.agree,
            "total": overall.total,
            "rate": overall.rate,
            "projects": {
                repo: {"agree": t.agree, "total": t.total, "rate": t.rate}
                for repo in report.repos
                if (t := report.tally(group, repo)).total
            },
            "categories": dict(Counter(o.category for o in report.disagreements(group))),
        }
    return {
        "target": {"group": GROUP_TARGET, "min_rate": TARGET, "passed": report.passed},
        "releases": len(report.outcomes),
        "seconds": round(report.seconds, 3),
        "groups": groups,
        "disagreements": [
            {
                "repo": o.release.repo,
                "prev_version": o.release.prev_version,
                "version": o.release.version,
                "group": o.release.group,
                "actual": o.release.expected,
                "predicted": o.predicted,
                "category": o.category,
                "notes": list(o.release.notes),
            }
            for o in report.disagreements()
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the report; exit 0 when the target is met, 1 if not, 2 if no corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the JSONL folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--verbose", action="store_true", help="also print the project models")
    args = parser.parse_args(argv)
    try:
        report = run(args.corpus)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("hint: pass --corpus DIR (the folder of *.jsonl release records)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(to_json(report), indent=2))
    else:
        print(format_text(report, verbose=args.verbose))
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
