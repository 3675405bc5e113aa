"""Version files: the spec syntax, every format's edit byte for byte, idempotence, every error.

Each edit table row is (spec, text before, text expected after writing 2.0.0): the expected text
is written out in full, so a test fails on any byte the edit should not have touched. The
hypothesis properties at the end build random text around a version and check that writing a
new version changes the version's characters and nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versionbot.core.errors import VersionbotError, VersionFileError
from versionbot.core.version_files import (
    VersionFileKind,
    VersionFileSpec,
    current_version,
    locate_versions,
    parse_version_file_spec,
    replace_version,
)

NEW = "2.0.0"

# --- the spec --------------------------------------------------------------------------------

SPECS = [
    ("pyproject.toml", VersionFileSpec("pyproject.toml", VersionFileKind.PYPROJECT)),
    ("package.json", VersionFileSpec("package.json", VersionFileKind.PACKAGE_JSON)),
    ("Cargo.toml", VersionFileSpec("Cargo.toml", VersionFileKind.CARGO)),
    ("web/package.json", VersionFileSpec("web/package.json", VersionFileKind.PACKAGE_JSON)),
    ("crates/a/Cargo.toml", VersionFileSpec("crates/a/Cargo.toml", VersionFileKind.CARGO)),
    (
        "src/pkg/__init__.py:__version__",
        VersionFileSpec("src/pkg/__init__.py", VersionFileKind.NAME, "__version__"),
    ),
    ("version.go:Version", VersionFileSpec("version.go", VersionFileKind.NAME, "Version")),
    ("app.yaml:app-version", VersionFileSpec("app.yaml", VersionFileKind.NAME, "app-version")),
    (
        "chart/Chart.yaml:regex:^version: (?P<version>.+)$",
        VersionFileSpec("chart/Chart.yaml", VersionFileKind.REGEX, "^version: (?P<version>.+)$"),
    ),
    # Only the first two colons separate: the pattern keeps its own.
    (
        "a.txt:regex:v:(?P<version>\\S+)",
        VersionFileSpec("a.txt", VersionFileKind.REGEX, "v:(?P<version>\\S+)"),
    ),
    ("pyproject.toml:version", VersionFileSpec("pyproject.toml", VersionFileKind.NAME, "version")),
]


@pytest.mark.parametrize(("text", "spec"), SPECS)
def test_parse_spec(text: str, spec: VersionFileSpec) -> None:
    assert parse_version_file_spec(text) == spec
    assert str(spec) == text


BAD_SPECS = [
    ("VERSION", "is not one versionbot knows"),
    ("setup.cfg", '"setup.cfg:__version__"'),
    ("pyproject.TOML", "is not one versionbot knows"),
    ("", "has no path"),
    (":__version__", "has no path"),
    ("a.py:", "is not a variable name"),
    ("a.py:1abc", "is not a variable name"),
    ("a.py:my var", "is not a variable name"),
    ("a.py:regex", "has no pattern"),
    ("a.py:regex:", "has no pattern"),
    ("a.py:regex:(?P<version>", "bad regular expression"),
    ("a.py:regex:version = (.+)", "needs a group named version"),
    ("a.py:regex:(?P<v>.+)", "needs a group named version"),
    ("/etc/package.json", "inside the repository"),
    ("../other/package.json", "inside the repository"),
    ("src\\pkg\\__init__.py:__version__", "written with /"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_SPECS)
def test_bad_spec(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as caught:
        parse_version_file_spec(text)
    assert "\n" not in str(caught.value)


# --- edits, byte for byte --------------------------------------------------------------------

PYPROJECT = "pyproject.toml"
EDITS = [
    pytest.param(
        PYPROJECT,
        '[project]\nname = "x"\nversion = "1.0.0"\n',
        '[project]\nname = "x"\nversion = "2.0.0"\n',
        id="pyproject-plain",
    ),
    pytest.param(
        PYPROJECT,
        "# top comment\r\n[project]   # table comment\r\nname = 'x'\r\n"
        "version   =   '1.0.0'\t# the version\r\n\r\n[tool.x]\r\nversion = \"9.9.9\"\r\n",
        "# top comment\r\n[project]   # table comment\r\nname = 'x'\r\n"
        "version   =   '2.0.0'\t# the version\r\n\r\n[tool.x]\r\nversion = \"9.9.9\"\r\n",
        id="pyproject-crlf-single-quotes-comments-odd-spacing",
    ),
    pytest.param(
        PYPROJECT,
        'project = { name = "x", version = "1.0.0" }\n',
        'project = { name = "x", version = "2.0.0" }\n',
        id="pyproject-inline-table",
    ),
    pytest.param(
        PYPROJECT,
        'project.name = "x"\nproject.version = "1.0.0"',
        'project.name = "x"\nproject.version = "2.0.0"',
        id="pyproject-dotted-keys-no-final-newline",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nname = "x"\n[tool.ruff]\nx = 1\n[project.urls]\nh = "u"\n'
        '[project.optional-dependencies]\nversion = ["a"]\n',
        None,
        id="pyproject-no-version-but-a-table-named-like-it",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nversion = """1.0.0"""\n',
        '[project]\nversion = """2.0.0"""\n',
        id="pyproject-multiline-string",
    ),
    pytest.param(
        PYPROJECT,
        '\ufeff[project]\nversion = "1.0.0"\n',
        '\ufeff[project]\nversion = "2.0.0"\n',
        id="pyproject-bom",
    ),
    pytest.param(
        PYPROJECT,
        '[tool.poetry]\nname = "x"\nversion = "1.0.0"  # keep\n\n[tool.poetry.dependencies]\n'
        'python = "^3.11"\nfoo = { version = "1.0.0" }\n',
        '[tool.poetry]\nname = "x"\nversion = "2.0.0"  # keep\n\n[tool.poetry.dependencies]\n'
        'python = "^3.11"\nfoo = { version = "1.0.0" }\n',
        id="poetry",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nversion = "1.0.0"\n\n[tool.poetry]\nversion = "1.0.0"\n',
        '[project]\nversion = "2.0.0"\n\n[tool.poetry]\nversion = "2.0.0"\n',
        id="project-and-poetry-both-written",
    ),
    pytest.param(
        "Cargo.toml",
        '[package]\nname = "x"\nversion = "1.0.0" # bump me\nedition = "2021"\n\n'
        '[dependencies]\nserde = { version = "1.0.0", features = ["derive"] }\n',
        '[package]\nname = "x"\nversion = "2.0.0" # bump me\nedition = "2021"\n\n'
        '[dependencies]\nserde = { version = "1.0.0", features = ["derive"] }\n',
        id="cargo-package",
    ),
    pytest.param(
        "Cargo.toml",
        '[workspace]\nmembers = ["a", "b"]\n\n[workspace.package]\nversion = "1.0.0"\n'
        'edition = "2021"\n\n[workspace.dependencies]\na = { path = "a", version = "1.0.0" }\n',
        '[workspace]\nmembers = ["a", "b"]\n\n[workspace.package]\nversion = "2.0.0"\n'
        'edition = "2021"\n\n[workspace.dependencies]\na = { path = "a", version = "1.0.0" }\n',
        id="cargo-workspace",
    ),
    pytest.param(
        "Cargo.toml",
        '[package]\nname = "root"\nversion.workspace = true\n\n'
        '[workspace.package]\nversion = "1.0.0"\n',
        '[package]\nname = "root"\nversion.workspace = true\n\n'
        '[workspace.package]\nversion = "2.0.0"\n',
        id="cargo-root-package-inherits",
    ),
    pytest.param(
        "Cargo.toml",
        "[package]\nversion = '1.0.0'\n[workspace.package]\nversion = \"1.0.0\"\n",
        "[package]\nversion = '2.0.0'\n[workspace.package]\nversion = \"2.0.0\"\n",
        id="cargo-package-and-workspace",
    ),
    pytest.param(
        "package.json",
        '{\n  "name": "x",\n  "version": "1.0.0",\n  "dependencies": {\n'
        '    "version": "1.0.0"\n  }\n}\n',
        '{\n  "name": "x",\n  "version": "2.0.0",\n  "dependencies": {\n'
        '    "version": "1.0.0"\n  }\n}\n',
        id="package-json",
    ),
    pytest.param(
        "package.json",
        '{"dependencies": {"version": "1.0.0"}, "a": ["version", {"version": "1.0.0"}],'
        ' "b": "\\"version\\": \\"1.0.0\\"", "version":"1.0.0"}',
        '{"dependencies": {"version": "1.0.0"}, "a": ["version", {"version": "1.0.0"}],'
        ' "b": "\\"version\\": \\"1.0.0\\"", "version":"2.0.0"}',
        id="package-json-nested-first-and-no-newline",
    ),
    pytest.param(
        "package.json",
        '\ufeff{\r\n\t"version" :\t"1.0.0" ,\r\n\t"name":"x"\r\n}\r\n',
        '\ufeff{\r\n\t"version" :\t"2.0.0" ,\r\n\t"name":"x"\r\n}\r\n',
        id="package-json-bom-crlf-tabs",
    ),
    pytest.param(
        "package.json",
        '{"vers\\u0069on": "1.0.0"}',
        '{"vers\\u0069on": "2.0.0"}',
        id="package-json-escaped-key",
    ),
    pytest.param(
        "src/pkg/__init__.py:__version__",
        '"""Pkg."""\n\n# __version__ = "0.0.1" is the old one\n__version__ = "1.0.0"\n',
        '"""Pkg."""\n\n# __version__ = "0.0.1" is the old one\n__version__ = "2.0.0"\n',
        id="name-python-skips-comment",
    ),
    pytest.param(
        "src/pkg/__init__.py:__version__",
        "__version__: str = '1.0.0'\r\n",
        "__version__: str = '2.0.0'\r\n",
        id="name-annotated-single-quotes-crlf",
    ),
    pytest.param(
        "src/pkg/_version.py:VERSION",
        'from typing import Final\nVERSION: Final[str] = "1.0.0"  # x\n',
        'from typing import Final\nVERSION: Final[str] = "2.0.0"  # x\n',
        id="name-final",
    ),
    pytest.param(
        "src/pkg/__init__.py:version",
        'if version == "0.9":\n    pass\n__version__ = "0.9"\nversion = "1.0.0"\n',
        'if version == "0.9":\n    pass\n__version__ = "0.9"\nversion = "2.0.0"\n',
        id="name-not-comparison-not-suffix",
    ),
    pytest.param(
        "meta.json:version",
        '{"meta": {"version": "1.0.0"}, "version": "0.5"}',
        '{"meta": {"version": "2.0.0"}, "version": "0.5"}',
        id="name-quoted-key-first-match",
    ),
    pytest.param(
        "web/src/version.ts:VERSION",
        "// VERSION = '0.0.0'\nexport const VERSION = '1.0.0';\n",
        "// VERSION = '0.0.0'\nexport const VERSION = '2.0.0';\n",
        id="name-typescript",
    ),
    pytest.param(
        "app.yaml:app-version",
        'name: x\nmy-app-version: "0.1"\napp-version: "1.0.0"\n',
        'name: x\nmy-app-version: "0.1"\napp-version: "2.0.0"\n',
        id="name-yaml-quoted",
    ),
    pytest.param(
        "setup.py:version",
        'setup(\n    name="x",\n    version="1.0.0",\n)\n',
        'setup(\n    name="x",\n    version="2.0.0",\n)\n',
        id="name-keyword-argument",
    ),
    pytest.param(
        "chart/Chart.yaml:regex:^version: (?P<version>.+)$",
        "apiVersion: v2\r\nname: x\r\nversion: 1.0.0\r\nappVersion: 1.0.0\r\n",
        "apiVersion: v2\r\nname: x\r\nversion: 2.0.0\r\nappVersion: 1.0.0\r\n",
        id="regex-crlf-group-trimmed",
    ),
    pytest.param(
        "VERSION:regex:\\A(?P<version>\\S+)",
        "1.0.0\n",
        "2.0.0\n",
        id="regex-whole-file",
    ),
    pytest.param(
        "Dockerfile:regex:ARG VERSION=(?P<version>[\\w.]+)",
        "FROM x\nARG VERSION=1.0.0\nRUN echo\n",
        "FROM x\nARG VERSION=2.0.0\nRUN echo\n",
        id="regex-unanchored",
    ),
]


@pytest.mark.parametrize(("spec_text", "before", "after"), EDITS)
def test_edit_changes_only_the_version(spec_text: str, before: str, after: str | None) -> None:
    spec = parse_version_file_spec(spec_text)
    if after is None:
        with pytest.raises(VersionFileError):
            replace_version(spec, before, NEW)
        return
    assert current_version(spec, before) == "1.0.0"
    assert replace_version(spec, before, NEW) == after
    assert current_version(spec, after) == NEW


@pytest.mark.parametrize(("spec_text", "before", "after"), [e for e in EDITS if e.values[2]])
def test_writing_the_same_version_again_changes_nothing(
    spec_text: str, before: str, after: str
) -> None:
    spec = parse_version_file_spec(spec_text)
    assert replace_version(spec, after, NEW) is after
    assert replace_version(spec, before, "1.0.0") is before


def test_sites_say_where_and_which_definition() -> None:
    spec = parse_version_file_spec("p.py:__version__")
    text = '__version__ = "1.0.0"\nx = 1\n__version__ = "1.0.1"\n__version__ = "x"\n'
    (site,) = locate_versions(spec, text)
    assert (site.line, site.value, site.key, site.others) == (1, "1.0.0", "__version__", (3, 4))
    assert text[site.start : site.end] == "1.0.0"
    assert replace_version(spec, text, NEW) == text.replace("1.0.0", NEW)

    pyproject = parse_version_file_spec("pyproject.toml")
    toml = '[project]\nversion = "1.0.0"\n[tool.poetry]\nversion = "1.0.0"\n'
    assert [(s.key, s.line) for s in locate_versions(pyproject, toml)] == [
        ("project.version", 2),
        ("tool.poetry.version", 4),
    ]


def test_the_value_is_decoded_but_the_edit_replaces_its_characters() -> None:
    spec = parse_version_file_spec("package.json")
    text = '{"version": "1.0\\u002e0"}'
    assert current_version(spec, text) == "1.0.0"
    assert replace_version(spec, text, "1.0.0") is text
    assert replace_version(spec, text, NEW) == '{"version": "2.0.0"}'


@pytest.mark.parametrize("version", ["", "1.0.0 ", '1"', "1'0", "1\n", "a\\b", " 1"])
def test_a_version_that_would_break_the_file_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match="cannot be written as a version"):
        replace_version(parse_version_file_spec("package.json"), '{"version": "1"}', version)


@pytest.mark.parametrize("version", ["1.0.0-rc.1+build.5", "2024.1.0", "1!2.0.post1", "v1.2.3"])
def test_versions_of_every_scheme_are_written(version: str) -> None:
    spec = parse_version_file_spec("a.py:__version__")
    assert replace_version(spec, '__version__ = "1"\n', version) == f'__version__ = "{version}"\n'


# --- errors ----------------------------------------------------------------------------------

ERRORS = [
    pytest.param(
        PYPROJECT,
        '[project]\nname = "x"\ndynamic = ["version"]\n\n[tool.hatch.version]\n'
        'path = "src/x/__init__.py"\n',
        "pyproject.toml has no static version: project.version is dynamic "
        "(hatch or setuptools read it from another file)",
        'list the file hatch reads instead: "src/x/__init__.py:__version__"',
        id="dynamic-hatch-path",
    ),
    pytest.param(
        "sub/pyproject.toml",
        '[project]\ndynamic = ["version"]\n[tool.setuptools.dynamic]\n'
        'version = { attr = "acme.tools.__version__" }\n',
        "sub/pyproject.toml has no static version: project.version is dynamic",
        'e.g. "sub/src/acme/tools/__init__.py:__version__"',
        id="dynamic-setuptools-attr",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\ndynamic = ["version", "readme"]\n',
        "project.version is dynamic",
        'e.g. "src/pkg/__init__.py:__version__"',
        id="dynamic-unknown-backend",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n',
        "project.version is dynamic",
        "the version comes from git tags",
        id="dynamic-vcs",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nname = "x"\n',
        "pyproject.toml has no project.version (nor tool.poetry.version)",
        'add version = "0.1.0" under [project]',
        id="pyproject-no-version",
    ),
    pytest.param(
        PYPROJECT,
        "[project]\nversion = 1\n",
        "project.version in pyproject.toml is not a string: 1",
        'version = "0.1.0"',
        id="pyproject-version-not-a-string",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nversion = "1.0.0"\n[tool.poetry]\nversion = "1.1.0"\n',
        "pyproject.toml holds different versions: project.version 1.0.0, tool.poetry.version 1.1.0",
        "make them the same",
        id="pyproject-disagrees",
    ),
    pytest.param(
        PYPROJECT,
        '[project\nversion = "1.0.0"\n',
        "pyproject.toml is not valid TOML: ",
        "fix the file's syntax",
        id="toml-unparsable",
    ),
    pytest.param(
        PYPROJECT,
        '[project]\nversion = "1.0.0"\nversion = "1.0.0"\n',
        "pyproject.toml is not valid TOML: ",
        "fix the file's syntax",
        id="toml-duplicate-key",
    ),
    pytest.param(
        "crates/a/Cargo.toml",
        '[package]\nname = "a"\nversion.workspace = true\n',
        "crates/a/Cargo.toml inherits its version from the workspace",
        "list the workspace's Cargo.toml",
        id="cargo-inherited",
    ),
    pytest.param(
        "Cargo.toml",
        '[package]\nname = "a"\n',
        "Cargo.toml has no package.version (nor workspace.package.version)",
        "add version",
        id="cargo-no-version",
    ),
    pytest.param(
        "package.json",
        '{"name": "x", "dependencies": {"version": "1.0.0"}}',
        'package.json has no top-level "version"',
        'add "version": "0.1.0"',
        id="package-json-only-nested",
    ),
    pytest.param(
        "package.json",
        '{"version": null}',
        '"version" in package.json is not a string: null',
        'add "version"',
        id="package-json-null",
    ),
    pytest.param(
        "package.json",
        '{\n  "version": "1.0.0",\n  "version": "1.0.0"\n}\n',
        'package.json has 2 top-level "version" keys (lines 2 and 3)',
        "keep one",
        id="package-json-duplicate",
    ),
    pytest.param(
        "package.json",
        '{"version": "1.0.0",}',
        "package.json is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1 column 21",
        "fix the file's syntax",
        id="json-trailing-comma",
    ),
    pytest.param(
        "package.json",
        '["version", "1.0.0"]',
        "package.json is not a JSON object",
        "object",
        id="json-not-an-object",
    ),
    pytest.param(
        "a.py:__version__",
        "# __version__ = '1.0.0'\nversion = '1.0.0'\n__version__ = get()\n",
        "a.py assigns no quoted string to __version__",
        '__version__ = "0.1.0"',
        id="name-missing",
    ),
    pytest.param(
        "a.py:__version__",
        "__version__ = ''\n",
        "__version__ in a.py (line 1) is an empty string",
        "write the current version there",
        id="name-empty",
    ),
    pytest.param(
        "c.yaml:regex:^version: (?P<version>.+)$",
        "name: x\n  version: 1.0.0\n",
        "the pattern of 'c.yaml:regex:^version: (?P<version>.+)$' matches nothing in c.yaml",
        "re.MULTILINE",
        id="regex-nothing",
    ),
    pytest.param(
        "c.yaml:regex:version: (?P<version>.+)$",
        "version: 1.0.0\nappversion: 1.0.0\n",
        "matches 2 places in c.yaml (lines 1, 2)",
        "anchor it with ^ and $",
        id="regex-twice",
    ),
    pytest.param(
        "c.yaml:regex:^version:(?P<version>.*)$",
        "version:   \n",
        "matches in c.yaml (line 1) but its version group is empty",
        "(?P<version>\\S+)",
        id="regex-empty",
    ),
    pytest.param(
        "c.yaml:regex:^version: (?:x|(?P<version>\\d+))$",
        "version: x\n",
        "but its version group is empty",
        "(?P<version>\\S+)",
        id="regex-group-not-taken",
    ),
]


@pytest.mark.parametrize(("spec_text", "text", "message", "hint"), ERRORS)
def test_errors(spec_text: str, text: str, message: str, hint: str) -> None:
    spec = parse_version_file_spec(spec_text)
    attempts: tuple[Callable[[], str], ...] = (
        lambda: current_version(spec, text),
        lambda: replace_version(spec, text, NEW),
    )
    for attempt in attempts:
        with pytest.raises(VersionFileError) as caught:
            attempt()
        error = caught.value
        assert message in error.message
        assert hint in error.hint
        assert "\n" not in error.message
        assert "\n" not in error.hint
        assert spec.path in error.message
        assert error.exit_code == 1
        assert isinstance(error, VersionbotError)


# --- properties: only the version's characters change ----------------------------------------

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VERSIONS = st.from_regex(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-rc\.[0-9])?", fullmatch=True)
LINE_ENDINGS = st.sampled_from(["\n", "\r\n"])
FREE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=40
)


# Lines that mention the name without defining it: the edit must pass over them.
DECOYS = st.sampled_from(
    [
        '# __version__ = "0.0.1"',
        '    // __version__ = "0.0.1"',
        'if __version__ == "0.0.1":',
        'my__version__ = "0.0.1"',
        'pkg.__version__ = "0.0.1"',
        "__version__ = compute()",
        '__version__ = """',
    ]
)
FREE_LINES = st.lists(FREE_TEXT.filter(lambda t: "__version__" not in t) | DECOYS, max_size=5)


