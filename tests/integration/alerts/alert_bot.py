"""An in-process bot for the alert tests: the real Bolt app (`build_app`) served over HTTP on
127.0.0.1, the real services (`_services`), a real `AsyncWebClient` pointed at the Slack
emulator, alert records in the test's Prefect server, and signed clicks from the driver."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.desk import AlertDesk
from bot.app import build_app
from bot.directory import SlackDirectory
from bot.runs.deliveries import Deliveries, DeliveryContext, Finished
from bot.runs.launcher import Launcher
from bot.runtime.http import build_web_app
from bot.runtime.process import _services
from bot.services import BotServices
from tests.e2e.bot_process import BOT_TOKEN, SIGNING_SECRET, free_port
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import AsyncSlackDriver
from workflows.config import OrchestrationConfig
from workflows.governance.audit import AuditKind, read_local
from workflows.models.health_check import (
    AlertChange,
    AlertMetric,
    HealthCheckRequest,
    HealthCheckResult,
    HealthStatus,
    HostResources,
    RunRates,
)
from workflows.models.runs import RunOrigin
from workflows.registry import flow_specs
from workflows.state.records import Records
from workflows.types import WorkflowType

CHANNEL = "C0001"
LEAD, ONCALL, OUTSIDER = "U0001", "U0002", "U0003"  # level 1, level 2, nobody
GROUP, MEMBER = "S0ONCALL", "U0007"  # a user group of level 2 and one of its members


def policy(first_wait: str = "1h", second_wait: str = "1h") -> dict[str, Any]:
    """health_check rules: the lead decides at level 1, on-call (and its group) join at 2."""
    return {
        "workflows": {
            "health_check": {
                "approvers": {"users": [LEAD]},
                "escalation": [
                    {"notify": {"users": [LEAD]}, "wait": first_wait},
                    {"notify": {"users": [ONCALL], "groups": [GROUP]}, "wait": second_wait},
                ],
            }
        }
    }


def make_config(slack: SlackEmulator, data_dir: Path, **policy_kw: str) -> OrchestrationConfig:
    return OrchestrationConfig(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        cicd_data_dir=data_dir,
        alerts={"channel": CHANNEL},
        access_policy=policy(**policy_kw),
        approval_poll_seconds=0.2,
    )


def new_id(metric: str = "cpu") -> str:
    """An alert id no other test used (the Prefect server is shared by the session)."""
    return f"{metric}-{uuid4().hex[:10]}"


def change(alert_id: str, kind: str = "crossed", value: float = 92.5) -> AlertChange:
    return AlertChange(
        alert_id=alert_id,
        metric=AlertMetric.CPU,
        kind=kind,
        value=value,
        threshold=80,
        since=datetime.now(UTC),
        detail="5 checks in a row above the threshold" if kind == "crossed" else "",
    )


def finished(*changes: AlertChange, name: str = "calm-otter") -> Finished:
    """A finished health_check run of the alert monitor, with `changes` in its result."""
    result = HealthCheckResult(
        request=HealthCheckRequest(track_alerts=True),
        checked_at=datetime.now(UTC),
        host=HostResources(
            cpu_percent=92.5, memory_percent=40, disk_percent=50, disk_path="/", disk_free_gb=9
        ),
        rates=RunRates(window_hours=24),
        status=HealthStatus.UNHEALTHY if changes else HealthStatus.OK,
        alerts=list(changes),
    )
    origin = RunOrigin(source="schedule")
    return Finished(WorkflowType.HEALTH_CHECK, str(uuid4()), name, result, origin, None)


@dataclass
class AlertBot:
    """The running app and what the tests need of it."""

    slack: SlackEmulator
    services: BotServices
    driver: AsyncSlackDriver
    deliveries: Deliveries

    @property
    def desk(self) -> AlertDesk:
        assert self.services.alerts is not None
        return self.services.alerts

    def another_desk(self) -> AlertDesk:
        """A desk as a restarted bot (or a second replica) builds it: nothing shared in memory."""
        client = AsyncWebClient(token=BOT_TOKEN, base_url=self.slack.url)
        return AlertDesk(client, self.services.config, SlackDirectory(client))

    async def click(
        self, alert: dict[str, Any], action_id: str, user: str, tag: str, value: str = ""
    ) -> str:
        """A signed click on (a copy of) the alert message; returns the response_url name of
        its answer. `value` defaults to the button's own (an old copy may still show it)."""
        value = value or buttons(alert)[action_id]
        name = f"{CHANNEL}/{alert['ts']}/{tag}"
        response = await self.driver.block_action(
            action_id,
            value,
            user_id=user,
            channel_id=CHANNEL,
            message_ts=alert["ts"],
            message=alert,
            response_url=self.slack.response_url(name),
        )
        assert response.status_code == 200, response.text
        assert response.elapsed.total_seconds() < 3.0
        return name

    async def answer(self, name: str) -> str:
        """The ephemeral answer to a click (waits for it)."""
        found = await self.slack.wait_for_async(lambda: self.slack.responses_to(name))
        body = found[-1].body
        assert body["response_type"] == "ephemeral"
        return str(body["text"])


