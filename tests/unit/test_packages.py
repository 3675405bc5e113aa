"""Monorepos without git: the [packages] configuration, which packages a commit belongs to,
which package windows hold it, the plans made from one stream, and how they are shown.

Histories are written out by hand (commits with parents and changed paths, children first, as
``git log --topo-order --name-only`` gives them), so each case states exactly what it plans for.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from versionbot.cli.github_outputs import package_outputs
from versionbot.cli.report import packages_json_parts, packages_to_text
from versionbot.core.commits import Commit
from versionbot.core.config import Config
from versionbot.core.config_mapping import config_from_mapping
from versionbot.core.errors import ConfigError, RepositoryError
from versionbot.core.history import PackagesHistory, RepositoryState, Tag, package_baselines
from versionbot.core.next_run import choose_releases, due_releases
from versionbot.core.packages import Owners, bits, moved_from, outside_windows
from versionbot.core.plan import PackagePlan, PlanRequest, make_package_plans
from versionbot.core.version import Version
from versionbot.release.outcome import ReleaseOutcome, RunOutcome

STATE = RepositoryState("/repo", "f" * 40, "main")


def sha(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def monorepo(packages: Mapping[str, Mapping[str, Any]], **top: Any) -> Config:
    return config_from_mapping({**top, "packages": dict(packages)}, "versionbot.toml")


API_WEB = monorepo(
    {
        "api": {"path": "services/api", "depends_on": ["libs/common"], "scopes": ["api"]},
        "web": {"path": "apps/web", "tag_format": "web@{version}"},
    }
)


# --- configuration ---------------------------------------------------------------------------


def test_package_settings_are_the_repositorys_with_their_own_paths_and_tags() -> None:
    config = monorepo(
        {
            "api": {
                "path": "./services/api/",
                "version_files": ["pyproject.toml", "src/api/__init__.py:__version__"],
                "initial_version": "1.0.0",
                "images": {"names": ["registry.example/api"]},
            },
            "web": {"path": "apps/web"},
        },
        changelog={"file": "HISTORY.md", "forge": "none"},
        commit_message="chore(release): {version}",
    )
    api, web = config.packages
    assert (api.name, api.path) == ("api", "services/api")
    assert api.config.tag_format.pattern == "api-v{version}"
    assert web.config.tag_format.pattern == "web-v{version}"
    assert api.config.changelog.file == "services/api/HISTORY.md"
    assert api.config.changelog.forge == "none"
    assert api.config.version_files == (
        "services/api/pyproject.toml",
        "services/api/src/api/__init__.py:__version__",
    )
    assert api.config.initial_version == Version(1, 0, 0)
    assert web.config.initial_version == Version(0, 1, 0)
    assert api.config.images is not None
    assert (api.config.images.context, api.config.images.dockerfile) == (
        "services/api",
        "services/api/Dockerfile",
    )
    assert web.config.images is None
    assert api.config.commit_message == "chore(release): {version}"
    assert api.config.packages == ()


def test_depends_on_names_folders_or_other_packages() -> None:
    config = monorepo(
        {
            "api": {"path": "services/api", "depends_on": ["libs/common/", "proto"]},
            "proto": {"path": "libs/proto"},
        }
    )
    assert config.package("api").depends_on == ("libs/common", "libs/proto")


def test_a_dependency_on_a_package_brings_its_dependencies_at_any_depth() -> None:
    config = monorepo(
        {
            "web": {"path": "apps/web", "depends_on": ["api", "web"]},  # itself: nothing more
            "api": {"path": "services/api", "depends_on": ["packages/core", "go.work"]},
            "core": {"path": "packages/core", "depends_on": ["libs/common", "api"]},  # a cycle
            "cli": {"path": "tools/cli", "depends_on": ["packages/core/sub"]},  # inside core
        }
    )
    assert config.package("web").depends_on == (
        "go.work",
        "libs/common",
        "packages/core",
        "services/api",
    )
    assert config.package("api").depends_on == ("go.work", "libs/common", "packages/core")
    assert config.package("core").depends_on == ("go.work", "libs/common", "services/api")
    assert config.package("cli").depends_on == ("packages/core/sub",)


@pytest.mark.parametrize(
    ("packages", "top", "message"),
    [
        ({"api": {}}, {}, "[packages.api] has no path"),
        ({"api": {"path": "../api"}}, {}, "must be a folder inside the repository"),
        ({"api": {"path": "/srv/api"}}, {}, "must be a folder inside the repository"),
        ({"api": {"path": "a", "colour": 1}}, {}, "unknown key 'colour'"),
        ({"api": {"path": "a"}, "web": {"path": "a/"}}, {}, "have the same path 'a'"),
        ({"-api": {"path": "a"}}, {}, "package name '-api'"),
        (
            {
                "a": {"path": "a", "tag_format": "v{version}"},
                "b": {"path": "b", "tag_format": "v{version}"},
            },
            {},
            "overlap",
        ),
        (
            {"api": {"path": "a"}},
            {"tag_format": "v{version}"},
            "tag_format in versionbot.toml is per package",
        ),
        (
            {"api": {"path": "a"}},
            {"images": {"names": ["r/x"]}},
            "images in versionbot.toml is per package",
        ),
        ({"api": {"path": "a", "scopes": ["a(b)"]}}, {}, "scopes in"),
        ({"api": {"path": "a", "depends_on": "libs"}}, {}, "depends_on in"),
        ({"api": {"path": "a", "minor_on_zero": "no"}}, {}, "minor_on_zero in"),
        ({"api": {"path": "a", "major_on_zero": 1}}, {}, "major_on_zero in"),
    ],
)
def test_bad_package_tables_name_the_key(
    packages: dict[str, Any], top: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        monorepo(packages, **top)
    assert message in caught.value.message
    assert caught.value.hint


def test_an_unknown_package_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        API_WEB.package("docs")
    assert caught.value.hint == "packages: api, web"


# --- which packages a commit belongs to ------------------------------------------------------


def test_a_file_belongs_to_the_deepest_package_folder_else_the_root_package() -> None:
    config = monorepo(
        {
            "root": {"path": "."},
            "a": {"path": "packages/a"},
            "sub": {"path": "packages/a/sub"},
            "b": {"path": "packages/b", "depends_on": ["libs"]},
        }
    )
    owners = Owners(config.packages)
    names = [p.name for p in config.packages]

    def of(*paths: str) -> list[str]:
        return [names[i] for i in bits(owners.of_paths(paths))]

    assert of("packages/a/x.py") == ["a"]
    assert of("packages/a/sub/deep/y.py") == ["sub"]
    assert of("packages/ab/z.py") == ["root"]  # a folder name, not a string prefix
    assert of("README.md") == ["root"]
    assert of("libs/common/c.py") == ["root", "b"]
    assert of("packages/a/x.py", "packages/b/y.py") == ["a", "b"]
    assert of() == []


def test_without_a_root_package_files_outside_every_folder_belong_to_none() -> None:
    owners = Owners(API_WEB.packages)
    assert owners.of_paths(["README.md", "docs/guide.md"]) == 0
    assert list(bits(owners.of_paths(["libs/common/util.py"]))) == [0]
    assert owners.of_scope("api") == 1
    assert owners.of_scope("web") == 0
    assert owners.of_scope(None) == 0
    assert owners.uses_scopes


def test_outside_windows_propagates_each_start_to_its_ancestors() -> None:
    # main: 1 - 2 - 3 - 5(merge of 4) - 6 ; 4 branches from 2. api starts at 2, web at 3.
    c = {n: sha(n) for n in range(1, 7)}
    stream = [
        (Commit(c[6], (c[5],), "six"), ()),
        (Commit(c[5], (c[3], c[4]), "merge"), ()),
        (Commit(c[4], (c[2],), "four"), ()),
        (Commit(c[3], (c[2],), "three"), ()),
        (Commit(c[2], (c[1],), "two"), ()),
        (Commit(c[1], (), "one"), ()),
    ]
    outside = {commit.sha: mask for commit, _, mask in outside_windows(stream, [c[2], c[3]])}
    assert outside == {c[6]: 0, c[5]: 0, c[4]: 0, c[3]: 0b10, c[2]: 0b11, c[1]: 0b11}


# --- plans -----------------------------------------------------------------------------------


def history(
    config: Config, stream: Sequence[tuple[Commit, tuple[str, ...]]], tags: Sequence[Tag]
) -> PackagesHistory:
    formats = [p.config.tag_format for p in config.packages]
    baselines = package_baselines(tuple(tags), formats, prerelease=False)
    return PackagesHistory(STATE, baselines, stream)


def requests(config: Config, **overrides: PlanRequest) -> dict[str, PlanRequest]:
    return {p.name: overrides.get(p.name, PlanRequest(date="2026-11-28")) for p in config.packages}


def linear(*changes: tuple[str, tuple[str, ...]]) -> list[tuple[Commit, tuple[str, ...]]]:
    """Commits newest first: ``(message, paths)``; commit n's parent is n - 1, commit 0 the root."""
    count = len(changes)
    return [
        (Commit(sha(count - i), (sha(count - i - 1),), message), paths)
        for i, (message, paths) in enumerate(changes)
    ] + [(Commit(sha(0), (), "chore: init"), ("README.md",))]


