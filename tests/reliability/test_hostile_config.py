"""A configuration and files a merged pull request can commit, through the installed ``bot``.

Whoever merges controls versionbot.toml, pyproject.toml and the version files. What git, the
registry or the parser would refuse later (after the release commit, after the tag is pushed)
is refused when the configuration loads; what cannot be read is said in one line with a true
hint. Each case asserts the exact error, the exit code, no traceback, and that nothing was
committed, tagged or pushed. Real repositories with a real ``file://`` origin.
"""

from __future__ import annotations

import os

import pytest

from conftest import CliResult, CliRunner, GitRepo, RepoFactory
from git_remote import released_v0_1_0

pytestmark = pytest.mark.timeout(180)

# Every command that loads the configuration (bot init proposes one: it reads peers' files).
LOADING = [("plan",), ("release",), ("changelog",), ("check",), ("images", "plan"), ("tag",)]
DEEP_TOML = "a = " + "[" * 100_000
DEEP_JSON = '{"version": "0.1.0", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.fixture
def project(make_repo: RepoFactory) -> GitRepo:
    """v0.1.0 and its origin (file://)."""
    return released_v0_1_0(make_repo("app"))


def _merge(
    repo: GitRepo, files: dict[str, str | bytes], links: dict[str, str] | None = None
) -> str:
    """A merged contribution (a feature, so a release is due), pushed; HEAD after it."""
    for path, content in files.items():
        repo.write(path, content)
    for path, target in (links or {}).items():
        os.symlink(target, repo.path / path)
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", "feat: a contribution")
    repo.run("push", "--quiet", "origin", "main")
    return repo.head()


