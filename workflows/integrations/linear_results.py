"""A Linear issue from a finished run's result, or from one finding of it (the Open issue button).

The issue carries a marker line keyed by the run (and the finding), so pressing the button
again finds it instead of opening a second one. It goes under the component's main issue
(the one `linear_tracking` keeps, found by its marker) when there is one. Findings link to
their lines on GitHub when the repository (GITHUB_REPOSITORY) and the commit are known.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflows.analysis.models import Finding
from workflows.config import OrchestrationConfig
from workflows.integrations.linear import (
    Linear,
    LinearIssue,
    LinearIssueRef,
    LinearTeam,
    issue_marker,
    linear_configured,
    with_marker,
)
from workflows.integrations.linear_tracking import analysis_marker
from workflows.models.component_analysis import AnalysisRequest
from workflows.models.result_findings import (
    MAX_FINDINGS,
    ResultSource,
    github_line_url,
    github_web_base,
    repo_path,
)

MARKER_KIND = "result-issue"
TITLE_LIMIT = 250


class IssueContext(BaseModel):
    """What the bot knows about the run besides its result."""

    run_id: str
    run_name: str = ""
    title: str = Field(description="the run's title, e.g. 'Analyzing contexten/agents'")
    headline: str = Field(description="the result in one line, as the thread shows it")
    summary_title: str | None = Field(
        None, description="the result's own issue title (types other than component analysis)"
    )
    details: list[str] = Field(
        default_factory=list, description="Markdown lines describing the result beyond findings"
    )
    source: ResultSource = Field(default_factory=ResultSource)
    thread_url: str | None = None
    requested_by: str | None = Field(None, description="Slack user ID")
    github_repository: str | None = None
    github_web: str = "https://github.com"
    parent_issue: str | None = Field(None, description="an issue the run was tracked in")


class IssueDraft(BaseModel):
    """The issue to open (or find again): title, description, marker and where it belongs."""

    title: str
    description: str
    marker: str
    parent_issue: str | None = None
    parent_marker: str | None = None


class OpenedIssue(BaseModel):
    """The issue, whether this press created it, and the issue it was put under."""

    issue: LinearIssueRef
    created: bool
    parent: str | None = None


def missing_settings(config: OrchestrationConfig) -> list[str]:
    """The Linear settings Open issue still needs (empty when it can work)."""
    missing = [] if config.linear_api_key is not None else ["LINEAR_API_KEY"]
    return missing + ([] if config.linear_team_key else ["LINEAR_TEAM_KEY"])


def github_links(config: OrchestrationConfig) -> tuple[str | None, str]:
    """(GITHUB_REPOSITORY, GitHub's web address) for the `file:line` links of an issue."""
    return config.github_repository, github_web_base(config.github_api_url, config.github_web_url)


def result_marker(run_id: str, finding: Finding | None = None) -> str:
    """The marker of the issue opened from run `run_id` (or from one of its findings)."""
    if finding is None:
        return issue_marker(MARKER_KIND, run_id)
    place = (finding.rule, finding.path, str(finding.line), finding.symbol or "")
    return issue_marker(MARKER_KIND, run_id, *place)


def _where(finding: Finding, context: IssueContext) -> str:
    """`[pkg/app.py:12](https://github.com/…#L12)`, or the bare place without GitHub."""
    path = repo_path(context.source.component, finding.path)
    label = f"{path}:{finding.line}"
    repository, commit = context.github_repository, context.source.commit
    if not (repository and commit):
        return f"`{label}`"
    url = github_line_url(context.github_web, repository, commit, path, finding.line)
    return f"[{label}]({url})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _source_line(context: IssueContext) -> str:
    source = context.source
    repository = context.github_repository or source.repo
    parts = [f"Repository `{repository}`"] if source.repo or source.github_repository else []
    if source.component or source.repo:
        parts.append(f"component `{source.component or '.'}`")
    if source.commit:
        parts.append(f"commit `{source.commit[:12]}`")
    return ", ".join(parts) + "."


def _links(context: IssueContext) -> list[str]:
    run = (
        f"`{context.run_name}` (`{context.run_id}`)" if context.run_name else f"`{context.run_id}`"
    )
    lines = [f"- Prefect run: {run}"]
    if context.thread_url:
        lines.append(f"- Slack thread: {context.thread_url}")
    if context.requested_by:
        lines.append(f"- Opened from Slack by user `{context.requested_by}`")
    return lines


def _parent_marker(context: IssueContext) -> str | None:
    source = context.source
    if source.repo is None:
        return None
    return analysis_marker(AnalysisRequest(repo=source.repo, component=source.component))


def draft_for_result(context: IssueContext, findings: list[Finding], total: int) -> IssueDraft:
    """The whole result: its headline, its own details and its findings as a table with links."""
    lines = [context.headline, "", _source_line(context), ""]
    if context.details:
        lines += [*context.details, ""]
    if findings:
        lines += ["| where | severity | rule | message |", "|---|---|---|---|"]
        lines += [
            f"| {_where(f, context)} | {f.severity.value} | {f.rule} | {_cell(f.message)} |"
            for f in findings[:MAX_FINDINGS]
        ]
        hidden = total - min(len(findings), MAX_FINDINGS)
        if hidden > 0:
            lines += ["", f"…and {hidden} more in the Prefect run's results."]
        lines.append("")
    lines += _links(context)
    return IssueDraft(
        title=_clip(_result_title(context, total)),
        description="\n".join(lines),
        marker=result_marker(context.run_id),
        parent_issue=context.parent_issue,
        parent_marker=_parent_marker(context),
    )


def _result_title(context: IssueContext, total: int) -> str:
    """`8 findings in contexten/agents (run brave-fox)`; the result's own title
    (`CI #42 failed: test failure (run brave-fox)`) when it has one; else the headline."""
    run = f" (run {context.run_name})" if context.run_name else ""
    if context.summary_title:
        return f"{context.summary_title}{run}"
    if not total:
        return context.headline
    where = context.source.component or "the whole repository"
    return f"{total} finding{'s' if total != 1 else ''} in {where}{run}"


def draft_for_finding(context: IssueContext, finding: Finding) -> IssueDraft:
    """One finding: where, what, how sure, and whether a safe fix exists."""
    path = repo_path(context.source.component, finding.path)
    lines = [
        f"**{finding.rule}** ({finding.severity.value}, {finding.category.value.replace('_', ' ')},"
        f" {finding.confidence} % sure) at {_where(finding, context)}",
        "",
        f"> {finding.message}",
        "",
    ]
    if finding.symbol:
        lines += [f"Symbol: `{finding.symbol}`", ""]
    if finding.fix is not None:
        component = context.source.component or "."
        lines += [f"A safe fix exists ({finding.fix.description}): `/cicd cleanup {component}`", ""]
    lines += [f"Found by {context.title.lower()}. {_source_line(context)}", "", *_links(context)]
    return IssueDraft(
        title=_clip(f"{finding.rule} in {path}:{finding.line}: {finding.message}"),
        description="\n".join(lines),
        marker=result_marker(context.run_id, finding),
        parent_issue=context.parent_issue,
        parent_marker=_parent_marker(context),
    )


def _clip(title: str) -> str:
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def _parent(linear: Linear, team: LinearTeam, draft: IssueDraft) -> LinearIssue | None:
    """The issue the run was tracked in, else the component's main issue, if either exists."""
    if draft.parent_issue:
        found = linear.find_issue(draft.parent_issue)
        if found is not None:
            return found
    if draft.parent_marker:
        return linear.find_by_marker(draft.parent_marker, team_id=team.id)
    return None


def open_issue(config: OrchestrationConfig, draft: IssueDraft) -> OpenedIssue:
    """Find the draft's issue by its marker, or create it (under its parent). Blocking I/O."""
    if not linear_configured(config):
        raise ValueError(f"Linear is not set up: {', '.join(missing_settings(config))} missing")
    with Linear.from_config(config) as linear:
        team = linear.team(config.linear_team_key or "")
        found = linear.find_by_marker(draft.marker, team_id=team.id)
        if found is not None:
            return OpenedIssue(issue=found.ref(), created=False, parent=found.parent_identifier)
        parent = _parent(linear, team, draft)
        issue = linear.create_issue(
            team.id,
            draft.title,
            with_marker(draft.description, draft.marker),
            parent_id=parent.id if parent else None,
        )
    return OpenedIssue(
        issue=issue.ref(), created=True, parent=parent.identifier if parent else None
    )
