"""The final Block Kit result of a dead code cleanup."""

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
from blocks.approvals import slack_date, who_text
from blocks.text import clip, clip_lines, escape
from workflows.models.dead_code_cleanup import CleanupOutcome, CleanupResult, file_lines

MARKS = {
    CleanupOutcome.NOTHING: "✨",
    CleanupOutcome.PULL_REQUEST: "✅",
    CleanupOutcome.BRANCH: "🌿",
    CleanupOutcome.REJECTED: "❌",
    CleanupOutcome.TIMED_OUT: "⌛",
}


def cleanup_text(result: CleanupResult) -> str:
    """Plain-text fallback for notifications."""
    return f"Dead code cleanup of {result.request.component_label}: {result.headline()}"


def outcome_text(result: CleanupResult) -> str:
    """What happened to the change, and where to find it."""
    change = result.change
    mark = MARKS[result.outcome]
    line = f"{mark} {escape(result.headline())}"
    if result.outcome is CleanupOutcome.PULL_REQUEST and result.pull_request_url:
        line += f"\n<{result.pull_request_url}|Review pull request #{result.pull_request_number}>"
    elif result.outcome is CleanupOutcome.BRANCH and change is not None:
        line += (
            f"\nBranch `{escape(change.branch)}` in `{escape(change.repo_path)}`: "
            f"`git switch {escape(change.branch)}` to look at it."
        )
    if result.decided_by or result.decided_at:
        verb = {CleanupOutcome.TIMED_OUT: "Rejected by"}.get(result.outcome, "Decided by")
        when = f" {slack_date(result.decided_at)}" if result.decided_at else ""
        line += f"\n{verb} {who_text(result.decided_by)}{when}"
        if result.comment:
            line += f": “{escape(clip(result.comment, 500))}”"
    return line


def cleanup_blocks(result: CleanupResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, outcome, the files changed, warnings, a Re-run button and the footer."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Dead code cleanup of {result.request.component_label}", 150)),
        SectionBlock(text=MarkdownTextObject(text=clip(outcome_text(result), 3000))),
    ]
    change = result.change
    if change is not None and change.files:
        lines = [escape(line) for line in file_lines(change)]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip_lines(lines, 3000))))
    notes = []
    if change is not None and change.skipped:
        notes.append(f"{len(change.skipped)} fix(es) skipped as unsafe")
    notes += [f"⚠️ {w}" for w in result.warnings]
    if notes:
        text = clip("\n".join(escape(n) for n in notes), 3000)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    blocks.append(ActionsBlock(block_id="cicd_result_actions", elements=[retry_button(run_id)]))
    footer = f"Prefect run `{escape(run_name or run_id)}`"
    if result.commit:
        footer += f" · commit `{result.commit[:12]}`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks
