"""The agreement table of versionbot on recorded real histories (``tests/acceptance/fixtures``).

For each recorded project: rebuild its repository, configure versionbot as a team migrating from
the project's release tool would, run the installed ``bot plan --json`` at each recorded release
(with only the tags that existed then), and count the releases whose version the bot agrees with
and the entries of the project's own changelog the bot's notes hold (by normalised subject).
``tests/acceptance/test_real_histories.py`` asserts the same per release; this prints the totals.

Run: ``python bench/acceptance.py [--json] [--verbose]``; no network, about 10 s. Exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "acceptance"))

from history_builder import SETUPS, Outcome, names, replay, summary


def _rows(outcomes: dict[str, list[Outcome]]) -> list[dict[str, Any]]:
    rows = []
    for name, listed in outcomes.items():
        rows.append({"project": name, "tool": SETUPS[name].tool, **summary(listed)})
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| project | tool | releases checked | versions agreed | changelog entries found/total |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        entries = (
            f"{row['entries_found']}/{row['entries_total']}"
            if row["changelog_recorded"]
            else "not recorded"
        )
        lines.append(
            f"| {row['project']} | {row['tool']} | {row['releases']} | "
            f"{row['versions_agreed']}/{row['releases']} | {entries} |"
        )
    return "\n".join(lines)


def _details(outcomes: dict[str, list[Outcome]]) -> str:
    lines = []
    for listed in outcomes.values():
        for o in listed:
            if o.agrees and not o.missing:
                continue
            got = o.planned or f"none ({o.error})"
            lines.append(f"{o.project} {o.tag}: released {o.expected}, bot {got}")
            lines.extend(f"    missing: {entry}" for entry in o.missing)
    return "\n".join(lines)


def main() -> None:
    """Print the agreement table (Markdown, or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    outcomes: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="versionbot-acceptance-") as scratch:
        for name in names():
            root = Path(scratch) / name
            root.mkdir()
            outcomes[name] = replay(name, root)
    rows = _rows(outcomes)
    if args.json:
        print(json.dumps({"rows": rows}, indent=2))
        return
    print(_table(rows))
    if args.verbose:
        print()
        print(_details(outcomes))


if __name__ == "__main__":
    main()
