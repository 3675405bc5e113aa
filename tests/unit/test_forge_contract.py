"""The contract with GitHub's REST API: the exact requests the forge client sends.

Follows, and pins the client to, these pages (API version 2022-11-28):

- "Get a release by tag name", GET /repos/{owner}/{repo}/releases/tags/{tag}:
  https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name
- "Create a release", POST /repos/{owner}/{repo}/releases:
  https://docs.github.com/en/rest/releases/releases#create-a-release
- "Update a release", PATCH /repos/{owner}/{repo}/releases/{release_id}:
  https://docs.github.com/en/rest/releases/releases#update-a-release
- headers: https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api

Each call goes through ``httpx.MockTransport`` (in memory, no sockets), which hands us the request
as it would go on the wire: method, URL (percent-encoding included), headers and JSON body. The
same client against a real local HTTP server is in tests/integration/test_forge.py. Also here:
where the repository, API URL and token come from (GITHUB_REPOSITORY, remote URLs, GitHub
Enterprise via GITHUB_API_URL), retry timing, and redaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

import versionbot.forge.github as forge_module
from versionbot import __version__
from versionbot.core.errors import ForgeError, VersionbotError
from versionbot.core.redaction import redact
from versionbot.core.retries import RetryPolicy
from versionbot.forge.github import FORGE_RETRIES, GitHubForge
from versionbot.forge.model import ForgeRelease, PublishedRelease
from versionbot.forge.settings import (
    github_forge,
    github_settings,
    missing_forge_settings,
    repository_from_remote,
)

TOKEN = "ghp_TESTTOKEN1234567890abcdef"
SHA = "3f2a91c0" + "0" * 32
GITHUB_HEADERS = {
    "authorization": f"Bearer {TOKEN}",
    "accept": "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": f"versionbot/{__version__}",
}
RELEASE_JSON = {
    "id": 17,
    "tag_name": "v1.4.0",
    "name": "v1.4.0",
    "body": "notes",
    "draft": False,
    "prerelease": False,
    "html_url": "https://github.com/acme/app/releases/tag/v1.4.0",
    "url": "https://api.github.com/repos/acme/app/releases/17",
}
RELEASE = ForgeRelease(
    id=17,
    tag="v1.4.0",
    url="https://github.com/acme/app/releases/tag/v1.4.0",
    body="notes",
    prerelease=False,
    name="v1.4.0",
)

Answer = tuple[int, object] | tuple[int, object, dict[str, str]]


class Wire:
    """A transport that records each request and answers from a script of (status, json)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, payload, *rest = self.answers.pop(0)
        return httpx.Response(status, json=payload, headers=rest[0] if rest else None)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def github(wire: Wire, sleeps: list[float] | None = None, **env: str) -> GitHubForge:
    variables = {"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": TOKEN, **env}
    sleep: Callable[[float], None] = (sleeps if sleeps is not None else []).append
    forge = github_forge(variables, None, sleep=sleep, transport=wire.transport)
    assert isinstance(forge, GitHubForge)
    return forge


def headers_of(request: httpx.Request) -> dict[str, str]:
    """The headers that matter to the contract (httpx adds transport-level ones)."""
    wanted = ("authorization", "accept", "x-github-api-version", "user-agent", "content-type")
    return {k: v for k, v in request.headers.items() if k in wanted}


# -- the documentation this module follows --------------------------------------------------------


def test_the_client_names_the_pages_it_follows() -> None:
    docs = "https://docs.github.com/en/rest/releases/releases"
    assert f"{docs}#create-a-release" == forge_module.CREATE_DOCS
    assert f"{docs}#get-a-release-by-tag-name" == forge_module.BY_TAG_DOCS
    assert f"{docs}#update-a-release" == forge_module.UPDATE_DOCS
    module_doc = forge_module.__doc__ or ""
    for page in (forge_module.CREATE_DOCS, forge_module.BY_TAG_DOCS, forge_module.UPDATE_DOCS):
        assert page in module_doc
    for title in ('"Create a release"', '"Get a release by tag name"', '"Update a release"'):
        assert title in module_doc


# -- request shapes -------------------------------------------------------------------------------


def test_get_a_release_by_tag_name() -> None:
    wire = Wire((200, RELEASE_JSON))
    assert github(wire).find_release("v1.4.0") == RELEASE

    (request,) = wire.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.github.com/repos/acme/app/releases/tags/v1.4.0"
    assert headers_of(request) == GITHUB_HEADERS
    assert request.content == b""


def test_a_missing_release_is_none() -> None:
    wire = Wire((404, {"message": "Not Found"}))
    assert github(wire).find_release("v1.4.0") is None


