"""`verify_github_signature` against GitHub's documented test vector and tampered deliveries."""

from __future__ import annotations

import pytest

from workflows.integrations.github_webhooks import sign_github_payload, verify_github_signature

# https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
SECRET = "It's a Secret to Everybody"
BODY = b"Hello, World!"
SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_test_vector() -> None:
    assert sign_github_payload(SECRET, BODY) == SIGNATURE
    assert verify_github_signature(SECRET, BODY, SIGNATURE)
    assert verify_github_signature(SECRET.encode(), BODY, SIGNATURE)
    assert verify_github_signature(SECRET, BODY, f"  {SIGNATURE}\n")


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("another secret", BODY, SIGNATURE),
        (SECRET, b"Hello, World?", SIGNATURE),
        (SECRET, BODY + b"\n", SIGNATURE),
        (SECRET, BODY, SIGNATURE[:-1] + "f"),
        (SECRET, BODY, SIGNATURE.removeprefix("sha256=")),
        (SECRET, BODY, "sha1=" + SIGNATURE.removeprefix("sha256=")),
        (SECRET, BODY, SIGNATURE.upper()),
        (SECRET, BODY, ""),
        (SECRET, BODY, None),
        (SECRET, BODY, "sha256=ünïcode"),
        ("", BODY, sign_github_payload("", BODY)),
        (b"", BODY, sign_github_payload(b"", BODY)),
    ],
)
def test_anything_else_is_refused(secret: str | bytes, body: bytes, header: str | None) -> None:
    assert not verify_github_signature(secret, body, header)
