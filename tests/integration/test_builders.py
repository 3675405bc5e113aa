"""The three builders against real registries: buildah for real, a real Docker engine, and
``docker buildx`` as a stub executable whose exact argv is the contract.

* buildah builds ``linux/amd64`` and ``linux/arm64`` from a ``FROM scratch`` + ``COPY``
  Dockerfile in a real git repository (no emulation needed), pushes one OCI index, and the
  index, both platforms and the labels are read back from the registry.
* The ``docker`` builder talks to a private dockerd (Debian ``docker.io``) started once for this
  module: vfs storage, its own data root, exec root, pid file and unix socket in a tmp dir, no
  iptables and no bridge (it only builds and pushes).
* ``docker buildx`` is not installed here (and would need BuildKit): a stub ``docker`` on PATH
  records its argv, "pushes" by putting the session's real index under the tag it was given, and
  writes the metadata file the way buildx does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from versionbot.core.config import ImageRules, ImagesConfig
from versionbot.core.errors import BuildError, RegistryError
from versionbot.core.image_tags import ImagePlan, image_plan
from versionbot.core.version import Version
from versionbot.registry.build_spec import build_tag
from versionbot.registry.builders import build_image
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import digest_of, list_tags, platforms_of, resolve
from versionbot.registry.oci import DOCKER_LIST, OCI_INDEX, ImageRef

if TYPE_CHECKING:
    from conftest import GitRepo, RepoFactory
    from registry_fixtures import ImageFactory, RegistryServer

pytestmark = pytest.mark.timeout(60)

PLATFORMS = ("linux/amd64", "linux/arm64")
P = "org.opencontainers.image."
REMOTE = "https://bot:remote-s3cret@git.example.com/acme/widget.git"
DOCKERFILE = """\
FROM scratch
ARG TARGETARCH
COPY hello-${TARGETARCH} /hello
COPY release.txt /release.txt
"""
# The engine's classic builder commits an ARG step with the host's platform, so a foreign
# platform's next COPY fails ("does not match the specified platform"): no ARG for it.
CLASSIC_DOCKERFILE = "FROM scratch\nCOPY release.txt /release.txt\n"


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def widget(make_repo: RepoFactory) -> GitRepo:
    """A repository with a two-platform FROM scratch Dockerfile and an origin with a token."""
    repo = make_repo("widget")
    files = {f"hello-{p.split('/')[1]}": f"hello from {p}\n" for p in PLATFORMS}
    repo.commit(
        "feat: the widget image",
        {"Dockerfile": DOCKERFILE, "release.txt": "widget 1.2.0\n", **files},
    )
    repo.run("remote", "add", "origin", REMOTE)
    return repo


def plan_for(repo: GitRepo, name: str, version: str = "1.2.0") -> ImagePlan:
    """The image plan of releasing ``version`` at HEAD, built rather than taken from CI."""
    return image_plan(
        Version.parse(version),
        [],
        repo.head(),
        names=(name,),
        source=None,
        platforms=PLATFORMS,
        rules=ImageRules(),
    )


def env_for(repo: GitRepo, server: RegistryServer, **extra: str) -> dict[str, str]:
    """The sealed environment plus the registry's credential variables."""
    return {**repo.env.variables, **server.env(), **extra}


def read_blob(server: RegistryServer, repository: str, digest: str) -> dict[str, Any]:
    """A JSON blob or manifest straight from the registry, with the fixtures' own client."""
    kind = "manifests" if digest == "index" else "blobs"
    headers = {
        "Accept": f"{OCI_INDEX}, {DOCKER_LIST}, application/vnd.oci.image.manifest.v1+json, "
        "application/vnd.docker.distribution.manifest.v2+json",
        **server.authorization(f"repository:{repository}:pull"),
    }
    with server.http() as client:
        response = client.get(f"/v2/{repository}/{kind}/{digest}", headers=headers)
        if response.status_code == 404 and kind == "blobs":
            response = client.get(f"/v2/{repository}/manifests/{digest}", headers=headers)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document


