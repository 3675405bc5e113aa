"""Rebuild a recorded public history as a real git repository and replay its releases with ``bot``.

A fixture (``fixtures/NAME.json``, written by ``record_fixture.py``) holds commits, tags and the
project's own changelog entries. ``replay`` builds the repository with ``git fast-import`` (messages
byte for byte, the recorded author and commit times, parents inside the recorded range), configures
versionbot as a team migrating from the project's release tool would (``SETUPS``), and at each
recorded release: puts back exactly the tags that existed just before that release was tagged,
checks out the released commit on the branch it was released from, and runs the installed
``bot plan --json``. The outcome says what the bot would have released and which of the project's
changelog entries its notes lack (compared as ``changelog_entries.normalise`` describes).

Used by ``test_real_histories.py`` and ``bench/acceptance.py``; it needs git and the installed
``bot``, no network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from changelog_entries import appears_in, bot_entries, normalise

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IDENTITY = "Recorded <recorded@example.invalid>"


@dataclass(frozen=True, slots=True)
class Setup:
    """How a migrating team configures versionbot for one project."""

    tool: str  # the release tool the project uses, as its repository shows
    mapping: str  # how the tool's rules were mapped (the decision, in one sentence)
    config: str = ""  # versionbot.toml written by hand (tools `bot init` does not migrate)
    init: bool = False  # run `bot init` on the project's own config (fixture's peer_config)
    extra: str = ""  # TOML appended after `bot init`'s section: what init cannot migrate


# release-please's default changelog sections (feat, feature, fix, perf, revert, deps shown; every
# other type hidden) are also what it releases for; a breaking change is major from 1.0.0; and it
# reads several changes from one commit (body_changes).
_RELEASE_PLEASE = """\
tag_format = "v{version}"
body_changes = true
[bump]
feature = "minor"
revert = "patch"
deps = "patch"
[changelog.sections]
feat = "Features"
feature = "Features"
fix = "Bug Fixes"
perf = "Performance Improvements"
revert = "Reverts"
deps = "Dependencies"
"""

# semantic-release (commit-analyzer, angular preset): breaking major (also on 0.x), feat minor,
# fix/perf/revert patch; it reads every message whole (merges included) and its branches are the
# final branch and one prerelease channel per prerelease branch.
_SEMANTIC_RELEASE = """\
tag_format = "v{version}"
major_on_zero = true
squash_commits = false
ignore_merge_commits = false
[bump]
revert = "patch"
[branches.master]
[branches.beta]
prerelease = "beta"
[branches.alpha]
prerelease = "alpha"
"""

# python-semantic-release's changelog lists every type its exclude_commit_patterns keep: all but
# chore, ci, refactor, style, test and build with a scope other than deps.
_PSR_SECTIONS = """
[tool.versionbot.changelog.sections]
feat = "Features"
fix = "Bug Fixes"
perf = "Performance Improvements"
revert = "Reverts"
docs = "Documentation"
build = "Build System"
"""

SETUPS: Mapping[str, Setup] = {
    "wallos": Setup(
        "release-please (GitHub action v4, release-type simple, no config file)",
        "release-please defaults written by hand (bot init does not read release-please): "
        "feat/feature minor, fix/perf/revert/deps patch, its visible changelog sections",
        config=_RELEASE_PLEASE,
    ),
    "semantic-release": Setup(
        "semantic-release (branches master, beta and alpha prerelease channels)",
        "commit-analyzer defaults written by hand (bot init does not read .releaserc): "
        "major_on_zero, no squash bullets, merges analysed, revert patch, beta/alpha channels",
        config=_SEMANTIC_RELEASE,
    ),
    "python-semantic-release": Setup(
        "python-semantic-release 10 (pyproject.toml [tool.semantic_release])",
        "`bot init` migrates [tool.semantic_release]; the changelog sections its "
        "exclude_commit_patterns keep (docs, build) are added by hand, which init cannot do",
        init=True,
        extra=_PSR_SECTIONS,
    ),
    "commitizen": Setup(
        "commitizen 4 (pyproject.toml [tool.commitizen], cz_conventional_commits)",
        "`bot init` migrates [tool.commitizen] (refactor patch, a Refactoring section), unchanged",
        init=True,
    ),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the bot planned at one recorded release, against what the project released."""

    project: str
    tag: str
    expected: str  # the version the project released
    planned: str | None  # the version the bot planned (None: no release, or an error)
    error: str | None  # the bot's one-line error or no-release reason
    entries: tuple[str, ...]  # the project's changelog entries (normalised); () when not recorded
    missing: tuple[str, ...]  # those the bot's notes lack
    recorded_changelog: bool  # the project's changelog for this release is in the fixture

    @property
    def agrees(self) -> bool:
        """The bot planned the version the project released."""
        return self.planned == self.expected


def load(name: str) -> dict[str, Any]:
    """The fixture ``fixtures/NAME.json``."""
    parsed: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return parsed


