"""A health check's crossings and recoveries delivered as alerts: one post when a threshold is
crossed, nothing while it stays above, one reply when it recovers; records in Prefect."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from blocks.alerts import ACKNOWLEDGE, ESCALATE
from bot.alerts.store import AlertStore
from tests.emulators.slack import SlackEmulator
from tests.integration.alerts.alert_bot import (
    CHANNEL,
    LEAD,
    alert_bot,
    alert_messages,
    audited,
    buttons,
    change,
    dms,
    finished,
    make_config,
    message,
    new_id,
    replies,
)
from workflows.governance.audit import AuditKind

pytestmark = pytest.mark.usefixtures("prefect_api")


async def test_crossing_staying_above_and_recovering_give_two_posts(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id()
    async with alert_bot(slack, make_config(slack, data_dir)) as bot:
        await bot.deliveries.deliver(finished(change(alert_id), name="run-crossed"))
        [alert] = alert_messages(slack)
        assert buttons(alert) == {ACKNOWLEDGE: alert_id, ESCALATE: alert_id}
        assert alert["text"] == f"🔥 CPU alert: 92.5% (threshold 80%) <@{LEAD}>"
        facts = [f["text"] for f in alert["blocks"][1]["fields"]]
        assert facts[0] == "*Value*\n92.5% (threshold 80%)" and "`run-crossed`" in facts[3]
        assert len(dms(slack, LEAD)) == 1  # level 1 is paged directly too

        # The next checks: still above (no change), and the same change delivered again.
        await bot.deliveries.deliver(finished(name="run-above"))
        await bot.deliveries.deliver(finished(change(alert_id), name="run-retry"))
        assert len(alert_messages(slack)) == 1
        assert replies(slack, alert["ts"]) == []

        recovered = change(alert_id, "recovered", value=41)
        await bot.deliveries.deliver(finished(recovered, name="run-recovered"))
        await bot.deliveries.deliver(finished(recovered, name="run-recovered-again"))
        assert replies(slack, alert["ts"]) == ["✅ cpu recovered: 41% (threshold 80%)"]
        posts = slack.calls_to("chat.postMessage")
        assert [c.params["channel"] for c in posts].count(CHANNEL) == 2  # the alert, the reply

        now = message(slack, alert["ts"])
        assert buttons(now) == {}
        assert now["blocks"][0]["text"]["text"] == "✅ CPU recovered"
        assert "nobody acknowledged it" in now["blocks"][-1]["elements"][0]["text"]

    stored = await AlertStore().get(alert_id)
    assert stored is not None and stored.ts == alert["ts"] and stored.channel == CHANNEL
    assert stored.recovered_value == 41 and stored.recovered_at is not None
    assert stored.level == 0 and stored.acknowledged_by is None
    assert audited(data_dir) == [
        (AuditKind.ALERT_RAISED, "system", 1),
        (AuditKind.ALERT_RECOVERED, "system", 1),
    ]


async def test_two_replicas_delivering_the_same_crossing_post_it_once(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id("disk")
    async with alert_bot(slack, make_config(slack, data_dir)) as bot:
        same = finished(change(alert_id))
        other = bot.another_desk()
        await asyncio.gather(
            bot.deliveries.deliver(same),
            other.raised(change(alert_id), run_id=None, run_name="x", origin_channel=None),
        )
    assert len(alert_messages(slack)) == 1
    assert [k for k, _, _ in audited(data_dir)] == [AuditKind.ALERT_RAISED]


async def test_without_any_channel_nothing_is_posted_or_recorded(
    slack: SlackEmulator, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alert_id = new_id()
    config = make_config(slack, data_dir).model_copy(
        update={"alerts": make_config(slack, data_dir).alerts.model_copy(update={"channel": None})}
    )
    async with alert_bot(slack, config) as bot:
        await bot.deliveries.deliver(finished(change(alert_id)))  # a scheduled run: no origin
        assert alert_messages(slack) == []
        assert "no channel is set for alerts" in caplog.text
        assert await AlertStore().get(alert_id) is None