@asynccontextmanager
async def alert_bot(slack: SlackEmulator, config: OrchestrationConfig) -> AsyncIterator[AlertBot]:
    """Serve the real app on a free port until the block ends, with no alert left by another
    test (the Prefect server is shared: their alerts would escalate in this test's Slack)."""
    await forget_alerts()
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.url)
    specs = flow_specs()
    launcher = Launcher(specs)
    services = _services(config, client, launcher, specs)
    launcher.ready.set()  # the alert buttons need Prefect only for the records: it is up
    app = build_app(services, client, await client.auth_test())
    runner = web.AppRunner(build_web_app(app, lambda: {"ok": True}), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, host="127.0.0.1", port=port).start()
    driver = AsyncSlackDriver(
        f"http://127.0.0.1:{port}/slack/events",
        SIGNING_SECRET,
        response_url_base=slack.response_url_base,
    )
    deliveries = Deliveries(DeliveryContext(client, services))
    try:
        yield AlertBot(slack, services, driver, deliveries)
    finally:
        await driver.aclose()
        await runner.cleanup()


async def forget_alerts() -> None:
    """Delete every alert record and its claims."""
    for kind in ("alert", "alertstep", "alertack", "alertrecovery"):
        records = Records(kind)
        for key in await records.all():
            await records.delete(key)


def alert_messages(slack: SlackEmulator) -> list[dict[str, Any]]:
    """Top-level alert messages in the channel (they carry the alert block or a CPU header)."""
    return [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if (m.get("blocks") or [{}])[0].get("type") == "header" and "CPU" in json.dumps(m)
    ]


def message(slack: SlackEmulator, ts: str) -> dict[str, Any]:
    """The message as it is now (after updates)."""
    return next(m for m in slack.messages(CHANNEL) if m["ts"] == ts)


def buttons(msg: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in msg.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def replies(slack: SlackEmulator, ts: str) -> list[str]:
    """The texts of the replies in the alert's thread."""
    return [m["text"] for m in slack.thread(CHANNEL, ts)[1:]]


def dms(slack: SlackEmulator, user: str) -> list[str]:
    return [m["text"] for m in slack.messages(user)]


def audited(data_dir: Path, alert_run: str | None = None) -> list[tuple[AuditKind, str, int]]:
    """(kind, actor, level) of the trail's alert and denial records, oldest first."""
    kinds = {
        AuditKind.ALERT_RAISED,
        AuditKind.ALERT_RECOVERED,
        AuditKind.ALERT_ACKNOWLEDGED,
        AuditKind.ALERT_ESCALATED,
        AuditKind.DENIED,
    }
    return [
        (r.kind, r.actor, r.level or 0)
        for r in read_local(data_dir)
        if r.kind in kinds and (alert_run is None or r.run_name == alert_run)
    ]
