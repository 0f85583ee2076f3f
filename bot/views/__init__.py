"""Modal submissions."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import BotServices
from bot.views import reject_reason


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for every modal the bot opens."""
    reject_reason.register(app, services)
