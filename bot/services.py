"""What the Slack listeners need, built once at start-up and handed to `register()`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.runs.following import RunFollower
from bot.runs.starting import RunStarter
from workflows.config import OrchestrationConfig
from workflows.repository.checkout import is_remote, redact

if TYPE_CHECKING:
    from bot.alerts.desk import AlertDesk
    from bot.approvals.desk import ApprovalDesk
    from bot.runs.control import RunControl
    from bot.schedules.scheduler import Scheduler


@dataclass
class BotServices:
    """Configuration, the run service, approvals and rights, shared by every listener."""

    config: OrchestrationConfig
    runs: RunStarter
    follower: RunFollower
    approvals: ApprovalDesk | None = None
    control: RunControl | None = None
    alerts: AlertDesk | None = None
    schedules: Scheduler | None = None

    @property
    def local_repo(self) -> Path | None:
        """The repository as a local directory, when it is one (lets us check paths at once)."""
        repo = self.config.cicd_repo
        return None if is_remote(repo) else Path(repo).expanduser().resolve()

    @property
    def repo_label(self) -> str:
        """The repository as shown to people (credentials never included)."""
        return (
            redact(self.config.cicd_repo)
            if is_remote(self.config.cicd_repo)
            else str(self.local_repo)
        )
