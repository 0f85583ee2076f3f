"""The final Block Kit result of a component analysis."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import finding_issue_button, result_actions
from blocks.text import clip, duration, escape
from workflows.analysis.models import Finding, Severity
from workflows.analysis.scores import category_scores, overall_score
from workflows.models.component_analysis import ComponentAnalysisResult, headline

CATEGORY_LABELS = {
    "code_quality": "Code quality",
    "architecture": "Architecture",
    "integration": "Integration",
    "security": "Security",
}
SEVERITY_MARKS = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}
TOP_FINDINGS = 10


def analysis_text(result: ComponentAnalysisResult) -> str:
    """Plain-text fallback for notifications."""
    return f"Analysis of {result.component_label}: {headline(result)}"


def finding_line(finding: Finding) -> str:
    """`🟠 `path:line` unused-function: message`"""
    where = escape(f"{finding.path}:{finding.line}")
    mark = SEVERITY_MARKS[finding.severity]
    return f"{mark} `{where}` *{escape(finding.rule)}* {escape(finding.message)}"


def score_text(score: float) -> str:
    """`87/100`; truncated, so only a report without findings shows 100/100."""
    return f"{int(score)}/100"


def category_fields(result: ComponentAnalysisResult) -> list[MarkdownTextObject]:
    """One field per category: `*Code quality*` over `12 · 87/100` (count, then score)."""
    scores = category_scores(result.report)
    return [
        MarkdownTextObject(
            text=f"*{CATEGORY_LABELS.get(name, name)}*\n{count} · {score_text(scores[name])}"
        )
        for name, count in result.report.counts_by_category().items()
    ]


def slack_link(url: str, label: str) -> str:
    """`<url|label>` with both parts made safe for mrkdwn; a non-web URL gives the label only."""
    if not url.startswith(("https://", "http://")):
        return escape(label)
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|{escape(label).replace('|', '¦')}>"


def linear_line(result: ComponentAnalysisResult) -> str | None:
    """`📋 Linear: <url|ZAM-12>` when the run was recorded in a Linear issue."""
    issue = result.linear_issue
    return f"📋 Linear: {slack_link(issue.url, issue.identifier)}" if issue else None


def finding_blocks(findings: list[Finding], run_id: str) -> list[Block]:
    """One section per listed finding, each with its own Open issue button."""
    return [
        SectionBlock(
            block_id=f"cicd_finding_{index}",
            text=MarkdownTextObject(text=clip(finding_line(finding), 3000)),
            accessory=finding_issue_button(run_id, index),
        )
        for index, finding in enumerate(findings)
    ]


def analysis_blocks(
    result: ComponentAnalysisResult, run_id: str, run_name: str = ""
) -> list[Block]:
    """Header, counts and scores per category, top findings with file:line, the buttons."""
    report = result.report
    overall = f"overall score *{score_text(overall_score(report))}*"
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Analysis of {result.component_label}", 150)),
        SectionBlock(text=MarkdownTextObject(text=f"{escape(headline(result))} · {overall}")),
        SectionBlock(fields=category_fields(result)),
    ]
    linear = linear_line(result)
    if linear:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=linear)]))
    by_rule = report.counts_by_rule()
    if by_rule:
        rules = " · ".join(f"{escape(rule)}: {n}" for rule, n in by_rule.items())
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(rules, 3000))]))
    blocks.append(DividerBlock())
    top = result.top_findings(TOP_FINDINGS)
    if top:
        blocks += finding_blocks(top, run_id)
        hidden = len(report.findings) - len(top)
        if hidden > 0:
            more = f"_…and {hidden} more (full list in the Prefect run's artifact)_"
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="✨ No findings. Clean code!")))
    if report.parse_errors:
        names = ", ".join(f"`{escape(p)}`" for p in report.parse_errors[:5])
        note = f"⚠️ {len(report.parse_errors)} file(s) had syntax errors: {names}"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(note, 3000))]))
    if result.warnings:
        notes = "\n".join(f"⚠️ {escape(w)}" for w in result.warnings)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(notes, 3000))]))
    blocks.append(result_actions(run_id))
    where = f"commit `{result.commit[:12]}` · " if result.commit else ""
    footer = f"{where}Prefect run `{escape(run_name or run_id)}` · {duration(report.duration_s)}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks
