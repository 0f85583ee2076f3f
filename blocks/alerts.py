"""The alert message: what crossed which threshold since when, its state, and Acknowledge /
Escalate while it is active. Short lines and two-column fields, so it reads on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.approvals import slack_date, who_text
from blocks.text import clip, escape
from workflows.models.health_check import AlertMetric

ACKNOWLEDGE = "alert_acknowledge"
ESCALATE = "alert_escalate"
ACTIONS = (ACKNOWLEDGE, ESCALATE)

MARKS = {
    AlertMetric.CPU: "🔥",
    AlertMetric.MEMORY: "🧠",
    AlertMetric.DISK: "💾",
    AlertMetric.ERROR_RATE: "💥",
    AlertMetric.WORKFLOW_FAILURE_RATE: "📉",
}
LABELS = {
    AlertMetric.CPU: "CPU",
    AlertMetric.MEMORY: "Memory",
    AlertMetric.DISK: "Disk",
    AlertMetric.ERROR_RATE: "Error rate",
    AlertMetric.WORKFLOW_FAILURE_RATE: "Workflow failure rate",
}


def percent(value: float) -> str:
    """`92.5%`, `80%`: thresholds and readings are percentages."""
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class AlertView:
    """What an alert message shows; `level` counts from 0."""

    alert_id: str
    metric: AlertMetric
    value: float
    threshold: float
    since: datetime
    run_name: str
    levels: int
    level: int = 0
    detail: str = ""
    run_link: str | None = None
    notified: str = ""  # mentions of the people of the current level
    next_at: datetime | None = None  # when the next level is told, if it will be
    escalated_by: str | None = None  # who moved it to `level` (None: the schedule)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    recovered_at: datetime | None = None
    recovered_value: float | None = None

    @property
    def state(self) -> str:
        """active, acknowledged, escalated or recovered."""
        if self.recovered_at is not None:
            return "recovered"
        if self.acknowledged_by is not None:
            return "acknowledged"
        return "escalated" if self.level > 0 else "active"


def alert_text(view: AlertView) -> str:
    """The notification text (push notifications and screen readers show this)."""
    label = LABELS[view.metric]
    if view.state == "recovered":
        now = percent(view.recovered_value if view.recovered_value is not None else view.value)
        return f"✅ {label} recovered: {now} (threshold {percent(view.threshold)})"
    line = f"{MARKS[view.metric]} {label} alert: {percent(view.value)} "
    line += f"(threshold {percent(view.threshold)})"
    return line + (f" {view.notified}" if view.notified and view.state != "acknowledged" else "")


def _header(view: AlertView) -> str:
    label = LABELS[view.metric]
    if view.state == "recovered":
        return f"✅ {label} recovered"
    return f"{MARKS[view.metric]} {label} above {percent(view.threshold)}"


def _facts(view: AlertView) -> SectionBlock:
    run = (
        f"<{view.run_link}|{escape(view.run_name)}>"
        if view.run_link
        else f"`{escape(view.run_name)}`"
    )
    fields = [
        f"*Value*\n{percent(view.value)} (threshold {percent(view.threshold)})",
        f"*Since*\n{slack_date(view.since)}",
        f"*Level*\n{view.level + 1} of {view.levels}",
        f"*Run*\n{run}",
    ]
    if view.recovered_at is not None and view.recovered_value is not None:
        fields[0] = f"*Now*\n{percent(view.recovered_value)} (was {percent(view.value)})"
    return SectionBlock(fields=[MarkdownTextObject(text=clip(f, 2000)) for f in fields])


def status_line(view: AlertView) -> str:
    """Where the alert stands: who was told, who acknowledged, when it recovered."""
    parts: list[str] = []
    if view.recovered_at is not None:
        parts.append(f"✅ *Recovered* {slack_date(view.recovered_at)}")
    if view.acknowledged_by is not None:
        when = f" {slack_date(view.acknowledged_at)}" if view.acknowledged_at else ""
        parts.append(f"👀 Acknowledged by {who_text(view.acknowledged_by)}{when}")
        if view.recovered_at is None:
            parts.append("escalation stopped")
    if view.recovered_at is None and view.acknowledged_by is None:
        if view.level > 0:
            by = f" by {who_text(view.escalated_by)}" if view.escalated_by else ""
            parts.append(f"⏫ Escalated to level {view.level + 1} of {view.levels}{by}")
        else:
            parts.append("🔴 *Active*")
        if view.notified:
            parts.append(f"paged: {view.notified}")
        if view.next_at is not None:
            parts.append(f"escalates {slack_date(view.next_at)} unless acknowledged")
    elif view.recovered_at is not None and view.acknowledged_by is None:
        parts.append("nobody acknowledged it")
    return " · ".join(parts)


def alert_buttons(view: AlertView) -> ActionsBlock | None:
    """Acknowledge until someone has; Escalate while the alert is active."""
    if view.recovered_at is not None:
        return None
    elements = []
    if view.acknowledged_by is None:
        elements.append(
            ButtonElement(
                text="Acknowledge", action_id=ACKNOWLEDGE, value=view.alert_id, style="primary"
            )
        )
    elements.append(ButtonElement(text="Escalate", action_id=ESCALATE, value=view.alert_id))
    return ActionsBlock(block_id="cicd_alert", elements=elements)


def alert_blocks(view: AlertView) -> list[Block]:
    """The whole message; buttons only while the alert is active."""
    blocks: list[Block] = [HeaderBlock(text=clip(_header(view), 150)), _facts(view)]
    if view.detail:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(escape(view.detail), 3000))))
    line = clip(status_line(view), 3000)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    buttons = alert_buttons(view)
    if buttons is not None:
        blocks.append(buttons)
    return blocks


def recovery_text(view: AlertView) -> str:
    """The reply in the alert's thread: `✅ cpu recovered: 41% (threshold 80%)`."""
    now = view.recovered_value if view.recovered_value is not None else view.value
    return f"✅ {view.metric.value} recovered: {percent(now)} (threshold {percent(view.threshold)})"


def escalation_text(view: AlertView, by: str | None, wait: str | None) -> str:
    """The thread reply that brings in a level."""
    who = view.notified or "nobody is named at this level"
    if by:
        how = f"by {who_text(by)}"
    else:
        how = f"automatically: nobody acknowledged within {wait}" if wait else "automatically"
    return f"⏫ Escalated to level {view.level + 1} of {view.levels} {how}: {who}"


def direct_text(view: AlertView, permalink: str | None) -> str:
    """The DM to each person of a level."""
    link = f" <{permalink}|Open the alert>" if permalink else ""
    return (
        f"{MARKS[view.metric]} A {LABELS[view.metric].lower()} alert needs you "
        f"(level {view.level + 1} of {view.levels}): {percent(view.value)}, threshold "
        f"{percent(view.threshold)}, since {slack_date(view.since)}.{link}"
    )