def names() -> list[str]:
    """Every recorded project, in a stable order."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def installed_bot() -> str:
    """The installed ``bot`` console script (the venv's, next to this Python)."""
    beside = Path(sys.executable).parent / "bot"
    found = str(beside) if beside.is_file() else shutil.which("bot")
    if found is None:
        raise RuntimeError("the `bot` console script is not installed (pip install -e .)")
    return found


class History:
    """One fixture rebuilt in ``root`` (a fresh, empty directory)."""

    def __init__(self, name: str, root: Path, bot: str) -> None:
        self.name = name
        self.fixture = load(name)
        self.setup = SETUPS[name]
        self.repo = root / "repo"
        self.bot = bot
        home = root / "home"
        home.mkdir()
        (home / "gitconfig").write_text("", encoding="utf-8")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LC_ALL": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
            "NO_COLOR": "1",
        }
        self.shas = self._build()
        self.configured = False

    def _git(self, *args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.repo,
            env=self.env,
            input=stdin,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"git {args[0]} failed: {result.stderr.decode(errors='replace')}")
        return result.stdout.decode()

    def _build(self) -> dict[str, str]:
        """Import every recorded commit; the recorded sha -> the rebuilt one."""
        self.repo.mkdir()
        self._git("init", "--quiet", "--initial-branch=_recorded")
        marks = {c["sha"]: n for n, c in enumerate(self.fixture["commits"], start=1)}
        stream = bytearray()
        for number, commit in enumerate(self.fixture["commits"], start=1):
            message = commit["message"].encode("utf-8")
            stream += b"reset refs/heads/_recorded\ncommit refs/heads/_recorded\n"
            stream += f"mark :{number}\n".encode()
            stream += f"author {IDENTITY} {commit['author_time']}\n".encode()
            stream += f"committer {IDENTITY} {commit['commit_time']}\n".encode()
            stream += f"data {len(message)}\n".encode() + message + b"\n"
            for index, parent in enumerate(commit["parents"]):
                stream += f"{'from' if index == 0 else 'merge'} :{marks[parent]}\n".encode()
            for path in commit.get("files", []):
                body = commit["sha"].encode()
                stream += f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n"
            if "change" in commit:  # the same change as another commit's (record_fixture.py)
                body = commit["change"].encode()
                path = f"changes/{commit['change']}"
                stream += f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n"
            stream += b"\n"
        marks_file = self.repo / ".git" / "recorded-marks"
        self._git("fast-import", "--quiet", f"--export-marks={marks_file}", stdin=bytes(stream))
        by_mark = dict(line.split() for line in marks_file.read_text().splitlines())
        return {sha: by_mark[f":{n}"] for sha, n in marks.items()}

    def _tags_before(self, tag: str) -> None:
        """Leave exactly the recorded tags made before ``tag`` (not ``tag`` itself)."""
        ordered = self.fixture["tags"]
        cut = next(i for i, t in enumerate(ordered) if t["name"] == tag)
        wanted = {f"refs/tags/{t['name']}": self.shas[t["sha"]] for t in ordered[:cut]}
        present = self._git("for-each-ref", "--format=%(refname)", "refs/tags").split()
        lines = [f"delete {ref}" for ref in present if ref not in wanted]
        lines += [f"update {ref} {sha}" for ref, sha in wanted.items()]
        self._git("update-ref", "--stdin", stdin=("\n".join(lines) + "\n").encode())

    def _configure(self) -> None:
        """Write the configuration the migrating team would: by hand or with ``bot init``."""
        if not self.setup.init:
            (self.repo / "versionbot.toml").write_text(self.setup.config, encoding="utf-8")
            return
        peer = self.fixture["peer_config"]
        (self.repo / peer["path"]).write_text(peer["text"], encoding="utf-8")
        result = self._bot("init")
        if result.returncode != 0:
            raise RuntimeError(f"bot init failed: {result.stderr}")
        if self.setup.extra:
            with (self.repo / peer["path"]).open("a", encoding="utf-8") as handle:
                handle.write(self.setup.extra)

    def _bot(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.bot, *args],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def plan(self, release: Mapping[str, Any]) -> Outcome:
        """``bot plan --json`` at ``release``'s commit, with the tags that existed before it."""
        tag = release["tag"]
        target = next(t["sha"] for t in self.fixture["tags"] if t["name"] == tag)
        self._tags_before(tag)
        self._git("checkout", "--quiet", "--force", "-B", release["branch"], self.shas[target])
        if not self.configured:
            self._configure()
            self.configured = True
        result = self._bot("plan", "--json")
        planned, error, notes = None, None, ""
        if result.returncode != 0:
            error = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        else:
            document = json.loads(result.stdout)
            if document.get("next"):
                planned = document["next"]["version"]
            else:
                error = document.get("reason") or document.get("next_run") or "no release"
            notes = document.get("changelog") or ""
        recorded = release["changelog"] is not None
        entries = tuple(normalise(e["text"]) for e in release["changelog"] or [])
        found = bot_entries(notes)
        missing = tuple(e for e in entries if not appears_in(e, found))
        return Outcome(
            self.name, tag, release["version"], planned, error, entries, missing, recorded
        )


def replay(name: str, root: Path, bot: str | None = None) -> list[Outcome]:
    """Every recorded release of project ``name``, planned in a repository rebuilt under root."""
    history = History(name, root, bot or installed_bot())
    return [history.plan(release) for release in history.fixture["releases"]]


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """One row of the agreement table."""
    recorded = [o for o in outcomes if o.recorded_changelog]
    total = sum(len(o.entries) for o in recorded)
    return {
        "releases": len(outcomes),
        "versions_agreed": sum(o.agrees for o in outcomes),
        "entries_found": total - sum(len(o.missing) for o in recorded),
        "entries_total": total,
        "changelog_recorded": bool(recorded),
    }
