"""Messages about runs themselves: the thread's parent, failures and launch problems."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import ActionsBlock, Block, MarkdownTextObject, SectionBlock

from blocks.actions import retry_button
from blocks.text import clip, escape

_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def parent_text(title: str, user_id: str, schedule: str | None = None) -> str:
    """The channel message that becomes the run's thread."""
    return f"{title}… ({_asked_by(user_id, schedule)})"


def parent_done_text(title: str, outcome: str, user_id: str, schedule: str | None = None) -> str:
    """The parent message once the run is over."""
    return f"{title}: {outcome} ({_asked_by(user_id, schedule)})"


def _asked_by(user_id: str, schedule: str | None) -> str:
    """Who asked: a person, or the schedule that started the run."""
    return f"Scheduled by `{schedule}`" if schedule else f"asked by <@{user_id}>"


def failure_blocks(title: str, reason: str, run_id: str | None) -> list[Block]:
    """A failed or unstartable run, with a Re-run button when there is a run to repeat."""
    text = f"❌ *{escape(title)}* failed: {escape(clip(reason, 2500))}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if run_id:
        blocks.append(ActionsBlock(elements=[retry_button(run_id, primary=True)]))
    return blocks


def cancelled_blocks(title: str, reason: str, run_id: str) -> list[Block]:
    """A cancelled run (who cancelled it), with a Re-run button."""
    # The reason names who cancelled (`<@U…>`): keep that mention, escape everything else.
    safe = _MENTION.sub(r"<@\1>", escape(clip(reason, 2500)))
    text = f"🛑 *{escape(title)}* was cancelled: {safe}"
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(elements=[retry_button(run_id, primary=True)]),
    ]