def child_configs(server: RegistryServer, ref: ImageRef) -> dict[str, dict[str, Any]]:
    """``{platform: (manifest, config)}`` of every child of the index ``ref`` names."""
    assert ref.digest is not None
    index = read_blob(server, ref.repository, ref.digest)
    found = {}
    for child in index["manifests"]:
        manifest = read_blob(server, ref.repository, child["digest"])
        config = read_blob(server, ref.repository, manifest["config"]["digest"])
        platform = f"{child['platform']['os']}/{child['platform']['architecture']}"
        found[platform] = {"manifest": manifest, "config": config}
    return found


def assert_release_labels(labels: dict[str, str], repo: GitRepo) -> None:
    """The release's labels: version, revision, created (commit date), source, title, extras."""
    assert labels[P + "version"] == "1.2.0"
    assert labels[P + "revision"] == repo.head()
    created = repo.run("show", "-s", "--format=%cI", "HEAD").replace("+00:00", "Z")
    assert labels[P + "created"] == created
    assert labels[P + "source"] == "https://git.example.com/acme/widget"
    assert labels[P + "title"] == "widget"
    assert labels[P + "licenses"] == "MIT"
    assert "remote-s3cret" not in json.dumps(labels)


# -- buildah ----------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["registry_plain", "registry_basic", "registry_tls"])
def test_buildah_builds_both_platforms_pushes_one_index_and_labels_it(
    variant: str, widget: GitRepo, request: pytest.FixtureRequest
) -> None:
    server: RegistryServer = request.getfixturevalue(variant)
    name = f"{server.host}/b/buildah-{variant.removeprefix('registry_')}"
    settings = ImagesConfig(
        names=(name,),
        builder="buildah",
        labels=(("licenses", "MIT"),),
        ca_file=str(server.ca_file) if server.ca_file else None,
    )
    images = plan_for(widget, name)
    env = env_for(widget, server)
    with RegistryClient(env=env, ca_file=server.ca_file) as client:
        built = build_image(settings, widget.path, images, client, env=env)
        assert str(built).startswith(f"{name}@sha256:")
        assert digest_of(client, ImageRef.parse(name).with_tag(build_tag(widget.head()))) == (
            built.digest
        )
        assert set(platforms_of(client, built)) == set(PLATFORMS)
        assert resolve(client, built).media_type == OCI_INDEX
        # A re-run finds the build tag and builds nothing: the same digest comes back at once.
        started = time.monotonic()
        assert build_image(settings, widget.path, images, client, env=env) == built
        assert time.monotonic() - started < 1.0
    children = child_configs(server, built)
    assert set(children) == set(PLATFORMS)
    for platform, found in children.items():
        assert found["config"]["architecture"] == platform.split("/")[1]
        assert_release_labels(found["config"]["config"]["Labels"], widget)
        assert found["manifest"]["annotations"][P + "revision"] == widget.head()


