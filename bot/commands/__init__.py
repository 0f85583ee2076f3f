"""Slash commands."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands.cicd import make_handler
from bot.services import BotServices


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for `/cicd`."""
    app.command("/cicd")(make_handler(services))
