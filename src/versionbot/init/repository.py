"""Edge of ``bot init``: read a repository's files and tags, write the proposed config.

Reads the files detect.py names (``__init__.py`` and ``_version.py`` by a bounded search) and
lists the tags through git/reader.py; writes through ``files.write_atomically``, never over an
existing versionbot config unless told to (``force``). Prints nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from versionbot.core.changelog_rst import layout_of
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import RepositoryError, UsageError
from versionbot.files.atomic import in_work_tree, read_text, write_atomically
from versionbot.init.changelog_marker import CHANGELOG_FILES, insert_marker
from versionbot.init.detect import (
    CONFIG_FILES,
    PYTHON_VERSION_FILES,
    STANDARD_VERSION_FILES,
    describe,
    detect,
    is_python_version_candidate,
    peer_version_files,
)
from versionbot.init.proposal import Proposal
from versionbot.init.pyproject import embed_in_pyproject, existing_versionbot_table
from versionbot.init.toml_render import render_toml

_MAX_BYTES = 1 << 20  # a version or config file is small; anything bigger is not one
_MAX_CANDIDATES = 64  # `__init__.py` files read at most


@dataclass(frozen=True, slots=True)
class InitOutcome:
    """What ``bot init`` proposed, where it goes, and what it wrote."""

    proposal: Proposal
    text: str  # the rendered config (the section, for pyproject.toml)
    target: Path
    embedded: bool
    existing: str | None  # where a versionbot config already is
    wrote: bool
    marker_added: bool
    tags_note: str | None  # why no tags were read, if none were


def init_repository(
    root: Path,
    *,
    write: bool,
    force: bool = False,
    changelog_marker: bool = False,
    target: Path | None = None,
) -> InitOutcome:
    """Propose a config for the repository at ``root``; write it (and the marker) if ``write``.

    UsageError (exit 2) when a versionbot config exists and ``force`` is not given, or when
    the section cannot be put into pyproject.toml without touching anything else.
    """
    files = read_files(root)
    # The files a peer's config names as version files, wherever they are (requirements.txt):
    # detect() checks that each holds a version versionbot can write.
    for name in peer_version_files(files):
        text = _read_in_tree(root, name) if name not in files else None
        if text is not None:
            files[name] = text
    tags, tags_note = tag_names(root)
    proposal = detect(files, tags)
    if proposal.changelog_file not in files:
        text = _read_in_tree(root, proposal.changelog_file)
        if text is not None:
            files[proposal.changelog_file] = text
            proposal = detect(files, tags)
    existing = _existing_config(root, files)
    path, embedded = _target(root, files, target, existing)
    original = read_text(path) if path.is_file() else None
    if target is not None:  # --config FILE: only that file counts
        mine = original is not None and (not embedded or existing_versionbot_table(original))
        existing = (
            path.relative_to(root).as_posix()
            if mine and path.is_relative_to(root)
            else (str(path) if mine else None)
        )
    newline = "\r\n" if original and "\r\n" in original else "\n"
    text = render_toml(proposal, embedded=embedded, newline=newline)
    _check_loads(text, embedded)
    if write and existing is not None and not force:
        raise UsageError(
            f"versionbot is already configured in {existing}",
            "bot init --force replaces that config; bot init --stdout shows what it would write",
        )
    marker_added = False
    if write:
        # A peer's config (or a symlink) may name a changelog outside the work tree: refused
        # before anything is written.
        marker_path = (
            in_work_tree(root, proposal.changelog_file, "changelog") if changelog_marker else None
        )
        if embedded and original is not None:
            write_atomically(path, embed_in_pyproject(original, text))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, text)
        marker_added = marker_path is not None and _add_marker(marker_path)
    return InitOutcome(proposal, text, path, embedded, existing, write, marker_added, tags_note)


def read_files(root: Path) -> dict[str, str]:
    """The texts detect() looks at, by path relative to ``root`` ('/'-separated)."""
    names = [
        *dict.fromkeys([*CONFIG_FILES, *STANDARD_VERSION_FILES, *CHANGELOG_FILES]),
        *_python_candidates(root),
    ]
    texts = {name: _read_in_tree(root, name) for name in names}
    return {name: text for name, text in texts.items() if text is not None}


def _python_candidates(root: Path) -> list[str]:
    found: list[str] = []
    for pattern in PYTHON_VERSION_FILES:
        for path in sorted(root.glob(pattern)):
            relative = path.relative_to(root).as_posix()
            if relative not in found and is_python_version_candidate(relative) and path.is_file():
                found.append(relative)
            if len(found) >= _MAX_CANDIDATES:
                return found
    return found


def tag_names(root: Path) -> tuple[list[str], str | None]:
    """Every tag's name, or none and why (not a repository, no commits yet)."""
    from versionbot.git.reader import read_tags

    try:
        return [tag.name for tag in read_tags(root)], None
    except RepositoryError as exc:
        return [], exc.message


def _read_in_tree(root: Path, name: str) -> str | None:
    """``_read`` of a file of the repository (or one a repository file names): nothing outside
    the work tree is read, whatever a symlink or a ``..`` says."""
    try:
        return _read(in_work_tree(root, name, "file"))
    except RepositoryError:
        return None


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _existing_config(root: Path, files: dict[str, str]) -> str | None:
    if "versionbot.toml" in files or (root / "versionbot.toml").exists():
        return "versionbot.toml"
    if existing_versionbot_table(files.get("pyproject.toml", "")):
        return "pyproject.toml [tool.versionbot]"
    return None


def _target(
    root: Path, files: dict[str, str], explicit: Path | None, existing: str | None
) -> tuple[Path, bool]:
    if explicit is not None:
        path = explicit if explicit.is_absolute() else root / explicit
        return path, path.name == "pyproject.toml"
    if existing == "versionbot.toml" or "pyproject.toml" not in files:
        return root / "versionbot.toml", False
    return root / "pyproject.toml", True


def _check_loads(text: str, embedded: bool) -> None:
    """The rendered config must load as versionbot's own: a bug here is ours, not the user's."""
    document = tomllib.loads(text)
    table = document["tool"]["versionbot"] if embedded else document
    config_from_mapping(table, "the config bot init proposes")


def _add_marker(path: Path) -> bool:
    text = _read(path)
    if text is None:
        return False
    updated = insert_marker(text, path.name)
    if updated == text:
        return False
    write_atomically(path, updated)
    return True


def summary(outcome: InitOutcome) -> str:
    """The report ``bot init`` prints: found, migrated, not migrated, written, what next."""
    lines = describe(outcome.proposal)
    if outcome.tags_note:
        lines.insert(1, f"  no tags read: {outcome.tags_note}")
    where = f"{outcome.target.name}" + (" [tool.versionbot]" if outcome.embedded else "")
    if outcome.wrote:
        lines.append(
            f"Wrote {where}." + (" Replaced the config that was there." if outcome.existing else "")
        )
        if outcome.marker_added:
            marker = layout_of(outcome.proposal.changelog_file).marker
            lines.append(f"Added {marker} to {outcome.proposal.changelog_file}.")
        lines.append("Next: bot plan shows the next release with this config.")
        for migration in outcome.proposal.migrated_from:
            lines.append(f"Then remove {migration.where} once you no longer run {migration.tool}.")
    else:
        already = (
            f" (versionbot is already configured in {outcome.existing})" if outcome.existing else ""
        )
        lines.append(f"Not written: this is what bot init would put in {where}{already}.")
    return "\n".join(lines) + "\n"
