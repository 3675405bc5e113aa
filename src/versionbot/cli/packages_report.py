"""How a monorepo's plans are shown: ``bot plan`` text and JSON over every package.

Pure: builds strings. Each package's part is the single-package report (cli/report.py) of its plan,
so a package reads the same in a monorepo as a repository of its own does; a summary line per
package comes first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from versionbot.cli.report import plan_json_parts, plan_to_text
from versionbot.core.plan import SCHEMA_VERSION, PackagePlan


def packages_json_parts(plans: Sequence[PackagePlan], notes: Sequence[str | None]) -> list[str]:
    """The monorepo ``bot plan --json`` document: ``{"schema": 1, "packages": [{"name",
    "path", "plan"}]}``, where ``plan`` is the package's single-package document; in parts, as
    ``report.plan_json_parts`` gives them."""
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
