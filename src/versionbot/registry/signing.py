"""Edge: sign the released image with the user's ``cosign`` (``[images] sign``).

Signing is cosign's business, never reimplemented here: the bot runs ``cosign sign --yes`` on
the digest its tags name (the index, as ``cosign verify <image>:<tag>`` checks it), once for
every repository that holds no cosign signature of it yet, so a re-run finishes what a failed
run left and never piles up signatures. ``cosign`` missing from PATH is a warning in the log,
not a failure: the release's images are pushed either way.

cosign gets the registries' credentials in a Docker config of its own (a private temporary
folder, removed afterwards), never on its command line, where any process could read them.
Keyless signing needs an OIDC token; without one cosign would wait for a browser login, so
:func:`signing_problem` refuses it before the release is pushed, and cosign's standard input is
closed so no prompt can wait.

Must not: print a credential (cosign's own error text is redacted like every foreign text).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from versionbot.core.config import ImagesConfig, Signing
from versionbot.core.errors import ConfigError, RegistryError
from versionbot.core.neutralise import shortened
from versionbot.core.redaction import redact
from versionbot.registry.client import RegistryClient
from versionbot.registry.manifests import digest_of, listed_referrers
from versionbot.registry.oci import (
    DOCKER_HUB,
    DOCKER_HUB_LOGIN,
    ImageRef,
    cosign_tags,
    plain_http_allowed,
)

# What cosign stores a signature as: its tag scheme's artifact (cosign 2) and the Sigstore
# bundle it attaches as an OCI 1.1 referrer (cosign 3's default).
SIGNATURE_TYPES = frozenset(
    {
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    }
)
# Where cosign's ambient OIDC providers find a token (cosign's pkg/providers): any one will do.
_OIDC_VARIABLES = (
    ("SIGSTORE_ID_TOKEN",),
    ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),  # GitHub Actions
    ("BUILDKITE_AGENT_ACCESS_TOKEN",),
    ("SPIFFE_ENDPOINT_SOCKET",),
    ("GOOGLE_SERVICE_ACCOUNT_NAME",),
)
_OIDC_TOKEN_FILE = Path("/var/run/sigstore/cosign/oidc-token")  # the "filesystem" provider
_TIMEOUT = 600.0  # seconds; cosign's own --timeout (3 min) bounds each of its requests

Run = Callable[..., subprocess.CompletedProcess[str]]


def find_cosign(env: Mapping[str, str]) -> str | None:
    """The ``cosign`` executable on the environment's PATH, or None."""
    return shutil.which("cosign", path=env.get("PATH"))


def signing_problem(signing: Signing, root: Path, env: Mapping[str, str]) -> ConfigError | None:
    """Why ``cosign sign`` could not sign here, known before anything is pushed (no OIDC token
    for keyless; a key variable or file that is missing), or None. Checked only where cosign
    is found: without it, nothing is signed anyway."""
    if signing.key is None:
        if any(all(env.get(v) for v in names) for names in _OIDC_VARIABLES):
            return None
        if _OIDC_TOKEN_FILE.is_file():
            return None
        return ConfigError(
            "keyless signing ([images] sign) has no OIDC token here: "
            "ACTIONS_ID_TOKEN_REQUEST_URL and SIGSTORE_ID_TOKEN are not set",
            "give the job `permissions: id-token: write` (GitHub Actions), set "
            'SIGSTORE_ID_TOKEN, or sign with a key (sign = "key:env://COSIGN_KEY")',
        )
    scheme, separator, rest = signing.key.partition("://")
    if scheme == "env" and not env.get(rest):
        return ConfigError(
            f"the signing key variable {rest} ([images] sign) is not set",
            "pass the cosign private key in it (and its password in COSIGN_PASSWORD)",
        )
    if not separator and not (root / signing.key).is_file():
        return ConfigError(
            f"the signing key file {shortened(signing.key)} ([images] sign) does not exist",
            "name cosign's private key file from the repository root, or env://VARIABLE",
        )
    return None


