"""Errors the user can act on, each with an exit code and a hint.

    VersionbotError                 exit 1   anything we could not do
    ├── FileWriteError              exit 1   a file could not be read or written (left unchanged)
    ├── VersionFileError            exit 1   a version file is missing, unparsable or ambiguous
    ├── UsageError                  exit 2   bad command line or bad configuration
    │   ├── ConfigError             exit 2   a config file with an unknown key or a bad value
    │   ├── TemplateError           exit 2   a changelog template that does not compile or render
    │   └── InvalidImageRef         exit 2   no image reference (registry/oci.py; a ValueError too)
    ├── RepositoryError             exit 3   not a repository, empty, shallow, git failed
    ├── VersionConflictError        exit 4   the version to release is taken or goes backwards
    ├── ChangelogError              exit 5   CHANGELOG.md has no place to insert a release
    ├── RegistryError               exit 6   an OCI registry refused, lacked or lost an image
    │   ├── BuildError              exit 6   building or pushing the release's image failed
    │   └── Unreachable             exit 6   retries ran out on a registry (registry/client.py)
    ├── ForgeError                  exit 7   GitHub refused or failed a release or pull request
    └── SupersededError             exit 8   the branch moved on or another run released first:
                                             nothing was pushed, the next run releases

The CLI prints ``error: <message>`` and ``hint: <hint>`` and exits with ``exit_code``; nothing
else in the program prints errors. Messages are one line and never hold credentials.

Raised inside the program and never shown as they are (their callers turn them into the above):

    ValueError
    ├── InvalidVersion              core/version.py: not SemVer (the parser's one error)
    └── InvalidImageTag             core/image_tags.py: an image tag template that cannot work
    Exception
    ├── GuessedWrong                git/reader.py: the fast guess of the last release did not hold
    └── TruncatedHistory            core/history.py: a shallow clone ends before the last release
"""

from __future__ import annotations


class VersionbotError(Exception):
    """Base class: a one-line message, a one-line hint, an exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(VersionbotError):
    """The command line asks for something impossible."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration has an unknown key or a bad value."""


class RepositoryError(VersionbotError):
    """The git repository cannot be read the way a release needs."""

    exit_code = 3


class VersionConflictError(VersionbotError):
    """The requested or computed version is not greater than the last one, or its tag exists."""

    exit_code = 4


class ChangelogError(VersionbotError):
    """The changelog file cannot be updated without guessing (no insertion point)."""

    exit_code = 5


class TemplateError(UsageError):
    """A template that does not compile or does not render."""


class FileWriteError(VersionbotError):
    """A file could not be read or written; it was left as it was."""


class VersionFileError(VersionbotError):
    """A version file is missing, does not parse, or has no single place holding the version."""


class RegistryError(VersionbotError):
    """An OCI registry could not be read or written: auth, TLS, a missing image or platform."""

    exit_code = 6


class BuildError(RegistryError):
    """The image build (buildx, buildah or a Docker engine) or its push failed; the message ends
    with the tool's last line of output, redacted."""


class SupersededError(VersionbotError):
    """The branch moved past the evaluated commit, or another run released first: nothing was
    pushed, and the next run releases."""

    exit_code = 8


class ForgeError(VersionbotError):
    """The forge's release API refused or failed: token, permission, repository, validation."""

    exit_code = 7
