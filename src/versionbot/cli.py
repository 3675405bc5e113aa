"""The ``bot`` command: parse arguments, load the config, run a command, map errors to exits.

Only this module prints errors and chooses exit codes (see errors.py and the README). Heavy
modules are imported inside the commands that need them, so ``bot --version`` stays fast.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot import __version__
from versionbot.errors import UsageError, VersionbotError

if TYPE_CHECKING:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bot`` and ``versionbot`` console scripts."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args)
        parser.print_help()
        return 2
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


def _plan(args: argparse.Namespace) -> int:
    from versionbot.config import load_config
    from versionbot.report import plan_to_json, plan_to_text
    from versionbot.repository_plan import repository_plan

    request = _plan_request(args)
    repo = Path(args.directory)
    config = load_config(_work_tree_root(repo), Path(args.config) if args.config else None)
    plan = repository_plan(repo, config, request)
    if args.json:
        write_json(plan_to_json(plan))
    else:
        write_text(plan_to_text(plan, verbose=args.verbose))
    return 0


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot",
        description="versionbot: Conventional-Commits releases with exact SemVer bumps.",
        parents=[_common_options(in_subcommand=False)],
    )
    parser.add_argument("--version", action="version", version=f"versionbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    plan.add_argument("--prerelease", metavar="TOKEN", default=None, help="e.g. rc, beta")
    plan.add_argument(
        "--bump", choices=["major", "minor", "patch"], default=None, help="force the level"
    )
    plan.add_argument(
        "--version", dest="set_version", metavar="X.Y.Z", default=None, help="force the version"
    )
    plan.add_argument("--build", metavar="META", default=None, help="append +META to the version")
    return parser


if __name__ == "__main__":
    sys.exit(main())
