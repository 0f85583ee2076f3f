"""The live progress message: a step list with marks and the elapsed time."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import cancel_button
from blocks.text import clip, duration, escape
from workflows.models.snapshots import RunSnapshot, StepStatus

MARKS = {
    StepStatus.PENDING: "⬜",
    StepStatus.RUNNING: "⏳",
    StepStatus.DONE: "✅",
    StepStatus.FAILED: "❌",
}
STATE_WORDS = {
    "SCHEDULED": "queued",
    "PENDING": "starting",
    "RUNNING": "running",
    "PAUSED": "waiting",
    "COMPLETED": "done",
    "FAILED": "failed",
    "CRASHED": "crashed",
    "CANCELLED": "cancelled",
    "CANCELLING": "cancelling",
}


def progress_text(title: str, snapshot: RunSnapshot) -> str:
    """The plain-text fallback (notifications, screen readers)."""
    state = STATE_WORDS.get(snapshot.state, snapshot.state.lower())
    return f"{title}: {state}, {duration(snapshot.elapsed_s)}"


def step_lines(snapshot: RunSnapshot) -> list[str]:
    """One line per step: mark, label and detail."""
    lines = []
    for step in snapshot.steps:
        detail = f" — {escape(step.detail)}" if step.detail else ""
        label = (
            f"*{escape(step.label)}*" if step.status is StepStatus.RUNNING else escape(step.label)
        )
        lines.append(f"{MARKS[step.status]} {label}{detail}")
    return lines


def progress_blocks(title: str, snapshot: RunSnapshot, *, cancellable: bool = False) -> list[Block]:
    """Blocks for the single progress message kept up to date in the thread.

    With `cancellable`, an unfinished run gets a Cancel button (above the footer).
    """
    state = STATE_WORDS.get(snapshot.state, snapshot.state.lower())
    head = f"*{escape(title)}* · {state} · {duration(snapshot.elapsed_s)}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(head, 3000))),
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join(step_lines(snapshot)), 3000))),
    ]
    if cancellable and snapshot.run_id and not snapshot.finished:
        blocks.append(
            ActionsBlock(block_id="cicd_run_actions", elements=[cancel_button(snapshot.run_id)])
        )
    footer = f"Prefect run `{escape(snapshot.run_name or snapshot.run_id)}`"
    if snapshot.message and not snapshot.succeeded:
        footer += f" · {escape(clip(snapshot.message, 300))}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks
