"""Reporting back to GitHub: commit statuses, check runs and deployments."""

from __future__ import annotations

import logging
from itertools import islice
from typing import TYPE_CHECKING, Any

from workflows.integrations.github_errors import SERVICE
from workflows.integrations.github_models import (
    CheckConclusion,
    CheckResult,
    CommitStatus,
    Deployment,
    DeploymentState,
    DeploymentStatus,
    StatusState,
)
from workflows.integrations.github_session import GitHubSession, given
from workflows.integrations.retrying import IntegrationError

if TYPE_CHECKING:
    import github.Deployment
    import github.DeploymentStatus

log = logging.getLogger(__name__)

# Commit statuses know four states; a check run's conclusion maps onto them when runs are refused.
_STATUS_FOR_CONCLUSION: dict[str, StatusState] = {
    "success": "success",
    "neutral": "success",
    "skipped": "success",
    "failure": "failure",
    "timed_out": "failure",
    "action_required": "failure",
    "cancelled": "error",
}
STATUS_DESCRIPTION_MAX = 140


class DeliveryOperations(GitHubSession):
    """Statuses, checks and deployments of the session's repository."""

    def create_commit_status(
        self,
        sha: str,
        *,
        state: StatusState,
        context: str,
        description: str | None = None,
        target_url: str | None = None,
    ) -> CommitStatus:
        """Set the status ``context`` of commit ``sha``."""
        short = description[:STATUS_DESCRIPTION_MAX] if description else None

        def call() -> CommitStatus:
            commit = self._repo.get_commit(sha)
            status = commit.create_status(
                state, **given(target_url=target_url, description=short, context=context)
            )
            return CommitStatus(
                id=status.id,
                state=status.state,
                context=status.context,
                description=status.description,
                target_url=status.target_url,
            )

        return self._call("create commit status", call, f"commit {sha} in {self.repository}")

    def publish_check(
        self,
        sha: str,
        *,
        name: str,
        conclusion: CheckConclusion,
        title: str,
        summary: str,
        text: str | None = None,
        details_url: str | None = None,
    ) -> CheckResult:
        """A completed check run with a Markdown summary; a commit status if runs are refused.

        GitHub lets only GitHub Apps create check runs; with a personal token it answers 403,
        and the result is then published as a commit status named ``name``.
        """
        output = {"title": title, "summary": summary, **given(text=text)}

        def call() -> CheckResult:
            run = self._repo.create_check_run(
                name=name,
                head_sha=sha,
                status="completed",
                conclusion=conclusion,
                output=output,
                **given(details_url=details_url),
            )
            return CheckResult(
                kind="check_run",
                id=run.id,
                name=run.name,
                conclusion=run.conclusion,
                html_url=run.html_url,
            )

        try:
            return self._call("create check run", call, f"commit {sha} in {self.repository}")
        except IntegrationError as exc:
            if exc.status != 403:
                raise
            log.info("GitHub: check runs refused (%s); publishing a commit status", exc.message)
        status = self.create_commit_status(
            sha,
            state=_STATUS_FOR_CONCLUSION[conclusion],
            context=name,
            description=f"{title}: {summary}",
            target_url=details_url,
        )
        return CheckResult(
            kind="commit_status",
            id=status.id,
            name=name,
            conclusion=conclusion,
            html_url=details_url,
        )

    # -- deployments --------------------------------------------------------------------------

    def create_deployment(
        self,
        ref: str,
        *,
        environment: str = "production",
        task: str = "deploy",
        description: str | None = None,
        payload: dict[str, Any] | None = None,
        required_contexts: list[str] | None = None,
        auto_merge: bool = False,
    ) -> Deployment:
        """Record a deployment of ``ref``; GitHub checks ``required_contexts`` (None = all)."""

        def call() -> Deployment:
            created = self._repo.create_deployment(
                ref,
                task=task,
                auto_merge=auto_merge,
                environment=environment,
                **given(
                    description=description, payload=payload, required_contexts=required_contexts
                ),
            )
            if created.raw_data.get("id") is None:
                # 202: GitHub merged the default branch into `ref` first; asking again deploys.
                raise IntegrationError(
                    SERVICE, str(created.raw_data.get("message", "deployment")), retryable=True
                )
            return _deployment(created)

        return self._call("create deployment", call)

    def list_deployments(
        self,
        *,
        environment: str | None = None,
        ref: str | None = None,
        sha: str | None = None,
        limit: int = 30,
    ) -> list[Deployment]:
        """Deployments, newest first."""

        def call() -> list[Deployment]:
            found = self._repo.get_deployments(**given(environment=environment, ref=ref, sha=sha))
            return [_deployment(d) for d in islice(found, limit)]

        return self._call("list deployments", call)

    def create_deployment_status(
        self,
        deployment_id: int,
        *,
        state: DeploymentState,
        description: str | None = None,
        log_url: str | None = None,
        environment_url: str | None = None,
    ) -> DeploymentStatus:
        """Report progress of a deployment (``success`` makes older ones inactive)."""

        def call() -> DeploymentStatus:
            deployment = self._repo.get_deployment(deployment_id)
            status = deployment.create_status(
                state,
                **given(
                    target_url=log_url, description=description, environment_url=environment_url
                ),
            )
            return _deployment_status(status, deployment_id)

        subject = f"deployment {deployment_id} in {self.repository}"
        return self._call("create deployment status", call, subject)

    def list_deployment_statuses(self, deployment_id: int) -> list[DeploymentStatus]:
        """The statuses of a deployment, newest first."""

        def call() -> list[DeploymentStatus]:
            deployment = self._repo.get_deployment(deployment_id)
            return [_deployment_status(s, deployment_id) for s in deployment.get_statuses()]

        subject = f"deployment {deployment_id} in {self.repository}"
        return self._call("list deployment statuses", call, subject)


def _deployment(deployment: github.Deployment.Deployment) -> Deployment:
    return Deployment(
        id=deployment.id,
        ref=deployment.ref,
        sha=deployment.sha,
        environment=deployment.environment,
        task=deployment.task,
        description=deployment.description or None,
        created_at=deployment.created_at,
    )


def _deployment_status(
    status: github.DeploymentStatus.DeploymentStatus, deployment_id: int
) -> DeploymentStatus:
    return DeploymentStatus(
        id=status.id,
        deployment_id=deployment_id,
        state=status.state,
        environment=status.environment,
        description=status.description or None,
        log_url=status.log_url or status.target_url or None,
        environment_url=status.environment_url or None,
    )
