"""`AlertDesk`: threshold alerts in Slack. It posts a crossing once, announces its recovery
once, lets the people of the `health_check` escalation levels acknowledge or escalate it, and
escalates by itself when nobody acknowledges in time.

All state is in the alert records (`bot.alerts.store`); a lock per alert orders the work of
one process, create-only claims order several replicas.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from prefect.client.orchestration import get_client
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.alerts import (
    AlertView,
    alert_blocks,
    alert_text,
    direct_text,
    escalation_text,
    percent,
    recovery_text,
)
from blocks.approvals import slack_date, who_text
from blocks.text import duration
from bot.alerts.store import Alert, AlertStore, Escalation, now
from bot.approvals.notify import MAX_DIRECT_MESSAGES
from bot.directory import SlackDirectory
from bot.slack_api import call_slack, permalink
from workflows.config import OrchestrationConfig
from workflows.governance import audit
from workflows.governance.access import EscalationLevel, Rules, escalation_state
from workflows.governance.audit import AuditKind, AuditRecord
from workflows.models.health_check import AlertChange
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
MISSING = "I can't find that alert any more; nothing was changed."
KEEP_RECOVERED = timedelta(days=7)  # then a recovered alert's record goes (its audit stays)


class AlertDesk:
    """Alerts: post, recover, acknowledge, escalate (by hand and on schedule)."""

    def __init__(
        self,
        client: AsyncWebClient,
        config: OrchestrationConfig,
        directory: SlackDirectory,
        store: AlertStore | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.directory = directory
        self.store = store or AlertStore()
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, alert_id: str) -> asyncio.Lock:
        """The lock that orders everything done to one alert in this process."""
        return self._locks.setdefault(alert_id, asyncio.Lock())

    @property
    def rules(self) -> Rules:
        """The `health_check` rules of `access_policy`: its levels are the alerts' levels."""
        return self.config.access_policy.rules(WorkflowType.HEALTH_CHECK)

    def channel(self, origin_channel: str | None) -> str | None:
        """alerts.channel, else the approval channel, else where the run was asked for."""
        return (
            self.config.alerts.channel
            or self.config.access_policy.approval_channel
            or origin_channel
        )

    def level_of(self, alert: Alert) -> EscalationLevel:
        """The alert's current level (the last one, if the policy has shrunk since)."""
        levels = self.rules.levels
        return levels[min(alert.level, len(levels) - 1)]

    def view(self, alert: Alert) -> AlertView:
        """What the alert's message shows now."""
        rules = self.rules
        levels = rules.levels
        state = escalation_state(rules, alert.posted_at, alert.reached, now())
        last = alert.level + 1 >= len(levels)
        return AlertView(
            alert_id=alert.alert_id,
            metric=alert.metric,
            value=alert.value,
            threshold=alert.threshold,
            since=alert.since,
            run_name=alert.run_name,
            run_link=alert.run_link,
            detail=alert.detail,
            levels=len(levels),
            level=alert.level,
            notified=self.level_of(alert).notify.mentions(),
            next_at=None if last else state.next_due,
            escalated_by=alert.escalated_by,
            acknowledged_by=alert.acknowledged_by,
            acknowledged_at=alert.acknowledged_at,
            recovered_at=alert.recovered_at,
            recovered_value=alert.recovered_value,
        )

    # -- crossings and recoveries -------------------------------------------------------------

    async def raised(
        self,
        change: AlertChange,
        *,
        run_id: str | None,
        run_name: str,
        origin_channel: str | None,
        run_link: str | None = None,
    ) -> Alert | None:
        """Post a crossing once (a record that exists is not posted again)."""
        channel = self.channel(origin_channel)
        if channel is None:
            log.warning(
                "%s crossed its threshold (run %s) but no channel is set for alerts; set "
                "alerts.channel or access_policy.approval_channel",
                change.metric.value,
                run_name,
            )
            return None
        alert = Alert(
            alert_id=change.alert_id,
            metric=change.metric,
            value=change.value,
            threshold=change.threshold,
            since=change.since,
            detail=change.detail,
            run_id=run_id,
            run_name=run_name,
            run_link=run_link,
            channel=channel,
        )
        async with self.lock(alert.alert_id):
            if not await self.store.claim(alert):
                return None
            view = self.view(alert)
            try:
                posted = await call_slack(
                    self.client.chat_postMessage,
                    channel=channel,
                    text=alert_text(view),
                    blocks=alert_blocks(view),
                )
            except SlackApiError as exc:
                log.error("alert %s not posted to %s: %s", alert.alert_id, channel, exc)
                await self.store.forget(alert.alert_id)
                return None
            alert.channel, alert.ts = posted["channel"], posted["ts"]
            alert.posted_at = now()  # level 1's wait starts when people can see the alert
            alert.permalink = await permalink(self.client, alert.channel, alert.ts)
            await self.store.put(alert)
            await self._direct(alert)
            what = f"raised a {alert.metric.value} alert: {_reading(alert)}"
            await self._audit(AuditKind.ALERT_RAISED, audit.SYSTEM, alert, what)
        return alert

    async def recovered(self, change: AlertChange) -> Alert | None:
        """Announce a recovery once: a reply in the thread, the message updated, no buttons."""
        async with self.lock(change.alert_id):
            alert = await self.store.get(change.alert_id)
            if alert is None or not alert.active:
                if alert is None:
                    log.info("alert %s recovered but was never posted", change.alert_id)
                return None
            if not await self.store.claim_recovery(alert.alert_id):
                return None
            alert.recovered_at = now()
            alert.recovered_value = change.value
            await self.store.put(alert)
            view = self.view(alert)
            await self._reply(alert, recovery_text(view))
            await self._show(alert)
            what = f"{alert.metric.value} recovered: {_reading(alert, change.value)}"
            await self._audit(AuditKind.ALERT_RECOVERED, audit.SYSTEM, alert, what)
        return alert

    # -- clicks -------------------------------------------------------------------------------

    async def acknowledge(self, alert_id: str, user: str) -> str | None:
        """Acknowledge for `user`: escalation stops. Returns what to tell them, if anything."""
        async with self.lock(alert_id):
            alert = await self.store.get(alert_id)
            refusal = await self._closed(alert) or await self._refusal(alert, user, "acknowledge")
            if refusal:
                return refusal
            assert alert is not None
            if alert.acknowledged_by is not None or not await self.store.claim_ack(alert_id, user):
                return await self._already_acknowledged(alert_id)
            alert.acknowledged_by, alert.acknowledged_at = user, now()
            await self.store.put(alert)
            await self._show(alert)
            await self._reply(alert, f"👀 Acknowledged by <@{user}>; escalation stopped.")
            what = f"acknowledged the {alert.metric.value} alert ({_reading(alert)})"
            await self._audit(AuditKind.ALERT_ACKNOWLEDGED, user, alert, what)
        return None

    async def escalate(self, alert_id: str, user: str) -> str | None:
        """Bring in the next level now, for `user`."""
        async with self.lock(alert_id):
            alert = await self.store.get(alert_id)
            refusal = await self._closed(alert) or await self._refusal(alert, user, "escalate")
            if refusal:
                return refusal
            assert alert is not None
            levels = self.rules.levels
            following = alert.level + 1
            if following >= len(levels):
                if len(levels) == 1 and levels[0].notify.empty:
                    return (
                        "No escalation levels are set for health_check alerts "
                        "(`access_policy.workflows.health_check.escalation`); nobody to call."
                    )
                return (
                    f"This alert is already at its last escalation level ({len(levels)} of "
                    f"{len(levels)}); there is nobody further to call."
                )
            if not await self._escalate(alert, following, user):
                return "Someone escalated this alert a moment ago."
        return None

    # -- the schedule -------------------------------------------------------------------------

    async def scan(self) -> None:
        """Escalate every active, unacknowledged alert whose level has waited its time."""
        for alert in await self.store.active(prune_before=now() - KEEP_RECOVERED):
            if alert.acknowledged_by is not None:
                continue
            try:
                await self.tick(alert.alert_id)
            except Exception:
                log.exception("alert %s not escalated", alert.alert_id)

    async def tick(self, alert_id: str) -> None:
        """One alert: escalate to the level that is due, if any (one level per tick)."""
        async with self.lock(alert_id):
            alert = await self.store.get(alert_id)
            if alert is None or not alert.active or alert.acknowledged_by is not None:
                return
            state = escalation_state(self.rules, alert.posted_at, alert.reached, now())
            if state.due_level is not None:
                await self._escalate(alert, state.due_level, None)

    # -- steps --------------------------------------------------------------------------------

    async def _closed(self, alert: Alert | None) -> str | None:
        """Why a click can do nothing: unknown or recovered; None if the alert is active."""
        if alert is None or alert.ts is None:
            return MISSING
        if alert.recovered_at is not None:
            await self._show(alert)  # make sure the buttons are gone
            return f"This alert has already recovered ({slack_date(alert.recovered_at)}); all good."
        return None

    async def _refusal(self, alert: Alert | None, user: str, verb: str) -> str | None:
        """Not among the deciders at the alert's level: the reason (audited); else None."""
        assert alert is not None
        rules = self.rules
        deciders = rules.deciders(alert.level)
        if deciders.empty:
            return None
        groups = await self.directory.groups_of(user, rules.groups())
        if deciders.includes(user, groups):
            return None
        what = f"tried to {verb} the {alert.metric.value} alert without the right"
        await self._audit(AuditKind.DENIED, user, alert, what)
        return (
            f"⛔ Only {deciders.mentions()} may {verb} health alerts at this level. "
            "Nothing was changed."
        )

    async def _already_acknowledged(self, alert_id: str) -> str:
        again = await self.store.get(alert_id)
        if again is None or again.acknowledged_by is None:
            return "Someone acknowledged this alert a moment ago."
        when = slack_date(again.acknowledged_at) if again.acknowledged_at else ""
        return f"Already acknowledged by {who_text(again.acknowledged_by)} {when}".strip() + "."

    async def _escalate(self, alert: Alert, level: int, by: str | None) -> bool:
        """Record and announce `level`; False if another click or replica did it first."""
        if by is None and await self.store.acks.get(alert.alert_id) is not None:
            return False  # acknowledged on another replica since this one read the record
        if not await self.store.claim_step(alert.alert_id, level, by):
            return False
        wait = self.level_of(alert).wait
        alert.level = level
        alert.escalations.append(Escalation(level=level, at=now(), by=by))
        await self.store.put(alert)
        view = self.view(alert)
        await self._reply(alert, escalation_text(view, by, duration(wait.total_seconds())))
        sent = await self._direct(alert)
        await self._show(alert)
        who = view.notified or "nobody named"
        what = f"escalated the {alert.metric.value} alert to level {level + 1} ({who})"
        if sent:
            what += f": {sent} DM{'s' if sent != 1 else ''}"
        await self._audit(AuditKind.ALERT_ESCALATED, by or audit.SYSTEM, alert, what)
        return True

    async def _direct(self, alert: Alert) -> int:
        """DM each person of the alert's current level; how many were sent."""
        notify = self.level_of(alert).notify
        people = await self.directory.people(notify.users, notify.groups)
        text = direct_text(self.view(alert), alert.permalink)
        sent = 0
        for user in people[:MAX_DIRECT_MESSAGES]:
            try:
                await call_slack(self.client.chat_postMessage, channel=user, text=text)
                sent += 1
            except SlackApiError as exc:
                log.warning("alert DM to %s not sent: %s", user, exc.response.get("error"))
        return sent

    async def _show(self, alert: Alert) -> None:
        """Make the alert's message show its state."""
        if alert.channel is None or alert.ts is None:
            return
        view = self.view(alert)
        try:
            await call_slack(
                self.client.chat_update,
                channel=alert.channel,
                ts=alert.ts,
                text=alert_text(view),
                blocks=alert_blocks(view),
            )
        except SlackApiError as exc:
            log.warning("alert message %s not updated: %s", alert.alert_id, exc)

    async def _reply(self, alert: Alert, text: str) -> None:
        if alert.channel is None or alert.ts is None:
            return
        try:
            await call_slack(
                self.client.chat_postMessage, channel=alert.channel, thread_ts=alert.ts, text=text
            )
        except SlackApiError as exc:
            log.warning("alert thread reply not posted: %s", exc.response.get("error"))

    async def _audit(self, kind: AuditKind, actor: str, alert: Alert, what: str) -> None:
        entry = AuditRecord(
            kind=kind,
            actor=actor,
            what=what,
            run_id=alert.run_id,
            run_name=alert.run_name or None,
            workflow=WorkflowType.HEALTH_CHECK.value,
            channel=alert.channel,
            permalink=alert.permalink,
            level=alert.level + 1,
        )
        async with get_client() as client:
            await audit.record(client, self.config.cicd_data_dir, entry)


def _reading(alert: Alert, value: float | None = None) -> str:
    shown = alert.value if value is None else value
    return f"{percent(shown)} (threshold {percent(alert.threshold)})"
