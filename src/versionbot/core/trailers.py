"""The trailer that marks the bot's own release commit: ``Versionbot-Release: NAME``.

Pure: no I/O. The one place that writes and reads it. A release commit (and the release pull
request's commit and description) carries one trailer per release it makes: the version when
the repository is one package, the tag of each package in a monorepo (core/next_run.py's
``release_name``). Loop safety rests on it: such a commit never makes a release due.

>>> release_trailers("chore(release): 1.4.0\\n\\nVersionbot-Release: 1.4.0\\n")
['1.4.0']
>>> is_release_commit("fix: x\\n\\nVersionbot-Release: 1.4.0")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RELEASE_TRAILER = "Versionbot-Release"

_TRAILER = re.compile(rf"^{RELEASE_TRAILER}:[ \t]*(\S+)[ \t]*$", re.M)
_MARK = f"\n{RELEASE_TRAILER}: "  # a substring test first: most messages lack it


def release_trailers(message: str) -> list[str]:
    """The names a commit message's release trailers give, in order; none: not a release
    commit."""
    if _MARK not in message:
        return []
    return _TRAILER.findall(message)


def is_release_commit(message: str) -> bool:
    """Whether ``message`` carries a release trailer (fast: no regular expression)."""
    return _MARK in message


def trailer_lines(names: Iterable[str]) -> str:
    """The trailer block that names ``names``: one ``Versionbot-Release: NAME`` line each."""
    return "".join(f"{RELEASE_TRAILER}: {name}\n" for name in names)
