"""Web links for commits, comparisons and issues, derived from a git remote URL.

Pure: no I/O, no network. Knows the URL shapes of GitHub, GitLab, Gitea/Forgejo and Bitbucket,
and the remote URL forms git accepts (scp-like SSH, ssh://, https://, git://). Credentials in a
remote URL never reach a link.

>>> links = forge_links("git@github.com:acme/app.git")
>>> links.commit("3f2a91c0")
'https://github.com/acme/app/commit/3f2a91c0'
>>> links.compare("v1.3.0", "v1.4.0")
'https://github.com/acme/app/compare/v1.3.0...v1.4.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

FORGES = ("github", "gitlab", "gitea", "bitbucket")

_SCP_LIKE = re.compile(r"(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)")
_KNOWN_HOSTS = {
    "github.com": "github",
    "gitlab.com": "gitlab",
    "bitbucket.org": "bitbucket",
    "codeberg.org": "gitea",
    "gitea.com": "gitea",
}


# Built once: ``commit`` runs for every commit of the release notes.
_COMMIT_PATHS = {"gitlab": "/-/commit/", "bitbucket": "/commits/"}


@dataclass(frozen=True, slots=True)
class ForgeLinks:
    """The web base of a repository (``https://host/owner/name``) and its forge's URL shapes."""

    base: str
    forge: str  # one of FORGES

    def commit(self, sha: str) -> str:
        """The web page of one commit."""
        return f"{self.base}{_COMMIT_PATHS.get(self.forge, '/commit/')}{sha}"

    def compare(self, old: str, new: str) -> str:
        """The web page comparing two tags."""
        if self.forge == "bitbucket":
            return f"{self.base}/branches/compare/{quote(new)}%0D{quote(old)}"
        middle = "/-/compare/" if self.forge == "gitlab" else "/compare/"
        return f"{self.base}{middle}{quote(old)}...{quote(new)}"

    def tree(self, tag: str) -> str:
        """The web page of the tree at a tag (a first release has nothing to compare with)."""
        middle = {"gitlab": "/-/tree/", "bitbucket": "/src/"}.get(self.forge, "/tree/")
        return f"{self.base}{middle}{quote(tag)}"

    def issue(self, number: str) -> str:
        """The web page of issue ``#number`` (GitHub and Gitea redirect pull requests there)."""
        middle = "/-/issues/" if self.forge == "gitlab" else "/issues/"
        return f"{self.base}{middle}{number}"

    def merge_request(self, number: str) -> str:
        """The web page of a pull/merge request (referenced as ``!number`` on GitLab)."""
        if self.forge == "gitlab":
            return f"{self.base}/-/merge_requests/{number}"
        if self.forge == "bitbucket":
            return f"{self.base}/pull-requests/{number}"
        return f"{self.base}/pull/{number}"


def forge_links(remote_url: str | None, forge: str = "auto") -> ForgeLinks | None:
    """Links for the repository behind ``remote_url``, or None when we cannot tell its forge.

    ``forge`` is ``auto`` (known hosts, or a host whose name says gitlab/gitea/forgejo/bitbucket),
    ``none`` (no links), or a name from FORGES for a self-hosted instance.
    """
    if not remote_url or forge == "none":
        return None
    located = _host_and_path(remote_url.strip())
    if located is None:
        return None
    scheme, host, path = located
    kind = forge if forge in FORGES else _guess_forge(host)
    if kind is None:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    if path.count("/") < 1:
        return None
    return ForgeLinks(f"{scheme}://{host}/{path}", kind)


def _host_and_path(url: str) -> tuple[str, str, str] | None:
    """The web scheme, host (with an HTTP(S) port) and path of a remote URL."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        host = parts.hostname or ""
        # An SSH port is not the web port; an HTTP(S) port is.
        if parts.port and parts.scheme in ("https", "http"):
            host = f"{host}:{parts.port}"
        # A forge served over plain HTTP (Gitea on :3000) has no HTTPS page.
        scheme = "http" if parts.scheme == "http" else "https"
        return (scheme, host, parts.path) if host else None
    match = _SCP_LIKE.fullmatch(url)
    if match is None:
        return None
    return "https", match["host"], match["path"]


def _guess_forge(host: str) -> str | None:
    name = host.partition(":")[0].lower()
    if name in _KNOWN_HOSTS:
        return _KNOWN_HOSTS[name]
    for word, kind in (("gitlab", "gitlab"), ("gitea", "gitea"), ("forgejo", "gitea")):
        if word in name:
            return kind
    if "bitbucket" in name:
        return "bitbucket"
    if "github" in name:  # GitHub Enterprise Server, e.g. github.acme.com
        return "github"
    return None
