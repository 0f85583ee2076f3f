"""A component analysis tracked in Linear: one main issue per component, a sub-issue per category.

When LINEAR_API_KEY and LINEAR_TEAM_KEY are set, a run
- finds the component's main issue by its marker line, or creates it from the design document's
  template ("Component Analysis: <component>"), or uses the issue given as `linear_issue_id`;
- moves it to In Progress while the analysis runs;
- keeps one sub-issue per category that has findings (found again by marker, its description
  updated) and moves sub-issues of categories that no longer have findings to Done;
- comments the results, and moves the main issue to In Review when problems were found (someone
  should look), or to Done when there are none (integration points alone are an inventory);
- on a failed analysis, comments the failure and moves the issue back to Todo.

A Linear failure never loses the analysis: `LinearTracker` turns it into a warning on the
result. Without the settings it does nothing at all.
"""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from workflows.analysis.models import Category, Finding
from workflows.config import ConfigError, OrchestrationConfig, load_config
from workflows.integrations.linear import (
    Linear,
    LinearIssue,
    LinearIssueRef,
    LinearStateNotFound,
    LinearTeam,
    issue_marker,
    linear_configured,
    with_marker,
)
from workflows.integrations.retrying import IntegrationError
from workflows.models.component_analysis import (
    AnalysisRequest,
    ComponentAnalysisResult,
    markdown_summary,
)
from workflows.repository.checkout import is_remote

STATE_RUNNING = "In Progress"
STATE_FINDINGS = "In Review"
STATE_CLEAN = "Done"
STATE_FAILED = "Todo"
# Used when a team renamed the states above: the first state of the same type.
STATE_TYPES = {
    "In Progress": "started",
    "In Review": "started",
    "Done": "completed",
    "Todo": "unstarted",
}
SUB_ISSUES = {
    Category.CODE_QUALITY: "Code quality analysis",
    Category.ARCHITECTURE: "Architecture review",
    Category.INTEGRATION: "Integration point analysis",
    Category.SECURITY: "Security review",
}
LABEL = "component-analysis"
SUB_ISSUE_FINDINGS = 25

TEMPLATE = """\
Repository `{repo}`{ref}, component `{component}`.

## Analysis Scope
- Code quality review
- Architecture assessment
- Integration point analysis
- Security review

## Sub-Issues
{sub_issues}

## Expected Outcomes
- Identified optimization opportunities
- Refactoring recommendations
- Integration improvements
- Security fixes
"""


# -- what goes into Linear ------------------------------------------------------------------------


def repo_identity(repo: str) -> str:
    """The repository as the same string on every run: URL without `.git`, or absolute path."""
    if is_remote(repo):
        return repo.rstrip("/").removesuffix(".git")
    return str(Path(repo).expanduser().resolve())


def analysis_marker(request: AnalysisRequest) -> str:
    """The marker that finds this component's main issue again."""
    return issue_marker("component-analysis", repo_identity(request.repo), request.component)


def sub_issue_marker(main_marker: str, category: Category) -> str:
    """The marker of one category's sub-issue (distinct from the main marker's text)."""
    return f"{main_marker}/{category.value}"


def main_title(request: AnalysisRequest) -> str:
    """ "Component Analysis: contexten/agents", as in the design document."""
    return f"Component Analysis: {request.component or '(whole repository)'}"


def main_description(request: AnalysisRequest) -> str:
    """The design document's issue template for this component."""
    ref = f" at `{request.ref}`" if request.ref else ""
    checklist = "\n".join(f"- [ ] {title}" for title in SUB_ISSUES.values())
    return TEMPLATE.format(
        repo=request.repo,
        ref=ref,
        component=request.component or ".",
        sub_issues=checklist,
    )


def _finding_row(finding: Finding) -> str:
    message = finding.message.replace("|", "\\|")
    where = f"`{finding.path}:{finding.line}`"
    return f"| {where} | {finding.severity.value} | {finding.rule} | {message} |"