@pytest.mark.parametrize(
    ("tag", "path"),
    [
        ("v1.4.0", "/repos/acme/app/releases/tags/v1.4.0"),
        ("api/v2.0.0", "/repos/acme/app/releases/tags/api%2Fv2.0.0"),
        ("@acme/ui@1.0.0", "/repos/acme/app/releases/tags/%40acme%2Fui%401.0.0"),
        ("v1.0.0+build.7", "/repos/acme/app/releases/tags/v1.0.0%2Bbuild.7"),
    ],
)
def test_the_tag_is_one_encoded_path_segment(tag: str, path: str) -> None:
    wire = Wire((404, {"message": "Not Found"}))
    github(wire).find_release(tag)
    assert wire.requests[0].url.raw_path.decode() == path


def test_create_a_release() -> None:
    wire = Wire((404, {"message": "Not Found"}), (201, RELEASE_JSON))
    made = github(wire).create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes", prerelease=False, latest=True
    )

    assert made == PublishedRelease(RELEASE, created=True)
    lookup, post = wire.requests
    assert (lookup.method, lookup.url.path) == ("GET", "/repos/acme/app/releases/tags/v1.4.0")
    assert post.method == "POST"
    assert str(post.url) == "https://api.github.com/repos/acme/app/releases"
    assert headers_of(post) == {**GITHUB_HEADERS, "content-type": "application/json"}
    assert json.loads(post.content) == {
        "tag_name": "v1.4.0",
        "target_commitish": SHA,
        "name": "v1.4.0",
        "body": "notes",
        "draft": False,
        "prerelease": False,
        "make_latest": "true",
    }


@pytest.mark.parametrize(
    ("prerelease", "latest", "make_latest"),
    [(False, True, "true"), (False, False, "false"), (True, True, "false"), (True, False, "false")],
)
def test_make_latest_is_the_string_github_takes(
    prerelease: bool, latest: bool, make_latest: str
) -> None:
    """A backport (not the highest final) and a prerelease never become "latest"."""
    wire = Wire((404, {}), (201, {**RELEASE_JSON, "prerelease": prerelease}))
    github(wire).create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes", prerelease=prerelease, latest=latest
    )
    sent = json.loads(wire.requests[1].content)
    assert sent["make_latest"] == make_latest
    assert sent["prerelease"] is prerelease


def test_update_a_release() -> None:
    wire = Wire((200, {**RELEASE_JSON, "body": "new"}))
    release = github(wire).update_release(
        17, name="v1.4.0", body="new", prerelease=False, latest=False
    )

    assert release.body == "new"
    (patch,) = wire.requests
    assert patch.method == "PATCH"
    assert str(patch.url) == "https://api.github.com/repos/acme/app/releases/17"
    assert headers_of(patch) == {**GITHUB_HEADERS, "content-type": "application/json"}
    assert json.loads(patch.content) == {
        "name": "v1.4.0",
        "body": "new",
        "draft": False,
        "prerelease": False,
        "make_latest": "false",
    }


def test_an_existing_identical_release_is_returned_untouched() -> None:
    wire = Wire((200, {**RELEASE_JSON, "body": "notes\r\n"}))
    made = github(wire).create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes\n", prerelease=False, latest=True
    )
    assert (made.release.id, made.created) == (17, False)
    assert [r.method for r in wire.requests] == ["GET"]


@pytest.mark.parametrize(
    "existing",
    [{"body": "other"}, {"name": "Release 1.4.0"}, {"prerelease": True}, {"draft": True}],
)
def test_an_existing_different_release_is_updated(existing: dict[str, object]) -> None:
    wire = Wire((200, {**RELEASE_JSON, **existing}), (200, RELEASE_JSON))
    made = github(wire).create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes", prerelease=False, latest=True
    )
    assert made == PublishedRelease(RELEASE, created=False)
    assert [(r.method, r.url.path) for r in wire.requests] == [
        ("GET", "/repos/acme/app/releases/tags/v1.4.0"),
        ("PATCH", "/repos/acme/app/releases/17"),
    ]


def test_already_exists_from_the_post_fetches_the_release() -> None:
    already = {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "already_exists", "field": "tag_name"}],
    }
    wire = Wire((404, {}), (422, already), (200, RELEASE_JSON))
    made = github(wire).create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes", prerelease=False, latest=True
    )
    # Another run's create won: this call did not make the release.
    assert made == PublishedRelease(RELEASE, created=False)
    assert [r.method for r in wire.requests] == ["GET", "POST", "GET"]


def test_other_422s_are_errors_with_githubs_words() -> None:
    invalid = {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": "invalid", "field": "target_commitish"}],
    }
    wire = Wire((404, {}), (422, invalid))
    with pytest.raises(ForgeError) as caught:
        github(wire).create_release(
            "v1.4.0", target=SHA, name="v1.4.0", body="n", prerelease=False, latest=True
        )
    assert caught.value.message == (
        "GitHub refused to create the release v1.4.0 in acme/app (422): "
        "Validation Failed target_commitish invalid"
    )


