"""Replay a real project's last releases on a full clone: would versionbot have made them?

For each of the last N tags matching ``--tags`` (oldest first), the clone is put back as it was
just before that release: only the tags made before it exist, and HEAD is the commit the
release was made from (the tagged commit, or with ``--release-commits`` its parent, for tools
that commit the release: commitizen, python-semantic-release). The branch is the prerelease
channel's name for a prerelease (``beta`` for 25.0.0-beta.3), else ``--branch``. Then the
installed ``bot plan --json`` (``--package NAME`` in a monorepo) runs with ``--config``
written as versionbot.toml, or ``bot init`` (``--init``) migrating the project's own settings
at that point, and its next version is compared with the tag's.

The clone is changed (tags, checkout): use a throw-away one. Needs git and network only for
the clone, which the caller makes; the acceptance suite (tests/acceptance) runs recorded
fixtures without it.

    git clone -q https://github.com/semantic-release/semantic-release /tmp/sr
    python bench/replay_releases.py /tmp/sr --config sr.toml --branch master \\
        --tags 'v[0-9.]+-(alpha|beta)[.][0-9]+' --last 30
    python bench/replay_releases.py /tmp/cz --init --release-commits --branch master \\
        --tags 'v[0-9]+[.][0-9]+[.][0-9]+' --last 30
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, check=True
    ).stdout


def _tags(repo: Path) -> list[tuple[str, int, str]]:
    """Every tag: name, creation time, commit; oldest first."""
    listed = _git(
        repo,
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:strip=2)%00%(creatordate:unix)%00%(*objectname)%00%(objectname)",
        "refs/tags",
    )
    tags = []
    for line in listed.splitlines():
        name, created, peeled, direct = line.split("\0")
        tags.append((name, int(created or 0), peeled or direct))
    return tags


def _restore(repo: Path, tags: list[tuple[str, int, str]], before: int) -> None:
    """Only the tags made before ``before`` exist."""
    present = _git(repo, "for-each-ref", "--format=%(refname)", "refs/tags").split()
    keep = {name: sha for name, created, sha in tags if created < before}
    lines = [f"delete {ref}" for ref in present if ref.removeprefix("refs/tags/") not in keep]
    lines += [f"update refs/tags/{name} {sha}" for name, sha in keep.items()]
    _git(repo, "update-ref", "--stdin", stdin="\n".join(lines) + "\n")


def _planned(bot: str, repo: Path, package: str | None) -> str:
    command = [bot, "-C", str(repo), "plan", "--json"]
    command += ["--package", package] if package else []
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["(no message)"])[0]
    document = json.loads(result.stdout)
    if package:
        document = document["packages"][0]["plan"]
    return document["next"]["version"] if document.get("next") else "none"


def replay(args: argparse.Namespace) -> list[tuple[str, str]]:
    """``(tag, what the bot planned)`` for each replayed release."""
    repo: Path = args.repo
    bot = shutil.which("bot") or str(Path(sys.executable).parent / "bot")
    tags = _tags(repo)
    wanted = [t for t in tags if re.fullmatch(args.tags, t[0])][-args.last :]
    config = args.config.read_text(encoding="utf-8") if args.config else None
    results: list[tuple[str, str]] = []
    try:
        for name, created, sha in wanted:
            version = name[name.index(next(c for c in name if c.isdigit())) :]
            pre = version.partition("-")[2]
            branch = pre.split(".")[0] if pre else args.branch
            _restore(repo, tags, created)
            _git(
                repo,
                "checkout",
                "-q",
                "-f",
                "-B",
                branch,
                f"{sha}~1" if args.release_commits else sha,
            )
            if config is not None:
                (repo / "versionbot.toml").write_text(config, encoding="utf-8")
            else:  # the settings of that point: a package may be newer than the last init
                if not _git(repo, "ls-files", "versionbot.toml"):
                    (repo / "versionbot.toml").unlink(missing_ok=True)
                subprocess.run([bot, "-C", str(repo), "init"], capture_output=True, check=False)
            results.append((name, _planned(bot, repo, args.package)))
    finally:  # every tag back, so the clone serves the next replay
        _restore(repo, tags, max((created for _, created, _ in tags), default=0) + 1)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a full clone to change (tags, checkout)")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--config", type=Path, help="a versionbot.toml to release with")
    how.add_argument("--init", action="store_true", help="migrate with bot init at each point")
    parser.add_argument("--tags", required=True, help="a regular expression the tags match")
    parser.add_argument("--last", type=int, default=30, help="how many releases (default 30)")
    parser.add_argument("--branch", default="main", help="the branch of final releases")
    parser.add_argument("--package", help="a monorepo's package to plan (bot plan --package)")
    parser.add_argument(
        "--release-commits",
        action="store_true",
        help="the tool commits the release: plan at its parent",
    )
    args = parser.parse_args()
    results = replay(args)
    agreed = 0
    for name, planned in results:
        same = planned == name[name.index(next(c for c in name if c.isdigit())) :]
        agreed += same
        print(f"{'ok  ' if same else 'DIFF'} {name} -> {planned}")
    print(f"{agreed}/{len(results)} agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
