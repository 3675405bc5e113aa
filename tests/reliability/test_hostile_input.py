"""Hostile and broken input, through the installed ``bot`` (plan, changelog, release).

Each case ends in correct behaviour or in exactly two lines on stderr, ``error: …`` and
``hint: …``, with the documented exit code: never a traceback, never a changed file that should
not change. Messages: bytes that are not UTF-8, NUL (stored by ``git fast-import``, which keeps
bytes as given), a 1 MB message, 10,000 footers, ANSI escapes, Markdown/HTML, Jinja syntax.
Repositories: shallow, detached HEAD, no commits, tags that are not SemVer, two release tags on
one commit, a release tag outside the branch, a corrupted changelog marker, a config with wrong
types.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from git_remote import released_v0_1_0

pytestmark = pytest.mark.timeout(120)


def assert_one_line_error(result: CliResult, code: int) -> tuple[str, str]:
    """Two lines, error then hint, the exit code, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert lines[1].startswith("hint: "), result.stderr
    assert result.exit_code == code, result.stderr
    return lines[0], lines[1]


def assert_fine(result: CliResult) -> None:
    """Exit 0, nothing on stderr."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


@pytest.fixture
def released(make_repo: RepoFactory) -> GitRepo:
    """A repository with v0.1.0 and a file:// origin that has it."""
    return released_v0_1_0(make_repo("app"))


def _push(repo: GitRepo) -> None:
    repo.run("push", "--quiet", "origin", "main")


# -- commit messages ---------------------------------------------------------------------------


HOSTILE = [
    b"feat: caf\xe9 in Latin-1 \xff\xfe and a lone \xc3",
    b"feat: a NUL \x00 in the subject\n\nand one \x00 in the body\n\nRefs: #1\x00",
    b"fix: \x1b[31mred\x1b[0m \x1b]0;owned title\x07 \x1b[2J cleared \x9b1m C1",
    b"feat: <script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:x) **b**",
    b"feat: {{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# comment #} {{ config }}",
    b"fix: `rm -rf /` _under_ | pipe |\n\n"
    b"BREAKING CHANGE: # heading\n- list\n<b>html</b>\n{{ 6*7 }}",
]


