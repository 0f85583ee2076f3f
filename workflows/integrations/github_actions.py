"""GitHub Actions: workflow runs, their jobs and logs, re-runs and ``workflow_dispatch``."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

import requests

from workflows.integrations.github_errors import SERVICE
from workflows.integrations.github_models import WorkflowJob, WorkflowRun, WorkflowStep
from workflows.integrations.github_session import GitHubSession, given
from workflows.integrations.retrying import IntegrationError

if TYPE_CHECKING:
    import github.WorkflowJob
    import github.WorkflowRun


class ActionsOperations(GitHubSession):
    """Actions runs and jobs of the session's repository."""

    def list_workflow_runs(
        self,
        *,
        branch: str | None = None,
        status: str | None = None,
        event: str | None = None,
        head_sha: str | None = None,
        limit: int = 30,
    ) -> list[WorkflowRun]:
        """Recent runs, newest first; ``status`` is a status or a conclusion (``failure``)."""

        def call() -> list[WorkflowRun]:
            filters = given(branch=branch, status=status, event=event, head_sha=head_sha)
            runs = self._repo.get_workflow_runs(**filters)
            return [_run(run) for run in islice(runs, limit)]

        return self._call("list workflow runs", call)

    def get_workflow_run(self, run_id: int) -> WorkflowRun:
        """One run."""
        return self._call(
            "get workflow run",
            lambda: _run(self._repo.get_workflow_run(run_id)),
            f"workflow run {run_id} in {self.repository}",
        )

    def list_run_jobs(self, run_id: int, *, latest_only: bool = True) -> list[WorkflowJob]:
        """The jobs of a run (of its latest attempt unless ``latest_only`` is False)."""

        def call() -> list[WorkflowJob]:
            run = self._repo.get_workflow_run(run_id)
            return [_job(job) for job in run.jobs("latest" if latest_only else "all")]

        return self._call("list run jobs", call, f"workflow run {run_id} in {self.repository}")

    def download_job_log(self, job_id: int, *, max_chars: int = 1_000_000) -> str:
        """A job's log text (its last ``max_chars`` characters: failures are at the end)."""

        def call() -> str:
            # GitHub answers 302 to a short-lived signed URL that wants no token.
            url = f"{self._repo.url}/actions/jobs/{job_id}/logs"
            headers, _ = self._gh.requester.requestBlobAndCheck("GET", url)
            location = headers.get("location")
            if not location:
                raise IntegrationError(SERVICE, f"no log download URL for job {job_id}")
            response = requests.get(location, timeout=60)
            if response.status_code >= 400:
                raise IntegrationError(
                    SERVICE,
                    f"download job log: log storage answered {response.status_code}",
                    retryable=response.status_code >= 500 or response.status_code == 403,
                    status=response.status_code,
                )
            return response.text[-max_chars:]

        return self._call("download job log", call, f"job {job_id} in {self.repository}")

    def rerun_failed_jobs(self, run_id: int) -> None:
        """Re-run the failed jobs of a completed run (a new attempt of the same run)."""
        url = f"{self._repo.url}/actions/runs/{run_id}/rerun-failed-jobs"
        self._call(
            "re-run failed jobs",
            lambda: self._gh.requester.requestJsonAndCheck("POST", url),
            f"workflow run {run_id} in {self.repository}",
        )

    def dispatch_workflow(
        self, workflow: str | int, ref: str, inputs: dict[str, str] | None = None
    ) -> None:
        """Start a ``workflow_dispatch`` run of ``workflow`` (id or file name such as ci.yml)."""
        url = f"{self._repo.url}/actions/workflows/{workflow}/dispatches"
        body = {"ref": ref, "inputs": dict(inputs or {})}
        self._call(
            "dispatch workflow",
            lambda: self._gh.requester.requestJsonAndCheck("POST", url, input=body),
            f"workflow {workflow} in {self.repository}",
        )


def _run(run: github.WorkflowRun.WorkflowRun) -> WorkflowRun:
    return WorkflowRun(
        id=run.id,
        name=run.name,
        workflow_id=run.workflow_id,
        path=run.path,
        head_branch=run.head_branch,
        head_sha=run.head_sha,
        event=run.event,
        status=run.status,
        conclusion=run.conclusion,
        run_number=run.run_number,
        run_attempt=run.run_attempt or 1,
        html_url=run.html_url,
        created_at=run.created_at,
        updated_at=run.updated_at,
    )


def _job(job: github.WorkflowJob.WorkflowJob) -> WorkflowJob:
    return WorkflowJob(
        id=job.id,
        run_id=job.run_id,
        name=job.name,
        status=job.status,
        conclusion=job.conclusion,
        started_at=job.started_at,
        completed_at=job.completed_at,
        html_url=job.html_url,
        steps=[
            WorkflowStep(number=s.number, name=s.name, status=s.status, conclusion=s.conclusion)
            for s in job.steps
        ],
        run_attempt=job.run_attempt or 1,
    )
