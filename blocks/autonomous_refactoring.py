"""The final Block Kit result of an autonomous refactoring (a Codegen agent run)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import retry_button
from blocks.analysis import slack_link
from blocks.approvals import slack_date, who_text
from blocks.text import clip, clip_lines, escape
from workflows.models.autonomous_refactoring import RefactoringOutcome, RefactoringResult

MARKS = {
    RefactoringOutcome.PULL_REQUEST: "✅",
    RefactoringOutcome.NO_PULL_REQUEST: "⚪",
    RefactoringOutcome.STILL_RUNNING: "⏳",
    RefactoringOutcome.REJECTED: "❌",
    RefactoringOutcome.TIMED_OUT: "⌛",
}
OUTCOME_WORDS = {
    RefactoringOutcome.PULL_REQUEST: "pull request opened",
    RefactoringOutcome.NO_PULL_REQUEST: "done, no pull request",
    RefactoringOutcome.STILL_RUNNING: "still running in Codegen",
    RefactoringOutcome.REJECTED: "rejected",
    RefactoringOutcome.TIMED_OUT: "nobody decided in time",
}
LISTED = 10


def parent_outcome(result: RefactoringResult) -> str:
    """What the thread's parent message says at the end: `✅ pull request opened`."""
    return f"{MARKS[result.outcome]} {OUTCOME_WORDS[result.outcome]}"


def refactoring_text(result: RefactoringResult) -> str:
    """Plain-text fallback for notifications."""
    link = f": {result.pull_request_url}" if result.pull_request_url else ""
    return f"Codegen fix for {result.request.component_label}: {result.headline()}{link}"


def outcome_text(result: RefactoringResult) -> str:
    """How it ended, the pull request and the agent run as links, and who decided."""
    line = f"{MARKS[result.outcome]} {escape(result.headline())}"
    if result.pull_request_url:
        label = result.pull_request_title or "Review the pull request"
        line += f"\n{slack_link(result.pull_request_url, label)}"
    if result.agent_url:
        status = f" ({result.agent_status})" if result.agent_status else ""
        label = f"Codegen agent run {result.agent_run_id or ''}".rstrip()
        line += f"\n{slack_link(result.agent_url, label)}{escape(status)}"
    if result.decided_by and result.decided_by != "policy":
        verb = "Rejected by" if result.outcome is RefactoringOutcome.TIMED_OUT else "Decided by"
        when = f" {slack_date(result.decided_at)}" if result.decided_at else ""
        line += f"\n{verb} {who_text(result.decided_by)}{when}"
        if result.comment:
            line += f": “{escape(clip(result.comment, 500))}”"
    return line


def refactoring_blocks(result: RefactoringResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, outcome with links, the agent's summary, the findings, Re-run and the footer."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Codegen fix for {result.request.component_label}", 150)),
        SectionBlock(text=MarkdownTextObject(text=clip(outcome_text(result), 3000))),
    ]
    if result.summary:
        said = f"_{escape(clip(result.summary, 2900))}_"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=said)))
    if result.findings:
        lines = [
            f"`{escape(f'{f.path}:{f.line}')}` *{escape(f.rule)}* {escape(f.message)}"
            for f in result.findings[:LISTED]
        ]
        hidden = len(result.findings) - len(lines)
        text = clip_lines(lines, 3000, hidden=hidden)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    blocks.append(ActionsBlock(block_id="cicd_result_actions", elements=[retry_button(run_id)]))
    footer = f"Prefect run `{escape(run_name or run_id)}`"
    if result.request.source_run:
        footer += f" · findings of run `{escape(result.request.source_run)}`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(footer, 3000))]))
    return blocks
