"""Keep secrets out of every message: the one redaction every edge passes foreign text through.

Pure. Git's and HTTP servers' error text can quote a URL with credentials, an Authorization
header or the token itself; ``redact`` removes the secrets we know, and whatever looks like one.

>>> redact("push to https://bot:s3cret!@host/r.git failed", ["s3cret!"])
'push to https://***@host/r.git failed'
>>> redact("Bad credentials for ghp_abcdefghijklmnop1234", [])
'Bad credentials for ***'
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "***"
# Token shapes GitHub and GitLab issue (classic and fine-grained PATs, OAuth, app tokens).
_TOKEN_SHAPES = re.compile(
    r"\b(?:gh[opsur]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,}|glpat-[A-Za-z0-9_-]{8,})"
)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization:?\s*(?:bearer|token|basic)\s+)[^\s\"',;)\]}]+")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` without the ``secrets`` (as they are, URL-encoded or inside base64, such as a
    Basic ``user:token`` header quoted back), URL credentials, Authorization values or token
    shapes."""
    forms = {form for s in secrets if len(s) >= 4 for form in encoded_forms(s)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    text = _URL_CREDENTIALS.sub(f"{REDACTED}@", text)
    text = _TOKEN_SHAPES.sub(REDACTED, text)
    return _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)


def encoded_forms(secret: str) -> set[str]:
    """``secret`` as it is, URL-encoded, and the part of its base64 (standard and URL-safe)
    that does not depend on what precedes or follows it, at each of the three alignments it
    can have inside a longer encoded text.

    >>> "c2VjcmV0LXRva2Vu" in encoded_forms("secret-token")
    True
    """
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    data = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode()
        # Whole 3-byte groups of the secret alone: 4 characters each.
        start = 4 if offset else 0
        end = (offset + len(data)) // 3 * 4
        stable = encoded[start:end]
        if len(stable) >= 8:
            forms |= {stable, stable.replace("+", "-").replace("/", "_")}
    return forms
