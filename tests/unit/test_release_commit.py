"""core/release_commit.py: which trailers count, and when a commit is the bot's release commit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from versionbot.core.config import Config, Package
from versionbot.core.history import TagFormat
from versionbot.core.release_commit import (
    is_release_commit,
    named_releases,
    release_files,
    release_trailers,
    trailer_lines,
)

SHA = "a" * 40
ONE = Config(version_files=("pyproject.toml", "src/pkg/__init__.py:__version__"))


def _monorepo() -> Config:
    def package(name: str) -> Package:
        settings = Config(
            tag_format=TagFormat(f"{name}-v{{version}}"),
            version_files=(f"{name}/VERSION:regex:(?P<version>.+)",),
        )
        return Package(name, name, settings)

    return Config(packages=(package("api"), package("web")))


@pytest.mark.parametrize(
    ("message", "names"),
    [
        ("chore(release): 1.4.0\n\nVersionbot-Release: 1.4.0\n", ["1.4.0"]),
        ("chore(release): 1.4.0\r\n\r\nVersionbot-Release: 1.4.0\r\n", ["1.4.0"]),
        (
            "chore: x\n\nVersionbot-Release: api-v1.0.0\nVersionbot-Release: web-v2.0.0",
            [
                "api-v1.0.0",
                "web-v2.0.0",
            ],
        ),
        # A forge's own trailers, in a paragraph of their own after the bot's.
        ("chore: x\n\nVersionbot-Release: 1.4.0\n\nCo-authored-by: A <a@b>\n", ["1.4.0"]),
        ("chore: x\n\nSigned-off-by: A <a@b>\nVersionbot-Release: 1.4.0\n", ["1.4.0"]),
        # Quoted in the body: prose, wherever it is.
        ("fix: x\n\nquoted:\nVersionbot-Release: 1.4.0\nand more prose", []),
        ("fix: x\n\nVersionbot-Release: 1.4.0\n\nthe body goes on", []),
        ("Versionbot-Release: 1.4.0", []),  # the subject is no trailer
        ("fix: x\n\nVersionbot-Release:1.4.0 extra", []),
        ("fix: x\n\nversionbot-release: 1.4.0", []),
    ],
)
def test_only_the_trailer_block_marks_a_release(message: str, names: list[str]) -> None:
    assert release_trailers(message) == names


@given(st.lists(st.from_regex(r"[a-z]{1,5}-v[0-9]\.[0-9]\.[0-9]", fullmatch=True), min_size=1))
def test_the_trailers_the_bot_writes_read_back(names: list[str]) -> None:
    assert release_trailers(f"chore(release): x\n\n{trailer_lines(names)}") == names


def test_a_release_commit_changes_only_the_named_releases_files() -> None:
    own = ["pyproject.toml", "src/pkg/__init__.py", "CHANGELOG.md"]
    assert is_release_commit(SHA, ["1.4.0"], ONE, {}, own)
    assert is_release_commit(SHA, ["1.4.0"], ONE, {}, ["CHANGELOG.md"])
    assert not is_release_commit(SHA, ["1.4.0"], ONE, {}, [*own, "src/pkg/api.py"])
    assert not is_release_commit(SHA, ["1.4.0"], ONE, {}, [])  # an empty commit proves nothing
    assert not is_release_commit(SHA, ["soon"], ONE, {}, own)  # no version: no release
    assert not is_release_commit(SHA, [], ONE, {}, own)


def test_a_tag_the_trailers_name_on_the_commit_makes_it_a_release_commit() -> None:
    assert is_release_commit(SHA, ["1.4.0"], ONE, {"v1.4.0": SHA}, ["src/pkg/api.py"])
    assert not is_release_commit(SHA, ["1.4.0"], ONE, {"v1.4.0": "b" * 40}, ["src/pkg/api.py"])
    assert not is_release_commit(SHA, ["1.4.0"], ONE, {"v1.5.0": SHA}, ["src/pkg/api.py"])


def test_in_a_monorepo_the_files_are_the_named_packages() -> None:
    config = _monorepo()
    assert is_release_commit(SHA, ["api-v1.1.0"], config, {}, ["api/VERSION", "CHANGELOG.md"])
    assert not is_release_commit(SHA, ["api-v1.1.0"], config, {}, ["web/VERSION"])
    assert not is_release_commit(SHA, ["app-v1.1.0"], config, {}, ["api/VERSION"])
    assert is_release_commit(SHA, ["web-v2.0.0"], config, {"web-v2.0.0": SHA}, ["web/x.py"])
    [named] = named_releases(["web-v2.0.0"], config) or ()
    assert (named.package.name, str(named.version)) == ("web", "2.0.0")
    assert release_files(named.package.config) == {"CHANGELOG.md", "web/VERSION"}