def test_hostile_messages_plan_changelog_and_release(released: GitRepo, bot: CliRunner) -> None:
    released.fast_import(HOSTILE)
    _push(released)
    plan = bot("-C", released.path, "plan")
    assert_fine(plan)
    assert b"\x1b" not in plan.stdout_bytes
    assert b"\x07" not in plan.stdout_bytes
    assert "\x9b" not in plan.stdout
    check = bot("-C", released.path, "check", "v0.1.0..HEAD")
    assert check.exit_code in (0, 1)
    assert "Traceback" not in check.stderr
    assert b"\x1b" not in check.stdout_bytes
    assert "\x9b" not in check.stdout
    as_json = bot("-C", released.path, "plan", "--json")
    assert_fine(as_json)
    document = as_json.json()
    assert len(document["commits"]) == len(HOSTILE)  # a NUL never splits or merges commits
    assert document["next"]["version"] == "0.2.0"  # feat (a breaking change is minor on 0.x)
    release = bot("-C", released.path, "release")
    assert_fine(release)
    assert b"\x1b" not in release.stdout_bytes
    changelog = (released.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "\x1b" not in changelog
    assert "\x00" not in changelog
    for raw in ("<script>", "<img", "[link](javascript:", "**b**", "<b>html</b>"):
        assert raw not in changelog, raw
    assert " 49 " not in changelog
    assert "\n  42" not in changelog
    assert "{{ 7\\*7 }}" in changelog
    assert "{% for x in range(3) %}" in changelog
    assert "caf" in changelog
    tag_notes = released.run("tag", "-l", "--format=%(contents)", "v0.2.0")
    assert "<script>" not in tag_notes
    assert "\x1b" not in tag_notes
    fill = bot("-C", released.path, "changelog")  # the file was created with 0.2.0 only
    assert_fine(fill)
    assert fill.stdout == "CHANGELOG.md: wrote 0.1.0\n"
    again = bot("-C", released.path, "changelog")
    assert_fine(again)
    assert again.stdout == "CHANGELOG.md is up to date\n"
    text = (released.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith(changelog.partition("## ")[0])  # nothing above was touched
    assert text.count("## 0.2.0") == 1
    assert text.count("## 0.1.0") == 1


def test_a_one_megabyte_message(released: GitRepo, bot: CliRunner) -> None:
    body = ("lorem ipsum dolor sit amet " * 40 + "\n") * 950  # about 1 MB
    released.fast_import([f"feat: a huge message\n\n{body}"])
    result = bot("-C", released.path, "plan", "--json")
    assert_fine(result)
    assert result.json()["next"]["version"] == "0.2.0"
    changelog = bot("-C", released.path, "changelog", "--unreleased")
    assert_fine(changelog)
    assert "a huge message" in changelog.stdout
    assert len(changelog.stdout) < 10_000  # the body is not an entry


def test_ten_thousand_footers_parse_in_bounded_time(
    released: GitRepo, bot: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    footers = "\n".join(f"Refs: #{n}" for n in range(10_000))
    released.fast_import([f"fix: many footers\n\nbody\n\n{footers}\nBREAKING CHANGE: yes"])
    started = time.monotonic()
    result = bot("-C", released.path, "plan", "--json")
    seconds = time.monotonic() - started
    assert_fine(result)
    assert result.json()["next"]["version"] == "0.2.0"  # the last footer (breaking) is read
    with capsys.disabled():
        print(f"\n10,000 footers: bot plan --json took {seconds:.2f} s")


# -- repositories ------------------------------------------------------------------------------


def test_an_empty_repository(repo: GitRepo, bot: CliRunner) -> None:
    for command in (["plan"], ["changelog"], ["release"]):
        error, _ = assert_one_line_error(bot("-C", repo.path, *command), 3)
        assert "no commits" in error
    assert sorted(p.name for p in repo.path.iterdir()) == [".git"]


def test_a_shallow_clone_that_lacks_the_last_release(
    make_repo: RepoFactory, bot: CliRunner, tmp_path: Path
) -> None:
    origin = make_repo("origin")
    origin.commit("feat: initial")
    origin.tag("v0.1.0", annotated=True)
    origin.commit("feat: one")
    origin.commit("fix: two")
    shallow = origin.clone(tmp_path / "shallow", "--depth", "1", "--no-tags")
    result = bot("-C", shallow.path, "plan")
    error, hint = assert_one_line_error(result, 3)
    assert "shallow" in error + hint
    changelog = bot("-C", shallow.path, "changelog")
    assert changelog.exit_code in (0, 3)
    assert "Traceback" not in changelog.stderr


def test_a_detached_head_plans_but_does_not_release(released: GitRepo, bot: CliRunner) -> None:
    released.commit("feat: detached work")
    _push(released)
    released.checkout("HEAD", detach=True)
    assert_fine(bot("-C", released.path, "plan"))
    error, _ = assert_one_line_error(bot("-C", released.path, "release"), 2)
    assert "detached HEAD is not a release branch" in error
    assert released.run("tag", "--list").split() == ["v0.1.0"]


def test_tags_that_are_not_semver_are_ignored(released: GitRepo, bot: CliRunner) -> None:
    for name in ("latest", "v1", "v1.x", "vfoo", "1.2.3.4", "v99.0.0-", "v2.0.0+", "v01.2.3"):
        released.tag(name)
    released.commit("fix: a fix")
    result = bot("-C", released.path, "plan", "--json")
    assert_fine(result)
    assert result.json()["next"]["version"] == "0.1.1"


def test_two_release_tags_on_one_commit(released: GitRepo, bot: CliRunner) -> None:
    released.tag("v0.1.5", annotated=True)
    released.commit("fix: after both")
    result = bot("-C", released.path, "plan", "--json")
    assert_fine(result)
    assert result.json()["previous"]["version"] == "0.1.5"
    assert result.json()["next"]["version"] == "0.1.6"
    full = bot("-C", released.path, "changelog", "--full")
    assert_fine(full)
    text = (released.path / "CHANGELOG.md").read_text()
    assert text.count("## 0.1.5") == 1
    assert text.count("## 0.1.0") == 1


def test_a_release_tag_outside_the_branch(released: GitRepo, bot: CliRunner) -> None:
    released.checkout("side", create=True)
    released.commit("feat: only on the side branch")
    released.tag("v0.2.0", annotated=True)
    released.checkout("main")
    released.commit("feat: on main")
    result = bot("-C", released.path, "plan")
    error, _ = assert_one_line_error(result, 4)
    assert "v0.2.0" in error
    forced = bot("-C", released.path, "plan", "--json", "--version", "0.3.0")
    assert_fine(forced)


@pytest.mark.parametrize(
    "text",
    [
        "# Changelog\n\n<!-- versionbot: insert releases\n\nhand-written notes\n",
        "# Changelog\n\n<!-- versionbot: insert releases below\n",
        "# Changelog\n\nversionbot: insert releases below -->\n",
    ],
    ids=["cut-in-half", "unclosed", "no-opening"],
)
def test_a_corrupted_changelog_marker(released: GitRepo, bot: CliRunner, text: str) -> None:
    released.commit("docs: changelog", {"CHANGELOG.md": text})
    released.commit("feat: something")
    _push(released)
    for command in (["changelog"], ["release"]):
        _, hint = assert_one_line_error(bot("-C", released.path, *command), 5)
        assert "<!-- versionbot: insert releases below -->" in hint
        assert (released.path / "CHANGELOG.md").read_text() == text
    assert released.run("tag", "--list").split() == ["v0.1.0"]
    assert released.run("status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('version_files = "pyproject.toml"', "version_files"),
        ('major_on_zero = "yes"', "major_on_zero"),
        ("tag_format = 7", "tag_format"),
        ("initial_version = 1.0", "initial_version"),
        ("release_branches = [1, 2]", "release_branches"),
        ("bump = []", "bump"),
        ('bump = { feat = "huge" }', "feat"),
        ("changelog = { file = 3 }", "file"),
        ('changelog = { sections = ["feat"] }', "sections"),
        ("images = 3", "images"),
        ('images = { names = "x" }', "names"),
        ("committer = { name = 1 }", "committer"),
        ("check = { max_subject_length = -1 }", "max_subject_length"),
        ("remote = false", "remote"),
        ("nonsense = 1", "nonsense"),
    ],
)
def test_a_config_with_wrong_types(released: GitRepo, bot: CliRunner, table: str, key: str) -> None:
    released.write("versionbot.toml", table + "\n")
    for command in (["plan"], ["changelog"], ["release"], ["check", "HEAD~1..HEAD"]):
        error, _ = assert_one_line_error(bot("-C", released.path, *command), 2)
        assert key in error, error
        assert "versionbot.toml" in error, error
    assert not (released.path / "CHANGELOG.md").exists()


def test_a_release_as_of_five_thousand_digits_is_a_one_line_error(
    released: GitRepo, bot: CliRunner
) -> None:
    """Python's int() refuses past 4,300 digits with a traceback; the version's bound comes
    first, and the commit text is shown cut and neutralised."""
    released.commit(f"feat: big\n\nRelease-As: {'9' * 5000}.0.0\n", {"big.txt": "big\n"})
    _push(released)
    for command in ("plan", "release"):
        result = bot("-C", released.path, command)
        error, hint = assert_one_line_error(result, 4)
        assert "has 'Release-As: 9999" in error
        assert len(error) < 200
        assert "--version" in hint


@pytest.mark.parametrize("value", ["soon", f"{'9' * 5000}.0.0"])
def test_an_invalid_release_as_gives_way_to_version_and_bump(
    released: GitRepo, bot: CliRunner, value: str
) -> None:
    """The hint's own escape works: --version or --bump release past a footer that cannot be
    edited once merged (the footer is not read then)."""
    released.commit(f"feat: big\n\nRelease-As: {value}\n", {"big.txt": "big\n"})
    _push(released)
    assert_one_line_error(bot("-C", released.path, "plan"), 4)
    bumped = bot("-C", released.path, "plan", "--json", "--bump", "patch")
    assert_fine(bumped)
    assert bumped.json()["next"]["version"] == "0.1.1"
    assert_fine(bot("-C", released.path, "release", "--version", "0.3.0"))
    assert released.run("tag", "--points-at", "HEAD") == "v0.3.0"


# -- what already held, kept holding -------------------------------------------------------------


def test_ten_thousand_odd_tags(released: GitRepo, bot: CliRunner) -> None:
    """10,000 tags of every odd shape a contributor's push or a mirror leaves (not SemVer,
    almost SemVer, huge numbers, Unicode, nested paths): ignored, and the plan is right."""
    head = released.run("rev-parse", "HEAD")
    shapes = [
        "v{n}",
        "v{n}.0",
        "v0.{n}.0-",
        "v0.{n}.0+",
        "v00.{n}.0",
        "release/{n}",
        "v0.{n}.0.1",
        "{n}" + "9" * 70 + ".0.0",
        "vé{n}",
        "x/y/z/{n}",
    ]
    names = [shape.format(n=n) for n in range(1000) for shape in shapes]
    updates = "".join(f"create refs/tags/{name} {head}\n" for name in names)
    released.run("update-ref", "--stdin", input=updates.encode())
    released.commit("feat: more", {"more.txt": "more\n"})
    plan = bot("-C", released.path, "plan", "--json")
    assert_fine(plan)
    document = plan.json()
    assert document["previous"]["tag"] == "v0.1.0"
    assert document["next"]["version"] == "0.2.0"
    assert len(document["ignored_tags"]) == 10_000


def test_a_hundred_megabyte_changelog_keeps_every_byte(released: GitRepo, bot: CliRunner) -> None:
    """The new section goes below the marker; the 100 MB around it are kept byte for byte."""
    marker = "<!-- versionbot: insert releases below -->"
    entries = "".join(f"- an old entry, number {n}\n" for n in range(400))
    history = "".join(f"## 0.0.{n}\n\n{entries}\n" for n in range(10_000))
    text = f"# Changelog\n\n{marker}\n\n{history}"
    assert len(text) > 100_000_000
    released.run("config", "core.compression", "0")  # zlib would take most of the time
    released.commit("docs: the old changelog", {"CHANGELOG.md": text})
    released.commit("feat: more", {"more.txt": "more\n"})
    _push(released)
    assert_fine(bot("-C", released.path, "release"))
    written = (released.path / "CHANGELOG.md").read_text(encoding="utf-8")
    above, _, below = written.partition(f"{marker}\n\n## 0.2.0 ")
    assert above == "# Changelog\n\n"
    assert below.endswith(history)
    assert written.count("## 0.2.0 ") == 1
    assert len(written) - len(text) < 500


def test_a_tag_named_head(released: GitRepo, bot: CliRunner) -> None:
    """A pushed tag named HEAD made HEAD's name ambiguous: the reader crashed (git refuses a
    branch of that name)."""
    released.run("tag", "HEAD")
    released.commit("feat: more", {"more.txt": "more\n"})
    plan = bot("-C", released.path, "plan", "--json")
    assert_fine(plan)
    assert plan.json()["branch"] == "main"
    assert plan.json()["next"]["version"] == "0.2.0"
