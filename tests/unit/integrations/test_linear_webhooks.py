"""`verify_linear_signature`: HMAC-SHA256 hex of the raw body, a 60 s window, constant time."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from tests.shared_paths import SHARED
from workflows.integrations.linear_webhooks import (
    LinearWebhookEvent,
    linear_signature,
    verify_linear_signature,
)

SECRET = "lin_wh_test_secret"
NOW = 1_750_000_000_000
SAMPLES = SHARED / "api" / "linear" / "webhooks"


def body(timestamp: float | None = NOW, **extra: object) -> bytes:
    payload: dict[str, object] = {"action": "create", "type": "Issue", "data": {"id": "x"}}
    if timestamp is not None:
        payload["webhookTimestamp"] = timestamp
    payload.update(extra)
    return json.dumps(payload).encode()


def sign(raw: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def test_a_fresh_correctly_signed_delivery_verifies() -> None:
    raw = body()
    assert linear_signature(SECRET, raw) == sign(raw)
    assert verify_linear_signature(SECRET, raw, sign(raw), now_ms=NOW)
    assert verify_linear_signature(SECRET.encode(), raw, sign(raw).upper(), now_ms=NOW + 60_000)


@pytest.mark.parametrize(
    ("raw", "header", "now"),
    [
        (body(), sign(body(), "another-secret"), NOW),  # wrong secret
        (body(), sign(body(action="remove")), NOW),  # body changed after signing
        (body(), "", NOW),  # no signature
        (body(), None, NOW),
        (body(), "sha256=" + sign(body()), NOW),  # Linear sends no prefix
        (body(), sign(body()), NOW + 60_001),  # replayed more than a minute later
        (body(), sign(body()), NOW - 60_001),  # from the future
        (body(timestamp=None), sign(body(timestamp=None)), NOW),  # no timestamp at all
        (body(timestamp="soon"), sign(body(timestamp="soon")), NOW),
        (b"not json", sign(b"not json"), NOW),
    ],
)
def test_bad_or_stale_deliveries_are_refused(raw: bytes, header: str | None, now: int) -> None:
    assert not verify_linear_signature(SECRET, raw, header, now_ms=now)


def test_an_empty_secret_verifies_nothing() -> None:
    raw = body()
    assert not verify_linear_signature("", raw, linear_signature("", raw), now_ms=NOW)


def test_the_timestamp_header_is_used_when_the_body_has_none() -> None:
    raw = body(timestamp=None)
    assert verify_linear_signature(SECRET, raw, sign(raw), now_ms=NOW, timestamp_header=str(NOW))
    assert not verify_linear_signature(
        SECRET, raw, sign(raw), now_ms=NOW, timestamp_header=str(NOW - 120_000)
    )


def test_the_body_timestamp_wins_over_the_header() -> None:
    raw = body(timestamp=NOW - 120_000)
    assert not verify_linear_signature(
        SECRET, raw, sign(raw), now_ms=NOW, timestamp_header=str(NOW)
    )


def test_the_current_time_is_used_by_default() -> None:
    raw = body(timestamp=1)  # 1970
    assert not verify_linear_signature(SECRET, raw, sign(raw))


@pytest.mark.needs_shared("api/linear/webhooks")
@pytest.mark.parametrize("name", ["issue.create.json", "issue.update.json", "comment.create.json"])
def test_captured_payloads_parse_as_events(name: str) -> None:
    raw = (SAMPLES / name).read_bytes()
    event = LinearWebhookEvent.model_validate_json(raw)
    assert event.action in ("create", "update") and event.data["id"]
    stamp = event.webhook_timestamp or NOW
    assert verify_linear_signature(SECRET, raw, sign(raw), now_ms=stamp, timestamp_header=str(NOW))
