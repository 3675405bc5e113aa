"""Web links from a git remote URL: which forge, which base, which URL shapes; no network."""

from __future__ import annotations

import doctest

import pytest

import versionbot.core.links
from versionbot.core.links import FORGES, ForgeLinks, forge_links, parse_remote_url


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.links).failed == 0


@pytest.mark.parametrize(
    ("url", "over_http"),
    [
        ("https://bot:tok@github.com/acme/app.git", True),
        ("http://127.0.0.1:3000/acme/app", True),
        ("git@github.com:acme/app.git", False),
        ("ssh://git@github.com/acme/app.git", False),
        ("/srv/git/app.git", False),
        ("file:///srv/git/app.git", False),
        ("https://github.com:port/acme/app", False),  # no reachable address at all
    ],
)
def test_whether_git_talks_http_to_a_remote(url: str, over_http: bool) -> None:
    remote = parse_remote_url(url)
    assert (remote is not None and remote.over_http) is over_http


@pytest.mark.parametrize(
    ("remote", "forge", "base", "kind"),
    [
        # GitHub, every form git accepts
        ("git@github.com:o/r.git", "auto", "https://github.com/o/r", "github"),
        ("git@github.com:o/r", "auto", "https://github.com/o/r", "github"),
        ("github.com:o/r.git", "auto", "https://github.com/o/r", "github"),
        ("https://github.com/o/r", "auto", "https://github.com/o/r", "github"),
        ("https://github.com/o/r.git", "auto", "https://github.com/o/r", "github"),
        ("https://github.com/o/r/", "auto", "https://github.com/o/r", "github"),
        ("https://github.com/o/r.git/", "auto", "https://github.com/o/r", "github"),
        ("ssh://git@github.com/o/r.git", "auto", "https://github.com/o/r", "github"),
        ("ssh://git@github.com:22/o/r.git", "auto", "https://github.com/o/r", "github"),
        ("git://github.com/o/r.git", "auto", "https://github.com/o/r", "github"),
        ("git+ssh://git@github.com/o/r.git", "auto", "https://github.com/o/r", "github"),
        ("  https://github.com/o/r.git\n", "auto", "https://github.com/o/r", "github"),
        ("https://GitHub.com/o/r", "auto", "https://github.com/o/r", "github"),
        # GitHub Enterprise Server
        ("git@github.acme.com:o/r.git", "auto", "https://github.acme.com/o/r", "github"),
        # GitLab: subgroups, SSH on its own port (not the web port), self-hosted by name or config
        ("git@gitlab.com:g/sub/r.git", "auto", "https://gitlab.com/g/sub/r", "gitlab"),
        (
            "https://gitlab.com/g/sub/deeper/r",
            "auto",
            "https://gitlab.com/g/sub/deeper/r",
            "gitlab",
        ),
        (
            "ssh://git@gitlab.example.com:2222/g/sub/r.git",
            "gitlab",
            "https://gitlab.example.com/g/sub/r",
            "gitlab",
        ),
        (
            "ssh://git@gitlab.example.com:2222/g/sub/r.git",
            "auto",
            "https://gitlab.example.com/g/sub/r",
            "gitlab",
        ),
        (
            "ssh://git@code.example.com:2222/g/r.git",
            "gitlab",
            "https://code.example.com/g/r",
            "gitlab",
        ),
        # an HTTPS port is the web port
        (
            "https://git.example.com:8443/g/r.git",
            "gitea",
            "https://git.example.com:8443/g/r",
            "gitea",
        ),
        # Gitea / Forgejo
        ("https://codeberg.org/o/r.git", "auto", "https://codeberg.org/o/r", "gitea"),
        ("git@codeberg.org:o/r.git", "auto", "https://codeberg.org/o/r", "gitea"),
        ("https://gitea.com/o/r", "auto", "https://gitea.com/o/r", "gitea"),
        ("https://gitea.acme.dev/o/r", "auto", "https://gitea.acme.dev/o/r", "gitea"),
        ("git@forgejo.acme.dev:o/r.git", "auto", "https://forgejo.acme.dev/o/r", "gitea"),
        # Bitbucket
        ("git@bitbucket.org:team/r.git", "auto", "https://bitbucket.org/team/r", "bitbucket"),
        ("https://bitbucket.org/team/r.git", "auto", "https://bitbucket.org/team/r", "bitbucket"),
        (
            "https://someone@bitbucket.org/team/r.git",
            "auto",
            "https://bitbucket.org/team/r",
            "bitbucket",
        ),
        # an explicit forge wins over the host's name
        ("https://github.com/o/r", "gitea", "https://github.com/o/r", "gitea"),
    ],
)
def test_forge_links_table(remote: str, forge: str, base: str, kind: str) -> None:
    links = forge_links(remote, forge)

    assert links == ForgeLinks(base, kind)


