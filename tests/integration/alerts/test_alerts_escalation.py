"""Alerts nobody acknowledges climb the health_check escalation levels by themselves, once per
level however many bots scan, from the records alone (a restarted bot carries on)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from blocks.alerts import ESCALATE
from bot.alerts.store import AlertStore
from bot.runtime.scan_loop import ScanLoop
from tests.emulators.slack import SlackEmulator
from tests.integration.alerts.alert_bot import (
    GROUP,
    LEAD,
    MEMBER,
    ONCALL,
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


async def test_an_unacknowledged_alert_escalates_after_the_wait_once_across_restarts(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id()
    config = make_config(slack, data_dir, first_wait="3s", second_wait="1s")
    async with alert_bot(slack, config) as bot:
        await bot.deliveries.deliver(finished(change(alert_id)))
        [alert] = alert_messages(slack)
        await bot.desk.scan()
        assert replies(slack, alert["ts"]) == []  # level 1 has not waited its 3 s yet

    # The bot that posted is gone; two new replicas scan every 0.2 s.
    replicas = [
        ScanLoop(d, every_s=0.2, what="alert") for d in (bot.another_desk(), bot.another_desk())
    ]
    tasks = [asyncio.create_task(loop.run()) for loop in replicas]
    try:
        thread = await slack.wait_for_async(lambda: replies(slack, alert["ts"]), timeout=10)
        await asyncio.sleep(1.5)  # level 2 is the last: its wait ends in nothing more
    finally:
        for loop in replicas:
            loop.stop()
        await asyncio.gather(*tasks)

    assert thread == [
        "⏫ Escalated to level 2 of 2 automatically: nobody acknowledged within 3.0 s: "
        f"<@{ONCALL}> <!subteam^{GROUP}>"
    ]
    assert replies(slack, alert["ts"]) == thread
    assert len(dms(slack, ONCALL)) == 1 and len(dms(slack, MEMBER)) == 1
    assert len(dms(slack, LEAD)) == 1  # paged once, when the alert was posted
    now = message(slack, alert["ts"])
    assert buttons(now) == {"alert_acknowledge": alert_id, ESCALATE: alert_id}
    stored = await AlertStore().get(alert_id)
    assert stored is not None and stored.level == 1
    assert [(e.level, e.by) for e in stored.escalations] == [(1, None)]
    assert audited(data_dir) == [
        (AuditKind.ALERT_RAISED, "system", 1),
        (AuditKind.ALERT_ESCALATED, "system", 2),
    ]


async def test_a_recovered_alert_is_not_escalated(slack: SlackEmulator, data_dir: Path) -> None:
    alert_id = new_id()
    config = make_config(slack, data_dir, first_wait="1s")
    async with alert_bot(slack, config) as bot:
        await bot.deliveries.deliver(finished(change(alert_id)))
        await bot.deliveries.deliver(finished(change(alert_id, "recovered", value=60)))
        await asyncio.sleep(1.2)
        await bot.desk.scan()
        [alert] = alert_messages(slack)
    assert replies(slack, alert["ts"]) == ["✅ cpu recovered: 60% (threshold 80%)"]
    assert dms(slack, ONCALL) == []


async def test_a_week_after_recovery_the_scan_forgets_the_alert(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id, recent_id = new_id(), new_id()
    async with alert_bot(slack, make_config(slack, data_dir)) as bot:
        for one in (alert_id, recent_id):
            await bot.deliveries.deliver(finished(change(one)))
            await bot.deliveries.deliver(finished(change(one, "recovered", value=60)))
        store = AlertStore()
        old = await store.get(alert_id)
        assert old is not None and old.recovered_at is not None
        old.recovered_at -= timedelta(days=8)
        await store.put(old)
        await bot.desk.scan()
    assert await store.get(alert_id) is None
    assert await store.recoveries.get(alert_id) is None
    assert await store.get(recent_id) is not None  # recovered today: kept
