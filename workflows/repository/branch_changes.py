"""A change a flow prepares on a new branch for a person to approve: the checkout it starts
from, the worktree it is made in, what the approver is shown, and landing it once approved
(commit; push and a pull request when GitHub is set up) or discarding it.

A run from a deployment is executed again from the top after the decision, so the checkout is
cached for the run and the change is checked against the approved digest before it is committed.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Self

from prefect import get_run_logger, task
from prefect.cache_policies import DEFAULT
from prefect.context import FlowRunContext
from pydantic import BaseModel, Field

from workflows.config import OrchestrationConfig, load_config
from workflows.governance.approvals import ApprovalRequest, Risk
from workflows.models.runs import RunOrigin
from workflows.repository.checkout import (
    Checkout,
    CheckoutError,
    checkout_repository,
    git,
    transient_checkout_failure,
)
from workflows.repository.worktrees import (
    FileChange,
    add_worktree,
    changed_files,
    commit_all,
    diff_digest,
    remove_worktree,
)


class BranchChange(BaseModel):
    """The change prepared on a branch in a worktree, waiting for a decision."""

    source: str = Field(description="the repository, credentials removed")
    repo_path: str = Field(description="the git repository the worktree belongs to")
    worktree: str
    branch: str
    base_commit: str
    base_ref: str | None = Field(None, description="the branch a pull request would target")
    files: list[FileChange] = Field(default_factory=list)
    digest: str = Field("", description="identifies the exact change approved")

    @classmethod
    def made_in(cls, checkout: Checkout, worktree: Path, branch: str, **made: object) -> Self:
        """The change as it stands in ``worktree`` (from `start_worktree`), with the fields
        ``made`` that say how it was made (fixes, upgrades)."""
        files = changed_files(worktree)
        return cls.model_validate(
            {
                "source": checkout.source,
                "repo_path": str(Path(checkout.path)),
                "worktree": str(worktree),
                "branch": branch,
                "base_commit": checkout.commit or "",
                "base_ref": base_ref(checkout),
                "files": files,
                "digest": diff_digest(worktree) if files else "",
                **made,
            }
        )

    @property
    def empty(self) -> bool:
        """Nothing was changed."""
        return not self.files

    def summary(self) -> str:
        """One line for the approver and the commit message."""
        return f"{len(self.files)} file(s) changed"

    @abstractmethod
    def reapply(self, worktree: Path) -> None:
        """Make the change again in a fresh worktree at the base commit (each kind knows how)."""

    def target_text(self, github_repository: str | None) -> str:
        """Where the change would go: `acme/widgets: branch … → main` or the local branch."""
        base = self.base_ref or "the default branch"
        if github_repository:
            return f"{github_repository}: branch `{self.branch}` → `{base}` (pull request)"
        return f"{self.source}: local branch `{self.branch}` from `{self.base_commit[:12]}`"

    def approval_request(
        self,
        workflow: str,
        title: str,
        risk: tuple[Risk, list[str]],
        details: list[str],
        origin: RunOrigin | None,
        github_repository: str | None,
        linear_issue: str | None = None,
    ) -> ApprovalRequest:
        """What the approver sees: the change's summary and lines, its target and risk."""
        return ApprovalRequest(
            workflow=workflow,
            title=title,
            summary=self.summary(),
            target=self.target_text(github_repository),
            risk=risk[0],
            risk_reasons=risk[1],
            details=details,
            digest=self.digest,
            requested_by=origin.user if origin else None,
            origin=origin,
            linear_issue=linear_issue,
        )

    def commit_message(self, title: str, items: list[str], approver: str, workflow: str) -> str:
        """Subject, summary, the first 50 items, and who approved it."""
        lines = [title, "", self.summary(), "", *items[:50], ""]
        lines += [f"Approved-by: {approver} (Slack)", f"Prepared-by: cicd-chatops {workflow}"]
        return "\n".join(lines)


class Landed(BaseModel):
    """An approved change committed on its branch, and the pull request when one was opened."""

    commit: str
    pull_request_url: str | None = None
    pull_request_number: int | None = None
    warnings: list[str] = Field(default_factory=list)


