"""The ``bot`` command: parse arguments, load the config, run a command, map errors to exits.

Only this module prints errors and chooses exit codes (see errors.py and the README). Heavy
modules are imported inside the commands that need them, so ``bot --version`` stays fast.
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot import __version__
from versionbot.errors import UsageError, VersionbotError

if TYPE_CHECKING:
    from versionbot.config import Config
    from versionbot.plan import PlanRequest

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

credentials (from the environment only): GITHUB_TOKEN or GH_TOKEN (forge release, and git push
over HTTPS), VERSIONBOT_GIT_TOKEN / VERSIONBOT_GIT_USERNAME (another git host).

exit codes: 0 released or nothing to do, 2 usage or config, 3 repository, 4 version conflict,
6 registry, 7 forge, 8 the branch moved on or another run released first (nothing was pushed)
"""

_EPILOG_CHANGELOG = """\
examples:
  bot changelog                 add the missing releases to CHANGELOG.md
  bot changelog --stdout        print the updated file instead of writing it
  bot changelog --full          regenerate the whole file (hand edits are lost)
  bot changelog --unreleased    the notes of the next release, not written anywhere

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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bot`` and ``versionbot`` console scripts."""
    parser = _parser()
    args = parser.parse_args(argv)
    command = _COMMANDS.get(args.command)
    if command is None:
        parser.print_help()
        return 2
    # A command builds many small objects, none in cycles, then ends: the cycle collector would
    # rescan them again and again (0.8 s of a 100,000-commit plan) to free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return command(args)
    except VersionbotError as exc:
        if args.debug:
            raise
        print(f"error: {exc.message}\nhint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if collecting:
            gc.enable()


def _plan(args: argparse.Namespace) -> int:
    import os

    from versionbot.report import plan_to_json, plan_to_text
    from versionbot.repository_plan import repository_plan

    request = _plan_request(args)
    repo = Path(args.directory)
    config = _config(args, repo)
    if args.title is None and args.base is not None:
        raise UsageError("--base goes with --title", 'add --title "<the pull request title>"')
    if args.title is None:
        plan = repository_plan(repo, config, request)
    else:
        # The pull-request preview: plan as if the PR were squash-merged with this title.
        from versionbot.check import squash_merged
        from versionbot.git import read_history, read_range
        from versionbot.plan import make_plan

        pr = None if args.base is None else read_range(repo, config, f"{args.base}..HEAD")[1]
        replaced = None if pr is None else [c.sha for c in pr]
        prerelease = request.prerelease is not None
        history = read_history(repo, config, prerelease=prerelease, exact=True)
        plan = make_plan(squash_merged(history, args.title, replaced), config, request)
    notes = None
    if plan.notes is not None:
        from versionbot.render import Renderer  # Jinja only when there is something to render

        notes = Renderer.for_repository(plan.state, config).changelog(
            [plan.notes], sections_only=True
        )
    if args.json:
        write_json(plan_to_json(plan, notes))
    else:
        write_text(plan_to_text(plan, notes, verbose=args.verbose))
    if os.environ.get("GITHUB_STEP_SUMMARY"):  # in GitHub Actions: the job summary too
        from versionbot.report import plan_summary

        event = os.environ.get("GITHUB_EVENT_NAME", "")
        in_pr = event.startswith("pull_request") or args.title is not None
        with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as handle:
            handle.write(plan_summary(plan, notes, pull_request=in_pr))
    return 0


def _release(args: argparse.Namespace) -> int:
    import os

    from versionbot.ci_outputs import write_github
    from versionbot.errors import SupersededError
    from versionbot.release import ReleaseOutcome, execute
    from versionbot.release_edges import plan_for_release, release_edges
    from versionbot.render import Renderer

    repo = Path(args.directory)
    config = _config(args, repo)
    env = dict(os.environ)
    plan = plan_for_release(repo, config, _plan_request(args))
    edges = release_edges(plan, config, env)
    try:
        outcome = execute(plan, config, edges)
    except SupersededError as exc:
        # CI still learns that this run released nothing (the next run releases).
        write_github(env, ReleaseOutcome(log=[exc.message]), None)
        raise
    for line in outcome.log:
        write_text(f"{line}\n")
    notes = None
    if plan.notes is not None:
        notes = Renderer.for_repository(plan.state, config).release_notes(plan.notes)
    write_github(env, outcome, notes)
    return 0


def _changelog(args: argparse.Namespace) -> int:
    repo = Path(args.directory)
    config = _config(args, repo)
    if args.unreleased:
        from versionbot.plan import PlanRequest
        from versionbot.render import Renderer
        from versionbot.repository_plan import repository_plan

        plan = repository_plan(repo, config, PlanRequest(date=_today()))
        if plan.notes is None:
            write_text(f"Nothing to release: {plan.reason}.\n")
        else:
            renderer = Renderer.for_repository(plan.state, config)
            write_text(renderer.changelog([plan.notes], sections_only=True))
        return 0
    from versionbot.changelog_file import update_changelog

    update = update_changelog(repo, config, full=args.full, write=not args.stdout)
    if args.stdout:
        write_text(update.text)
    elif not update.changed:
        write_text(f"{update.path.name} is up to date\n")
    else:
        added = ", ".join(str(v) for v in update.added) or "its title and marker (no release yet)"
        write_text(f"{update.path.name}: wrote {added}\n")
    return 0


def _images(args: argparse.Namespace) -> int:
    from versionbot.release_edges import plan_for_release, release_at_head
    from versionbot.report import images_to_text
    from versionbot.repository_plan import repository_plan

    repo = Path(args.directory)
    config = _config(args, repo)
    if config.images is None:
        raise UsageError(
            "no images are configured", "add an [images] table (see the README), then run again"
        )
    if args.images_command == "plan":
        plan = plan_for_release(repo, config, _plan_request(args))
        if plan.images is None:
            write_text(f"No release is due, so no image tags: {plan.reason}.\n")
        else:
            write_text("\n".join(images_to_text(plan.images)) + "\n")
        return 0
    import os

    from versionbot.image_stage import RegistryImageStage
    from versionbot.plan import PlanRequest

    request = PlanRequest(date=_today())
    released = release_at_head(repo, config, request, repository_plan(repo, config, request))
    if released is None or released.images is None:
        raise UsageError(
            "HEAD carries no release tag, so there is no release image to tag",
            "run bot release first (it tags HEAD and pushes the images itself)",
        )
    stage = RegistryImageStage(config, Path(released.state.root), os.environ)
    for pushed in stage.push(released.images):
        state = "pushed" if pushed.pushed else "already there"
        write_text(f"{pushed.ref}  {pushed.digest}  ({state})\n")
    return 0


def _check(args: argparse.Namespace) -> int:
    import dataclasses
    import os

    from versionbot.check import (
        CommitCheck,
        check_commits,
        check_edit_message,
        check_message,
        strip_comments,
    )
    from versionbot.errors import RepositoryError
    from versionbot.git import read_range
    from versionbot.report import check_summary, check_to_json, check_to_text

    repo = Path(args.directory)
    config = _config(args, repo)
    rules = (
        dataclasses.replace(config.check, allow_fixup=True) if args.allow_fixup else config.check
    )
    hint = None
    if args.range is not None and (args.message_file is not None or args.title is not None):
        raise UsageError("a range goes without --message-file and --title", "give one input")
    if args.message_file is not None:
        name = args.message_file
        source, where = "message", "stdin" if name == "-" else Path(name).name
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror}", "check the path") from None
        # A merge being concluded: merge commits are not linted (as in ranges).
        if name != "-" and (Path(name).parent / "MERGE_HEAD").exists():
            return 0
        text = data.decode("utf-8", "replace")
        subject = strip_comments(text)[0].partition("\n")[0]
        checks = [CommitCheck(None, subject, tuple(check_edit_message(text, rules)))]
        if name != "-":
            hint = f"the message is kept: fix it with git commit --edit --file {name}"
    elif args.title is not None:
        source, where = "title", "title"
        checks = [CommitCheck(None, args.title.strip(), tuple(check_message(args.title, rules)))]
        hint = "edit the pull request's title: it becomes the subject of the squash commit"
    else:
        source = "range"
        try:
            where, commits = read_range(repo, config, args.range)
            checks = check_commits(commits, rules)
        except RepositoryError as exc:  # bot check: 1 is "problems found", 2 anything else
            raise UsageError(exc.message, exc.hint) from None
        hint = "reword them (git rebase -i), or give the squash commit a conventional title"
    errors = sum(c.errors + (c.warnings if args.strict else 0) for c in checks)
    if args.json:
        write_json(check_to_json(checks, source, args.range))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        color = color and os.environ.get("TERM") != "dumb"
        write_text(check_to_text(checks, where, color=color))
        if errors and hint:
            write_text(f"hint: {hint}\n")
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with Path(os.environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as handle:
            handle.write(check_summary(checks))
    return 1 if errors else 0


def _init(args: argparse.Namespace) -> int:
    from versionbot.repository_init import init_repository, summary

    if args.stdout and args.changelog_marker:
        raise UsageError(
            "--stdout writes nothing, so it cannot add the changelog marker",
            "run bot init --changelog-marker without --stdout",
        )
    outcome = init_repository(
        _work_tree_root(Path(args.directory)),
        write=not args.stdout,
        force=args.force,
        changelog_marker=args.changelog_marker,
        target=Path(args.config) if args.config else None,
    )
    if args.stdout:
        write_text(outcome.text)
        sys.stderr.write(summary(outcome))
    else:
        write_text(summary(outcome))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plan": _plan,
    "changelog": _changelog,
    "release": _release,
    "images": _images,
    "init": _init,
    "check": _check,
}


