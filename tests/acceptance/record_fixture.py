"""Record an acceptance fixture from a local mirror of a public repository (run by hand, not by CI).

    python tests/acceptance/record_fixture.py NAME MIRROR_GIT_DIR [--out tests/acceptance/fixtures]

``NAME`` is a key of ``SOURCES`` below: the base tag, the releases to check and where the project's
own changelog is. The fixture holds the commits ``base..last release`` (plus the base commit, whose
parents are dropped), every full-version tag on those commits with the time it was made, and the
project's changelog entries of each checked release, read from the changelog file at the last
release. Messages are the raw bytes after the commit header (``git cat-file commit``), so they are
byte for byte what the project wrote; authors and committers are not recorded, only their times.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from changelog_entries import parse_changelog  # noqa: E402


@dataclass(frozen=True, slots=True)
class Source:
    """Where one fixture comes from."""

    repo: str
    base: str  # the tag before the first checked release
    releases: tuple[str, ...]  # tags of the checked releases
    changelog: str | None  # path of the project's changelog in the tree of the last release
    tag_pattern: str = r"v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?"
    files: bool = False  # record the files each commit changes (a monorepo's path filter)
    peer_config: str | None = None  # the release tool's config file, for `bot init` to migrate
    main_branch: str = "main"  # the branch the finals were released from


SOURCES = {
    "wallos": Source(
        "ellite/Wallos",
        "v5.2.0",
        ("v5.3.0", "v5.4.0", "v5.4.1", "v5.4.2", "v5.4.3", "v5.4.4"),
        "CHANGELOG.md",
    ),
    "semantic-release": Source(
        "semantic-release/semantic-release",
        "v24.2.9",
        (
            "v25.0.0-beta.7",
            "v25.0.0-beta.8",
            "v25.0.0-beta.9",
            "v25.0.0-beta.10",
            "v25.0.0-alpha.7",
            "v25.0.0-beta.11",
            "v25.0.0",
            "v25.0.1-alpha.1",
            "v25.0.1-alpha.2",
            "v25.0.1-alpha.3",
            "v25.0.1-alpha.4",
            "v25.0.1-beta.1",
            "v25.0.1-beta.2",
            "v25.0.1-beta.3",
            "v25.0.1",
        ),
        None,  # its notes are GitHub releases only: no changelog file in the repository
        main_branch="master",
    ),
    "python-semantic-release": Source(
        "python-semantic-release/python-semantic-release",
        "v10.5.0",
        ("v10.5.1", "v10.5.2", "v10.5.3", "v10.6.0", "v10.6.1"),
        "CHANGELOG.rst",
        peer_config="pyproject.toml",
    ),
    "commitizen": Source(
        "commitizen-tools/commitizen",
        "v4.12.1",
        # 4.13.0-4.13.3 were tagged on commits that a rewrite of the branch replaced: their tags are
        # not on the branch that 4.13.4 was released from.
        tuple(f"v4.13.{n}" for n in range(10)),
        "CHANGELOG.md",
        peer_config="pyproject.toml",
    ),
}


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, check=True
    ).stdout


def _text(git_dir: Path, *args: str) -> str:
    return _git(git_dir, *args).decode()


def _commit(git_dir: Path, sha: str, keep: set[str], files: bool) -> dict[str, Any]:
    raw = _git(git_dir, "cat-file", "commit", sha)
    header, _, message = raw.partition(b"\n\n")
    parents = [
        line.split()[1].decode() for line in header.splitlines() if line.startswith(b"parent ")
    ]
    times = {}
    for line in header.splitlines():
        for who in (b"author ", b"committer "):
            if line.startswith(who):
                stamp, zone = line.rsplit(b" ", 2)[1:]
                times[who.strip().decode()] = f"{stamp.decode()} {zone.decode()}"
    entry: dict[str, Any] = {
        "sha": sha,
        "parents": [p for p in parents if p in keep],
        "author_time": times["author"],
        "commit_time": times["committer"],
        "message": message.decode("utf-8"),
    }
    if files:
        first = parents[0] if parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        names = _text(git_dir, "diff", "--name-only", "--no-renames", first, sha)
        entry["files"] = names.splitlines()
    return entry


def _shared_changes(git_dir: Path, shas: list[str]) -> dict[str, str]:
    """A token for each commit whose change (``git patch-id --stable``) another recorded commit
    makes too: a release commit pushed twice, a rewritten history. The builder gives those
    commits one identical change of their own, so the copies stay copies."""
    log = subprocess.run(
        [
            "git",
            f"--git-dir={git_dir}",
            "log",
            "--no-walk=unsorted",
            "-p",
            "--format=commit %H",
            *shas,
        ],
        capture_output=True,
        check=True,
    ).stdout
    ids = subprocess.run(
        ["git", f"--git-dir={git_dir}", "patch-id", "--stable"],
        input=log,
        capture_output=True,
        check=True,
    ).stdout.decode()
    by_patch: dict[str, list[str]] = {}
    for line in ids.splitlines():
        patch, sha = line.split()
        by_patch.setdefault(patch, []).append(sha)
    return {sha: patch[:16] for patch, group in by_patch.items() if len(group) > 1 for sha in group}


def record(name: str, git_dir: Path) -> dict[str, Any]:
    """The fixture of SOURCES[name], read from the mirror at git_dir."""
    source = SOURCES[name]
    last = source.releases[-1]
    # Every release's window: a release whose tag is not on the last one's branch (a rewritten
    # history) brings its own commits.
    tips = [f"refs/tags/{tag}^{{commit}}" for tag in source.releases]
    shas = _text(
        git_dir, "rev-list", "--topo-order", "--reverse", *tips, f"^refs/tags/{source.base}"
    ).split()
    base = _text(git_dir, "rev-parse", f"refs/tags/{source.base}^{{commit}}").strip()
    order = [base, *shas]
    keep = set(order)
    commits = [_commit(git_dir, sha, keep, source.files) for sha in order]
    commits[0]["parents"] = []
    shared = _shared_changes(git_dir, order)
    for commit in commits:
        if commit["sha"] in shared:
            commit["change"] = shared[commit["sha"]]
    tags = []
    listing = _text(
        git_dir,
        "for-each-ref",
        "--format=%(refname:strip=2) %(*objectname) %(objectname) %(creatordate:unix)",
        "refs/tags",
    )
    for line in listing.splitlines():
        tag, peeled, target, when = line.split(" ")
        sha = peeled or target
        if sha in keep and re.fullmatch(source.tag_pattern, tag):
            tags.append({"name": tag, "sha": sha, "time": int(when)})
    tags.sort(key=lambda t: (t["time"], t["name"]))
    entries = {}
    if source.changelog:
        text = _text(git_dir, "show", f"refs/tags/{last}:{source.changelog}")
        entries = parse_changelog(text, source.changelog)
    releases = []
    for tag in source.releases:
        version = tag.removeprefix("v")
        prerelease = version.partition("-")[2].split(".")[0] or None
        releases.append(
            {
                "tag": tag,
                "version": version,
                "branch": prerelease or source.main_branch,
                "changelog": entries.get(version) if source.changelog else None,
            }
        )
    peer = None
    if source.peer_config:
        first = source.releases[0]
        peer = {
            "path": source.peer_config,
            "at": first,
            "text": _text(git_dir, "show", f"refs/tags/{first}:{source.peer_config}"),
        }
    head_date = _text(git_dir, "log", "-1", "--format=%cI", f"refs/tags/{last}").strip()
    return {
        "project": source.repo,
        "source": {
            "repository": f"https://github.com/{source.repo}",
            "range": f"{source.base}..{last}",
            "releases": list(source.releases),
            "changelog_file": source.changelog,
            "last_release_date": head_date,
        },
        "peer_config": peer,
        "commits": commits,
        "tags": tags,
        "releases": releases,
    }


def main() -> None:
    """Write tests/acceptance/fixtures/NAME.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", choices=sorted(SOURCES))
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "fixtures")
    args = parser.parse_args()
    fixture = record(args.name, args.git_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.name}.json"
    path.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{path}: {len(fixture['commits'])} commits, {len(fixture['tags'])} tags")


if __name__ == "__main__":
    main()
