"""Rendering the changelog and release-notes templates.

Edge: templates are read from disk, the built-in ones from the package (``versionbot/templates``
in a wheel, the top-level ``templates/`` folder in a source checkout), a user's from the folder
named by ``changelog.templates``. Rendering runs in Jinja's SandboxedEnvironment with
StrictUndefined: commit text is data (it is never parsed as a template), and a template that
names a variable the context lacks fails instead of printing nothing. Every value a template
writes goes through the one neutralisation (``core/neutralise.in_template``), so that a template
that leaves out the ``md`` filter still writes no control, separator, bidi or invisible
character from commit text.

Overrides: a user file with a built-in's name replaces it, and
``{% extends "builtin/CHANGELOG.md.j2" %}`` extends the built-in one to override one block.

A changelog file ending in ``.rst`` is rendered with ``CHANGELOG.rst.j2`` (and ``_macros.rst.j2``)
in reStructuredText, commit text through the ``rst`` filters (core/changelog_rst.py); the release
notes of a forge stay Markdown whatever the file is.

Unless a user file replaces them, the built-in templates are rendered by the functions at the
end of this module instead: the same text (tests/property/test_prop_render.py renders both),
without importing Jinja (a third of ``bot plan``'s start-up) and five times faster on a large
release.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot.core import changelog_rst as rst
from versionbot.core.changelog import (
    INSERT_MARKER,
    MARKDOWN,
    TEMPLATE_CONTEXT_VERSION,
    Entry,
    Group,
    Layout,
    Reference,
    ReleaseNotes,
    escape_block,
    escape_inline,
    link_references,
)
from versionbot.core.config import Config
from versionbot.core.errors import ConfigError, TemplateError
from versionbot.core.history import RepositoryState
from versionbot.core.links import ForgeLinks, forge_links
from versionbot.core.neutralise import in_template
from versionbot.files.atomic import in_work_tree

if TYPE_CHECKING:
    import jinja2

CHANGELOG_TEMPLATE = "CHANGELOG.md.j2"
RELEASE_NOTES_TEMPLATE = "release-notes.md.j2"
MACROS_TEMPLATE = "_macros.j2"
RST_CHANGELOG_TEMPLATE = "CHANGELOG.rst.j2"
RST_MACROS_TEMPLATE = "_macros.rst.j2"


def builtin_templates() -> Path:
    """The folder of the built-in templates."""
    package = Path(__file__).resolve().parents[1]  # versionbot/
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "templates"  # a source checkout: src/versionbot -> the top


# The context's own value types: immutable, no methods that do anything. Reading one of their
# declared fields is safe, so it skips the sandbox's generic checks (3 µs an access, most of
# the time of a 100,000-commit changelog). Everything else goes through the full sandbox.
_CONTEXT_FIELDS: dict[type, frozenset[str]] = {
    ReleaseNotes: frozenset({*(f.name for f in dataclasses.fields(ReleaseNotes)), "empty"}),
    Group: frozenset(f.name for f in dataclasses.fields(Group)),
    Entry: frozenset(Entry._fields),
    Reference: frozenset(Reference._fields),
}


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The sandbox that renders a user's templates."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        def getattr(self, obj: object, attribute: str) -> object:
            fields = _CONTEXT_FIELDS.get(type(obj))
            if fields is not None and attribute in fields:
                return getattr(obj, attribute)
            return super().getattr(obj, attribute)

    return Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )


def _finalize(value: object) -> object:
    """What a template's ``{{ ... }}`` writes: text neutralised (its line feeds and tabs kept)."""
    return in_template(value) if isinstance(value, str) else value


def _work_tree_loader(folder: Path, root: Path) -> jinja2.BaseLoader:
    """The repository's templates, from files of the work tree ``root`` only: a template or an
    include that is a symlink leading out of it (the runner's environment, a secret) is refused
    before it is rendered."""
    import jinja2

    class WorkTreeLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            try:
                source, filename, uptodate = super().get_source(environment, template)
            except UnicodeDecodeError as exc:
                raise TemplateError(
                    f"template {template} is not UTF-8 text: byte 0x{exc.object[exc.start]:02x} "
                    f"at offset {exc.start}",
                    "templates are UTF-8: save it as UTF-8",
                ) from None
            in_work_tree(root, Path(filename), "template")
            return source, filename, uptodate

    return WorkTreeLoader(folder)


