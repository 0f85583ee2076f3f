"""The bot's own Slack measurement, and the secrets a check never repeats."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from bot.runs.probes import health_check_parameters, slack_probe
from workflows.health.connectivity import not_configured, redact, timed


class Answer:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, key: str, default: object = None) -> object:
        return self.data.get(key, default)


class StubSlack:
    """Stands in for Slack's AsyncWebClient (a third party), answering `auth.test`."""

    def __init__(self, error: str | None = None) -> None:
        self.error = error
        self.calls = 0

    async def auth_test(self) -> Answer:
        self.calls += 1
        if self.error:
            raise SlackApiError("refused", Answer({"ok": False, "error": self.error}))
        return Answer({"ok": True, "user": "cicd", "team": "Acme"})


def test_the_probe_times_auth_test():
    check = asyncio.run(slack_probe(StubSlack()))  # type: ignore[arg-type]
    assert (check.name, check.configured, check.ok, check.detail) == (
        "slack",
        True,
        True,
        "@cicd in Acme",
    )
    assert check.latency_ms is not None and 0 <= check.latency_ms < 1000


def test_a_refused_token_is_reported_not_raised():
    check = asyncio.run(slack_probe(StubSlack(error="invalid_auth")))  # type: ignore[arg-type]
    assert (check.ok, check.error) == (False, "Slack said invalid_auth")


def test_the_launch_parameters_get_a_fresh_measurement():
    slack = StubSlack()
    prepare = health_check_parameters(slack)  # type: ignore[arg-type]
    given = {
        "request": {"window_hours": 6, "slack": {"name": "slack", "configured": False}},
        "origin": None,
    }
    prepared = asyncio.run(prepare(given))
    assert prepared["request"]["window_hours"] == 6
    assert prepared["request"]["slack"]["ok"] is True and slack.calls == 1
    assert given["request"]["slack"] == {"name": "slack", "configured": False}  # not mutated


def test_no_secret_in_a_detail_or_an_error():
    token = SecretStr("ghp_secretvalue123")

    def leaky() -> str:
        raise RuntimeError("request with ghp_secretvalue123 failed")

    check = timed("github", leaky, [token])
    assert check.ok is False and check.error == "request with *** failed"
    assert redact("a ghp_secretvalue123 b", [None, token]) == "a *** b"
    assert not_configured("linear", "LINEAR_API_KEY").detail == "not configured: set LINEAR_API_KEY"
