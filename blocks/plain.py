"""Block Kit as plain text for the terminal: the same result a thread shows, without Slack.

Headers, sections (text and fields) and context lines are kept; buttons are dropped; Slack's
mrkdwn is undone (`*bold*`, `` `code` ``, `<url|label>`, `<@U123>`, escaped `&<>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
    TextObject,
)

_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^<>]+)>")
_MENTION = re.compile(r"<[@#!]([A-Za-z0-9^|]+)>")
_CODE = re.compile(r"(`[^`]*`)")
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(\S(?:.*?\S)?)\1(?![\w*_~])")


def plain_text(blocks: Iterable[Block]) -> str:
    """The blocks' words, one block per paragraph."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, HeaderBlock) and block.text is not None:
            title = unmark(_text_of(block.text))
            lines += [title, "=" * len(title)]
        elif isinstance(block, SectionBlock):
            if block.text is not None:
                lines.append(unmark(_text_of(block.text)))
            lines += [unmark(_text_of(f)) for f in block.fields or []]
        elif isinstance(block, ContextBlock):
            words = [_text_of(e) for e in block.elements if isinstance(e, TextObject)]
            if words:
                lines.append(unmark("  ".join(words)))
        elif isinstance(block, DividerBlock):
            lines.append("-" * 40)
    return "\n".join(lines)


def _text_of(text: TextObject | str) -> str:
    return text if isinstance(text, str) else text.text


def unmark(text: str) -> str:
    """Slack mrkdwn as plain text."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _MENTION.sub(lambda m: "@" + m.group(1).split("|")[-1], text)
    parts = _CODE.split(text)  # code spans keep their `*` and `_`
    text = "".join(p[1:-1] if _CODE.fullmatch(p) else _EMPHASIS.sub(r"\2", p) for p in parts)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