class Renderer:
    """Renders the changelog and release notes of one repository."""

    def __init__(
        self,
        user_folder: Path | None,
        links: ForgeLinks | None,
        root: Path | None = None,
        layout: Layout = MARKDOWN,
    ) -> None:
        """``user_folder``: the repository's templates, whose files must lie in the work tree
        ``root`` (its own folder when None); ``layout``: the changelog file's format."""
        if user_folder is not None and not user_folder.is_dir():
            there = user_folder.exists() or user_folder.is_symlink()  # a file, a loop
            raise ConfigError(
                f"changelog.templates folder {user_folder} "
                + ("is not a folder" if there else "does not exist"),
                "create it, or remove changelog.templates from the configuration",
            )
        self._user_folder = user_folder
        self._root = root or user_folder
        self._links = links
        self._layout = layout
        self._env: jinja2.Environment | None = None

    @classmethod
    def for_repository(cls, state: RepositoryState, config: Config) -> Renderer:
        """The renderer for a repository: its templates folder and its forge's links."""
        folder = config.changelog.templates
        return cls(
            Path(state.root) / folder if folder is not None else None,
            forge_links(state.remote_url, config.changelog.forge),
            Path(state.root),
            rst.layout_of(config.changelog.file),
        )

    def changelog(self, releases: Sequence[ReleaseNotes], *, sections_only: bool) -> str:
        """The whole changelog (title, marker, sections), or only the sections, in the
        changelog file's format."""
        if self._layout is rst.RST:
            name, macros, builtin = RST_CHANGELOG_TEMPLATE, RST_MACROS_TEMPLATE, builtin_rst
        else:
            name, macros, builtin = CHANGELOG_TEMPLATE, MACROS_TEMPLATE, builtin_changelog
        if self._builtin(name, macros):
            return _tidy(builtin(releases, self._links, sections_only=sections_only))
        return _tidy(self._render(name, releases=list(releases), sections_only=sections_only))

    def markdown_section(self, release: ReleaseNotes) -> str:
        """One release's changelog section in Markdown, whatever the file's format: what
        ``bot plan`` shows (a terminal, a job summary)."""
        if self._layout is MARKDOWN:
            return self.changelog([release], sections_only=True)
        return Renderer(self._user_folder, self._links, self._root).changelog(
            [release], sections_only=True
        )

    def release_notes(self, release: ReleaseNotes) -> str:
        """The body of a forge release."""
        if self._builtin(RELEASE_NOTES_TEMPLATE, MACROS_TEMPLATE):
            return _tidy(builtin_release_notes(release, self._links))
        return _tidy(self._render(RELEASE_NOTES_TEMPLATE, release=release))

    def _builtin(self, name: str, macros: str) -> bool:
        """True when the built-in template ``name`` renders: no user file replaces it or the
        ``macros`` it imports."""
        folder = self._user_folder
        return folder is None or not any(
            (folder / replaced).is_file() for replaced in (name, macros)
        )

    def _render(self, name: str, **context: object) -> str:
        import jinja2

        if self._env is None:
            builtin = jinja2.FileSystemLoader(builtin_templates())
            loaders: list[jinja2.BaseLoader] = [builtin]
            if self._user_folder is not None and self._root is not None:
                loaders.insert(0, _work_tree_loader(self._user_folder, self._root))
            prefixed = jinja2.PrefixLoader({"builtin": builtin}, delimiter="/")
            self._env = _environment(jinja2.ChoiceLoader([*loaders, prefixed]))
            links = self._links
            self._env.filters["md"] = lambda text: link_references(escape_inline(str(text)), links)
            self._env.filters["md_block"] = lambda text: link_references(
                escape_block(str(text)), links
            )
            self._env.filters["rst"] = lambda text: rst.inline(str(text), links)
            self._env.filters["rst_block"] = lambda text: rst.block(str(text), links)
            self._env.filters["rst_text"] = lambda text: rst.plain(str(text))
            self._env.filters["rst_link"] = lambda text, url: rst.hyperlink(str(text), str(url))
            self._env.filters["underline"] = lambda text, char: rst.underline(str(text), char)
        try:
            template = self._env.get_template(name)
            # Written piece by piece: render() would first hold every small piece in a list
            # (a million strings for a 100,000-commit changelog).
            buffer = io.StringIO()
            for piece in template.generate(
                context_version=TEMPLATE_CONTEXT_VERSION,
                marker=self._layout.marker,
                repository_url=self._links.base if self._links else None,
                **context,
            ):
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


# -- the built-in templates, in Python ---------------------------------------------------------
# Each function writes what its template (templates/*.j2) writes, before _tidy.

_CHANGELOG_HEADER = (
    "# Changelog\n"
    "\n"
    "All notable changes to this project are documented here. Versions follow\n"
    "[Semantic Versioning](https://semver.org); commits follow "
    "[Conventional Commits](https://www.conventionalcommits.org).\n"
    "\n"
    f"{INSERT_MARKER}\n"
    "\n"
)


def builtin_changelog(
    releases: Sequence[ReleaseNotes], links: ForgeLinks | None, *, sections_only: bool
) -> str:
    """``CHANGELOG.md.j2``: the title and marker (unless ``sections_only``), then a heading and
    a body per release."""
    out = [] if sections_only else [_CHANGELOG_HEADER]
    for release in releases:
        version = release.version
        heading = f"[{version}]({release.compare_url})" if release.compare_url else version
        date = f" ({release.date})" if release.date else ""
        out.append(f"## {heading}{date}\n\n")
        _body(release, links, out)
    return "".join(out)


