"""A small Docker registry token server (the Bearer realm of distribution's ``auth: token``).

Test infrastructure only: standard library plus the ``openssl`` CLI, which signs RS256 JWTs.
The JWT header carries ``x5c`` = [the signing certificate], which distribution verifies against
its ``rootcertbundle`` (the same certificate).

    python token_server.py --port-file F --key K --cert C --service S --issuer I --user U
                           --scope-log L [--shape SHAPE] [--request-log R]
                           [--tls-cert C --tls-key K]
    (the password comes from TOKEN_SERVER_PASSWORD; more user/password pairs, as a JSON list of
    pairs, from TOKEN_SERVER_CREDENTIALS; an ACR refresh token from TOKEN_SERVER_REFRESH_TOKEN)

``--shape`` answers as one registry's documented token service does (path, parameters,
response fields, status codes):

=============  ===============  ==============================================================
shape          path             what it accepts and sends back
=============  ===============  ==============================================================
distribution   GET /token       right Basic credentials: every action; else 401
                                ``{token, access_token, expires_in}`` (the fixtures' default)
dockerhub      GET /token       right Basic: every action; none: ``pull`` only (a public
                                repository); wrong: 401. ``{token, access_token, expires_in,
                                issued_at}``
ghcr           GET /token       any user name with the right password (a PAT or GITHUB_TOKEN):
                                every action; none: ``pull`` only; wrong: 401. ``{token}``
quay           GET /v2/auth     the robot ``org+name`` and its token: every action; else 401.
                                ``{token}``
gar            GET /v2/token    ``oauth2accesstoken`` + access token or ``_json_key`` + the
                                key's JSON: every action; else 401. ``{token, expires_in,
                                issued_at}``
acr            /oauth2/token    GET with Basic (service principal, or the
                                ``00000000-0000-0000-0000-000000000000`` user with a refresh
                                token) or POST ``grant_type=refresh_token`` (form: service,
                                scope, refresh_token): every action; else 401.
                                ``{access_token}``
=============  ===============  ==============================================================

Every issued token's scopes are appended to the scope log as one JSON line, and with
``--request-log`` every request as one JSON line: method, path, query, form field names, the
Authorization scheme, the Basic user name and whether the credential was right; never a
password or token.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACR_REFRESH_USER = "00000000-0000-0000-0000-000000000000"
SHAPE_PATHS = {
    "distribution": "/token",
    "dockerhub": "/token",
    "ghcr": "/token",
    "quay": "/v2/auth",
    "gar": "/v2/token",
    "acr": "/oauth2/token",
}
# Shapes that give an anonymous client a pull-only token (public repositories).
_ANONYMOUS_PULL = frozenset({"dockerhub", "ghcr"})


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs want it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate_der_b64(cert: Path) -> str:
    """The PEM body, which is exactly the standard base64 of the DER that ``x5c`` holds."""
    lines = cert.read_text().strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


class TokenServer(ThreadingHTTPServer):
    """The server object carries the configuration the handler needs."""

    def __init__(
        self,
        address: tuple[str, int],
        config: argparse.Namespace,
        credentials: list[tuple[str, str]],
        refresh_token: str,
    ):
        super().__init__(address, TokenHandler)
        self.config = config
        self.credentials = credentials
        self.refresh_token = refresh_token
        self.x5c = certificate_der_b64(Path(config.cert))
        self.log_lock = threading.Lock()


class TokenHandler(BaseHTTPRequestHandler):
    """Answers the shape's token path with a signed JWT or a 401."""

    server: TokenServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the scope and request logs are the records that matter."""

    def _json(self, status: int, body: dict[str, Any], challenge: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if challenge:
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
        self.end_headers()
        self.wfile.write(data)

    def _log(self, path: str, record: dict[str, Any]) -> None:
        with self.server.log_lock, open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")

    def _basic(self) -> tuple[str, str] | None:
        """The Basic user and password, or None (no header, another scheme, undecodable)."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    def _password_ok(self, user: str, password: str) -> bool:
        shape = self.server.config.shape
        for want_user, want_password in self.server.credentials:
            user_ok = shape == "ghcr" or hmac.compare_digest(user, want_user)
            if user_ok and hmac.compare_digest(password, want_password):
                return True
        return shape == "acr" and user == ACR_REFRESH_USER and self._refresh_ok(password)

    def _refresh_ok(self, token: str) -> bool:
        want = self.server.refresh_token
        return bool(want) and hmac.compare_digest(token, want)

    def do_GET(self) -> None:
        """A token for the requested scopes (``scope`` repeated), or a refusal."""
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        basic = self._basic()
        if basic is None:
            verdict = "none" if "Authorization" not in self.headers else "wrong"
        else:
            verdict = "ok" if self._password_ok(*basic) else "wrong"
        self._answer(("GET", url.path), query, {}, basic[0] if basic else None, verdict)

    def do_POST(self) -> None:
        """The OAuth2 refresh-token grant (ACR; distribution's docs/spec/auth/oauth.md)."""
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        token = form.get("refresh_token", [""])[0]
        grant = form.get("grant_type", [""])[0]
        verdict = "ok" if grant == "refresh_token" and self._refresh_ok(token) else "wrong"
        if self.server.config.shape != "acr":
            verdict = "unsupported"
        query = {k: v for k, v in form.items() if k in {"service", "scope"}}
        query["scope"] = [s for scopes in query.get("scope", []) for s in scopes.split(" ")]
        self._answer(("POST", url.path), query, form, None, verdict)

    def _answer(
        self,
        request: tuple[str, str],
        query: dict[str, list[str]],
        form: dict[str, list[str]],
        user: str | None,
        verdict: str,
    ) -> None:
        (method, path), config = request, self.server.config
        if config.request_log:
            self._log(
                config.request_log,
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "form_fields": sorted(form),
                    "grant_type": form.get("grant_type", [None])[0],
                    "authorization": self.headers.get("Authorization", " ").split(" ")[0],
                    "user": user,
                    "credential": verdict,
                    "content_type": self.headers.get("Content-Type"),
                },
            )
        if path != SHAPE_PATHS[config.shape]:
            self._json(404, {"errors": [{"code": "NOT_FOUND"}]})
            return
        if verdict == "unsupported":
            self._json(405, {"errors": [{"code": "UNSUPPORTED"}]})
            return
        anonymous = verdict == "none" and config.shape in _ANONYMOUS_PULL
        if verdict != "ok" and not anonymous:
            self._json(401, {"errors": [{"code": "UNAUTHORIZED"}]}, challenge=True)
            return
        scopes = query.get("scope", [])
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = ["pull"] if anonymous else actions.split(",")
            access.append({"type": kind, "name": name, "actions": granted})
        token = self._sign(query.get("service", [config.service])[0], user or "", access)
        self._log(config.scope_log, {"scopes": scopes})
        self._json(200, self._response(token))

    def _sign(self, audience: str, subject: str, access: list[dict[str, Any]]) -> str:
        config = self.server.config
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.server.x5c]}
        claims = {
            "iss": config.issuer,
            "sub": subject,
            "aud": audience,
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
        return f"{signing_input}.{b64url(signature)}"

    def _response(self, token: str) -> dict[str, Any]:
        """The response fields the shape's documentation shows."""
        shape = self.server.config.shape
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if shape in {"ghcr", "quay"}:
            return {"token": token}
        if shape == "acr":
            return {"access_token": token}
        if shape == "gar":
            return {"token": token, "expires_in": 300, "issued_at": issued}
        if shape == "dockerhub":
            return {"token": token, "access_token": token, "expires_in": 300, "issued_at": issued}
        return {"token": token, "access_token": token, "expires_in": 300}


def main() -> None:
    """Serve until killed; write the chosen port to ``--port-file`` once listening."""
    parser = argparse.ArgumentParser()
    for option in ("--port-file", "--key", "--cert", "--service", "--issuer", "--user"):
        parser.add_argument(option, required=True)
    parser.add_argument("--scope-log", required=True)
    parser.add_argument("--shape", choices=sorted(SHAPE_PATHS), default="distribution")
    parser.add_argument("--request-log", default="")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    config = parser.parse_args()
    credentials = [(config.user, os.environ["TOKEN_SERVER_PASSWORD"])]
    extra = json.loads(os.environ.get("TOKEN_SERVER_CREDENTIALS", "[]"))
    credentials += [(str(user), str(password)) for user, password in extra]
    refresh_token = os.environ.get("TOKEN_SERVER_REFRESH_TOKEN", "")
    server = TokenServer(("127.0.0.1", 0), config, credentials, refresh_token)
    if config.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(config.tls_cert, config.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port_file = Path(config.port_file)
    port_file.with_suffix(".tmp").write_text(str(server.server_address[1]))
    port_file.with_suffix(".tmp").replace(port_file)
    sys.stderr.write(f"token server on 127.0.0.1:{server.server_address[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
