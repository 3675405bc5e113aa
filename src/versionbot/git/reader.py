"""Git edge: read the repository state, its tags, and the window of commits.

I/O lives here and only here. Reading is plain ``git`` subprocesses (a handful per run, never one
per commit): GitPython costs ~0.1 s to import and a release plan does not need it. The window is
one ``git log`` whose output is parsed while git is still writing it (in a monorepo, one walk by
two gits at once: the messages and the paths).

The output format is pinned against the user's git configuration: no pager, no colour, no
signatures, UTF-8 re-encoding, NUL separators.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import os
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path

from versionbot.core.branches import branch_policy, line_package
from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.errors import RepositoryError, UsageError
from versionbot.core.history import (
    Baseline,
    History,
    PackagesHistory,
    RepositoryState,
    Tag,
    TruncatedHistory,
    find_baseline,
    package_baselines,
    stop_at_shallow_boundary,
)
from versionbot.git.runner import READ_OPTIONS, git_env, last_line, run_git, start_git
from versionbot.git.stand_ins import with_stand_ins

_CHUNK = 1 << 16
_UNSHALLOW_HINT = (
    "fetch the whole history: `fetch-depth: 0` in actions/checkout, or "
    "`git fetch --unshallow --tags`; or set fetch_unshallow = true"
)


class GuessedWrong(Exception):
    """The fast guess of the last release did not hold; read the history again, exactly."""


def repository_state(path: Path) -> RepositoryState:
    """The work tree holding ``path``: its root, HEAD, branch and remote URL (no history read)."""
    return _Repo.open(path).state


def tags_at(root: str, sha: str) -> tuple[Tag, ...]:
    """The tags that point at the commit ``sha`` (directly, or as an annotated tag of it), with
    their dates: one ``for-each-ref --points-at``, whatever the number of tags elsewhere."""
    fmt = "%(refname)%00%(creatordate:unix)"
    listed = _run(root, "for-each-ref", f"--points-at={sha}", f"--format={fmt}", "refs/tags/")
    tags = []
    for line in _lines(listed.stdout):
        ref, _, created = line.partition("\0")
        date = int(created) if created.isdigit() else None
        tags.append(Tag(ref.removeprefix("refs/tags/"), sha, True, date))
    return tuple(tags)


def changed_paths(root: str, sha: str) -> tuple[str, ...]:
    """The files the commit ``sha`` changed against its first parent (all its files for a root
    commit): what merging it changed on its branch."""
    parent = _run(root, "rev-parse", "--verify", "--quiet", f"{sha}^1^{{commit}}", check=False)
    base = parent.stdout.decode().strip()
    against = (base, sha) if base else ("--root", sha)
    listed = _run(
        root, "diff-tree", "-r", "-z", "--no-commit-id", "--name-only", "--no-renames", *against
    )
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return tuple(name for name in names if name)


def text_at(root: str, sha: str, path: str) -> str | None:
    """The text of the file ``path`` in the commit ``sha``, or None when it has none there."""
    result = _run(root, "cat-file", "blob", f"{sha}:{path}", check=False)
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


def read_history(
    path: Path,
    config: Config,
    *,
    prerelease: bool,
    exact: bool = False,
    without_tags_at_head: bool = False,
    channel: str | None = None,
) -> History:
    """The repository's state, release tags and window of commits (streamed, newest first).

    ``prerelease`` says a prerelease was asked for (``--prerelease``); without it, the branch's
    rule in ``[branches]`` decides (a prerelease channel's window starts after its latest
    prerelease). On a maintenance line, only releases below its range's upper end can start the
    window.

    Which tags HEAD contains costs a walk of the whole history (``for-each-ref --merged``), as
    much as the ``git log`` itself. So unless ``exact``, we guess that the highest release tags
    (of the maintenance line's range, on such a branch) are on this branch, stream the window
    after them, and check the guess in the same stream: a window commit has the start as a
    parent, and the newest prerelease, if any, is in the window. When the guess fails, the
    stream raises GuessedWrong at its end and the caller reads again with ``exact=True`` (see
    ``repository_plan``).

    ``without_tags_at_head`` reads the history as it was before HEAD's tags were made: the
    window of the release those tags name.
    """
    repo, tags, exact = _open_with_tags(path, config, exact, without_tags_at_head)
    policy = branch_policy(config.branches, repo.state.branch, None)
    prerelease = prerelease or policy.prerelease is not None
    channel = channel or policy.prerelease
    baseline = find_baseline(
        tags, config.tag_format, prerelease=prerelease, within=policy.range, channel=channel
    )
    start = baseline.start
    commits = repo.log(start.tag.sha if start else None)
    if not exact and start is not None:
        final, pre = baseline.last_final, baseline.latest_prerelease
        if start is pre and final is not None and not repo.is_ancestor(final.tag.sha, pre.tag.sha):
            raise GuessedWrong
        unseen = pre.tag.sha if pre is not None and start is not pre else None
        commits = _check_guess(commits, start.tag.sha, unseen, repo.state.head)
    if repo.shallow:
        commits = _explain_truncation(stop_at_shallow_boundary(commits, repo.shallow_commits()))
    return History(repo.state, baseline, commits)


def read_packages_history(
    path: Path,
    config: Config,
    *,
    prerelease: bool,
    exact: bool = False,
    without_tags_at_head: bool = False,
    channel: str | None = None,
) -> PackagesHistory:
    """A monorepo's state, each package's baseline, and one stream of the commits any package's
    window can hold, with the paths each changed (``git log --name-only``), children first
    (``_Repo.log_with_paths``: one walk, two gits).

    The stream starts at HEAD and stops at the commits every package's last release contains
    (the merge bases of their start commits); which package windows hold each commit is worked
    out as it goes by (packages.outside_windows). As in ``read_history``, unless ``exact`` the
    release tags are guessed to be on this branch, and the guess is checked in the same stream:
    every start commit is reached, and every newer prerelease is seen. A wrong guess raises
    GuessedWrong at the end of the stream.
    """
    repo, tags, exact = _open_with_tags(path, config, exact, without_tags_at_head)
    policy = branch_policy(config.branches, repo.state.branch, None)
    prerelease = prerelease or policy.prerelease is not None
    formats = [p.config.tag_format for p in config.packages]
    # A maintenance line under a package's folder (api/1.x) bounds that package alone.
    kept = line_package(policy.branch, [p.name for p in config.packages])
    within = [policy.range if kept in (None, p.name) else None for p in config.packages]
    channel = channel or policy.prerelease
    baselines = package_baselines(
        tags, formats, prerelease=prerelease, within=within, channel=channel
    )
    starts = [b.start.tag.sha if b.start else None for b in baselines]
    known = [sha for sha in starts if sha is not None]
    bounds = repo.merge_bases(known) if len(known) == len(starts) else []
    commits = repo.log_with_paths(bounds, merge_paths=not config.ignore_merge_commits)
    if not exact:
        commits = _check_packages_guess(commits, baselines, bounds, repo)
    if repo.shallow:
        commits = _explain_truncation_of_paths(commits, repo.shallow_commits())
    return PackagesHistory(repo.state, baselines, commits)


def read_tags(path: Path) -> tuple[Tag, ...]:
    """Every tag that leads to a commit (``reachable`` not read: left True)."""
    return _Repo.open(path).tags(exact=False)


def _open_with_tags(
    path: Path, config: Config, exact: bool, without_tags_at_head: bool
) -> tuple[_Repo, tuple[Tag, ...], bool]:
    """The repository (unshallowed when configured), its tags (without HEAD's when asked), and
    whether they were read exactly (always in a shallow clone)."""
    repo = _Repo.open(path)
    if repo.shallow and config.fetch_unshallow:
        repo.unshallow()
    # In a shallow clone a wrong guess can run into the clone's edge, and fail there, before it
    # is found wrong; the edge bounds the cost of the exact walk anyway.
    exact = exact or repo.shallow
    tags = repo.tags(exact=exact)
    if without_tags_at_head:
        tags = tuple(t for t in tags if t.sha != repo.state.head)
    if exact:  # only then are off-branch tags known (a guess that fails is read exactly)
        tags = with_stand_ins(repo.root, tags, config)
    return repo, tags, exact


def _check_packages_guess(
    commits: Iterator[tuple[Commit, tuple[str, ...]]],
    baselines: tuple[Baseline, ...],
    bounds: list[str],
    repo: _Repo,
) -> Iterator[tuple[Commit, tuple[str, ...]]]:
    """Pass the stream through; at its end, raise GuessedWrong unless every package's start
    and every prerelease above a start is on this branch. A start is a bound of the stream (the
    merge bases of the starts: one ``merge-base --is-ancestor`` each) or in the stream."""
    for baseline in baselines:
        final, pre = baseline.last_final, baseline.latest_prerelease
        if pre is None or final is None or baseline.start is not pre:
            continue
        if not repo.is_ancestor(final.tag.sha, pre.tag.sha):
            raise GuessedWrong
    head = repo.state.head
    if not all(repo.is_ancestor(bound, head) for bound in bounds):
        raise GuessedWrong
    unseen = {b.start.tag.sha for b in baselines if b.start} - {*bounds, head}
    unseen |= {
        b.latest_prerelease.tag.sha
        for b in baselines
        if b.latest_prerelease is not None and b.start is not b.latest_prerelease
    }
    for record in commits:
        yield record
        if unseen:
            unseen.discard(record[0].sha)
    if unseen:
        raise GuessedWrong


def _explain_truncation_of_paths(
    commits: Iterator[tuple[Commit, tuple[str, ...]]], shallow: frozenset[str]
) -> Iterator[tuple[Commit, tuple[str, ...]]]:
    for commit, paths in commits:
        yield commit, paths
        if commit.sha in shallow:
            raise RepositoryError(
                f"shallow clone: the history stops at {commit.sha[:7]}, before the last release",
                _UNSHALLOW_HINT,
            )


def read_whole_history(
    path: Path, config: Config
) -> tuple[RepositoryState, tuple[Tag, ...], Iterator[Commit]]:
    """The state, every tag, and every commit reachable from HEAD (streamed, newest first).

    For a whole changelog. Which tags HEAD contains falls out of the walk (the tags whose commit
    it yields), so the tags' ``reachable`` is not known here and is left False.
    """
    repo, tags = _open_whole(path, config)
    return repo.state, tags, repo.log(None)


def read_whole_packages_history(
    path: Path, config: Config
) -> tuple[RepositoryState, tuple[Tag, ...], Iterator[tuple[Commit, tuple[str, ...]]]]:
    """``read_whole_history`` for a monorepo: every commit with the paths it changed, children
    first (``_Repo.log_with_paths``)."""
    repo, tags = _open_whole(path, config)
    merge_paths = not config.ignore_merge_commits
    return repo.state, tags, repo.log_with_paths([], merge_paths=merge_paths)


def _open_whole(path: Path, config: Config) -> tuple[_Repo, tuple[Tag, ...]]:
    """The repository, whole (unshallowed when configured, else refused when shallow), and its
    tags with ``reachable`` left False."""
    repo = _Repo.open(path)
    if repo.shallow and config.fetch_unshallow:
        repo.unshallow()
    if repo.shallow:
        raise RepositoryError(
            "shallow clone: a whole changelog needs the whole history", _UNSHALLOW_HINT
        )
    return repo, tuple(Tag(t.name, t.sha, False, t.date) for t in repo.tags(exact=False))


def read_range(path: Path, config: Config, revisions: str | None) -> tuple[str, Iterator[Commit]]:
    """The commits of a revision range such as ``origin/main..HEAD`` (newest first, streamed
    by one ``git log``), or with None the window since the last release; and what to call it.
    """
    if revisions is None:
        try:
            history = read_history(path, config, prerelease=False)
            commits = list(history.commits)
        except GuessedWrong:
            history = read_history(path, config, prerelease=False, exact=True)
            commits = list(history.commits)
        start = history.baseline.start
        since = f"since {start.tag.name}" if start else "in the history (no release yet)"
        return since, iter(commits)
    if not revisions.strip() or revisions.startswith("-"):
        raise UsageError(
            f"{revisions!r} is not a revision range", "give a range such as origin/main..HEAD"
        )
    repo = _Repo.open(path)
    # Check the revisions first: git log's own error on a bad one is a usage message.
    resolved = _run(repo.root, "rev-parse", "--revs-only", revisions, "--", check=False)
    if resolved.returncode != 0 or not resolved.stdout.strip():
        raise UsageError(
            f"unknown revision in {revisions!r}",
            "fetch it first (actions/checkout: fetch-depth: 0), or name revisions that exist",
        )
    args = ["log", "--no-color", "--encoding=UTF-8", "-z"]
    args += ["--format=%H%x00%P%x00%B", *resolved.stdout.decode().split(), "--"]
    return f"in {revisions}", _stream_log(repo.root, args)


def _check_guess(
    commits: Iterator[Commit], start: str, unseen: str | None, head: str
) -> Iterator[Commit]:
    """Pass the window through; at its end, raise GuessedWrong unless the guess held."""
    reached_start = head == start
    for commit in commits:
        yield commit
        if start in commit.parents:
            reached_start = True
        if commit.sha == unseen:
            unseen = None
    if not reached_start or unseen is not None:
        raise GuessedWrong


class _Repo:
    """A repository we read with plain git commands."""

    def __init__(self, state: RepositoryState, git_dir: Path, *, shallow: bool) -> None:
        self.state = state
        self.git_dir = git_dir
        self.shallow = shallow

    @classmethod
    def open(cls, path: Path) -> _Repo:
        """Locate the work tree that holds ``path`` and read HEAD."""
        if not path.is_dir():
            raise RepositoryError(
                f"{path} is not a directory", "pass the repository's folder with -C PATH"
            )
        # The remote's URL does not depend on what rev-parse says: run both at once (one git
        # start-up less on the critical path of a small plan).
        remote = _start(path, "remote", "get-url", "origin")
        try:
            result = _run(
                path,
                "rev-parse",
                "--show-toplevel",
                "--absolute-git-dir",
                "--is-shallow-repository",
                "HEAD",
                "--symbolic-full-name",
                "HEAD",
                check=False,
            )
            lines = _lines(result.stdout)  # a work tree path may hold a U+2028
            if result.returncode != 0:
                if len(lines) >= 3:
                    raise RepositoryError(
                        f"the repository at {lines[0]} has no commits yet",
                        "make a first commit, then plan the release",
                    )
                if b"not a git repository" in result.stderr:
                    raise RepositoryError(
                        f"{path.resolve()} is not inside a git repository",
                        "run bot inside a git work tree, or pass -C PATH",
                    )
                raise _git_failed("rev-parse", result.stderr)
        finally:
            remote_stdout, _ = remote.communicate()
        root, git_dir, shallow, head = lines[:4]
        if len(lines) > 4:
            ref = lines[4]
        else:  # a ref named HEAD (a pushed tag or branch) leaves HEAD's name ambiguous
            ref = _run(path, "symbolic-ref", "-q", "HEAD", check=False).stdout.decode().strip()
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        remote_url = (
            remote_stdout.decode("utf-8", "replace").strip() if remote.returncode == 0 else None
        )
        state = RepositoryState(root, head, branch, remote_url or None)
        return cls(state, Path(git_dir), shallow=shallow == "true")

    def tags(self, *, exact: bool) -> tuple[Tag, ...]:
        """Every tag that points (directly or through an annotated tag) at a commit.

        With ``exact``, each says whether HEAD contains it; without, all are assumed to be.
        """
        fmt = (
            "%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)"
            "%00%(creatordate:unix)"
        )
        listed = _run(self.root, "for-each-ref", f"--format={fmt}", "refs/tags/").stdout
        reachable: set[str] | None = None
        if exact:
            merged = _run(
                self.root, "for-each-ref", "--merged=HEAD", "--format=%(refname)", "refs/tags/"
            ).stdout
            reachable = set(_lines(merged))
        tags: list[Tag] = []
        nested: list[str] = []
        dates: dict[str, int | None] = {}
        for line in _lines(listed):
            ref, kind, sha, peeled_kind, peeled_sha, created = line.split("\0")
            date = int(created) if created.isdigit() else None
            if kind == "tag":
                kind, sha = peeled_kind, peeled_sha
            if kind == "tag":
                nested.append(ref)  # a tag of a tag: `*` peels only one level
                dates[ref] = date
            elif kind == "commit":
                name = ref.removeprefix("refs/tags/")
                tags.append(Tag(name, sha, reachable is None or ref in reachable, date))
        for ref, sha in self._peel_to_commits(nested):
            name = ref.removeprefix("refs/tags/")
            tags.append(Tag(name, sha, reachable is None or ref in reachable, dates[ref]))
        return tuple(tags)

    def _peel_to_commits(self, refs: list[str]) -> list[tuple[str, str]]:
        """``(ref, commit)`` for each tag ref that leads to a commit through nested tags."""
        if not refs:
            return []
        result = _run(self.root, "rev-parse", *(f"{ref}^{{commit}}" for ref in refs), check=False)
        shas = result.stdout.decode().split()
        # A ref that leads to a tree or blob makes rev-parse fail; peel one by one then.
        if result.returncode == 0 and len(shas) == len(refs):
            return list(zip(refs, shas, strict=True))
        peeled = []
        for ref in refs:
            one = _run(
                self.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False
            )
            if one.returncode == 0:
                peeled.append((ref, one.stdout.decode().strip()))
        return peeled

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is ``descendant`` or one of its ancestors."""
        result = _run(self.root, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
        if result.returncode > 1:
            raise _git_failed("merge-base", result.stderr)
        return result.returncode == 0

    def log(self, since: str | None) -> Iterator[Commit]:
        """The commits in ``since..HEAD`` (all of HEAD when None), newest first, streamed."""
        revisions = ["HEAD", f"^{since}"] if since else ["HEAD"]
        args = ["log", "--no-color", "--encoding=UTF-8", "-z"]
        args += ["--format=%H%x00%P%x00%B", *revisions, "--"]
        return _stream_log(self.root, args)

    def merge_bases(self, commits: list[str]) -> list[str]:
        """The best common ancestors of ``commits``: what every one of them contains is what
        they contain. One commit is its own."""
        distinct = sorted(set(commits))
        if len(distinct) <= 1:
            return distinct
        result = _run(self.root, "merge-base", "--all", "--octopus", *distinct, check=False)
        if result.returncode > 1:
            raise _git_failed("merge-base", result.stderr)
        return result.stdout.decode().split()

    def log_with_paths(
        self, bounds: list[str], *, merge_paths: bool
    ) -> Iterator[tuple[Commit, tuple[str, ...]]]:
        """The commits of HEAD not in ``bounds``, children first (``--topo-order``), each with
        the paths it changed. ``merge_paths``: a merge's paths are those it brought to its first
        parent (else a merge has none: its branch's own commits carry them).

        Two gits walk the same commits at once, one printing the messages and one the paths:
        listing paths costs git a tree diff per commit, twice what printing the message costs,
        and on two CPUs the two together take the time of the diffs alone (docs/benchmarks.md).
        Both walk from the sha HEAD had when the repository was opened: HEAD may move meanwhile.
        """
        walk = ["log", "--no-color", "--encoding=UTF-8", "-z"]
        revisions = ["--topo-order", self.state.head, *(f"^{sha}" for sha in bounds), "--"]
        paths = [*walk, "--name-only", "--no-renames", "--format=%x00%H"]
        if merge_paths:
            paths.append("--diff-merges=first-parent")
        messages = _stream_log(self.root, [*walk, "--format=%H%x00%P%x00%B", *revisions])
        return _with_paths(messages, _stream_paths(self.root, [*paths, *revisions]))

    def shallow_commits(self) -> frozenset[str]:
        """The commits whose parents this shallow clone lacks (from ``.git/shallow``)."""
        try:
            return frozenset((self.git_dir / "shallow").read_text().split())
        except FileNotFoundError:
            return frozenset()

    def unshallow(self) -> None:
        """Fetch the rest of the history and every tag (``fetch_unshallow = true``)."""
        remotes = _run(self.root, "remote").stdout.split()
        if not remotes:
            raise RepositoryError(
                "this shallow clone has no remote to fetch the rest of the history from",
                "clone the whole repository instead of a shallow copy",
            )
        remote = "origin" if b"origin" in remotes else remotes[0].decode()
        _run(self.root, "fetch", "--quiet", "--unshallow", "--tags", remote)
        self.shallow = False

    @property
    def root(self) -> str:
        """The work tree's top folder."""
        return self.state.root


def _stream_log(cwd: str, args: list[str]) -> Iterator[Commit]:
    """Parse ``sha NUL parents NUL message NUL`` records while git writes them."""
    pending = ""
    with contextlib.closing(_decoded_output(cwd, args)) as texts:
        for text in texts:
            fields = (pending + text).split("\0")
            complete = (len(fields) - 1) // 3 * 3  # the last field may still be growing
            for i in range(0, complete, 3):
                yield Commit(fields[i], tuple(fields[i + 1].split()), fields[i + 2].rstrip("\n"))
            pending = "\0".join(fields[complete:])
    fields = pending.split("\0")
    if len(fields) >= 3:
        yield Commit(fields[0], tuple(fields[1].split()), fields[2].rstrip("\n"))


def _with_paths(
    commits: Iterator[Commit], paths: Iterator[tuple[str, tuple[str, ...]]]
) -> Iterator[tuple[Commit, tuple[str, ...]]]:
    """Pair the two streams of one walk (the same commits in the same order); closing it
    early stops both gits."""
    with contextlib.closing(commits), contextlib.closing(paths):  # type: ignore[type-var]
        for commit, record in itertools.zip_longest(commits, paths):
            if commit is None or record is None or record[0] != commit.sha:
                raise RepositoryError(  # pragma: no cover - one walk gives one list
                    "the two git logs of one walk listed different commits",
                    "run the command again; report it if it happens twice",
                )
            yield commit, record[1]


def _stream_paths(cwd: str, args: list[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Parse ``NUL sha NUL [LF path NUL path NUL ...]`` records (``--name-only -z`` with the
    format ``%x00%H``) while git writes them.

    No path is empty, so a record ends at the next empty field (between two NULs), found by
    ``list.index`` at C speed rather than field by field.
    """
    pending = ""
    with contextlib.closing(_decoded_output(cwd, args)) as texts:
        for text in texts:
            fields = (pending + text).split("\0")
            # fields[-1] may still be growing: a record is whole when it ends before it.
            last = len(fields) - 1
            i = 1  # fields[i - 1] is the empty field that ends the record before
            while i < last:
                try:
                    end = fields.index("", i + 1, last)
                except ValueError:
                    break
                yield fields[i], _paths(fields[i + 1 : end])
                i = end + 1
            pending = "\0".join(fields[i - 1 :])
    fields = pending.split("\0")
    i = 1
    while i < len(fields):
        try:
            end = fields.index("", i + 1)
        except ValueError:
            end = len(fields)
        yield fields[i], _paths(fields[i + 1 : end])
        i = end + 1


def _paths(fields: list[str]) -> tuple[str, ...]:
    if fields:
        fields[0] = fields[0].removeprefix("\n")  # git puts a line break before the list
    return tuple(fields)


def _decoded_output(cwd: str, args: list[str]) -> Generator[str, None, None]:
    """``git log``'s standard output as text, a chunk at a time while git writes it; raises
    RepositoryError when git fails. Closing it early kills git.

    Whole chunks are decoded (an incremental decoder keeps a UTF-8 sequence cut by a chunk
    boundary whole), then split by the caller: one decode per block git writes, not three per
    commit.
    """
    # GIT_FLUSH=0: into a pipe, git log flushes after every commit by default, 100,000 writes
    # of a few hundred bytes for as many reads here (0.2-0.7 s of this process's CPU at 100k
    # commits); fully buffered, it writes 4 KB blocks, and spends less time itself.
    env = {**git_env(os.environ), "GIT_FLUSH": "0"}
    process = start_git(cwd, args, env, options=READ_OPTIONS)
    if process.stdout is None or process.stderr is None:  # pragma: no cover - PIPE was asked
        raise RepositoryError("git log gave no output stream", "run git log by hand")
    _widen_pipe(process.stdout.fileno())
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    try:
        read = process.stdout.read
        while chunk := read(_CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
        stderr = process.stderr.read()
        if process.wait() != 0:
            raise _git_failed("log", stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def _widen_pipe(fd: int) -> None:
    """Let git write up to 1 MB ahead of the reader (Linux pipes hold 64 KB by default), so
    that it is not stopped while the plan works on what it has read; where the system says no
    (another OS, a lower limit), the pipe stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _explain_truncation(commits: Iterator[Commit]) -> Iterator[Commit]:
    try:
        yield from commits
    except TruncatedHistory as exc:
        raise RepositoryError(
            f"shallow clone: the history stops at {exc.sha[:7]}, before the last release",
            _UNSHALLOW_HINT,
        ) from None


def _lines(output: bytes) -> list[str]:
    """git's output lines: split at ``\n`` only, since a ref name may hold a U+2028 or a form
    feed, which ``str.splitlines`` would split at too."""
    return [line for line in output.decode("utf-8", "replace").split("\n") if line]


def _run(cwd: Path | str, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    result = run_git(cwd, args, git_env(os.environ), options=READ_OPTIONS)
    if check and result.returncode != 0:
        raise _git_failed(args[0], result.stderr)
    return result


def _start(cwd: Path | str, *args: str) -> subprocess.Popen[bytes]:
    """``_run`` without waiting: read its output with ``communicate()``."""
    return start_git(
        cwd, args, git_env(os.environ), options=READ_OPTIONS, stderr=subprocess.DEVNULL
    )


def _git_failed(command: str, stderr: bytes) -> RepositoryError:
    detail = last_line(stderr.decode("utf-8", "replace"))
    return RepositoryError(f"git {command} failed: {detail}", "run the same git command by hand")
