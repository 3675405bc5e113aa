"""The ``bot`` command line: its commands, options, help texts and examples.

Pure: builds an argparse parser; cli/main.py parses with it and runs the command. Shell completion
(completion.py) is generated from the same parser, so it can never list an option that does
not exist.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from versionbot import __version__

if TYPE_CHECKING:
    # argparse's subparsers action (a private class, named here for the type checker only).
    _Commands = argparse._SubParsersAction[argparse.ArgumentParser]

_EPILOG_PLAN = """\
examples:
  bot plan                      what the next release would be, and why
  bot plan --json               the same as a JSON document (schema 1)
  bot plan --prerelease rc      the next release candidate, e.g. 1.4.0-rc.2
  bot plan --bump major         force the level
  bot plan --version 2.0.0      force the version

exit codes: 0 plan made (release due or not), 2 usage or config, 3 repository, 4 version conflict
"""


_EPILOG_RELEASE = """\
examples:
  bot release                   release what bot plan shows (in CI, on every push to main)
  bot release --prerelease rc   release the next release candidate
  bot release --lost-race-ok    exit 0, not 8, when another run released first (CI: not a failure)

credentials (from the environment only): GITHUB_TOKEN or GH_TOKEN (forge release, and git push
over HTTPS), VERSIONBOT_GIT_TOKEN / VERSIONBOT_GIT_USERNAME (another git host).

exit codes: 0 released or nothing to do, 2 usage or config, 3 repository, 4 version conflict,
6 registry, 7 forge, 8 the branch moved on or another run released first (nothing was pushed;
0 with --lost-race-ok)
"""

_EPILOG_TAG = """\
examples:
  bot tag                       tag HEAD with the planned version, the notes as its message
  bot tag 1.4.0                 tag 1.4.0, if the commits agree (a breaking change does not)
  bot tag 1.4.0 --force         tag 1.4.0 even though the commits ask for more
  bot tag --push                and push the tag (the tag-push workflow completes the release)
  bot tag --package api         a monorepo: api's next version, with api's tag format and notes

exit codes: 0 tagged, 2 usage or nothing to tag, 3 repository, 4 the version contradicts the
commits, is not greater than the last release, or its tag exists
"""

_EPILOG_CHANGELOG = """\
examples:
  bot changelog                 add the missing releases to CHANGELOG.md
  bot changelog --stdout        print the updated file instead of writing it
  bot changelog --full          regenerate the whole file (hand edits are lost)
  bot changelog --unreleased    the notes of the next release, not written anywhere
  bot changelog --package api   a monorepo: only api's changelog (in its folder)

exit codes: 0 done, 2 usage, config or template, 3 repository, 5 no insertion point in the file
"""


_EPILOG_INIT = """\
examples:
  bot init                      write the config (migrating python-semantic-release/commitizen)
  bot init --stdout             print it, change nothing
  bot init --force              replace the versionbot config that is there
  bot init --changelog-marker   also mark where CHANGELOG.md gets new releases

exit codes: 0 written (or printed), 2 a versionbot config exists (use --force) or bad usage
"""

_EPILOG_CHECK = """\
examples:
  bot check                                the commits since the last release
  bot check origin/main..HEAD              the commits of a branch or pull request
  bot check --message-file .git/COMMIT_EDITMSG    a commit-msg hook (see docs/checking.md)
  echo "feat: add paging" | bot check --message-file -
  bot check --title "feat(api): add paging"       a pull request's squash title

Rules and their configuration ([check] in pyproject.toml or versionbot.toml): docs/checking.md.

exit codes: 0 no errors (warnings allowed, unless --strict), 1 problems found,
2 usage, config or repository
"""


def _common_options(*, in_subcommand: bool) -> argparse.ArgumentParser:
    # Accepted before and after the subcommand; after it they must not reset what was given
    # before it, hence SUPPRESS as the subcommand's default.
    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-C", dest="directory", metavar="PATH", default=default("."), help="run in PATH"
    )
    common.add_argument(
        "--config", metavar="FILE", default=default(None), help="read the configuration from FILE"
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="say more"
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="say less: no progress"
    )
    common.add_argument(
        "--debug", action="store_true", default=default(False), help="tracebacks on errors"
    )
    return common


def _version_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prerelease", metavar="TOKEN", default=None, help="e.g. rc, beta")
    parser.add_argument(
        "--bump", choices=["major", "minor", "patch"], default=None, help="force the level"
    )
    parser.add_argument(
        "--version", dest="set_version", metavar="X.Y.Z", default=None, help="force the version"
    )
    parser.add_argument("--build", metavar="META", default=None, help="append +META to the version")
    parser.add_argument(
        "--package", metavar="NAME", default=None, help="a monorepo: only this package"
    )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``bot`` command line: every command, option, help text and example; with
    ``command``, that command's alone ("" for none), all a run needs: each costs milliseconds."""
    parser = argparse.ArgumentParser(
        prog="bot",
        description="versionbot: Conventional-Commits releases with exact SemVer bumps.",
        parents=[_common_options(in_subcommand=False)],
    )
    parser.add_argument("--version", action="version", version=f"versionbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common_options(in_subcommand=True)  # one parent for every subcommand
    for name, add in _COMMANDS.items():
        if command is None or name == command:
            add(commands, common)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs (its first word that is not an option or an option's value),
    or None when there is none or it is not a command."""
    words = iter(argv)
    for word in words:
        if word in _OPTIONS_WITH_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in _COMMANDS else None
    return None


def _plan_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    plan = commands.add_parser(
        "plan",
        help="show the next release and why (changes nothing)",
        description="Show what the next release would be and why. Changes nothing; needs no "
        "network and no credentials.",
        epilog=_EPILOG_PLAN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    plan.add_argument("--json", action="store_true", default=False, help="print JSON")
    plan.add_argument(
        "--title",
        metavar="TEXT",
        default=None,
        help="plan as if the pull request were squash-merged with this title",
    )
    plan.add_argument(
        "--base",
        metavar="REV",
        default=None,
        help="with --title: only the commits in REV..HEAD are the pull request's",
    )
    _version_options(plan)


def _release_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    release = commands.add_parser(
        "release",
        help="make the planned release: version files, changelog, commit, tag, push, forge, images",
        description="Make the release that bot plan shows, or finish one a crashed run left "
        "half-made. Safe to re-run; a run on an already released HEAD does nothing.",
        epilog=_EPILOG_RELEASE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    release.add_argument("--json", action="store_true", default=False, help="print JSON")
    release.add_argument(
        "--no-push",
        dest="push",
        action="store_false",
        default=True,
        help="commit and tag the release locally and stop (build its image, then run again)",
    )
    release.add_argument(
        "--lost-race-ok",
        action="store_true",
        default=False,
        help="exit 0, not 8, when another run released first or the branch moved on",
    )
    _version_options(release)


def _tag_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    tag = commands.add_parser(
        "tag",
        help="make the annotated release tag by hand, checked against the commits",
        description="Tag HEAD with the next version (or VERSION) as an annotated tag whose "
        "message is the release notes. Refuses a VERSION lower than the commits ask for "
        "(unless --force) or not greater than the last release.",
        epilog=_EPILOG_TAG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    tag.add_argument("tag_version", nargs="?", metavar="VERSION", default=None, help="X.Y.Z")
    tag.add_argument(
        "--package", metavar="NAME", default=None, help="a monorepo: the package to tag"
    )
    tag.add_argument(
        "--force", action="store_true", help="tag VERSION even when the commits ask for more"
    )
    tag.add_argument("--push", action="store_true", help="push the tag to the remote")
    tag.add_argument("--prerelease", metavar="TOKEN", default=None, help="e.g. rc, beta")
    tag.add_argument("--json", action="store_true", default=False, help="print JSON")


def _changelog_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    changelog = commands.add_parser(
        "changelog",
        help="bring CHANGELOG.md up to date with the release tags",
        description="Add every released version that CHANGELOG.md lacks, in its place, and touch "
        "nothing else. Run twice, the second run changes nothing.",
        epilog=_EPILOG_CHANGELOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    changelog.add_argument(
        "--stdout", action="store_true", help="print the resulting file instead of writing it"
    )
    changelog.add_argument(
        "--full", action="store_true", help="regenerate the whole file from the tag history"
    )
    changelog.add_argument(
        "--unreleased", action="store_true", help="print the notes of what is not released yet"
    )
    changelog.add_argument("--json", action="store_true", default=False, help="print JSON")
    changelog.add_argument(
        "--package", metavar="NAME", default=None, help="a monorepo: only this package"
    )


def _check_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "check",
        help="lint commit messages: every problem at once, with the fix",
        description="Check commit messages against Conventional Commits, with the parser the "
        "release uses, and the [check] policy. Reports every problem of every commit: where, "
        "what, and the corrected form where one is obvious.",
        epilog=_EPILOG_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    check.add_argument(
        "range", nargs="?", default=None, help="a revision range (default: since the last release)"
    )
    check_input = check.add_mutually_exclusive_group()
    check_input.add_argument(
        "--message-file", metavar="FILE", default=None, help="a commit message file; - for stdin"
    )
    check_input.add_argument("--title", metavar="TEXT", default=None, help="a pull request title")
    check.add_argument("--json", action="store_true", default=False, help="print JSON")
    check.add_argument("--strict", action="store_true", help="warnings are problems too (exit 1)")
    check.add_argument(
        "--allow-fixup", action="store_true", help="let fixup!/squash!/amend! commits pass"
    )


def _init_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    init = commands.add_parser(
        "init",
        help="write a commented config from the tags, version files and an older tool's config",
        description="Propose a configuration from the repository: the tag format of its tags, "
        "its version files, its changelog, and the settings of python-semantic-release or "
        "commitizen (what does not carry over is listed). Writes [tool.versionbot] in "
        "pyproject.toml when there is one, else versionbot.toml (--config FILE: there).",
        epilog=_EPILOG_INIT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    init.add_argument("--stdout", action="store_true", help="print the config; write nothing")
    init.add_argument("--json", action="store_true", default=False, help="print JSON")
    init.add_argument("--force", action="store_true", help="replace an existing versionbot config")
    init.add_argument(
        "--changelog-marker",
        action="store_true",
        help="also add the insertion marker to the changelog, above its newest release",
    )


def _images_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    images = commands.add_parser(
        "images",
        help="the release image's version tags: plan them, or push them for the release at HEAD",
        description="bot images plan: the tags the next release's image gets, and which floating "
        "tags move. bot images push: give the image of the release at HEAD its tags (bot release "
        "does this itself).",
        epilog="examples:\n  bot images plan               the tags of the next release's image\n"
        "  bot images push               tag the image of the release at HEAD (after bot release)\n"
        "  bot images plan --package api a monorepo: api's image tags",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    images_commands = images.add_subparsers(dest="images_command", metavar="plan|push")
    images_commands.required = True
    images_plan = images_commands.add_parser("plan", help="print the tag set", parents=[common])
    images_plan.add_argument("--json", action="store_true", default=False, help="print JSON")
    _version_options(images_plan)
    images_push = images_commands.add_parser(
        "push",
        help="push the tags of the release at HEAD",
        parents=[common],
    )
    images_push.add_argument("--json", action="store_true", default=False, help="print JSON")
    images_push.add_argument(
        "--package", metavar="NAME", default=None, help="a monorepo: the package's images"
    )


def _completion_parser(commands: _Commands, common: argparse.ArgumentParser) -> None:
    completion = commands.add_parser(
        "completion",
        help="print the shell completion script for bash, zsh or fish",
        description="Print a completion script. bash: save it as "
        "~/.local/share/bash-completion/completions/bot; zsh: as _bot in a folder of $fpath; "
        "fish: as ~/.config/fish/completions/bot.fish.",
        epilog="example:\n  bot completion bash > ~/.local/share/bash-completion/completions/bot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])


_COMMANDS: dict[str, Callable[[_Commands, argparse.ArgumentParser], None]] = {
    "plan": _plan_parser,
    "release": _release_parser,
    "tag": _tag_parser,
    "changelog": _changelog_parser,
    "check": _check_parser,
    "init": _init_parser,
    "images": _images_parser,
    "completion": _completion_parser,
}
_OPTIONS_WITH_VALUES = frozenset({"-C", "--config"})
