"""How a release plan is shown: the ``bot plan`` text and the versioned JSON document; in a
monorepo a summary line per package, then each package's part as a repository of its own has it.

Pure: builds strings and plain dicts; the CLI prints them. The JSON shape is a contract (see
docs/plan-json.md); ``schema`` changes only when a field changes meaning or disappears.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from json.encoder import encode_basestring as _string  # the C encoder of one JSON string
from typing import TYPE_CHECKING, Any

from versionbot.cli.terminal import paint
from versionbot.core.bump import Bump
from versionbot.core.neutralise import neutralise
from versionbot.core.plan import SCHEMA_VERSION, PackagePlan, PlannedCommit, ReleasePlan

if TYPE_CHECKING:  # bot check's types: bot plan should not import the linter (nor images)
    from versionbot.core.check import CommitCheck, Finding
    from versionbot.core.image_tags import ImagePlan

_LABELS = {level: level.label for level in Bump}  # Enum properties are slow on a hot path
DECIDED_BY_SHOWN = 5  # the human report's "decided by" lines; --json lists every one


def plan_json_parts(
    plan: ReleasePlan, changelog: str | None = None, *, margin: str = ""
) -> list[str]:
    """The ``bot plan --json`` document (schema 1), as text in parts that are written one after
    another (cli.write_json); ``margin`` starts every line after the first (a monorepo's
    document nests each package's).

    Built by hand around the commit list: ``json.dumps`` with ``indent`` falls back to the pure
    Python encoder, which alone took 1.2 s for 100,000 commits; this takes about 0.1 s. Each
    commit line is written from its strings, encoded by json's own C string encoder: a dict per
    commit through the C encoder gives the same bytes in 0.29 s (0.25 s as one list), against
    0.08 s, and orjson drops the spaces after ``:`` and ``,``. The commits come last, one
    compact object per line, in a part of their own: the notes' "⚠" makes a string that holds
    them two bytes a character, and joined to them the 22 MB of (mostly ASCII) commit lines
    would be widened too, then encoded on the slow path: 0.05 s at 100,000 commits, against
    0.01 s for the parts.
    """
    previous = plan.previous
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "release": plan.release,
        "bump": plan.bump,
        "reason": plan.reason,
        "previous": None
        if previous is None
        else {
            "version": str(previous.version),
            "tag": previous.tag.name,
            "sha": previous.tag.sha,
            "stands_in_for": previous.tag.stands_in_for,
        },
        "next": None
        if plan.next is None
        else {"version": str(plan.next.version), "tag": plan.next.tag},
        "prerelease": plan.prerelease,
        "head": plan.state.head,
        "branch": plan.state.branch,
        "decided_by": [c.sha for c in plan.decided_by],
        "ignored_tags": list(plan.ignored_tags),
        "changelog": changelog,
        "images": None if plan.images is None else images_to_json(_before_commit(plan.images)),
    }
    head = json.dumps(document, indent=2, ensure_ascii=False)
    if margin:
        head = head.replace("\n", f"\n{margin}")  # JSON strings hold no raw line break
    head = f'{head[: -2 - len(margin)]},\n{margin}  "commits": ['
    if not plan.commits:
        return [head, f"]\n{margin}}}\n"]
    # One join: the commit lines are 22 MB at 100,000 commits, and every copy of them costs.
    commits = f",\n{margin}    ".join(map(_commit_json, plan.commits))
    return [head, f"\n{margin}    ", commits, f"\n{margin}  ]\n{margin}}}\n"]


def images_to_json(images: ImagePlan) -> dict[str, Any]:
    """The ``images`` section of the plan document (also ``bot images plan --json``)."""
    return {
        "source": images.source,
        "platforms": list(images.platforms),
        "names": list(images.names),
        "tags": [
            {"tag": t.tag, "kind": t.kind, "pushed": t.pushed, "reason": t.reason}
            for t in images.tag_set.tags
        ],
        "targets": list(images.targets),
        "sign": None if images.sign is None else {"key": images.sign.key},
    }


RELEASE_COMMIT = "<release commit>"


def _before_commit(images: ImagePlan) -> ImagePlan:
    """The image plan of a release not made yet, as ``bot plan`` shows it: ``{sha}`` is the
    release commit, which ``bot release`` makes on top of HEAD (the plan was made at HEAD), so
    the source and the sha tag name it rather than HEAD."""
    head, short = images.sha, images.sha[:7]
    source = images.source
    if source is not None:
        source = source.replace(head, RELEASE_COMMIT).replace(short, RELEASE_COMMIT)
    tags = tuple(
        dataclasses.replace(tag, tag=f"sha-{RELEASE_COMMIT}") if tag.kind == "sha" else tag
        for tag in images.tag_set.tags
    )
    tag_set = dataclasses.replace(images.tag_set, tags=tags)
    return dataclasses.replace(images, source=source, tag_set=tag_set, sha=RELEASE_COMMIT)


def images_to_text(images: ImagePlan) -> list[str]:
    """The image section of the human report."""
    source = images.source or "a build of this commit"
    lines = [f"Images ({', '.join(images.platforms)}) from {neutralise(source)}:"]
    width = max((len(t.tag) for t in images.tag_set.tags), default=0)
    for tag in images.tag_set.tags:
        action = "push" if tag.pushed else "keep"
        lines.append(f"  {action}  {tag.tag:<{width}}  {neutralise(tag.reason)}")
    lines.append("  to    " + ", ".join(images.names))
    lines.append("  " + _labels_line(images))
    if images.sign is not None:
        lines.append(
            f"  sign: with cosign ({neutralise(images.sign.label)}), the digest in each "
            "repository without a signature, after the push"
        )
    return lines


def _labels_line(images: ImagePlan) -> str:
    """What the pushed image says of itself: promotion copies manifests byte for byte (their
    digest is their name), so a CI-built image keeps the labels its build gave it."""
    if images.source is not None:
        return (
            "labels: the source image's own, unchanged (promoted by digest): set "
            "org.opencontainers.image.version and .revision when you build it"
        )
    return (
        "labels: org.opencontainers.image.version, .revision, .created, .title, .source, "
        "and [images] labels (set by the build)"
    )


def _commit_json(commit: PlannedCommit) -> str:
    parsed = commit.parsed
    skipped = commit.skipped_reason
    if parsed is None:
        kind = scope = "null"
        breaking = "false"
    else:
        kind = _string(parsed.type)
        scope = "null" if parsed.scope is None else _string(parsed.scope)
        breaking = "true" if parsed.breaking else "false"
    return (
        f'{{"sha": "{commit.sha}", "subject": {_string(commit.subject)}, "type": {kind}, '
        f'"scope": {scope}, "breaking": {breaking}, '
        f'"bump": "{_LABELS[commit.bump] if skipped is None else "none"}", '
        f'"conventional": {"false" if parsed is None else "true"}, '
        f'"skipped_reason": {"null" if skipped is None else _string(skipped)}}}'
    )


def plan_to_text(plan: ReleasePlan, notes: str | None = None, *, verbose: bool = False) -> str:
    """The human ``bot plan`` report; ``notes`` is the rendered release-notes section."""
    state = plan.state
    where = state.branch or "detached HEAD"
    lines = [f"Release plan for {where} at {state.head[:7]}"]
    if plan.previous is not None:
        prev = plan.previous
        at = f"{prev.version} at {prev.tag.sha[:7]}"
        if prev.tag.stands_in_for is not None:  # git/stand_ins.py
            at += f"; the tag is on {prev.tag.stands_in_for[:7]}, off this branch: this is its copy"
        lines.append(f"  previous   {prev.tag.name}  ({at})")
    else:
        lines.append("  previous   none (no release tag reachable from HEAD)")
    if plan.next is not None:
        lines.append(f"  next       {plan.next.tag}  ({plan.next.version}, {plan.bump})")
    else:
        lines.append("  next       no release")
    lines.append(f"  why        {neutralise(plan.reason)}")
    if plan.decided_by:
        # The few that decide, and a count: a long window can hold thousands of them.
        shown = plan.decided_by[:DECIDED_BY_SHOWN]
        lines.append("  decided by " + _line(shown[0]))
        lines += ["             " + _line(c) for c in shown[1:]]
        more = len(plan.decided_by) - len(shown)
        if more:
            lines.append(f"             … and {more} more (bot plan --json lists them all)")
    if notes is not None:
        lines.append("")
        lines.append("Release notes:")
        lines.append("")
        notes_lines = notes.rstrip("\n").split("\n")
        lines += ["  " + neutralise(line) if line else "" for line in notes_lines]
    if plan.images is not None:
        lines.append("")
        lines += images_to_text(_before_commit(plan.images))
    counted = sum(1 for c in plan.commits if c.skipped_reason is None)
    since = f"since {plan.previous.tag.name}" if plan.previous else "in the history"
    lines.append("")
    lines.append(
        f"Commits {since}: {len(plan.commits)} "
        f"({counted} counted, {len(plan.commits) - counted} skipped)"
    )
    for commit in plan.commits:
        level = commit.bump.label if commit.skipped_reason is None else "skip"
        entry = f"  {commit.sha[:7]}  {level:<6} {neutralise(commit.subject)}"
        if commit.skipped_reason is not None:
            entry += f"  ({neutralise(commit.skipped_reason)})"
        lines.append(entry)
    if verbose and plan.ignored_tags:
        lines.append("")
        lines.append("Tags ignored (not in the tag format): " + ", ".join(plan.ignored_tags))
    return "\n".join(lines) + "\n"


# -- a monorepo: one line per package, then each package's own report ----------------------


def packages_json_parts(plans: Sequence[PackagePlan], notes: Sequence[str | None]) -> list[str]:
    """The monorepo ``bot plan --json`` document: ``{"schema": 1, "packages": [{"name",
    "path", "plan"}]}``, where ``plan`` is the package's single-package document; in parts, as
    ``plan_json_parts`` gives them."""
    parts = [f'{{\n  "schema": {SCHEMA_VERSION},\n  "packages": [']
    for i, (package_plan, package_notes) in enumerate(zip(plans, notes, strict=True)):
        package = package_plan.package
        document = plan_json_parts(package_plan.plan, package_notes, margin="      ")
        parts.append(
            f'{"," if i else ""}\n    {{\n      "name": {json.dumps(package.name)},\n'
            f'      "path": {json.dumps(package.path)},\n      "plan": '
        )
        parts += document[:-1]
        parts.append(document[-1][:-1])  # its last line break: the entry's closing brace follows
        parts.append("\n    }")
    parts.append("\n  ]\n}\n" if plans else "]\n}\n")
    return parts


def packages_to_text(
    plans: Sequence[PackagePlan], notes: Sequence[str | None], *, verbose: bool = False
) -> str:
    """The human monorepo report: one line per package, then each package's plan."""
    width = max((len(p.package.name) for p in plans), default=0)
    due = sum(1 for p in plans if p.plan.next is not None)
    lines = [f"Packages: {len(plans)}, {due} with a release due"]
    for package_plan in plans:
        plan, name = package_plan.plan, package_plan.package.name
        if plan.next is None:
            what = "no release"
        else:
            previous = str(plan.previous.version) if plan.previous else "none"
            what = f"{previous} -> {plan.next.version} ({plan.bump})"
        lines.append(f"  {name:<{width}}  {what}")
    parts = ["\n".join(lines) + "\n"]
    for package_plan, package_notes in zip(plans, notes, strict=True):
        package = package_plan.package
        parts.append(f"\n== {package.name} ({package.path}) ==\n")
        parts.append(plan_to_text(package_plan.plan, package_notes, verbose=verbose))
    return "".join(parts)


def next_run_to_text(mode: str, sentence: str) -> str:
    """The mode and what the next ``bot release`` does: two lines under the plan."""
    return f"\nMode: {mode}\n  next run   {neutralise(sentence)}\n"


def _line(commit: PlannedCommit) -> str:
    return f"{commit.sha[:7]} {neutralise(commit.subject)}"


# -- bot check and the GitHub step summary ----------------------------------------------------

_SEVERITY_STYLES = {"error": "red", "warning": "yellow"}
_MARKDOWN_SPECIALS = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#~"})


def check_to_text(checks: list[CommitCheck], where: str, *, color: bool = False) -> str:
    """The human ``bot check`` report: the findings grouped per commit (``sha subject``), then
    one line of totals. ``where`` names what was checked: ``since v1.3.0``, ``COMMIT_EDITMSG``.
    A clean message (no sha) prints nothing: a commit-msg hook stays quiet."""
    lines: list[str] = []
    for check in checks:
        if not check.findings:
            continue
        label = check.sha[:7] if check.sha is not None else where
        sha = paint(neutralise(label), "bold", colour=color)
        lines.append(f"{sha} {neutralise(check.subject)}")
        for finding in check.findings:
            lines.append(_finding_line(finding, colour=color))
        lines.append("")
    errors = sum(c.errors for c in checks)
    warnings = sum(c.warnings for c in checks)
    problems = _counted(errors, warnings)
    if checks and checks[0].sha is None:
        if problems:
            lines.append(f"{problems}.")
    else:
        linted = [c for c in checks if c.skipped is None]
        skipped = len(checks) - len(linted)
        checked = f"Checked {_plural(len(linted), 'commit')} {neutralise(where)}"
        if skipped:
            checked += f" ({skipped} merge or release {_plural_word(skipped, 'commit')} skipped)"
        bad = sum(1 for c in linted if c.findings)
        if problems:
            lines.append(f"{checked}: {problems} in {_plural(bad, 'commit')}.")
        else:
            lines.append(f"{checked}: no problems.")
    return "\n".join(lines) + "\n" if lines else ""


def _finding_line(finding: Finding, *, colour: bool) -> str:
    where = f"{finding.line}:{finding.column}"
    severity = paint(f"{finding.severity:<7}", _SEVERITY_STYLES[finding.severity], colour=colour)
    entry = f"  {where:<6} {severity}  {finding.rule}  {neutralise(finding.message)}"
    if finding.suggestion is not None:
        suggestion = paint(neutralise(finding.suggestion), "green", colour=colour)
        entry += f"  (did you mean: {suggestion})"
    return entry


def _counted(errors: int, warnings: int) -> str:
    parts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {_plural_word(count, word)}"


def _plural_word(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def check_to_json(checks: list[CommitCheck], source: str, revisions: str | None = None) -> str:
    """The ``bot check --json`` document (schema 1; see docs/checking.md)."""
    errors = sum(c.errors for c in checks)
    document = {
        "schema": 1,
        "input": source,
        "range": revisions,
        "ok": errors == 0,
        "errors": errors,
        "warnings": sum(c.warnings for c in checks),
        "commits": [
            {
                "sha": c.sha,
                "subject": c.subject,
                "skipped": c.skipped,
                "findings": [
                    {
                        "line": f.line,
                        "column": f.column,
                        "rule": f.rule,
                        "severity": f.severity,
                        "message": f.message,
                        "suggestion": f.suggestion,
                    }
                    for f in c.findings
                ],
            }
            for c in checks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_summary(checks: list[CommitCheck]) -> str:
    """The ``bot check`` findings as Markdown for ``$GITHUB_STEP_SUMMARY``."""
    errors = sum(c.errors for c in checks)
    warnings = sum(c.warnings for c in checks)
    linted = sum(1 for c in checks if c.skipped is None)
    checked = f"{_plural(linted, 'message')} checked"
    if not errors and not warnings:
        return f"### Commit messages: no problems ({checked})\n"
    lines = [
        f"### Commit messages: {_counted(errors, warnings)} ({checked})",
        "",
        "| commit | line:col | severity | rule | problem | did you mean |",
        "|---|---|---|---|---|---|",
    ]
    for check in checks:
        label = f"{check.sha[:7]} " if check.sha is not None else ""
        for f in check.findings:
            fix = markdown_text(f.suggestion) if f.suggestion is not None else ""
            lines.append(
                f"| {markdown_text(label + check.subject)} | {f.line}:{f.column} | {f.severity} "
                f"| {f.rule} | {markdown_text(f.message)} | {fix} |"
            )
    if errors:
        lines += ["", "Errors must be fixed before merging: the release reads these messages."]
    return "\n".join(lines) + "\n"


def plan_summary(plan: ReleasePlan, notes: str | None, *, pull_request: bool) -> str:
    """``bot plan`` as Markdown for ``$GITHUB_STEP_SUMMARY``: in a pull request, what merging
    it would release ("Merging this releases 1.4.0 (minor: feat(api): ...)")."""
    if plan.next is None:
        opening = "Merging this releases nothing" if pull_request else "No release is due"
        return f"### {opening}: {markdown_text(plan.reason)}\n"
    opening = "Merging this releases" if pull_request else "The next release is"
    if plan.decided_by:
        cause = plan.decided_by[0].subject
        more = len(plan.decided_by) - 1
        if more:
            cause += f", and {more} more"
    else:
        cause = plan.reason
    lines = [f"### {opening} {plan.next.version} ({plan.bump}: {markdown_text(cause)})", ""]
    if plan.previous is not None:
        lines.append(f"- previous release: {markdown_text(plan.previous.tag.name)}")
    lines.append(f"- tag: {markdown_text(plan.next.tag)}")
    lines.append(f"- why: {markdown_text(plan.reason)}")
    if notes:
        lines += ["", "<details><summary>Release notes</summary>", "", notes.rstrip("\n"), ""]
        lines.append("</details>")
    return "\n".join(lines) + "\n"


def markdown_text(text: str) -> str:
    """Commit text (or anything that quotes it) inside Markdown: no control characters, no
    markup, no table breaks."""
    return neutralise(text).translate(_MARKDOWN_SPECIALS)
