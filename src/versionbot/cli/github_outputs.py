"""Edge: tell GitHub Actions what a release did ($GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY).

Outputs: ``released``, ``version``, ``tag``, ``previous_version``, ``is_prerelease``, ``sha``,
``forge_url`` and ``image_digests`` (JSON: reference -> digest). In a monorepo: ``released``,
``sha``, ``packages`` (JSON: the names of the packages released) and ``releases`` (JSON: name ->
the single-release outputs). Values are single lines; the summary is Markdown. Nothing here
holds a credential: only facts from the outcome are written.

Both files are GitHub's own formats that a value must not break out of: a value that is not
one line is written in the ``name<<DELIMITER`` form (``output_lines``), and the summary's log
lines, which quote plan reasons, errors and a forge's answers, are neutralised Markdown text.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Mapping
from pathlib import Path

from versionbot.cli.report import markdown_text
from versionbot.core.config import Config
from versionbot.core.errors import FileWriteError
from versionbot.core.packages import WHOLE_REPOSITORY
from versionbot.release.outcome import ReleaseOutcome, RunOutcome


def run_outputs(config: Config, run: RunOutcome) -> dict[str, str]:
    """The step outputs of a release run: a repository's, or a monorepo's."""
    found = package_outputs(run) if config.packages else outputs(whole_repository(run))
    # --no-push: the release commit and tags wait, local, for the image built from them.
    return {**found, "prepared": "true" if run.prepared else "false"}


def whole_repository(run: RunOutcome) -> ReleaseOutcome:
    """The outcome of a repository without ``[packages]``: its one package's, with the run's
    log."""
    outcome = run.packages.get(WHOLE_REPOSITORY) or ReleaseOutcome()
    return dataclasses.replace(outcome, log=run.log)


def outputs(outcome: ReleaseOutcome) -> dict[str, str]:
    """The step outputs of a release run."""
    version = outcome.version
    return {
        "released": "true" if outcome.released else "false",
        "version": str(version) if version else "",
        "tag": outcome.tag or "",
        "previous_version": str(outcome.previous_version) if outcome.previous_version else "",
        "is_prerelease": "true" if version is not None and version.is_prerelease else "false",
        "sha": outcome.sha or "",
        "forge_url": outcome.forge_url or "",
        "image_digests": json.dumps(dict(outcome.image_digests), sort_keys=True),
    }


def summary(outcome: ReleaseOutcome, notes: str | None) -> str:
    """The Markdown step summary of a release run."""
    if not outcome.released:
        lines = ["### No release", ""]
    else:
        lines = [f"### Released {outcome.tag}", ""]
        if outcome.forge_url:
            # forge.model.web_url: no white space, `<` or `>`, so it cannot leave the brackets.
            lines += [f"[Release page](<{outcome.forge_url}>)", ""]
    lines += [f"- {markdown_text(line)}" for line in outcome.log]
    if outcome.image_digests:
        lines += ["", "| image | digest |", "|---|---|"]
        lines += [f"| `{ref}` | `{digest}` |" for ref, digest in outcome.image_digests]
    if notes and outcome.released:
        lines += ["", notes.rstrip("\n")]
    return "\n".join(lines) + "\n"


def write_github(env: Mapping[str, str], config: Config, run: RunOutcome) -> None:
    """Append the outputs and the summary where GitHub Actions asks for them (if it does): a
    repository's, or a monorepo's with a summary section per package."""
    if config.packages:
        sections = [summary(o, o.notes) for o in run.packages.values()]
        text = "".join(sections) or summary(ReleaseOutcome(log=run.log), None)
    else:
        outcome = whole_repository(run)
        text = summary(outcome, outcome.notes)
    try:
        _append_outputs(env, run_outputs(config, run))
        append_step_summary(env, text)
    except FileWriteError as exc:
        if not run.released:
            raise
        # This runs after the push: the error must not read as if the release failed.
        raise FileWriteError(
            f"{exc.message}; the release itself is made", f"{exc.hint}{_RERUN}"
        ) from None


def package_outputs(outcome: RunOutcome) -> dict[str, str]:
    """The step outputs of a monorepo's release run."""
    released = sorted(name for name, o in outcome.packages.items() if o.released)
    releases: dict[str, dict[str, object]] = {}
    for name, package_outcome in outcome.packages.items():
        entry: dict[str, object] = dict(outputs(package_outcome))
        del entry["sha"]  # the same release commit for every package
        entry["released"] = package_outcome.released
        entry["image_digests"] = dict(package_outcome.image_digests)  # nested, not a string
        releases[name] = entry
    return {
        "released": "true" if released else "false",
        "sha": outcome.sha or "",
        "packages": json.dumps(released),
        "releases": json.dumps(releases, sort_keys=True),
    }


def append_step_summary(env: Mapping[str, str], text: str) -> None:
    """Append Markdown to the job summary, when GitHub Actions asks for one (the one writer of
    ``$GITHUB_STEP_SUMMARY``: plan, check and release)."""
    summary_file = env.get("GITHUB_STEP_SUMMARY")
    if summary_file and text:
        _append(summary_file, "GITHUB_STEP_SUMMARY", text)


def _append_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    output_file = env.get("GITHUB_OUTPUT")
    if output_file:
        _append(output_file, "GITHUB_OUTPUT", "".join(output_lines(values)))


def output_lines(values: Mapping[str, str]) -> list[str]:
    """``$GITHUB_OUTPUT``'s lines for ``values``: ``name=value``, or for a value that is not one
    line (none of ours is: a forge's answer could be) the documented ``name<<DELIMITER`` form,
    with a delimiter the value cannot hold, so that no value can set another output."""
    lines = []
    for key, value in values.items():
        if "\n" not in value and "\r" not in value:
            lines.append(f"{key}={value}\n")
            continue
        delimiter = f"versionbot_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"versionbot_{secrets.token_hex(16)}"
        lines.append(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
    return lines


# What a re-run does (tests/reliability/test_hostile_text.py holds it to that).
_RERUN = "; a re-run writes the release's version and tag again, with released=false"


def _append(path: str, name: str, text: str) -> None:
    """Append ``text`` to the file GitHub Actions named in ``$name``; a failure is one line."""
    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FileWriteError(
            f"cannot write ${name} ({path}): {exc.strerror or exc}",
            f"check the runner's disk and ${name}",
        ) from None
