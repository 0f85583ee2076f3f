"""`security_audit`: known vulnerabilities in the dependencies (OSV), secrets and dangerous code
(the analysis engine's security rules), one SARIF log of both; the fixable dependency versions
go on a branch as one change, committed (and opened as a pull request with GitHub) only after a
person approves.

Approvals work as in `dead_code_cleanup`: a run from a deployment is suspended and executed
again from the top once someone decides, so every task before the approval caches its result
for this run, and the prepared change is checked against the approved digest before commit.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import DEFAULT, NONE

from workflows.analysis.options import AnalysisOptions, analyze
from workflows.config import load_config
from workflows.dependencies.manifests import DependencyScan, read_dependencies
from workflows.dependencies.upgrades import ManualUpgrade, Upgrade, apply_upgrades, plan_upgrades
from workflows.governance.approvals import ApprovalDecision, request_approval
from workflows.governance.decisions import decided, record_decision
from workflows.integrations.osv import OsvClient, OsvVulnerability, PackageQuery
from workflows.integrations.retrying import IntegrationError, policy_from_config
from workflows.models.runs import RunOrigin
from workflows.models.security_audit import (
    SECURITY_RULES,
    DependencyFixes,
    FixOutcome,
    SecurityAuditRequest,
    SecurityAuditResult,
    approval_request,
    change_title,
    commit_message,
    markdown_summary,
    reported,
)
from workflows.registry import FlowSpec
from workflows.repository.branch_changes import (
    branch_name,
    checkout_for_change,
    discard,
    github_target,
    land,
    run_key,
    start_worktree,
)
from workflows.repository.checkout import Checkout
from workflows.repository.components import resolve_component
from workflows.security.advisories import VulnerablePackage, vulnerable_packages
from workflows.security.findings import CodeScan, FixPlan, OsvFindings, audit_result
from workflows.security.sarif import audit_sarif
from workflows.security.severity import at_least, finding_level
from workflows.types import WorkflowType


@task(name="read-dependencies", persist_result=True, cache_policy=DEFAULT)
def read_manifests(checkout: Checkout, component: str) -> DependencyScan:
    """pyproject.toml, requirements*.txt and package-lock.json under the component."""
    root = Path(checkout.path)
    scan = read_dependencies(root, resolve_component(root, component))
    get_run_logger().info(
        "%d dependencies to check in %d manifest(s), %d without a checkable version",
        len(scan.packages()),
        len(scan.manifests),
        len(scan.unchecked),
    )
    return scan


@task(name="query-osv", persist_result=True, cache_policy=DEFAULT)
def query_osv(scan: DependencyScan) -> OsvFindings:
    """Ask OSV which advisories affect each (package, version), then read each advisory."""
    packages = scan.packages()
    if not packages:
        return OsvFindings()
    config = load_config()
    policy = policy_from_config(
        config.integration_retry_attempts, config.integration_retry_base_seconds
    )
    queries = [PackageQuery(ecosystem=e, name=n, version=v) for e, n, v in packages]
    try:
        with OsvClient(config.osv_api_url, policy=policy) as osv:
            ids = osv.affecting_ids(queries)
            details: dict[str, OsvVulnerability] = {}
            for vuln_id in dict.fromkeys(i for found in ids for i in found):
                details[vuln_id] = osv.vulnerability(vuln_id)
    except IntegrationError as exc:
        get_run_logger().warning("OSV not asked: %s", exc)
        return OsvFindings(error=f"{exc} (OSV_API_URL is {config.osv_api_url})")
    hits = dict(zip(packages, ids, strict=True))
    found = vulnerable_packages(scan.dependencies, hits, details)
    get_run_logger().info("%d advisories, %d vulnerable packages", len(details), len(found))
    return OsvFindings(vulnerable=found)


@task(name="scan-code", persist_result=True, cache_policy=DEFAULT)
def scan_code(checkout: Checkout, component: str) -> CodeScan:
    """The engine's security rules over the component (secrets are masked in messages)."""
    root = Path(checkout.path).resolve()
    target = resolve_component(root, component)
    base = target if target.is_dir() else target.parent
    prefix = base.relative_to(root).as_posix()
    cache = load_config().cicd_data_dir / "analysis-cache"
    report = analyze(target, AnalysisOptions(select=list(SECURITY_RULES)), cache_dir=cache)
    if prefix not in ("", "."):
        findings = [f.model_copy(update={"path": f"{prefix}/{f.path}"}) for f in report.findings]
        report = report.model_copy(update={"findings": findings})
    return CodeScan(report=report.model_copy(update={"root": str(root)}))


@task(name="prepare-fixes", persist_result=True, cache_policy=DEFAULT)
def prepare_fixes(checkout: Checkout, vulnerable: list[VulnerablePackage], branch: str) -> FixPlan:
    """Raise each fixable version in its manifest, on a new branch in a worktree."""
    edits: list[Upgrade] = []
    manual: list[ManualUpgrade] = []
    for package in vulnerable:
        if package.fix_version is None:
            continue
        ids = [a.id for a in package.advisories if a.id not in package.unfixed]
        planned, by_hand = plan_upgrades(package.occurrences, package.fix_version, ids)
        edits += planned
        manual += by_hand
    if not edits:
        return FixPlan(manual=manual)
    if checkout.commit is None:
        note = f"{checkout.source} is not a git repository with a commit: no branch prepared"
        return FixPlan(manual=manual, note=note)
    worktree = start_worktree(checkout, branch)
    applied, problems = apply_upgrades(worktree, edits)
    fixes = DependencyFixes.made_in(checkout, worktree, branch, upgrades=applied, problems=problems)
    get_run_logger().info("%d edit(s) in %d file(s) on %s", len(applied), len(fixes.files), branch)
    return FixPlan(fixes=fixes, manual=manual)


