"""`/cicd help` and `/cicd workflows` as Block Kit."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.text import clip_lines
from workflows.types import CATALOG, WorkflowType

HELP_TEXT = (
    "*/cicd analyze* `<component>` `[--ref <branch|tag|sha>]` — analyse a path in the repository\n"
    "*/cicd cleanup* `<component>` `[--ref <branch>]` — remove dead code on a branch, "
    "after an approval\n"
    "*/cicd run* `<type> key=value ...` — start any workflow type that runs today, e.g. "
    "`/cicd run component_analysis component=src options.min_confidence=90`\n"
    "*/cicd health* `[window_hours=24]` — host, integrations, run rates and alerts, judged "
    "against the thresholds\n"
    "*/cicd digest* `[#channel]` — the channel health digest, posted now with its trend chart\n"
    '*/cicd schedule* `list` · `add <name> "<cron>"|every=5m <type> [key=value ...]` · '
    "`remove <name>` — run any type on a schedule\n"
    "*/cicd audit* `[run]` — who requested, approved, escalated, re-ran or cancelled what\n"
    "*/cicd workflows* — the 20 workflow types, which run today and their parameters\n"
    "*/cicd help* — this message"
)


def help_blocks(repo_label: str) -> list[Block]:
    """What the bot understands, with an example."""
    return [
        HeaderBlock(text="cicd: CI/CD from Slack"),
        SectionBlock(text=MarkdownTextObject(text=HELP_TEXT)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Example: `/cicd analyze contexten/agents` · repository: `{repo_label}`"
                )
            ]
        ),
    ]


def workflows_blocks(parameters: Mapping[WorkflowType, list[str]] | None = None) -> list[Block]:
    """The catalogue: each type that runs with its `key=value` parameters, then the others."""
    parameters = parameters or {}
    blocks: list[Block] = [HeaderBlock(text="Workflow types")]
    for info in CATALOG.values():
        if info.implemented:
            lines = [f"✅ *`/cicd run {info.workflow.value}`* — {info.summary}"]
            lines += [f"• {line}" for line in parameters.get(info.workflow, [])]
            blocks.append(SectionBlock(text=MarkdownTextObject(text=clip_lines(lines, 3000))))
    waiting = [
        f"⏳ `{info.workflow.value}` — {info.summary}"
        for info in CATALOG.values()
        if not info.implemented
    ]
    if waiting:
        text = clip_lines(["*Not implemented yet*", *waiting], 3000)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    return blocks