@PROPERTY
@given(
    before=FREE_LINES,
    after=st.lists(FREE_TEXT, max_size=5),
    indent=st.sampled_from(["", "    ", "\t"]),
    shape=st.sampled_from(
        ['__version__ = "{}"', "__version__: str = '{}'", '"__version__": "{}",']
    ),
    newline=LINE_ENDINGS,
    old=VERSIONS,
    new=VERSIONS,
)
def test_name_form_changes_only_the_version(
    *,
    before: list[str],
    after: list[str],
    indent: str,
    shape: str,
    newline: str,
    old: str,
    new: str,
) -> None:
    spec = parse_version_file_spec("x.py:__version__")
    head = newline.join([*before, ""])
    tail = newline.join(["", *after])
    text = head + indent + shape.format(old) + tail
    assert current_version(spec, text) == old
    assert replace_version(spec, text, new) == head + indent + shape.format(new) + tail


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just("1.0.0"),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["version", "name", "a", "b"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@PROPERTY
@given(
    # "\x00" marks where the version goes (see dump): no other member may hold it.
    members=st.dictionaries(
        st.text(max_size=6).filter(lambda k: k != "version" and "\x00" not in k),
        JSON_VALUES.filter(lambda v: "\x00" not in json.dumps(v)),
    ),
    position=st.integers(min_value=0),
    indent=st.sampled_from([None, 2, 4, "\t"]),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " :  ")]),
    ensure_ascii=st.booleans(),
    tail=st.sampled_from(["", "\n", "\r\n", "\n\n"]),
    old=VERSIONS,
    new=VERSIONS,
)
def test_package_json_changes_only_the_version(
    *,
    members: dict[str, object],
    position: int,
    indent: int | str | None,
    separators: tuple[str, str],
    ensure_ascii: bool,
    tail: str,
    old: str,
    new: str,
) -> None:
    spec = parse_version_file_spec("package.json")
    items = list(members.items())
    items.insert(position % (len(items) + 1), ("version", "\x00"))

    def dump(version: str) -> str:
        text = json.dumps(
            dict(items), indent=indent, separators=separators, ensure_ascii=ensure_ascii
        )
        return text.replace('"\\u0000"', json.dumps(version)) + tail

    assert current_version(spec, dump(old)) == old
    assert replace_version(spec, dump(old), new) == dump(new)


