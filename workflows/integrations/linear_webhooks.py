"""Linear webhook deliveries: signature and replay check, and the typed envelope.

Linear signs the raw body with HMAC-SHA256 (hex, no prefix) in `Linear-Signature`; the body's
`webhookTimestamp` (ms) must be within a minute of now, so a captured delivery cannot be
replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SIGNATURE_HEADER = "Linear-Signature"
TIMESTAMP_HEADER = "Linear-Timestamp"
DELIVERY_HEADER = "Linear-Delivery"
EVENT_HEADER = "Linear-Event"
MAX_AGE_MS = 60_000


def linear_signature(secret: str | bytes, raw_body: bytes) -> str:
    """The hex HMAC-SHA256 of the body, as Linear puts it in `Linear-Signature`."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, raw_body, hashlib.sha256).hexdigest()


def _timestamp_ms(raw_body: bytes, header_value: str | None) -> float | None:
    try:
        body = json.loads(raw_body)
    except ValueError:
        body = None
    value: Any = body.get("webhookTimestamp") if isinstance(body, dict) else None
    if value is None:
        value = header_value
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def verify_linear_signature(
    secret: str | bytes,
    raw_body: bytes,
    header: str | None,
    now_ms: float | None = None,
    *,
    timestamp_header: str | None = None,
) -> bool:
    """True if `header` signs `raw_body` with `secret` and the delivery is under a minute old.

    The time comes from the body's `webhookTimestamp`, else from `Linear-Timestamp`
    (`timestamp_header`). An empty secret verifies nothing.
    """
    if not secret or not header:
        return False
    expected = linear_signature(secret, raw_body)
    if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()):
        return False
    sent = _timestamp_ms(raw_body, timestamp_header)
    if sent is None:
        return False
    now = time.time() * 1000 if now_ms is None else now_ms
    return abs(now - sent) <= MAX_AGE_MS


class LinearWebhookEvent(BaseModel):
    """The envelope of a delivery (`EntityWebhookPayload`); `data` is the entity as sent."""

    model_config = ConfigDict(populate_by_name=True)

    action: str
    type: str
    data: dict[str, Any]
    url: str | None = None
    created_at: str | None = Field(None, alias="createdAt")
    organization_id: str | None = Field(None, alias="organizationId")
    webhook_id: str | None = Field(None, alias="webhookId")
    webhook_timestamp: float | None = Field(None, alias="webhookTimestamp")
    updated_from: dict[str, Any] | None = Field(None, alias="updatedFrom")
    actor: dict[str, Any] | None = None
