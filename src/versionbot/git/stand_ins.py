"""Git edge: release tags on commits the branch does not hold, and the copies that stand in.

When history is rewritten after a release (a rebase, a force push, a release commit pushed
twice), the release tag stays on the old commit and the branch holds a copy of it: commitizen's
own 4.13.0-4.13.3 are tagged on commits its main branch lost, and main holds commits with the
same message and the same change. Without help, the last release on the branch is the one
before, and the next plan asks for a version whose tag exists (exit 4).

A final release tag above every release the branch holds (of its package's tag format) whose
commit is off the branch is looked for on the branch: a commit after the branch's releases with the
same subject and the same change (``git patch-id --stable``, which ignores line numbers and
whitespace) stands in for it, so the release is counted where the branch has it. The oldest
copy wins (the release happened there). A commit that changes nothing has no patch id and
stands in for nothing. Costs nothing unless such tags exist: then three gits, whatever their
number.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence

from versionbot.core.config import Config
from versionbot.core.history import Tag, release_tags
from versionbot.core.packages import packages_of
from versionbot.git.runner import READ_OPTIONS, git_env, run_git, start_git

_MOST = 100  # off-branch release tags looked for at most (the newest): a bound on the search


def with_stand_ins(root: str, tags: tuple[Tag, ...], config: Config) -> tuple[Tag, ...]:
    """``tags`` (``reachable`` exact), each off-branch release tag above its package's releases
    on the branch replaced by its copy on the branch when there is one (``stands_in_for``
    keeps the tagged commit)."""
    # Per package: the tags looked for, and the branch's releases of that package, after which
    # a copy comes (another package's later release bounds nothing: one search each).
    searches: list[tuple[list[Tag], set[str]]] = []
    for package in packages_of(config):
        releases, _ = release_tags(tags, package.config.tag_format)
        held = [r for r in releases if r.tag.reachable]
        top = max((r.version.precedence for r in held), default=None)
        # Prereleases are left out: an open channel's tags are above main's releases and off
        # main by design, and looking for copies on every run of main would cost two walks.
        above = [
            r
            for r in releases
            if not r.tag.reachable
            and not r.version.is_prerelease
            and (top is None or r.version.precedence > top)
        ]
        if above:
            newest = sorted(above, key=lambda r: r.version.precedence)[-_MOST:]
            searches.append(([r.tag for r in newest], {r.tag.sha for r in held}))
    if not searches:
        return tags
    subjects = _subjects(root, {tag.sha for wanted, _ in searches for tag in wanted})
    found: dict[str, tuple[Tag, dict[str, str]]] = {}  # tag name -> the tag, its copies
    for wanted, exclude in searches:
        said = {subjects[tag.sha] for tag in wanted if tag.sha in subjects}
        candidates = _commits_with_subjects(root, said, exclude)
        found.update((tag.name, (tag, candidates)) for tag in wanted)
    every = {sha for _, candidates in found.values() for sha in candidates}
    if not every:
        return tags
    ids = _patch_ids(root, [*{tag.sha for tag, _ in found.values()}, *every])
    copy_of = {
        name: _oldest_copy(tag.sha, candidates, subjects, ids)
        for name, (tag, candidates) in found.items()
    }
    return tuple(
        tag._replace(sha=copy, reachable=True, stands_in_for=tag.sha)
        if (copy := copy_of.get(tag.name)) is not None
        else tag
        for tag in tags
    )


def copies(root: str, pairs: Sequence[tuple[str, str]]) -> set[str]:
    """Of ``(commit, tagged commit)`` pairs, the commits with their tagged commit's subject and
    change: copies of a release commit (``bot check`` believes them as the tagged one)."""
    if not pairs:
        return set()
    shas = list(dict.fromkeys(sha for pair in pairs for sha in pair))
    subjects = _subjects(root, shas)
    ids = _patch_ids(root, shas)
    return {
        sha
        for sha, tagged in pairs
        if ids.get(sha) is not None
        and ids.get(sha) == ids.get(tagged)
        and subjects.get(sha) == subjects.get(tagged)
    }


def _oldest_copy(
    sha: str, copies: dict[str, str], subjects: dict[str, str], ids: dict[str, str]
) -> str | None:
    """The oldest of ``copies`` (sha -> subject, newest first) with ``sha``'s subject and
    patch id, or None."""
    patch = ids.get(sha)
    if patch is None:
        return None
    same = [
        c for c, subject in copies.items() if subject == subjects.get(sha) and ids.get(c) == patch
    ]
    return same[-1] if same else None


def _git(root: str, *args: str) -> bytes:
    result = run_git(root, args, git_env(os.environ), options=READ_OPTIONS)
    return result.stdout if result.returncode == 0 else b""


def _subjects(root: str, shas: Iterable[str]) -> dict[str, str]:
    """Each commit's subject, by sha."""
    listed = _git(root, "log", "--no-walk=unsorted", "-z", "--format=%H%x00%s", *shas)
    fields = listed.decode("utf-8", "replace").split("\0")
    return dict(zip(fields[0::2], fields[1::2], strict=False))


def _commits_with_subjects(root: str, subjects: set[str], exclude: set[str]) -> dict[str, str]:
    """The commits HEAD holds after the ``exclude`` commits whose subject is one of
    ``subjects`` (sha -> subject, newest first)."""
    if not subjects:
        return {}
    greps = [f"--grep={subject}" for subject in sorted(subjects)]
    listed = _git(
        root,
        "log",
        "-z",
        "--format=%H%x00%s",
        "--fixed-strings",
        *greps,
        "HEAD",
        *(f"^{sha}" for sha in sorted(exclude)),
        "--",
    )
    fields = listed.decode("utf-8", "replace").split("\0")
    found = dict(zip(fields[0::2], fields[1::2], strict=False))
    return {sha: subject for sha, subject in found.items() if subject in subjects}


def _patch_ids(root: str, shas: Sequence[str]) -> dict[str, str]:
    """``git patch-id --stable`` of each commit's change (none for a commit without one)."""
    log = start_git(
        root,
        ["log", "--no-walk=unsorted", "-p", "--format=commit %H", *shas],
        git_env(os.environ),
        options=READ_OPTIONS,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert log.stdout is not None
        ids = run_git(
            root,
            ["patch-id", "--stable"],
            git_env(os.environ),
            options=READ_OPTIONS,
            stdin=log.stdout,
        )
    finally:
        if log.stdout is not None:
            log.stdout.close()
        log.wait()
    pairs = (line.split() for line in ids.stdout.decode().splitlines())
    return {commit: patch for patch, commit in (p for p in pairs if len(p) == 2)}
