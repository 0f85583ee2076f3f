"""Reading a workflow's history: the last green run before a red one, and whether a job that
failed also passed on the same commit (flaky) or failed on every try (real).

Pure functions over the GitHub models; the flow fetches the runs and jobs.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflows.integrations.github_models import WorkflowJob, WorkflowRun

FAILED = frozenset({"failure", "timed_out"})


def before(run: WorkflowRun, other: WorkflowRun) -> bool:
    """Was ``other`` created before ``run``? (ids break ties of equal timestamps)"""
    return (other.created_at, other.id) < (run.created_at, run.id)


def last_green_before(runs: list[WorkflowRun], red: WorkflowRun) -> WorkflowRun | None:
    """The newest successful run of the same workflow and branch, created before ``red``."""
    green = [
        r
        for r in runs
        if r.workflow_id == red.workflow_id
        and r.head_branch == red.head_branch
        and r.conclusion == "success"
        and before(red, r)
    ]
    return max(green, key=lambda r: (r.created_at, r.id), default=None)


class JobTry(BaseModel):
    """One try of a job on the commit: which run, which attempt, how it ended."""

    job: str
    run_id: int
    run_number: int
    attempt: int
    conclusion: str
    html_url: str | None = None


class Flakiness(BaseModel):
    """What the commit's other tries say about the failed jobs."""

    flaky: bool = Field(description="a failed job also passed on this commit")
    flaky_jobs: list[str] = Field(default_factory=list)
    tries: list[JobTry] = Field(default_factory=list, description="every try of the failed jobs")
    repeated: int = Field(1, description="the most tries one failed job failed on this commit")

    def summary(self, short_sha: str) -> str:
        """One sentence for people."""
        if self.flaky:
            passed = [t for t in self.tries if t.conclusion == "success"]
            where = ", ".join(f"run #{t.run_number} attempt {t.attempt}" for t in passed[:3])
            jobs = ", ".join(f"`{j}`" for j in self.flaky_jobs)
            return f"Flaky: {jobs} failed and passed on {short_sha} ({where})."
        if self.repeated >= 2:
            return f"Real: failed on every one of {self.repeated} tries of {short_sha}."
        return f"Not known to be flaky: this is the only finished try of {short_sha}."


def judge_flakiness(
    failed_jobs: list[str], jobs: list[tuple[WorkflowRun, WorkflowJob]]
) -> Flakiness:
    """Flaky when a failed job also succeeded on the commit (another run, or another attempt)."""
    tries = [
        JobTry(
            job=job.name,
            run_id=run.id,
            run_number=run.run_number,
            attempt=job.run_attempt,
            conclusion=job.conclusion or "",
            html_url=job.html_url,
        )
        for run, job in jobs
        if job.name in failed_jobs and job.conclusion in FAILED | {"success"}
    ]
    flaky_jobs = [
        name
        for name in failed_jobs
        if any(t.job == name and t.conclusion == "success" for t in tries)
    ]
    failures = [
        sum(1 for t in tries if t.job == name and t.conclusion in FAILED) for name in failed_jobs
    ]
    return Flakiness(
        flaky=bool(flaky_jobs),
        flaky_jobs=flaky_jobs,
        tries=sorted(tries, key=lambda t: (t.run_number, t.attempt, t.job)),
        repeated=max([*failures, 1]),
    )
