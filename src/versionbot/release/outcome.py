"""What a release run did: each package's facts and the run's log.

Values only (no I/O): the transaction and the pull-request mode fill them in, and the command
line prints them and hands them to GitHub Actions (cli/github_outputs.py) without importing the
release machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from versionbot.core.version import Version


@dataclass(slots=True)
class ReleaseOutcome:
    """What a run did for one package: the facts CI outputs are made of, and its log lines."""

    released: bool = False
    version: Version | None = None
    tag: str | None = None
    previous_version: Version | None = None
    sha: str | None = None
    forge_url: str | None = None
    image_digests: list[tuple[str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    notes: str | None = None  # the release notes of what was released (for the step summary)
    # Its tag was on the remote before this run: the run that makes what the release still
    # lacks (the forge release, a missing image tag) reports it as released.
    tag_was_there: bool = False


@dataclass(slots=True)
class RunOutcome:
    """What a run did: each package's outcome (by name) for what it released or finished, the
    newest release commit, and the run's log (a package's lines prefixed with its name in a
    monorepo)."""

    packages: dict[str, ReleaseOutcome] = field(default_factory=dict)
    sha: str | None = None
    log: list[str] = field(default_factory=list)
    prepared: bool = False  # --no-push: the release commit and tags wait, local, for the image

    @property
    def released(self) -> bool:
        """Whether this run released (or finished releasing) any package."""
        return any(o.released for o in self.packages.values())

    def say(self, name: str, line: str) -> None:
        """Log ``line`` for the package ``name`` (its own log and the run's)."""
        self.packages[name].log.append(line)
        self.log.append(f"{name}: {line}" if name else line)
