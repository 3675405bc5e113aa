"""The forge client against a local HTTP server that checks every request (tests/forge_server.py).

That server is NOT GitHub: no real forge can run here (testinfra/README.md, section 5). It is
strict about what GitHub documents (headers, fields, types), answers as GitHub does (201, 404,
401, 422 ``already_exists``) and fails on request, so these tests cover the conversation a
release has: create, find, re-runs, lost races, retries, refusals, and where the token goes.
Sleeps are injected and recorded: no test waits.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator

import pytest

from forge_server import ForgeServer
from leaks import leaked
from versionbot.core.errors import ForgeError, VersionbotError
from versionbot.forge.github import GitHubForge
from versionbot.forge.model import Forge, ForgeRelease, PublishedRelease
from versionbot.forge.settings import github_forge

TOKEN = "ghp_TESTTOKEN1234567890abcdef"
WRONG_TOKEN = "ghp_WRONGTOKEN0987654321fedcba"
SHA = "3f2a91c0" + "0" * 32
NOTES = "## 1.4.0\n\n### Features\n\n- **api:** add the thing ([3f2a91c](https://x))\n"
TAGS = "/repos/acme/app/releases/tags/v1.4.0"
RELEASES = "/repos/acme/app/releases"


@pytest.fixture(scope="module")
def github_server() -> Iterator[ForgeServer]:
    with ForgeServer(TOKEN) as server:
        yield server


@pytest.fixture
def server(github_server: ForgeServer) -> Iterator[ForgeServer]:
    github_server.reset()
    yield github_server
    assert github_server.violations == []


@pytest.fixture
def sleeps() -> list[float]:
    return []


def connect(
    server: ForgeServer,
    sleeps: list[float],
    *,
    token: str = TOKEN,
    repository: str = "acme/app",
    api_url: str | None = None,
) -> GitHubForge:
    """The forge the bot would build in GitHub Actions pointed at ``server``."""
    env = {
        "GITHUB_API_URL": api_url or server.url,
        "GITHUB_REPOSITORY": repository,
        "GITHUB_TOKEN": token,
    }
    forge = github_forge(env, None, sleep=sleeps.append)
    assert isinstance(forge, GitHubForge)
    return forge


def publish(
    forge: Forge, tag: str = "v1.4.0", *, prerelease: bool = False, latest: bool = True
) -> PublishedRelease:
    """``create_release`` as the bot calls it for ``tag``, named after the tag."""
    return forge.create_release(
        tag, target=SHA, name=tag, body=NOTES, prerelease=prerelease, latest=latest
    )


def create(
    forge: Forge, tag: str = "v1.4.0", *, prerelease: bool = False, latest: bool = True
) -> ForgeRelease:
    """The release ``publish`` made or found."""
    return publish(forge, tag, prerelease=prerelease, latest=latest).release


# -- the happy paths --------------------------------------------------------------------------


def test_create_looks_up_the_tag_then_posts_the_release(
    server: ForgeServer, sleeps: list[float]
) -> None:
    with connect(server, sleeps) as forge:
        release = create(forge)

    assert server.calls() == [("GET", TAGS), ("POST", RELEASES)]
    assert server.requests[1].body == {
        "tag_name": "v1.4.0",
        "target_commitish": SHA,
        "name": "v1.4.0",
        "body": NOTES,
        "draft": False,
        "prerelease": False,
        "make_latest": "true",
    }
    assert release == ForgeRelease(
        id=1,
        tag="v1.4.0",
        url=f"http://127.0.0.1:{server.port}/acme/app/releases/tag/v1.4.0",
        body=NOTES,
        prerelease=False,
        name="v1.4.0",
    )
    assert [r["tag_name"] for r in server.releases_of()] == ["v1.4.0"]
    assert sleeps == []


def test_a_backport_prerelease_is_not_made_latest(server: ForgeServer, sleeps: list[float]) -> None:
    with connect(server, sleeps) as forge:
        release = create(forge, "v1.4.0-rc.1", prerelease=True, latest=False)

    assert release.prerelease is True
    assert server.requests[-1].body["make_latest"] == "false"
    assert server.requests[-1].body["prerelease"] is True


def test_find_returns_the_release_or_none(server: ForgeServer, sleeps: list[float]) -> None:
    server.add_release("v1.3.0", body="old notes")
    with connect(server, sleeps) as forge:
        found = forge.find_release("v1.3.0")
        missing = forge.find_release("v9.9.9")

    assert found is not None
    assert (found.tag, found.body, found.id) == ("v1.3.0", "old notes", 1)
    assert missing is None
    assert server.calls() == [
        ("GET", "/repos/acme/app/releases/tags/v1.3.0"),
        ("GET", "/repos/acme/app/releases/tags/v9.9.9"),
    ]


def test_a_tag_with_a_slash_is_one_path_segment(server: ForgeServer, sleeps: list[float]) -> None:
    with connect(server, sleeps) as forge:
        made = create(forge, "api/v2.0.0")
        found = forge.find_release("api/v2.0.0")

    assert found == made
    assert server.requests[0].path == "/repos/acme/app/releases/tags/api%2Fv2.0.0"


def test_enterprise_server_base_url_with_a_path(server: ForgeServer, sleeps: list[float]) -> None:
    """GITHUB_API_URL is ``https://HOST/api/v3`` on GitHub Enterprise Server: the path is kept."""
    with connect(server, sleeps, api_url=server.url + "/api/v3/") as forge:
        assert forge.find_release("v1.4.0") is None

    assert server.requests[0].path == "/api/v3/repos/acme/app/releases/tags/v1.4.0"


