"""Encoded forms of a secret are redacted too (issue 17): base64 at any alignment, as in a Basic
``user:token`` header an error page quotes back, and URL-encoding."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from versionbot.core.redaction import REDACTED, redact

TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
ODD = "pa$$ word/with:odd+chars=1"


@pytest.mark.parametrize("prefix", ["", "x", "xy", "x-access-token:", "bot:", "someone:"])
@pytest.mark.parametrize("secret", [TOKEN, ODD])
def test_a_secret_inside_base64_is_redacted_at_every_alignment(prefix: str, secret: str) -> None:
    encoded = base64.b64encode(f"{prefix}{secret}".encode()).decode()
    shown = redact(f"server said: Authorization was Basic? no: {encoded} (401)", [secret])
    for offset in range(3):
        # No run of the secret's own base64 longer than one group survives.
        whole = base64.b64encode(bytes(offset) + secret.encode()).decode()
        assert whole[4:12] not in shown
    assert REDACTED in shown


@pytest.mark.parametrize("secret", [TOKEN, ODD])
def test_a_url_encoded_secret_is_redacted(secret: str) -> None:
    shown = redact(f"GET /callback?token={quote(secret, safe='')} failed", [secret])
    assert quote(secret, safe="") not in shown
    assert REDACTED in shown


def test_base64url_is_redacted_too() -> None:
    encoded = base64.urlsafe_b64encode(f"u:{ODD}".encode()).decode()
    assert encoded[4:-4] not in redact(encoded, [ODD])
