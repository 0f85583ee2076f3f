"""`/cicd audit [run]`: the audit trail as Block Kit (newest last, as a log reads)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.approvals import slack_date
from blocks.text import clip, escape
from workflows.governance.audit import AuditKind, AuditRecord

MARKS = {
    AuditKind.REQUESTED: "🔐",
    AuditKind.APPROVED: "✅",
    AuditKind.REJECTED: "❌",
    AuditKind.ESCALATED: "⏫",
    AuditKind.TIMED_OUT: "⌛",
    AuditKind.DENIED: "⛔",
    AuditKind.STARTED: "▶️",
    AuditKind.START_DENIED: "⛔",
    AuditKind.RETRIED: "🔁",
    AuditKind.CANCELLED: "🛑",
    AuditKind.JOBS_RERUN: "♻️",
    AuditKind.ISSUE_OPENED: "📋",
    AuditKind.ALERT_RAISED: "🚨",
    AuditKind.ALERT_RECOVERED: "✅",
    AuditKind.ALERT_ACKNOWLEDGED: "👀",
    AuditKind.ALERT_ESCALATED: "⏫",
    AuditKind.SCHEDULE_ADDED: "🗓️",
    AuditKind.SCHEDULE_REMOVED: "🗑️",
    AuditKind.SCHEDULE_DENIED: "⛔",
    AuditKind.SCHEDULE_FIRED: "⏰",
}


def audit_line(entry: AuditRecord) -> str:
    """`🔐 <date> <@U0001> asked for approval of … · run `brave-fox` · message`."""
    who = "the system" if entry.actor == "system" else f"<@{entry.actor}>"
    line = f"{MARKS.get(entry.kind, '•')} {slack_date(entry.at)} {who} {escape(entry.what)}"
    if entry.run_name:
        line += f" · run `{escape(entry.run_name)}`"
    if entry.permalink and entry.permalink.startswith("https://"):
        line += f" · <{entry.permalink}|message>"
    return line


def audit_blocks(entries: list[AuditRecord], run: str | None) -> list[Block]:
    """Up to 40 records, several per section, within Slack's limits."""
    title = f"Audit trail of {run}" if run else "Audit trail"
    blocks: list[Block] = [HeaderBlock(text=clip(title, 150))]
    if not entries:
        what = f"run `{escape(run)}`" if run else "any run"
        text = f"Nothing recorded for {what} yet."
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=text))]
    shown = entries[-40:]
    chunk: list[str] = []
    for line in (audit_line(e) for e in shown):
        if chunk and sum(len(c) + 1 for c in chunk) + len(line) > 2900:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        chunk.append(clip(line, 2900))
    blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    note = f"{len(shown)} of {len(entries)} record(s) · `cicd audit` in a terminal shows more"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks[:50]
