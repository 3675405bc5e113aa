"""What a forge holds (a release, a pull request) and what the release needs a forge to do.

Pure: no I/O. :class:`Forge` and :class:`PullRequestForge` are typed Protocols, so ``release/``
depends on them, not on GitHubForge. ``from_json`` reads a value from a forge's JSON answer,
None when it is not one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# No white space, and none of the characters a URL never holds raw that would end a Markdown
# link's `<...>` destination or a quoted attribute.
_WEB_URL = re.compile(r'https?://[^\s<>"`\\]+')


def web_url(value: str) -> str:
    """A forge's ``html_url`` when it is one (``http(s)://``, no white space, control character,
    ``<``, ``>``, quote or backslash: it goes into ``$GITHUB_OUTPUT``, a Markdown link and the
    log), else ``""``."""
    return value if _WEB_URL.fullmatch(value) and value.isprintable() else ""


@dataclass(frozen=True, slots=True)
class ForgeRelease:
    """A release as the forge holds it."""

    id: int
    tag: str
    url: str  # the web page (``html_url``)
    body: str
    prerelease: bool
    name: str = ""
    draft: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ForgeRelease | None:
        """The release in a forge's answer, or None when it is not one."""
        rid, tag, url = data.get("id"), data.get("tag_name"), data.get("html_url")
        body, name = data.get("body"), data.get("name")
        if not isinstance(rid, int) or isinstance(rid, bool):
            return None
        if not isinstance(tag, str) or not isinstance(url, str):
            return None
        return cls(
            id=rid,
            tag=tag,
            url=web_url(url),
            body=body if isinstance(body, str) else "",
            prerelease=data.get("prerelease") is True,
            name=name if isinstance(name, str) else "",
            draft=data.get("draft") is True,
        )

    def says(self, *, name: str, body: str, prerelease: bool) -> bool:
        """Whether the release already says what we would write (line endings and edges
        aside), published."""

        def norm(text: str) -> str:
            return text.replace("\r\n", "\n").strip()

        return (
            not self.draft
            and self.prerelease == prerelease
            and self.name == name
            and norm(self.body) == norm(body)
        )


@dataclass(frozen=True, slots=True)
class PublishedRelease:
    """What making a release did: the release, and whether this call created it (False: it was
    there already, made by an earlier run or one running at the same time, and was converged
    on)."""

    release: ForgeRelease
    created: bool


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request as the forge holds it (the fields the release pull request needs)."""

    number: int
    url: str  # the web page (``html_url``)
    title: str
    body: str
    head: str  # the branch it comes from
    base: str  # the branch it goes to
    state: str  # "open" | "closed"
    merged: bool = False
    merge_commit_sha: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PullRequest | None:
        """The pull request in a forge's answer, or None when it is not one."""
        number, url, title = data.get("number"), data.get("html_url"), data.get("title")
        head, base = data.get("head"), data.get("base")
        if not isinstance(number, int) or isinstance(number, bool):
            return None
        if not isinstance(url, str) or not isinstance(title, str):
            return None
        if not isinstance(head, Mapping) or not isinstance(base, Mapping):
            return None
        head_ref, base_ref = head.get("ref"), base.get("ref")
        if not isinstance(head_ref, str) or not isinstance(base_ref, str):
            return None
        body, state, sha = data.get("body"), data.get("state"), data.get("merge_commit_sha")
        merged = isinstance(data.get("merged_at"), str)  # a time, or null
        return cls(
            number=number,
            url=web_url(url),
            title=title,
            body=body if isinstance(body, str) else "",
            head=head_ref,
            base=base_ref,
            state=state if isinstance(state, str) else "open",
            merged=merged,
            merge_commit_sha=sha if isinstance(sha, str) and sha else None,
        )


class Forge(Protocol):
    """What a release needs of a forge: the release of its tag, found or made."""

    def check_access(self) -> None:
        """Raise when the token cannot make releases in the repository (before the push)."""
        ...

    def find_release(self, tag: str) -> ForgeRelease | None:
        """The published release of ``tag``, or None."""
        ...

    def create_release(
        self, tag: str, *, target: str, name: str, body: str, prerelease: bool, latest: bool
    ) -> PublishedRelease:
        """The release of ``tag`` with these contents, made if missing (idempotent); whether
        this call made it."""
        ...


class PullRequestForge(Protocol):
    """What the release pull request needs of a forge."""

    def pull_requests(self, branch: str, *, state: str = "open") -> list[PullRequest]:
        """The pull requests from ``branch``, newest first."""
        ...

    def create_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request (or return the one another run just opened)."""
        ...

    def update_pull_request(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
        state: str | None = None,
    ) -> PullRequest:
        """Change a pull request."""
        ...

    def close_pull_request(self, number: int) -> PullRequest:
        """Close a pull request without merging it."""
        ...