@task(name="finish", cache_policy=NONE)
def finish(
    result: SecurityAuditResult, code: CodeScan, decision: dict[str, Any] | None
) -> SecurityAuditResult:
    """Commit the approved fixes (push, pull request) or discard them; publish report and SARIF."""
    fixes = result.fixes
    if fixes is not None and decision is not None:
        result = _decide(result, fixes, ApprovalDecision.model_validate(decision))
    elif fixes is not None:  # nothing changed after all: no branch to keep
        discard(fixes)
    floor = result.request.floor
    findings = [f for f in code.report.findings if at_least(finding_level(f), floor)]
    report = code.report.model_copy(update={"findings": findings})
    sarif = audit_sarif(
        report, result.vulnerable, tool_version=_version(), source_root=Path(report.root)
    )
    result = result.model_copy(update={"sarif": sarif, "sarif_path": _save_sarif(sarif)})
    _publish(result)
    return result


@flow(name="security-audit", persist_result=True, result_serializer="json")
def security_audit(
    request: SecurityAuditRequest, origin: RunOrigin | None = None
) -> SecurityAuditResult:
    """Audit a repository or component; propose the fixable upgrades as one approved change."""
    checkout = checkout_for_change(request.repo, request.ref)
    scan = read_manifests(checkout, request.component)
    osv = query_osv(scan)
    code = scan_code(checkout, request.component)
    vulnerable = reported(osv.vulnerable, request.floor)
    plan = prepare_fixes(checkout, vulnerable, branch_name("security-audit"))
    result = audit_result(request, checkout, scan, osv, code, vulnerable, plan)
    decision = None
    if plan.fixes is not None and not plan.fixes.empty:
        github = github_target(load_config())
        asked = request_approval(approval_request(request, plan.fixes, origin, github))
        decision = record_decision(asked.model_dump(mode="json"))
    return finish(result, code, decision)


def _decide(
    result: SecurityAuditResult, fixes: DependencyFixes, verdict: ApprovalDecision
) -> SecurityAuditResult:
    """Approved: commit (push and open a pull request with GitHub). Otherwise: discard."""
    result = result.model_copy(update=dict(decided(verdict)))
    if not verdict.approved:
        discard(fixes)
        outcome = FixOutcome.TIMED_OUT if verdict.timed_out else FixOutcome.REJECTED
        return result.model_copy(update={"fix_outcome": outcome})
    message = commit_message(result.request, fixes, verdict.who or "unknown")
    landed = land(fixes, message, change_title(result.request))
    opened = landed.pull_request_number is not None
    return result.model_copy(
        update={
            "fix_outcome": FixOutcome.PULL_REQUEST if opened else FixOutcome.BRANCH,
            "fix_commit": landed.commit,
            "pull_request_url": landed.pull_request_url,
            "pull_request_number": landed.pull_request_number,
            "warnings": [*result.warnings, *landed.warnings],
        }
    )


def _publish(result: SecurityAuditResult) -> None:
    """The report and the SARIF log as Markdown artifacts of the run (the Prefect UI)."""
    label = result.request.component_label
    create_markdown_artifact(
        markdown=markdown_summary(result),
        key="security-audit",
        description=f"Security audit of {label}",
    )
    create_markdown_artifact(
        markdown=f"```json\n{json.dumps(result.sarif, indent=2)}\n```\n",
        key="security-audit-sarif",
        description=f"SARIF 2.1.0 of the security audit of {label}",
    )


def _save_sarif(sarif: dict[str, Any]) -> str:
    """Write the SARIF log under the data directory; returns its path."""
    folder = load_config().cicd_data_dir / "security-audit"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_key()}.sarif"
    path.write_text(json.dumps(sarif, indent=2), encoding="utf-8")
    return str(path)


def _version() -> str:
    try:
        return metadata.version("cicd-chatops")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def audit_title(request: SecurityAuditRequest) -> str:
    """`Security audit of contexten/agents`."""
    return f"Security audit of {request.component_label}"


SPEC = FlowSpec(
    workflow=WorkflowType.SECURITY_AUDIT,
    flow=security_audit,
    steps=(
        ("checkout", "Check out the repository"),
        ("read-dependencies", "Read the dependency manifests"),
        ("query-osv", "Look up known vulnerabilities (OSV)"),
        ("scan-code", "Scan the code for secrets and dangerous patterns"),
        ("prepare-fixes", "Prepare the dependency upgrades on a branch"),
        ("approval", "Wait for approval"),
        ("finish", "Commit or discard; publish the report and SARIF"),
    ),
    request_type=SecurityAuditRequest,
    result_type=SecurityAuditResult,
    title=audit_title,
)
