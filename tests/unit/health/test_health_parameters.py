"""`request.slack` is filled by the bot, never typed by a person."""

from __future__ import annotations

import pytest

from workflows.models.health_check import HealthCheckRequest
from workflows.parameters import ParameterError, parameters, parse_parameters, usage_lines


def test_slack_is_not_a_user_parameter():
    assert [p.name for p in parameters(HealthCheckRequest)] == ["window_hours", "track_alerts"]
    assert not any("slack" in line for line in usage_lines(HealthCheckRequest, fixed=["repo"]))


def test_words_cannot_set_it():
    with pytest.raises(ParameterError, match=r"Unknown parameter `slack\.ok`"):
        parse_parameters(HealthCheckRequest, ["slack.ok=yes"], workflow="health_check")
    request = parse_parameters(HealthCheckRequest, ["window_hours=6"], workflow="health_check")
    assert request == HealthCheckRequest(window_hours=6)


def test_the_bot_can_still_pass_it_as_data():
    measured = {"name": "slack", "configured": True, "ok": True, "latency_ms": 12.5}
    request = HealthCheckRequest.model_validate({"slack": measured})
    assert request.slack is not None and request.slack.latency_ms == 12.5