# -- re-runs converge -------------------------------------------------------------------------


def test_creating_again_returns_the_same_release_and_writes_nothing(
    server: ForgeServer, sleeps: list[float]
) -> None:
    with connect(server, sleeps) as forge:
        first = publish(forge)
        second = publish(forge)

    assert second.release == first.release
    assert (first.created, second.created) == (True, False)
    assert server.calls() == [("GET", TAGS), ("POST", RELEASES), ("GET", TAGS)]
    assert len(server.releases_of()) == 1


def test_an_existing_release_that_says_something_else_is_updated(
    server: ForgeServer, sleeps: list[float]
) -> None:
    server.add_release("v1.4.0", body="half-written notes", prerelease=True)
    with connect(server, sleeps) as forge:
        release = create(forge)

    assert server.calls() == [("GET", TAGS), ("PATCH", f"{RELEASES}/1")]
    assert server.requests[-1].body == {
        "name": "v1.4.0",
        "body": NOTES,
        "draft": False,
        "prerelease": False,
        "make_latest": "true",
    }
    assert (release.id, release.body, release.prerelease) == (1, NOTES, False)
    assert len(server.releases_of()) == 1


def test_losing_the_race_to_another_run_converges_on_its_release(
    server: ForgeServer, sleeps: list[float]
) -> None:
    """The look-up finds nothing, another run creates the release, our POST gets 422
    already_exists: we fetch theirs and bring it to what we would have written."""
    server.race_next_create()
    with connect(server, sleeps) as forge:
        made = publish(forge)

    assert not made.created  # the other run's create won
    release = made.release
    assert server.calls() == [
        ("GET", TAGS),
        ("POST", RELEASES),
        ("GET", TAGS),
        ("PATCH", f"{RELEASES}/1"),
    ]
    assert (release.id, release.body) == (1, NOTES)
    assert len(server.releases_of()) == 1


def test_a_lost_answer_to_a_create_is_retried_without_a_duplicate(
    server: ForgeServer, sleeps: list[float]
) -> None:
    """The release was made but the answer was a 502: the retried POST meets already_exists."""
    server.lose_next_create_answer()
    with connect(server, sleeps) as forge:
        release = create(forge)

    assert server.calls() == [("GET", TAGS), ("POST", RELEASES), ("POST", RELEASES), ("GET", TAGS)]
    assert release.body == NOTES
    assert len(server.releases_of()) == 1
    assert sleeps == [1.0]


# -- retries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_are_retried_with_backoff(
    server: ForgeServer, sleeps: list[float], status: int
) -> None:
    server.fail_next(3, status)
    with connect(server, sleeps) as forge:
        release = create(forge)

    assert release.tag == "v1.4.0"
    assert sleeps == [1.0, 2.0, 4.0]
    assert server.calls()[-2:] == [("GET", TAGS), ("POST", RELEASES)]


def test_retry_after_is_honoured_and_capped(server: ForgeServer, sleeps: list[float]) -> None:
    server.fail_next(1, 429, retry_after="7")
    server.fail_next(1, 403, retry_after="3600")  # GitHub's secondary rate limit
    with connect(server, sleeps) as forge:
        assert forge.find_release("v1.4.0") is None

    assert sleeps == [7.0, 30.0]


def test_dropped_connections_are_retried(server: ForgeServer, sleeps: list[float]) -> None:
    server.disconnect_next(2)
    with connect(server, sleeps) as forge:
        release = create(forge)

    assert release.tag == "v1.4.0"
    assert sleeps == [1.0, 2.0]


def test_retries_are_bounded(server: ForgeServer, sleeps: list[float]) -> None:
    server.fail_next(50, 503)
    with connect(server, sleeps) as forge, pytest.raises(ForgeError) as caught:
        create(forge)

    assert caught.value.message == (
        "GitHub failed to read the release of v1.4.0 in acme/app after 5 tries "
        "(503 Service Unavailable)"
    )
    assert "run again later" in caught.value.hint
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert len(server.requests) == 5


def test_an_unreachable_api_is_a_forge_error(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"GITHUB_API_URL": f"http://127.0.0.1:{port}", "GITHUB_REPOSITORY": "acme/app"}
    forge = github_forge({**env, "GH_TOKEN": TOKEN}, None, sleep=sleeps.append)
    assert forge is not None

    with pytest.raises(ForgeError) as caught:
        forge.find_release("v1.4.0")

    assert caught.value.message.startswith(
        f"cannot reach GitHub at http://127.0.0.1:{port} after 5 tries: ConnectError"
    )
    assert caught.value.exit_code == 7
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


