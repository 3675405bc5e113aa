"""The builders' pure parts: exact command lines, labels, the assembled index, the authfile.

The processes themselves (buildah, a Docker engine, a stub ``docker buildx``) run in
tests/integration/test_builders.py; here every argv is pinned word for word, because the argv is
the builder's whole contract with its tool.
"""

from __future__ import annotations

import base64
import doctest
import json
import stat
from pathlib import Path
from types import ModuleType

import pytest

import versionbot.registry.build_spec
import versionbot.registry.docker_engine
from versionbot.core.config import ImageRules, ImagesConfig
from versionbot.core.errors import BuildError, RegistryError
from versionbot.core.image_tags import image_plan
from versionbot.core.version import Version
from versionbot.registry.build_spec import (
    BuildSpec,
    build_spec,
    build_tag,
    oci_labels,
    source_date_epoch,
    source_url,
)
from versionbot.registry.build_tools import buildx_argv
from versionbot.registry.buildah import (
    BuildahSetup,
    authfile_document,
    buildah_commands,
    write_authfile,
)
from versionbot.registry.credentials import Credentials
from versionbot.registry.docker_engine import (
    assemble_index,
    docker_build_kwargs,
    labelled_dockerfile,
)
from versionbot.registry.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    ImageRef,
    Manifest,
)

pytestmark = pytest.mark.timeout(10)

SHA = "3f2a91c0d4e5f60718293a4b5c6d7e8f90a1b2c3"
ROOT = Path("/work/repo")
P = "org.opencontainers.image."


def spec(*, timestamp: int | None = None) -> BuildSpec:
    return BuildSpec(
        ref=ImageRef.parse(f"127.0.0.1:5000/acme/app:sha-{SHA}"),
        platforms=("linux/amd64", "linux/arm64"),
        context=ROOT,
        dockerfile=ROOT / "Dockerfile",
        labels=((P + "revision", SHA), (P + "version", "1.2.0")),
        timestamp=timestamp,
    )


