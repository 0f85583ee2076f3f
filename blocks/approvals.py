"""The approval message: what is asked, its state, and Approve / Reject / Escalate while open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)

from blocks import actions as ids
from blocks.text import clip, clip_lines, escape
from workflows.governance.access import Principals
from workflows.governance.approvals import ApprovalRequest

RISK_MARKS = {"low": "🟢", "medium": "🟠", "high": "🔴"}
OUTCOMES = {
    "approved": ("✅", "Approved"),
    "rejected": ("❌", "Rejected"),
    "timed_out": ("⌛", "Rejected: nobody decided in time"),
    "cancelled": ("🛑", "Run cancelled"),
    "gone": ("⚪", "No longer waiting"),
}


@dataclass(frozen=True)
class Waiting:
    """An open request: its escalation level and who may decide now."""

    level: int  # 0 for the first level
    levels: int
    deciders: Principals
    next_at: datetime | None
    next_notify: Principals | None  # None: the next thing is the timeout


@dataclass(frozen=True)
class Closed:
    """A request that was decided (or can no longer be)."""

    outcome: str  # a key of OUTCOMES
    who: str | None
    at: datetime
    note: str = ""


def slack_date(at: datetime) -> str:
    """`<!date^…>`: shown in each reader's own time zone."""
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def who_text(who: str | None) -> str:
    """`<@U0003>` for a person; the timeout and the system in words."""
    if not who:
        return "someone"
    if who in ("timeout", "system", "policy"):
        return f"the {who}"
    return f"<@{who}>"


def approval_text(request: ApprovalRequest, status: Waiting | Closed) -> str:
    """The notification text."""
    if isinstance(status, Waiting):
        return f"Approval needed: {request.title} ({request.summary})"
    mark, word = OUTCOMES.get(status.outcome, OUTCOMES["gone"])
    return f"{mark} {word}: {request.title}"


def _facts(request: ApprovalRequest, run_name: str) -> SectionBlock:
    reasons = f" ({escape('; '.join(request.risk_reasons))})" if request.risk_reasons else ""
    asked = f"<@{request.requested_by}>" if request.requested_by else "a schedule or the CLI"
    fields = [
        f"*Target*\n{clip(escape(request.target), 1900)}",
        f"*Risk*\n{RISK_MARKS.get(request.risk, '⚪')} {request.risk}{clip(reasons, 1900)}",
        f"*Requested by*\n{asked}",
        f"*Run*\n`{escape(run_name)}`",
    ]
    if request.linear_issue:
        fields.append(f"*Linear*\n{escape(request.linear_issue)}")
    return SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields])


def status_line(status: Waiting | Closed) -> str:
    """Who decided when; or the level, who may decide, and what happens next."""
    if isinstance(status, Closed):
        mark, word = OUTCOMES.get(status.outcome, OUTCOMES["gone"])
        line = f"{mark} *{word}* by {who_text(status.who)} {slack_date(status.at)}"
        return line + (f" · {escape(status.note)}" if status.note else "")
    deciders = status.deciders.mentions() or "anyone but the requester"
    parts = [f"⏳ Level {status.level + 1} of {status.levels}", f"may decide: {deciders}"]
    if status.next_at is not None:
        if status.next_notify is None:
            parts.append(f"rejected automatically {slack_date(status.next_at)} if nobody decides")
        else:
            target = status.next_notify.mentions() or "the next level"
            parts.append(f"escalates to {target} {slack_date(status.next_at)}")
    return " · ".join(parts)


def approval_buttons(run_id: str, name: str) -> ActionsBlock:
    """Approve, Reject (asks why first), Escalate; the value names the run, not the bot's memory."""
    value = ids.approval_value(run_id, name)
    return ActionsBlock(
        block_id="cicd_approval",
        elements=[
            ButtonElement(text="Approve", action_id=ids.APPROVE, value=value, style="primary"),
            # Reject opens a modal that asks why (and so confirms).
            ButtonElement(text="Reject", action_id=ids.REJECT, value=value, style="danger"),
            ButtonElement(text="Escalate", action_id=ids.ESCALATE, value=value),
        ],
    )


def approval_blocks(
    request: ApprovalRequest, run_id: str, run_name: str, status: Waiting | Closed
) -> list[Block]:
    """The whole message; buttons only while the request is open."""
    if isinstance(status, Waiting):
        head = "🔐 Approval needed"
    else:
        mark, word = OUTCOMES.get(status.outcome, OUTCOMES["gone"])
        head = f"{mark} {word}"
    what = f"*{escape(request.title)}*\n{escape(request.summary)}"
    blocks: list[Block] = [
        HeaderBlock(text=clip(head, 150)),
        SectionBlock(text=MarkdownTextObject(text=clip(what, 3000))),
        _facts(request, run_name),
    ]
    if request.details:
        details = clip_lines([escape(d) for d in request.details], 3000)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=details)))
    digest = f" · change `{request.digest[:12]}`" if request.digest else ""
    line = clip(status_line(status) + digest, 3000)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    if isinstance(status, Waiting):
        blocks.append(approval_buttons(run_id, request.name))
    return blocks


def escalation_text(level: int, notify: Principals, permalink: str | None, by: str | None) -> str:
    """The thread reply when a request moves up a level."""
    who = notify.mentions() or "the next level"
    link = f"<{permalink}|the approval request>" if permalink else "the approval request above"
    because = f" by <@{by}>" if by else " (nobody decided in time)"
    return f"⏫ Escalated to level {level + 1}{because}: {who}, please decide on {link}."


def direct_text(request: ApprovalRequest, level: int, permalink: str | None) -> str:
    """The DM sent to each person a level reaches."""
    link = f"<{permalink}|Open the request>" if permalink else "See the run's thread"
    return (
        f"🔐 Your approval is needed (level {level + 1}): *{escape(request.title)}* — "
        f"{escape(request.summary)}. Risk: {request.risk}. {link}."
    )


REASON_BLOCK = "reason"


def reject_modal(
    request: ApprovalRequest, value: str, channel: str, message_ts: str, thread_ts: str = ""
) -> dict:
    """The modal Reject opens: confirms, and asks why (optional; the requester will see it)."""
    what = f"Reject *{escape(request.title)}*?\nThe prepared change is discarded and the run ends."
    return {
        "type": "modal",
        "callback_id": ids.REJECT_REASON,
        "private_metadata": json.dumps(
            {"value": value, "channel": channel, "ts": message_ts, "thread": thread_ts}
        ),
        "title": {"type": "plain_text", "text": "Reject the change"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [
            SectionBlock(text=MarkdownTextObject(text=clip(what, 3000))).to_dict(),
            InputBlock(
                block_id=REASON_BLOCK,
                label="Why? (shown in the thread and the audit trail)",
                optional=True,
                element=PlainTextInputElement(
                    action_id=REASON_BLOCK, multiline=True, max_length=500
                ),
            ).to_dict(),
        ],
    }