def test_each_package_plans_its_own_commits_since_its_own_tag() -> None:
    stream = linear(
        ("feat(api): paging", ("docs/api.md",)),  # by scope
        ("fix: shared", ("libs/common/util.py",)),  # api depends on it
        ("feat: web form", ("apps/web/form.ts",)),
        ("fix: api and web", ("services/api/a.py", "apps/web/b.ts")),
        ("docs: readme", ("README.md",)),
        ("feat!: old api change", ("services/api/old.py",)),
    )
    tags = [Tag("api-v1.0.0", sha(1), True), Tag("web@0.2.0", sha(0), True)]
    plans = make_package_plans(history(API_WEB, stream, tags), API_WEB, requests(API_WEB))
    api, web = (p.plan for p in plans)
    assert [c.subject for c in api.commits] == [
        "feat(api): paging",
        "fix: shared",
        "fix: api and web",
    ]
    assert api.next is not None
    assert (str(api.next.version), api.next.tag, api.bump) == ("1.1.0", "api-v1.1.0", "minor")
    assert [c.subject for c in web.commits] == ["feat: web form", "fix: api and web"]
    assert web.next is not None
    assert (web.next.tag, web.next.latest) == ("web@0.3.0", False)
    assert web.ignored_tags == ()


def test_each_package_has_the_repositorys_zero_rules_unless_its_table_says_otherwise() -> None:
    """release-please's bump-minor-pre-major and bump-patch-for-minor-pre-major are per
    package: so are major_on_zero and minor_on_zero."""
    config = monorepo(
        {
            "a": {"path": "a", "minor_on_zero": False},
            "b": {"path": "b", "major_on_zero": False},
            "c": {"path": "c"},
        },
        major_on_zero=True,
    )
    flags = [(p.config.major_on_zero, p.config.minor_on_zero) for p in config.packages]
    assert flags == [(True, False), (False, True), (True, True)]
    stream = linear(
        ("feat: a", ("a/x.py",)),
        ("feat!: b", ("b/x.py",)),
        ("feat!: c", ("c/x.py",)),
    )
    tags = [Tag(f"{name}-v0.3.1", sha(0), True) for name in "abc"]
    plans = make_package_plans(history(config, stream, tags), config, requests(config))
    versions = [str(p.plan.next.version) for p in plans if p.plan.next is not None]
    assert versions == ["0.3.2", "0.4.0", "1.0.0"]