@task(
    name="checkout",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_checkout_failure,
    persist_result=True,
    cache_policy=DEFAULT,
)
def checkout_for_change(repo: str, ref: str | None, commit_required_by: str = "") -> Checkout:
    """The repository on disk; with ``commit_required_by`` (a workflow) it must be git with a
    commit, since that workflow's change goes on a branch."""
    checkout = checkout_repository(repo, ref, load_config().cicd_data_dir)
    get_run_logger().info("Repository at %s (commit %s)", checkout.path, checkout.commit)
    if commit_required_by and checkout.commit is None:
        raise CheckoutError(
            f"{checkout.source} is not a git repository with a commit; {commit_required_by} "
            "prepares its change on a branch"
        )
    return checkout


def run_key() -> str:
    """The flow run's short id (`local` outside a run)."""
    context = FlowRunContext.get()
    return str(context.flow_run.id)[:8] if context and context.flow_run else "local"


def branch_name(flow_name: str) -> str:
    """`cicd/<flow-name>-<run key>`: one branch per run."""
    return f"cicd/{flow_name}-{run_key()}"


def current_branch(repo: Path) -> str | None:
    """The branch checked out in ``repo``; None when detached or not git."""
    try:
        name = git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo)
    except CheckoutError:
        return None
    return None if name == "HEAD" else name


def base_ref(checkout: Checkout) -> str | None:
    """The branch a pull request would target: the ref cloned, or the local tree's branch."""
    return checkout.ref if checkout.cloned else current_branch(Path(checkout.path))


def start_worktree(checkout: Checkout, branch: str) -> Path:
    """A clean worktree on a new ``branch`` at the checkout's commit, under the data directory."""
    worktree = load_config().cicd_data_dir / "worktrees" / branch.replace("/", "-")
    add_worktree(Path(checkout.path), worktree, branch, checkout.commit or "")
    git("reset", "--quiet", "--hard", "HEAD", cwd=worktree)  # a retried task starts clean
    return worktree


def github_ready(config: OrchestrationConfig) -> bool:
    """A token and a repository: the branch can be pushed and a pull request opened."""
    return config.github_token is not None and bool(config.github_repository)


def github_target(config: OrchestrationConfig) -> str | None:
    """The repository a pull request would go to; None when the change stays local."""
    return config.github_repository if github_ready(config) else None


def ensure_prepared(change: BranchChange) -> None:
    """The worktree holds exactly the approved change; made again if the worktree is gone."""
    worktree = Path(change.worktree)
    if not (worktree / ".git").exists():
        add_worktree(Path(change.repo_path), worktree, change.branch, change.base_commit)
        git("reset", "--quiet", "--hard", change.base_commit, cwd=worktree)
        change.reapply(worktree)
    if diff_digest(worktree) != change.digest:
        raise RuntimeError(
            "the branch no longer holds the change that was approved; nothing was committed. "
            "Start a new run."
        )


def discard(change: BranchChange) -> None:
    """Remove the worktree and its branch: nothing was approved."""
    remove_worktree(Path(change.repo_path), Path(change.worktree), branch=change.branch)


def land(change: BranchChange, message: str, title: str) -> Landed:
    """Commit the approved change on its branch; with GitHub, push it and open a pull request."""
    ensure_prepared(change)
    landed = Landed(commit=commit_all(Path(change.worktree), message))
    config = load_config()
    if github_ready(config):
        landed = _open_pull_request(config, change, landed, title, message)
    remove_worktree(Path(change.repo_path), Path(change.worktree))  # the branch stays
    return landed


def _open_pull_request(
    config: OrchestrationConfig, change: BranchChange, landed: Landed, title: str, body: str
) -> Landed:
    """Push the branch and open the pull request; trouble leaves the local branch and a warning."""
    from workflows.integrations.github_tasks import create_pull_request, push_branch
    from workflows.integrations.retrying import IntegrationError

    try:
        push_branch(Path(change.worktree), change.branch, config=config)
        pull = create_pull_request(
            head=change.branch, base=change.base_ref, title=title, body=body, config=config
        )
    except (IntegrationError, CheckoutError) as exc:
        get_run_logger().warning("pull request not opened: %s", exc)
        return landed.model_copy(
            update={"warnings": [*landed.warnings, f"pull request not opened: {exc}"]}
        )
    update = {"pull_request_url": pull.html_url, "pull_request_number": pull.number}
    return landed.model_copy(update=update)
