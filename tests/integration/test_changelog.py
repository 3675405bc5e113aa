"""CHANGELOG.md kept up to date from real git histories: insert what is missing, keep the rest.

Each test builds a repository with real git (tests/conftest.py), then runs
``versionbot.files.changelog_file.update_changelog`` (the library path) or ``bot changelog``
in-process (``run_cli``), and reads the file back as bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from versionbot.core.changelog import INSERT_MARKER, versions_in
from versionbot.core.errors import ChangelogError, FileWriteError
from versionbot.core.version import Version
from versionbot.files.atomic import write_atomically
from versionbot.files.changelog_file import ChangelogUpdate, update_changelog
from versionbot.files.config_file import load_config

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo

DAY = 86_400


def update(repo: GitRepo, *, full: bool = False, write: bool = True) -> ChangelogUpdate:
    return update_changelog(repo.path, load_config(repo.path), full=full, write=write)


def changelog(repo: GitRepo) -> bytes:
    return (repo.path / "CHANGELOG.md").read_bytes()


def release(repo: GitRepo, tag: str, *messages: str) -> None:
    """Commit ``messages`` (oldest first) a day after the last release, then tag ``tag``."""
    repo._clock[0] += DAY  # the conftest's shared clock: fixed dates, a day per release
    for message in messages:
        repo.commit(message)
    repo.tag(tag)


def three_releases(repo: GitRepo) -> None:
    repo.run("remote", "add", "origin", "git@github.com:acme/app.git")
    release(repo, "v1.0.0", "feat: first")
    release(repo, "v1.1.0", "feat(api): second", "fix: a bug")
    release(repo, "v1.2.0", "feat: third\n\nCloses #3\n")


def headings(text: str | bytes) -> list[str]:
    """The versions of the release headings, top to bottom."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return [
        version
        for line in text.splitlines()
        if line.startswith("## ")
        for version in versions_in(line)
    ]


# -- first run, second run ----------------------------------------------------------------


def test_first_run_writes_every_release_newest_first(repo: GitRepo) -> None:
    three_releases(repo)

    result = update(repo)

    assert result.changed is True
    assert result.added == (Version(1, 2, 0), Version(1, 1, 0), Version(1, 0, 0))
    assert result.path == repo.path / "CHANGELOG.md"
    assert changelog(repo) == result.text.encode("utf-8")
    assert headings(result.text) == ["1.2.0", "1.1.0", "1.0.0"]
    assert result.text.startswith("# Changelog\n")
    assert f"\n{INSERT_MARKER}\n" in result.text