def test_a_package_without_a_release_starts_at_its_initial_version() -> None:
    config = monorepo({"cli": {"path": "cli", "initial_version": "1.0.0"}})
    stream = linear(("fix: a", ("cli/a.py",)), ("feat: b", ("cli/b.py",)))
    (only,) = make_package_plans(history(config, stream, []), config, requests(config))
    assert only.plan.next is not None
    assert str(only.plan.next.version) == "1.0.0"
    assert len(only.plan.commits) == 2


def test_a_package_with_nothing_releasable_has_no_release() -> None:
    stream = linear(("docs: api guide", ("services/api/README.md",)))
    tags = [Tag("api-v1.0.0", sha(0), True), Tag("web@1.0.0", sha(0), True)]
    api, web = make_package_plans(history(API_WEB, stream, tags), API_WEB, requests(API_WEB))
    assert api.plan.next is None
    assert "1 commit(s), none asks for a release" in api.plan.reason
    assert web.plan.next is None
    assert web.plan.commits == ()


def test_reverts_cancel_within_a_package() -> None:
    revert = f'Revert "feat: web x"\n\nThis reverts commit {sha(2)}.'
    stream = [
        (Commit(sha(3), (sha(2),), revert), ("apps/web/x.ts",)),
        (Commit(sha(2), (sha(1),), "feat: web x"), ("apps/web/x.ts",)),
        (Commit(sha(1), (sha(0),), "fix: api y"), ("services/api/y.py",)),
        (Commit(sha(0), (), "chore: init"), ("README.md",)),
    ]
    api, web = make_package_plans(history(API_WEB, stream, []), API_WEB, requests(API_WEB))
    assert web.plan.next is None
    assert [c.skipped_reason for c in web.plan.commits] == [
        f"reverts {sha(2)[:7]} in this release",
        f"reverted by {sha(3)[:7]}",
    ]
    assert api.plan.next is not None