def test_an_answer_that_is_not_a_release_is_an_error() -> None:
    wire = Wire((200, ["not", "a", "release"]))
    with pytest.raises(ForgeError, match="not a release"):
        github(wire).find_release("v1.4.0")


def test_enterprise_server_urls_keep_the_api_path() -> None:
    wire = Wire((404, {}))
    github(wire, GITHUB_API_URL="https://github.acme.com/api/v3/").find_release("v1.4.0")
    assert str(wire.requests[0].url) == (
        "https://github.acme.com/api/v3/repos/acme/app/releases/tags/v1.4.0"
    )


# -- retries --------------------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(
        tries=8, base_delay=1.0, max_delay=30.0, retry_after_cap=30.0, total_sleep_cap=1e9
    )
    assert [policy.delay(n, None, 0.0) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.delay(8, None, 0.0) is None  # the last try failed: give up
    assert policy.delay(1, 12.0, 0.0) == 12.0
    assert policy.delay(1, 3600.0, 0.0) == 30.0
    assert policy.delay(1, -5.0, 0.0) == 0.0


def test_the_forge_policy_ends_a_failing_run_within_two_minutes() -> None:
    waits = [FORGE_RETRIES.delay(n, 30.0, 30.0 * (n - 1)) for n in range(1, 6)]
    assert waits == [30.0, 30.0, 30.0, 30.0, None]


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    sleeps: list[float] = []
    wire = Wire((503, {}, {"Retry-After": when}), (404, {}))
    assert github(wire, sleeps).find_release("v1.4.0") is None
    assert len(sleeps) == 1
    assert 15.0 <= sleeps[0] <= 20.0


def test_a_plain_403_is_not_retried_but_a_secondary_rate_limit_is() -> None:
    sleeps: list[float] = []
    wire = Wire((403, {"message": "Resource not accessible by integration"}))
    with pytest.raises(ForgeError) as caught:
        github(wire, sleeps).find_release("v1.4.0")
    assert caught.value.message == (
        "GitHub does not let the token read the release of v1.4.0 in acme/app (403): "
        "Resource not accessible by integration"
    )
    assert sleeps == []

    wire = Wire((403, {"message": "secondary rate limit"}, {"Retry-After": "2"}), (404, {}))
    assert github(wire, sleeps).find_release("v1.4.0") is None
    assert sleeps == [2.0]


def test_an_exhausted_primary_rate_limit_says_so() -> None:
    limit = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"}
    wire = Wire((403, {"message": "API rate limit exceeded"}, limit))
    with pytest.raises(ForgeError) as caught:
        github(wire).find_release("v1.4.0")
    assert caught.value.message.startswith("GitHub rate limit exhausted for acme/app (403)")
    assert "resets" in caught.value.hint


# -- where the settings come from -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "api_url", "repository"),
    [
        ("git@github.com:acme/app.git", None, "acme/app"),
        ("git@github.com:acme/app", None, "acme/app"),
        ("ssh://git@github.com/acme/app.git", None, "acme/app"),
        ("ssh://git@ssh.github.com:443/acme/app.git", None, "acme/app"),
        ("https://github.com/acme/app.git", None, "acme/app"),
        ("https://github.com/acme/app/", None, "acme/app"),
        ("https://x-access-token:ghs_secret123456789@github.com/acme/app.git", None, "acme/app"),
        ("https://GitHub.com/Acme/My.App.git", None, "Acme/My.App"),
        ("git://github.com/acme/app.git", None, "acme/app"),
        ("git@github.acme.com:acme/app.git", "https://github.acme.com/api/v3", "acme/app"),
        ("https://github.acme.com/acme/app", "https://github.acme.com/api/v3", "acme/app"),
        ("git@acme.ghe.com:acme/app.git", "https://api.acme.ghe.com", "acme/app"),
        ("git@github.acme.com:acme/app.git", None, None),  # Enterprise needs GITHUB_API_URL
        ("git@github.com:acme/app.git", "https://github.acme.com/api/v3", None),
        ("git@gitlab.com:acme/app.git", None, None),
        ("https://codeberg.org/acme/app.git", None, None),
        ("https://github.com/acme/app/sub.git", None, None),
        ("https://github.com/acme", None, None),
        ("/srv/git/app.git", None, None),
        ("file:///srv/git/app.git", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_repository_from_the_remote_url(
    remote: str | None, api_url: str | None, repository: str | None
) -> None:
    assert repository_from_remote(remote, api_url or "https://api.github.com") == repository


def test_github_repository_wins_over_the_remote() -> None:
    env = {"GITHUB_REPOSITORY": "acme/other", "GITHUB_TOKEN": TOKEN}
    forge = github_forge(env, "git@gitlab.com:acme/app.git")
    assert forge is not None
    assert forge.repository == "acme/other"


def test_the_repository_from_the_remote() -> None:
    forge = github_forge({"GH_TOKEN": TOKEN}, "git@github.com:acme/app.git")
    assert forge is not None
    assert forge.repository == "acme/app"


def test_not_github_and_no_github_repository_is_no_forge() -> None:
    assert github_forge({"GITHUB_TOKEN": TOKEN}, "git@gitlab.com:acme/app.git") is None
    assert github_forge({}, None) is None
    assert missing_forge_settings({}, "git@gitlab.com:acme/app.git") is None


def test_a_due_release_without_a_token_fails_before_anything_is_sent() -> None:
    with pytest.raises(ForgeError) as caught:
        github_forge({}, "git@github.com:acme/app.git")
    assert caught.value.message == (
        "cannot make the GitHub release for acme/app: no GITHUB_TOKEN or GH_TOKEN"
    )
    assert "contents: write" in caught.value.hint
    assert isinstance(caught.value, VersionbotError)
    assert caught.value.exit_code == 7


@pytest.mark.parametrize(
    ("env", "remote", "missing"),
    [
        ({"GITHUB_TOKEN": TOKEN}, "git@github.com:acme/app.git", None),
        ({"GH_TOKEN": TOKEN}, "git@github.com:acme/app.git", None),
        ({}, "git@github.com:acme/app.git", "no GITHUB_TOKEN or GH_TOKEN"),
        ({"GITHUB_TOKEN": "  "}, "git@github.com:acme/app.git", "no GITHUB_TOKEN or GH_TOKEN"),
        ({"GITHUB_REPOSITORY": "acme/app"}, None, "no GITHUB_TOKEN or GH_TOKEN"),
        (
            {"GITHUB_REPOSITORY": "acme", "GITHUB_TOKEN": TOKEN},
            None,
            "GITHUB_REPOSITORY 'acme' is not owner/name",
        ),
        (
            {"GITHUB_API_URL": "github.acme.com", "GITHUB_TOKEN": TOKEN},
            "git@github.com:acme/app.git",
            "GITHUB_API_URL is not an http(s) URL",
        ),
        (
            {"GITHUB_API_URL": f"https://bot:{TOKEN}@github.acme.com/api/v3"},
            None,
            "GITHUB_API_URL holds credentials; use GITHUB_TOKEN",
        ),
        (
            {"GITHUB_TOKEN": "ghp_two words"},
            "git@github.com:acme/app.git",
            "the GitHub token holds spaces or characters no token has",
        ),
        ({}, "git@gitlab.com:acme/app.git", None),
    ],
)
def test_missing_forge_settings(env: dict[str, str], remote: str | None, missing: str) -> None:
    assert missing_forge_settings(env, remote) == missing


def test_github_token_comes_before_gh_token_and_is_stripped() -> None:
    settings = github_settings(
        {"GITHUB_TOKEN": f" {TOKEN}\n", "GH_TOKEN": "ghp_other"}, "git@github.com:acme/app.git"
    )
    assert settings.token == TOKEN
    assert settings.api_url == "https://api.github.com"
    assert TOKEN not in repr(settings)


# -- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"Bad credentials {TOKEN}", "Bad credentials ***"),
        ("token ghp_0123456789abcdefghij here", "token *** here"),
        ("github_pat_11ABCDEFG0123456789_abcdefXYZ", "***"),
        ("gho_abcdefghijklmnop ghs_abcdefghijklmnop ghu_abcdefghij", "*** *** ***"),
        ("Authorization: Bearer sekret-value)", "Authorization: Bearer ***)"),
        ("authorization: token abc123", "authorization: token ***"),
        ("nothing to hide: ghp_", "nothing to hide: ghp_"),
        ("plain-custom-secret in text", "*** in text"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text, [TOKEN, "plain-custom-secret", ""]) == shown


def test_the_token_is_only_in_the_authorization_header() -> None:
    wire = Wire((404, {}), (201, RELEASE_JSON))
    forge = github(wire)
    forge.create_release(
        "v1.4.0", target=SHA, name="v1.4.0", body="notes", prerelease=False, latest=True
    )
    for request in wire.requests:
        assert TOKEN not in str(request.url)
        assert TOKEN not in request.content.decode()
        assert [v for v in request.headers.values() if TOKEN in v] == [f"Bearer {TOKEN}"]
    assert TOKEN not in repr(forge)


def test_a_token_no_header_can_carry_is_refused_without_echoing_it() -> None:
    with pytest.raises(ForgeError) as caught:
        GitHubForge("https://api.github.com", "acme/app", "ghp_abc\ndef")
    assert "ghp_abc" not in str(caught.value)
