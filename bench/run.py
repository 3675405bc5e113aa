"""Benchmarks: ``bot plan --json`` and ``bot changelog --full``, the ``git log`` floor and peers.

Owns the measurement protocol and its report. Two benchmarks share it:

- *plan*: for each window size (commits since ``v1.0.0`` in a repository from
  ``bench/make_repo.py``) the next version from ``bot plan --json``, semantic-release,
  commitizen and git-cliff; each peer's answer is checked against the bot's ``next.version``;
- *changelog*: for each history size (a repository with a release tag every ``--tag-every``
  commits) the whole changelog from ``bot changelog --full --stdout``, ``git-cliff`` (to stdout)
  and ``cz changelog --dry-run``; each output is checked to be non-empty and to have one level-2
  heading per release tag (the texts differ by design, so they are not compared).
- *monorepo*: for each size, ``bot plan --json`` on a monorepo of ``--packages`` packages
  (``make_repo.py --packages``) against ``bot plan --json`` on the single-package repository of
  the same size, with ``git log --name-only`` of the window as the floor; the monorepo's JSON
  must list every package. No peer plans a monorepo, so there are none.

Every tool runs once untimed-for-the-median (warm-up, its stdout kept to check the answer, its
peak RSS read), then ``--reps`` times interleaved, each run in a fresh child process whose wall
time is recorded. Medians, ratios to the floor and the answer checks are printed as Markdown
tables with the targets met or missed and, for a full run, written into docs/benchmarks.md
between markers, with log-log plots in docs/benchmarks.png.

A peer whose warm-up exceeds ``--slow`` seconds is measured by that one run only, and one that
exceeds ``--timeout`` is killed; both are reported as such. ``--smoke`` runs one small size once,
writes nothing and asserts no timings (for CI): it fails only when a tool crashes or the bot's
JSON is unreadable; it covers both benchmarks, with the bot alone when the peers are not
installed. Nothing here changes the repositories it measures (checked after each size).

    .venv/bin/python bench/run.py --install-peers      # once: bench/.venvs/{psr,cz,cliff}
    .venv/bin/python bench/run.py                      # every size; writes the docs
    .venv/bin/python bench/run.py --smoke              # CI
    .venv/bin/python bench/run.py --only-monorepo      # the monorepo section only; prints it
    .venv/bin/python bench/run.py --compare 34d2bbc    # this bot against another revision

``--compare REV`` is the gate of a change: the bot at ``REV`` (installed into
``bench/.venvs/base``) and this one, interleaved on the same repositories: ``bot plan --json`` at
``--compare-size`` commits on one package and on the monorepo, and ``bot --version``; it prints
the medians, their ratio and whether both printed the same bytes, and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from make_repo import BASE_TAG, RepoSpec, make_repo, monorepo_base_tag, package_names

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
VENVS = BENCH / ".venvs"
DOC = ROOT / "docs" / "benchmarks.md"
PLOT = ROOT / "docs" / "benchmarks.png"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
REPRODUCE = ".venv/bin/python bench/run.py --install-peers && .venv/bin/python bench/run.py"
# (venv folder, pip requirement, executable): the versions the published numbers were made with.
PEERS = (
    ("psr", "python-semantic-release==10.7.0", "semantic-release"),
    ("cz", "commitizen==4.19.3", "cz"),
    ("cliff", "git-cliff==2.14.2", "git-cliff"),
)
TARGET_RATIO_100K = 1.2
TARGET_PLAN_SMALL = 0.1
TARGET_VERSION = 0.05
TARGET_CHANGELOG_SECONDS = 2.0
TARGET_CHANGELOG_MB = 200
TARGET_LINEAR = 1.2  # time (or RSS) per commit at 100k at most this times that at 10k
REAL_WINDOW = 400  # the window size of a real repository's release (commits since the tag)
MONOREPO_PACKAGES = 50
TARGET_MONOREPO_RATIO = 1.5  # "well under 2 x" the single package's plan: at most 1.5 x (decisions)
# A change may make `bot plan --json` at most this much slower than the revision it is compared
# with (--compare), and `bot --version` not slower at all.
COMPARE_PLAN_RATIO = 1.05
COMPARE_STARTUP_RATIO = 1.0
BASE = VENVS / "base"  # --compare: the bot at the other revision
_HEADING = re.compile(r"^## \[?v?(\d+\.\d+\.\d+[^\s\])]*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Tool:
    """One command under test; ``answer`` turns its stdout into a version (None: no answer)."""

    key: str  # what --tools selects
    name: str
    argv: tuple[str, ...]
    answer: Callable[[str], str | None] | None  # None: the tool gives no version (the floor)
    missing: str | None = None  # why it cannot run here
    cwd: Path | None = None  # where it runs when not in the size's repository


@dataclass(frozen=True, slots=True)
class Run:
    """One child process: wall seconds, peak RSS in KiB, exit status, CPU seconds."""

    seconds: float
    max_rss_kib: int
    returncode: int
    timed_out: bool
    error: str = ""  # the last line of stderr when the run failed
    cpu: float = 0.0  # user and system CPU of the child and the children it waited for

    @property
    def problem(self) -> str | None:
        """Why the run does not count, None when it does."""
        if self.timed_out:
            return "timeout (killed)"
        if self.returncode != 0:
            return (
                f"exit {self.returncode}: {self.error}" if self.error else f"exit {self.returncode}"
            )
        return None


@dataclass(slots=True)
class Result:
    """Every run of one tool on one size, and what it answered."""

    tool: str
    size: int
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each timed run
    max_rss_kib: int = 0
    answer: str | None = None
    expected: str | None = None  # what the answer should be; None: the answer is the reference
    expected_from: str = "bot"  # where ``expected`` comes from, for the table
    note: str = ""  # "", "1 run (slow)", "timeout", "failed: ...", "not installed: ..."
    capped: bool = False  # measured by the warm-up run only
    failures: list[str] = field(default_factory=list)  # timed runs that crashed or timed out

    @property
    def median(self) -> float | None:
        """The median wall time, None when nothing completed."""
        return statistics.median(self.times) if self.times else None


# ---------------------------------------------------------------------------------------------
# Running one child


def sealed_env(home: Path) -> dict[str, str]:
    """An environment free of the user's git config and of CI variables the peers react to."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
    }