# -- refusals -----------------------------------------------------------------------------------


def test_a_refused_token_is_named_without_the_token(
    server: ForgeServer, sleeps: list[float]
) -> None:
    with connect(server, sleeps, token=WRONG_TOKEN) as forge, pytest.raises(ForgeError) as caught:
        create(forge)

    assert caught.value.message == "GitHub refused the token for acme/app (401)"
    assert "`contents: write`" in caught.value.hint
    assert isinstance(caught.value, VersionbotError)
    assert caught.value.exit_code == 7
    assert sleeps == []  # a 401 is not retried


def test_an_unknown_repository_is_a_404_error(server: ForgeServer, sleeps: list[float]) -> None:
    with connect(server, sleeps, repository="acme/gone") as forge:
        assert forge.find_release("v1.4.0") is None  # GitHub cannot tell "no release" apart
        with pytest.raises(ForgeError) as caught:
            create(forge)

    assert caught.value.message == (
        "GitHub has no repository acme/gone, or the token cannot see it (404)"
    )
    assert "GITHUB_REPOSITORY" in caught.value.hint


def test_a_validation_failure_shows_githubs_message(
    server: ForgeServer, sleeps: list[float]
) -> None:
    with connect(server, sleeps) as forge, pytest.raises(ForgeError) as caught:
        create(forge, "v1.4.0..bad")

    assert caught.value.message == (
        "GitHub refused to create the release v1.4.0..bad in acme/app (422): "
        "Validation Failed tag_name is not a valid tag"
    )
    assert "\n" not in caught.value.message
    assert "v1.4.0..bad" in caught.value.hint


# -- the token never shows ----------------------------------------------------------------------


def _refused_token(server: ForgeServer, sleeps: list[float]) -> None:
    create(connect(server, sleeps, token=WRONG_TOKEN))


def _unknown_repository(server: ForgeServer, sleeps: list[float]) -> None:
    create(connect(server, sleeps, repository="acme/gone"))


def _validation(server: ForgeServer, sleeps: list[float]) -> None:
    create(connect(server, sleeps), "bad tag")


def _server_errors(server: ForgeServer, sleeps: list[float]) -> None:
    server.fail_next(50, 502)
    create(connect(server, sleeps))


def _rate_limited(server: ForgeServer, sleeps: list[float]) -> None:
    server.fail_next(50, 429, retry_after="1")
    create(connect(server, sleeps))


def _dropped(server: ForgeServer, sleeps: list[float]) -> None:
    server.disconnect_next(50)
    create(connect(server, sleeps))


def _unreachable(server: ForgeServer, sleeps: list[float]) -> None:
    create(connect(server, sleeps, api_url="http://127.0.0.1:1"))


def _a_draft_holds_the_tag(server: ForgeServer, sleeps: list[float]) -> None:
    server.add_release("v1.4.0", draft=True)
    create(connect(server, sleeps))


SCENARIOS: dict[str, Callable[[ForgeServer, list[float]], None]] = {
    "401": _refused_token,
    "404": _unknown_repository,
    "422": _validation,
    "5xx": _server_errors,
    "429": _rate_limited,
    "disconnect": _dropped,
    "unreachable": _unreachable,
    "draft": _a_draft_holds_the_tag,
}


@pytest.mark.parametrize("echo", [False, True], ids=["plain", "echoing-proxy"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_failure_shows_the_token(
    server: ForgeServer,
    scenario: str,
    echo: bool,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every failure, even from a server that quotes our Authorization header back, is told
    without the token: in the message, the hint, the repr, the traceback, the logs, stdout."""
    if echo:
        server.echo_credentials()
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log requests at DEBUG/INFO

    with pytest.raises(ForgeError) as caught:
        SCENARIOS[scenario](server, [])

    error = caught.value
    out, err = capsys.readouterr()
    shown = [
        str(error),
        repr(error),
        error.message,
        error.hint,
        "".join(traceback.format_exception(error)),
        caplog.text,
        *(repr(record.args) for record in caplog.records),
        out,
        err,
    ]
    for text in shown:
        assert not leaked(TOKEN, text)
        assert not leaked(WRONG_TOKEN, text)
        assert "ghp_" not in text
    assert "\n" not in error.message
    if echo and scenario == "422":  # the server's words are shown, with the token blacked out
        # ... as is, URL-encoded and inside base64.
        assert "(you sent Authorization: Bearer ***; Bearer%20***; Basic " in error.message


def test_the_forge_repr_holds_no_token(server: ForgeServer, sleeps: list[float]) -> None:
    with connect(server, sleeps) as forge:
        assert TOKEN not in repr(forge)
        assert repr(forge) == f"GitHubForge(api_url='{server.url}', repository='acme/app')"
