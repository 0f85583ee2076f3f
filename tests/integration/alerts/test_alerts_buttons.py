"""Acknowledge and Escalate on an alert, clicked through the real Bolt app with signed
requests: rights from access_policy's health_check rules, answers, updates, the audit trail."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from blocks.alerts import ACKNOWLEDGE, ESCALATE
from bot.alerts.store import AlertStore
from tests.emulators.slack import SlackEmulator
from tests.integration.alerts.alert_bot import (
    GROUP,
    LEAD,
    MEMBER,
    ONCALL,
    OUTSIDER,
    AlertBot,
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


async def raise_alert(bot: AlertBot, alert_id: str) -> dict:
    await bot.deliveries.deliver(finished(change(alert_id)))
    [alert] = alert_messages(bot.slack)
    return alert


def context_of(msg: dict) -> str:
    return " ".join(
        e["text"] for b in msg["blocks"] if b["type"] == "context" for e in b["elements"]
    )


async def test_acknowledge_by_a_decider_stops_escalation_an_outsider_is_refused(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id()
    config = make_config(slack, data_dir, first_wait="1s")
    async with alert_bot(slack, config) as bot:
        alert = await raise_alert(bot, alert_id)

        refused = await bot.answer(await bot.click(alert, ACKNOWLEDGE, OUTSIDER, "o1"))
        assert refused == (
            f"⛔ Only <@{LEAD}> may acknowledge health alerts at this level. Nothing was changed."
        )
        assert buttons(message(slack, alert["ts"])) == {ACKNOWLEDGE: alert_id, ESCALATE: alert_id}

        name = await bot.click(alert, ACKNOWLEDGE, LEAD, "a1")
        now = await slack.wait_for_async(
            lambda: (m := message(slack, alert["ts"])) and ACKNOWLEDGE not in buttons(m) and m
        )
        assert buttons(now) == {ESCALATE: alert_id}
        assert f"👀 Acknowledged by <@{LEAD}>" in context_of(now)
        assert await slack.wait_for_async(lambda: replies(slack, alert["ts"])) == [
            f"👀 Acknowledged by <@{LEAD}>; escalation stopped."
        ]
        assert slack.responses_to(name) == []  # nothing to say privately

        # A double click (or the old copy of the message) acknowledges nothing twice.
        again = await bot.answer(await bot.click(alert, ACKNOWLEDGE, LEAD, "a2"))
        assert again.startswith(f"Already acknowledged by <@{LEAD}>")

        await asyncio.sleep(1.3)  # level 1's wait is over: unacknowledged, it would escalate
        await bot.desk.scan()
        await bot.another_desk().scan()
        assert dms(slack, ONCALL) == [] and len(replies(slack, alert["ts"])) == 1

    stored = await AlertStore().get(alert_id)
    assert stored is not None and stored.acknowledged_by == LEAD and stored.level == 0
    assert audited(data_dir) == [
        (AuditKind.ALERT_RAISED, "system", 1),
        (AuditKind.DENIED, OUTSIDER, 1),
        (AuditKind.ALERT_ACKNOWLEDGED, LEAD, 1),
    ]


async def test_escalate_brings_in_the_next_level_once_and_not_beyond_the_last(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id()
    async with alert_bot(slack, make_config(slack, data_dir)) as bot:
        alert = await raise_alert(bot, alert_id)

        # The group member is not a decider yet: level 2 has not been reached.
        refused = await bot.answer(await bot.click(alert, ESCALATE, MEMBER, "m1"))
        assert refused.startswith(f"⛔ Only <@{LEAD}> may escalate")

        await asyncio.gather(  # a double click: one escalation
            bot.click(alert, ESCALATE, LEAD, "e1"), bot.click(alert, ESCALATE, LEAD, "e2")
        )
        thread = await slack.wait_for_async(lambda: replies(slack, alert["ts"]))
        assert thread == [
            f"⏫ Escalated to level 2 of 2 by <@{LEAD}>: <@{ONCALL}> <!subteam^{GROUP}>"
        ]
        await slack.wait_for_async(lambda: dms(slack, MEMBER))
        for person in (ONCALL, MEMBER):
            [dm] = dms(slack, person)
            assert "cpu alert needs you (level 2 of 2)" in dm and "92.5%" in dm
        # The second click of the pair found the alert at its last level already.
        answered = await slack.wait_for_async(
            lambda: [
                r.body["text"]
                for t in ("e1", "e2")
                for r in slack.responses_to(f"C0001/{alert['ts']}/{t}")
            ]
        )
        assert len(answered) == 1 and "already at its last escalation level" in answered[0]
        now = message(slack, alert["ts"])
        assert f"⏫ Escalated to level 2 of 2 by <@{LEAD}>" in context_of(now)

        last = await bot.answer(await bot.click(alert, ESCALATE, LEAD, "e3"))
        assert "already at its last escalation level (2 of 2)" in last

        # At level 2 the group's members may act: the member acknowledges.
        await bot.click(alert, ACKNOWLEDGE, MEMBER, "m2")
        await slack.wait_for_async(
            lambda: f"Acknowledged by <@{MEMBER}>" in context_of(message(slack, alert["ts"]))
        )
        await slack.wait_for_async(lambda: len(audited(data_dir)) == 4)  # audited last

    assert [(k, a, lvl) for k, a, lvl in audited(data_dir)] == [
        (AuditKind.ALERT_RAISED, "system", 1),
        (AuditKind.DENIED, MEMBER, 1),
        (AuditKind.ALERT_ESCALATED, LEAD, 2),
        (AuditKind.ALERT_ACKNOWLEDGED, MEMBER, 2),
    ]


async def test_clicks_on_a_recovered_or_unknown_alert_get_a_friendly_answer(
    slack: SlackEmulator, data_dir: Path
) -> None:
    alert_id = new_id()
    async with alert_bot(slack, make_config(slack, data_dir)) as bot:
        alert = await raise_alert(bot, alert_id)  # keep this copy: it still has buttons
        await bot.deliveries.deliver(finished(change(alert_id, "recovered", value=41)))

        late = await bot.answer(await bot.click(alert, ACKNOWLEDGE, LEAD, "late"))
        assert late.startswith("This alert has already recovered")
        unknown = await bot.answer(
            await bot.click(alert, ESCALATE, LEAD, "unknown", value="cpu-nosuchalert")
        )
        assert unknown == "I can't find that alert any more; nothing was changed."
        assert buttons(message(slack, alert["ts"])) == {}
    assert [k for k, _, _ in audited(data_dir)] == [
        AuditKind.ALERT_RAISED,
        AuditKind.ALERT_RECOVERED,
    ]
