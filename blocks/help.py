"""`/cicd help` and `/cicd workflows` as Block Kit."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.text import clip_lines
from workflows.types import CATALOG

HELP_TEXT = (
    "*/cicd analyze* `<component>` `[--ref <branch|tag|sha>]` — analyse a path in the repository\n"
    "*/cicd cleanup* `<component>` `[--ref <branch>]` — remove dead code on a branch, "
    "after an approval\n"
    "*/cicd audit* `[run]` — who requested, approved, escalated, re-ran or cancelled what\n"
    "*/cicd workflows* — the 20 workflow types and which run today\n"
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


def workflow_lines() -> list[str]:
    """One line per workflow type, saying honestly whether it runs yet."""
    return [
        f"{'✅' if info.implemented else '⏳'} `{info.workflow.value}` — {info.summary}"
        + ("" if info.implemented else " _(not implemented yet)_")
        for info in CATALOG.values()
    ]


def workflows_blocks() -> list[Block]:
    """The catalogue of workflow types."""
    return [
        HeaderBlock(text="Workflow types"),
        SectionBlock(text=MarkdownTextObject(text=clip_lines(workflow_lines(), 3000))),
    ]
