"""Git edge for releasing: fetch, commit, annotated tag, atomic push, with credentials kept safe.

Plain ``git`` subprocesses, like git/reader.py (GitPython would add 0.1 s of import and its objects,
and shells out to git for fetch and push anyway). Credentials never enter a URL, an argument or
``.git/config``: when a token is given, git asks a credential helper (passed with ``-c``) that
reads it from this process's child environment. Every git message we show is redacted first.

Must not decide anything: release/transaction.py says what to do, this module does it and
reports facts.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.errors import RepositoryError
from versionbot.core.neutralise import neutralise
from versionbot.core.redaction import redact
from versionbot.git.runner import decoded, git_env, last_line, run_git

# A credential helper given on the command line: the token stays in the environment of the git
# child process (VERSIONBOT_GIT_PASSWORD), never in argv, config files or trace output.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; '
    'echo "username=${VERSIONBOT_GIT_USERNAME}"; echo "password=${VERSIONBOT_GIT_PASSWORD}"; }; f'
)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who commits and tags."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class PushResult:
    """What a push did, from ``git push --porcelain``. ``accepted``: every ref is on the remote
    as pushed; ``updated``: the refs this push created or moved (the others were there already,
    put by someone else); ``rejected``: the refs refused because the remote had moved (a lost
    race), each with git's reason. A ref the remote refused for any other reason is no race:
    the push raises RepositoryError instead."""

    accepted: bool
    rejected: tuple[str, ...] = ()  # "refs/heads/main: [rejected] (fetch first)", ...
    updated: frozenset[str] = frozenset()  # "refs/tags/v1.2.0", ...


class GitWriter:
    """Runs the git commands of a release in one work tree, with optional HTTP credentials."""

    def __init__(
        self,
        root: Path,
        *,
        username: str | None = None,
        token: str | None = None,
        identity: Identity | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self._secrets = tuple(s for s in (token,) if s)
        base = git_env(os.environ if env is None else env)
        # A stalled HTTP remote must not hang the release: under 1 kB/s for the whole timeout
        # (VERSIONBOT_NETWORK_TIMEOUT seconds, default 60) ends the transfer; the user's own
        # GIT_HTTP_LOW_SPEED_* settings win.
        seconds = base.get("VERSIONBOT_NETWORK_TIMEOUT", "")
        base.setdefault("GIT_HTTP_LOW_SPEED_LIMIT", "1000")
        base.setdefault(
            "GIT_HTTP_LOW_SPEED_TIME", seconds if seconds.isdigit() and int(seconds) > 0 else "60"
        )
        self._config: list[str] = []
        if token:
            base["VERSIONBOT_GIT_USERNAME"] = username or "x-access-token"
            base["VERSIONBOT_GIT_PASSWORD"] = token
            # Empty helper first: only ours answers, not a user's store holding other secrets.
            self._config += [
                "-c",
                "credential.helper=",
                "-c",
                f"credential.helper={_CREDENTIAL_HELPER}",
            ]
        if identity is not None:
            base.update(
                {
                    "GIT_AUTHOR_NAME": identity.name,
                    "GIT_AUTHOR_EMAIL": identity.email,
                    "GIT_COMMITTER_NAME": identity.name,
                    "GIT_COMMITTER_EMAIL": identity.email,
                }
            )
        self._env = base

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``git args`` in the work tree; raise RepositoryError (redacted) on failure."""
        result = decoded(run_git(self.root, args, self._env, options=self._config))
        if check and result.returncode != 0:
            raise RepositoryError(
                f"git {args[0]} failed: {self.redact(last_line(result.stderr))}",
                "run the same git command by hand to see why",
            )
        return result

    def redact(self, text: str) -> str:
        """``text`` with this writer's secrets removed."""
        return redact(text, self._secrets)

    def remove_stale_locks(self, *, older_than: float = 5.0) -> list[str]:
        """Remove the lock files a killed git command left (``index.lock``, ``HEAD.lock``,
        ``packed-refs.lock``, ``refs/**/*.lock``); their names, from the git folder.

        git holds such a file for the milliseconds of one command and removes it, unless it is
        killed first; then every later command fails until someone deletes it. A run killed
        mid-commit must not need a person, so a lock that is still there ``older_than`` seconds
        after it was last written is taken as stale (a live command would have finished).
        """
        git_dir = Path(self.run("rev-parse", "--absolute-git-dir").stdout.strip())
        locks = [git_dir / "index.lock", git_dir / "HEAD.lock", git_dir / "packed-refs.lock"]
        locks = [p for p in locks if p.exists()]
        refs = git_dir / "refs"
        if refs.is_dir():
            locks += refs.rglob("*.lock")
        if not locks:
            return []
        newest = max((_mtime(p) for p in locks), default=0.0)
        wait = older_than - (time.time() - newest)
        if wait > 0:
            time.sleep(min(wait, older_than))
        removed = []
        for lock in locks:
            if lock.exists() and time.time() - _mtime(lock) >= older_than:
                lock.unlink(missing_ok=True)
                removed.append(str(lock.relative_to(git_dir)))
        return removed

    def remote_url(self, remote: str) -> str:
        """The URL of ``remote`` ("" when there is no such remote)."""
        return self.run("remote", "get-url", remote, check=False).stdout.strip()

    def head(self) -> str:
        """The sha of HEAD."""
        return self.run("rev-parse", "HEAD").stdout.strip()

    def dirty_paths(self) -> list[str]:
        """Tracked files changed or staged (untracked files do not count)."""
        status = self.run("status", "--porcelain", "--untracked-files=no").stdout
        return [line[3:] for line in status.splitlines() if line.strip()]

    def remote_sha(self, remote: str, ref: str) -> str | None:
        """The sha ``ref`` has on ``remote`` right now (one round trip), or None."""
        listed = self.run("ls-remote", remote, ref).stdout.split()
        return listed[0] if listed else None

    def remote_tag_commits(self, remote: str, tags: Iterable[str]) -> dict[str, str]:
        """The commit each of ``tags`` points at on ``remote`` (peeled), in one round trip;
        absent tags are left out."""
        # Both patterns: with only the first, ls-remote leaves out the peeled line.
        wanted = set(tags)
        patterns = [p for tag in wanted for p in (f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}")]
        listed = self._listed_tags(remote, patterns) if patterns else {}
        return {tag: sha for tag, sha in listed.items() if tag in wanted}

    def remote_tags(self, remote: str, globs: Iterable[str]) -> dict[str, str]:
        """Every tag on ``remote`` that one of the ``refs/tags/`` ``globs`` matches, with the
        commit it points at (peeled), in one round trip."""
        patterns = [f"refs/tags/{glob}" for glob in globs]
        return self._listed_tags(remote, patterns) if patterns else {}

    def _listed_tags(self, remote: str, patterns: list[str]) -> dict[str, str]:
        listed: dict[str, str] = {}
        for line in self.run("ls-remote", remote, *patterns).stdout.split("\n"):
            if not line:
                continue
            sha, _, name = line.partition("\t")
            tag, peeled, _ = name.removeprefix("refs/tags/").partition("^{}")
            # An annotated tag is listed twice: itself, then ``^{}`` with its commit.
            if peeled or tag not in listed:
                listed[tag] = sha
        return listed

    def local_tags(self, globs: Iterable[str]) -> dict[str, str]:
        """Every local tag that one of the ``refs/tags/`` ``globs`` matches, with the commit it
        points at."""
        patterns = [f"refs/tags/{glob}" for glob in globs]
        fmt = "%(refname:strip=2)%00%(*objectname)%00%(objectname)"
        listed = self.run("for-each-ref", f"--format={fmt}", *patterns).stdout.split("\n")
        found = {}
        for line in filter(None, listed):  # "\n" only: a tag name may hold a U+2028
            tag, peeled, sha = line.split("\0")
            found[tag] = peeled or sha
        return found

    def local_sha(self, ref: str) -> str | None:
        """The commit ``ref`` names here, or None."""
        result = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return result.stdout.strip() or None

    def commits_after(self, base: str, tip: str) -> list[str]:
        """The commits ``tip`` has and ``base`` lacks, oldest first."""
        return self.run("rev-list", "--reverse", tip, f"^{base}").stdout.split()

    def pending_paths(self, paths: Iterable[str]) -> list[str]:
        """Those of ``paths`` that differ from HEAD in the work tree, untracked ones included."""
        wanted = sorted(set(paths))
        if not wanted:
            return []
        status = self.run("status", "--porcelain", "--untracked-files=all", "--", *wanted).stdout
        return [line[3:] for line in status.splitlines() if line.strip()]

    def head_text(self, path: str) -> str | None:
        """The text ``path`` has in HEAD, or None when HEAD has no such file."""
        result = self.run("cat-file", "blob", f"HEAD:{path}", check=False)
        return result.stdout if result.returncode == 0 else None

    def has_identity(self) -> bool:
        """Whether git knows who commits and tags (a configured or given identity)."""
        return self.run("var", "GIT_COMMITTER_IDENT", check=False).returncode == 0

    def fetch(self, remote: str, *refspecs: str) -> None:
        """Fetch ``refspecs`` from ``remote`` in one round trip (no tags beyond them)."""
        self.run("fetch", "--quiet", "--no-tags", remote, *refspecs)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is ``descendant`` or one of its ancestors."""
        return (
            self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode
            == 0
        )

    def commit(self, paths: list[str], message: str) -> str:
        """Commit exactly ``paths`` with ``message`` (no paths: an empty commit); return the new
        commit's sha."""
        if not paths:
            self.run("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)
            return self.head()
        self.run("add", "--", *paths)
        self.run("commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
        return self.head()

    def tag(self, name: str, sha: str, message: str, *, sign: bool) -> None:
        """Make the annotated (or signed) tag ``name`` on ``sha``."""
        self.run("tag", "-s" if sign else "-a", "--cleanup=verbatim", "-m", message, name, sha)

    def local_tag(self, name: str) -> str | None:
        """The commit the local tag ``name`` points at, or None."""
        result = self.run(
            "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}", check=False
        )
        return result.stdout.strip() or None

    def delete_tag(self, name: str) -> None:
        """Delete the local tag ``name`` (gone already: nothing to do)."""
        self.run("tag", "-d", name, check=False)

    def reset_to(self, sha: str) -> None:
        """Move the branch back to ``sha``, keeping the work tree's own changes."""
        self.run("reset", "--quiet", "--keep", sha, check=False)

    def parent(self, sha: str) -> str:
        """The first parent of ``sha``."""
        return self.run("rev-parse", f"{sha}^").stdout.strip()

    def message(self, sha: str) -> str:
        """The whole message of the commit ``sha``."""
        return self.run("show", "-s", "--format=%B", sha).stdout

    def same_change(self, old: str, new: str) -> bool:
        """Whether commits ``old`` and ``new`` differ in nothing but their dates (parents, tree
        and message equal)."""
        shape = "--format=%P%x1f%T%x1f%B"
        return (
            self.run("show", "-s", shape, old).stdout == self.run("show", "-s", shape, new).stdout
        )

    def first_parent_line(
        self, limit: int, since: Iterable[str]
    ) -> list[tuple[str, tuple[str, ...], str]]:
        """HEAD's first-parent line down to the commits ``since`` (at most ``limit``), newest
        first: each commit's sha, parents and message."""
        listing = self.run(
            "log",
            "--first-parent",
            f"-{limit}",
            "--format=%H%x1f%P%x1f%B%x1e",
            "HEAD",
            *(f"^{sha}" for sha in since),
        ).stdout
        line = []
        for record in listing.split("\x1e"):
            sha, _, rest = record.strip("\n").partition("\x1f")
            if sha:
                parents, _, message = rest.partition("\x1f")
                line.append((sha, tuple(parents.split()), message))
        return line

    def push_with_lease(self, remote: str, sha: str, branch: str, seen: str | None) -> PushResult:
        """Force ``sha`` onto ``remote``'s ``branch`` if it still is at ``seen`` (None: absent);
        refused because the branch moved (``stale info``): not accepted."""
        lease = f"--force-with-lease=refs/heads/{branch}:{seen or ''}"
        result = self.run(
            "push", "--porcelain", lease, remote, f"{sha}:refs/heads/{branch}", check=False
        )
        return self._push_result(remote, result)

    @contextmanager
    def worktree(self, sha: str) -> Iterator[GitWriter]:
        """A temporary detached work tree at ``sha`` (removed afterwards), with its writer."""
        folder = Path(tempfile.mkdtemp(prefix="versionbot-"))
        path = folder / "tree"
        self.run("worktree", "add", "--quiet", "--detach", str(path), sha)
        tree = copy.copy(self)
        tree.root = path
        try:
            yield tree
        finally:
            self.run("worktree", "remove", "--force", str(path), check=False)
            shutil.rmtree(folder, ignore_errors=True)
            self.run("worktree", "prune", check=False)

    def push_atomically(self, remote: str, refspecs: list[str]) -> PushResult:
        """``git push --atomic``: every ref lands, or none does."""
        result = self.run("push", "--atomic", "--porcelain", remote, *refspecs, check=False)
        return self._push_result(remote, result)

    def _push_result(self, remote: str, result: subprocess.CompletedProcess[str]) -> PushResult:
        """What ``git push --porcelain`` says it did; raise when the remote refused a ref for
        another reason than having moved, or git failed before saying."""
        # Porcelain: "<flag>\t<src>:<dst>\t<summary>" a ref, e.g. "*\t...\t[new tag]" or
        # "!\t...\t[remote rejected] (pre-receive hook declined)".
        refs = [
            (fields[0], fields[1].rpartition(":")[2], fields[2])
            for line in result.stdout.splitlines()
            if len(fields := line.split("\t")) >= 3 and len(fields[0]) == 1
        ]
        updated = frozenset(ref for flag, ref, _ in refs if flag in _UPDATED)
        refused = [(ref, summary) for flag, ref, summary in refs if flag == "!"]
        if result.returncode == 0 and not refused:
            return PushResult(True, (), updated)
        if not refused:
            raise RepositoryError(
                f"git push failed: {self.redact(last_line(result.stderr))}",
                "check the remote's URL and that the token may push (contents: write)",
            )
        # With --atomic, the refs refused only because another one was carry no reason.
        causes = [(r, s) for r, s in refused if _reason(s) not in _COLLATERAL] or refused
        declined = [(r, s) for r, s in causes if not _moved_on_remote(s)]
        if declined:
            raise self._declined(remote, declined, result.stderr)
        return PushResult(False, tuple(self.redact(f"{r}: {s}") for r, s in causes))

    def _declined(
        self, remote: str, refused: list[tuple[str, str]], stderr: str
    ) -> RepositoryError:
        """The error of a push the remote refused (a hook, a protection rule, a permission):
        git's reason and the remote's own words, one line, redacted."""
        names = ", ".join(dict.fromkeys(ref for ref, _ in refused))
        reasons = "; ".join(dict.fromkeys(_reason(summary) for _, summary in refused))
        said = _remote_said(stderr)
        why = f"{reasons}: {said}" if said else reasons
        return RepositoryError(
            neutralise(self.redact(f"{remote} refused {names} ({why}); nothing was pushed")),
            "not a race: check the remote's protection rules for these refs (branch protection, "
            "tag rulesets, hooks) and that the token may push to them (contents: write)",
        )


# Porcelain flags of a ref this push wrote: new, fast-forward, forced, deleted ("=": up to date).
_UPDATED = frozenset("* +-")
# Refused only because another ref of the same --atomic push was (client side, remote side).
_COLLATERAL = frozenset({"atomic push failed", "atomic push failure"})
# The remote's ref update found the ref moved since git looked: a race, as "[rejected]" is.
_MOVED = ("failed to update ref", "atomic transaction failed", "cannot lock ref", "incorrect old")
_SAID_LIMIT = 300  # characters of the remote's words kept in a message


def _reason(summary: str) -> str:
    """The reason in a porcelain summary: "[rejected] (fetch first)" -> "fetch first"."""
    head, _, reason = summary.partition(" (")
    return reason.removesuffix(")") if reason else head.strip("[]")


def _moved_on_remote(summary: str) -> bool:
    """Whether a refused ref was refused because the remote had it elsewhere than git thought:
    git's own check ("[rejected]": fetch first, non-fast-forward, stale info, already exists)
    or the remote's ref update finding it moved; not a hook, a rule or a permission."""
    if summary.startswith("[rejected]"):
        return True
    return summary.startswith("[remote rejected]") and _reason(summary).startswith(_MOVED)


def _remote_said(stderr: str) -> str:
    """What the remote printed (its "remote:" lines: a hook's or a forge's message), one line."""
    said = " ".join(
        text
        for line in stderr.splitlines()
        if line.startswith("remote:") and (text := line.removeprefix("remote:").strip())
    )
    return said if len(said) <= _SAID_LIMIT else said[: _SAID_LIMIT - 1] + "…"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
