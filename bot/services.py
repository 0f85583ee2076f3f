"""What the Slack listeners need, built once at start-up and handed to `register()`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.slack_runs import SlackRuns
from workflows.checkout import is_remote, redact
from workflows.config import OrchestrationConfig


@dataclass
class BotServices:
    """Configuration and the run service shared by every listener."""

    config: OrchestrationConfig
    runs: SlackRuns

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
