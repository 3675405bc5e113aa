"""Planning a monorepo (``[packages]``) from real git histories.

Each test builds a repository with real git (tests/conftest.py), or imports a large one in one
``git fast-import`` (``Importer`` below, which, unlike ``GitRepo.fast_import``, writes files in
package folders, branches, merges and tags), then plans it by both roads git.py offers: the
fast read (``repository_package_plans``: the last releases guessed, checked in the stream) and
the exact read (``read_packages_history(exact=True)``); both must agree.

The oracle test compares every package's window with what plain ``git log <start>..HEAD --
<folders>`` says on seeded random histories.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from versionbot.core.config import Config, Package
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError
from versionbot.core.plan import PackagePlan, PlanRequest, make_package_plans, make_plan
from versionbot.git.reader import read_history, read_packages_history
from versionbot.git.repository_plan import repository_package_plans

if TYPE_CHECKING:
    from conftest import CliRunner, GitRepo

pytestmark = pytest.mark.timeout(120)

TWO = {
    "packages": {
        "api": {"path": "services/api"},
        "web": {"path": "services/web"},
    }
}


# -- helpers ----------------------------------------------------------------------------------


def configured(mapping: Mapping[str, Any]) -> Config:
    return config_from_mapping(mapping, "versionbot.toml")


def plans_of(
    repo: GitRepo | Path,
    mapping: Mapping[str, Any] | Config,
    requests: Mapping[str, PlanRequest] | None = None,
) -> dict[str, PackagePlan]:
    """Every package's plan by name, through the library, by both roads; they must agree."""
    path = repo if isinstance(repo, Path) else repo.path
    config = mapping if isinstance(mapping, Config) else configured(mapping)
    asked = requests or {p.name: PlanRequest() for p in config.packages}
    fast = repository_package_plans(path, config, asked)
    history = read_packages_history(path, config, prerelease=False, exact=True)
    exact = make_package_plans(history, config, asked)
    assert fast == exact
    return {p.package.name: p for p in fast}


def shas(package_plan: PackagePlan) -> set[str]:
    return {c.sha for c in package_plan.plan.commits}


def counted(package_plan: PackagePlan) -> set[str]:
    return {c.sha for c in package_plan.plan.commits if c.skipped_reason is None}


def next_version(package_plan: PackagePlan) -> str | None:
    nxt = package_plan.plan.next
    return None if nxt is None else str(nxt.version)


def write_config(repo: GitRepo, text: str) -> None:
    repo.write("versionbot.toml", text)


# -- a history in one fast-import -------------------------------------------------------------


@dataclass
class Importer:
    """Builds one ``git fast-import`` stream: commits on named branches with the files they
    change (given parents), lightweight or annotated tags; ``run`` returns mark -> sha."""

    repo: GitRepo
    chunks: list[bytes] = field(default_factory=list)
    tips: dict[str, int] = field(default_factory=dict)  # branch -> mark of its tip
    marks: int = 0
    clock: int = 1_704_067_200

    def _stamp(self) -> str:
        self.clock += 60
        return f"{self.clock} +0000"

    def commit(
        self,
        branch: str,
        message: str,
        files: Mapping[str, str],
        *,
        start: int | None = None,
        merge: int | None = None,
    ) -> int:
        """A commit on ``branch`` (its tip or ``start`` as first parent; ``merge`` as second)."""
        self.marks += 1
        mark = self.marks
        parent = start if start is not None else self.tips.get(branch)
        stamp = self._stamp()
        data = message.encode()
        self.chunks.append(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
        self.chunks.append(f"author Test Author <author@example.com> {stamp}\n".encode())
        self.chunks.append(f"committer Test Author <author@example.com> {stamp}\n".encode())
        self.chunks.append(f"data {len(data)}\n".encode() + data + b"\n")
        if parent is not None:
            self.chunks.append(f"from :{parent}\n".encode())
        if merge is not None:
            self.chunks.append(f"merge :{merge}\n".encode())
        for name, content in files.items():
            blob = content.encode()
            self.chunks.append(f"M 100644 inline {name}\ndata {len(blob)}\n".encode())
            self.chunks.append(blob + b"\n")
        self.chunks.append(b"\n")
        self.tips[branch] = mark
        return mark

    def tag(self, name: str, mark: int, *, annotated: bool = False) -> None:
        if annotated:
            message = f"release {name}".encode()
            stamp = self._stamp()
            self.chunks.append(f"tag {name}\nfrom :{mark}\n".encode())
            self.chunks.append(f"tagger Test Author <author@example.com> {stamp}\n".encode())
            self.chunks.append(f"data {len(message)}\n".encode() + message + b"\n")
        else:
            self.chunks.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())

    def run(self) -> dict[int, str]:
        marks_file = self.repo.path.parent / f"{self.repo.path.name}-marks"
        stream = b"".join(self.chunks) + b"done\n"
        self.repo.run_raw(
            "fast-import", "--quiet", "--done", f"--export-marks={marks_file}", input=stream
        )
        self.repo.run("checkout", "--quiet", "--force", "main")
        self.repo.run("reset", "--quiet", "--hard", "main")
        result = {}
        for line in marks_file.read_text().splitlines():
            mark, sha = line.split()
            result[int(mark.lstrip(":"))] = sha
        return result


