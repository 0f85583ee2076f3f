"""`dead_code_cleanup`'s parameters, the change it prepares and its result, plus the pure parts:
risk, the approval request and the commit message."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from workflows.analysis.fixes import SkippedFix, apply_fixes
from workflows.analysis.models import Finding
from workflows.governance.approvals import ApprovalRequest, Risk
from workflows.models.runs import GitRef, IssueId, RunOrigin
from workflows.repository.branch_changes import BranchChange

SAFE_RULES = ("unused-import", "unused-function")


class CleanupRequest(BaseModel):
    """What to clean: a component (path) of a repository, with the safe-fix rules."""

    repo: str = Field(description="a local path or a git URL")
    component: str = Field("", description="path inside the repository; empty for all of it")
    ref: GitRef | None = Field(None, description="branch to start from; None for what is there")
    min_confidence: int = Field(90, ge=0, le=100, description="only findings this certain")
    linear_issue_id: IssueId | None = Field(None, description="raised in priority on escalation")

    @property
    def component_label(self) -> str:
        """The component as a person would name it."""
        return self.component or "the whole repository"


class CleanupChange(BranchChange):
    """The dead code removal prepared on a branch, waiting for a decision."""

    fixed: list[Finding] = Field(default_factory=list)
    skipped: list[SkippedFix] = Field(default_factory=list)

    def reapply(self, worktree: Path) -> None:
        """Apply the same fixes again (the worktree was lost before the commit)."""
        apply_fixes(worktree, self.fixed)

    @property
    def lines_removed(self) -> int:
        """Lines removed over all files."""
        return sum(f.removed for f in self.files)

    @property
    def lines_added(self) -> int:
        """Lines added over all files (a fix may rewrite an import line)."""
        return sum(f.added for f in self.files)

    def counts_by_rule(self) -> dict[str, int]:
        """Findings fixed per rule."""
        return dict(Counter(f.rule for f in self.fixed).most_common())

    def summary(self) -> str:
        """`3 files, -12/+1 lines, 5 findings fixed (unused-import 4, unused-function 1)`."""
        files = len(self.files)
        rules = ", ".join(f"{rule} {n}" for rule, n in self.counts_by_rule().items())
        return (
            f"{files} file{'s' if files != 1 else ''}, -{self.lines_removed}/+{self.lines_added} "
            f"lines, {len(self.fixed)} finding{'s' if len(self.fixed) != 1 else ''} fixed"
            + (f" ({rules})" if rules else "")
        )


class CleanupOutcome(StrEnum):
    """How a cleanup ended."""

    NOTHING = "nothing"  # no dead code with a safe fix
    PULL_REQUEST = "pull_request"  # approved, pushed, PR opened
    BRANCH = "branch"  # approved, committed on a local branch
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class CleanupResult(BaseModel):
    """The outcome of one `dead_code_cleanup` run."""

    request: CleanupRequest
    outcome: CleanupOutcome
    change: CleanupChange | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str = ""
    commit: str | None = None
    pull_request_url: str | None = None
    pull_request_number: int | None = None
    warnings: list[str] = Field(default_factory=list)

    def headline(self) -> str:
        """One line saying how it ended."""
        change = self.change
        what = change.summary() if change else ""
        match self.outcome:
            case CleanupOutcome.NOTHING:
                return f"No dead code with a safe fix in {self.request.component_label}"
            case CleanupOutcome.PULL_REQUEST:
                return f"Pull request #{self.pull_request_number} opened: {what}"
            case CleanupOutcome.BRANCH:
                return f"Committed on branch {change.branch if change else '?'}: {what}"
            case CleanupOutcome.REJECTED:
                return f"Rejected; nothing was changed ({what})"
            case CleanupOutcome.TIMED_OUT:
                return f"Nobody decided in time; nothing was changed ({what})"


def risk_of(change: CleanupChange) -> tuple[Risk, list[str]]:
    """Low for a few removed imports; higher for removed functions and large or wide changes."""
    reasons: list[str] = []
    level = 0
    functions = sum(1 for f in change.fixed if f.rule == "unused-function")
    if functions:
        level = max(level, 1)
        reasons.append(f"{functions} function{'s' if functions != 1 else ''} deleted")
    if change.lines_removed > 200 or len(change.files) > 20:
        level = 2
        reasons.append(f"{change.lines_removed} lines in {len(change.files)} files")
    elif change.lines_removed > 50 or len(change.files) > 5:
        level = max(level, 1)
        reasons.append(f"{change.lines_removed} lines in {len(change.files)} files")
    packages = [f.path for f in change.files if f.path.endswith("__init__.py")]
    if packages:
        level = max(level, 1)
        reasons.append("package __init__ files touched (public names)")
    if not reasons:
        reasons.append("unused imports only")
    return ("low", "medium", "high")[level], reasons


def file_lines(change: CleanupChange, limit: int = 15) -> list[str]:
    """`contexten/agents/worker.py -4 (unused-import, unused-function)` per file."""
    rules_by_file: dict[str, set[str]] = {}
    for finding in change.fixed:
        rules_by_file.setdefault(finding.path, set()).add(finding.rule)
    lines = []
    for file in change.files[:limit]:
        rules = sorted(rules_by_file.get(file.path, set()))
        delta = f"-{file.removed}" + (f" +{file.added}" if file.added else "")
        lines.append(f"`{file.path}` {delta}" + (f" ({', '.join(rules)})" if rules else ""))
    if len(change.files) > limit:
        lines.append(f"…and {len(change.files) - limit} more files")
    return lines


def approval_request(
    request: CleanupRequest,
    change: CleanupChange,
    origin: RunOrigin | None,
    github_repository: str | None,
) -> ApprovalRequest:
    """What the approver sees: the concrete diff summary, target and risk."""
    return change.approval_request(
        "dead_code_cleanup",
        change_title(request),
        risk_of(change),
        file_lines(change),
        origin,
        github_repository,
        request.linear_issue_id,
    )


def change_title(request: CleanupRequest) -> str:
    """`Remove dead code in contexten/agents`: the approval, commit and pull request title."""
    return f"Remove dead code in {request.component_label}"


def commit_message(request: CleanupRequest, change: CleanupChange, approver: str) -> str:
    """Subject, what was removed, and who approved it."""
    items = [f"- {f.path}:{f.line} {f.rule}: {f.message}" for f in change.fixed]
    return change.commit_message(change_title(request), items, approver, "dead_code_cleanup")