def gnu_time() -> str | None:
    """``/usr/bin/time`` when it is GNU time (``-f %M``), else None."""
    path = shutil.which("time")
    if path is None:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = gnu_time()


def run_once(
    argv: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    stdout: Path | None = None,
    *,
    rss: bool = False,
) -> Run:
    """Run ``argv`` in a fresh child: its wall time, and with ``rss`` its peak RSS.

    The peak is ``ru_maxrss`` from ``wait4`` on the child: the largest process of the tree it
    waited for. A child forked from this Python process starts with this process's RSS as its
    high-water mark (Linux keeps it across ``exec``), so the peak is read through GNU time, a
    small C launcher, when it is installed; otherwise it is an upper bound for small tools.
    """
    target = stdout if stdout is not None else Path(os.devnull)
    with (
        tempfile.NamedTemporaryFile("r", prefix="rss-") as rss_file,
        tempfile.TemporaryFile("w+b", prefix="stderr-") as err,
    ):
        launcher = [GNU_TIME, "-f", "%M", "-o", rss_file.name] if rss and GNU_TIME else []
        with target.open("wb") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [*launcher, *argv], cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
            )
            killed = threading.Event()

            def kill() -> None:
                killed.set()
                os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, kill)
            timer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        if launcher:
            reported = rss_file.read().split()
            peak = int(reported[-1]) if reported and reported[-1].isdigit() else peak
        error = ""
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            error = lines[-1][:120] if lines else ""
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, peak, proc.returncode, killed.is_set(), error, cpu)


# ---------------------------------------------------------------------------------------------
# The tools


def last_line_version(stdout: str) -> str | None:
    """A peer's answer: the last non-empty line, without a leading ``v``."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    return lines[-1].removeprefix("v") if lines else None


def bot_version(stdout: str) -> str | None:
    """The bot's answer: ``next.version`` of ``bot plan --json`` ("none" when no release)."""
    document = json.loads(stdout)
    release = document.get("next")
    return "none" if release is None else str(release["version"])


def release_headings(stdout: str) -> str | None:
    """A changelog's answer: how many distinct versions head a level-2 (``## ``) section."""
    if not stdout.strip():
        raise ValueError("empty changelog")
    return f"{len(set(_HEADING.findall(stdout))):,}"


def find_executable(venv: str, name: str) -> Path | None:
    """``bench/.venvs/<venv>/bin/<name>``, else ``name`` on PATH."""
    candidate = VENVS / venv / "bin" / name
    if candidate.is_file():
        return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def make_tools(bot: Path, only: set[str] | None) -> list[Tool]:
    """The floor, the bot and the peers, in table order (``only`` filters by name)."""
    found = {venv: find_executable(venv, exe) for venv, _, exe in PEERS}

    def peer(key: str, name: str, venv: str, *args: str) -> Tool:
        return _peer(found, key, name=name, venv=venv, args=args, answer=last_line_version)

    git_z = ("git", "log", "-z", "--format=%H%x00%P%x00%B", f"{BASE_TAG}..HEAD")
    tools = [
        Tool("floor", "floor: git log", ("git", "log", "--format=%B", f"{BASE_TAG}..HEAD"), None),
        Tool("git-z", "git log -z (bot's query)", git_z, None),
        Tool("bot", "bot plan --json", (str(bot), "plan", "--json"), bot_version),
        peer("psr", "semantic-release", "psr", "--noop", "version", "--print"),
        peer("cz", "commitizen", "cz", "bump", "--get-next"),
        peer("cliff", "git-cliff", "cliff", "--bumped-version"),
        peer(
            "cliff-unreleased",
            "git-cliff --unreleased",
            "cliff",
            "--unreleased",
            "--bumped-version",
        ),
    ]
    return [t for t in tools if only is None or t.key in only]


def make_changelog_tools(bot: Path, only: set[str] | None) -> list[Tool]:
    """The whole-history floor, the bot's full changelog and the peers' (same ``--tools`` keys)."""
    found = {venv: find_executable(venv, exe) for venv, _, exe in PEERS}
    git_z = ("git", "log", "-z", "--format=%H%x00%P%x00%B", "HEAD")
    tools = [
        Tool("floor", "floor: git log", ("git", "log", "--format=%B", "HEAD"), None),
        Tool("git-z", "git log -z (bot's query)", git_z, None),
        Tool(
            "bot",
            "bot changelog --full --stdout",
            (str(bot), "changelog", "--full", "--stdout"),
            release_headings,
        ),
        _peer(
            found,
            "cz",
            name="cz changelog --dry-run",
            venv="cz",
            args=("changelog", "--dry-run"),
            answer=None,
        ),
        _peer(found, "cliff", name="git-cliff (to stdout)", venv="cliff", args=(), answer=None),
    ]
    return [t for t in tools if only is None or t.key in only]


def _peer(
    found: dict[str, Path | None],
    key: str,
    *,
    name: str,
    venv: str,
    args: tuple[str, ...],
    answer: Callable[[str], str | None] | None,
) -> Tool:
    """A peer's command; ``answer`` None: it prints a changelog (``release_headings``)."""
    parse = release_headings if answer is None else answer
    exe = found[venv]
    if exe is None:
        return Tool(key, name, (), parse, "not installed (run --install-peers)")
    return Tool(key, name, (str(exe), *args), parse)


# ---------------------------------------------------------------------------------------------
# Measuring one size


@dataclass(frozen=True, slots=True)
class Settings:
    """How hard to measure."""

    reps: int
    slow: float  # a warm-up slower than this is the only run
    timeout: float  # kill a run after this


