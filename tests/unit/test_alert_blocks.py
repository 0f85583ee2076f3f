"""The alert message in each of its states: what it says, which buttons it has, and that Slack
would accept it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from blocks.alerts import (
    ACKNOWLEDGE,
    ESCALATE,
    AlertView,
    alert_blocks,
    alert_text,
    escalation_text,
    percent,
    recovery_text,
)
from tests.emulators.slack_blocks import validate_blocks
from workflows.models.health_check import AlertMetric

SINCE = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
ACTIVE = AlertView(
    alert_id="cpu-1",
    metric=AlertMetric.CPU,
    value=92.5,
    threshold=80,
    since=SINCE,
    run_name="brave-fox",
    levels=2,
    notified="<@U0001>",
    next_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
)


def rendered(view: AlertView) -> list[dict[str, Any]]:
    blocks = [b.to_dict() for b in alert_blocks(view)]
    assert validate_blocks(blocks) == []
    return blocks


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
    }


def context(blocks: list[dict[str, Any]]) -> str:
    return " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


def test_percentages_read_short() -> None:
    assert [percent(92.5), percent(80), percent(41.04), percent(0)] == ["92.5%", "80%", "41%", "0%"]


def test_an_active_alert_says_what_crossed_and_has_both_buttons() -> None:
    blocks = rendered(ACTIVE)
    assert blocks[0]["text"]["text"] == "🔥 CPU above 80%"
    facts = [f["text"] for f in blocks[1]["fields"]]
    assert facts[0] == "*Value*\n92.5% (threshold 80%)"
    assert "<!date^1796722200^" in facts[1]  # since 09:30 UTC, in the reader's time zone
    assert facts[2] == "*Level*\n1 of 2"
    assert facts[3] == "*Run*\n`brave-fox`"
    assert buttons(blocks) == {ACKNOWLEDGE: "cpu-1", ESCALATE: "cpu-1"}
    line = context(blocks)
    assert "🔴 *Active*" in line and "paged: <@U0001>" in line and "unless acknowledged" in line
    assert alert_text(ACTIVE) == "🔥 CPU alert: 92.5% (threshold 80%) <@U0001>"


def test_each_metric_has_its_own_header() -> None:
    heads = {m: rendered(replace(ACTIVE, metric=m))[0]["text"]["text"] for m in AlertMetric}
    assert heads[AlertMetric.DISK] == "💾 Disk above 80%"
    assert heads[AlertMetric.WORKFLOW_FAILURE_RATE] == "📉 Workflow failure rate above 80%"
    assert len(set(heads.values())) == len(AlertMetric)


def test_acknowledged_keeps_escalate_only_and_names_who() -> None:
    view = replace(ACTIVE, acknowledged_by="U0002", acknowledged_at=SINCE)
    blocks = rendered(view)
    assert buttons(blocks) == {ESCALATE: "cpu-1"}
    line = context(blocks)
    assert "👀 Acknowledged by <@U0002>" in line and "escalation stopped" in line
    assert "unless acknowledged" not in line
    assert "<@U0001>" not in alert_text(view)  # no new ping once someone has it


def test_escalated_says_level_and_by_whom() -> None:
    view = replace(ACTIVE, level=1, notified="<@U0002> <!subteam^S1>", escalated_by="U0001")
    blocks = rendered(view)
    assert "⏫ Escalated to level 2 of 2 by <@U0001>" in context(blocks)
    assert [f["text"] for f in blocks[1]["fields"]][2] == "*Level*\n2 of 2"
    assert escalation_text(view, None, "30 min 00 s") == (
        "⏫ Escalated to level 2 of 2 automatically: nobody acknowledged within 30 min 00 s: "
        "<@U0002> <!subteam^S1>"
    )
    assert escalation_text(view, "U0001", None).startswith(
        "⏫ Escalated to level 2 of 2 by <@U0001>"
    )


def test_recovered_has_no_buttons_and_says_who_acknowledged() -> None:
    view = replace(
        ACTIVE,
        acknowledged_by="U0002",
        acknowledged_at=SINCE,
        recovered_at=datetime(2026, 12, 8, 10, 15, tzinfo=UTC),
        recovered_value=41,
    )
    blocks = rendered(view)
    assert blocks[0]["text"]["text"] == "✅ CPU recovered"
    assert buttons(blocks) == {}
    assert "✅ *Recovered*" in context(blocks) and "<@U0002>" in context(blocks)
    assert blocks[1]["fields"][0]["text"] == "*Now*\n41% (was 92.5%)"
    assert recovery_text(view) == "✅ cpu recovered: 41% (threshold 80%)"
    unacknowledged = replace(view, acknowledged_by=None, acknowledged_at=None)
    assert "nobody acknowledged it" in context(rendered(unacknowledged))


def test_long_details_and_a_run_link_stay_valid() -> None:
    view = replace(ACTIVE, detail="<x> " * 2000, run_link="https://slack.example/p/1")
    blocks = rendered(view)
    assert "&lt;x&gt;" in json.dumps(blocks)
    assert blocks[1]["fields"][3]["text"] == "*Run*\n<https://slack.example/p/1|brave-fox>"
