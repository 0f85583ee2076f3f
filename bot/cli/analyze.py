"""`cicd analyze`: run `component_analysis` through Prefect and print a readable result."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.cli.terminal import run_with_progress
from workflows.analysis.fixes import FixResult, apply_fixes
from workflows.analysis.formatting import to_json, to_text
from workflows.analysis.models import AnalysisReport, Finding, Severity
from workflows.analysis.options import AnalysisOptions
from workflows.analysis.sarif import to_sarif_json
from workflows.models.component_analysis import AnalysisRequest, ComponentAnalysisResult
from workflows.models.runs import RunOrigin
from workflows.registry import flow_specs
from workflows.repository.checkout import is_remote
from workflows.repository.components import normalise_component
from workflows.types import WorkflowType

PACKAGE = "cicd-chatops"
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


async def run_analyze(
    repo: str,
    component: str,
    ref: str | None,
    output: str,
    *,
    options: AnalysisOptions | None = None,
    fail_on: str = "error",
    fix_root: Path | None = None,
    linear_issue_id: str | None = None,
) -> int:
    """Run the flow and print the report; the exit code for the terminal.

    0: completed, and no finding at or above ``fail_on`` (``never``: any findings).
    1: such findings remain (after ``--fix``, when ``fix_root`` is set), or the run failed.
    """
    spec = flow_specs()[WorkflowType.COMPONENT_ANALYSIS]
    request = AnalysisRequest(
        repo=repo,
        component=component,
        ref=ref,
        options=options or AnalysisOptions(),
        linear_issue_id=linear_issue_id,
    )
    parameters = {
        "request": request.model_dump(mode="json"),
        "origin": RunOrigin(source="cli").model_dump(mode="json"),
    }
    stderr = Console(stderr=True, highlight=False)
    title = f"Analyzing {component or Path(repo).name or repo}"
    state = await run_with_progress(spec, parameters, title, stderr)
    if not stderr.is_terminal:
        stderr.line()  # rich's Live leaves the last line open when stderr is not a terminal
    result = await state.aresult(raise_on_failure=False)
    if not state.is_completed() or not isinstance(result, ComponentAnalysisResult):
        reason = state.message or (str(result) if isinstance(result, Exception) else "unknown")
        stderr.print(f"[red]error:[/red] the analysis failed: {reason}")
        return 1
    print_linear(result, stderr)
    report = result.report
    if fix_root is not None:
        fixes = apply_fixes(fix_root, report.findings)
        print_fixes(fixes, stderr)
        fixed = {id(f) for f in fixes.fixed}
        remaining = [fixes.shifted(f) for f in report.findings if id(f) not in fixed]
        report = report.model_copy(update={"findings": remaining})
    else:
        fixable = sum(1 for f in report.findings if f.fix is not None)
        if fixable:
            has = "finding has" if fixable == 1 else "findings have"
            stderr.print(f"{fixable} {has} a safe fix: run again with --fix to apply it")
    sys.stdout.write(render(report, output, repo=repo, component=component) + "\n")
    return 1 if failing(report.findings, fail_on) else 0


def print_linear(result: ComponentAnalysisResult, console: Console) -> None:
    """The Linear issue the run was recorded in, and warnings, on stderr (stdout is the report)."""
    if result.linear_issue is not None:
        issue = result.linear_issue
        console.print(f"Linear issue {issue.identifier}: {issue.url}", markup=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def failing(findings: list[Finding], fail_on: str) -> list[Finding]:
    """The findings at or above severity ``fail_on`` (none for ``never``)."""
    if fail_on == "never":
        return []
    floor = _RANK[Severity(fail_on)]
    return [f for f in findings if _RANK[f.severity] >= floor]


def render(report: AnalysisReport, output: str, *, repo: str, component: str) -> str:
    """The report as ``text``, ``json`` or ``sarif``."""
    if output == "json":
        return to_json(report)
    if output == "sarif":
        return to_sarif_json(
            report,
            tool_version=_version(),
            information_uri=_project_url(),
            uri_prefix=sarif_prefix(repo, component),
        )
    return to_text(report, color=sys.stdout.isatty())


def print_fixes(fixes: FixResult, console: Console) -> None:
    """What `--fix` changed and what it left alone, on stderr."""
    if fixes.fixed:
        files = ", ".join(fixes.changed_files)
        count = len(fixes.fixed)
        console.print(f"Fixed {count} finding{'s' * (count != 1)} in {files}", markup=False)
    for skipped in fixes.skipped:
        where = f"{skipped.finding.path}:{skipped.finding.line}"
        console.print(f"Not fixed: {where} {skipped.finding.rule}: {skipped.reason}", markup=False)
    if not fixes.fixed and not fixes.skipped:
        console.print("Nothing to fix")


def sarif_prefix(repo: str, component: str) -> str:
    """Where the analysed root sits inside its repository, so SARIF URIs are repo-relative."""
    if is_remote(repo):
        clean = normalise_component(component)
        return clean.rpartition("/")[0] if clean.endswith(".py") else clean
    target = (Path(repo) / component).resolve()
    base = target if target.is_dir() else target.parent
    for parent in (base, *base.parents):
        if (parent / ".git").exists():
            relative = base.relative_to(parent).as_posix()
            return "" if relative == "." else relative
    return ""


def _version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _project_url() -> str | None:
    """The project's home page from its packaging metadata, when it declares one."""
    try:
        meta = metadata.metadata(PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        _, _, url = entry.partition(", ")
        if url.startswith("https://"):
            return url
    home = meta.get("Home-page")
    return home if home and home.startswith("https://") else None