def is_signed(client: RegistryClient, registry: str, repository: str, digest: str) -> bool:
    """Whether ``repository@digest`` already has a cosign signature: its ``.sig`` tag, or a
    referrer of a signature type."""
    signature = cosign_tags(digest)[0]  # sha256-<hex>.sig
    if digest_of(client, ImageRef(registry, repository, signature)) is not None:
        return True
    listed = listed_referrers(client, registry, repository, digest)
    return any(entry.artifact_type in SIGNATURE_TYPES for entry in listed)


class CosignSigner:
    """``sign(client, digest, repositories)`` → a log line for each repository."""

    def __init__(
        self,
        settings: ImagesConfig,
        root: Path,
        env: Mapping[str, str],
        *,
        run: Run = subprocess.run,
    ) -> None:
        """``run`` is ``subprocess.run`` (a seam for tests that interrupt it)."""
        assert settings.sign is not None
        self._signing = settings.sign
        self._settings = settings
        self._root = root
        self._env = dict(env)
        self._run = run

    def sign(
        self, client: RegistryClient, digest: str, repositories: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """Sign ``digest`` in each ``(registry, repository)`` that holds no signature of it;
        the line each one gets in the log."""
        label = self._signing.label
        cosign = find_cosign(self._env)
        if cosign is None:
            why = "warning: not signed: cosign is not on PATH (install it before the release)"
            return dict.fromkeys(repositories, why)
        lines = {}
        unsigned = []
        for registry, repository in repositories:
            if is_signed(client, registry, repository, digest):
                lines[(registry, repository)] = "signature: already there, not signed again"
            else:
                unsigned.append((registry, repository))
                lines[(registry, repository)] = f"signed with cosign ({label})"
        if unsigned:
            self._cosign_sign(client, cosign, digest, unsigned)
        return lines

    def _cosign_sign(
        self,
        client: RegistryClient,
        cosign: str,
        digest: str,
        repositories: Sequence[tuple[str, str]],
    ) -> None:
        references = [f"{registry}/{repository}@{digest}" for registry, repository in repositories]
        command = [cosign, "sign", "--yes"]
        if self._signing.key is not None:
            command += ["--key", self._signing.key]
        if any(plain_http_allowed(r, self._settings.insecure) for r, _ in repositories):
            command.append("--allow-http-registry")
        if self._settings.ca_file:
            command += ["--registry-cacert", str(self._root / self._settings.ca_file)]
        with tempfile.TemporaryDirectory(prefix="versionbot-cosign-") as config_dir:
            env, secrets = self._with_credentials(client, Path(config_dir), repositories)
            try:
                done = self._run(
                    [*command, *references],
                    cwd=self._root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise RegistryError(
                    f"cosign did not finish signing {references[0]} in {_TIMEOUT:.0f} s",
                    "the tags are pushed; run the release again to sign them",
                ) from None
        if done.returncode != 0:
            said = [line for line in done.stderr.splitlines() if line.strip()]
            last = redact(said[-1], secrets) if said else "no message"
            raise RegistryError(
                f"cosign could not sign {references[0]} (exit {done.returncode}): "
                f"{shortened(last, 200)}",
                "the tags are pushed; fix the cause and run the release again: it signs "
                "what is not signed yet",
            )

    def _with_credentials(
        self, client: RegistryClient, config_dir: Path, repositories: Sequence[tuple[str, str]]
    ) -> tuple[dict[str, str], list[str]]:
        """cosign's environment: ours, with a Docker config holding the credentials the bot's
        client uses for each registry (when it has any), and those secrets, to redact."""
        auths: dict[str, dict[str, str]] = {}
        secrets: list[str] = []
        for registry in sorted({registry for registry, _ in repositories}):
            found = client.credentials(registry)
            if found is None:
                continue
            pair = f"{found.username}:{found.password}".encode()
            entry = {"auth": base64.b64encode(pair).decode("ascii")}
            if found.identity_token:
                entry["identitytoken"] = found.identity_token
            auths[DOCKER_HUB_LOGIN if registry == DOCKER_HUB else registry] = entry
            secrets += [s for s in (found.password, found.identity_token) if s]
        if not auths:
            return self._env, secrets
        config = config_dir / "config.json"
        config.touch(mode=0o600)
        config.write_text(json.dumps({"auths": auths}), encoding="utf-8")
        return {**self._env, "DOCKER_CONFIG": str(config_dir)}, secrets