def warm_up(
    tool: Tool, repo: Path, env: dict[str, str], settings: Settings, scratch: Path
) -> Result:
    """The first run: checks the tool works, records its answer, decides if it is capped."""
    result = Result(tool.name, 0)
    if tool.missing is not None:
        result.note = tool.missing
        return result
    out = scratch / "stdout"
    run = run_once(tool.argv, repo, env, settings.timeout, out, rss=True)
    result.max_rss_kib = run.max_rss_kib
    if run.timed_out:
        result.note = f"timeout (> {settings.timeout:.0f} s, killed)"
        return result
    if run.problem is not None:
        result.note = f"failed: {run.problem}"
        return result
    if tool.answer is not None:
        try:
            result.answer = tool.answer(out.read_text("utf-8", "replace"))
        except (ValueError, KeyError, TypeError) as exc:
            result.note = f"failed: unreadable output ({type(exc).__name__})"
            return result
    if run.seconds > settings.slow:
        result.times.append(run.seconds)
        result.capped = True
        result.note = f"1 run (> {settings.slow:.0f} s)"
    return result


def measure_size(
    size: int, tools: list[Tool], settings: Settings, seed: int, log: Callable[[str], None]
) -> list[Result]:
    """The plan benchmark on ``size`` commits since the tag; answers checked against the bot's."""
    repo = make_repo(RepoSpec(size, seed), CACHE / f"repo-{size}-s{seed}")
    results = measure_repo(repo, size, tools, settings, log)
    reference = next((r.answer for r in results if r.tool.startswith("bot ")), None)
    for r in results:
        if not r.tool.startswith("bot "):
            r.expected = reference
    return results


def changelog_repo(size: int, every: int, seed: int) -> Path:
    """``size`` commits with a release tag every ``every`` (then ``v1.0.0`` on top, at HEAD)."""
    spec = RepoSpec(0, seed, history=size, tag_every=every)
    return make_repo(spec, CACHE / f"repo-tags-{size}-every{every}-s{seed}")


def measure_changelog(
    size: int,
    every: int,
    tools: list[Tool],
    *,
    settings: Settings,
    seed: int,
    log: Callable[[str], None],
) -> list[Result]:
    """The changelog benchmark: each output must have one release heading per release tag."""
    repo = changelog_repo(size, every, seed)
    tags = subprocess.run(
        ["git", "-C", str(repo), "tag", "--list", "v*"], capture_output=True, text=True, check=True
    ).stdout.split()
    results = measure_repo(repo, size, tools, settings, log)
    for r in results:
        r.expected, r.expected_from = f"{len(tags):,}", "tags"
    return results


def measure_repo(
    repo: Path, size: int, tools: list[Tool], settings: Settings, log: Callable[[str], None]
) -> list[Result]:
    """Every tool in ``repo`` (or its own ``cwd``): warm-up, then interleaved repetitions."""
    repos = list(dict.fromkeys([repo, *(t.cwd for t in tools if t.cwd is not None)]))
    before = [_git_state(r) for r in repos]
    with tempfile.TemporaryDirectory(prefix="versionbot-bench-") as tmp:
        scratch = Path(tmp)
        (scratch / "home").mkdir()
        env = sealed_env(scratch / "home")
        results = []
        for tool in tools:
            result = warm_up(tool, tool.cwd or repo, env, settings, scratch)
            result.size = size
            log(f"  {size:>7} {tool.name:<30} warm-up {result.note or 'ok'}")
            results.append(result)
        active = [(t, r) for t, r in zip(tools, results, strict=True) if _repeatable(r)]
        for rep in range(settings.reps):
            shift = rep % len(active) if active else 0
            for tool, result in active[shift:] + active[:shift]:  # rotate: no fixed order bias
                run = run_once(tool.argv, tool.cwd or repo, env, settings.timeout, None)
                if run.problem is not None:
                    result.failures.append(run.problem)
                    continue
                result.times.append(run.seconds)
                result.cpu.append(run.cpu)
                if GNU_TIME is None:
                    result.max_rss_kib = max(result.max_rss_kib, run.max_rss_kib)
    for where, state in zip(repos, before, strict=True):
        if _git_state(where) != state:
            raise SystemExit(f"a tool changed {where}: the numbers are not comparable")
    return results


def _repeatable(result: Result) -> bool:
    return not result.note and not result.capped