def sub_issue_description(result: ComponentAnalysisResult, category: Category) -> str:
    """The category's findings as a table (the most severe first), as of the latest run."""
    order = {"error": 0, "warning": 1, "info": 2}
    found = sorted(
        (f for f in result.report.findings if f.category == category),
        key=lambda f: (order[f.severity.value], f.path, f.line),
    )
    commit = f" at commit `{result.commit[:12]}`" if result.commit else ""
    lines = [
        f"{len(found)} {category.value.replace('_', ' ')} finding(s) in "
        f"`{result.component_label}`{commit}.",
        "",
        "| where | severity | rule | message |",
        "|---|---|---|---|",
        *(_finding_row(f) for f in found[:SUB_ISSUE_FINDINGS]),
    ]
    if len(found) > SUB_ISSUE_FINDINGS:
        lines += ["", f"…and {len(found) - SUB_ISSUE_FINDINGS} more in the run's artifact."]
    return "\n".join(lines)


def results_comment(result: ComponentAnalysisResult, run_name: str | None) -> str:
    """The run's results as a markdown comment (the artifact's summary without its title)."""
    body = markdown_summary(result).split("\n", 1)[1].strip()
    run = f" · Prefect run `{run_name}`" if run_name else ""
    return f"**Analysis results**{run}\n\n{body}\n"


def has_problems(result: ComponentAnalysisResult) -> bool:
    """Findings someone should look at (integration points are an inventory, not problems)."""
    return any(f.category != Category.INTEGRATION for f in result.report.findings)


def final_state(result: ComponentAnalysisResult) -> str:
    """In Review when there are problems to look at, else Done."""
    return STATE_FINDINGS if has_problems(result) else STATE_CLEAN


# -- Linear operations ----------------------------------------------------------------------------


def _move(linear: Linear, issue: LinearIssue, state: str, team: LinearTeam) -> LinearIssue:
    try:
        target = team.state_named(state)
    except LinearStateNotFound:
        fallback = [s for s in team.states if s.type == STATE_TYPES.get(state)]
        if not fallback:
            raise
        target = fallback[0]
    if issue.state.id == target.id:
        return issue
    return linear.update_issue(issue.id, stateId=target.id)


def _main_issue(
    linear: Linear, config: OrchestrationConfig, request: AnalysisRequest
) -> tuple[LinearIssue, bool]:
    """The given issue, or the component's issue found by marker or created from the template."""
    if request.linear_issue_id:
        return linear.issue(request.linear_issue_id), False
    team = linear.team(config.linear_team_key or "")
    label = linear.label(team.id, LABEL)
    return linear.ensure_issue(
        team.id,
        main_title(request),
        main_description(request),
        analysis_marker(request),
        label_ids=[label.id],
    )


def _sync_sub_issues(
    linear: Linear, main: LinearIssue, team: LinearTeam, result: ComponentAnalysisResult
) -> None:
    marker = analysis_marker(result.request)
    for category, title in SUB_ISSUES.items():
        wanted = sub_issue_marker(marker, category)
        existing = linear.find_by_marker(wanted, parent_id=main.id)
        has_findings = any(f.category == category for f in result.report.findings)
        description = with_marker(sub_issue_description(result, category), wanted)
        if has_findings and existing is None:
            linear.create_issue(
                team.id, f"{title}: {result.component_label}", description, parent_id=main.id
            )
        elif has_findings and existing is not None:
            linear.update_issue(existing.id, description=description)
        elif existing is not None and existing.state.type not in ("completed", "canceled"):
            _move(linear, existing, STATE_CLEAN, team)


@task(name="linear-start", retries=0, cache_policy=NONE)
def open_linear_issue(request: AnalysisRequest) -> LinearIssueRef:
    """Find or create the main issue and move it to In Progress."""
    config = load_config()
    with Linear.from_config(config) as linear:
        issue, created = _main_issue(linear, config, request)
        issue = _move(linear, issue, STATE_RUNNING, linear.team(issue.team_key))
    verb = "Created" if created else "Using"
    get_run_logger().info("%s Linear issue %s (%s)", verb, issue.identifier, issue.url)
    return issue.ref()


