"""`/cicd schedule list`: the scheduler's jobs, one section each."""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.text import clip, escape
from workflows.schedules.models import ScheduleEntry

MAX_LISTED = 40  # Slack allows 50 blocks; a header, a footer and some room
SOURCES = {
    "config": "orchestration_config.yaml",
    "builtin": "built in (monitoring_enabled)",
    "slack": "added in Slack",
    "cli": "added in the terminal",
}


def schedule_line(entry: ScheduleEntry, next_at: datetime | None) -> str:
    """`*nightly-audit* · security_audit · every day …` as mrkdwn, one schedule."""
    params = json.dumps(entry.parameters, sort_keys=True) if entry.parameters else "defaults"
    upcoming = next_at.strftime("%Y-%m-%d %H:%M:%S %Z") if next_at else "never"
    source = SOURCES.get(entry.source, entry.source)
    if entry.created_by:
        source += f" by <@{entry.created_by}>"
    return (
        f"*{escape(entry.name)}* · `{entry.workflow.value}` → <#{entry.channel}>\n"
        f"{escape(entry.when())} · next: {upcoming}\n"
        f"parameters: `{escape(clip(params, 300))}` · {source}"
    )


def schedules_blocks(
    entries: list[ScheduleEntry], next_runs: dict[str, datetime | None]
) -> list[Block]:
    """The list, or how to add the first schedule."""
    blocks: list[Block] = [HeaderBlock(text=f"Schedules ({len(entries)})")]
    if not entries:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="No schedules yet. Add one: "
                    '`/cicd schedule add nightly-audit "0 2 * * *" security_audit` '
                    "or `/cicd schedule add hourly every=1h code_quality_check`."
                )
            )
        )
        return blocks
    for entry in entries[:MAX_LISTED]:
        line = schedule_line(entry, next_runs.get(entry.name))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
    more = len(entries) - MAX_LISTED
    footer = "Remove one with `/cicd schedule remove NAME`."
    if more > 0:
        footer = f"…and {more} more (`cicd schedule list` shows all). {footer}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks
