"""`autonomous_refactoring`'s request and result, and its pure parts: findings written as
words, the agent's prompt and the approval request."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from workflows.analysis.models import Finding
from workflows.failure_logs.findings import CI_BUILD_RULE, CI_LINT_RULE, CI_RULES, CI_TEST_RULE
from workflows.governance.approvals import ApprovalRequest, Risk
from workflows.models.result_findings import repo_path
from workflows.models.runs import RunOrigin
from workflows.repository.components import normalise_component

# `contexten/agents/worker.py:9 unused-function: planted_unused_function is never used`
_FINDING = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>[1-9][0-9]*) (?P<rule>[\w.-]+): (?P<msg>.+)$"
)
CONSTRAINTS = (
    "Keep behaviour exactly as it is: this is a refactoring, not a feature change.",
    "Keep public names (modules, classes, functions, methods, arguments) unchanged; only "
    "private names (a leading underscore) may be removed or renamed.",
    "All existing tests must pass; run them before opening the pull request.",
    "Change only what the findings need and leave unrelated code alone.",
    "Open one pull request whose description lists each finding and how it was resolved.",
)
CI_CONSTRAINTS = (
    "Change behaviour only where the failing tests or the errors need it; keep everything "
    "else exactly as it is.",
    CONSTRAINTS[1],
    "All tests must pass, the failing ones included: run them, and the linters, before "
    "opening the pull request.",
    "Fix the code rather than the tests' expectations; if a test itself is wrong, say why in "
    "the pull request.",
    "Change only what the failures need and leave unrelated code alone.",
    "Open one pull request whose description lists each failure and how it was resolved.",
)
# What to do about each kind of CI finding, and the heading its list goes under.
CI_TASKS = (
    (CI_TEST_RULE, "make the failing tests pass", "Failing tests (file:line, test and why):"),
    (CI_LINT_RULE, "fix the lint errors", "Lint errors (file:line, error as logged):"),
    (CI_BUILD_RULE, "fix the build errors", "Build errors (file:line, error as logged):"),
)


class FindingRef(BaseModel):
    """One finding to fix, with its place from the repository's top."""

    path: str
    line: int = Field(ge=1)
    rule: str
    message: str

    @classmethod
    def parse(cls, text: str) -> FindingRef:
        """From `path:line rule: message`; ValueError saying the expected form."""
        match = _FINDING.match(text.strip())
        if match is None:
            raise ValueError(
                f"'{text}' is not a finding; write `path:line rule: message`, e.g. "
                "`app/worker.py:9 unused-function: helper is never used`"
            )
        return cls(
            path=match["path"], line=int(match["line"]), rule=match["rule"], message=match["msg"]
        )

    @classmethod
    def of(cls, finding: Finding, component: str) -> FindingRef:
        """An analysis finding (path relative to `component`) as a place in the repository."""
        one_line = " ".join(finding.message.split())
        return cls(
            path=repo_path(component, finding.path),
            line=finding.line,
            rule=finding.rule,
            message=one_line,
        )

    def words(self) -> str:
        """`path:line rule: message`, the form `parse` reads and request parameters carry."""
        return f"{self.path}:{self.line} {self.rule}: {self.message}"


class RefactoringRequest(BaseModel):
    """Which findings the Codegen agent should fix, and where."""

    repo: str = Field(description="a local path or a git URL (the bot fills in CICD_REPO)")
    component: str = Field("", description="path inside the repository the findings are in")
    source_run: str | None = Field(
        None,
        description="the analysis run (Prefect id or name) whose findings to fix, when "
        "`findings` is empty",
    )
    findings: list[str] = Field(
        default_factory=list,
        description="findings to fix, each `path:line rule: message` (paths from the "
        "repository's top)",
    )
    commit: str | None = Field(None, description="the commit the findings were seen at")

    @field_validator("component")
    @classmethod
    def _clean_component(cls, value: str) -> str:
        return normalise_component(value)

    @field_validator("findings")
    @classmethod
    def _well_formed(cls, value: list[str]) -> list[str]:
        return [FindingRef.parse(text).words() for text in value]

    @model_validator(mode="after")
    def _something_to_fix(self) -> RefactoringRequest:
        if not self.findings and not self.source_run:
            raise ValueError("give `findings` or the `source_run` whose findings to fix")
        return self

    @property
    def component_label(self) -> str:
        """The component as a person would name it."""
        return self.component or "the whole repository"


class FindingSet(BaseModel):
    """The findings the agent is asked to fix, and the commit they were seen at."""

    findings: list[FindingRef]
    component: str = ""
    commit: str | None = None
    source_run_name: str | None = None

    def files(self) -> dict[str, int]:
        """Findings per file, the file with most first."""
        return dict(Counter(f.path for f in self.findings).most_common())

    @property
    def from_ci(self) -> bool:
        """The findings are a failed CI run's (failing tests, lint or build errors)."""
        return any(f.rule in CI_RULES for f in self.findings)


class RefactoringOutcome(StrEnum):
    """How a refactoring run ended (a failed agent run fails the flow run instead)."""

    PULL_REQUEST = "pull_request"  # the agent completed and opened a pull request
    NO_PULL_REQUEST = "no_pull_request"  # completed, but reported no pull request
    STILL_RUNNING = "still_running"  # we stopped following; Codegen has the rest
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class RefactoringResult(BaseModel):
    """The outcome of one `autonomous_refactoring` run."""

    request: RefactoringRequest
    outcome: RefactoringOutcome
    findings: list[FindingRef] = Field(default_factory=list)
    agent_run_id: int | None = None
    agent_status: str | None = None
    agent_url: str | None = None
    pull_request_url: str | None = None
    pull_request_title: str | None = None
    summary: str | None = Field(None, description="what the agent said it did")
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str = ""

    def headline(self) -> str:
        """One line saying how it ended."""
        count = len(self.findings)
        what = f"{count} finding{'s' if count != 1 else ''} in {self.request.component_label}"
        match self.outcome:
            case RefactoringOutcome.PULL_REQUEST:
                return f"Codegen opened a pull request for {what}"
            case RefactoringOutcome.NO_PULL_REQUEST:
                return f"Codegen finished {what} without a pull request"
            case RefactoringOutcome.STILL_RUNNING:
                return f"Codegen is still working on {what} ({self.agent_status or 'running'})"
            case RefactoringOutcome.REJECTED:
                return f"Rejected; Codegen was not asked to fix {what}"
            case RefactoringOutcome.TIMED_OUT:
                return f"Nobody decided in time; Codegen was not asked to fix {what}"


def build_prompt(request: RefactoringRequest, found: FindingSet, repository: str) -> str:
    """The agent's instructions: the repository, what to fix, the constraints; the findings'
    rules choose the wording (a failed CI run's, or static analysis')."""
    lines = _ci_prompt(found, repository) if found.from_ci else _analysis_prompt(found, repository)
    source = found.source_run_name or request.source_run
    if source:
        what = "the failure analysis run" if found.from_ci else "the analysis run"
        lines += ["", f"Found by {what} {source}."]
    return "\n".join(lines) + "\n"


def _analysis_prompt(found: FindingSet, repository: str) -> list[str]:
    commit = f" at commit {found.commit}" if found.commit else ""
    return [
        f"Refactor the repository {repository}{commit} to resolve the static-analysis "
        f"findings below in {found.component or 'the whole repository'}.",
        "",
        "Files to change:",
        *(f"- {path} ({n} finding{'s' if n != 1 else ''})" for path, n in found.files().items()),
        "",
        "Findings (file:line, rule: message):",
        *(
            f"{i}. {f.path}:{f.line}, {f.rule}: {f.message}"
            for i, f in enumerate(found.findings, 1)
        ),
        "",
        "Constraints:",
        *(f"- {rule}" for rule in CONSTRAINTS),
    ]


def _ci_prompt(found: FindingSet, repository: str) -> list[str]:
    """Make the failing tests pass and fix the lint or build errors, each listed with its
    evidence; findings of other rules follow as they are."""
    commit = f" at commit {found.commit}" if found.commit else ""
    todo = [task for rule, task, _ in CI_TASKS if any(f.rule == rule for f in found.findings)]
    lines = [f"A CI run of the repository {repository}{commit} failed. Fix it: {_and(todo)}.", ""]
    for rule, _, heading in CI_TASKS:
        listed = [f for f in found.findings if f.rule == rule]
        if listed:
            lines += [
                heading,
                *(f"{i}. {f.path}:{f.line}, {f.message}" for i, f in enumerate(listed, 1)),
                "",
            ]
    others = [f for f in found.findings if f.rule not in CI_RULES]
    if others:
        lines += ["Other findings (file:line, rule: message):"]
        lines += [f"{i}. {f.path}:{f.line}, {f.rule}: {f.message}" for i, f in enumerate(others, 1)]
        lines.append("")
    return [*lines, "Constraints:", *(f"- {rule}" for rule in CI_CONSTRAINTS)]


def _and(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + f" and {items[-1]}"


def codegen_not_set_up(component: str, *, safe_fixes: bool = True) -> str:
    """What to do without Codegen: set it up, or apply the deterministic safe fixes (which
    only resolve analysis findings, not a CI failure or an advisory)."""
    setting = "Codegen is not set up (set CODEGEN_ORG_ID and CODEGEN_TOKEN)."
    if not safe_fixes:
        return f"{setting} Then press Ask for a fix again."
    return f"{setting} The safe fixes can be applied now: `/cicd cleanup {component or '.'}`"


def risk_of(found: FindingSet) -> tuple[Risk, list[str]]:
    """Low for a few findings in one file; higher as the change spreads."""
    files, count = len(found.files()), len(found.findings)
    reasons = [
        f"{count} finding{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    ]
    reasons.append("an AI agent writes the change; review its pull request")
    if count > 20 or files > 10:
        return "high", reasons
    if count > 5 or files > 2:
        return "medium", reasons
    return "low", reasons


def approval_request(
    request: RefactoringRequest,
    found: FindingSet,
    prompt: str,
    origin: RunOrigin | None,
    repository: str,
) -> ApprovalRequest:
    """What the approver sees: which findings go to the agent, where its PR goes, the risk."""
    risk, reasons = risk_of(found)
    details = [f"`{f.path}:{f.line}` {f.rule}" for f in found.findings[:15]]
    if len(found.findings) > 15:
        details.append(f"…and {len(found.findings) - 15} more findings")
    return ApprovalRequest(
        workflow="autonomous_refactoring",
        title=(
            "Ask Codegen to fix a failed CI run"
            if found.from_ci
            else f"Ask Codegen to fix findings in {found.component or 'the whole repository'}"
        ),
        summary=f"one Codegen agent run; {reasons[0]}",
        target=f"{repository}: a pull request opened by the Codegen agent",
        risk=risk,
        risk_reasons=reasons,
        details=details,
        digest=hashlib.sha256(prompt.encode()).hexdigest(),
        requested_by=origin.user if origin else None,
        origin=origin,
    )
