"""The access policy: start rights, who may decide, escalation levels derived from time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from workflows.config import ConfigError, load_config
from workflows.governance.access import (
    AccessPolicy,
    escalation_state,
    may_cancel,
    may_decide,
    may_escalate,
    may_start,
    parse_duration,
)
from workflows.types import WorkflowType

NONE: frozenset[str] = frozenset()
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def policy(**data: object) -> AccessPolicy:
    return AccessPolicy.model_validate(data)


ESCALATING = policy(
    defaults={
        "approvers": {"users": ["U0003"]},
        "escalation": [
            {"notify": {"users": ["U0003"]}, "wait": "10m"},
            {"notify": {"groups": ["S0SRE"]}, "wait": "20m"},
            {"notify": {"users": ["U0009"]}, "wait": "30m"},
        ],
    },
    workflows={"dead_code_cleanup": {"start": {"channels": ["C0002"], "groups": ["S0DEV"]}}},
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90), ("90s", 90), ("30m", 1800), ("1h30m", 5400), ("2d", 172800), ("1.5h", 5400)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["soon", "", "0", "-5m", "5 minutes", True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_defaults_without_a_policy() -> None:
    rules = AccessPolicy().rules("dead_code_cleanup")
    assert rules.approval_required  # the catalogue marks it
    assert not AccessPolicy().rules("component_analysis").approval_required
    assert may_start(rules, "U0001", "C0001", NONE).allowed
    assert may_decide(rules, "U0002", "U0001", 0, NONE).allowed
    refused = may_decide(rules, "U0001", "U0001", 0, NONE)
    assert not refused.allowed and "someone else" in refused.reason
    assert rules.total_wait == timedelta(hours=24)


def test_start_rights_by_channel_and_group() -> None:
    rules = ESCALATING.rules(WorkflowType.DEAD_CODE_CLEANUP)
    wrong_channel = may_start(rules, "U0001", "C0001", frozenset({"S0DEV"}))
    assert not wrong_channel.allowed and "<#C0002>" in wrong_channel.reason
    outsider = may_start(rules, "U0001", "C0002", NONE)
    assert not outsider.allowed and "<!subteam^S0DEV>" in outsider.reason
    assert may_start(rules, "U0001", "C0002", frozenset({"S0DEV"})).allowed
    # Other workflow types keep the (unrestricted) default.
    assert may_start(ESCALATING.rules("component_analysis"), "U0001", "C0001", NONE).allowed


def test_escalation_brings_in_deciders() -> None:
    rules = ESCALATING.rules("dead_code_cleanup")
    sre = frozenset({"S0SRE"})
    assert may_decide(rules, "U0003", "U0001", 0, NONE).allowed
    assert not may_decide(rules, "U0005", "U0001", 0, sre).allowed
    assert may_decide(rules, "U0005", "U0001", 1, sre).allowed
    assert not may_decide(rules, "U0009", "U0001", 1, NONE).allowed
    assert may_decide(rules, "U0009", "U0001", 2, NONE).allowed
    # The requester may escalate but not approve; outsiders may do neither.
    assert may_escalate(rules, "U0001", "U0001", 0, NONE).allowed
    assert not may_escalate(rules, "U0007", "U0001", 0, NONE).allowed
    assert may_cancel(rules, "U0001", "U0001", NONE).allowed
    assert may_cancel(rules, "U0009", "U0001", NONE).allowed
    assert not may_cancel(rules, "U0007", "U0001", NONE).allowed


def test_self_approval_when_allowed() -> None:
    rules = policy(defaults={"allow_self_approval": True}).rules("dead_code_cleanup")
    assert may_decide(rules, "U0001", "U0001", 0, NONE).allowed


def test_escalation_state_walks_levels_one_at_a_time() -> None:
    rules = ESCALATING.rules("dead_code_cleanup")
    reached = {0: T0}
    state = escalation_state(rules, T0, reached, T0 + timedelta(minutes=5))
    assert (state.level, state.due_level, state.timed_out) == (0, None, False)
    assert state.next_due == T0 + timedelta(minutes=10)
    # Long after everything (a bot that was down): only level 1 is due now.
    late = T0 + timedelta(hours=5)
    state = escalation_state(rules, T0, reached, late)
    assert (state.level, state.due_level) == (0, 1)
    reached[1] = T0 + timedelta(minutes=10)
    state = escalation_state(rules, T0, reached, late)
    assert (state.level, state.due_level) == (1, 2)
    reached[2] = T0 + timedelta(minutes=30)
    state = escalation_state(rules, T0, reached, late)
    assert (state.level, state.due_level, state.timed_out) == (2, None, True)
    assert state.next_due == T0 + timedelta(minutes=60)


def test_manual_escalation_restarts_the_clock() -> None:
    rules = ESCALATING.rules("dead_code_cleanup")
    pressed = T0 + timedelta(minutes=2)
    state = escalation_state(rules, T0, {0: T0, 1: pressed}, T0 + timedelta(minutes=3))
    assert state.level == 1 and state.since == pressed
    assert state.next_due == pressed + timedelta(minutes=20)


def test_no_escalation_means_one_silent_level() -> None:
    rules = policy(defaults={"approval_timeout": "2h"}).rules("dead_code_cleanup")
    assert len(rules.levels) == 1 and rules.levels[0].notify.empty
    state = escalation_state(rules, T0, {0: T0}, T0 + timedelta(hours=2))
    assert state.timed_out


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"workflows": {"dead_code_clean": {}}}, "did you mean dead_code_cleanup"),
        ({"defaults": {"approvers": {"users": ["bob"]}}}, "not a Slack user ID"),
        ({"defaults": {"approvers": {"groups": ["U0001"]}}}, "not a Slack user group ID"),
        ({"defaults": {"start": {"channels": ["general"]}}}, "not a Slack channel ID"),
        ({"defaults": {"escalation": [{"notify": {}, "wait": "soon"}]}}, "not a duration"),
    ],
)
def test_policy_mistakes_are_named(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        AccessPolicy.model_validate(data)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "access_policy: {defaults: {aprovers: {}}}",
            "unknown key 'access_policy.defaults.aprovers'; did you mean approvers?",
        ),
        (
            "access_policy: {defaults: {escalation: [{notify: {}, wiat: 3m}]}}",
            "unknown key 'access_policy.defaults.escalation.0.wiat'; did you mean wait?",
        ),
        (
            "access_policy: {workflows: {dead_code_cleanup: {approvers: {users: [bob]}}}}",
            "access_policy.workflows.dead_code_cleanup.approvers.users: 'bob' is not a Slack "
            "user ID such as U012AB3CD",
        ),
        ("approval_poll_seconds: 0", "approval_poll_seconds: Input should be greater than 0"),
    ],
)
def test_policy_mistakes_in_the_file_are_one_line(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml_text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_the_example_configuration_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "orchestration_config.example.yaml"
    rules = load_config(example).access_policy.rules("dead_code_cleanup")
    assert rules.start.channels == ["C0DEPLOYS"] and len(rules.levels) == 3