@task(name="linear-record", retries=0, cache_policy=NONE)
def record_in_linear(
    result: ComponentAnalysisResult, opened: LinearIssueRef | None
) -> LinearIssueRef:
    """Sub-issues per category, the results as a comment, then In Review or Done."""
    config = load_config()
    with Linear.from_config(config) as linear:
        main = linear.issue(opened.id) if opened else _main_issue(linear, config, result.request)[0]
        team = linear.team(main.team_key)
        _sync_sub_issues(linear, main, team, result)
        linear.add_comment(main.id, results_comment(result, flow_run.get_name()))
        main = _move(linear, main, final_state(result), team)
    get_run_logger().info("Recorded the results in %s (%s)", main.identifier, main.state.name)
    return main.ref()


@task(name="linear-record-failure", retries=0, cache_policy=NONE)
def record_failure_in_linear(opened: LinearIssueRef, reason: str) -> None:
    """Say in the issue that the analysis failed, and move it back to Todo."""
    with Linear.from_config(load_config()) as linear:
        issue = linear.issue(opened.id)
        linear.add_comment(issue.id, f"**The analysis failed**\n\n```\n{reason[:2000]}\n```\n")
        _move(linear, issue, STATE_FAILED, linear.team(issue.team_key))


# -- the flow's side ------------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, IntegrationError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


class LinearTracker:
    """What the flow calls: a no-op without Linear settings; failures become warnings."""

    def __init__(self, request: AnalysisRequest, enabled: bool) -> None:
        self.request = request
        self.enabled = enabled
        self.opened: LinearIssueRef | None = None
        self.warnings: list[str] = []

    @classmethod
    def for_request(cls, request: AnalysisRequest) -> LinearTracker:
        """Enabled when LINEAR_API_KEY and LINEAR_TEAM_KEY are set."""
        try:
            enabled = linear_configured(load_config())
        except ConfigError:
            enabled = False  # the checkout reports a bad configuration itself
        return cls(request, enabled)

    def start(self) -> None:
        """Open the issue; on failure, remember a warning and carry on."""
        if not self.enabled:
            return
        try:
            self.opened = open_linear_issue(self.request)
        except Exception as exc:
            self._warn(f"Linear: could not open the issue at the start ({_reason(exc)})", exc)

    def failed(self, exc: BaseException) -> None:
        """The analysis failed: say so in the issue, if one is open (best effort)."""
        if self.opened is None:
            return
        try:
            record_failure_in_linear(self.opened, _reason(exc))
        except Exception as error:
            get_run_logger().warning("Linear: the failure was not recorded: %s", _reason(error))

    def finish(self, result: ComponentAnalysisResult) -> ComponentAnalysisResult:
        """Record the results; the result carries the issue and any warnings."""
        issue = self.opened
        if self.enabled:
            try:
                issue = record_in_linear(result, self.opened)
            except Exception as exc:
                reason = _reason(exc)
                self._warn(
                    f"Linear: results not recorded ({reason}); the analysis is complete", exc
                )
        elif self.request.linear_issue_id:
            self.warnings.append(
                "Linear is not set up (LINEAR_API_KEY, LINEAR_TEAM_KEY): "
                f"{self.request.linear_issue_id} was not updated"
            )
        return result.model_copy(
            update={"linear_issue": issue, "warnings": [*result.warnings, *self.warnings]}
        )

    def _warn(self, message: str, exc: BaseException) -> None:
        self.warnings.append(message)
        if isinstance(exc, IntegrationError):
            get_run_logger().warning(message)
        else:  # not a Linear answer: a bug of ours, keep the traceback
            get_run_logger().exception(message)
