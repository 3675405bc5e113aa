"""Where ``bot plan --json`` (or ``bot changelog --full``) spends its time, on a bench repository.

Owns nothing the bot uses, and calls it only through its command line, so it keeps working while
the modules inside change. It prints three views:

1. the wall time of ``bot plan --json`` next to the ``git log`` it runs (median of ``--reps``);
2. with py-spy installed: a sampling profile of the real command (low overhead, the bot's own
   process), as the functions with the most *own* samples and the versionbot functions with the
   most *inclusive* samples (a function's share of the run, callees included);
3. a cProfile listing of ``versionbot.cli.main.main`` run in this process (exact call counts; its
   overhead inflates the per-call costs of small functions).

With ``--changelog`` the command is ``bot changelog --full --stdout`` on a repository whose
``--commits`` are a tagged history (a release tag every ``--tag-every`` commits), as in the
changelog benchmark of ``bench/run.py``.

    .venv/bin/python bench/profile_plan.py --commits 100000
    .venv/bin/python bench/profile_plan.py --commits 100000 --changelog
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from make_repo import BASE_TAG, RepoSpec, make_repo

CACHE = Path(__file__).resolve().parent / ".cache"
BIN = Path(sys.executable).parent
_FRAME = re.compile(r"^(?P<name>.+?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def wall(argv: list[str], repo: Path, reps: int) -> float:
    """Median wall seconds of ``argv`` in ``repo`` (stdout discarded)."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(argv, cwd=repo, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def frame_name(frame: str) -> str:
    """``parse_commit (versionbot/commits.py:97)`` → ``versionbot/commits.py:parse_commit``."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    return f"{match['file']}:{match['name']}"


def spy(repo: Path, rate: int, command: list[str]) -> tuple[Counter[str], Counter[str], int] | None:
    """py-spy samples of ``bot COMMAND``: own and inclusive counts per function, and total."""
    py_spy = BIN / "py-spy" if (BIN / "py-spy").is_file() else shutil.which("py-spy")
    if py_spy is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        record = [str(py_spy), "record", "--format", "raw", "-o", str(raw), "-r", str(rate)]
        record += ["--", str(BIN / "bot"), *command]
        done = subprocess.run(record, cwd=repo, capture_output=True, check=False)
        if done.returncode != 0 or not raw.is_file():
            return None
        lines = raw.read_text().splitlines()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(f) for f in stack.split(";")[1:]]  # [0] is "process N"
        total += count
        if frames:
            own[frames[-1]] += count
        for name in set(frames):
            inclusive[name] += count
    return own, inclusive, total


def cprofile(repo: Path, top: int, command: list[str]) -> str:
    """cProfile of ``versionbot.cli.main.main`` in this process, sorted by own time."""
    from versionbot.cli.main import main

    profiler = cProfile.Profile()
    sink = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(sink):
        profiler.enable()
        main(["-C", str(repo), *command])
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _table(title: str, counts: Counter[str], total: int, top: int, seconds: float) -> str:
    rows = [f"| {title} | samples | share | ~seconds |", "|---|---:|---:|---:|"]
    for name, count in counts.most_common(top):
        share = count / total
        rows.append(f"| `{name}` | {count} | {100 * share:.1f} % | {share * seconds:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the three views."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--changelog", action="store_true", help="bot changelog --full --stdout")
    parser.add_argument("--tag-every", type=int, default=100, help="with --changelog")
    args = parser.parse_args(argv)
    if args.changelog:
        spec = RepoSpec(0, args.seed, history=args.commits, tag_every=args.tag_every)
        name = f"repo-tags-{args.commits}-every{args.tag_every}-s{args.seed}"
        command, since = ["changelog", "--full", "--stdout"], "HEAD"
    else:
        spec, name = RepoSpec(args.commits, args.seed), f"repo-{args.commits}-s{args.seed}"
        command, since = ["plan", "--json"], f"{BASE_TAG}..HEAD"
    repo = make_repo(spec, CACHE / name)
    git_z = ["git", "log", "-z", "--format=%H%x00%P%x00%B", since]
    bot_seconds = wall([str(BIN / "bot"), *command], repo, args.reps)
    git_seconds = wall(git_z, repo, args.reps)
    print(f"## bot {' '.join(command)} on {args.commits:,} commits\n")
    print(f"- wall: {bot_seconds:.3f} s; its `git log -z` alone: {git_seconds:.3f} s\n")
    sampled = spy(repo, args.rate, command)
    if sampled is None:
        print("(py-spy is not installed or cannot attach: no sampling profile)\n")
    else:
        own, inclusive, total = sampled
        mine = Counter({k: v for k, v in inclusive.items() if k.startswith("versionbot/")})
        print(_table("function (own time)", own, total, args.top, bot_seconds) + "\n")
        print(_table("versionbot function (inclusive)", mine, total, args.top, bot_seconds) + "\n")
    print("## cProfile (in process, sorted by own time)\n")
    print(cprofile(repo, args.top, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