TOML_KEYS = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True).filter(lambda k: k != "version")
TOML_VALUES = st.sampled_from(['"s"', "'lit'", "1", "true", '["a", "1.0.0"]', '{ version = "1" }'])
TOML_COMMENTS = st.sampled_from(["", "  # c", "\t# version = '9'", " #"])


@PROPERTY
@given(
    project=st.lists(
        st.tuples(TOML_KEYS, TOML_VALUES, TOML_COMMENTS), max_size=4, unique_by=lambda kv: kv[0]
    ),
    other=st.lists(
        st.tuples(TOML_KEYS, TOML_VALUES, TOML_COMMENTS), max_size=3, unique_by=lambda kv: kv[0]
    ),
    spacing=st.sampled_from([" = ", "=", "   =\t"]),
    quote=st.sampled_from(['"', "'"]),
    comment=TOML_COMMENTS,
    newline=LINE_ENDINGS,
    old=VERSIONS,
    new=VERSIONS,
)
def test_pyproject_changes_only_the_version(
    *,
    project: list[tuple[str, str, str]],
    other: list[tuple[str, str, str]],
    spacing: str,
    quote: str,
    comment: str,
    newline: str,
    old: str,
    new: str,
) -> None:
    spec = parse_version_file_spec("pyproject.toml")

    def document(version: str) -> str:
        lines = ["# head", "[project]"]
        lines += [f"{k}{spacing}{v}{c}" for k, v, c in project[:2]]
        lines.append(f"version{spacing}{quote}{version}{quote}{comment}")
        lines += [f"{k}{spacing}{v}{c}" for k, v, c in project[2:]]
        lines += ["", "[tool.other]"] + [f"{k}{spacing}{v}{c}" for k, v, c in other]
        return newline.join(lines) + newline

    assert current_version(spec, document(old)) == old
    assert replace_version(spec, document(old), new) == document(new)
