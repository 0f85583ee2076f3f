"""The bot's own schedules through the real process: the built-in alert monitor checks the
thresholds every few seconds and posts a crossing once (not on every check), and a scheduled
digest is posted to its channel as a top-level message, with no thread of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.conftest import make_repo
from tests.e2e.approval_helpers import buttons
from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from workflows.governance.audit import AuditKind, read_local

pytestmark = pytest.mark.e2e
ALERTS, DIGESTS = "C0MONITOR", "C0MORNING"
CONFIG: dict[str, Any] = {
    # Only the disk can cross (any disk is fuller than 0%); 100 switches the others off.
    "alert_thresholds": {
        "cpu_usage_percent": 100,
        "memory_usage_percent": 100,
        "disk_usage_percent": 0,
        "error_rate_percent": 100,
        "workflow_failure_rate_percent": 100,
    },
    "alerts": {"channel": ALERTS, "check_every": "3s", "duration": 0},
    "schedules": [
        {
            "name": "e2e-digest",
            "every": "10s",
            "channel": DIGESTS,
            "workflow": "slack_notifications",
            "parameters": {"kind": "digest", "period_hours": 24},
        }
    ],
}


@pytest.fixture(scope="module")
def monitoring_bot(
    slack: SlackEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    slack.add_channel(ALERTS, "alerts")
    slack.add_channel(DIGESTS, "morning")
    repo = make_repo(tmp_path_factory.mktemp("monitoring") / "repo")
    workdir = tmp_path_factory.mktemp("monitoring-bot")
    process = BotProcess(workdir, slack.url, repo, MONITORING_ENABLED="true")
    (workdir / "orchestration_config.yaml").write_text(yaml.safe_dump(CONFIG))
    process.start()
    yield process
    process.stop()


def _fired(bot: BotProcess, schedule: str) -> int:
    return sum(
        1
        for r in read_local(bot.workdir / "data")
        if r.kind is AuditKind.SCHEDULE_FIRED and schedule in r.what
    )


def _alerts(slack: SlackEmulator) -> list[dict[str, Any]]:
    return [
        m for m in slack.messages(ALERTS, top_level_only=True) if "Disk alert" in m.get("text", "")
    ]


def test_the_monitor_posts_a_crossing_once_and_the_digest_goes_to_its_channel(
    monitoring_bot: BotProcess, slack: SlackEmulator
) -> None:
    [alert] = slack.wait_for(lambda: _alerts(slack), timeout=120)
    assert set(buttons(alert)) == {"alert_acknowledge", "alert_escalate"}
    fired = _fired(monitoring_bot, "alert-monitor")
    # More checks run while the disk stays above its threshold: still one alert.
    slack.wait_for(lambda: _fired(monitoring_bot, "alert-monitor") >= fired + 3, timeout=120)
    assert len(_alerts(slack)) == 1
    assert not [m for m in slack.messages(ALERTS, top_level_only=True) if m not in _alerts(slack)]

    digests = slack.wait_for(
        lambda: [
            m
            for m in slack.messages(DIGESTS, top_level_only=True)
            if m.get("text", "").startswith("Channel health digest for")
        ],
        timeout=120,
    )
    text = json.dumps(digests[0]["blocks"], ensure_ascii=False)
    assert "GitHub is not connected" in text and "Linear is not connected" in text
    # Only digests in their channel: a quiet scheduled run opens no thread of its own.
    others = [
        m
        for m in slack.messages(DIGESTS, top_level_only=True)
        if not m.get("text", "").startswith("Channel health digest for")
    ]
    assert others == []
