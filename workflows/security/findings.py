"""What the audit's steps hand each other (OSV's answer, the code scan, the prepared fixes)
and the result they add up to before anyone decides."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflows.analysis.models import AnalysisReport
from workflows.dependencies.manifests import DependencyScan
from workflows.dependencies.upgrades import ManualUpgrade
from workflows.models.security_audit import (
    CodeFinding,
    DependencyFixes,
    FixOutcome,
    SecurityAuditRequest,
    SecurityAuditResult,
)
from workflows.repository.checkout import Checkout
from workflows.security.advisories import VulnerablePackage
from workflows.security.severity import at_least, finding_level


class OsvFindings(BaseModel):
    """What OSV said about the dependencies, or why it could not be asked."""

    vulnerable: list[VulnerablePackage] = Field(default_factory=list)
    error: str | None = None


class CodeScan(BaseModel):
    """The security rules' report, paths relative to the repository root."""

    report: AnalysisReport


class FixPlan(BaseModel):
    """The manifest edits prepared on a branch (if any) and the fixes left to people."""

    fixes: DependencyFixes | None = None
    manual: list[ManualUpgrade] = Field(default_factory=list)
    note: str | None = None


def audit_result(
    request: SecurityAuditRequest,
    checkout: Checkout,
    scan: DependencyScan,
    osv: OsvFindings,
    code: CodeScan,
    vulnerable: list[VulnerablePackage],
    plan: FixPlan,
) -> SecurityAuditResult:
    """Everything found, before any decision."""
    findings = [
        CodeFinding(
            rule=f.rule,
            level=finding_level(f),
            path=f.path,
            line=f.line,
            message=f.message,
            confidence=f.confidence,
        )
        for f in code.report.findings
    ]
    findings = [f for f in findings if at_least(f.level, request.floor)]
    findings.sort(key=lambda f: (-f.level.rank, -f.confidence, f.path, f.line))
    warnings = [f"dependencies not checked: {osv.error}"] if osv.error else []
    warnings += scan.errors
    warnings += plan.fixes.problems if plan.fixes else []
    warnings += [plan.note] if plan.note else []
    fixes = plan.fixes if plan.fixes is not None and not plan.fixes.empty else None
    if fixes is not None:
        outcome = FixOutcome.REJECTED  # until someone approves
    else:
        outcome = FixOutcome.NOT_PREPARED if plan.note else FixOutcome.NONE
    return SecurityAuditResult(
        request=request,
        commit=checkout.commit,
        manifests=scan.manifests,
        dependencies=scan.dependencies,
        unchecked=scan.unchecked,
        osv_checked=osv.error is None,
        vulnerable=vulnerable,
        code_findings=findings,
        files_scanned=code.report.files_analyzed,
        manual_fixes=plan.manual,
        fix_outcome=outcome,
        fixes=plan.fixes,
        warnings=warnings,
    )
