"""Button clicks on the bot's messages."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.actions import approval_buttons, rerun_failed_jobs, result_buttons, run_buttons
from bot.services import BotServices


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the run buttons, the result buttons, the approval buttons and Re-run failed
    jobs."""
    run_buttons.register(app, services)
    result_buttons.register(app, services)
    approval_buttons.register(app, services)
    rerun_failed_jobs.register(app, services)
