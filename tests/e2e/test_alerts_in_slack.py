"""Alerts through the real bot process: `/cicd health track_alerts=true` with a disk threshold
of 0% posts one alert (the delivery after the run), the serve process's escalation loop brings in
level 2 after its wait, an outsider's Acknowledge is refused, level 2 acknowledges.

It needs the `health_check` flow (workflows/flows/health_check.py); without it, it is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_repo
from tests.e2e.approval_helpers import CHANNEL, buttons, click, driver_for, ephemeral, start_bot
from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from workflows.governance.audit import AuditKind, read_local
from workflows.types import CATALOG, WorkflowType

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CATALOG[WorkflowType.HEALTH_CHECK].implemented, reason="no health_check flow yet"
    ),
]
LEAD, ONCALL, OUTSIDER = "U0001", "U0002", "U0003"
CONFIG: dict[str, Any] = {
    "approval_poll_seconds": 0.5,
    # Only the disk can cross (any disk is fuller than 0%); nothing else ever does.
    "alert_thresholds": {
        "cpu_usage_percent": 100,
        "memory_usage_percent": 100,
        "disk_usage_percent": 0,
        "error_rate_percent": 100,
        "workflow_failure_rate_percent": 100,
    },
    "alerts": {"channel": CHANNEL, "duration": 0},
    "access_policy": {
        "workflows": {
            "health_check": {
                "approvers": {"users": [LEAD]},
                "escalation": [
                    {"notify": {"users": [LEAD]}, "wait": "3s"},
                    {"notify": {"users": [ONCALL]}, "wait": "1h"},
                ],
            }
        }
    },
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("alerts-bot")


@pytest.fixture(scope="module")
def alerts_bot(
    slack: SlackEmulator, tmp_path_factory: pytest.TempPathFactory, workdir: Path
) -> Iterator[BotProcess]:
    repo = make_repo(tmp_path_factory.mktemp("alerts") / "repo")
    process = start_bot(workdir, slack, repo, CONFIG)
    yield process
    assert process.stop() == 0, process.logs()


def disk_alerts(slack: SlackEmulator) -> list[dict[str, Any]]:
    return [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if "alert_acknowledge" in json.dumps(m.get("blocks", []))
        or "Disk alert" in m.get("text", "")
    ]


def test_a_crossing_is_posted_escalated_and_acknowledged(
    alerts_bot: BotProcess, slack: SlackEmulator, workdir: Path
) -> None:
    with driver_for(alerts_bot, slack) as driver:
        sent = driver.slash_command("health track_alerts=true", user_id=LEAD)
        assert sent.status_code == 200
        [alert] = slack.wait_for(lambda: disk_alerts(slack), timeout=120)
        assert alert["text"].startswith("💾 Disk alert:") and f"<@{LEAD}>" in alert["text"]
        assert set(buttons(alert)) == {"alert_acknowledge", "alert_escalate"}

        thread = slack.wait_for(lambda: slack.thread(CHANNEL, alert["ts"])[1:], timeout=30)
        assert thread[0]["text"].startswith("⏫ Escalated to level 2 of 2 automatically")
        assert f"<@{ONCALL}>" in thread[0]["text"]
        slack.wait_for(lambda: slack.messages(ONCALL), timeout=10)

        refused = ephemeral(slack, click(driver, slack, alert, "alert_acknowledge", OUTSIDER, "o"))
        assert refused.startswith("⛔ Only") and "Nothing was changed." in refused
        click(driver, slack, alert, "alert_acknowledge", ONCALL, "a")
        slack.wait_for(
            lambda: (
                f"Acknowledged by <@{ONCALL}>"
                in json.dumps(next(m for m in slack.messages(CHANNEL) if m["ts"] == alert["ts"]))
            ),
            timeout=15,
        )
    assert len(disk_alerts(slack)) == 1

    def alert_kinds() -> list[tuple[AuditKind, str]]:
        records = read_local(workdir / "data")
        return [(r.kind, r.actor) for r in records if "alert" in r.kind.value]

    # The acknowledgement is audited just after the message changes: wait for it.
    kinds = slack.wait_for(lambda: len(alert_kinds()) >= 3 and alert_kinds(), timeout=15)
    assert kinds == [
        (AuditKind.ALERT_RAISED, "system"),
        (AuditKind.ALERT_ESCALATED, "system"),
        (AuditKind.ALERT_ACKNOWLEDGED, ONCALL),
    ]