def _git_state(repo: Path) -> str:
    refs = subprocess.run(
        ["git", "-C", str(repo), "for-each-ref", "--format=%(refname) %(objectname)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return refs + status


# ---------------------------------------------------------------------------------------------
# Monorepo


def monorepo_answer(names: Sequence[str]) -> Callable[[str], str | None]:
    """The answer of ``bot plan --json`` on a monorepo: ``50 packages: 2.0.0 x 48, 1.1.0 x 2``.

    The document must be ``{"schema": 1, "packages": [{"name", "path", "plan"}, ...]}`` with each
    ``plan`` a single-package plan document (``next.version``); anything else is unreadable
    (``ValueError``). The count before the colon is what is checked against the configuration;
    a package listed that is not configured, or listed twice, is said after the count.
    """
    configured = set(names)

    def answer(stdout: str) -> str | None:
        document = json.loads(stdout)
        packages = document["packages"]
        if document.get("schema") != 1 or not isinstance(packages, list):
            raise ValueError("not a monorepo plan document (schema 1 with a packages list)")
        listed: list[str] = []
        versions: Counter[str] = Counter()
        for entry in packages:
            if not isinstance(entry["name"], str) or not isinstance(entry["path"], str):
                raise ValueError("a package entry without a name or a path")
            listed.append(entry["name"])
            release = entry["plan"]["next"]
            versions["none" if release is None else str(release["version"])] += 1
        strays = sorted(set(listed) - configured)
        twice = len(listed) - len(set(listed))
        count = f"{len(listed)} package{'' if len(listed) == 1 else 's'}"
        if strays:
            count += f" (not configured: {', '.join(strays[:3])})"
        if twice:
            count += f" ({twice} listed twice)"
        summary = ", ".join(f"{version} x {n}" for version, n in versions.most_common())
        return f"{count}: {summary}" if summary else count

    return answer


def monorepo_count(answer: str | None) -> str | None:
    """The part of a monorepo answer that is checked: ``50 packages``."""
    return None if answer is None else answer.split(":", 1)[0]


def make_monorepo_tools(
    bot: Path, single: Path, packages: int, only: set[str] | None
) -> list[Tool]:
    """The ``--name-only`` floor and the bot's query, the bot on the single-package repository
    and on the monorepo (all of it, and one package)."""
    names = package_names(packages)
    window = f"{monorepo_base_tag(packages)}..HEAD"
    plan = (str(bot), "plan", "--json")
    # The bot's paths query for a monorepo (``_Repo.log_with_paths``; a second git prints the
    # messages beside it, as in the single-package query).
    query = ("git", "log", "-z", "--topo-order", "--name-only", "--no-renames")
    tools = [
        Tool(
            "floor",
            "floor: git log --name-only",
            ("git", "log", "--format=%B", "--name-only", window),
            None,
        ),
        Tool(
            "git-z",
            "git log --name-only -z (bot's paths query)",
            (*query, "--format=%x00%H", window),
            None,
        ),
        Tool("bot", "bot plan --json (one package)", plan, bot_version, cwd=single),
        Tool("bot", f"bot plan --json ({packages} packages)", plan, monorepo_answer(names)),
        Tool(
            "bot-package",
            f"bot plan --json --package {names[0]}",
            (*plan, "--package", names[0]),
            monorepo_answer(names),
        ),
    ]
    return [t for t in tools if only is None or t.key in only]


def measure_monorepo(
    size: int,
    packages: int,
    tools: list[Tool],
    *,
    settings: Settings,
    seed: int,
    log: Callable[[str], None],
) -> list[Result]:
    """The monorepo benchmark on ``size`` commits: each bot row must list the right packages.

    A monorepo plan that lists another number of packages than asked for (all of them, or the
    one ``--package`` names) is a failure of the run, like a crash.
    """
    mono = make_repo(
        RepoSpec(size, seed, packages=packages), CACHE / f"mono-{packages}-{size}-s{seed}"
    )
    results = measure_repo(mono, size, tools, settings, log)
    for tool, result in zip(tools, results, strict=True):
        if tool.answer is bot_version or tool.answer is None:
            continue
        wanted = 1 if tool.key == "bot-package" else packages
        result.expected = f"{wanted} package{'' if wanted == 1 else 's'}"
        result.expected_from = "configured"
        if result.answer is not None and monorepo_count(result.answer) != result.expected:
            result.failures.append(f"lists {result.answer}, not {result.expected}")
    return results


def monorepo_repo(size: int, seed: int) -> Path:
    """The single-package repository a monorepo of ``size`` commits is compared with."""
    return CACHE / f"repo-{size}-s{seed}"


def monorepo_table(results: list[Result]) -> str:
    """Medians, against the ``--name-only`` floor and against the single-package plan."""
    floors = {r.size: r.median for r in results if r.tool.startswith("floor")}
    singles = {r.size: r.median for r in results if r.tool.endswith("(one package)")}
    rows = [
        "| command | commits | median s | x floor | x one package | peak RSS MB | runs | answer |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in sorted(results, key=lambda r: r.size):
        floor, single, median = floors.get(r.size), singles.get(r.size), r.median
        ratio = f"{median / floor:.2f}" if median is not None and floor else "-"
        versus = "-"
        if r.tool.startswith("bot ") and median is not None and single:
            versus = f"{median / single:.2f}"
        rss = f"{r.max_rss_kib / 1024:.0f}" if r.max_rss_kib else "-"
        answer = r.answer or "-"
        if r.expected is not None and r.answer is not None:
            ok = monorepo_count(r.answer) == r.expected
            answer = f"{'yes' if ok else '**NO**'} ({r.answer})"
        rows.append(
            f"| {r.tool} | {r.size:,} | {_seconds(median)} | {ratio} | {versus} | {rss} "
            f"| {runs_cell(r)} | {answer} |"
        )
    return "\n".join(rows)


def monorepo_target(results: list[Result], packages: int) -> str:
    """The monorepo target: ``packages`` packages at 100k commits in well under 2 x the time of
    a single-package repository's plan, read as at most ``TARGET_MONOREPO_RATIO``."""
    at = [r for r in results if r.size == 100_000]
    single = next((r for r in at if r.tool.endswith("(one package)")), None)
    mono = next((r for r in at if r.tool.endswith(f"({packages} packages)")), None)
    what = (
        f"- {packages} packages x 100k commits planned in well under 2 x the single-package time"
        f" (≤ {TARGET_MONOREPO_RATIO} x)"
    )
    if single is None or mono is None or not single.median or mono.median is None:
        return f"{what}: not measured."
    ratio = mono.median / single.median
    # Where the time goes: git listing the paths (the floor), and one package of the same
    # repository (what the 49 other packages add).
    floor = next((r for r in at if r.tool.startswith("floor")), None)
    one = next((r for r in at if "--package" in r.tool), None)
    context = []
    if floor is not None and floor.median:
        context.append(f"the --name-only floor alone is {floor.median / single.median:.2f} x")
    if one is not None and one.median:
        context.append(f"{packages} packages cost {mono.median / one.median:.2f} x one of them")
    return (
        f"{what}: {ratio:.2f} x ({_seconds(mono.median)} s against {_seconds(single.median)} s, "
        f"peak RSS {mono.max_rss_kib / 1024:.0f} MB against {single.max_rss_kib / 1024:.0f} MB"
        f"{''.join(f'; {c}' for c in context)}): {_verdict(ratio <= TARGET_MONOREPO_RATIO)}."
    )


# ---------------------------------------------------------------------------------------------
# Startup


def measure_startup(bot: Path, reps: int, seed: int) -> list[Result]:
    """``bot --version`` and ``bot plan`` on a 10-commit repository, with Python's own start."""
    repo = make_repo(RepoSpec(10, seed), CACHE / f"repo-10-s{seed}")
    python = bot.parent / "python"
    commands: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("python -c pass (interpreter floor)", (str(python), "-c", "pass")),
        ("git log (10 commits)", ("git", "log", "--format=%B", f"{BASE_TAG}..HEAD")),
        ("bot --version", (str(bot), "--version")),
        ("bot plan", (str(bot), "plan")),
        ("bot plan --json", (str(bot), "plan", "--json")),
    )
    results = [Result(name, 10) for name, _ in commands]
    with tempfile.TemporaryDirectory(prefix="versionbot-bench-") as tmp:
        env = sealed_env(Path(tmp))
        for result, (_, argv) in zip(results, commands, strict=True):
            # Warm the page cache and the bytecode caches; read the peak RSS.
            result.max_rss_kib = run_once(argv, repo, env, 60, rss=True).max_rss_kib
        for _ in range(reps):
            for result, (_, argv) in zip(results, commands, strict=True):
                run = run_once(argv, repo, env, 60)
                if run.problem is not None:
                    result.failures.append(run.problem)
                    continue
                result.times.append(run.seconds)
    return results


# ---------------------------------------------------------------------------------------------
# Two revisions side by side


def install_base(revision: str, log: Callable[[str], None]) -> Path:
    """The ``bot`` of ``revision``: its tree (``git archive``, so no worktree is registered)
    installed editable, as the .venv's is, into ``bench/.venvs/base``; kept while the revision
    is the same."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(f"--compare {revision}: not a commit of this repository")
    sha = found.stdout.strip()
    bot, stamp, tree = BASE / "bin" / "bot", BASE / "revision", BASE / "src"
    if bot.is_file() and stamp.is_file() and stamp.read_text() == sha:
        return bot
    log(f"installing the bot at {sha[:7]} into {BASE.relative_to(ROOT)}")
    shutil.rmtree(BASE, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(BASE)], check=True)
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", sha], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    pip = [str(BASE / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", str(tree)]
    subprocess.run(pip, check=True)
    stamp.write_text(sha)
    return bot


def output_digest(stdout: str) -> str:
    """What a compared command printed, as a digest: the two revisions must print the same."""
    return hashlib.sha256(stdout.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def measure_compare(
    base: Path,
    bot: Path,
    *,
    size: int,
    packages: int,
    settings: Settings,
    startup_reps: int,
    log: Callable[[str], None],
    seed: int,
) -> list[Result]:
    """``bot plan --json`` on ``size`` commits (one package, then ``packages`` of them) and
    ``bot --version``, each by ``base`` then by ``bot``: the results come in those pairs.

    The four plan runs of a repetition go in a rotating order, as the tools of a size do; so
    do the two start-ups. Each answer is a digest of the command's output.
    """
    single = make_repo(RepoSpec(size, seed), CACHE / f"repo-{size}-s{seed}")
    mono = make_repo(
        RepoSpec(size, seed, packages=packages), CACHE / f"mono-{packages}-{size}-s{seed}"
    )
    tiny = make_repo(RepoSpec(10, seed), CACHE / f"repo-10-s{seed}")

    def pair(name: str, args: tuple[str, ...], repo: Path) -> list[Tool]:
        return [
            Tool("base", name, (str(exe), *args), output_digest, cwd=repo) for exe in (base, bot)
        ]

    plans = [
        *pair("bot plan --json (one package)", ("plan", "--json"), single),
        *pair(f"bot plan --json ({packages} packages)", ("plan", "--json"), mono),
    ]
    results = measure_repo(single, size, plans, settings, log)
    startup = Settings(startup_reps, settings.slow, settings.timeout)
    versions = pair("bot --version", ("--version",), tiny)
    return results + measure_repo(tiny, 10, versions, startup, log)


def compare_table(results: list[Result]) -> str:
    """Base against this bot, per command: wall medians and their ratio (the gate), the median
    of the ratios of the runs made in the same rep, the ratio of the CPU medians (steadier when
    other work shares the machine), and whether both printed the same bytes."""
    rows = [
        "| command | commits | base median s | this median s | this / base | paired ratio "
        "| CPU this / base | runs | gate | same output? |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for old, new in zip(results[::2], results[1::2], strict=True):
        limit = COMPARE_STARTUP_RATIO if new.tool == "bot --version" else COMPARE_PLAN_RATIO
        ratio = _ratio(new.median, old.median)
        paired = cpu = None
        if old.times and len(old.times) == len(new.times):
            paired = statistics.median(b / a for a, b in zip(old.times, new.times, strict=True))
            cpu = _ratio(statistics.median(new.cpu), statistics.median(old.cpu))
        gate = f"≤ {limit:.2f}: " + ("-" if ratio is None else _verdict(ratio <= limit))
        same = "-" if old.answer is None else "yes" if old.answer == new.answer else "**NO**"
        figures = " | ".join("-" if x is None else f"{x:.3f}" for x in (ratio, paired, cpu))
        rows.append(
            f"| {new.tool} | {new.size:,} | {_seconds(old.median)} | {_seconds(new.median)} "
            f"| {figures} | {runs_cell(old)} / {runs_cell(new)} | {gate} | {same} |"
        )
    return "\n".join(rows)


def _ratio(new: float | None, old: float | None) -> float | None:
    return new / old if new is not None and old else None


def compare_report(results: list[Result], *, base: str, info: dict[str, str]) -> str:
    """The printed section of ``--compare``."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"### This bot against {base}, side by side",
            "",
            f"Measured {when}. Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + ".",
            "",
            compare_table(results),
        ]
    )