def test_second_run_changes_nothing(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    before = changelog(repo)
    mtime = (repo.path / "CHANGELOG.md").stat().st_mtime_ns

    again = update(repo)

    assert again.changed is False
    assert again.added == ()
    assert again.text == before.decode("utf-8")
    assert changelog(repo) == before
    assert (repo.path / "CHANGELOG.md").stat().st_mtime_ns == mtime


def test_without_write_nothing_is_written(repo: GitRepo) -> None:
    three_releases(repo)

    result = update(repo, write=False)

    assert result.changed is True
    assert not (repo.path / "CHANGELOG.md").exists()


def test_the_same_history_renders_the_same_bytes(repo: GitRepo, tmp_path: Path) -> None:
    three_releases(repo)
    clone = repo.clone(tmp_path / "clone")
    clone.run("remote", "set-url", "origin", "git@github.com:acme/app.git")

    assert update(repo).text == update(clone, write=False).text
    assert update(repo, full=True, write=False).text == changelog(repo).decode("utf-8")


# -- hand edits ---------------------------------------------------------------------------


def test_a_new_tag_goes_on_top_and_every_old_byte_is_kept(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    path = repo.path / "CHANGELOG.md"
    edited = (
        changelog(repo)
        .replace(b"All notable changes", b"Every notable change (we try!)")
        .replace(b"- **api:** second", b"- **api:** second, now with a footnote[^1]")
        .replace(
            b"\n## [1.0.0]", b"\nA custom paragraph, kept.\n\n<!-- and a comment -->\n\n## [1.0.0]"
        )
        + b"\n[^1]: written by hand.\n"
    )
    path.write_bytes(edited)
    release(repo, "v1.3.0", "fix: fourth")

    result = update(repo)

    assert result.added == (Version(1, 3, 0),)
    after = changelog(repo)
    above, marker, below = edited.partition(INSERT_MARKER.encode() + b"\n\n")
    assert after.startswith(above + marker + b"## [1.3.0](")
    assert after.endswith(below)
    inserted = after[len(above + marker) : len(after) - len(below)]
    assert headings(inserted) == ["1.3.0"]
    assert b"- fourth ([" in inserted
    assert inserted.endswith(b")\n\n")


def test_a_missing_older_version_goes_between_the_right_headings(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    pristine = changelog(repo)
    start = pristine.index(b"## [1.1.0]")
    end = pristine.index(b"## [1.0.0]")
    (repo.path / "CHANGELOG.md").write_bytes(pristine[:start] + pristine[end:])

    result = update(repo)

    assert result.added == (Version(1, 1, 0),)
    assert changelog(repo) == pristine


def test_a_missing_oldest_version_goes_at_the_end(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    pristine = changelog(repo)
    (repo.path / "CHANGELOG.md").write_bytes(pristine[: pristine.index(b"## [1.0.0]")])

    update(repo)

    # An inserted section ends with its blank line, so the file may end with one more newline
    # than a whole render (which ends with exactly one).
    assert changelog(repo).rstrip(b"\n") == pristine.rstrip(b"\n")


def test_a_hand_written_heading_of_another_shape_counts_as_present(repo: GitRepo) -> None:
    three_releases(repo)
    text = f"# Our log\n\n{INSERT_MARKER}\n\n## v1.1.0 - 2024-01-03\n\nWritten by hand.\n"
    (repo.path / "CHANGELOG.md").write_text(text, encoding="utf-8")

    result = update(repo)

    assert result.added == (Version(1, 2, 0), Version(1, 0, 0))
    after = changelog(repo).decode("utf-8")
    assert after.count("1.1.0") == 1 + after.count("compare/v1.1.0...v1.2.0")
    assert "## v1.1.0 - 2024-01-03\n\nWritten by hand.\n" in after
    assert headings(after) == ["1.2.0", "1.1.0", "1.0.0"]


def test_without_a_marker_sections_go_above_the_newest_heading(repo: GitRepo) -> None:
    three_releases(repo)
    text = "# History\n\nSome words.\n\n## 1.0.0\n\n- first\n"
    (repo.path / "CHANGELOG.md").write_text(text, encoding="utf-8")

    update(repo)

    after = changelog(repo).decode("utf-8")
    assert after.startswith("# History\n\nSome words.\n\n## [1.2.0](")
    assert after.endswith("## 1.0.0\n\n- first\n")
    assert headings(after) == ["1.2.0", "1.1.0", "1.0.0"]


def test_no_insertion_point_is_exit_5_and_the_file_is_untouched(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    three_releases(repo)
    original = b"# History\n\nNothing in a known shape.\n"
    (repo.path / "CHANGELOG.md").write_bytes(original)

    with pytest.raises(ChangelogError):
        update(repo)
    result = run_cli("-C", repo.path, "changelog")

    assert result.exit_code == 5
    assert result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: CHANGELOG.md has no")
    assert hint.startswith("hint: ")
    assert INSERT_MARKER in hint
    assert changelog(repo) == original


def test_full_regenerates_from_the_tags(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    pristine = changelog(repo)
    (repo.path / "CHANGELOG.md").write_bytes(b"# Something else entirely\n")

    result = update(repo, full=True)

    assert result.added == (Version(1, 2, 0), Version(1, 1, 0), Version(1, 0, 0))
    assert changelog(repo) == pristine


# -- line endings -------------------------------------------------------------------------


def test_a_crlf_file_stays_crlf(repo: GitRepo) -> None:
    three_releases(repo)
    update(repo)
    crlf = changelog(repo).replace(b"\n", b"\r\n")
    (repo.path / "CHANGELOG.md").write_bytes(crlf)
    release(repo, "v1.3.0", "fix: fourth")

    update(repo)

    after = changelog(repo)
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert after.endswith(crlf.partition(INSERT_MARKER.encode() + b"\r\n\r\n")[2])
    assert b"\r\n## [1.3.0](" in after
    assert update(repo).changed is False


def test_a_crlf_file_stays_crlf_when_a_section_goes_at_the_end(repo: GitRepo) -> None:
    three_releases(repo)
    text = f"# Log\r\n\r\n{INSERT_MARKER}\r\n\r\n## 1.2.0\r\n\r\n## 1.1.0\r\n\r\nThe end."
    (repo.path / "CHANGELOG.md").write_bytes(text.encode())

    update(repo)

    after = changelog(repo)
    assert after.startswith(text.encode())
    assert headings(after) == ["1.2.0", "1.1.0", "1.0.0"]
    assert b"\n" not in after.replace(b"\r\n", b"")


def test_full_keeps_crlf(repo: GitRepo) -> None:
    three_releases(repo)
    (repo.path / "CHANGELOG.md").write_bytes(b"# Old\r\n")

    update(repo, full=True)

    after = changelog(repo)
    assert b"\r\n## [1.2.0](" in after
    assert b"\n" not in after.replace(b"\r\n", b"")


# -- what a release holds -----------------------------------------------------------------


def test_no_remote_means_no_links_and_no_error(repo: GitRepo) -> None:
    release(repo, "v1.0.0", "feat: first (#4)\n\nCloses #9\n")

    text = update(repo).text

    assert "## 1.0.0 (2024-01-02)" in text
    assert "- first (#4) (" in text
    assert ", closes #9" in text
    assert "](" not in text.partition(INSERT_MARKER)[2]


def test_an_unknown_host_or_forge_none_means_no_links(repo: GitRepo) -> None:
    repo.run("remote", "add", "origin", "https://git.example.com/acme/app.git")
    release(repo, "v1.0.0", "feat: first")
    plain = update(repo, write=False).text
    repo.commit("chore: config", {"versionbot.toml": '[changelog]\nforge = "none"\n'})
    repo.run("remote", "set-url", "origin", "https://github.com/acme/app.git")
    release(repo, "v1.0.1", "fix: second")

    configured = update(repo, write=False).text

    assert "](" not in plain.partition(INSERT_MARKER)[2]
    assert "](" not in configured.partition(INSERT_MARKER)[2]


def test_a_self_hosted_forge_from_the_config(repo: GitRepo) -> None:
    repo.run("remote", "add", "origin", "ssh://git@code.example.com:2222/acme/app.git")
    repo.commit("chore: config", {"versionbot.toml": '[changelog]\nforge = "gitea"\n'})
    release(repo, "v1.0.0", "feat: first")

    text = update(repo).text

    assert "## [1.0.0](https://code.example.com/acme/app/tree/v1.0.0)" in text


def test_a_release_with_nothing_to_show(repo: GitRepo) -> None:
    release(repo, "v1.0.0", "feat: first")
    release(repo, "v1.0.1", "docs: typo", "chore: tidy")

    text = update(repo).text

    assert "## 1.0.1 (2024-01-03)\n\nNo user-facing changes.\n\n## 1.0.0" in text


def test_prereleases_and_their_final(repo: GitRepo) -> None:
    release(repo, "v1.0.0", "feat: first")
    release(repo, "v1.1.0-rc.1", "feat: candidate")
    release(repo, "v1.1.0", "fix: after the candidate")

    text = update(repo).text

    assert headings(text) == ["1.1.0", "1.1.0-rc.1", "1.0.0"]
    final, candidate = text.split("## 1.1.0-rc.1")
    # A final holds every commit since the previous final, its prereleases' too.
    assert "- candidate (" in final
    assert "- after the candidate (" in final
    assert "- candidate (" in candidate.split("## 1.0.0")[0]
    assert "after the candidate" not in candidate


def test_a_prerelease_inserted_later_goes_below_its_final(repo: GitRepo) -> None:
    release(repo, "v1.0.0", "feat: first")
    release(repo, "v1.1.0-rc.1", "feat: candidate")
    release(repo, "v1.1.0", "fix: after the candidate")
    update(repo)
    pristine = changelog(repo)
    start, end = pristine.index(b"## 1.1.0-rc.1"), pristine.index(b"## 1.0.0")
    (repo.path / "CHANGELOG.md").write_bytes(pristine[:start] + pristine[end:])

    update(repo)

    assert changelog(repo) == pristine


def test_only_tags_this_branch_contains(repo: GitRepo) -> None:
    release(repo, "v1.0.0", "feat: first")
    repo.checkout("other", create=True)
    release(repo, "v2.0.0", "feat!: elsewhere")
    repo.checkout("main")
    release(repo, "v1.1.0", "feat: here")
    repo.tag("nightly")
    repo.tag("not-a-version-1.5.0")

    text = update(repo).text

    assert headings(text) == ["1.1.0", "1.0.0"]
    assert "elsewhere" not in text


def test_merged_branch_commits_belong_to_the_release_that_first_contains_them(
    repo: GitRepo,
) -> None:
    release(repo, "v1.0.0", "feat: first")
    repo.checkout("feature", create=True)
    repo.commit("feat(export): csv")
    repo.checkout("main")
    repo.commit("fix: on main")
    repo.merge("feature")
    repo.tag("v1.1.0")
    release(repo, "v1.1.1", "fix: later")

    text = update(repo).text

    section = text.split("## 1.1.0")[1]
    assert "- **export:** csv (" in section
    assert "- on main (" in section
    assert "Merge branch" not in text
    assert "csv" not in text.split("## 1.1.0")[0]


def test_custom_tag_format(repo: GitRepo) -> None:
    repo.commit("chore: config", {"versionbot.toml": 'tag_format = "app-{version}"\n'})
    release(repo, "app-1.0.0", "feat: first")
    repo.tag("v9.0.0")

    text = update(repo).text

    assert headings(text) == ["1.0.0"]


def test_a_shallow_clone_is_a_repository_error(
    repo: GitRepo, run_cli: CliRunner, tmp_path: Path
) -> None:
    three_releases(repo)
    shallow = repo.clone(tmp_path / "shallow", "--depth", "1")

    result = run_cli("-C", shallow.path, "changelog")

    assert result.exit_code == 3
    assert "shallow" in result.stderr
    assert not (shallow.path / "CHANGELOG.md").exists()


# -- the CLI in-process -------------------------------------------------------------------


def test_cli_reports_what_it_wrote(repo: GitRepo, run_cli: CliRunner) -> None:
    three_releases(repo)

    first = run_cli("-C", repo.path, "changelog")
    second = run_cli("-C", repo.path, "changelog")

    assert (first.exit_code, first.stdout) == (0, "CHANGELOG.md: wrote 1.2.0, 1.1.0, 1.0.0\n")
    assert (second.exit_code, second.stdout) == (0, "CHANGELOG.md is up to date\n")


def test_cli_stdout_prints_the_updated_file(repo: GitRepo, run_cli: CliRunner) -> None:
    three_releases(repo)
    run_cli("-C", repo.path, "changelog")
    before = changelog(repo)
    release(repo, "v1.3.0", "fix: fourth")

    result = run_cli("-C", repo.path, "changelog", "--stdout")

    assert result.exit_code == 0
    assert "## [1.3.0](" in result.stdout
    assert result.stdout.endswith(before.decode("utf-8").partition(INSERT_MARKER + "\n\n")[2])
    assert changelog(repo) == before


# -- the atomic write ---------------------------------------------------------------------


def test_write_leaves_no_temporary_file_and_keeps_the_mode(repo: GitRepo) -> None:
    three_releases(repo)
    path = repo.path / "CHANGELOG.md"
    path.write_text(f"# Log\n\n{INSERT_MARKER}\n", encoding="utf-8")
    path.chmod(0o640)

    update(repo)

    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in repo.path.iterdir() if p.name.startswith(".CHANGELOG")) == []


def test_a_new_file_gets_the_usual_mode(repo: GitRepo) -> None:
    three_releases(repo)
    umask = os.umask(0o022)
    try:
        update(repo)
    finally:
        os.umask(umask)

    assert stat.S_IMODE((repo.path / "CHANGELOG.md").stat().st_mode) == 0o644


def test_a_failed_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_bytes(b"old\n")

    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(FileWriteError) as caught:
        write_atomically(path, "new\n")

    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["CHANGELOG.md"]
    assert "not changed" in caught.value.message


def test_write_keeps_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    from versionbot.files.atomic import read_text

    path = tmp_path / "CHANGELOG.md"
    path.write_bytes(b"caf\xe9 \xff\r\n")

    write_atomically(path, read_text(path) + "more\r\n")

    assert path.read_bytes() == b"caf\xe9 \xff\r\nmore\r\n"
