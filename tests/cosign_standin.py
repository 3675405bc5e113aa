"""A stand-in for the ``cosign`` executable, which Debian and PyPI do not ship.

The tests install it as ``cosign`` on PATH. It records what the bot gave it (arguments, the
Docker config it found through ``DOCKER_CONFIG`` and that file's mode, its working folder,
whether its standard input is /dev/null) as one JSON line in ``$COSIGN_STANDIN_LOG``. Then it
does to the registry what ``cosign sign`` does with its tag scheme: for each
``host/repository@sha256:…`` argument, a simple-signing layer and a manifest tagged
``sha256-<hex>.sig``, pushed with the credentials of that Docker config only (Basic, or a
Bearer token fetched with them), so a test sees whether those credentials really work.
``COSIGN_STANDIN_EXIT`` makes it fail instead, after writing ``COSIGN_STANDIN_SAY`` to stderr.
No signature is computed: what is tested is the call, not cryptography.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


def docker_config() -> tuple[dict[str, Any] | None, str | None]:
    """The Docker config cosign would read through DOCKER_CONFIG, and its file mode."""
    folder = os.environ.get("DOCKER_CONFIG")
    if not folder:
        return None, None
    path = Path(folder) / "config.json"
    return json.loads(path.read_text()), oct(path.stat().st_mode & 0o777)


def request(
    method: str,
    url: str,
    auth: str | None,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str]]:
    """One HTTP exchange, answering a Basic or Bearer challenge with ``auth`` (user:password)."""
    headers = dict(headers or {})
    for _ in range(2):
        call = urllib.request.Request(url, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(call, timeout=10) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "")
            if error.code != 401 or auth is None or "Authorization" in headers:
                return error.code, dict(error.headers)
            basic = "Basic " + base64.b64encode(auth.encode()).decode()
            if challenge.lower().startswith("bearer"):
                fields = dict(part.split("=", 1) for part in challenge[7:].split(","))
                fields = {k.strip(): v.strip('"') for k, v in fields.items()}
                query = urllib.parse.urlencode(
                    {"service": fields.get("service", ""), "scope": fields.get("scope", "")}
                )
                token_call = urllib.request.Request(
                    f"{fields['realm']}?{query}", headers={"Authorization": basic}
                )
                with urllib.request.urlopen(token_call, timeout=10) as answer:
                    token = json.loads(answer.read())["token"]
                headers["Authorization"] = f"Bearer {token}"
            else:
                headers["Authorization"] = basic
    return 401, {}


def push_signature(reference: str, auths: dict[str, Any]) -> None:
    """Put a cosign-shaped signature of ``host/repository@digest`` under its ``.sig`` tag."""
    name, _, digest = reference.partition("@")
    host, _, repository = name.partition("/")
    entry = auths.get(host)
    auth = base64.b64decode(entry["auth"]).decode() if entry else None
    base = f"http://{host}/v2/{repository}"
    payload = json.dumps({"critical": {"image": {"docker-manifest-digest": digest}}}).encode()
    blobs = []
    for content in (payload, b"{}"):
        status, answer = request("POST", f"{base}/blobs/uploads/", auth)
        assert status == 202, (status, answer)
        where = urllib.parse.urljoin(f"http://{host}", answer["Location"])
        blob_digest = "sha256:" + hashlib.sha256(content).hexdigest()
        joiner = "&" if "?" in where else "?"
        status, _ = request(
            "PUT",
            f"{where}{joiner}digest={blob_digest}",
            auth,
            content,
            {"Content-Type": "application/octet-stream"},
        )
        assert status == 201, status
        blobs.append({"digest": blob_digest, "size": len(content)})
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **blobs[1]},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", **blobs[0]}],
    }
    tag = digest.replace(":", "-") + ".sig"
    status, _ = request(
        "PUT",
        f"{base}/manifests/{tag}",
        auth,
        json.dumps(manifest).encode(),
        {"Content-Type": manifest["mediaType"]},
    )
    assert status == 201, status


def main() -> int:
    config, mode = docker_config()
    record = {
        "argv": sys.argv[1:],
        "docker_config": config,
        "config_mode": mode,
        "cwd": os.getcwd(),
        "docker_config_dir": os.environ.get("DOCKER_CONFIG"),
        "stdin": os.path.realpath("/proc/self/fd/0"),
    }
    with open(os.environ["COSIGN_STANDIN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    failure = int(os.environ.get("COSIGN_STANDIN_EXIT", "0"))
    if failure:
        sys.stderr.write("Generating ephemeral keys...\n" + os.environ["COSIGN_STANDIN_SAY"] + "\n")
        return failure
    auths = (config or {}).get("auths", {})
    for reference in (arg for arg in sys.argv[1:] if "@sha256:" in arg):
        push_signature(reference, auths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
