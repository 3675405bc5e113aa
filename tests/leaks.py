"""How a test finds a secret in a text: as it is, URL-encoded, or inside base64.

Written apart from core/redaction.py, which the tests check with it.
"""

from __future__ import annotations

import base64
from urllib.parse import quote


def encoded_forms(secret: str) -> list[str]:
    """``secret`` as is, URL-encoded, and the part of its base64 (standard and URL-safe) that
    stays the same whatever bytes surround it, at each of the three alignments."""
    forms = [secret, quote(secret, safe="")]
    for offset in range(3):
        padded = b"\0" * offset + secret.encode() + b"\0\0\0"
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            full = encode(padded).decode()
            forms.append(full[4 if offset else 0 : len(full) - 8])
    return forms


def leaked(secret: str, text: str) -> bool:
    """Whether ``text`` shows ``secret`` in any of its encoded forms."""
    return any(form in text for form in encoded_forms(secret))