def test_a_forced_version_is_one_packages_request() -> None:
    stream = linear(("fix: api", ("services/api/a.py",)), ("fix: web", ("apps/web/a.ts",)))
    tags = [Tag("api-v1.0.0", sha(0), True), Tag("web@1.0.0", sha(0), True)]
    forced = requests(API_WEB, api=PlanRequest(version=Version(2, 0, 0)))
    api, web = make_package_plans(history(API_WEB, stream, tags), API_WEB, forced)
    assert api.plan.next is not None
    assert web.plan.next is not None
    assert (str(api.plan.next.version), str(web.plan.next.version)) == ("2.0.0", "1.0.1")


# --- how they are shown ----------------------------------------------------------------------


def _two_plans() -> tuple[PackagePlan, ...]:
    stream = linear(("feat: web form", ("apps/web/form.ts",)))
    tags = [Tag("api-v1.0.0", sha(0), True), Tag("web@0.2.0", sha(0), True)]
    return make_package_plans(history(API_WEB, stream, tags), API_WEB, requests(API_WEB))


def test_the_json_document_nests_each_packages_plan_document() -> None:
    plans = _two_plans()
    document = json.loads("".join(packages_json_parts(plans, [None, "## 0.3.0\n"])))
    assert document["schema"] == 1
    assert [(p["name"], p["path"]) for p in document["packages"]] == [
        ("api", "services/api"),
        ("web", "apps/web"),
    ]
    web = document["packages"][1]["plan"]
    assert (web["next"]["tag"], web["bump"], web["changelog"]) == (
        "web@0.3.0",
        "minor",
        "## 0.3.0\n",
    )
    assert document["packages"][0]["plan"]["release"] is False
    assert json.loads("".join(packages_json_parts((), []))) == {"schema": 1, "packages": []}


def test_the_text_report_lists_every_package_first() -> None:
    text = packages_to_text(_two_plans(), [None, None])
    lines = text.splitlines()
    assert lines[:3] == [
        "Packages: 2, 1 with a release due",
        "  api  no release",
        "  web  0.2.0 -> 0.3.0 (minor)",
    ]
    assert "== web (apps/web) ==" in lines