# ---------------------------------------------------------------------------------------------
# Reporting


def answer_cell(result: Result) -> str:
    """``yes (2.0.0)``, ``**NO**: 1.3.0 (bot: 2.0.0)``, or ``-`` when the tool gives no answer."""
    if result.answer is None:
        return "-"
    if result.expected is None:
        return f"{result.answer} (reference)"
    if result.answer == result.expected:
        return f"yes ({result.answer})"
    return f"**NO**: {result.answer} ({result.expected_from}: {result.expected})"


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def runs_cell(result: Result) -> str:
    """How many runs the median is made of, and what went wrong with the others."""
    if result.note:
        return result.note
    cell = str(len(result.times))
    if result.failures:
        cell += f" ({len(result.failures)} failed: {result.failures[0]})"
    return cell.replace("|", "\\|")


def results_table(results: list[Result], answer_header: str = "answer OK?") -> str:
    """A Markdown table: tool, size, median, ratio to the floor, RSS, runs, answer."""
    floors = {r.size: r.median for r in results if r.tool.startswith("floor")}
    rows = [
        f"| tool | commits | median s | x floor | peak RSS MB | runs | {answer_header} |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in sorted(results, key=lambda r: r.size):
        floor, median = floors.get(r.size), r.median
        ratio = f"{median / floor:.2f}" if median is not None and floor else "-"
        rss = f"{r.max_rss_kib / 1024:.0f}" if r.max_rss_kib else "-"
        runs = runs_cell(r)
        rows.append(
            f"| {r.tool} | {r.size:,} | {_seconds(median)} | {ratio} | {rss} | {runs} "
            f"| {answer_cell(r)} |"
        )
    return "\n".join(rows)


def startup_table(results: list[Result]) -> str:
    """Startup medians and the targets they are held to."""
    targets = {"bot --version": TARGET_VERSION, "bot plan": TARGET_PLAN_SMALL}
    targets["bot plan --json"] = TARGET_PLAN_SMALL
    rows = ["| command | median s | min s | peak RSS MB | target |", "|---|---:|---:|---:|---|"]
    for r in results:
        target = targets.get(r.tool)
        verdict = "-"
        if target is not None and r.median is not None:
            verdict = f"< {target} s: {'met' if r.median < target else '**missed**'}"
        if r.failures:
            verdict += f"; {len(r.failures)} failed: {r.failures[0]}"
        low = min(r.times) if r.times else None
        rows.append(
            f"| {r.tool} | {_seconds(r.median)} | {_seconds(low)} | "
            f"{r.max_rss_kib / 1024:.0f} | {verdict} |"
        )
    return "\n".join(rows)


def answer_lines(results: list[Result], agreed: str) -> list[str]:
    """Every wrong answer, one line each; ``agreed`` when there is none."""
    wrong = [r for r in results if r.answer is not None and r.expected not in (None, r.answer)]
    lines = [
        f"- {r.tool} at {r.size:,} commits answers {r.answer}, {r.expected_from}: {r.expected}."
        for r in wrong
    ]
    return lines or [f"- {agreed}"]


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _bot(results: list[Result], size: int) -> Result | None:
    return next((r for r in results if r.tool.startswith("bot ") and r.size == size), None)


def _linear(results: list[Result], what: str) -> str:
    """Per-commit time and RSS at 100k against 10k (a fixed start-up cost makes it < 1)."""
    small, large = _bot(results, 10_000), _bot(results, 100_000)
    if small is None or large is None or not small.median or not large.median:
        return f"- Linear growth of {what} (10k to 100k): not measured."
    time_ratio = large.median / (10 * small.median)
    rss_ratio = large.max_rss_kib / (10 * small.max_rss_kib) if small.max_rss_kib else 0.0
    met = time_ratio <= TARGET_LINEAR and rss_ratio <= TARGET_LINEAR
    return (
        f"- Linear growth of {what}, per commit at 100k against 10k (target ≤ {TARGET_LINEAR}): "
        f"time {time_ratio:.2f}, peak RSS {rss_ratio:.2f} "
        f"({_seconds(small.median)} s to {_seconds(large.median)} s, "
        f"{small.max_rss_kib / 1024:.0f} MB to {large.max_rss_kib / 1024:.0f} MB): {_verdict(met)}."
    )


def target_lines(
    plan: list[Result],
    changelog: list[Result],
    startup: list[Result],
    monorepo: list[Result] | None = None,
    packages: int = MONOREPO_PACKAGES,
) -> list[str]:
    """Every target, met or missed, with the figure it was judged on."""
    lines = []
    floor = next((r.median for r in plan if r.tool.startswith("floor") and r.size == 100_000), 0)
    bot = _bot(plan, 100_000)
    if bot is not None and bot.median and floor:
        ratio = bot.median / floor
        lines.append(
            f"- `bot plan --json` at 100,000 commits ≤ {TARGET_RATIO_100K} x the floor: "
            f"{ratio:.2f} x ({_seconds(bot.median)} s against {_seconds(floor)} s): "
            f"{_verdict(ratio <= TARGET_RATIO_100K)}."
        )
    else:
        lines.append("- `bot plan --json` at 100,000 commits: not measured.")
    small = _bot(plan, REAL_WINDOW)
    if small is not None and small.median is not None:
        lines.append(
            f"- `bot plan --json` on a real window ({REAL_WINDOW} commits since the tag) "
            f"< {TARGET_PLAN_SMALL} s: {_seconds(small.median)} s: "
            f"{_verdict(small.median < TARGET_PLAN_SMALL)}."
        )
    else:
        lines.append(f"- `bot plan --json` on {REAL_WINDOW} commits since the tag: not measured.")
    version = next((r for r in startup if r.tool == "bot --version"), None)
    if version is not None and version.median is not None:
        lines.append(
            f"- `bot --version` < {TARGET_VERSION} s: {_seconds(version.median)} s: "
            f"{_verdict(version.median < TARGET_VERSION)}."
        )
    full = _bot(changelog, 100_000)
    if full is not None and full.median is not None:
        mb = full.max_rss_kib / 1024
        met = full.median < TARGET_CHANGELOG_SECONDS and mb < TARGET_CHANGELOG_MB
        lines.append(
            "- `bot changelog --full --stdout` at 100,000 commits "
            f"< {TARGET_CHANGELOG_SECONDS:.0f} s and < {TARGET_CHANGELOG_MB} MB: "
            f"{_seconds(full.median)} s, {mb:.0f} MB "
            f"(time {_verdict(full.median < TARGET_CHANGELOG_SECONDS)}, "
            f"memory {_verdict(mb < TARGET_CHANGELOG_MB)}): {_verdict(met)}."
        )
    else:
        lines.append("- `bot changelog --full --stdout` at 100,000 commits: not measured.")
    lines.append(_linear(plan, "`bot plan --json`"))
    lines.append(_linear(changelog, "`bot changelog --full`"))
    lines.append(monorepo_target(monorepo or [], packages))
    return lines


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    info = {
        "cpu": f"{os.cpu_count()} x {model}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "git": git.stdout.strip().removeprefix("git version "),
        "versionbot": _source_revision(),
    }
    for venv, requirement, exe in PEERS:
        path = find_executable(venv, exe)
        info[requirement.split("==")[0]] = _tool_version(path) if path else "not installed"
    return info


def _source_revision() -> str:
    """The commit of the measured source, and whether ``src/`` has uncommitted changes."""

    def git(*args: str) -> str:
        argv = ["git", "-C", str(ROOT), *args]
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes in src/" if git("status", "--porcelain", "src") else "")


def _tool_version(path: Path) -> str:
    args = ["version"] if path.name == "cz" else ["--version"]
    out = subprocess.run([str(path), *args], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\d+\.\d+\.\d+\S*", out)
    return match.group() if match else out.strip()


def load_average() -> str:
    """The 1-minute load average: other work on the machine shows up in the numbers."""
    return f"{os.getloadavg()[0]:.2f}"


def report(
    plan: list[Result],
    changelog: list[Result],
    startup: list[Result],
    *,
    info: dict[str, str],
    command: str,
    tag_every: int,
    monorepo: list[Result] | None = None,
    packages: int = MONOREPO_PACKAGES,
) -> str:
    """The Markdown section placed between the markers of docs/benchmarks.md."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        f"Measured {when}. Reproduce with `{command}`.",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()) + ".",
    ]
    if plan:
        parts += ["", "### Planning the next release", "", results_table(plan), ""]
        parts += answer_lines(plan, "Every peer that answered agrees with the bot's next version.")
    if changelog:
        parts += [
            "",
            f"### Full changelog (a release tag every {tag_every} commits)",
            "",
            results_table(changelog, "one heading per release tag?"),
            "",
            *answer_lines(changelog, "Every changelog has one release heading per release tag."),
        ]
    if monorepo:
        parts += [
            "",
            f"### Monorepo ({packages} packages; the floor is `git log --name-only` of its window)",
            "",
            monorepo_table(monorepo),
        ]
    if startup:
        parts += ["", "### Startup (10-commit repository)", "", startup_table(startup)]
    targets = target_lines(plan, changelog, startup, monorepo, packages)
    if monorepo and not (plan or changelog or startup):  # --only-monorepo
        targets = [monorepo_target(monorepo, packages)]
    parts += ["", "### Targets", "", *targets]
    return "\n".join(parts)


def write_doc(section: str, path: Path = DOC) -> None:
    """Replace what lies between the markers of ``path`` with ``section``."""
    text = path.read_text(encoding="utf-8")
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"{path} lacks the markers {BEGIN} / {END}")
    path.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}", encoding="utf-8")


def write_plot(plan: list[Result], changelog: list[Result], path: Path = PLOT) -> bool:
    """Log-log time against commits, one panel per benchmark; False without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (plan, "Next version from the commits since the last tag", f"commits since {BASE_TAG}"),
        (changelog, "Whole changelog from the tag history", "commits in the tagged history"),
    ]
    panels = [panel for panel in panels if panel[0]]
    if not panels:
        return True
    figure, all_axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 5), dpi=110)
    for axes, (results, title, xlabel) in zip(
        all_axes if len(panels) > 1 else [all_axes], panels, strict=True
    ):
        _plot_panel(axes, results, title, xlabel)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True


