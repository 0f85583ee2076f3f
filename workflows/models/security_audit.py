"""`security_audit`'s parameters, the dependency fixes it prepares and its result, plus the
pure parts: counts, risk, the approval request, the commit message and the Markdown report."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from workflows.analysis.models import Category, Finding, Severity
from workflows.dependencies.manifests import Dependency, UncheckedDependency
from workflows.dependencies.upgrades import ManualUpgrade, Upgrade, apply_upgrades
from workflows.dependencies.versions import parse_version
from workflows.governance.approvals import ApprovalRequest, Risk
from workflows.models.result_findings import ResultSource, under_component
from workflows.models.runs import GitRef, IssueId, RunOrigin
from workflows.repository.branch_changes import BranchChange
from workflows.repository.components import normalise_component
from workflows.security.advisories import Advisory, VulnerablePackage
from workflows.security.severity import ORDER, Level, at_least

SECURITY_RULES = (
    "hardcoded-secret",
    "eval-exec",
    "subprocess-shell",
    "unsafe-deserialization",
    "tls-verification-disabled",
    "sql-string-formatting",
)
SEVERITIES = {
    Level.CRITICAL: Severity.ERROR,
    Level.HIGH: Severity.ERROR,
    Level.MEDIUM: Severity.WARNING,
    Level.UNKNOWN: Severity.WARNING,
    Level.LOW: Severity.INFO,
}


class SecurityAuditRequest(BaseModel):
    """What to audit: a repository, or one component (path) of it."""

    repo: str = Field(description="a local path or a git URL")
    component: str = Field("", description="path inside the repository; empty for all of it")
    ref: GitRef | None = Field(
        None, description="branch to audit and to base the fixes on; None for what is there"
    )
    min_severity: Literal["low", "medium", "high", "critical"] = Field(
        "low",
        description="report only findings at or above this level (unrated advisories always)",
    )
    linear_issue_id: IssueId | None = Field(None, description="raised in priority on escalation")

    @property
    def component_label(self) -> str:
        """The component as a person would name it."""
        return self.component or "the whole repository"

    @property
    def floor(self) -> Level:
        """`min_severity` as a level."""
        return Level(self.min_severity)


class CodeFinding(BaseModel):
    """A dangerous pattern or secret in the code (the secret itself is never kept)."""

    rule: str
    level: Level
    path: str = Field(description="POSIX path relative to the repository root")
    line: int
    message: str
    confidence: int = 100


class DependencyFixes(BranchChange):
    """The manifest edits prepared on a branch, waiting for a decision."""

    upgrades: list[Upgrade] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

    def reapply(self, worktree: Path) -> None:
        """Make the same edits again (the worktree was lost before the commit)."""
        apply_upgrades(worktree, self.upgrades)

    def packages(self) -> list[tuple[str, str, str]]:
        """(name, from, to) per upgraded package, in order."""
        return list(dict.fromkeys((u.name, u.current, u.target) for u in self.upgrades))

    def summary(self) -> str:
        """`3 packages upgraded in 2 files, 5 advisories fixed`."""
        advisories = {a for u in self.upgrades for a in u.advisories}
        count, files = len(self.packages()), len(self.files)
        return (
            f"{count} package{'s' if count != 1 else ''} upgraded in {files} "
            f"file{'s' if files != 1 else ''}, {len(advisories)} "
            f"advisor{'ies' if len(advisories) != 1 else 'y'} fixed"
        )


class FixOutcome(StrEnum):
    """What happened to the fixable dependencies."""

    NONE = "none"  # nothing fixable by a manifest edit
    NOT_PREPARED = "not_prepared"  # fixes listed, but no branch (not a git repository ...)
    PULL_REQUEST = "pull_request"
    BRANCH = "branch"
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class SecurityAuditResult(BaseModel):
    """The outcome of one `security_audit` run."""

    request: SecurityAuditRequest
    commit: str | None = None
    manifests: list[str] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(
        default_factory=list, description="every dependency checked, with the version checked"
    )
    unchecked: list[UncheckedDependency] = Field(default_factory=list)
    osv_checked: bool = Field(True, description="False when OSV could not be asked")
    vulnerable: list[VulnerablePackage] = Field(default_factory=list)
    code_findings: list[CodeFinding] = Field(default_factory=list)
    files_scanned: int = 0
    manual_fixes: list[ManualUpgrade] = Field(default_factory=list)
    fix_outcome: FixOutcome = FixOutcome.NONE
    fixes: DependencyFixes | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str = ""
    fix_commit: str | None = None
    pull_request_url: str | None = None
    pull_request_number: int | None = None
    sarif: dict[str, Any] = Field(default_factory=dict, description="SARIF 2.1.0 log")
    sarif_path: str | None = None
    warnings: list[str] = Field(default_factory=list)

    @property
    def advisory_count(self) -> int:
        """(package, advisory) pairs found."""
        return sum(len(p.advisories) for p in self.vulnerable)

    def counts(self) -> dict[str, int]:
        """Findings per level, advisories and code findings together, every level present."""
        counts = Counter(a.level for p in self.vulnerable for a in p.advisories)
        counts.update(f.level for f in self.code_findings)
        return {level.value: counts.get(level, 0) for level in ORDER}

    def headline(self) -> str:
        """`2 critical, 1 high: 3 advisories in 2 of 14 dependencies, 2 code findings`."""
        levels = ", ".join(f"{n} {name}" for name, n in self.counts().items() if n)
        advisories = self.advisory_count
        code = len(self.code_findings)
        text = (
            f"{advisories} advisor{'ies' if advisories != 1 else 'y'} in {len(self.vulnerable)} "
            f"of {len({d.key for d in self.dependencies})} dependencies, {code} code "
            f"finding{'s' if code != 1 else ''}"
        )
        return f"{levels}: {text}" if levels else f"Nothing found: {text}"

    def advisory_pairs(self) -> list[tuple[VulnerablePackage, Advisory]]:
        """(package, advisory) pairs, the worst first, as the message lists them."""
        pairs = [(p, a) for p in self.vulnerable for a in p.advisories]
        return sorted(pairs, key=lambda pa: (-pa[1].level.rank, -(pa[1].score or 0.0)))

    # -- what the result buttons (Open issue, Ask for a fix) read --------------------------

    def top_findings(self, limit: int = 10) -> list[Finding]:
        """The advisories (at the dependency's manifest line), then the code findings, as the
        message lists them; paths relative to the audited component."""
        component = self.result_source().component
        found = [advisory_finding(p, a, component) for p, a in self.advisory_pairs()]
        found += [code_finding(f, component) for f in self.code_findings]
        return found[:limit]

    def result_source(self) -> ResultSource:
        """The audited repository, component and commit."""
        try:
            component = normalise_component(self.request.component)
        except ValueError:
            component = ""
        return ResultSource(repo=self.request.repo, component=component, commit=self.commit)

    def issue_title(self) -> str:
        """`Security audit of app: 1 critical: 1 advisory in 1 of 3 dependencies, ...`."""
        return f"Security audit of {self.request.component_label}: {self.headline()}"

    def issue_details(self) -> list[str]:
        """What happened to the dependency fixes, the manual upgrades, the warnings."""
        lines = [f"**Fixes:** {self.outcome_line()}"]
        if self.pull_request_url:
            lines.append(f"Pull request: {self.pull_request_url}")
        lines += [
            f"- manual: {m.name} {m.current} → {m.target}: {m.how}" for m in self.manual_fixes
        ]
        return lines + [f"- ⚠️ {w}" for w in self.warnings]

    def nothing_to_fix(self) -> str:
        """Nothing was found."""
        return "✨ The audit found no vulnerable dependency and no dangerous code: nothing to fix."

    def nothing_to_report(self) -> str | None:
        """A clean audit, where every dependency could be checked, is not worth an issue."""
        if self.vulnerable or self.code_findings or not self.osv_checked or self.warnings:
            return None
        return (
            "✨ The audit found no vulnerable dependency and no dangerous code; there is "
            "nothing to open an issue about."
        )

    def outcome_line(self) -> str:
        """What happened to the fixable dependencies, in one line."""
        what = self.fixes.summary() if self.fixes else ""
        match self.fix_outcome:
            case FixOutcome.NONE:
                return "No dependency fix to propose"
            case FixOutcome.NOT_PREPARED:
                return "Fixes listed, no branch prepared"
            case FixOutcome.PULL_REQUEST:
                return f"Pull request #{self.pull_request_number} opened: {what}"
            case FixOutcome.BRANCH:
                return f"Committed on branch {self.fixes.branch if self.fixes else '?'}: {what}"
            case FixOutcome.REJECTED:
                return f"Fixes rejected; nothing was changed ({what})"
            case FixOutcome.TIMED_OUT:
                return f"Nobody decided in time; nothing was changed ({what})"


def advisory_finding(package: VulnerablePackage, advisory: Advisory, component: str) -> Finding:
    """`django 3.2: summary; fixed in 3.2.19` at the first line declaring the package."""
    where = package.occurrences[0]
    fixed = f"fixed in {package.fix_version}" if package.fix_version else "no fixed version yet"
    summary = advisory.summary or "a known vulnerability"
    return Finding(
        rule=advisory.id,
        category=Category.SECURITY,
        severity=SEVERITIES[advisory.level],
        path=under_component(component, where.manifest),
        line=where.line,
        end_line=where.line,
        message=f"{package.name} {package.version}: {summary}; {fixed}",
        symbol=package.name,
    )


def code_finding(finding: CodeFinding, component: str) -> Finding:
    """A code finding (its message never holds the secret) as an engine finding."""
    return Finding(
        rule=finding.rule,
        category=Category.SECURITY,
        severity=SEVERITIES[finding.level],
        path=under_component(component, finding.path),
        line=max(1, finding.line),
        end_line=max(1, finding.line),
        message=finding.message,
        confidence=finding.confidence,
    )


def reported(packages: list[VulnerablePackage], floor: Level) -> list[VulnerablePackage]:
    """Packages keeping only advisories at or above `floor` (packages left empty dropped)."""
    kept = []
    for package in packages:
        advisories = [a for a in package.advisories if at_least(a.level, floor)]
        if advisories:
            kept.append(package.model_copy(update={"advisories": advisories}))
    return kept


def _bump(current: str, target: str) -> int:
    """0 patch, 1 minor, 2 major (or unparsable)."""
    old, new = parse_version(current), parse_version(target)
    if old is None or new is None or old.major != new.major:
        return 2
    return 1 if old.minor != new.minor else 0


def risk_of(fixes: DependencyFixes) -> tuple[Risk, list[str]]:
    """Low for patch releases, medium for minor ones, high for a new major version."""
    level = 0
    reasons: list[str] = []
    for name, current, target in fixes.packages():
        bump = _bump(current, target)
        level = max(level, bump)
        if bump:
            kind = "major" if bump == 2 else "minor"
            reasons.append(f"{name} {current} → {target} is a {kind} upgrade")
    if not reasons:
        reasons.append("patch releases only")
    return ("low", "medium", "high")[level], reasons


def upgrade_lines(fixes: DependencyFixes, limit: int = 15) -> list[str]:
    """`requirements.txt:3 django 3.2 → 3.2.19 (GHSA-…)` per edit."""
    lines = [
        f"`{u.manifest}:{u.line}` {u.name} {u.current} → {u.target} ({', '.join(u.advisories)})"
        for u in fixes.upgrades[:limit]
    ]
    if len(fixes.upgrades) > limit:
        lines.append(f"…and {len(fixes.upgrades) - limit} more")
    return lines


def approval_request(
    request: SecurityAuditRequest,
    fixes: DependencyFixes,
    origin: RunOrigin | None,
    github_repository: str | None,
) -> ApprovalRequest:
    """What the approver sees: the upgrades, the target and the risk."""
    return fixes.approval_request(
        "security_audit",
        change_title(request),
        risk_of(fixes),
        upgrade_lines(fixes),
        origin,
        github_repository,
        request.linear_issue_id,
    )


def change_title(request: SecurityAuditRequest) -> str:
    """`Upgrade vulnerable dependencies in …`: the approval, commit and pull request title."""
    return f"Upgrade vulnerable dependencies in {request.component_label}"


def commit_message(request: SecurityAuditRequest, fixes: DependencyFixes, approver: str) -> str:
    """Subject, the upgrades with their advisories, and who approved them."""
    items = [
        f"- {u.manifest}: {u.requirement} -> {u.new_requirement} ({', '.join(u.advisories)})"
        for u in fixes.upgrades
    ]
    return fixes.commit_message(change_title(request), items, approver, "security_audit")


def markdown_summary(result: SecurityAuditResult, limit: int = 20) -> str:
    """A Markdown report for the Prefect UI: counts, advisories, code findings, the fixes."""
    lines = [f"# Security audit: {result.request.component_label}", "", result.headline(), ""]
    lines += ["| level | findings |", "|---|---|"]
    lines += [f"| {name} | {n} |" for name, n in result.counts().items()]
    if result.vulnerable:
        lines += ["", "| package | installed → fixed | advisory | level |", "|---|---|---|---|"]
        for package in result.vulnerable[:limit]:
            fix = package.fix_version or "no fix"
            for advisory in package.advisories:
                lines.append(
                    f"| {package.name} ({package.ecosystem}) | {package.version} → {fix} | "
                    f"[{advisory.id}]({advisory.url}) {advisory.summary} | {advisory.level} |"
                )
    if result.code_findings:
        lines += ["", "| where | rule | level | message |", "|---|---|---|---|"]
        lines += [
            f"| `{f.path}:{f.line}` | {f.rule} | {f.level} | {f.message} |"
            for f in result.code_findings[:limit]
        ]
    lines += ["", f"**Fixes:** {result.outcome_line()}"]
    lines += [f"- manual: {m.name} {m.current} → {m.target}: {m.how}" for m in result.manual_fixes]
    lines += [f"- ⚠️ {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"
