"""Version files: the version a file's text declares, and the text with a new one in its place.

Pure: text in, text out (files/version_files.py reads and writes the files). Owns the
``version_files`` spec syntax and the edit of each kind of file (``parse_version_file_spec``,
``locate_versions``, ``current_version``, ``replace_version``). Nothing here formats a file: an edit
changes the characters of the version and no other byte (comments, spacing, quotes, key order,
line endings and the final newline stay as they were), and writing the version a file already
has changes nothing.

Spec syntax (one string per entry of ``version_files``; paths are relative to the repository root,
``/``-separated, and may not leave it):

``pyproject.toml``
    ``project.version``; for Poetry, ``tool.poetry.version``. When both hold a static version
    both are written (and must agree). A dynamic version (``dynamic = ["version"]``, which
    hatch or setuptools read from another file) is an error whose hint names that file.
``package.json``
    The top-level ``"version"`` only; ``"version"`` keys nested deeper (dependencies, ...) are
    never touched. The file is parsed to find the value, then only the value's characters are
    replaced in the text (no ``json.dump``).
``Cargo.toml``
    ``package.version`` and/or ``workspace.package.version`` (whichever hold a static version;
    ``version.workspace = true`` is an inherited version, not a place to write).
``path:NAME``
    The quoted string assigned to ``NAME`` (letters, digits, ``_``, ``-``, ``.``; not starting
    with a digit) in any text file, on one line: ``NAME = "x"``, ``NAME: str = 'x'``,
    ``NAME: Final = "x"``, ``"NAME": "x"``, ``'NAME': 'x'``, ``NAME: "x"``. Lines that start with
    a comment (``#``, ``//``, ``;``, ``*``) are skipped. The first definition is the one read and
    written; later ones are left alone and reported (``VersionSite.others``).
``path:regex:PATTERN``
    A Python regular expression, compiled with ``re.MULTILINE``, with a group named ``version``
    (``^version: (?P<version>.+)$``). It must match exactly one place in the file; the group's
    text, less any surrounding whitespace (e.g. the ``\\r`` of a CRLF line), is the version.

A bare file name is known by its last path component, so ``web/package.json`` is a package.json;
any other bare name is an error asking for one of the two ``path:`` forms.

TOML files are parsed with tomlkit, which finds the value; the edit is still a splice of the
value's characters, made only after checking that tomlkit's own rewrite of the file would differ
from it in those characters alone (otherwise the file is refused, never reformatted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath
from typing import Any, cast

import tomlkit
import tomlkit.exceptions
from tomlkit.items import String

from versionbot.core.errors import VersionFileError


class VersionFileKind(Enum):
    """How a version file is read and edited."""

    PYPROJECT = "pyproject.toml"
    PACKAGE_JSON = "package.json"
    CARGO = "Cargo.toml"
    NAME = "name"
    REGEX = "regex"


STANDARD_FILES: Mapping[str, VersionFileKind] = {
    "pyproject.toml": VersionFileKind.PYPROJECT,
    "package.json": VersionFileKind.PACKAGE_JSON,
    "Cargo.toml": VersionFileKind.CARGO,
}

_NAME = re.compile(r"[A-Za-z_][\w.-]*", re.ASCII)
# What a version written into a file may hold: nothing that could end a quoted string or a line.
_WRITABLE_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+!_-]*", re.ASCII)
_COMMENT_STARTS = ("#", "//", ";", "*")
_JSON_SPACE = " \t\r\n"
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class VersionFileSpec:
    """One entry of ``version_files``: a path and where in that file the version is."""

    path: str  # relative to the repository root, "/"-separated
    kind: VersionFileKind
    pattern: str = ""  # NAME: the variable; REGEX: the regular expression; else ""

    def __str__(self) -> str:
        if self.kind is VersionFileKind.NAME:
            return f"{self.path}:{self.pattern}"
        if self.kind is VersionFileKind.REGEX:
            return f"{self.path}:regex:{self.pattern}"
        return self.path


@dataclass(frozen=True, slots=True)
class VersionSite:
    """One place in a text that holds the version: the characters ``text[start:end]``."""

    start: int
    end: int
    line: int  # 1-based
    value: str  # the version as the file means it (JSON/TOML escapes decoded)
    key: str  # what it is, for messages: "project.version", '"version"', "__version__", ...
    others: tuple[int, ...] = ()  # NAME form: lines of later definitions, left alone


# --- the spec --------------------------------------------------------------------------------


def parse_version_file_spec(text: str) -> VersionFileSpec:
    """Parse one ``version_files`` entry; ``ValueError`` with a one-line reason if it is bad.

    >>> parse_version_file_spec("src/pkg/__init__.py:__version__")
    VersionFileSpec(path='src/pkg/__init__.py', kind=<VersionFileKind.NAME: 'name'>, \
pattern='__version__')
    >>> str(parse_version_file_spec("web/package.json"))
    'web/package.json'
    """
    path, colon, rest = text.partition(":")
    _check_path(path, text)
    if not colon:
        kind = STANDARD_FILES.get(PurePosixPath(path).name)
        if kind is None:
            raise ValueError(
                f"version file {text!r} is not one versionbot knows "
                f"({', '.join(STANDARD_FILES)}): say where its version is, "
                f'e.g. "{text}:__version__" or "{text}:regex:^version = (?P<version>.+)$"'
            )
        return VersionFileSpec(path, kind)
    if rest == "regex" or rest.startswith("regex:"):
        return VersionFileSpec(path, VersionFileKind.REGEX, _checked_regex(rest[6:], text))
    if not _NAME.fullmatch(rest):
        raise ValueError(
            f"version file {text!r}: {rest!r} is not a variable name; write "
            f'"{path}:NAME" (e.g. __version__) or "{path}:regex:<pattern with (?P<version>...)>"'
        )
    return VersionFileSpec(path, VersionFileKind.NAME, rest)


def _check_path(path: str, text: str) -> None:
    pure = PurePosixPath(path)
    if not path.strip():
        raise ValueError(f"version file {text!r} has no path before the ':'")
    if pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise ValueError(
            f"version file {text!r} must be a path inside the repository, "
            "relative to its root and written with /"
        )


def _checked_regex(pattern: str, text: str) -> str:
    if not pattern:
        raise ValueError(f"version file {text!r} has no pattern after 'regex:'")
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise ValueError(f"version file {text!r} has a bad regular expression: {exc}") from None
    if "version" not in compiled.groupindex:
        raise ValueError(
            f"version file {text!r}: the regular expression needs a group named version, "
            "e.g. ^version: (?P<version>.+)$"
        )
    return pattern


# --- pure: find and replace ------------------------------------------------------------------


def locate_versions(spec: VersionFileSpec, text: str) -> tuple[VersionSite, ...]:
    """Every place in ``text`` (the content of ``spec.path``) that holds the version; never empty.

    Raises VersionFileError naming the file when the version is missing, ambiguous or the
    file does not parse.
    """
    if spec.kind is VersionFileKind.PYPROJECT:
        return _toml_sites(spec, text, _PYPROJECT_KEYS, _pyproject_missing)
    if spec.kind is VersionFileKind.CARGO:
        return _toml_sites(spec, text, _CARGO_KEYS, _cargo_missing)
    if spec.kind is VersionFileKind.PACKAGE_JSON:
        return (_package_json_site(spec, text),)
    if spec.kind is VersionFileKind.NAME:
        return (_name_site(spec, text),)
    return (_regex_site(spec, text),)


def current_version(spec: VersionFileSpec, text: str) -> str:
    """The version ``text`` declares; an error if its places disagree."""
    return agreed_version(spec, locate_versions(spec, text))


def replace_version(spec: VersionFileSpec, text: str, version: str) -> str:
    """``text`` with every place of the version set to ``version``; nothing else changes.

    Returns ``text`` itself when it already holds ``version``.
    """
    check_writable(version)
    sites = locate_versions(spec, text)
    if agreed_version(spec, sites) == version:
        return text
    return splice_version(text, sites, version)


def splice_version(text: str, sites: Iterable[VersionSite], version: str) -> str:
    """``text`` with ``version`` in place of every one of ``sites``, no other byte changed."""
    pieces: list[str] = []
    done = 0
    for site in sorted(sites, key=lambda s: s.start):
        pieces += [text[done : site.start], version]
        done = site.end
    pieces.append(text[done:])
    return "".join(pieces)


def agreed_version(spec: VersionFileSpec, sites: tuple[VersionSite, ...]) -> str:
    """The version every one of ``sites`` holds; VersionFileError when they disagree."""
    values = {site.value for site in sites}
    if len(values) > 1:
        listed = ", ".join(f"{site.key} {site.value}" for site in sites)
        raise VersionFileError(
            f"{spec.path} holds different versions: {listed}",
            "make them the same by hand, then run again",
        )
    return sites[0].value


def check_writable(version: str) -> None:
    """Refuse (ValueError) a version no file may be given: empty, quotes or spaces."""
    if not _WRITABLE_VERSION.fullmatch(version):
        raise ValueError(f"{version!r} cannot be written as a version (quotes, spaces or empty)")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --- TOML (pyproject.toml, Cargo.toml) -------------------------------------------------------

# The tables of a TOML document, as tomlkit gives them (documents, tables, inline tables, proxies).
_Table = MutableMapping[str, Any]
_Keys = tuple[tuple[str, ...], ...]
_Missing = Callable[["VersionFileSpec", _Table], tuple[str, str]]


def _toml_sites(
    spec: VersionFileSpec,
    text: str,
    keys: _Keys,
    missing: _Missing,
) -> tuple[VersionSite, ...]:
    document = _parse_toml(spec, text)
    found = [dotted for dotted in keys if _holds_version(_lookup(document, dotted))]
    if not found:
        message, hint = missing(spec, document)
        raise VersionFileError(message, hint)
    return tuple(_toml_site(spec, text, dotted) for dotted in found)


def _parse_toml(spec: VersionFileSpec, text: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text.removeprefix(_BOM))
    except tomlkit.exceptions.TOMLKitError as exc:  # ParseError, KeyAlreadyPresent, ...
        raise VersionFileError(
            f"{spec.path} is not valid TOML: {_one_line(str(exc))}",
            "fix the file's syntax, then run again",
        ) from None


def _lookup(document: _Table, dotted: tuple[str, ...]) -> Any | None:
    """The value at ``dotted`` (e.g. ("project", "version")), or None if a table lacks a key."""
    node: Any = document
    for key in dotted:
        if not isinstance(node, MutableMapping) or key not in node:
            return None
        node = node[key]
    return node


def _holds_version(value: Any | None) -> bool:
    # Cargo's `version.workspace = true` inherits the version: the workspace's file holds it.
    inherited = isinstance(value, Mapping) and value.get("workspace") is True
    return value is not None and not inherited


def _toml_site(spec: VersionFileSpec, text: str, dotted: tuple[str, ...]) -> VersionSite:
    """Where the string at ``dotted`` sits in ``text``.

    tomlkit finds it and writes a document with only that value changed; the one offset where
    that output equals ``text`` with the value's characters swapped is the site. If tomlkit
    changed anything else, no offset fits and we refuse rather than reformat the file.
    """
    name = ".".join(dotted)
    document = _parse_toml(spec, text)
    item = _lookup(document, dotted)
    if not isinstance(item, String):
        raise VersionFileError(
            f"{name} in {spec.path} is not a string: {_one_line(str(item))}",
            f'write it as a quoted version, e.g. {dotted[-1]} = "0.1.0"',
        )
    parent = cast(_Table, _lookup(document, dotted[:-1]))  # it holds the item just found
    raw = item.as_string()
    delimiter = raw[: len(raw) - len(raw.lstrip("\"'"))]
    probe = "0probe0" if item.value != "0probe0" else "1probe1"
    parent[dotted[-1]] = String.from_raw(probe, type_=item.type, escape=False)
    written = tomlkit.dumps(document)
    bom = len(text) - len(text.removeprefix(_BOM))
    body = text[bom:]
    start = body.find(raw)
    while start != -1:
        inner = start + len(delimiter)
        outer = start + len(raw)
        swapped = body[:start] + delimiter + probe + delimiter + body[outer:]
        if swapped == written:
            begin, end = bom + inner, bom + outer - len(delimiter)
            return VersionSite(begin, end, _line_of(text, begin), item.value, name)
        start = body.find(raw, start + 1)
    raise VersionFileError(
        f"cannot change {name} in {spec.path} without reformatting other parts of the file",
        f'write it as a plain one-line string, e.g. {dotted[-1]} = "{item.value}"',
    )


_PYPROJECT_KEYS: _Keys = (("project", "version"), ("tool", "poetry", "version"))


def _pyproject_missing(spec: VersionFileSpec, document: _Table) -> tuple[str, str]:
    dynamic = _lookup(document, ("project", "dynamic"))
    if isinstance(dynamic, list) and "version" in dynamic:
        return (
            f"{spec.path} has no static version: project.version is dynamic "
            "(hatch or setuptools read it from another file)",
            _dynamic_hint(spec, document),
        )
    return (
        f"{spec.path} has no project.version (nor tool.poetry.version)",
        f'add version = "0.1.0" under [project], or remove "{spec}" from version_files',
    )


def _dynamic_hint(spec: VersionFileSpec, document: _Table) -> str:
    """Name the file that really holds the version, as far as pyproject.toml tells."""
    folder = str(PurePosixPath(spec.path).parent)
    prefix = "" if folder == "." else f"{folder}/"
    hatch_source = _lookup(document, ("tool", "hatch", "version", "source"))
    scm = _lookup(document, ("tool", "setuptools_scm")) is not None
    if hatch_source == "vcs" or scm:
        return (
            f'the version comes from git tags: remove "{spec}" from version_files, '
            "the release tag is enough"
        )
    hatch_path = _lookup(document, ("tool", "hatch", "version", "path"))
    if isinstance(hatch_path, str):
        return f'list the file hatch reads instead: "{prefix}{hatch_path}:__version__"'
    setuptools = _lookup(document, ("tool", "setuptools", "dynamic", "version"))
    attr = setuptools.get("attr") if isinstance(setuptools, Mapping) else None
    if isinstance(attr, str) and "." in attr:
        module, _, name = attr.rpartition(".")
        return (
            f"list the file of module {module} instead, "
            f'e.g. "{prefix}src/{module.replace(".", "/")}/__init__.py:{name}"'
        )
    return (
        "list the file that holds the version instead, "
        f'e.g. "{prefix}src/pkg/__init__.py:__version__"'
    )


_CARGO_KEYS: _Keys = (("package", "version"), ("workspace", "package", "version"))


def _cargo_missing(spec: VersionFileSpec, document: _Table) -> tuple[str, str]:
    inherited = _lookup(document, ("package", "version", "workspace"))
    if inherited is True:
        return (
            f"{spec.path} inherits its version from the workspace (version.workspace = true)",
            f'list the workspace\'s Cargo.toml instead of "{spec}"',
        )
    return (
        f"{spec.path} has no package.version (nor workspace.package.version)",
        f'add version = "0.1.0" under [package], or remove "{spec}" from version_files',
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- package.json ----------------------------------------------------------------------------


def _package_json_site(spec: VersionFileSpec, text: str) -> VersionSite:
    """The top-level "version" string: parse to validate, then walk the top-level members.

    The walk uses the standard decoder to skip each value, so nested objects (dependencies,
    "publishConfig", ...) are passed over whole and their "version" keys never seen.
    """
    try:
        document = json.loads(text.removeprefix(_BOM))
    except json.JSONDecodeError as exc:
        raise VersionFileError(
            f"{spec.path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "fix the file's syntax, then run again",
        ) from None
    except RecursionError:
        raise VersionFileError(
            f"{spec.path} nests arrays or objects too deeply to be read",
            "no package.json nests that deep: fix the file, then run again",
        ) from None
    if not isinstance(document, dict):
        raise VersionFileError(
            f"{spec.path} is not a JSON object", "a package.json is an object: { ... }"
        )
    hint = f'add "version": "0.1.0" to its top-level object, or remove "{spec}" from version_files'
    if "version" not in document:
        raise VersionFileError(f'{spec.path} has no top-level "version"', hint)
    if not isinstance(document["version"], str):
        raise VersionFileError(
            f'"version" in {spec.path} is not a string: {json.dumps(document["version"])}', hint
        )
    spans = [(start, end) for key, start, end in _top_level_members(text) if key == "version"]
    if len(spans) > 1:
        lines = " and ".join(str(_line_of(text, start)) for start, _ in spans)
        raise VersionFileError(
            f'{spec.path} has {len(spans)} top-level "version" keys (lines {lines})',
            "keep one of them",
        )
    start, end = spans[0]
    # The value token is "...": the site is what lies between its quotes.
    return VersionSite(start + 1, end - 1, _line_of(text, start), document["version"], '"version"')


def _top_level_members(text: str) -> Iterable[tuple[str, int, int]]:
    """(key, value start, value end) of each member of the top-level object of valid JSON."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, len(text) - len(text.removeprefix(_BOM))) + 1  # past "{"
    while True:
        index = _skip_space(text, index)
        if text[index] == "}":
            return
        key, index = decoder.raw_decode(text, index)
        index = _skip_space(text, _skip_space(text, index) + 1)  # past ":"
        _, end = decoder.raw_decode(text, index)
        yield key, index, end
        index = _skip_space(text, end)
        if text[index] == ",":
            index += 1


def _skip_space(text: str, index: int) -> int:
    while text[index] in _JSON_SPACE:
        index += 1
    return index


# --- path:NAME and path:regex:PATTERN --------------------------------------------------------


def _assignment(name: str) -> re.Pattern[str]:
    """``NAME = "x"``, ``NAME: type = 'x'``, ``"NAME": "x"``, ``NAME: "x"`` on one line."""
    return re.compile(
        r"(?<![\w.$-])(?P<key_quote>[\"']?)" + re.escape(name) + r"(?P=key_quote)"
        r"(?:[ \t]*:[ \t]*|(?:[ \t]*:[^=\r\n]*?)?[ \t]*=(?!=)[ \t]*)"
        r"(?P<quote>[\"'])(?P<version>[^\"'\\\r\n]*)(?P=quote)(?!(?P=quote))"
    )


def _name_site(spec: VersionFileSpec, text: str) -> VersionSite:
    matches = [m for m in _assignment(spec.pattern).finditer(text) if not _commented(text, m)]
    if not matches:
        raise VersionFileError(
            f"{spec.path} assigns no quoted string to {spec.pattern}",
            f'write {spec.pattern} = "0.1.0" in it, or use "{spec.path}:regex:<pattern with '
            '(?P<version>...)>"',
        )
    first = matches[0]
    start, end = first.span("version")
    if start == end:
        raise VersionFileError(
            f"{spec.pattern} in {spec.path} (line {_line_of(text, start)}) is an empty string",
            f'write the current version there, e.g. {spec.pattern} = "0.1.0"',
        )
    others = tuple(_line_of(text, m.start()) for m in matches[1:])
    return VersionSite(start, end, _line_of(text, start), text[start:end], spec.pattern, others)


def _commented(text: str, match: re.Match[str]) -> bool:
    line_start = text.rfind("\n", 0, match.start()) + 1
    return text[line_start : match.start()].lstrip().startswith(_COMMENT_STARTS)


def _regex_site(spec: VersionFileSpec, text: str) -> VersionSite:
    matches = list(re.finditer(spec.pattern, text, re.MULTILINE))
    hint = "check the pattern against the file (a Python regex, with re.MULTILINE)"
    if not matches:
        raise VersionFileError(f"the pattern of {str(spec)!r} matches nothing in {spec.path}", hint)
    if len(matches) > 1:
        lines = ", ".join(str(_line_of(text, m.start())) for m in matches[:5])
        raise VersionFileError(
            f"the pattern of {str(spec)!r} matches {len(matches)} places in {spec.path} "
            f"(lines {lines})",
            "make it match one place only, e.g. anchor it with ^ and $",
        )
    start, end = matches[0].span("version")
    value = text[start:end] if start != -1 else ""
    start += len(value) - len(value.lstrip())
    end -= len(value) - len(value.rstrip())
    if start < 0 or start >= end:
        raise VersionFileError(
            f"the pattern of {str(spec)!r} matches in {spec.path} "
            f"(line {_line_of(text, matches[0].start())}) but its version group is empty",
            "make the version group take the version's characters, e.g. (?P<version>\\S+)",
        )
    return VersionSite(start, end, _line_of(text, start), text[start:end], "the pattern")
