"""One commit-type rule: the parser, ``[check] types`` and ``[bump]`` keys accept the same words."""

from __future__ import annotations

import doctest

import pytest

import versionbot.core.commits
from versionbot.core.commits import ParsedCommit, is_commit_type, parse_commit
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError

WORDS = ["feat", "Fix", "no-ci_2", "x", "fé", "ß", "a²", "2fix", "-x", "_x", "fe at", "a.b"]


def test_the_module_doctests_pass() -> None:
    assert doctest.testmod(versionbot.core.commits).failed == 0


@pytest.mark.parametrize("word", WORDS)
def test_a_type_is_what_the_parser_reads_as_one(word: str) -> None:
    parsed = isinstance(parse_commit(f"{word}: x"), ParsedCommit)
    assert is_commit_type(word) is parsed


@pytest.mark.parametrize("word", WORDS)
def test_check_and_bump_accept_the_parser_types_and_nothing_else(word: str) -> None:
    for mapping in ({"check": {"types": [word]}}, {"bump": {word: "patch"}}):
        if is_commit_type(word):
            config_from_mapping(mapping)
        else:
            with pytest.raises(ConfigError):
                config_from_mapping(mapping)
