"""A small Docker registry token server (the Bearer realm of distribution's ``auth: token``).

Test infrastructure only: standard library plus the ``openssl`` CLI, which signs RS256 JWTs.
The JWT header carries ``x5c`` = [the signing certificate], which distribution verifies against
its ``rootcertbundle`` (the same certificate).

    python token_server.py --port-file F --key K --cert C --service S --issuer I --user U
                           --scope-log L      (the password comes from TOKEN_SERVER_PASSWORD)

``GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]``:
right Basic credentials get every requested action, anything else gets 401. Every issued
token's scopes are appended to the scope log as one JSON line (never the credentials), so tests
can check which scopes a client asked for.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs want it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate_der_b64(cert: Path) -> str:
    """The PEM body, which is exactly the standard base64 of the DER that ``x5c`` holds."""
    lines = cert.read_text().strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


class TokenServer(ThreadingHTTPServer):
    """The server object carries the configuration the handler needs."""

    def __init__(self, address: tuple[str, int], config: argparse.Namespace, password: str):
        super().__init__(address, TokenHandler)
        self.config = config
        self.password = password
        self.x5c = certificate_der_b64(Path(config.cert))
        self.log_lock = threading.Lock()


class TokenHandler(BaseHTTPRequestHandler):
    """Answers ``/token`` with a signed JWT or a 401."""

    server: TokenServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the scope log is the record that matters."""

    def _json(self, status: int, body: dict[str, Any], challenge: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if challenge:
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
        self.end_headers()
        self.wfile.write(data)

    def _authenticated(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        config = self.server.config
        return hmac.compare_digest(user, config.user) and hmac.compare_digest(
            password, self.server.password
        )

    def do_GET(self) -> None:
        """Issue a token for every requested scope, or refuse."""
        url = urlsplit(self.path)
        if url.path != "/token":
            self._json(404, {"error": "not found"})
            return
        if not self._authenticated():
            self._json(401, {"errors": [{"code": "UNAUTHORIZED"}]}, challenge=True)
            return
        config = self.server.config
        query = parse_qs(url.query)
        scopes = query.get("scope", [])
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.server.x5c]}
        claims = {
            "iss": config.issuer,
            "sub": config.user,
            "aud": query.get("service", [config.service])[0],
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", config.key],
            input=signing_input.encode(),
            capture_output=True,
            check=True,
        ).stdout
        token = f"{signing_input}.{b64url(signature)}"
        with self.server.log_lock, open(config.scope_log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"scopes": scopes}) + "\n")
        self._json(200, {"token": token, "access_token": token, "expires_in": 300})


def main() -> None:
    """Serve until killed; write the chosen port to ``--port-file`` once listening."""
    parser = argparse.ArgumentParser()
    for option in ("--port-file", "--key", "--cert", "--service", "--issuer", "--user"):
        parser.add_argument(option, required=True)
    parser.add_argument("--scope-log", required=True)
    config = parser.parse_args()
    server = TokenServer(("127.0.0.1", 0), config, os.environ["TOKEN_SERVER_PASSWORD"])
    port_file = Path(config.port_file)
    port_file.with_suffix(".tmp").write_text(str(server.server_address[1]))
    port_file.with_suffix(".tmp").replace(port_file)
    sys.stderr.write(f"token server on 127.0.0.1:{server.server_address[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
