"""The ``bot`` command: parse arguments, load the config, run a command, map errors to exits.

Only this module prints errors and chooses exit codes (see errors.py and the README). Heavy
modules are imported inside the commands that need them, so ``bot --version`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from versionbot.cli.args import build_parser, command_in
from versionbot.core.errors import FileWriteError, UsageError, VersionbotError

if TYPE_CHECKING:
    from versionbot.cli.terminal import Progress
    from versionbot.core.check import CommitCheck
    from versionbot.core.commits import Commit
    from versionbot.core.config import CheckRules, Config
    from versionbot.core.image_tags import ImagePlan
    from versionbot.core.plan import PackagePlan, PlanRequest
    from versionbot.files.changelog_file import ChangelogUpdate
    from versionbot.registry.stage import PushedTag


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bot`` and ``versionbot`` console scripts."""
    words = sys.argv[1:] if argv is None else list(argv)
    command_name = command_in(words)
    if command_name is None and "--version" in words:
        command_name = ""  # no command's parser is needed to print the version
    parser = build_parser(command_name)
    args = parser.parse_args(words)
    command = _COMMANDS.get(args.command)
    if command is None:
        parser.print_help()
        return 2
    # A command builds many small objects, none in cycles, then ends: at the default threshold
    # the cycle collector would rescan them again and again (0.45 s of CPU in a 100,000-commit
    # plan) to free nothing. A pass every million allocations costs no more than none, and
    # still frees what cycles a long release makes.
    threshold = gc.get_threshold()
    gc.set_threshold(1_000_000)
    try:
        return command(args)
    except VersionbotError as exc:
        if args.debug:  # the traceback, then the usual lines: the exit code stays the error's
            import traceback

            traceback.print_exc(file=sys.stderr)
        from versionbot.cli.terminal import paint, wants_colour

        colour = wants_colour(sys.stderr)
        error, hint = paint("error:", "red", colour=colour), paint("hint:", "dim", colour=colour)
        from versionbot.core.neutralise import neutralise

        # One line each, whatever text they quote (a commit's, a file's, a server's).
        write_error(f"{error} {neutralise(exc.message)}\n{hint} {neutralise(exc.hint)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still two lines, the traceback only with --debug
        if args.debug:
            raise
        # Only the type: the message of an unexpected error may quote anything (commit text).
        print(
            f"error: versionbot failed unexpectedly ({type(exc).__name__})\n"
            "hint: this is a bug: run the same command with --debug for the traceback, and "
            "report it",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.set_threshold(*threshold)


def _plan(args: argparse.Namespace) -> int:
    from versionbot.files.render import Renderer

    repo = Path(args.directory)
    config = _config(args, repo)
    if args.title is None and args.base is not None:
        raise UsageError("--base goes with --title", 'add --title "<the pull request title>"')
    requests = package_requests(config, _plan_request(args), args.package)
    found = _plans(args, repo, config, requests)
    if found is None:
        return 0
    plans = found
    if args.package is not None:
        plans = tuple(p for p in plans if p.package.name == args.package)
    notes = [
        None
        if p.plan.notes is None
        else Renderer.for_repository(p.plan.state, p.package.config).markdown_section(p.plan.notes)
        for p in plans
    ]
    if args.json:
        write_json(*_plan_json(config, plans, notes))
    else:
        write_text(_plan_text(config, plans, notes, verbose=args.verbose))
        if args.title is None and args.package is None:
            # The mode, and what the next bot release does (only worth saying in some cases).
            from versionbot.cli.report import next_run_to_text
            from versionbot.release.run import describe_next_run

            said = describe_next_run(repo, config, requests, plans, os.environ)
            if said is not None:
                write_text(next_run_to_text(config.mode, said))
    if os.environ.get("GITHUB_STEP_SUMMARY"):  # in GitHub Actions: the job summary too
        from versionbot.cli.github_outputs import append_step_summary
        from versionbot.cli.report import plan_summary

        event = os.environ.get("GITHUB_EVENT_NAME", "")
        in_pr = event.startswith("pull_request") or args.title is not None
        parts = []
        for package_plan, package_notes in zip(plans, notes, strict=True):
            if config.packages:
                parts.append(f"## {package_plan.package.name}\n\n")
            parts.append(plan_summary(package_plan.plan, package_notes, pull_request=in_pr))
        append_step_summary(os.environ, "".join(parts))
    return 0


def _plans(
    args: argparse.Namespace, repo: Path, config: Config, requests: Mapping[str, PlanRequest]
) -> tuple[PackagePlan, ...] | None:
    """The plans ``bot plan`` shows; None when it said instead that HEAD is behind releases of
    its remote branch (the next run finishes them)."""
    if args.title is not None:
        return _previewed_plans(args, repo, config, requests)
    from versionbot.core.errors import VersionConflictError
    from versionbot.git.repository_plan import package_plans

    try:
        return package_plans(repo, config, requests, progress=_counted(args))
    except VersionConflictError:
        # Taken by a release made after HEAD? bot release completes or finishes that instead.
        if not _say_instead(args, repo, config, requests):
            raise
        return None


def _say_instead(
    args: argparse.Namespace, repo: Path, config: Config, requests: Mapping[str, PlanRequest]
) -> bool:
    """When HEAD's next version is taken by a release made after it, say what the next run
    does instead: on a tag checkout, complete the tag's release; on a checkout behind releases
    of its remote branch, finish those (from the local tags and remote-tracking branch: a plan
    needs no network). False when neither is the case."""
    import json

    from versionbot.cli.report import next_run_to_text
    from versionbot.core.next_run import Releases, past_head_sentence, sentence
    from versionbot.git.reader import repository_state
    from versionbot.git.writer import GitWriter
    from versionbot.release.behind import releases_past_head
    from versionbot.release.run import tagged_head_releases

    state = repository_state(repo)
    held = tagged_head_releases(repo, config, requests, state)
    said: str
    tags: dict[str, list[str]]
    if held:
        releases = Releases(at_head=held)
        said = sentence(config.mode, config.pr_branch, releases, (), detached=True)
        tags = {"releases_at_head": [due.tag for due in held]}
    else:
        git = GitWriter(Path(state.root), env=os.environ)
        past = releases_past_head(git, config, state, remote=False)
        if not past or state.branch is None:
            return False
        names = [tag for _, found in past for tag in found]
        said = past_head_sentence(names, config.remote, state.branch)
        tags = {"released_past_head": names}
    if args.json:
        document = {"schema": 1, "release": False, **tags, "next_run": said}
        write_json(json.dumps(document, indent=2) + "\n")
    else:
        write_text(next_run_to_text(config.mode, said))
    return True


def _plan_json(
    config: Config, plans: Sequence[PackagePlan], notes: Sequence[str | None]
) -> list[str]:
    """The plan JSON: one repository's document, or a monorepo's over every package."""
    if config.packages:
        from versionbot.cli.report import packages_json_parts

        return packages_json_parts(plans, notes)
    from versionbot.cli.report import plan_json_parts

    return plan_json_parts(plans[0].plan, notes[0])


def _plan_text(
    config: Config, plans: Sequence[PackagePlan], notes: Sequence[str | None], *, verbose: bool
) -> str:
    """The plan text: one repository's, or a monorepo's with a summary line per package."""
    if config.packages:
        from versionbot.cli.report import packages_to_text

        return packages_to_text(plans, notes, verbose=verbose)
    from versionbot.cli.report import plan_to_text

    return plan_to_text(plans[0].plan, notes[0], verbose=verbose)


def _previewed_plans(
    args: argparse.Namespace, repo: Path, config: Config, requests: Mapping[str, PlanRequest]
) -> tuple[PackagePlan, ...]:
    """The pull-request preview (``--title``): the plans as if the pull request's commits
    (``--base..HEAD``) were squash-merged with this title."""
    from versionbot.core.check import squash_merged, squash_merged_packages
    from versionbot.core.plan import (
        PackagePlan,
        make_package_plans,
        make_plan,
        prerelease_channel,
    )
    from versionbot.git.reader import read_history, read_packages_history, read_range

    prerelease, channel = prerelease_channel(requests.values())
    if config.packages:
        if args.base is None:
            raise UsageError(
                "--title needs --base in a monorepo: the pull request's commits say which "
                "packages it changes",
                'add --base with the branch it merges into, e.g. --base origin/main --title "..."',
            )
        pr = [c.sha for c in read_range(repo, config, f"{args.base}..HEAD")[1]]
        packages_history = read_packages_history(
            repo, config, prerelease=prerelease, exact=True, channel=channel
        )
        squashed = squash_merged_packages(packages_history, args.title, pr)
        return make_package_plans(squashed, config, requests)
    from versionbot.core.packages import packages_of

    pr_commits = None if args.base is None else read_range(repo, config, f"{args.base}..HEAD")[1]
    replaced = None if pr_commits is None else [c.sha for c in pr_commits]
    history = read_history(repo, config, prerelease=prerelease, exact=True, channel=channel)
    [root] = packages_of(config)
    plan = make_plan(squash_merged(history, args.title, replaced), config, requests[root.name])
    return (PackagePlan(root, plan),)


def package_requests(
    config: Config, request: PlanRequest, name: str | None
) -> dict[str, PlanRequest]:
    """Each package's request (``plan.package_requests``; the repository's one package when it
    has no ``[packages]``), once ``--package`` names a known package, or none is named and
    neither ``--version`` nor ``--bump`` is given in a monorepo."""
    from versionbot.core.packages import WHOLE_REPOSITORY, packages_of
    from versionbot.core.plan import package_requests as requests_by_package

    if not config.packages:
        _no_package_option(name)
        return requests_by_package(packages_of(config), request, WHOLE_REPOSITORY)
    forced = request.version is not None or request.bump is not None
    if name is not None:
        config.package(name)  # an unknown name is an error, with the known ones
    elif forced:
        raise UsageError(
            "--version and --bump need --package NAME in a monorepo",
            "name the package, e.g. bot plan --package api --bump major",
        )
    return requests_by_package(config.packages, request, name)


def _no_package_option(name: str | None) -> None:
    if name is not None:
        raise UsageError(
            f"--package {name}: this repository has no [packages]",
            "--package is for monorepos; configure [packages.NAME] tables, or drop it",
        )


def _release(args: argparse.Namespace) -> int:
    import json

    from versionbot.cli.github_outputs import run_outputs, write_github
    from versionbot.core.errors import SupersededError
    from versionbot.release.outcome import RunOutcome
    from versionbot.release.run import run_release

    repo = Path(args.directory)
    config = _config(args, repo)
    env = dict(os.environ)
    requests = package_requests(config, _plan_request(args), args.package)
    try:  # the configured mode (direct or pr) is picked in run_release
        outcome = run_release(
            repo, config, requests, env, _progress(args).show, only=args.package, push=args.push
        )
    except SupersededError as exc:
        # CI still learns that this run released nothing (the next run releases).
        outcome = RunOutcome(log=[exc.message])
        write_github(env, config, outcome)
        if not args.lost_race_ok:
            raise
        from versionbot.cli.terminal import paint, wants_colour

        # Asked for: a lost race is this job's success (the run that won, or the next, releases).
        note = paint("note:", "yellow", colour=wants_colour(sys.stderr))
        write_error(f"{note} {_shown(exc.message)}\n")
        if args.json:
            document = {**run_outputs(config, outcome), "log": outcome.log}
            write_json(json.dumps(document, indent=2) + "\n")
        return 0
    except VersionbotError as exc:
        # The job's outputs and summary say that it failed and why, rather than nothing.
        failed = [f"failed (exit {exc.exit_code}): {exc.message}", f"hint: {exc.hint}"]
        with contextlib.suppress(FileWriteError):  # the error that stopped it is the one to tell
            write_github(env, config, RunOutcome(log=failed))
        raise
    if args.json:
        document = {**run_outputs(config, outcome), "log": outcome.log}
        write_json(json.dumps(document, indent=2) + "\n")
    elif not args.quiet:
        write_text(_log_text(outcome.log))
    write_github(env, config, outcome)
    return 0


def _tag(args: argparse.Namespace) -> int:
    import json

    from versionbot.core.plan import PlanRequest
    from versionbot.core.version import InvalidVersion, Version, is_valid_prerelease_token
    from versionbot.release.tagging import make_tag

    if args.prerelease is not None and not is_valid_prerelease_token(args.prerelease):
        raise UsageError(f"--prerelease {args.prerelease!r} is not valid", "e.g. --prerelease rc")
    version = None
    if args.tag_version is not None:
        try:
            version = Version.parse(args.tag_version.removeprefix("v"))
        except InvalidVersion as exc:
            raise UsageError(str(exc), "give a SemVer version, e.g. bot tag 1.4.0") from None
    repo = Path(args.directory)
    config = _config(args, repo)
    if not config.packages:
        _no_package_option(args.package)
    elif args.package is None:
        raise UsageError(
            "bot tag makes one package's tag in a monorepo", "name it: bot tag --package NAME"
        )
    request = PlanRequest(date=_today(), prerelease=args.prerelease)
    outcome = make_tag(
        repo,
        config,
        request,
        os.environ,
        version=version,
        force=args.force,
        push=args.push,
        package=args.package,
    )
    if args.json:
        document = {"tag": outcome.tag, "version": str(outcome.version), "sha": outcome.sha}
        write_json(json.dumps({**document, "pushed": outcome.pushed}, indent=2) + "\n")
    elif not args.quiet:
        write_text(_log_text(outcome.log))
    return 0


def _changelog(args: argparse.Namespace) -> int:
    import json

    repo = Path(args.directory)
    config = _config(args, repo)
    if config.packages:
        return _changelog_packages(args, repo, config)
    _no_package_option(args.package)
    if args.unreleased:
        from versionbot.core.plan import PlanRequest
        from versionbot.files.render import Renderer
        from versionbot.git.repository_plan import repository_plan

        plan = repository_plan(repo, config, PlanRequest(date=_today()))
        if plan.notes is None:
            write_text(f"Nothing to release: {_shown(plan.reason)}.\n")
        else:
            renderer = Renderer.for_repository(plan.state, config)
            write_text(renderer.changelog([plan.notes], sections_only=True))
        return 0
    from versionbot.files.changelog_file import update_changelog

    update = update_changelog(repo, config, full=args.full, write=not args.stdout)
    if args.json:
        write_json(json.dumps(_changelog_json(update, args.stdout), indent=2) + "\n")
    elif args.stdout:
        write_text(update.text)
    elif not args.quiet:
        write_text(_changelog_line(update.path.name, update))
    if not args.json:
        _left_out(update)
    return 0


def _left_out(update: ChangelogUpdate) -> None:
    """On standard error, what a whole changelog left out (its output may be the file)."""
    from versionbot.core.neutralise import neutralise

    for line in update.left_out:
        write_error(f"note: left out {neutralise(line)}\n")


def _changelog_json(update: ChangelogUpdate, stdout: bool) -> dict[str, object]:
    return {
        "file": str(update.path),
        "added": [str(v) for v in update.added],
        "changed": update.changed,
        "written": update.changed and not stdout,
        "left_out": list(update.left_out),
    }


def _changelog_line(name: str, update: ChangelogUpdate) -> str:
    if not update.changed:
        return f"{name} is up to date\n"
    added = ", ".join(str(v) for v in update.added) or "its title and marker (no release yet)"
    return f"{name}: wrote {added}\n"


def _changelog_packages(args: argparse.Namespace, repo: Path, config: Config) -> int:
    """``bot changelog`` in a monorepo: each package's changelog in its folder (or
    ``--package NAME``'s)."""
    import json

    names = (
        [config.package(args.package).name] if args.package else [p.name for p in config.packages]
    )
    if args.unreleased:
        from versionbot.core.plan import PlanRequest
        from versionbot.files.render import Renderer
        from versionbot.git.repository_plan import repository_package_plans

        request = PlanRequest(date=_today())
        plans = repository_package_plans(repo, config, {p.name: request for p in config.packages})
        parts = []
        for package_plan in (p for p in plans if p.package.name in names):
            plan, package = package_plan.plan, package_plan.package
            if len(names) > 1:
                parts.append(f"== {package.name} ({package.path}) ==\n")
            if plan.notes is None:
                parts.append(f"Nothing to release: {_shown(plan.reason)}.\n")
            else:
                renderer = Renderer.for_repository(plan.state, package.config)
                parts.append(renderer.changelog([plan.notes], sections_only=True))
            parts.append("\n" if len(names) > 1 else "")
        write_text("".join(parts).rstrip("\n") + "\n")
        return 0
    if args.stdout and len(names) > 1:
        raise UsageError(
            "--stdout prints one changelog, and this monorepo has one per package",
            "name the package: bot changelog --package NAME --stdout",
        )
    from versionbot.files.changelog_file import update_package_changelogs

    updates = update_package_changelogs(repo, config, names, full=args.full, write=not args.stdout)
    if args.json:
        listing = [
            {"name": package.name, **_changelog_json(update, args.stdout)}
            for package, update in updates
        ]
        write_json(json.dumps({"packages": listing}, indent=2) + "\n")
    elif args.stdout:
        write_text(updates[0][1].text)
    elif not args.quiet:
        for package, update in updates:
            write_text(_changelog_line(package.config.changelog.file, update))
    if not args.json:
        for _, update in updates:
            _left_out(update)
    return 0


def _images(args: argparse.Namespace) -> int:
    import json

    from versionbot.cli.report import images_to_json, images_to_text
    from versionbot.git.repository_plan import plan_of, release_at_head

    repo = Path(args.directory)
    config = _config(args, repo)
    package = args.package
    if not config.packages:
        _no_package_option(package)
        settings = config
    elif package is None:
        raise UsageError(
            "bot images works on one package's images in a monorepo",
            f"name it: bot images {args.images_command} --package NAME",
        )
    else:
        settings = config.package(package).config
    if settings.images is None:
        raise UsageError(
            "no images are configured" + (f" for package {package}" if package else ""),
            "add an [images] table (see the README), then run again",
        )
    if args.images_command == "plan":
        request = _plan_request(args)
        plan = None
        if request.version is None:  # HEAD's own release, when HEAD carries one
            plan = release_at_head(repo, config, request, package)
        plan = plan or plan_of(repo, config, request, package)
        cosign = _cosign_found(plan.images)
        if args.json:
            document = None if plan.images is None else images_to_json(plan.images)
            if document is not None and document["sign"] is not None:
                document["sign"]["cosign"] = cosign
            write_json(json.dumps(document, indent=2) + "\n")
        elif plan.images is None:
            write_text(f"No release is due, so no image tags: {_shown(plan.reason)}.\n")
        else:
            lines = images_to_text(plan.images)
            if plan.images.sign is not None and cosign is None:
                lines.append("  warning: cosign is not on PATH: the release would sign nothing")
            write_text("\n".join(lines) + "\n")
        return 0
    from versionbot.core.plan import PlanRequest
    from versionbot.registry.client import RegistryClient
    from versionbot.registry.stage import RegistryImageStage

    request = PlanRequest(date=_today())
    released = release_at_head(repo, config, request, package)
    if released is None or released.images is None:
        raise UsageError(
            "HEAD carries no release tag, so there is no release image to tag",
            "run bot release first (it tags HEAD and pushes the images itself)",
        )
    make_client = functools.partial(RegistryClient, progress=_progress(args).show)
    stage = RegistryImageStage(
        settings, Path(released.state.root), os.environ, make_client=make_client
    )
    _show_pushed(stage.push(released.images), as_json=args.json)
    return 0


def _cosign_found(images: ImagePlan | None) -> str | None:
    """Where ``cosign`` is, when the images are to be signed (None: not found, or not asked)."""
    if images is None or images.sign is None:
        return None
    from versionbot.registry.signing import find_cosign

    return find_cosign(os.environ)


def _show_pushed(pushed_tags: Sequence[PushedTag], *, as_json: bool) -> None:
    """``bot images push``'s output: each tag, and the referrers copied with its repository."""
    import json

    if as_json:
        listing = [
            {
                "ref": str(p.ref),
                "digest": p.digest,
                "platforms": list(p.platforms),
                "pushed": p.pushed,
                "referrers": list(p.referrer_lines),
                "signing": p.signing,
            }
            for p in pushed_tags
        ]
        write_json(json.dumps(listing, indent=2) + "\n")
        return
    for pushed in pushed_tags:
        state = "pushed" if pushed.pushed else "already there"
        write_text(f"{pushed.ref}  {pushed.digest}  ({state})\n")
        for note in pushed.notes:
            write_text(f"  {note}\n")


def _check(args: argparse.Namespace) -> int:
    import dataclasses

    from versionbot.cli.report import check_summary, check_to_json, check_to_text
    from versionbot.core.check import (
        CommitCheck,
        check_edit_message,
        check_message,
        strip_comments,
    )

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
        findings = check_edit_message(text, rules, squash=config.squash_commits)
        checks = [CommitCheck(None, subject, tuple(findings))]
        if name != "-":
            hint = f"the message is kept: fix it with git commit --edit --file {name}"
    elif args.title is not None:
        source, where = "title", "title"
        checks = [CommitCheck(None, args.title.strip(), tuple(check_message(args.title, rules)))]
        hint = "edit the pull request's title: it becomes the subject of the squash commit"
    else:
        source = "range"
        where, checks = _check_range(repo, config, rules, args.range)
        hint = "reword them (git rebase -i), or give the squash commit a conventional title"
    errors = sum(c.errors + (c.warnings if args.strict else 0) for c in checks)
    if args.json:
        write_json(check_to_json(checks, source, args.range))
    else:
        from versionbot.cli.terminal import wants_colour

        write_text(check_to_text(checks, where, color=wants_colour(sys.stdout)))
        if errors and hint:
            write_text(f"hint: {hint}\n")
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        from versionbot.cli.github_outputs import append_step_summary

        append_step_summary(os.environ, check_summary(checks))
    return 1 if errors else 0


def _check_range(
    repo: Path, config: Config, rules: CheckRules, revisions: str | None
) -> tuple[str, list[CommitCheck]]:
    """``bot check`` of a revision range (None: since the last release): what to call it, and
    every commit's findings."""
    from versionbot.core.check import check_commits
    from versionbot.core.errors import RepositoryError
    from versionbot.git.reader import read_range, repository_state
    from versionbot.git.release_commits import peer_releases, release_commit_names

    try:
        where, commits = read_range(repo, config, revisions)
        listed = list(commits)
        root = repository_state(repo).root
        # Few commits carry release trailers or another tool's release subject: only those are
        # looked at more closely.
        made = [c.sha for c in listed if release_commit_names(root, c.sha, c.message, config)]
        peers = peer_releases(root, listed, config)
    except RepositoryError as exc:  # bot check: 1 is "problems found", 2 anything else
        raise UsageError(exc.message, exc.hint) from None
    return where, check_commits(listed, rules, made, config.squash_commits, peers)


def _init(args: argparse.Namespace) -> int:
    import json

    from versionbot.init.repository import init_repository, summary

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
    if args.json:
        proposal = outcome.proposal
        document = {
            "target": str(outcome.target),
            "written": outcome.wrote,
            "existing": outcome.existing,
            "config": outcome.text,
            "detected": list(proposal.detected),
            "migrated_from": [m.where for m in proposal.migrated_from],
            "not_migrated": [
                {"tool": n.tool, "key": n.key, "why": n.why} for n in proposal.not_migrated
            ],
            "advice": list(proposal.advice),
        }
        write_json(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.stdout:
        write_text(outcome.text)
        write_error(summary(outcome))
    else:
        write_text(summary(outcome))
    return 0


def _completion(args: argparse.Namespace) -> int:
    from versionbot.cli.completion import completion_script

    write_text(completion_script(build_parser(), args.shell))
    return 0


def _counted(args: argparse.Namespace) -> Callable[[Iterable[Commit]], Iterable[Commit]]:
    """The commits passed through, counted on standard error as git streams them."""
    progress = _progress(args)
    return lambda commits: progress.count(commits, "commits read")


def _progress(args: argparse.Namespace) -> Progress:
    """Progress on standard error: only on a terminal, never with --quiet or --json."""

    from versionbot.cli.terminal import Progress

    quiet = args.quiet or getattr(args, "json", False)
    return Progress(sys.stderr, enabled=not quiet)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "completion": _completion,
    "plan": _plan,
    "changelog": _changelog,
    "release": _release,
    "tag": _tag,
    "images": _images,
    "init": _init,
    "check": _check,
}


def _config(args: argparse.Namespace, repo: Path) -> Config:
    from versionbot.files.config_file import load_config

    return load_config(_work_tree_root(repo), Path(args.config) if args.config else None)


def _today() -> str:
    """Today in UTC, or the day of SOURCE_DATE_EPOCH (reproducible builds) when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def write_json(*parts: str) -> None:
    """JSON is UTF-8 (RFC 8259), whatever the console's encoding. A document may come in parts
    (report.plan_json_parts), each encoded on its own. Its strings quote commit text: the
    characters a terminal or the CI runner would act on are written as escapes (the same data
    to a parser)."""
    from versionbot.core.neutralise import in_json

    sys.stdout.flush()
    for part in parts:
        sys.stdout.buffer.write(in_json(part).encode("utf-8"))
    sys.stdout.buffer.flush()


def write_text(text: str) -> None:
    """Standard output: a console that cannot show a character gets an escape, not a
    UnicodeEncodeError; and no line a CI runner would obey as a workflow command (what is
    printed quotes commit text)."""
    from versionbot.core.neutralise import inert_lines

    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stdout.write(inert_lines(text))


def _shown(text: str) -> str:
    """One piece of text that may quote commit text (a plan's reason, an error), made safe to
    print on a line of its own."""
    from versionbot.core.neutralise import neutralise

    return neutralise(text)


def _log_text(log: Sequence[str]) -> str:
    """A run's log, a line each: its lines quote plan reasons, errors and a forge's answers."""
    return "".join(f"{_shown(line)}\n" for line in log)


def write_error(text: str) -> None:
    """``write_text`` for standard error: errors and notes quote commit text too."""
    from versionbot.core.neutralise import inert_lines

    if isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors="backslashreplace")
    sys.stderr.write(inert_lines(text))


def _plan_request(args: argparse.Namespace) -> PlanRequest:
    from versionbot.core.bump import Bump
    from versionbot.core.plan import PlanRequest
    from versionbot.core.version import InvalidVersion, Version, is_valid_prerelease_token

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


if __name__ == "__main__":
    sys.exit(main())
