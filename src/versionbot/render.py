"""Rendering the changelog and release-notes templates with Jinja.

Edge: templates are read from disk, the built-in ones from the package (``versionbot/templates``
in a wheel, the top-level ``templates/`` folder in a source checkout), a user's from the folder
named by ``changelog.templates``. Rendering runs in Jinja's SandboxedEnvironment with
StrictUndefined: commit text is data (it is never parsed as a template), and a template that
names a variable the context lacks fails instead of printing nothing.

Overrides: a user file with a built-in's name replaces it, and
``{% extends "builtin/CHANGELOG.md.j2" %}`` extends the built-in one to override one block.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from versionbot.changelog import (
    INSERT_MARKER,
    TEMPLATE_CONTEXT_VERSION,
    Entry,
    Group,
    Reference,
    ReleaseNotes,
    escape_block,
    escape_inline,
    link_references,
)
from versionbot.config import Config
from versionbot.errors import ConfigError, TemplateError
from versionbot.history import RepositoryState
from versionbot.links import ForgeLinks, forge_links

CHANGELOG_TEMPLATE = "CHANGELOG.md.j2"
RELEASE_NOTES_TEMPLATE = "release-notes.md.j2"


def builtin_templates() -> Path:
    """The folder of the built-in templates."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"  # a source checkout


# The context's own value types: immutable, no methods that do anything. Reading one of their
# declared fields is safe, so it skips the sandbox's generic checks (3 µs an access, most of
# the time of a 100,000-commit changelog). Everything else goes through the full sandbox.
_CONTEXT_FIELDS: dict[type, frozenset[str]] = {
    ReleaseNotes: frozenset({*(f.name for f in dataclasses.fields(ReleaseNotes)), "empty"}),
    Group: frozenset(f.name for f in dataclasses.fields(Group)),
    Entry: frozenset(Entry._fields),
    Reference: frozenset(Reference._fields),
}


class _Sandbox(SandboxedEnvironment):
    def getattr(self, obj: object, attribute: str) -> object:
        fields = _CONTEXT_FIELDS.get(type(obj))
        if fields is not None and attribute in fields:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (compiling costs ~25 ms a run; Jinja checks each
    template's source before it uses its cache), in the user's cache folder. No folder: no cache.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "versionbot", "jinja")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


class Renderer:
    """Renders the changelog and release notes of one repository."""

    def __init__(self, user_folder: Path | None, links: ForgeLinks | None) -> None:
        builtin = jinja2.FileSystemLoader(builtin_templates())
        loaders: list[jinja2.BaseLoader] = [builtin]
        if user_folder is not None:
            if not user_folder.is_dir():
                raise ConfigError(
                    f"changelog.templates folder {user_folder} does not exist",
                    "create it, or remove changelog.templates from the configuration",
                )
            loaders.insert(0, jinja2.FileSystemLoader(user_folder))
        loader = jinja2.ChoiceLoader(
            [*loaders, jinja2.PrefixLoader({"builtin": builtin}, delimiter="/")]
        )
        self._env = _Sandbox(
            loader=loader,
            bytecode_cache=_bytecode_cache(),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters["md"] = lambda text: link_references(escape_inline(str(text)), links)
        self._env.filters["md_block"] = lambda text: escape_block(str(text))
        self._globals = {
            "context_version": TEMPLATE_CONTEXT_VERSION,
            "marker": INSERT_MARKER,
            "repository_url": links.base if links else None,
        }

    @classmethod
    def for_repository(cls, state: RepositoryState, config: Config) -> Renderer:
        """The renderer for a repository: its templates folder and its forge's links."""
        folder = config.changelog.templates
        return cls(
            Path(state.root) / folder if folder is not None else None,
            forge_links(state.remote_url, config.changelog.forge),
        )

    def changelog(self, releases: Sequence[ReleaseNotes], *, sections_only: bool) -> str:
        """The whole changelog (title, marker, sections), or only the sections."""
        text = self._render(
            CHANGELOG_TEMPLATE, releases=list(releases), sections_only=sections_only
        )
        return _tidy(text)

    def release_notes(self, release: ReleaseNotes) -> str:
        """The body of a forge release."""
        return _tidy(self._render(RELEASE_NOTES_TEMPLATE, release=release))

    def _render(self, name: str, **context: object) -> str:
        try:
            template = self._env.get_template(name)
            # Written piece by piece: render() would first hold every small piece in a list
            # (a million strings for a 100,000-commit changelog).
            buffer = io.StringIO()
            for piece in template.generate(**self._globals, **context):
                buffer.write(piece)
            return buffer.getvalue()
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template {exc.name or name} line {exc.lineno}: {exc.message}",
                "fix the template, or remove it to use the built-in one",
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(
                f"template {name} failed: {exc.message or exc}",
                "see docs/templates.md for the variables a template can use",
            ) from None


_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n)")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """One trailing newline, no run of more than one blank line (template whitespace is fiddly)."""
    # The searches first: a 7 MB changelog usually has nothing to fix, and the regexes alone
    # cost 0.2 s there.
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_SPACE.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.rstrip().lstrip("\n") + "\n"