@pytest.mark.parametrize(
    ("remote", "forge"),
    [
        (None, "auto"),
        ("", "auto"),
        ("https://github.com/o/r.git", "none"),
        ("git@github.com:o/r.git", "none"),
        ("https://git.example.com/o/r.git", "auto"),  # unknown host, no forge configured
        ("git@example.org:o/r.git", "auto"),
        ("/srv/git/r.git", "auto"),  # a local path
        ("/srv/git/r.git", "github"),
        ("file:///srv/git/r.git", "auto"),
        ("file:///srv/git/r.git", "github"),
        ("../r.git", "auto"),
        ("C:/repos/r.git", "auto"),
        ("ftp://github.com/o/r.git", "auto"),
        ("https://github.com/", "auto"),  # no owner/name
        ("https://github.com/r.git", "auto"),
        ("git@github.com:r.git", "auto"),
        ("https:///o/r", "auto"),  # no host
    ],
)
def test_no_links(remote: str | None, forge: str) -> None:
    assert forge_links(remote, forge) is None


@pytest.mark.parametrize(
    "remote",
    [
        "https://user:TOKEN@github.com/o/r.git",
        "https://x-access-token:TOKEN@github.com/o/r",
        "https://TOKEN@github.com/o/r.git",
        "https://oauth2:TOKEN@gitlab.com/g/r.git",
        "https://user:TOKEN@bitbucket.org/team/r.git",
        "ssh://TOKEN@gitlab.example.com:2222/g/r.git",
        "http://user:TOKEN@codeberg.org:3000/o/r.git",
    ],
)
def test_credentials_never_reach_a_link(remote: str) -> None:
    links = forge_links(remote, "auto")

    assert links is not None
    produced = [
        links.base,
        links.commit("0" * 40),
        links.compare("v1.0.0", "v1.1.0"),
        links.tree("v1.0.0"),
        links.issue("9"),
        links.merge_request("7"),
    ]
    assert not any("TOKEN" in url for url in produced), produced
    assert not any("@" in url for url in produced), produced


SHA = "3f2a91c0" + "0" * 32


@pytest.mark.parametrize(
    ("forge", "expected"),
    [
        (
            "github",
            (
                f"https://h/o/r/commit/{SHA}",
                "https://h/o/r/compare/v1.3.0...v1.4.0",
                "https://h/o/r/tree/v1.4.0",
                "https://h/o/r/issues/12",
                "https://h/o/r/pull/7",
            ),
        ),
        (
            "gitea",
            (
                f"https://h/o/r/commit/{SHA}",
                "https://h/o/r/compare/v1.3.0...v1.4.0",
                "https://h/o/r/tree/v1.4.0",
                "https://h/o/r/issues/12",
                "https://h/o/r/pull/7",
            ),
        ),
        (
            "gitlab",
            (
                f"https://h/o/r/-/commit/{SHA}",
                "https://h/o/r/-/compare/v1.3.0...v1.4.0",
                "https://h/o/r/-/tree/v1.4.0",
                "https://h/o/r/-/issues/12",
                "https://h/o/r/-/merge_requests/7",
            ),
        ),
        (
            "bitbucket",
            (
                f"https://h/o/r/commits/{SHA}",
                "https://h/o/r/branches/compare/v1.4.0%0Dv1.3.0",
                "https://h/o/r/src/v1.4.0",
                "https://h/o/r/issues/12",
                "https://h/o/r/pull-requests/7",
            ),
        ),
    ],
)
def test_url_shapes(forge: str, expected: tuple[str, str, str, str, str]) -> None:
    links = ForgeLinks("https://h/o/r", forge)
    commit, compare, tree, issue, merge_request = expected

    assert links.commit(SHA) == commit
    assert links.compare("v1.3.0", "v1.4.0") == compare
    assert links.tree("v1.4.0") == tree
    assert links.issue("12") == issue
    assert links.merge_request("7") == merge_request


@pytest.mark.parametrize("forge", FORGES)
def test_tags_are_quoted_in_urls(forge: str) -> None:
    """A tag format may hold characters a URL path cannot (``/``, ``+`` of build metadata)."""
    links = ForgeLinks("https://h/o/r", forge)

    compare = links.compare("app/v1.0.0", "app/v1.1.0+build 5")
    tree = links.tree("app/v1.1.0+build 5")

    assert " " not in compare
    assert " " not in tree
    assert "%20" in tree
    assert "+" not in compare.replace("%2B", "")


def test_a_plain_http_remote_keeps_its_scheme() -> None:
    """A self-hosted forge served over plain HTTP (Gitea's default :3000) has no HTTPS page:
    the links must use the scheme (and port) the remote uses."""
    links = forge_links("http://gitea.local:3000/o/r.git", "gitea")

    assert links == ForgeLinks("http://gitea.local:3000/o/r", "gitea")


def test_every_configurable_forge_is_known() -> None:
    assert set(FORGES) == {"github", "gitlab", "gitea", "bitbucket"}
    for forge in FORGES:
        assert forge_links("ssh://git@h.example:2222/o/r.git", forge) == ForgeLinks(
            "https://h.example/o/r", forge
        )