def test_buildah_uses_source_date_epoch_for_created_and_the_docker_config_for_auth(
    widget: GitRepo, registry_basic: RegistryServer
) -> None:
    name = f"{registry_basic.host}/b/buildah-epoch"
    settings = ImagesConfig(names=(name,), builder="buildah", labels=(("licenses", "MIT"),))
    env = {
        **widget.env.variables,
        "DOCKER_CONFIG": str(registry_basic.docker_config),
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    with RegistryClient(env=env) as client:
        built = build_image(settings, widget.path, plan_for(widget, name), client, env=env)
    for found in child_configs(registry_basic, built).values():
        assert found["config"]["config"]["Labels"][P + "created"] == "2023-11-14T22:13:20Z"
        assert found["config"]["created"].startswith("2023-11-14T22:13:20")


def test_buildah_with_a_wrong_password_fails_clearly_without_the_secret(
    widget: GitRepo, registry_basic: RegistryServer
) -> None:
    """buildah 1.28 exits 0 on a 401; the empty digest file must still make this an error."""
    name = f"{registry_basic.host}/b/buildah-denied"
    settings = ImagesConfig(names=(name,), builder="buildah")
    good = env_for(widget, registry_basic)
    wrong = {
        **good,
        **{k: "wrong-s3cret-value" for k in registry_basic.env() if k.endswith("PASSWORD")},
    }
    with (
        RegistryClient(env=good) as client,
        pytest.raises(BuildError, match=r"buildah pushed no image to 127\.0\.0\.1") as caught,
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=wrong)
    text = f"{caught.value.message}\n{caught.value.hint}"
    assert "\n" not in caught.value.message
    assert "wrong-s3cret-value" not in text
    assert caught.value.exit_code == 6


def test_a_dockerfile_that_does_not_build_is_a_one_line_build_error(
    widget: GitRepo, registry_plain: RegistryServer
) -> None:
    widget.commit("fix: break it", {"Dockerfile": "FROM scratch\nCOPY missing.txt /x\n"})
    name = f"{registry_plain.host}/b/buildah-broken"
    settings = ImagesConfig(names=(name,), builder="buildah")
    env = env_for(widget, registry_plain)
    with (
        RegistryClient(env=env) as client,
        pytest.raises(BuildError, match=r"^buildah build failed \(exit \d+\): .*missing") as caught,
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)
    assert "\n" not in caught.value.message


def test_a_missing_dockerfile_is_named(widget: GitRepo, registry_plain: RegistryServer) -> None:
    name = f"{registry_plain.host}/b/no-dockerfile"
    settings = ImagesConfig(names=(name,), builder="buildah", dockerfile="docker/Dockerfile")
    env = env_for(widget, registry_plain)
    with (
        RegistryClient(env=env) as client,
        pytest.raises(BuildError, match=r"there is no Dockerfile at .*docker/Dockerfile"),
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)


# -- the Docker engine ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private dockerd (vfs, no iptables, no bridge); yields its ``DOCKER_HOST``."""
    from registry_fixtures import REQUIRE_INFRA

    binary = shutil.which("dockerd")
    if binary is None:
        reason = "dockerd is not installed (apt-get install docker.io)"
        if os.environ.get(REQUIRE_INFRA) == "1":
            pytest.fail(f"{reason}; {REQUIRE_INFRA}=1 makes that an error", pytrace=False)
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("dockerd")
    socket = directory / "docker.sock"
    log = (directory / "dockerd.log").open("wb")
    process = subprocess.Popen(
        [
            *(binary, "--storage-driver", "vfs", "--iptables=false", "--ip6tables=false"),
            *("--bridge=none", "--data-root", str(directory / "data")),
            *("--exec-root", str(directory / "exec"), "--pidfile", str(directory / "dockerd.pid")),
            *("-H", f"unix://{socket}"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        transport = httpx.HTTPTransport(uds=str(socket))
        deadline = time.monotonic() + 30
        with httpx.Client(transport=transport, trust_env=False, timeout=2) as client:
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    text = (directory / "dockerd.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"dockerd did not start:\n{text}", pytrace=False)
                try:
                    if socket.exists() and client.get("http://docker/_ping").text == "OK":
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        yield f"unix://{socket}"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def test_the_docker_engine_builds_each_platform_and_the_index_is_assembled(
    widget: GitRepo, registry_basic: RegistryServer, dockerd: str
) -> None:
    widget.commit("build: a classic-builder Dockerfile", {"Dockerfile": CLASSIC_DOCKERFILE})
    name = f"{registry_basic.host}/b/docker-engine"
    settings = ImagesConfig(names=(name,), builder="docker", labels=(("licenses", "MIT"),))
    env = env_for(widget, registry_basic, DOCKER_HOST=dockerd)
    with RegistryClient(env=env) as client:
        built = build_image(settings, widget.path, plan_for(widget, name), client, env=env)
        assert built.digest is not None
        assert digest_of(client, ImageRef.parse(name).with_tag(build_tag(widget.head()))) == (
            built.digest
        )
        index = resolve(client, built)
        assert index.media_type == DOCKER_LIST
        assert set(platforms_of(client, built)) == set(PLATFORMS)
        tags = list_tags(client, registry_basic.host, "b/docker-engine")
    assert sorted(tags) == sorted(
        [build_tag(widget.head())]
        + [f"{build_tag(widget.head())}-linux-{arch}" for arch in ("amd64", "arm64")]
    )
    for platform, found in child_configs(registry_basic, built).items():
        assert found["config"]["architecture"] == platform.split("/")[1]
        assert_release_labels(found["config"]["config"]["Labels"], widget)


def test_the_docker_engine_reports_a_refused_push_without_the_secret(
    widget: GitRepo, registry_basic: RegistryServer, dockerd: str
) -> None:
    """dockerd puts a push's 401 into the stream, not into an exception: it must still fail."""
    widget.commit("build: a classic-builder Dockerfile", {"Dockerfile": CLASSIC_DOCKERFILE})
    name = f"{registry_basic.host}/b/docker-denied"
    settings = ImagesConfig(names=(name,), builder="docker")
    good = env_for(widget, registry_basic, DOCKER_HOST=dockerd)
    wrong = {k: "wrong-s3cret-value" if k.endswith("PASSWORD") else v for k, v in good.items()}
    with (
        RegistryClient(env=good) as client,
        pytest.raises(BuildError, match="the Docker engine could not push") as caught,
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=wrong)
    assert "wrong-s3cret-value" not in f"{caught.value.message} {caught.value.hint}"


def test_an_unreachable_docker_engine_is_named(
    widget: GitRepo, registry_plain: RegistryServer, tmp_path: Path
) -> None:
    name = f"{registry_plain.host}/b/docker-nowhere"
    settings = ImagesConfig(names=(name,), builder="docker")
    env = env_for(widget, registry_plain, DOCKER_HOST=f"unix://{tmp_path}/nothing.sock")
    with (
        RegistryClient(env=env) as client,
        pytest.raises(BuildError, match=r"cannot reach the Docker engine at unix://"),
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)


# -- buildx (a stub docker CLI) ---------------------------------------------------------------

_STUB = """\
#!{python}
# A stand-in for `docker buildx build ... --push`: records argv, "pushes" the session's real
# index under the --tag it was given, and writes the metadata file as buildx does.
import json, os, sys
import httpx

argv = sys.argv
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
if os.environ.get("STUB_FAIL"):
    sys.stderr.write("#12 pushing layers\\n" + os.environ["STUB_FAIL"] + "\\n")
    sys.exit(1)
tag = argv[argv.index("--tag") + 1]
host, _, rest = tag.partition("/")
repository, _, reference = rest.rpartition(":")
raw = open(os.environ["STUB_INDEX"], "rb").read()
response = httpx.put(
    f"http://{{host}}/v2/{{repository}}/manifests/{{reference}}",
    content=raw,
    headers={{"Content-Type": "application/vnd.oci.image.index.v1+json"}},
    trust_env=False,
)
response.raise_for_status()
if not os.environ.get("STUB_NO_METADATA"):
    with open(argv[argv.index("--metadata-file") + 1], "w") as metadata:
        json.dump({{"containerimage.digest": response.headers["Docker-Content-Digest"],
                   "image.name": tag}}, metadata)
"""


@pytest.fixture
def buildx_stub(tmp_path: Path) -> Path:
    """A folder holding the stub ``docker`` executable (put it first on PATH)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    stub = folder / "docker"
    stub.write_text(_STUB.format(python=sys.executable))
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return folder


def _buildx_setup(
    widget: GitRepo, server: RegistryServer, image_in: ImageFactory, stub: Path
) -> tuple[str, ImagesConfig, dict[str, str]]:
    """A fresh repository holding the real index, its bytes for the stub, and the stub's env."""
    source = ImageRef.parse(image_in(server))
    name = f"{source.registry}/{source.repository}"
    with RegistryClient(env={}) as client:
        (stub / "index.json").write_bytes(resolve(client, source).raw)
    env = {
        **widget.env.variables,
        "PATH": f"{stub}{os.pathsep}{widget.env.variables['PATH']}",
        "STUB_LOG": str(stub / "argv.jsonl"),
        "STUB_INDEX": str(stub / "index.json"),
    }
    settings = ImagesConfig(names=(name,), builder="buildx", labels=(("licenses", "MIT"),))
    return name, settings, env


def test_buildx_runs_exactly_one_command_and_takes_the_digest_from_its_metadata(
    widget: GitRepo, registry_plain: RegistryServer, image_in: ImageFactory, buildx_stub: Path
) -> None:
    name, settings, env = _buildx_setup(widget, registry_plain, image_in, buildx_stub)
    with RegistryClient(env=env) as client:
        built = build_image(settings, widget.path, plan_for(widget, name), client, env=env)
        assert set(platforms_of(client, built)) == set(PLATFORMS)
    calls = [json.loads(line) for line in (buildx_stub / "argv.jsonl").read_text().splitlines()]
    assert len(calls) == 1
    argv = calls[0]
    metadata = argv[argv.index("--metadata-file") + 1]
    assert Path(metadata).name == "metadata.json"
    assert not Path(metadata).exists()  # the temporary folder is gone
    created = widget.run("show", "-s", "--format=%cI", "HEAD").replace("+00:00", "Z")
    assert argv == [
        str(buildx_stub / "docker"),
        *("buildx", "build", "--platform", "linux/amd64,linux/arm64", "--push"),
        *("--tag", f"{name}:sha-{widget.head()}", "--metadata-file", metadata),
        *("--label", f"{P}created={created}"),
        *("--label", f"{P}licenses=MIT"),
        *("--label", f"{P}revision={widget.head()}"),
        *("--label", f"{P}source=https://git.example.com/acme/widget"),
        *("--label", f"{P}title=widget"),
        *("--label", f"{P}version=1.2.0"),
        *("-f", str(widget.path / "Dockerfile"), str(widget.path)),
    ]
    assert built == ImageRef.parse(f"{name}@{built.digest}")


def test_buildx_failing_gives_its_last_line_redacted(
    widget: GitRepo, registry_plain: RegistryServer, image_in: ImageFactory, buildx_stub: Path
) -> None:
    name, settings, env = _buildx_setup(widget, registry_plain, image_in, buildx_stub)
    env["VERSIONBOT_REGISTRY_PASSWORD"] = "pa55-s3cret"
    env["VERSIONBOT_REGISTRY_USERNAME"] = "bot"
    env["STUB_FAIL"] = (
        "ERROR: failed to push: unauthorized for bot:pa55-s3cret at https://bot:pa55-s3cret@x/"
    )
    with (
        RegistryClient(env={}) as client,
        pytest.raises(BuildError, match=r"^docker buildx build failed \(exit 1\): ERROR") as caught,
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)
    assert "pa55-s3cret" not in caught.value.message
    assert "#12 pushing layers" not in caught.value.message


def test_buildx_without_a_metadata_digest_is_an_error(
    widget: GitRepo, registry_plain: RegistryServer, image_in: ImageFactory, buildx_stub: Path
) -> None:
    name, settings, env = _buildx_setup(widget, registry_plain, image_in, buildx_stub)
    env["STUB_NO_METADATA"] = "1"
    with (
        RegistryClient(env={}) as client,
        pytest.raises(BuildError, match=r"wrote no containerimage\.digest"),
    ):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)


def test_a_registry_that_refuses_the_build_tag_lookup_fails_before_building(
    widget: GitRepo, registry_basic: RegistryServer, buildx_stub: Path
) -> None:
    name = f"{registry_basic.host}/b/refused"
    settings = ImagesConfig(names=(name,), builder="buildx")
    env = {**widget.env.variables, "STUB_LOG": str(buildx_stub / "argv.jsonl")}
    with RegistryClient(env=env) as client, pytest.raises(RegistryError, match="401"):
        build_image(settings, widget.path, plan_for(widget, name), client, env=env)
    assert not (buildx_stub / "argv.jsonl").exists()
