"""`RunSnapshot`: what a run looks like at one moment, for Slack and the terminal alike."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class StepStatus(StrEnum):
    """Where one step of a flow stands."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StepView(BaseModel):
    """One named step of a flow and its state."""

    key: str
    label: str
    status: StepStatus = StepStatus.PENDING
    detail: str | None = Field(None, description="e.g. '120/450 files'")


class RunSnapshot(BaseModel):
    """A flow run's state, steps and elapsed time at one moment."""

    run_id: str
    run_name: str = ""
    workflow: str
    state: str = Field("SCHEDULED", description="Prefect state type, e.g. RUNNING, COMPLETED")
    state_name: str = "Scheduled"
    message: str | None = None
    steps: list[StepView] = Field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def finished(self) -> bool:
        """True once the run can no longer change."""
        return self.state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

    @property
    def succeeded(self) -> bool:
        """True when the run completed."""
        return self.state == "COMPLETED"

    def fingerprint(self) -> tuple[object, ...]:
        """What a viewer would notice changing, ignoring the clock."""
        return (self.state, tuple((s.status, s.detail) for s in self.steps), self.message)