@pytest.mark.parametrize(
    "module", [versionbot.registry.build_spec, versionbot.registry.docker_engine]
)
def test_the_module_doctests_pass(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_build_errors_are_registry_errors_with_exit_6() -> None:
    error = BuildError("buildah build failed", "fix it")
    assert isinstance(error, RegistryError)
    assert error.exit_code == 6


def test_buildx_argv_is_one_build_that_pushes_with_labels_and_a_metadata_file() -> None:
    assert buildx_argv(spec(), Path("/tmp/meta.json")) == [
        *("docker", "buildx", "build", "--platform", "linux/amd64,linux/arm64", "--push"),
        *("--tag", f"127.0.0.1:5000/acme/app:sha-{SHA}"),
        *("--metadata-file", "/tmp/meta.json"),
        *("--label", f"{P}revision={SHA}"),
        *("--label", f"{P}version=1.2.0"),
        *("-f", "/work/repo/Dockerfile", "/work/repo"),
    ]


def test_buildah_builds_each_platform_into_one_list_then_pushes_it_all() -> None:
    setup = BuildahSetup(work=Path("/w"), authfile=Path("/w/auth.json"), tls_verify=False)
    base = ["buildah", "--root", "/w/storage", "--runroot", "/w/run", "--storage-driver", "vfs"]
    labels = ["--label", f"{P}revision={SHA}", "--label", f"{P}version=1.2.0"]
    annotations = ["--annotation", f"{P}revision={SHA}", "--annotation", f"{P}version=1.2.0"]

    def build(platform: str) -> list[str]:
        return [
            *base,
            *("build", "--quiet", "--isolation", "chroot", "--platform", platform),
            *("--format", "oci", "--manifest", "L", "--file", "/work/repo/Dockerfile"),
            *("--timestamp", "1704067200", "--authfile", "/w/auth.json"),
            *labels,
            *annotations,
            "/work/repo",
        ]

    assert buildah_commands(spec(timestamp=1_704_067_200), setup, "L") == [
        build("linux/amd64"),
        build("linux/arm64"),
        [
            *base,
            *("manifest", "push", "--all", "--format", "oci", "--digestfile", "/w/digest"),
            *("--authfile", "/w/auth.json", "--tls-verify=false"),
            *("L", f"docker://127.0.0.1:5000/acme/app:sha-{SHA}"),
        ],
    ]


def test_buildah_verifies_tls_by_default_and_takes_a_cert_dir() -> None:
    setup = BuildahSetup(work=Path("/w"), cert_dir=Path("/w/certs"))
    commands = buildah_commands(spec(), setup, "L")
    push = commands[-1]
    assert "--tls-verify=false" not in push
    assert push[-4:] == [
        "--cert-dir",
        "/w/certs",
        "L",
        f"docker://127.0.0.1:5000/acme/app:sha-{SHA}",
    ]
    assert not any("--timestamp" in c or "--authfile" in c for c in commands)


def test_docker_builds_one_platform_per_call_with_target_args() -> None:
    dockerfile = Path("/tmp/x/Dockerfile")
    assert docker_build_kwargs(spec(), "linux/arm64/v8", dockerfile) == {
        "path": "/work/repo",
        "dockerfile": "/tmp/x/Dockerfile",
        "platform": "linux/arm64/v8",
        "tag": f"127.0.0.1:5000/acme/app:sha-{SHA}-linux-arm64-v8",
        "buildargs": {
            "TARGETPLATFORM": "linux/arm64/v8",
            "TARGETOS": "linux",
            "TARGETARCH": "arm64",
            "TARGETVARIANT": "v8",
        },
        "pull": False,
        "nocache": True,
        "rm": True,
        "forcerm": True,
    }


def test_docker_labels_are_one_label_instruction_at_the_end_of_a_copy() -> None:
    text = "FROM scratch AS base\nCOPY a /a\n\nFROM base\n"
    labels = [(P + "version", "1.2.0"), (P + "description", 'A "quoted" $HOME\nsecond line\\')]
    assert labelled_dockerfile(text, labels) == (
        text + f'LABEL "{P}version"="1.2.0" '
        f'"{P}description"="A \\"quoted\\" \\$HOME second line\\\\"\n'
    )
    assert labelled_dockerfile("FROM scratch", []) == "FROM scratch\n"


def test_labels_name_the_release_and_take_short_and_full_extra_keys() -> None:
    labels = dict(
        oci_labels(
            version="1.2.0",
            sha=SHA,
            created=1_704_067_200,
            source="https://github.com/acme/app",
            title="app",
            extra=[
                ("description", "The app"),
                ("licenses", "MIT"),
                ("url", "https://acme.example"),
                ("title", "Acme App"),
                ("com.acme.team", "tools"),
                ("version", "9.9.9"),  # the release's own facts cannot be overridden
                (P + "revision", "0" * 40),
            ],
        )
    )
    assert labels == {
        P + "created": "2024-01-01T00:00:00Z",
        P + "description": "The app",
        P + "licenses": "MIT",
        P + "revision": SHA,
        P + "source": "https://github.com/acme/app",
        P + "title": "Acme App",
        P + "url": "https://acme.example",
        P + "version": "1.2.0",
        "com.acme.team": "tools",
    }


def test_labels_are_sorted_so_the_argv_never_changes() -> None:
    keys = [k for k, _ in oci_labels(version="1", sha="a", created=0, source=None, title="t")]
    assert keys == sorted(keys)
    assert P + "source" not in keys


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        (
            "https://x-access-token:ghp_abcdefghij1234567890@github.com/acme/app.git",
            "https://github.com/acme/app",
        ),
        ("https://github.com/acme/app.git", "https://github.com/acme/app"),
        ("git@github.com:acme/app.git", "https://github.com/acme/app"),
        ("ssh://git@git.example.com:2222/acme/app.git", "https://git.example.com/acme/app"),
        ("http://bot:tok@127.0.0.1:3000/acme/app", "http://127.0.0.1:3000/acme/app"),
        ("file:///srv/git/app.git", None),
        ("/srv/git/app.git", None),
        (None, None),
    ],
)
def test_source_url_is_the_web_address_without_credentials(
    remote: str | None, expected: str | None
) -> None:
    assert source_url(remote) == expected
    assert "ghp_" not in str(source_url(remote))
    assert "tok@" not in str(source_url(remote))


def test_build_spec_tags_the_first_name_with_the_full_sha_and_labels_the_release() -> None:
    settings = ImagesConfig(
        names=("127.0.0.1:5000/acme/app", "ghcr.io/acme/app"),
        context="docker",
        dockerfile="docker/Dockerfile.release",
        labels=(("licenses", "MIT"),),
    )
    images = image_plan(
        Version.parse("1.2.0"),
        [],
        SHA,
        names=settings.names,
        source=None,
        platforms=settings.platforms,
        rules=ImageRules(),
    )
    made = build_spec(
        settings,
        ROOT,
        images,
        created=0,
        remote_url="https://bot:s3cret@git.example.com/acme/widget.git",
        timestamp=None,
    )
    assert made.ref == ImageRef("127.0.0.1:5000", "acme/app", build_tag(SHA), None)
    assert str(made.ref).endswith(f":sha-{SHA}")
    assert made.context == ROOT / "docker"
    assert made.dockerfile == ROOT / "docker/Dockerfile.release"
    labels = dict(made.labels)
    assert labels[P + "title"] == "widget"
    assert labels[P + "source"] == "https://git.example.com/acme/widget"
    assert labels[P + "licenses"] == "MIT"
    assert labels[P + "version"] == "1.2.0"
    assert "s3cret" not in repr(made)


