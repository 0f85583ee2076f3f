"""The final Block Kit result of a security audit: counts per level, the top advisories, the
code findings, what happened to the dependency fixes, and the buttons."""

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
from blocks.analysis import slack_link
from blocks.approvals import slack_date, who_text
from blocks.text import clip, clip_lines, escape
from workflows.models.security_audit import CodeFinding, FixOutcome, SecurityAuditResult
from workflows.security.advisories import Advisory, VulnerablePackage
from workflows.security.severity import Level

LEVEL_MARKS = {
    Level.CRITICAL: "🟥",
    Level.HIGH: "🔴",
    Level.MEDIUM: "🟠",
    Level.LOW: "🔵",
    Level.UNKNOWN: "⚪",
}
OUTCOME_MARKS = {
    FixOutcome.NONE: "✨",
    FixOutcome.NOT_PREPARED: "📝",
    FixOutcome.PULL_REQUEST: "✅",
    FixOutcome.BRANCH: "🌿",
    FixOutcome.REJECTED: "❌",
    FixOutcome.TIMED_OUT: "⌛",
}
TOP_ADVISORIES = 8
TOP_FINDINGS = 8


def audit_text(result: SecurityAuditResult) -> str:
    """Plain-text fallback for notifications."""
    return f"Security audit of {result.request.component_label}: {result.headline()}"


def audit_outcome(result: SecurityAuditResult) -> str:
    """The parent message's outcome: the worst level found, or clean."""
    counts = result.counts()
    found = [f"{n} {name}" for name, n in counts.items() if n]
    if not found:
        return "✅ no known vulnerabilities or dangerous code"
    worst = next(Level(name) for name, n in counts.items() if n)
    return f"{LEVEL_MARKS[worst]} " + ", ".join(found)


def count_fields(result: SecurityAuditResult) -> list[MarkdownTextObject]:
    """One field per level: `*🟥 critical*` over the count."""
    return [
        MarkdownTextObject(text=f"*{LEVEL_MARKS[Level(name)]} {name}*\n{n}")
        for name, n in result.counts().items()
        if n or name != Level.UNKNOWN.value
    ]


def advisory_line(package: VulnerablePackage, advisory: Advisory) -> str:
    """`🟥 <link|GHSA-…> django 3.2 → 3.2.19 (PyPI, requirements.txt:3) summary`."""
    fix = f"→ {package.fix_version}" if package.fix_version else "→ no fix yet"
    where = package.occurrences[0]
    more = f" +{len(package.occurrences) - 1}" if len(package.occurrences) > 1 else ""
    score = f" {advisory.score:.1f}" if advisory.score is not None else ""
    return (
        f"{LEVEL_MARKS[advisory.level]}{score} {slack_link(advisory.url, advisory.id)} "
        f"*{escape(package.name)}* {escape(package.version)} {escape(fix)} "
        f"(`{escape(f'{where.manifest}:{where.line}')}`{more}) {escape(advisory.summary)}"
    )


def top_advisories(result: SecurityAuditResult, limit: int = TOP_ADVISORIES) -> list[str]:
    """The worst advisories first (packages are already ordered worst first)."""
    return [advisory_line(p, a) for p, a in result.advisory_pairs()[:limit]]


def finding_line(finding: CodeFinding) -> str:
    """`🔴 `app/db.py:12` *sql-string-formatting* message` (messages never hold a secret)."""
    where = escape(f"{finding.path}:{finding.line}")
    return (
        f"{LEVEL_MARKS[finding.level]} `{where}` *{escape(finding.rule)}* {escape(finding.message)}"
    )


def fixes_text(result: SecurityAuditResult) -> str:
    """What happened to the fixable dependencies, who decided, and where the change is."""
    fixes = result.fixes
    line = f"{OUTCOME_MARKS[result.fix_outcome]} *Fixes:* {escape(result.outcome_line())}"
    if result.fix_outcome is FixOutcome.PULL_REQUEST and result.pull_request_url:
        label = f"Review pull request #{result.pull_request_number}"
        line += f"\n{slack_link(result.pull_request_url, label)}"
    elif result.fix_outcome is FixOutcome.BRANCH and fixes is not None:
        line += (
            f"\nBranch `{escape(fixes.branch)}` in `{escape(fixes.repo_path)}`: "
            f"`git switch {escape(fixes.branch)}` to look at it."
        )
    if result.decided_by or result.decided_at:
        verb = "Rejected by" if result.fix_outcome is FixOutcome.TIMED_OUT else "Decided by"
        when = f" {slack_date(result.decided_at)}" if result.decided_at else ""
        line += f"\n{verb} {who_text(result.decided_by)}{when}"
        if result.comment:
            line += f": “{escape(clip(result.comment, 500))}”"
    manual = [
        f"• {escape(m.name)} {escape(m.current)} → {escape(m.target)}: {escape(m.how)}"
        for m in result.manual_fixes
    ]
    if manual:
        line += "\n*By hand:*\n" + clip_lines(manual, 1200)
    return line


def _notes(result: SecurityAuditResult) -> str:
    checked = len({d.key for d in result.dependencies})
    notes = [
        f"{checked} dependency versions checked in {len(result.manifests)} manifest(s) "
        f"(pins as written, ranges at their lowest allowed version, lockfiles as locked); "
        f"{result.files_scanned} files scanned"
    ]
    if result.unchecked:
        names = ", ".join(sorted({u.name for u in result.unchecked})[:8])
        notes.append(f"{len(result.unchecked)} not checked (no version to look up): {names}")
    notes += [f"⚠️ {w}" for w in result.warnings]
    return clip("\n".join(escape(n) for n in notes), 3000)


def audit_blocks(result: SecurityAuditResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, counts per level, advisories, code findings, fixes, notes, buttons, footer."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Security audit of {result.request.component_label}", 150)),
        SectionBlock(
            text=MarkdownTextObject(text=escape(result.headline())), fields=count_fields(result)
        ),
    ]
    if not result.osv_checked:
        text = "⚠️ *Dependencies were not checked*: OSV could not be asked (see below)."
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    advisories = top_advisories(result)
    if advisories:
        hidden = result.advisory_count - len(advisories)
        text = "*Vulnerable dependencies*\n" + clip_lines(advisories, 2900, hidden=hidden)
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=text))]
    findings = [finding_line(f) for f in result.code_findings[:TOP_FINDINGS]]
    if findings:
        hidden = len(result.code_findings) - len(findings)
        text = "*Secrets and dangerous code*\n" + clip_lines(findings, 2900, hidden=hidden)
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=text))]
    blocks += [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=clip(fixes_text(result), 3000))),
    ]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_notes(result))]))
    blocks.append(result_actions(run_id))
    footer = f"Prefect run `{escape(run_name or run_id)}`"
    if result.commit:
        footer += f" · commit `{result.commit[:12]}`"
    if result.sarif_path:
        footer += f" · SARIF `{escape(result.sarif_path)}`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(footer, 3000))]))
    return blocks