def _refused(result: CliResult, code: int, error: str, hint: str) -> None:
    """Exactly ``error: …`` and ``hint: …`` on stderr, the exit code, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [f"error: {error}", f"hint: {hint}"], result.stderr
    assert result.exit_code == code, result.stderr


def _nothing_done(repo: GitRepo, head: str) -> None:
    """No commit, no tag, no push, no file changed."""
    assert repo.head() == head
    assert repo.run("tag", "--list").split() == ["v0.1.0"]
    remote = repo.run("ls-remote", "origin")
    assert "v0.1.0" in remote
    assert "v0.2.0" not in remote
    assert head in remote
    assert repo.run("status", "--porcelain", "--untracked-files=no") == ""


def _each_command(
    bot: CliRunner, repo: GitRepo, head: str, *, code: int, error: str, hint: str
) -> None:
    for command in LOADING:
        _refused(bot("-C", repo.path, *command), code, error, hint)
        _nothing_done(repo, head)


# -- tag_format, committer, images: refused when the configuration loads ---------------------------


@pytest.mark.parametrize(
    ("tag_format", "why"),
    [
        ("-{version}", "'-1.2.3' starts with '-' (git tag takes it for an option)"),
        ("v{version}.lock", "'v1.2.3.lock' has a part that ends with '.lock' ('v1.2.3.lock')"),
        ("v{version}~", "'v1.2.3~' holds '~': no control character, space, ~ ^ : ? * [ or \\"),
    ],
)
def test_a_tag_format_git_refuses_is_refused_before_anything(
    project: GitRepo, bot: CliRunner, tag_format: str, why: str
) -> None:
    head = _merge(project, {"versionbot.toml": f'tag_format = "{tag_format}"\n'})
    error = f"tag_format in versionbot.toml makes tags git refuses: {why}"
    hint = 'write e.g. tag_format = "v{version}": letters, digits, ".", "-", "_" and "/"'
    _each_command(bot, project, head, code=2, error=error, hint=hint)


def test_a_package_tag_format_git_refuses_is_refused(project: GitRepo, bot: CliRunner) -> None:
    config = '[packages.api]\npath = "api"\ntag_format = "api/{version}/"\n'
    head = _merge(project, {"versionbot.toml": config, "api/x.txt": "x\n"})
    _refused(
        bot("-C", project.path, "release"),
        2,
        "tag_format in versionbot.toml [packages.api] makes tags git refuses: 'api/1.2.3/' has "
        "an empty part: '//', or a '/' at either end",
        'write e.g. tag_format = "v{version}": letters, digits, ".", "-", "_" and "/"',
    )
    _nothing_done(project, head)


@pytest.mark.parametrize(
    ("committer", "error"),
    [
        (
            'name = "Bot\\nSigned-off-by: someone", email = "bot@example.com"',
            "committer.name in versionbot.toml holds the control character U+000A",
        ),
        (
            'name = "Bot", email = "bot@example.com>"',
            "committer.email in versionbot.toml holds '>', which git uses to mark the email",
        ),
        (
            'name = "Bot \\u202eredli", email = "bot@example.com"',
            "committer.name in versionbot.toml holds the control character U+202E",
        ),
    ],
)
def test_a_committer_git_would_mangle_is_refused_before_anything(
    project: GitRepo, bot: CliRunner, committer: str, error: str
) -> None:
    head = _merge(project, {"versionbot.toml": f"committer = {{ {committer} }}\n"})
    hint = 'write committer = { name = "Release Bot", email = "bot@example.com" }'
    _each_command(bot, project, head, code=2, error=error, hint=hint)


def test_an_upper_case_image_name_is_refused_before_the_tag_is_pushed(
    project: GitRepo, bot: CliRunner
) -> None:
    config = '[images]\nnames = ["ghcr.io/Acme/App"]\nsource = "ghcr.io/acme/app:sha-{sha}"\n'
    head = _merge(project, {"versionbot.toml": config})
    error = (
        "images.names in versionbot.toml: 'ghcr.io/Acme/App' is not an image name: 'Acme/App' "
        "is not a repository path: lower-case letters and digits joined by '.', '_', '__' or "
        "'-', parts separated by '/'"
    )
    hint = 'write a repository in lower case, without a tag, e.g. "ghcr.io/acme/app"'
    _each_command(bot, project, head, code=2, error=error, hint=hint)


def test_an_image_source_that_makes_no_reference_is_refused(
    project: GitRepo, bot: CliRunner
) -> None:
    config = '[images]\nnames = ["ghcr.io/acme/app"]\nsource = "ghcr.io/acme/app:{nope}"\n'
    head = _merge(project, {"versionbot.toml": config})
    _refused(
        bot("-C", project.path, "images", "plan"),
        2,
        "images.source in versionbot.toml: 'ghcr.io/acme/app:{nope}' is not an image reference: "
        "holds the unknown placeholder {nope}",
        'the image CI built for the commit, e.g. "ghcr.io/acme/app:sha-{sha}"',
    )
    _nothing_done(project, head)


@pytest.mark.parametrize(
    ("config", "error", "hint"),
    [
        (  # an escape sequence and a line break, echoed raw in the release's error before
            'version_files = ["x\\u001b[31mred\\nline/package.json"]\n',
            "version_files in versionbot.toml holds the control character U+001B: "
            "'x\\x1b[31mred\\nline/package.json'",
            'e.g. ["pyproject.toml", "src/app/__init__.py:__version__"]',
        ),
        (  # a section title that forges a release heading in CHANGELOG.md
            '[changelog.sections]\nfeat = "Features\\n\\n## 9.9.9 (2020-01-01)"\n',
            "changelog.sections.feat in versionbot.toml holds the control character U+000A: "
            "'Features\\n\\n## 9.9.9 (2020-01-01)'",
            'a table of type = "Section title", in the order to show them',
        ),
        (  # a release commit subject that clears the screen of whoever reads git log
            'commit_message = "chore: {version}\\u001b[2J"\n',
            "commit_message in versionbot.toml holds the control character U+001B: "
            "'chore: {version}\\x1b[2J'",
            'the release commit\'s subject, e.g. "chore(release): {version} [skip ci]"',
        ),
        (  # a git option where the remote's name goes
            'remote = "--receive-pack=touch pwned"\n',
            "remote in versionbot.toml is not a git remote name: '--receive-pack=touch pwned' "
            "starts with '-'",
            'the git remote to push to, e.g. "origin"',
        ),
        (  # a branch pattern, echoed raw in "not a release branch"
            '[branches."ma\\u001b[2Jin"]\n',
            "branches in versionbot.toml holds the control character U+001B: 'ma\\x1b[2Jin'",
            "a table of release branches, e.g. [branches.main], [branches.next] with "
            'prerelease = "rc", [branches."1.x"] with maintenance = true (glob patterns allowed)',
        ),
        (  # a platform, printed raw by bot images plan
            '[images]\nnames = ["ghcr.io/acme/app"]\nplatforms = ["linux/amd64\\u001b[2J"]\n',
            "images.platforms in versionbot.toml holds the control character U+001B: "
            "'linux/amd64\\x1b[2J'",
            'e.g. ["linux/amd64", "linux/arm64"]',
        ),
        (  # a changelog path with a line break: git add failed after the files were written
            '[changelog]\nfile = "CHANGELOG.md\\nx"\n',
            "changelog.file in versionbot.toml holds the control character U+000A: "
            "'CHANGELOG.md\\nx'",
            'the changelog\'s path from the repository root, e.g. "CHANGELOG.md"',
        ),
    ],
)
def test_text_with_control_characters_is_refused_before_anything(
    project: GitRepo, bot: CliRunner, config: str, error: str, hint: str
) -> None:
    head = _merge(project, {"versionbot.toml": config})
    _each_command(bot, project, head, code=2, error=error, hint=hint)
    assert not (project.path / "pwned").exists()


# -- files that cannot be read: one line, a true hint ----------------------------------------------


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ({"versionbot.toml": DEEP_TOML}, "versionbot.toml nests arrays or tables too deeply"),
        (
            {"pyproject.toml": "[tool.versionbot]\n" + DEEP_TOML},
            "pyproject.toml nests arrays or tables too deeply",
        ),
        (  # not even versionbot's table: pyproject.toml is read to find it
            {"pyproject.toml": "[tool.other]\n" + DEEP_TOML},
            "pyproject.toml nests arrays or tables too deeply",
        ),
    ],
)
def test_a_deeply_nested_config_is_a_config_error(
    project: GitRepo, bot: CliRunner, files: dict[str, str | bytes], error: str
) -> None:
    head = _merge(project, files)
    hint = "no configuration nests that deep: fix the file"
    _each_command(bot, project, head, code=2, error=f"{error} to be read", hint=hint)


def test_a_deeply_nested_package_json_is_a_version_file_error(
    project: GitRepo, bot: CliRunner
) -> None:
    head = _merge(
        project,
        {"versionbot.toml": 'version_files = ["package.json"]\n', "package.json": DEEP_JSON},
    )
    _refused(
        bot("-C", project.path, "release"),
        1,
        "package.json nests arrays or objects too deeply to be read",
        "no package.json nests that deep: fix the file, then run again",
    )
    _nothing_done(project, head)


def test_a_config_that_is_not_utf8_says_so(project: GitRepo, bot: CliRunner) -> None:
    head = _merge(
        project, {"pyproject.toml": b'[tool.versionbot]\ntag_format = "\xffv{version}"\n'}
    )
    error = "pyproject.toml is not UTF-8 text: byte 0xff at offset 32"
    _each_command(
        bot, project, head, code=2, error=error, hint="TOML files are UTF-8: save it as UTF-8"
    )


def test_a_config_with_a_byte_order_mark_is_read(project: GitRepo, bot: CliRunner) -> None:
    _merge(project, {"versionbot.toml": '\ufefftag_format = "r{version}"\n'})
    result = bot("-C", project.path, "plan", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    plan = result.json()
    assert plan["next"]["tag"] == "r0.1.0"  # the format was read: v0.1.0 is not its release
    assert plan["ignored_tags"] == ["v0.1.0"]


def test_a_tool_versionbot_that_is_not_a_table_is_a_config_error(
    project: GitRepo, bot: CliRunner
) -> None:
    head = _merge(project, {"pyproject.toml": "[tool]\nversionbot = 1\n"})
    error = "pyproject.toml [tool.versionbot] must be a table, not int"
    hint = "write [tool.versionbot] as a table header, with its keys below it"
    _each_command(bot, project, head, code=2, error=error, hint=hint)


def test_a_config_that_is_a_folder_says_so(project: GitRepo, bot: CliRunner) -> None:
    head = _merge(project, {"versionbot.toml/x.txt": "x\n"})
    hint = "versionbot reads versionbot.toml as a file: rename it"
    _each_command(bot, project, head, code=2, error="versionbot.toml is a folder", hint=hint)


def test_a_config_symlinked_out_of_the_tree_is_never_read(project: GitRepo, bot: CliRunner) -> None:
    # /dev/zero: reading it never ends. Only commands that never write the config are run.
    head = _merge(project, {}, {"versionbot.toml": "/dev/zero"})
    for command in (("plan",), ("check",)):
        _refused(
            bot("-C", project.path, *command),
            3,
            "config file versionbot.toml leads out of the work tree (to /dev/zero)",
            "a file the release reads or writes must be a file of the repository; replace the "
            "symlink or fix the path in the configuration",
        )
        _nothing_done(project, head)


def test_a_config_that_is_a_named_pipe_is_never_read(project: GitRepo, bot: CliRunner) -> None:
    head = project.head()
    os.mkfifo(project.path / "pyproject.toml")  # in the test's own work tree (tmp_path)
    _refused(
        bot("-C", project.path, "plan"),
        3,
        "config file pyproject.toml is not a regular file: it is a named pipe",
        "point the configuration at a regular file of the repository",
    )
    _nothing_done(project, head)


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda path: (path / "x.txt").parent.mkdir(), "a folder"),
        (os.mkfifo, "a named pipe"),
    ],
)
def test_a_version_file_that_is_not_a_file_says_what_it_is(
    project: GitRepo, bot: CliRunner, make: object, what: str
) -> None:
    head = _merge(project, {"versionbot.toml": 'version_files = ["web/package.json"]\n'})
    (project.path / "web").mkdir()
    make(project.path / "web" / "package.json")  # type: ignore[operator]
    _refused(
        bot("-C", project.path, "release"),
        3,
        f"version file web/package.json is not a regular file: it is {what}",
        "point the configuration at a regular file of the repository",
    )
    _nothing_done(project, head)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "Expecting value at line 1 column 1"),
        (b"\xff\xfe\x00\x01\x89PNG", "Expecting value at line 1 column 1"),
    ],
)
def test_an_empty_or_binary_version_file_is_a_version_file_error(
    project: GitRepo, bot: CliRunner, content: bytes, error: str
) -> None:
    files: dict[str, str | bytes] = {"versionbot.toml": 'version_files = ["package.json"]\n'}
    files["package.json"] = content
    head = _merge(project, files)
    error = f"package.json is not valid JSON: {error}"
    _refused(bot("-C", project.path, "release"), 1, error, "fix the file's syntax, then run again")
    _nothing_done(project, head)


def test_empty_config_files_are_the_defaults(project: GitRepo, bot: CliRunner) -> None:
    _merge(project, {"pyproject.toml": "", "versionbot.toml": ""})
    result = bot("-C", project.path, "plan")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_init_reads_past_a_peer_config_nested_too_deeply(project: GitRepo, bot: CliRunner) -> None:
    head = _merge(project, {".cz.json": '{"commitizen": ' + DEEP_JSON + "}"})
    result = bot("-C", project.path, "init", "--stdout")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr
    assert 'tag_format = "v{version}"' in result.stdout
    _nothing_done(project, head)


def test_init_refuses_to_embed_in_a_pyproject_nested_too_deeply(
    project: GitRepo, bot: CliRunner
) -> None:
    text = "[tool.other]\n" + DEEP_TOML
    head = _merge(project, {"pyproject.toml": text})
    _refused(
        bot("-C", project.path, "init"),
        2,
        "pyproject.toml nests arrays or tables too deeply to be read",
        "fix it, then run bot init again (or bot init --stdout to see the section)",
    )
    assert (project.path / "pyproject.toml").read_text() == text
    assert not (project.path / "versionbot.toml").exists()
    _nothing_done(project, head)


# -- whatever was missed: still two lines, the traceback only with --debug ----------------------


def test_an_unexpected_error_is_two_lines_without_debug(
    project: GitRepo, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from versionbot.cli import main

    def broken(_: object) -> int:
        raise RuntimeError("commit text \x1b[2J ::set-output name=x::y")

    monkeypatch.setitem(main._COMMANDS, "plan", broken)
    result = run_cli("-C", project.path, "plan")
    _refused(
        result,
        1,
        "versionbot failed unexpectedly (RuntimeError)",
        "this is a bug: run the same command with --debug for the traceback, and report it",
    )
    with pytest.raises(RuntimeError):
        run_cli("-C", project.path, "--debug", "plan")


@pytest.mark.parametrize(
    ("loop", "command", "error"),
    [
        ("versionbot.toml", "plan", "config file versionbot.toml is a symlink loop"),
        ("package.json", "release", "version file package.json is a symlink loop"),
        ("CHANGELOG.md", "release", "changelog CHANGELOG.md is a symlink loop"),
    ],
)
def test_a_symlink_loop_is_named(
    project: GitRepo, bot: CliRunner, loop: str, command: str, error: str
) -> None:
    files: dict[str, str | bytes] = {}
    if loop == "package.json":
        files["versionbot.toml"] = 'version_files = ["package.json"]\n'
    head = _merge(project, files, {loop: loop})
    hint = "replace the symlink with the file it stands for"
    _refused(bot("-C", project.path, command), 3, error, hint)
    _nothing_done(project, head)


def test_a_template_that_is_not_utf8_says_so(project: GitRepo, bot: CliRunner) -> None:
    config = '[changelog]\ntemplates = "t"\n'
    head = _merge(project, {"versionbot.toml": config, "t/CHANGELOG.md.j2": b"\xff\xfe{{"})
    _refused(
        bot("-C", project.path, "changelog"),
        2,
        "template CHANGELOG.md.j2 is not UTF-8 text: byte 0xff at offset 0",
        "templates are UTF-8: save it as UTF-8",
    )
    _nothing_done(project, head)
    assert not (project.path / "CHANGELOG.md").exists()


def test_a_templates_folder_that_is_a_symlink_loop_is_not_said_missing(
    project: GitRepo, bot: CliRunner
) -> None:
    head = _merge(project, {"versionbot.toml": '[changelog]\ntemplates = "t"\n'}, {"t": "t"})
    _refused(
        bot("-C", project.path, "plan"),
        2,
        f"changelog.templates folder {project.path / 't'} is not a folder",
        "create it, or remove changelog.templates from the configuration",
    )
    _nothing_done(project, head)