def test_build_spec_without_a_web_remote_takes_the_folder_name_as_title() -> None:
    settings = ImagesConfig(names=("127.0.0.1:5000/acme/app",))
    images = image_plan(
        Version.parse("0.3.0-rc.1"),
        [],
        SHA,
        names=settings.names,
        source=None,
        platforms=("linux/amd64",),
        rules=ImageRules(),
    )
    made = build_spec(settings, ROOT, images, created=0, remote_url=None, timestamp=5)
    assert dict(made.labels)[P + "title"] == "repo"
    assert dict(made.labels)[P + "version"] == "0.3.0-rc.1"
    assert made.platforms == ("linux/amd64",)
    assert made.timestamp == 5


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("0", 0), (" 1704067200 ", 1704067200)]
)
def test_source_date_epoch(value: str, expected: int | None) -> None:
    assert source_date_epoch({"SOURCE_DATE_EPOCH": value}) == expected
    assert source_date_epoch({}) is None


def test_a_source_date_epoch_that_is_no_number_is_a_clear_error() -> None:
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH='yesterday' is not a number"):
        source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})


def _child(media_type: str, arch: str) -> Manifest:
    raw = json.dumps({"mediaType": media_type, "arch": arch}).encode()
    return Manifest.from_bytes(raw, media_type)


def test_assemble_index_of_docker_manifests_is_a_docker_list() -> None:
    amd, arm = _child(DOCKER_MANIFEST, "amd64"), _child(DOCKER_MANIFEST, "arm64")
    index = assemble_index([(amd, "linux/amd64"), (arm, "linux/arm64/v8")], [("a.b", "c")])
    assert index.media_type == DOCKER_LIST
    document = json.loads(index.raw)
    assert "annotations" not in document
    assert document["mediaType"] == DOCKER_LIST
    assert document["manifests"] == [
        {
            "mediaType": DOCKER_MANIFEST,
            "digest": amd.digest,
            "size": len(amd.raw),
            "platform": {"architecture": "amd64", "os": "linux"},
        },
        {
            "mediaType": DOCKER_MANIFEST,
            "digest": arm.digest,
            "size": len(arm.raw),
            "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"},
        },
    ]
    assert index.index_platforms() == ("linux/amd64", "linux/arm64/v8")


def test_assemble_index_of_oci_manifests_is_an_annotated_oci_index() -> None:
    children = [(_child(OCI_MANIFEST, "amd64"), "linux/amd64")]
    index = assemble_index(children, [(P + "version", "1.2.0")])
    assert index.media_type == OCI_INDEX
    assert json.loads(index.raw)["annotations"] == {P + "version": "1.2.0"}
    assert assemble_index(children, [(P + "version", "1.2.0")]).digest == index.digest


def test_authfile_document_holds_basic_credentials_or_an_identity_token() -> None:
    basic = authfile_document("127.0.0.1:5000", Credentials("bot", "s3cret"))
    assert basic == {
        "auths": {"127.0.0.1:5000": {"auth": base64.b64encode(b"bot:s3cret").decode()}}
    }
    token = authfile_document("ghcr.io", Credentials("bot", "", "refresh-me"))
    assert token["auths"]["ghcr.io"]["identitytoken"] == "refresh-me"


def test_write_authfile_from_variables_is_private_to_the_owner(tmp_path: Path) -> None:
    env = {
        "VERSIONBOT_REGISTRY_127_0_0_1_5000_USERNAME": "bot",
        "VERSIONBOT_REGISTRY_127_0_0_1_5000_PASSWORD": "s3cret",
        "DOCKER_CONFIG": str(tmp_path / "docker"),
    }
    path = write_authfile("127.0.0.1:5000", env, tmp_path)
    assert path == tmp_path / "auth.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth = json.loads(path.read_text())["auths"]["127.0.0.1:5000"]["auth"]
    assert base64.b64decode(auth) == b"bot:s3cret"


def test_write_authfile_falls_back_to_the_docker_config_then_to_none(tmp_path: Path) -> None:
    docker_config = tmp_path / "docker"
    env = {"DOCKER_CONFIG": str(docker_config), "HOME": str(tmp_path)}
    assert write_authfile("127.0.0.1:5000", env, tmp_path) is None
    docker_config.mkdir()
    (docker_config / "config.json").write_text('{"auths": {}}')
    assert write_authfile("127.0.0.1:5000", env, tmp_path) == docker_config / "config.json"
    assert not (tmp_path / "auth.json").exists()
