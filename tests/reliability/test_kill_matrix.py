"""SIGKILL ``bot release`` at every event of ``release.execute`` and at random moments; each
time, the next run finishes the release exactly once.

Events (see harness.py): each git command (killed just before it starts), each atomic file
write (killed just before its rename, the temporary file written), each forge request (before
it is sent, and after the forge acted but before the answer was read) and each registry answer
(the registry acted, the client never learned it). So every step boundary of ``execute`` is
one of them: verify, version files, changelog, commit, tag, push, forge release, each image
tag. Random moments (seeded; the seed is printed) land inside steps: inside a git command, a
push on the wire, a file write, a registry upload.

The project releases 0.2.0 over the authenticated HTTP git server with a GitHub release (the
forge stand-in) and three image tags promoted by digest on a real registry, from a source
repository into another repository (blobs mounted). Converged means harness.assert_converged.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import RepoFactory
from forge_server import ForgeServer
from git_remote import GitHttpServer, run_release
from reliability.harness import (
    Images,
    Project,
    assert_converged,
    ci_rerun,
    new_project,
    run_child,
)

if TYPE_CHECKING:
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = [pytest.mark.slow_matrix, pytest.mark.timeout(240)]

_names = itertools.count(1)
RANDOM_KILLS = 10


def _project(
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry: RegistryServer,
    image_in: ImageFactory,
    *,
    tmp_path: Path,
) -> Project:
    forge.reset()
    source = image_in(registry)
    name = f"{tmp_path.name[:30]}-{next(_names)}"
    images = Images(
        registry=registry.host,
        source=source,
        digest=source.partition("@")[2],
        target=f"{registry.host}/rel/{uuid.uuid4().hex[:12]}",
    )
    return new_project(make_repo, name, git_server, forge, images=images)


def _kill_and_converge(
    project: Project,
    forge: ForgeServer,
    registry: RegistryServer,
    *,
    same_clone: bool,
    **kill: float,
) -> tuple[bool, int]:
    """Kill a run as ``kill`` says, re-run (in the same clone, or as CI does: ci_rerun), check
    convergence; whether the child was killed, and (when it finished instead) how many events
    it had."""
    child = run_child(project.root, project.env, **kill)  # type: ignore[arg-type]
    assert child.killed or child.exitcode == 0, f"the child ended with {child.exitcode}"
    if same_clone:
        run_release(project.root, project.env)  # the next run
    else:
        ci_rerun(project)
    assert_converged(project, forge, registry.url, same_clone=same_clone)
    return child.killed, len(child.events)


@pytest.mark.parametrize("same_clone", [True, False], ids=["same-clone", "ci-rerun"])
def test_a_kill_at_every_event_of_a_release_converges(
    same_clone: bool,
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def project() -> Project:
        return _project(make_repo, git_server, forge, registry_plain, image_in, tmp_path=tmp_path)

    # A run that is not killed lists the events (and is itself a release that converges).
    first = project()
    clean = run_child(first.root, first.env)
    assert clean.exitcode == 0
    assert_converged(first, forge, registry_plain.url)
    events = clean.events
    kinds = {e.split()[0] for e in events}
    assert {"git", "rename", "forge", "registry"} <= kinds, events
    for step in ("git commit", "git tag", "git push", "rename -> CHANGELOG.md"):
        assert step in events, (step, events)
    # A run may make a request more or less than the listing run (a connection that was
    # reused or not); a kill point past the end of its own run is a finished run, not a miss.
    tried = []
    for index, label in enumerate(events, start=1):
        here = project()
        killed, had = _kill_and_converge(
            here, forge, registry_plain, same_clone=same_clone, kill_at=index
        )
        assert killed or had < index, f"event {index} ({label}) never came"
        if killed:
            tried.append(label)
    record_property("kill_points_events", len(tried))
    with capsys.disabled():
        print(f"\nkill matrix: {len(tried)} event kill points, all converged:")
        for index, label in enumerate(tried, start=1):
            print(f"  {index:2}. {label}")
    assert len(tried) >= len(events) - 2


@pytest.mark.parametrize("same_clone", [True, False], ids=["same-clone", "ci-rerun"])
def test_kills_at_random_moments_converge(
    same_clone: bool,
    *,
    make_repo: RepoFactory,
    git_server: GitHttpServer,
    forge: ForgeServer,
    registry_plain: RegistryServer,
    image_in: ImageFactory,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = int(os.environ.get("VERSIONBOT_KILL_SEED", random.randrange(1 << 32)))
    chooser = random.Random(seed)
    first = _project(make_repo, git_server, forge, registry_plain, image_in, tmp_path=tmp_path)
    clean = run_child(first.root, first.env)
    assert clean.exitcode == 0
    assert_converged(first, forge, registry_plain.url)
    delays = sorted(chooser.uniform(0.0, clean.seconds) for _ in range(RANDOM_KILLS))
    killed = 0
    record_property("kill_seed", seed)
    for delay in delays:
        here = _project(make_repo, git_server, forge, registry_plain, image_in, tmp_path=tmp_path)
        try:
            killed += _kill_and_converge(
                here, forge, registry_plain, same_clone=same_clone, delay=delay
            )[0]
        except AssertionError as exc:  # the seed reproduces it: VERSIONBOT_KILL_SEED=<seed>
            raise AssertionError(f"seed {seed}, kill after {delay:.3f} s: {exc}") from exc
    record_property("kill_points_random", len(delays))
    with capsys.disabled():
        print(
            f"\nrandom kills (seed {seed}, VERSIONBOT_KILL_SEED reproduces): {len(delays)} tried "
            f"over a {clean.seconds:.2f} s run, {killed} landed before the end, all converged"
        )
