"""GitHub webhook deliveries: checking ``X-Hub-Signature-256``.

GitHub signs the raw body with HMAC-SHA256 and the webhook secret; there is no timestamp, so
no replay window to check. Compare in constant time; an empty secret verifies nothing.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign_github_payload(secret: bytes | str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_github_signature(secret: bytes | str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is GitHub's signature of ``body`` with ``secret``."""
    if not secret or not header:
        return False
    expected = sign_github_payload(secret, body).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))