def builtin_release_notes(release: ReleaseNotes, links: ForgeLinks | None) -> str:
    """``release-notes.md.j2``: the body of one release."""
    out: list[str] = []
    _body(release, links, out)
    return "".join(out)


def _body(release: ReleaseNotes, links: ForgeLinks | None, out: list[str]) -> None:
    """``_macros.j2``'s ``body``: breaking changes, one section per group, or a placeholder."""
    if release.breaking:
        out.append("### ⚠ Breaking changes\n\n")
        shown = {group.type for group in release.groups}
        for e in release.breaking:
            scope = f"**{_md(e.scope, links)}:** " if e.scope else ""
            # A note's issue references link as a description's do (`see #123`); those of the
            # commit's other footers (`Refs: #12`) follow its last note when no section lists
            # the commit (`refactor!:`), so that they are in the notes once.
            last = len(e.breaking_notes) - 1 if e.type not in shown else -1
            out.extend(
                f"- {scope}{link_references(escape_block(note), links)}"
                f"{_reference_list(e) if i == last else ''}\n"
                for i, note in enumerate(e.breaking_notes)
            )
        out.append("\n")
    for group in release.groups:
        out.append(f"### {in_template(group.title)}\n\n")  # as the template's finalize
        out.extend(_entry_lines(group.entries, links))
        out.append("\n")
    if release.empty:
        out.append("No user-facing changes.\n\n")


def _md(text: str, links: ForgeLinks | None) -> str:
    """The ``md`` filter."""
    return link_references(escape_inline(text), links)


def _entry_lines(entries: Sequence[Entry], links: ForgeLinks | None) -> Iterator[str]:
    # One loop for a group's entries (tens of thousands in a large release), calls inlined.
    for e in entries:
        scope = f"**{link_references(escape_inline(e.scope), links)}:** " if e.scope else ""
        description = link_references(escape_inline(e.description), links)
        sha = f"[{e.short_sha}]({e.commit_url})" if e.commit_url else e.short_sha
        line = f"- {scope}{description} ({sha})"
        if e.references:
            line += _reference_list(e)
        yield line + "\n"


def _reference_list(e: Entry) -> str:
    """``, closes [#9](url), refs #12``: the issues an entry's footers name."""
    return "".join(
        f", {ref.action or 'refs'} {f'[{ref.label}]({ref.url})' if ref.url else ref.label}"
        for ref in e.references
    )


_RST_HEADER = (
    "=========\n"
    "Changelog\n"
    "=========\n"
    "\n"
    "All notable changes to this project are documented here. Versions follow\n"
    "`Semantic Versioning <https://semver.org>`__; commits follow "
    "`Conventional Commits <https://www.conventionalcommits.org>`__.\n"
    "\n"
    f"{rst.INSERT_MARKER}\n"
    "\n"
)


def builtin_rst(
    releases: Sequence[ReleaseNotes], links: ForgeLinks | None, *, sections_only: bool
) -> str:
    """``CHANGELOG.rst.j2``: the title and marker (unless ``sections_only``), then a heading and
    a body per release, in reStructuredText."""
    out = [] if sections_only else [_RST_HEADER]
    for release in releases:
        version = release.version
        heading = rst.hyperlink(version, release.compare_url) if release.compare_url else version
        if release.date:
            heading += f" ({release.date})"
        out.append(_rst_title(in_template(heading), "="))
        _rst_body(release, links, out)
    return "".join(out)


def _rst_title(text: str, char: str) -> str:
    """``_macros.rst.j2``'s ``title``, then a blank line."""
    return f"{text}\n{rst.underline(text, char)}\n\n"


def _rst_body(release: ReleaseNotes, links: ForgeLinks | None, out: list[str]) -> None:
    """``_macros.rst.j2``'s ``body``."""
    if release.breaking:
        out.append(_rst_title("⚠ Breaking changes", "-"))
        shown = {group.type for group in release.groups}
        for e in release.breaking:
            scope = f"**{rst.plain(e.scope)}:** " if e.scope else ""
            last = len(e.breaking_notes) - 1 if e.type not in shown else -1
            out.extend(
                f"- {scope}{rst.block(note, links)}{_rst_references(e) if i == last else ''}\n"
                for i, note in enumerate(e.breaking_notes)
            )
        out.append("\n")
    for group in release.groups:
        out.append(_rst_title(in_template(rst.plain(group.title)), "-"))
        for e in group.entries:
            scope = f"**{rst.plain(e.scope)}:** " if e.scope else ""
            sha = rst.hyperlink(e.short_sha, e.commit_url) if e.commit_url else e.short_sha
            out.append(f"- {scope}{rst.inline(e.description, links)} ({sha}){_rst_references(e)}\n")
        out.append("\n")
    if release.empty:
        out.append("No user-facing changes.\n\n")


def _rst_references(e: Entry) -> str:
    """``, closes `#9 <url>`__, refs #12``: the issues an entry's footers name."""
    return "".join(
        f", {ref.action or 'refs'} {rst.hyperlink(ref.label, ref.url) if ref.url else ref.label}"
        for ref in e.references
    )


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
