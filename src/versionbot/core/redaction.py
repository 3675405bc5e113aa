"""Keep secrets out of every message: the one redaction every edge passes foreign text through.

Pure. Git's and HTTP servers' error text can quote a URL with credentials, an Authorization
header or the token itself; ``redact`` removes the secrets we know, and whatever looks like one.

>>> redact("push to https://bot:s3cret!@host/r.git failed", ["s3cret!"])
'push to https://***@host/r.git failed'
>>> redact("Bad credentials for ghp_abcdefghijklmnop1234", [])
'Bad credentials for ***'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
# Token shapes GitHub and GitLab issue (classic and fine-grained PATs, OAuth, app tokens).
_TOKEN_SHAPES = re.compile(
    r"\b(?:gh[opsur]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,}|glpat-[A-Za-z0-9_-]{8,})"
)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization:?\s*(?:bearer|token|basic)\s+)[^\s\"',;)\]}]+")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` without the ``secrets``, URL credentials, Authorization values or token shapes."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_CREDENTIALS.sub(f"{REDACTED}@", text)
    text = _TOKEN_SHAPES.sub(REDACTED, text)
    return _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
