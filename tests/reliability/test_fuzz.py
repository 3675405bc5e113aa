"""Hypothesis on what tests/property/ does not cover yet: the configuration loader, and the
changelog's escaping of hostile commit text.

(The parser never raising and the inserter keeping every byte and being idempotent are
tests/property/test_prop_commits.py and test_insert_property.py.)
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.changelog import escape_block, escape_inline
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.config_tables import TOP_LEVEL_KEYS
from versionbot.core.errors import ConfigError
from versionbot.files.config_file import load_config

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(
    [
        *TOP_LEVEL_KEYS,
        "names",
        "source",
        "tags",
        "file",
        "sections",
        "feat",
        "fix",
        "*",
        "name",
        "email",
        "types",
        "platforms",
        "unknown",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["v{version}", "{version}", "0.1.0", "major", "patch", "none", "main", "*"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)


def _config_error(load: Callable[[], object]) -> ConfigError | None:
    """The ConfigError ``load`` raises, or None; any other exception fails the test."""
    try:
        load()
    except ConfigError as exc:
        return exc
    return None


@SETTINGS
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_mapping_is_a_config_or_a_config_error(mapping: dict[str, Any]) -> None:
    error = _config_error(lambda: config_from_mapping(mapping, "versionbot.toml"))
    if error is not None:
        assert error.message
        assert "\n" not in error.message
        assert error.hint
        assert "\n" not in error.hint


@SETTINGS
@given(st.text(alphabet=string.printable, max_size=200))
def test_any_versionbot_toml_is_a_config_or_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    root = tmp_path_factory.mktemp("fuzz-config")
    Path(root, "versionbot.toml").write_text(text, encoding="utf-8")
    error = _config_error(lambda: load_config(root))
    if error is not None:
        assert error.message
        assert error.hint


HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(list("<>[]()`*_#|{}%\\!\x1b\x07\x00\x9b")),
    ),
    max_size=60,
)


@SETTINGS
@given(HOSTILE_TEXT)
def test_escaped_commit_text_holds_no_control_character_or_raw_html(text: str) -> None:
    for escaped in (escape_inline(text), escape_block(text)):
        assert not any(ord(c) < 0x20 and c not in "\t\n" for c in escaped)
        assert not any(0x7F <= ord(c) < 0xA0 for c in escaped)
        assert "<" not in escaped
        assert ">" not in escaped