def _plot_panel(axes: Any, results: list[Result], title: str, xlabel: str) -> None:
    """One panel: a line per tool, the floor dashed, single-run points annotated."""
    for name in dict.fromkeys(r.tool for r in results):
        points = sorted((r.size, r.median, r.capped) for r in results if r.tool == name)
        xs = [x for x, y, _ in points if y is not None]
        ys = [y for _, y, _ in points if y is not None]
        if not xs:
            continue
        if name.startswith(("floor", "git log")):
            colour = "black" if name.startswith("floor") else "grey"
            axes.plot(xs, ys, "--", color=colour, marker=".", linewidth=1.2, label=name)
        else:
            width = 2.8 if name.startswith("bot") else 1.5
            axes.plot(xs, ys, "-", marker="o", linewidth=width, label=name)
        for x, y, capped in points:
            if capped and y is not None:
                axes.annotate("1 run", (x, y), textcoords="offset points", xytext=(4, -10))
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("median wall time (s)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")


# ---------------------------------------------------------------------------------------------
# Command line


def install_peers() -> None:
    """Create ``bench/.venvs/<peer>`` with the pinned peer versions."""
    for venv, requirement, _ in PEERS:
        target = VENVS / venv
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, requirement], check=True)
        print(f"installed {requirement} into {target}")


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", default=f"{REAL_WINDOW},1000,10000,100000", help="plan: commits since the tag"
    )
    parser.add_argument(
        "--changelog-sizes",
        default="1000,10000,100000",
        help="changelog: commits in the tagged history ('' to skip)",
    )
    parser.add_argument("--tag-every", type=int, default=100, help="changelog: a tag every K")
    parser.add_argument(
        "--monorepo-sizes",
        default="1000,10000,100000",
        help="monorepo: commits since the packages' tag ('' to skip)",
    )
    parser.add_argument(
        "--packages", type=int, default=MONOREPO_PACKAGES, help="monorepo: how many packages"
    )
    parser.add_argument(
        "--only-monorepo",
        action="store_true",
        help="the monorepo section alone (prints it; docs/benchmarks.md is not written)",
    )
    parser.add_argument("--reps", type=int, default=5, help="timed runs per tool and size")
    parser.add_argument("--startup-reps", type=int, default=20)
    parser.add_argument("--slow", type=float, default=60.0, help="run once when slower (s)")
    parser.add_argument("--timeout", type=float, default=900.0, help="kill a run after (s)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--tools",
        default=None,
        help="comma-separated keys: floor,git-z,bot,bot-package,psr,cz,cliff,cliff-unreleased",
    )
    parser.add_argument("--bot", type=Path, default=Path(sys.executable).parent / "bot")
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="this bot against the bot at REV, side by side (installed into bench/.venvs/base)",
    )
    parser.add_argument(
        "--base-bot", type=Path, help="--compare with this installed bot instead of a revision"
    )
    parser.add_argument(
        "--compare-size", type=int, default=100_000, help="--compare: commits since the tag"
    )
    parser.add_argument("--smoke", action="store_true", help="one small size, once; no files")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--install-peers", action="store_true", help="set up bench/.venvs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; 1 when a tool failed (never because of a timing)."""
    args = _parse_args(argv)
    if args.install_peers:
        install_peers()
        return 0
    args.bot = _find_bot(args.bot)
    if args.smoke:
        _smoke(args)
    if args.compare or args.base_bot:
        return compare(args)
    if args.only_monorepo:
        args.sizes, args.changelog_sizes, args.startup_reps, args.no_write = "", "", 0, True
    sizes = _sizes(args.sizes)
    changelog_sizes = _sizes(args.changelog_sizes)
    monorepo_sizes = _sizes(args.monorepo_sizes)
    only = set(args.tools.split(",")) if args.tools else None
    tools = make_tools(args.bot, only)
    changelog_tools = make_changelog_tools(args.bot, only)
    settings = Settings(args.reps, args.slow, args.timeout)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    info = machine()
    info["load average before"] = load_average()
    results: list[Result] = []
    for size in sizes:
        log(f"size {size:,}: generating (cached in {CACHE.relative_to(ROOT)}) and measuring")
        results += measure_size(size, tools, settings, args.seed, log)
    changelog: list[Result] = []
    for size in changelog_sizes:
        log(f"changelog {size:,} (a tag every {args.tag_every}): generating and measuring")
        changelog += measure_changelog(
            size, args.tag_every, changelog_tools, settings=settings, seed=args.seed, log=log
        )
    monorepo: list[Result] = []
    for size in monorepo_sizes:
        log(f"monorepo {size:,} ({args.packages} packages): generating and measuring")
        single = make_repo(RepoSpec(size, args.seed), monorepo_repo(size, args.seed))
        mono_tools = make_monorepo_tools(args.bot, single, args.packages, only)
        monorepo += measure_monorepo(
            size, args.packages, mono_tools, settings=settings, seed=args.seed, log=log
        )
    startup = measure_startup(args.bot, args.startup_reps, args.seed) if args.startup_reps else []
    command = REPRODUCE if argv is None and len(sys.argv) == 1 else _command_line(argv)
    info["after"] = load_average()
    section = report(
        results,
        changelog,
        startup,
        info=info,
        command=command,
        tag_every=args.tag_every,
        monorepo=monorepo,
        packages=args.packages,
    )
    print(section)
    if not args.no_write:
        write_doc(section)
        if not write_plot(results, changelog):
            log("matplotlib is not installed: docs/benchmarks.png not updated")
    everything = results + changelog + monorepo + startup
    failed = [r for r in everything if r.note.startswith("failed") or r.failures]
    return 1 if failed else 0


def _find_bot(given: Path) -> Path:
    """``--bot``, else the ``bot`` on PATH."""
    if given.is_file():
        return given
    found = shutil.which("bot")
    if found is None:
        raise SystemExit("cannot find the `bot` command: pass --bot PATH")
    return Path(found)


def _smoke(args: argparse.Namespace) -> None:
    """One small size of everything, once; nothing written."""
    args.sizes, args.changelog_sizes, args.reps, args.no_write = "200", "500", 1, True
    args.monorepo_sizes, args.packages, args.compare_size = "300", 5, 300
    args.startup_reps = min(args.startup_reps, 3)


def compare(args: argparse.Namespace) -> int:
    """``--compare``: print the side-by-side section; 1 when a run failed (never a timing)."""

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    base = args.base_bot.resolve() if args.base_bot else install_base(args.compare, log)
    info = {k: v for k, v in machine().items() if k in ("cpu", "os", "python", "git", "versionbot")}
    info["load average before"] = load_average()
    results = measure_compare(
        base,
        args.bot,
        size=args.compare_size,
        packages=args.packages,
        settings=Settings(args.reps, args.slow, args.timeout),
        startup_reps=args.startup_reps,
        log=log,
        seed=args.seed,
    )
    info["after"] = load_average()
    print(compare_report(results, base=args.compare or str(base), info=info))
    return 1 if any(r.note.startswith("failed") or r.failures for r in results) else 0


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s]


def _command_line(argv: Sequence[str] | None) -> str:
    words = list(sys.argv[1:] if argv is None else argv)
    return " ".join([".venv/bin/python bench/run.py", *words])


if __name__ == "__main__":
    sys.exit(main())