# -- attribution by path ----------------------------------------------------------------------


def test_a_commit_goes_to_the_packages_whose_folders_it_touches(repo: GitRepo) -> None:
    repo.commit("chore: init", {"README.md": "hello\n"})
    only_api = repo.commit("feat: api thing", {"services/api/app.py": "A = 1\n"})
    both = repo.commit(
        "fix: both", {"services/api/app.py": "A = 2\n", "services/web/app.js": "let a;\n"}
    )
    root_only = repo.commit("feat: the readme", {"README.md": "hello again\n"})
    deep = repo.commit("fix: deep in web", {"services/web/src/deep/x.js": "1\n"})
    # A folder whose name starts like a package's is not that package's.
    trap = repo.commit("feat: apiary", {"services/apiary/a.py": "1\n", "services/api.md": "x\n"})

    plans = plans_of(repo, TWO)

    assert shas(plans["api"]) == {only_api, both}
    assert shas(plans["web"]) == {both, deep}
    for sha in (root_only, trap):
        assert all(sha not in shas(p) for p in plans.values())
    # No tag yet: each package starts at its initial version, with the notes of its commits.
    assert next_version(plans["api"]) == "0.1.0"
    assert next_version(plans["web"]) == "0.1.0"
    api_plan = plans["api"].plan
    assert api_plan.next is not None
    assert api_plan.next.tag == "api-v0.1.0"
    assert api_plan.next.latest is False  # no package's release claims "latest"


def test_a_package_at_the_root_gets_what_no_other_package_owns(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "site": {"path": "."},
            "api": {"path": "services/api"},
        }
    }
    readme = repo.commit("feat: readme", {"README.md": "hello\n"})
    api = repo.commit("feat: api", {"services/api/app.py": "1\n"})
    docs = repo.commit("fix: docs", {"docs/guide.md": "guide\n"})
    mixed = repo.commit("fix: mixed", {"services/api/app.py": "2\n", "Makefile": "all:\n"})

    plans = plans_of(repo, mapping)

    assert shas(plans["site"]) == {readme, docs, mixed}
    assert shas(plans["api"]) == {api, mixed}


def test_the_deepest_package_folder_owns_a_file(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "a": {"path": "packages/a"},
            "sub": {"path": "packages/a/sub"},
        }
    }
    outer = repo.commit("feat: outer", {"packages/a/index.py": "1\n"})
    inner = repo.commit("feat: inner", {"packages/a/sub/index.py": "1\n"})
    deeper = repo.commit("fix: deeper", {"packages/a/sub/x/y/z.py": "1\n"})
    beside = repo.commit("fix: beside", {"packages/a/subway/z.py": "1\n"})
    both = repo.commit(
        "fix: both", {"packages/a/index.py": "2\n", "packages/a/sub/index.py": "2\n"}
    )

    plans = plans_of(repo, mapping)

    assert shas(plans["a"]) == {outer, beside, both}
    assert shas(plans["sub"]) == {inner, deeper, both}


def test_depends_on_a_shared_folder_and_on_a_package(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "api": {"path": "services/api", "depends_on": ["libs/common"]},
            "web": {"path": "services/web", "depends_on": ["api"]},
            "cli": {"path": "tools/cli"},
        }
    }
    common = repo.commit("fix: common", {"libs/common/util.py": "1\n"})
    common_deep = repo.commit("fix: common deep", {"libs/common/x/y.py": "1\n"})
    other_lib = repo.commit("fix: other lib", {"libs/commons/z.py": "1\n"})
    api = repo.commit("feat: api", {"services/api/app.py": "1\n"})
    web = repo.commit("feat: web", {"services/web/app.js": "1\n"})
    cli = repo.commit("feat: cli", {"tools/cli/main.py": "1\n"})

    plans = plans_of(repo, mapping)

    assert plans["web"].package.depends_on == ("libs/common", "services/api")
    assert shas(plans["api"]) == {common, common_deep, api}
    # A package named in depends_on means its folder, and what that package depends on.
    assert shas(plans["web"]) == {common, common_deep, api, web}
    assert shas(plans["cli"]) == {cli}
    assert all(other_lib not in shas(p) for p in plans.values())