def test_ci_outputs_list_the_released_packages() -> None:
    outcome = RunOutcome(sha="a" * 40)
    outcome.packages["web"] = ReleaseOutcome(
        released=True, version=Version(0, 3, 0), tag="web@0.3.0", previous_version=Version(0, 2, 0)
    )
    outcome.packages["api"] = ReleaseOutcome(version=Version(1, 1, 0), tag="api-v1.1.0")
    values = package_outputs(outcome)
    assert values["released"] == "true"
    assert values["sha"] == "a" * 40
    assert json.loads(values["packages"]) == ["web"]
    releases = json.loads(values["releases"])
    assert releases["web"] == {
        "released": True,
        "version": "0.3.0",
        "tag": "web@0.3.0",
        "previous_version": "0.2.0",
        "is_prerelease": "false",
        "forge_url": "",
        "image_digests": {},
    }
    assert releases["api"]["released"] is False
    assert all("\n" not in value for value in values.values())


# --- which releases a run makes --------------------------------------------------------------


def _due_plans() -> tuple[PackagePlan, ...]:
    stream = linear(("fix: api", ("services/api/a.py",)), ("feat: web", ("apps/web/a.ts",)))
    tags = [Tag("api-v1.0.0", sha(0), True), Tag("web@1.0.0", sha(0), True)]
    return make_package_plans(history(API_WEB, stream, tags), API_WEB, requests(API_WEB))


def test_without_a_release_commit_every_due_package_is_a_new_release() -> None:
    plans = _due_plans()
    releases = choose_releases(plans, (), (), {}, API_WEB)
    assert [p.package.name for p in releases.new] == ["api", "web"]
    assert releases.at_head == ()
    assert not releases.finishing
    assert [p.package.name for p in releases.only("web").new] == ["web"]


def test_a_release_commit_whose_tags_are_missing_is_finished_first() -> None:
    plans = _due_plans()
    marked = ["api-v1.0.1", "web@1.1.0"]
    releases = choose_releases(plans, (), marked, {"api-v1.0.1": STATE.head}, API_WEB)
    assert [p.package.name for p in releases.at_head] == ["api", "web"]
    assert releases.new == ()
    assert releases.finishing


def test_a_release_commit_naming_a_tag_no_package_plans_is_an_error() -> None:
    with pytest.raises(RepositoryError) as caught:
        choose_releases(_due_plans(), (), ["api-v9.0.0"], {}, API_WEB)
    assert "no package plans api-v9.0.0" in caught.value.message


def test_a_clone_without_the_release_commits_tags_releases_nothing() -> None:
    marked = ["api-v1.0.1"]
    releases = choose_releases(_due_plans(), (), marked, {"api-v1.0.1": STATE.head}, API_WEB)
    assert releases.at_head == releases.new == ()
    assert (
        releases.idle
        == f"HEAD {STATE.head[:7]} is the release commit of api-v1.0.1: nothing to release"
    )


def test_after_one_package_released_on_head_the_others_follow_on_top() -> None:
    api, web = _due_plans()
    marked = [api.plan.next.tag if api.plan.next else ""]
    on_remote = {marked[0]: STATE.head}
    releases = choose_releases((api, web), due_releases([api]), marked, on_remote, API_WEB)
    assert releases.at_head == due_releases([api])
    assert releases.new == due_releases([web])
    assert not releases.finishing


@pytest.mark.parametrize(
    ("paths", "origin"),
    [
        (["old/api/a.py", "old/api/x/b.py", "services/api/a.py", "services/api/x/b.py"], "old/api"),
        (["api/a.py", "services/api/a.py"], "api"),
        (["services/api/a.py", "README.md"], None),  # created, not moved
        (["services/api/a.py", "services/api/b.py", "c/a.py"], "c"),  # half its files: moved
        (["services/api/a.py", "services/api/b.py", "services/api/c.py", "x/a.py"], None),
    ],
)
def test_a_package_folder_moved_by_a_commit(paths: list[str], origin: str | None) -> None:
    assert moved_from("services/api", paths) == origin
