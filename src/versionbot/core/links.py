"""Git remote URLs, and the web links for commits, comparisons and issues derived from them.

Pure: no I/O, no network. :func:`parse_remote_url` is the one reader of the remote URL forms git
accepts (scp-like SSH, ssh://, https://, git://): the forge settings, the image labels and the
git credentials all ask it. Knows the URL shapes of GitHub, GitLab, Gitea/Forgejo and Bitbucket.
Credentials in a remote URL never reach a :class:`RemoteUrl` or a link.

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
    remote = parse_remote_url(remote_url)
    if remote is None:
        return None
    kind = forge if forge in FORGES else _guess_forge(remote.web_host)
    if kind is None or remote.path.count("/") < 1:
        return None
    return ForgeLinks(remote.web_url, kind)


@dataclass(frozen=True, slots=True)
class RemoteUrl:
    """Where a git remote URL points; its credentials are dropped, never kept.

    >>> remote = parse_remote_url("https://bot:s3cret@git.example.com:8443/acme/app.git/")
    >>> remote
    RemoteUrl(scheme='https', host='git.example.com', port=8443, path='acme/app')
    >>> remote.web_url, remote.over_http
    ('https://git.example.com:8443/acme/app', True)
    >>> parse_remote_url("git@github.com:acme/app.git").web_url
    'https://github.com/acme/app'
    """

    scheme: str  # https, http, ssh, git, git+ssh or ssh+git (lower-case); "ssh" for scp-like
    host: str  # lower-case from a URL (which also drops IPv6 brackets), as written scp-like
    port: int | None
    path: str  # no surrounding slashes, no ``.git``: ``acme/app``

    @property
    def over_http(self) -> bool:
        """Whether git talks HTTP(S) to this remote (so a token can travel with it)."""
        return self.scheme in ("https", "http")

    @property
    def web_host(self) -> str:
        """The host of the web pages: an HTTP(S) port is the web port, an SSH port is not."""
        return f"{self.host}:{self.port}" if self.port and self.over_http else self.host

    @property
    def web_url(self) -> str:
        """The repository's web page; ``http`` only for a forge served over plain HTTP (Gitea
        on :3000 has no HTTPS page)."""
        scheme = "http" if self.scheme == "http" else "https"
        return f"{scheme}://{self.web_host}/{self.path}"


_SCHEMES = ("https", "http", "ssh", "git", "git+ssh", "ssh+git")


def parse_remote_url(url: str) -> RemoteUrl | None:
    """The parts of a remote URL git would reach over the network, or None (a local path,
    ``file://``, an unknown scheme, no host, a port that is no port)."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # not a number, or out of range: no address git could reach
            return None
        if parts.scheme not in _SCHEMES or not parts.hostname:
            return None
        scheme, host, path = parts.scheme, parts.hostname, parts.path
    else:
        match = _SCP_LIKE.fullmatch(url)
        if match is None:
            return None
        scheme, host, port, path = "ssh", match["host"], None, match["path"]
    return RemoteUrl(scheme, host, port, path.strip("/").removesuffix(".git").strip("/"))


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
