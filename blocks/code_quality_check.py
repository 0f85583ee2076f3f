"""The final Block Kit result of a code quality check: verdict, new findings, complexity."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import result_actions
from blocks.analysis import SEVERITY_MARKS, slack_link
from blocks.text import clip, clip_lines, escape
from workflows.models.code_quality_check import (
    MARKS,
    QualityCheckResult,
    complexity_lines,
)
from workflows.quality_gate.matching import NewFinding

TOP_FINDINGS = 15
REVIEW_EVENTS = {"REQUEST_CHANGES": "changes requested", "COMMENT": "commented"}


def quality_text(result: QualityCheckResult) -> str:
    """Plain-text fallback for notifications."""
    return f"Quality gate on pull request #{result.pull.number}: {result.headline()}"


def quality_outcome(result: QualityCheckResult) -> str:
    """The parent message's outcome: `❌ fail: 3 new findings`."""
    count = len(result.new_findings)
    noun = "finding" if count == 1 else "findings"
    return f"{MARKS[result.verdict]} {result.verdict.value}: {count} new {noun}"


def new_finding_line(result: QualityCheckResult, new: NewFinding) -> str:
    """`🟠 <link|path:12> *bare-except* message`, the link at the analysed head commit."""
    f = new.finding
    where = slack_link(result.pull.line_url(f.path, f.line), f"{f.path}:{f.line}")
    return f"{SEVERITY_MARKS[f.severity]} {where} *{escape(f.rule)}* {escape(f.message)}"


def verdict_text(result: QualityCheckResult) -> str:
    """Verdict, link to the pull request, counts and the reasons."""
    pull = result.pull
    link = slack_link(pull.html_url, f"#{pull.number} {pull.title}")
    lines = [
        f"{MARKS[result.verdict]} *{result.verdict.value.upper()}* · {link}",
        escape(result.counts()),
        *[f"• {escape(reason)}" for reason in result.decision.reasons],
    ]
    return "\n".join(lines)


def count_fields(result: QualityCheckResult) -> list[MarkdownTextObject]:
    """New errors, warnings and infos; findings already there; the largest complexity growth."""
    d, t = result.decision, result.thresholds
    growth = f"+{d.complexity_increase}" if d.complexity_increase else "none"
    return [
        MarkdownTextObject(text=f"*New errors*\n{d.new_errors} (max {t.max_new_errors})"),
        MarkdownTextObject(text=f"*New warnings*\n{d.new_warnings} (max {t.max_new_warnings})"),
        MarkdownTextObject(text=f"*New info*\n{d.new_infos}"),
        MarkdownTextObject(text=f"*Already there*\n{result.existing_findings}"),
        MarkdownTextObject(
            text=f"*Complexity growth*\n{growth} (max +{t.max_complexity_increase})"
        ),
    ]


def _publication(result: QualityCheckResult) -> str | None:
    parts = []
    if result.review_url:
        event = REVIEW_EVENTS.get(result.review_event or "", "reviewed")
        parts.append(f"Review: {slack_link(result.review_url, event)}")
    if result.check is not None:
        label = f"{result.check.name}: {result.check.conclusion}"
        parts.append(f"Check: {slack_link(result.check.html_url or '', label)}")
    if not result.request.publish:
        parts.append("Not posted on GitHub (publish=false)")
    return " · ".join(parts) or None


def quality_blocks(result: QualityCheckResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, verdict, counts, new findings with links, complexity delta, buttons, footer."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Quality gate on pull request #{result.pull.number}", 150)),
        SectionBlock(text=MarkdownTextObject(text=clip(verdict_text(result), 3000))),
        SectionBlock(fields=count_fields(result)),
        DividerBlock(),
    ]
    if result.new_findings:
        shown = result.new_findings[:TOP_FINDINGS]
        lines = ["*New on the changed lines*", *(new_finding_line(result, n) for n in shown)]
        hidden = len(result.new_findings) - len(shown)
        text = clip_lines(lines, 3000, more="_…and {n} more (see the review)_", hidden=hidden)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    else:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="✨ Nothing new on the changed lines."))
        )
    if result.complexity:
        lines = ["*Complexity of changed functions*"]
        lines += [escape(line) for line in complexity_lines(result)]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip_lines(lines, 3000))))
    notes = [note for note in (_publication(result),) if note]
    notes += [f"⚠️ {escape(w)}" for w in result.warnings]
    if notes:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=clip("\n".join(notes), 3000))])
        )
    blocks.append(result_actions(run_id))
    pull = result.pull
    base = (pull.merge_base or pull.base_sha)[:12]
    footer = (
        f"`{escape(pull.head_ref)}` `{pull.head_sha[:12]}` against `{escape(pull.base_ref)}` "
        f"`{base}` · {result.files_analyzed} files analysed · "
        f"Prefect run `{escape(run_name or run_id)}`"
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(footer, 3000))]))
    return blocks