def _config(args: argparse.Namespace, repo: Path) -> Config:
    from versionbot.config import load_config

    return load_config(_work_tree_root(repo), Path(args.config) if args.config else None)


def _today() -> str:
    """Today in UTC, or the day of SOURCE_DATE_EPOCH (reproducible builds) when it is set."""
    import os
    import time

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def write_json(document: str) -> None:
    """JSON is UTF-8 (RFC 8259), whatever the console's encoding."""
    sys.stdout.flush()
    sys.stdout.buffer.write(document.encode("utf-8"))
    sys.stdout.buffer.flush()


def write_text(text: str) -> None:
    """A console that cannot show a character gets an escape, not a UnicodeEncodeError."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stdout.write(text)


def _plan_request(args: argparse.Namespace) -> PlanRequest:
    from versionbot.bump import Bump
    from versionbot.plan import PlanRequest
    from versionbot.version import InvalidVersion, Version, is_valid_prerelease_token

    if args.prerelease is not None and not is_valid_prerelease_token(args.prerelease):
        raise UsageError(
            f"--prerelease {args.prerelease!r} is not a valid prerelease token",
            "use letters, digits and hyphens, e.g. --prerelease rc",
        )
    if args.set_version is not None and (args.bump is not None or args.prerelease is not None):
        raise UsageError(
            "--version cannot be combined with --bump or --prerelease",
            "give the whole version, e.g. --version 2.0.0-rc.1",
        )
    version = None
    if args.set_version is not None:
        try:
            version = Version.parse(args.set_version.removeprefix("v"))
        except InvalidVersion as exc:
            raise UsageError(str(exc), "give a SemVer version, e.g. --version 1.4.0") from None
    if args.build is not None:
        try:
            Version(0, 0, 0).with_build(args.build)
        except InvalidVersion as exc:
            raise UsageError(str(exc), "use letters, digits, hyphens and dots") from None
    return PlanRequest(
        date=_today(),
        prerelease=args.prerelease,
        bump=Bump.from_label(args.bump) if args.bump else None,
        version=version,
        build=args.build,
    )


def _work_tree_root(path: Path) -> Path:
    """The folder holding the config files: the top of the work tree that holds ``path``."""
    for folder in (path.resolve(), *path.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return path


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot",
        description="versionbot: Conventional-Commits releases with exact SemVer bumps.",
        parents=[_common_options(in_subcommand=False)],
    )
    parser.add_argument("--version", action="version", version=f"versionbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    images = commands.add_parser(
        "images",
        help="the release image's version tags: plan them, or push them for the release at HEAD",
        description="bot images plan: the tags the next release's image gets, and which floating "
        "tags move. bot images push: give the image of the release at HEAD its tags (bot release "
        "does this itself).",
        parents=[_common_options(in_subcommand=True)],
    )
    images_commands = images.add_subparsers(dest="images_command", metavar="plan|push")
    images_commands.required = True
    images_plan = images_commands.add_parser(
        "plan", help="print the tag set", parents=[_common_options(in_subcommand=True)]
    )
    _version_options(images_plan)
    images_commands.add_parser(
        "push",
        help="push the tags of the release at HEAD",
        parents=[_common_options(in_subcommand=True)],
    )

    release = commands.add_parser(
        "release",
        help="make the planned release: version files, changelog, commit, tag, push, forge, images",
        description="Make the release that bot plan shows, or finish one a crashed run left "
        "half-made. Safe to re-run; a run on an already released HEAD does nothing.",
        epilog=_EPILOG_RELEASE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(in_subcommand=True)],
    )
    _version_options(release)

    plan = commands.add_parser(
        "plan",
        help="show the next release and why (changes nothing)",
        description="Show what the next release would be and why. Changes nothing; needs no "
        "network and no credentials.",
        epilog=_EPILOG_PLAN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(in_subcommand=True)],
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

    check = commands.add_parser(
        "check",
        help="lint commit messages: every problem at once, with the fix",
        description="Check commit messages against Conventional Commits, with the parser the "
        "release uses, and the [check] policy. Reports every problem of every commit: where, "
        "what, and the corrected form where one is obvious.",
        epilog=_EPILOG_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(in_subcommand=True)],
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

    changelog = commands.add_parser(
        "changelog",
        help="bring CHANGELOG.md up to date with the release tags",
        description="Add every released version that CHANGELOG.md lacks, in its place, and touch "
        "nothing else. Run twice, the second run changes nothing.",
        epilog=_EPILOG_CHANGELOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(in_subcommand=True)],
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
    init = commands.add_parser(
        "init",
        help="write a commented config from the tags, version files and an older tool's config",
        description="Propose a configuration from the repository: the tag format of its tags, "
        "its version files, its changelog, and the settings of python-semantic-release or "
        "commitizen (what does not carry over is listed). Writes [tool.versionbot] in "
        "pyproject.toml when there is one, else versionbot.toml (--config FILE: there).",
        epilog=_EPILOG_INIT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(in_subcommand=True)],
    )
    init.add_argument("--stdout", action="store_true", help="print the config; write nothing")
    init.add_argument("--force", action="store_true", help="replace an existing versionbot config")
    init.add_argument(
        "--changelog-marker",
        action="store_true",
        help="also add the insertion marker to the changelog, above its newest release",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