def test_scopes_bring_a_commit_to_a_package_wherever_its_files_are(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "api": {"path": "services/api", "scopes": ["api", "backend"]},
            "web": {"path": "services/web"},
        }
    }
    docs_fix = repo.commit("fix(api): document the endpoint", {"docs/api.md": "doc\n"})
    backend = repo.commit("feat(backend): shared tweak", {"services/web/shared.js": "1\n"})
    other = repo.commit("feat(web): web only", {"docs/web.md": "doc\n"})
    not_conventional = repo.commit("api: nothing", {"docs/misc.md": "doc\n"})

    plans = plans_of(repo, mapping)

    assert shas(plans["api"]) == {docs_fix, backend}
    assert shas(plans["web"]) == {backend}  # by its files
    assert next_version(plans["api"]) == "0.1.0"
    assert other not in shas(plans["web"])  # a scope of no package's scopes: paths decide
    assert all(not_conventional not in shas(p) for p in plans.values())


def test_a_squash_commits_pieces_go_to_the_packages_their_scopes_name(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "api": {"path": "services/api", "scopes": ["api"]},
            "web": {"path": "services/web", "scopes": ["web"]},
        }
    }
    repo.commit("chore: init", {"services/api/app.py": "0\n", "services/web/app.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    # A squash merge touching only web's files, listing a fix of api and a feature of web.
    repo.commit(
        "Web and api work (#12)\n\n* fix(api): mend the client\n\n* feat(web): new page\n",
        {"services/web/page.js": "1\n"},
    )

    plans = plans_of(repo, mapping)

    assert next_version(plans["web"]) == "1.1.0"
    api_subjects = [c.subject for c in plans["api"].plan.commits]
    assert "fix(api): mend the client" in api_subjects
    # api owns only the pieces its scope names: a patch, not web's feature (actual: 1.1.0).
    assert "feat(web): new page" not in api_subjects
    assert next_version(plans["api"]) == "1.0.1"


def test_depends_on_a_file_either_matches_or_is_refused(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "api": {"path": "services/api", "depends_on": ["go.work", "libs/schema.json"]},
        }
    }
    repo.commit("chore: init", {"services/api/app.go": "0\n"})
    repo.tag("api-v1.0.0")
    work = repo.commit("fix: bump a dependency", {"go.work": "go 1.22\n"})
    schema = repo.commit("feat: a field", {"libs/schema.json": "{}\n"})
    try:
        config = configured(mapping)
    except ConfigError:
        return  # refusing a file is an answer too
    plans = plans_of(repo, config)
    assert shas(plans["api"]) == {work, schema}


# -- windows ----------------------------------------------------------------------------------


def test_each_package_window_starts_after_its_own_last_tag(repo: GitRepo) -> None:
    repo.commit("feat: both", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("web-v0.2.0")
    web_old = repo.commit("feat: web early", {"services/web/w.js": "1\n"})
    repo.tag("web-v0.3.0", annotated=True)
    api_old = repo.commit("feat: api early", {"services/api/a.py": "1\n"})
    repo.tag("api-v1.2.0")
    web_new = repo.commit("fix: web late", {"services/web/w.js": "2\n"})
    api_new = repo.commit("fix: api late", {"services/api/a.py": "2\n"})
    repo.commit("docs: readme", {"README.md": "x\n"})

    plans = plans_of(repo, TWO)

    api, web = plans["api"].plan, plans["web"].plan
    assert shas(plans["api"]) == {api_new}
    assert shas(plans["web"]) == {web_new}
    assert api_old not in shas(plans["api"])
    assert web_old not in shas(plans["web"])
    assert api.previous is not None
    assert web.previous is not None
    assert (api.previous.tag.name, web.previous.tag.name) == ("api-v1.2.0", "web-v0.3.0")
    assert (next_version(plans["api"]), next_version(plans["web"])) == ("1.2.1", "0.3.1")
    # Each package's tags are not noise to the other.
    assert api.ignored_tags == ()
    assert web.ignored_tags == ()


def test_a_package_without_tags_counts_since_the_first_commit(repo: GitRepo) -> None:
    mapping = {
        "packages": {
            "api": {"path": "services/api"},
            "web": {"path": "services/web", "initial_version": "1.0.0"},
        }
    }
    first = repo.commit("feat: web first", {"services/web/w.js": "0\n"})
    repo.commit("feat: api first", {"services/api/a.py": "0\n"})
    repo.tag("api-v0.4.0")
    second = repo.commit("docs: web docs", {"services/web/README.md": "0\n"})
    third = repo.commit("fix: web fix", {"services/web/w.js": "1\n"})

    plans = plans_of(repo, mapping)

    assert shas(plans["web"]) == {first, second, third}
    assert plans["web"].plan.previous is None
    assert next_version(plans["web"]) == "1.0.0"
    assert shas(plans["api"]) == set()
    assert plans["api"].plan.next is None
    assert plans["api"].plan.reason == "no commits since api-v0.4.0"


def test_only_docs_commits_mean_no_release(repo: GitRepo) -> None:
    repo.commit("feat: both", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    docs = repo.commit("docs: api docs", {"services/api/README.md": "x\n"})
    repo.commit("feat: web", {"services/web/w.js": "1\n"})

    plans = plans_of(repo, TWO)

    assert shas(plans["api"]) == {docs}
    assert plans["api"].plan.next is None
    assert next_version(plans["web"]) == "1.1.0"


def test_a_merged_feature_branch_counts_its_commits_not_the_merge(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.checkout("feature", create=True)
    one = repo.commit("feat: api endpoint", {"services/api/e.py": "1\n"})
    two = repo.commit("fix: api endpoint", {"services/api/e.py": "2\n"})
    repo.checkout("main")
    main_web = repo.commit("fix: web meanwhile", {"services/web/w.js": "1\n"})
    merge = repo.merge("feature", message="Merge branch 'feature' into main")

    plans = plans_of(repo, TWO)

    assert counted(plans["api"]) == {one, two}
    assert merge not in counted(plans["api"])
    assert merge not in counted(plans["web"])
    assert counted(plans["web"]) == {main_web}
    assert next_version(plans["api"]) == "1.1.0"
    assert next_version(plans["web"]) == "1.0.1"


def test_merge_commits_counted_when_configured(repo: GitRepo) -> None:
    mapping = {**TWO, "ignore_merge_commits": False}
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.checkout("feature", create=True)
    one = repo.commit("fix: api endpoint", {"services/api/e.py": "1\n"})
    repo.checkout("main")
    repo.commit("docs: web", {"services/web/README.md": "1\n"})
    merge = repo.merge("feature", message="feat(api): the endpoint (#3)")

    plans = plans_of(repo, mapping)

    # The merge brought api's files to main: it is api's commit, and its subject counts.
    assert counted(plans["api"]) == {one, merge}
    assert merge not in shas(plans["web"])
    assert next_version(plans["api"]) == "1.1.0"


def test_a_tag_on_a_merged_side_branch_starts_the_window(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.checkout("release", create=True)
    released = repo.commit("feat: api on the side", {"services/api/s.py": "1\n"})
    repo.tag("api-v1.1.0", annotated=True)
    repo.checkout("main")
    main_api = repo.commit("fix: api on main", {"services/api/a.py": "1\n"})
    repo.merge("release")
    after = repo.commit("fix: api after the merge", {"services/api/a.py": "2\n"})

    plans = plans_of(repo, TWO)

    api = plans["api"].plan
    assert api.previous is not None
    assert api.previous.tag.name == "api-v1.1.0"
    # The side branch's commit is in 1.1.0; main's commit made beside it is not.
    assert counted(plans["api"]) == {main_api, after}
    assert released not in shas(plans["api"])
    assert next_version(plans["api"]) == "1.1.1"


MAINTAINED = {
    **TWO,
    "branches": {"main": {}, "*/1.x": {"maintenance": True}},
}


def test_a_maintenance_line_under_a_package_folder_keeps_that_package_alone(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("chore: init", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.2.0")
    repo.tag("web-v1.0.0")
    base = repo.head()
    repo.commit("feat!: api v2", {"services/api/a.py": "2\n"})
    repo.tag("api-v2.0.0")
    repo.checkout("api/1.x", create=True)
    repo.run("reset", "--quiet", "--hard", base)
    api_fix = repo.commit("fix: an api patch", {"services/api/a.py": "1\n"})
    repo.commit("fix: a web patch", {"services/web/w.js": "1\n"})

    plans = plans_of(repo, MAINTAINED)

    assert next_version(plans["api"]) == "1.2.1"  # the line's own baseline, not api-v2.0.0
    assert counted(plans["api"]) == {api_fix}
    assert next_version(plans["web"]) is None
    assert plans["web"].plan.reason == "api/1.x is a maintenance line of api alone"

    # A folder that names no package (maint/1.x) bounds every package, as before.
    repo.checkout("maint/1.x", create=True)
    both = plans_of(repo, MAINTAINED)
    assert (next_version(both["api"]), next_version(both["web"])) == ("1.2.1", "1.0.1")

    # Leaving the line is refused for the package it keeps.
    repo.checkout("api/1.x")
    repo.commit("feat!: an api break", {"services/api/a.py": "3\n"})
    write_config(repo, TWO_TOML + '[branches.main]\n[branches."*/1.x"]\nmaintenance = true\n')
    result = run_cli("-C", repo.path, "plan")
    assert result.exit_code == 4
    assert "outside the maintenance branch api/1.x (>=1.0.0 <2.0.0)" in result.stderr


def test_a_tag_on_an_unmerged_branch_is_not_a_release_of_this_branch(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.checkout("experiment", create=True)
    repo.commit("feat!: api rewrite", {"services/api/a.py": "rewrite\n"})
    repo.tag("api-v2.0.0")  # the highest api tag, but not on main
    repo.checkout("main")
    fix = repo.commit("fix: api", {"services/api/a.py": "1\n"})
    web = repo.commit("feat: web", {"services/web/w.js": "1\n"})

    plans = plans_of(repo, TWO)  # the fast read guesses api-v2.0.0, finds out, reads again

    api = plans["api"].plan
    assert api.previous is not None
    assert api.previous.tag.name == "api-v1.0.0"
    assert shas(plans["api"]) == {fix}
    assert next_version(plans["api"]) == "1.0.1"
    assert shas(plans["web"]) == {web}
    assert next_version(plans["web"]) == "1.1.0"


def test_a_revert_in_a_package_window_cancels(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    feat = repo.commit("feat: api feature", {"services/api/a.py": "1\n"})
    repo.commit("fix: api fix", {"services/api/b.py": "1\n"})
    repo.revert(feat)

    plans = plans_of(repo, TWO)

    assert next_version(plans["api"]) == "1.0.1"
    assert plans["web"].plan.next is None


# -- the oracle: plain git log on seeded random histories ---------------------------------------

ORACLE_PACKAGES: dict[str, dict[str, Any]] = {
    "api": {"path": "services/api"},
    "web": {"path": "services/web"},
    "core": {"path": "packages/core"},
    "core-sub": {"path": "packages/core/sub"},
    "cli": {"path": "tools/cli", "depends_on": ["libs/common", "core"]},
}
ORACLE_FILES = (
    "services/api/app.py",
    "services/api/deep/handler.py",
    "services/apiary/hive.py",
    "services/web/index.js",
    "services/web/src/page.js",
    "packages/core/core.py",
    "packages/core/sub/sub.py",
    "packages/core/sub/x/y.py",
    "packages/core-extra/extra.py",
    "tools/cli/main.py",
    "libs/common/util.py",
    "libs/commonplace/other.py",
    "libs/other/o.py",
    "README.md",
    "docs/guide.md",
)
ORACLE_TYPES = ("feat", "fix", "fix", "fix", "docs", "chore", "refactor", "perf", "feat!")


def _random_message(rng: random.Random, n: int) -> str:
    kind = rng.choice(ORACLE_TYPES)
    if rng.random() < 0.1:
        return f"update things {n}"  # not conventional
    if kind.endswith("!"):
        return f"{kind[:-1]}(x)!: change {n}"
    return f"{kind}: change {n}"


@dataclass
class OracleRepo:
    config: Config
    packages: tuple[Package, ...]
    tags: dict[str, list[str]]  # package -> its reachable tags, in version order


def _random_history(repo: GitRepo, seed: int, *, root_package: bool) -> OracleRepo:
    rng = random.Random(seed)
    packages = dict(ORACLE_PACKAGES)
    if root_package:
        packages["site"] = {"path": "."}
    config = configured({"packages": packages})
    importer = Importer(repo)
    versions = dict.fromkeys(packages, 0)
    reachable: dict[str, list[str]] = {name: [] for name in packages}
    counter = 0

    def change(branch: str, **kwargs: int) -> int:
        nonlocal counter
        counter += 1
        files = {f: f"{seed}-{counter}\n" for f in rng.sample(ORACLE_FILES, rng.randint(1, 3))}
        return importer.commit(branch, _random_message(rng, counter), files, **kwargs)

    def tag(mark: int, *, on_main: bool = True) -> None:
        name = rng.choice(sorted(packages))
        versions[name] += 1
        tag_name = f"{name}-v1.{versions[name]}.0"
        importer.tag(tag_name, mark, annotated=rng.random() < 0.5)
        if on_main:
            reachable[name].append(tag_name)

    head = change("main")
    total = rng.randint(60, 150)
    topics = 0
    while counter < total:
        roll = rng.random()
        if roll < 0.15:  # a short branch, main moving on meanwhile, then a --no-ff merge
            topics += 1
            topic = f"topic-{topics}"
            side = change(topic, start=head)
            for _ in range(rng.randint(0, 3)):
                side = change(topic)
            if rng.random() < 0.3:
                tag(side)  # a tag on the side branch, merged below
            for _ in range(rng.randint(0, 2)):
                head = change("main")
            counter += 1
            head = importer.commit("main", f"Merge branch '{topic}'", {}, start=head, merge=side)
        elif roll < 0.2 and topics < 50:  # a branch never merged, with a tag
            topics += 1
            stray = change(f"stray-{topics}", start=head)
            name = rng.choice(sorted(packages))
            importer.tag(f"{name}-v9.{topics}.0", stray)
        else:
            head = change("main")
        if rng.random() < 0.12:
            tag(head)
    importer.run()
    return OracleRepo(config, config.packages, reachable)


def _naive_window(
    repo: GitRepo,
    package: Package,
    packages: Sequence[Package],
    start: str | None,
    *,
    head: str = "HEAD",
    before: Sequence[str] = (),
) -> set[str]:
    """What plain git says: the non-merge commits of ``start..head`` (and not in ``before``)
    that change the package's folder (without its nested packages' folders) or a folder it
    depends on."""
    folder = package.path
    nested = [
        p.path
        for p in packages
        if p is not package and (folder == "." or p.path.startswith(folder + "/"))
    ]
    specs = [folder, *package.depends_on, *(f":(exclude){n}" for n in nested)]
    revisions = [head, *(f"^{rev}" for rev in ([start] if start else []) + list(before))]
    out = repo.run("log", "--format=%H", "--full-history", "--no-merges", *revisions, "--", *specs)
    return set(out.split())


@pytest.mark.parametrize(
    ("seed", "root_package"),
    [(1, False), (2, False), (3, True), (4, False), (5, True), (6, False)],
)
def test_every_package_window_is_what_git_log_says(
    repo: GitRepo, seed: int, root_package: bool
) -> None:
    oracle = _random_history(repo, seed, root_package=root_package)
    assert int(repo.run("rev-list", "--count", "HEAD")) >= 60

    plans = plans_of(repo, oracle.config)

    assert set(plans) == {p.name for p in oracle.packages}
    for package in oracle.packages:
        tags = oracle.tags[package.name]
        start = tags[-1] if tags else None
        plan = plans[package.name].plan
        assert (plan.previous.tag.name if plan.previous else None) == start, package.name
        expected = _naive_window(repo, package, oracle.packages, start)
        assert shas(plans[package.name]) == expected, package.name
        # The same commits planned as a one-package repository give the same release.
        single = read_history(repo.path, package.config, prerelease=False, exact=True)
        alone = make_plan(
            single._replace(commits=[c for c in single.commits if c.sha in expected]),
            package.config,
            PlanRequest(),
        )
        mine = None if plan.next is None else (plan.next.version, plan.next.tag)
        theirs = None if alone.next is None else (alone.next.version, alone.next.tag)
        assert mine == theirs, package.name
        assert alone.bump == plan.bump, package.name


@pytest.mark.parametrize(("seed", "root_package"), [(7, False), (8, True), (9, False)])
def test_every_package_changelog_section_is_what_git_log_says(
    repo: GitRepo, seed: int, root_package: bool
) -> None:
    """``bot changelog`` in a monorepo: each release's section lists the shown commits of the
    package's commits reachable from its tag and from no lower release tag of the package."""
    from versionbot.files.changelog_file import update_package_changelogs

    oracle = _random_history(repo, seed, root_package=root_package)
    names = [p.name for p in oracle.packages]

    updates = update_package_changelogs(repo.path, oracle.config, names, full=True, write=False)

    assert [package.name for package, _ in updates] == names
    checked = 0
    for package, update in updates:
        tags = oracle.tags[package.name]
        assert [str(v) for v in update.added] == [t.split("-v")[-1] for t in reversed(tags)]
        sections = _sections(update.text)
        for i, tag in enumerate(tags):
            window = _naive_window(repo, package, oracle.packages, None, head=tag, before=tags[:i])
            shown = {
                sha[:7]
                for sha in window
                if re.match(r"(feat|fix|perf)(\(x\))?!?: ", _subject_of(repo, sha))
            }
            assert sections[tag.split("-v")[-1]] == shown, (package.name, tag)
            checked += len(shown)
    assert checked > 20  # the histories do release shown commits


def _sections(text: str) -> dict[str, set[str]]:
    """The short shas each release section of a changelog lists, by version."""
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in text.splitlines():
        heading = re.match(r"## \[?([0-9][^\] ]*)", line)
        if heading:
            current = sections.setdefault(heading[1], set())
        elif line.startswith("- "):
            current.update(re.findall(r"\(([0-9a-f]{7})\)", line))
    return sections


def _subject_of(repo: GitRepo, sha: str) -> str:
    return repo.run("log", "-1", "--format=%s", sha)


# -- bot plan on the command line -------------------------------------------------------------

TWO_TOML = """\
[packages.api]
path = "services/api"

[packages.web]
path = "services/web"
"""


def _two_packages(repo: GitRepo) -> tuple[str, str]:
    write_config(repo, TWO_TOML)
    repo.commit("chore: init", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v0.3.0")
    api = repo.commit("feat: api thing", {"services/api/a.py": "1\n"})
    web = repo.commit("fix: web thing", {"services/web/w.js": "1\n"})
    return api, web


def test_bot_plan_json_lists_every_package(repo: GitRepo, bot: CliRunner) -> None:
    api, web = _two_packages(repo)

    result = bot("-C", repo.path, "plan", "--json")

    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["schema"] == 1
    assert [(p["name"], p["path"]) for p in document["packages"]] == [
        ("api", "services/api"),
        ("web", "services/web"),
    ]
    api_plan, web_plan = (p["plan"] for p in document["packages"])
    assert api_plan["schema"] == 1
    assert api_plan["release"] is True
    assert api_plan["previous"]["tag"] == "api-v1.0.0"
    assert api_plan["next"] == {"version": "1.1.0", "tag": "api-v1.1.0"}
    assert api_plan["bump"] == "minor"
    assert [c["sha"] for c in api_plan["commits"]] == [api]
    assert "api thing" in api_plan["changelog"]
    assert web_plan["next"] == {"version": "0.3.1", "tag": "web-v0.3.1"}
    assert [c["sha"] for c in web_plan["commits"]] == [web]
    assert api_plan["head"] == web_plan["head"] == repo.head()


def test_bot_plan_text_has_a_line_per_package(repo: GitRepo, run_cli: CliRunner) -> None:
    _two_packages(repo)

    result = run_cli("-C", repo.path, "plan")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Packages: 2, 2 with a release due"
    assert lines[1].split() == ["api", "1.0.0", "->", "1.1.0", "(minor)"]
    assert lines[2].split() == ["web", "0.3.0", "->", "0.3.1", "(patch)"]
    assert "== api (services/api) ==" in result.stdout


def test_bot_plan_writes_a_job_summary_per_package(
    repo: GitRepo, run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_packages(repo)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    result = run_cli("-C", repo.path, "plan")

    assert result.exit_code == 0, result.stderr
    text = summary.read_text()
    assert text.startswith("## api\n\n### The next release is 1.1.0 (minor: feat: api thing)")
    assert "## web\n\n### The next release is 0.3.1 (patch: fix: web thing)" in text


def test_bot_plan_package_filters_and_takes_version(repo: GitRepo, run_cli: CliRunner) -> None:
    _two_packages(repo)

    result = run_cli("-C", repo.path, "plan", "--json", "--package", "web")
    assert result.exit_code == 0, result.stderr
    [entry] = result.json()["packages"]
    assert entry["name"] == "web"

    forced = run_cli("-C", repo.path, "plan", "--json", "--package", "api", "--version", "3.0.0")
    assert forced.exit_code == 0, forced.stderr
    [entry] = forced.json()["packages"]
    assert entry["plan"]["next"] == {"version": "3.0.0", "tag": "api-v3.0.0"}

    bumped = run_cli("-C", repo.path, "plan", "--json", "--package", "web", "--bump", "major")
    assert bumped.exit_code == 0, bumped.stderr
    [entry] = bumped.json()["packages"]
    assert entry["plan"]["next"]["version"] == "1.0.0"


def test_bot_plan_unknown_package_names_the_known_ones(repo: GitRepo, run_cli: CliRunner) -> None:
    _two_packages(repo)

    result = run_cli("-C", repo.path, "plan", "--package", "mobile")

    assert result.exit_code == 2
    assert "mobile" in result.stderr
    assert "packages: api, web" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("option", [["--version", "2.0.0"], ["--bump", "major"]])
def test_bot_plan_version_needs_a_package(
    repo: GitRepo, run_cli: CliRunner, option: list[str]
) -> None:
    _two_packages(repo)

    result = run_cli("-C", repo.path, "plan", *option)

    assert result.exit_code == 2
    assert "need --package NAME in a monorepo" in result.stderr


def test_plan_title_previews_a_pull_request_squash_merged_into_a_monorepo(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    write_config(repo, TWO_TOML)
    repo.commit("chore: init", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    on_main = repo.commit("fix: a slow page", {"services/web/w.js": "1\n"})
    repo.checkout("paging", create=True)
    repo.commit("wip", {"services/api/a.py": "1\n"})
    repo.commit("more wip", {"services/api/b.py": "1\n"})

    result = run_cli(
        "-C", repo.path, "plan", "--json", "--base", "main", "--title", "feat(api): paging"
    )
    unbased = run_cli("-C", repo.path, "plan", "--title", "feat(api): paging")
    untitled = run_cli("-C", repo.path, "plan", "--base", "main")

    assert result.exit_code == 0, result.stderr
    plans = {p["name"]: p["plan"] for p in json.loads(result.stdout)["packages"]}
    # The PR's two commits are one feat commit of api; main's own fix stays web's.
    assert plans["api"]["next"]["version"] == "1.1.0"
    assert [c["subject"] for c in plans["api"]["commits"]] == ["feat(api): paging"]
    assert plans["web"]["next"]["version"] == "1.0.1"
    assert [c["sha"] for c in plans["web"]["commits"]] == [on_main]
    assert unbased.exit_code == 2
    assert "--title needs --base in a monorepo" in unbased.stderr
    assert untitled.exit_code == 2
    assert "--base goes with --title" in untitled.stderr


def test_bot_plan_package_without_packages_is_refused(repo: GitRepo, run_cli: CliRunner) -> None:
    repo.commit("feat: one", {"a.py": "1\n"})

    result = run_cli("-C", repo.path, "plan", "--package", "api")

    assert result.exit_code == 2
    assert "--package api: this repository has no [packages]" in result.stderr


def test_root_settings_that_belong_to_packages_are_refused(
    repo: GitRepo, run_cli: CliRunner
) -> None:
    repo.commit("feat: one", {"a.py": "1\n"})
    for text in ('tag_format = "v{version}"\n', 'initial_version = "1.0.0"\n'):
        write_config(repo, text + TWO_TOML)
        result = run_cli("-C", repo.path, "plan")
        assert result.exit_code == 2, text
        assert "is per package in a monorepo" in result.stderr


# -- scale: one git log ---------------------------------------------------------------------


def _git_commands(trace: Path) -> list[str]:
    return [
        line.split("trace: built-in: ", 1)[1]
        for line in trace.read_text().splitlines()
        if "trace: built-in: " in line
    ]


def test_a_500_commit_monorepo_is_read_in_one_walk(repo: GitRepo, git_trace: Path) -> None:
    """One walk of the history, by two gits at once: one lists the messages, one the paths."""
    names = [f"pkg{n}" for n in range(10)]
    mapping = {
        "packages": {
            **{name: {"path": f"packages/{name}"} for name in names},
            "app": {"path": "apps/app", "depends_on": ["libs/shared"]},
        }
    }
    importer = Importer(repo)
    mark = importer.commit(
        "main", "chore: init", {f"packages/{n}/x.py": "0\n" for n in names} | {"apps/app/a": "0"}
    )
    for name in [*names, "app"]:
        importer.tag(f"{name}-v1.0.0", mark, annotated=True)
    expected: dict[str, int] = dict.fromkeys([*names, "app"], 0)
    for n in range(500):
        name = names[n % len(names)]
        files = {f"packages/{name}/x.py": f"{n}\n"}
        if n % 7 == 0:
            files["libs/shared/s.py"] = f"{n}\n"
            expected["app"] += 1
        expected[name] += 1
        mark = importer.commit("main", f"fix: change {n}", files)
        if n == 400:
            importer.tag("pkg0-v1.1.0", mark)
    importer.run()
    expected["pkg0"] = sum(1 for n in range(401, 500) if n % len(names) == 0)
    git_trace.write_text("")

    plans = repository_package_plans(
        repo.path, configured(mapping), {name: PlanRequest() for name in expected}
    )

    commands = _git_commands(git_trace)
    logs = [c.split() for c in commands if c.split()[1:].count("log")]
    assert len(logs) == 2, commands
    paths, messages = sorted(logs, key=lambda args: "--name-only" not in args)
    assert "--name-only" in paths
    assert "--name-only" not in messages
    walk = paths[paths.index("--topo-order") :]
    assert messages[messages.index("--topo-order") :] == walk  # the same commits, same order
    assert len(commands) <= 7, commands
    by_name = {p.package.name: p for p in plans}
    for name, count in expected.items():
        assert len(by_name[name].plan.commits) == count, name
    pkg0 = by_name["pkg0"].plan
    assert pkg0.previous is not None
    assert pkg0.previous.tag.name == "pkg0-v1.1.0"
    assert next_version(by_name["pkg1"]) == "1.0.1"


# -- odd paths and tags -----------------------------------------------------------------------


def test_a_move_between_packages_belongs_to_both(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/shared.py": "S = 1\n", "services/web/w.js": "0\n"})
    repo.tag("api-v1.0.0")
    repo.tag("web-v1.0.0")
    repo.run("mv", "services/api/shared.py", "services/web/shared.py")
    moved = repo.commit("refactor: move the shared module to web")

    plans = plans_of(repo, TWO)

    assert shas(plans["api"]) == {moved}
    assert shas(plans["web"]) == {moved}


def test_folders_with_spaces_and_non_ascii_names(repo: GitRepo) -> None:
    mapping = {"packages": {"cafe": {"path": "services/café au lait"}, "web": {"path": "web"}}}
    odd = repo.commit("feat: crème", {"services/café au lait/crème brûlée.py": "1\n"})
    quote = repo.commit('fix: a "quoted" name', {'services/café au lait/"q".py': "1\n"})
    repo.commit("fix: web", {"web/w.js": "1\n"})

    plans = plans_of(repo, mapping)

    assert shas(plans["cafe"]) == {odd, quote}
    assert next_version(plans["cafe"]) == "0.1.0"


def test_a_package_tagged_at_head_has_an_empty_window(repo: GitRepo) -> None:
    repo.commit("feat: base", {"services/api/a.py": "0\n", "services/web/w.js": "0\n"})
    repo.tag("web-v1.0.0")
    web = repo.commit("fix: web", {"services/web/w.js": "1\n"})
    repo.commit("feat: api", {"services/api/a.py": "1\n"})
    repo.tag("api-v0.2.0", annotated=True)

    plans = plans_of(repo, TWO)

    assert shas(plans["api"]) == set()
    assert plans["api"].plan.next is None
    assert shas(plans["web"]) == {web}
    # Every package tagged at HEAD: nothing is read, nothing is due.
    repo.tag("web-v1.0.1")
    plans = plans_of(repo, TWO)
    assert all(p.plan.commits == () for p in plans.values())
