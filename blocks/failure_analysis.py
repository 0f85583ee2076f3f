"""The final Block Kit result of a failure analysis: the run, each failed job's kind and
evidence, flakiness, suspect commits, the recommendation, and the buttons to act on it."""

from __future__ import annotations

from typing import cast

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import rerun_failed_jobs_button, result_actions
from blocks.analysis import slack_link
from blocks.text import clip, clip_lines, escape
from workflows.failure_logs import FailureKind
from workflows.failure_logs.advice import Action
from workflows.models.failure_analysis import FailureAnalysisResult, JobDiagnosis, SuspectCommits

KIND_MARKS = {
    FailureKind.TEST: "🧪",
    FailureKind.LINT: "🧹",
    FailureKind.BUILD: "🏗️",
    FailureKind.TIMEOUT: "⏱️",
    FailureKind.OUT_OF_MEMORY: "💾",
    FailureKind.INFRASTRUCTURE: "🌐",
    FailureKind.UNKNOWN: "❔",
}
ACTION_MARKS = {
    Action.RERUN: "🔁",
    Action.LINEAR_ISSUE: "📋",
    Action.CODEGEN_FIX: "🤖",
    Action.NOTHING: "✨",
}
SHOWN_JOBS = 5
SHOWN_TESTS = 5
SHOWN_COMMITS = 8
SECTION = 3000


def failure_text(result: FailureAnalysisResult) -> str:
    """Plain-text fallback for notifications."""
    return (
        f"Failure analysis of {result.run.title}: {result.headline()}. "
        f"Recommended: {result.advice.label}."
    )


def failure_outcome(result: FailureAnalysisResult) -> str:
    """What the thread's parent message says at the end."""
    return f"{KIND_MARKS[result.kind]} {result.label} → {result.advice.label}"


def run_line(result: FailureAnalysisResult) -> str:
    """`<url|CI #42> on `main` · commit `abc1234` · failure · attempt 2`."""
    run = result.run
    parts = [slack_link(run.html_url, f"{run.workflow} #{run.number}")]
    if run.branch:
        parts[0] += f" on `{escape(run.branch)}`"
    parts.append(f"commit `{run.head_sha[:7]}`")
    parts.append(escape(run.conclusion or run.status or "unknown"))
    if run.attempt > 1:
        parts.append(f"attempt {run.attempt}")
    return " · ".join(parts)


def job_text(job: JobDiagnosis) -> str:
    """The job's kind, failed steps, failed tests and quoted evidence lines."""
    name = slack_link(job.html_url, job.name) if job.html_url else f"`{escape(job.name)}`"
    head = f"{KIND_MARKS[job.kind]} *{escape(job.label)}* in {name}"
    if job.failed_steps:
        head += " (step " + ", ".join(f"`{escape(s)}`" for s in job.failed_steps) + ")"
    lines = [head]
    for test in job.tests[:SHOWN_TESTS]:
        why = f" — {escape(clip(test.assertion, 200))}" if test.assertion else ""
        lines.append(f"• `{escape(clip(test.id, 200))}`{why}")
    if len(job.tests) > SHOWN_TESTS:
        lines.append(f"…and {len(job.tests) - SHOWN_TESTS} more failed tests")
    if job.note:
        lines.append(f"⚠️ {escape(job.note)}")
    text = "\n".join(lines)
    if job.evidence:
        quoted = [escape(f"{e.line:>5}  {e.text}") for e in job.evidence]
        room = SECTION - len(text) - 10
        text += "\n```" + clip_lines(quoted, max(room, 100)) + "```"
    return clip(text, SECTION)


def suspects_text(suspects: SuspectCommits) -> str:
    """The commits since the last green run, or why there are none."""
    if not suspects.commits:
        return f"*Suspect commits:* {escape(suspects.note or 'none')}"
    green = suspects.last_green
    since = ""
    if green is not None:
        since = f" since the last green run {slack_link(green.html_url, f'#{green.number}')}"
    title = f"*Suspect commits{since}* ({suspects.total})"
    if suspects.compare_url:
        title += f" · {slack_link(suspects.compare_url, 'compare')}"
    lines = []
    for commit in suspects.commits[-SHOWN_COMMITS:]:  # the newest are the likeliest
        sha = slack_link(commit.html_url, commit.sha[:7]) if commit.html_url else commit.sha[:7]
        who = commit.author_name or commit.author_login or "?"
        lines.append(f"• {sha} {escape(clip(commit.title, 120))} — {escape(who)}")
    hidden = max(0, suspects.total - min(len(suspects.commits), SHOWN_COMMITS))
    return title + "\n" + clip_lines(lines, SECTION - len(title) - 1, hidden=hidden)


def failure_blocks(result: FailureAnalysisResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, run, recommendation, the failed jobs, flakiness, suspects, buttons, footer."""
    advice = result.advice
    summary = f"{run_line(result)}\n*{escape(result.headline())}*"
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Failure analysis: {result.run.title}", 150)),
        SectionBlock(text=MarkdownTextObject(text=clip(summary, SECTION))),
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(
                    f"{ACTION_MARKS[advice.action]} *Recommended: {escape(advice.label)}.* "
                    f"{escape(advice.reason)}",
                    SECTION,
                )
            )
        ),
    ]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=job_text(job)))
        for job in result.jobs[:SHOWN_JOBS]
    ]
    if len(result.jobs) > SHOWN_JOBS:
        more = f"…and {len(result.jobs) - SHOWN_JOBS} more failed jobs (see the run)"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    mark = "🎲" if result.flakiness.flaky else "🔍"
    flaky = f"{mark} {escape(result.flakiness.summary(result.run.head_sha[:7]))}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(flaky, SECTION))]))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=suspects_text(result.suspects))))
    if result.warnings:
        notes = clip("\n".join(f"⚠️ {escape(w)}" for w in result.warnings), SECTION)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=notes)]))
    blocks.append(_buttons(result, run_id))
    footer = f"Prefect run `{escape(run_name or run_id)}` · {escape(result.repository)}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks


def _buttons(result: FailureAnalysisResult, run_id: str) -> ActionsBlock:
    """Re-run failed jobs (when some failed), then the standard result buttons."""
    standard = result_actions(run_id)
    if not result.jobs:
        return standard
    rerun = rerun_failed_jobs_button(
        run_id,
        result.repository,
        result.run.id,
        primary=result.advice.action is Action.RERUN,
    )
    buttons = cast(list[ButtonElement], standard.elements)
    return ActionsBlock(block_id=standard.block_id, elements=[rerun, *buttons])
