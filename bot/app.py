"""Building the Bolt `AsyncApp` and registering every Slack surface."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot import actions, commands, events, views
from bot.alerts import buttons as alert_buttons
from bot.services import BotServices


def build_app(
    services: BotServices, client: AsyncWebClient, auth_test: AsyncSlackResponse
) -> AsyncApp:
    """The Bolt app; authorisation comes from the start-up `auth.test`, so acks never wait."""
    config = services.config
    token = config.slack_bot_token.get_secret_value() if config.slack_bot_token else None
    authorized = AuthorizeResult.from_auth_test_response(
        bot_token=token, auth_test_response=auth_test
    )

    async def authorize(**_: object) -> AuthorizeResult:  # Bolt passes who is asking
        return authorized

    secret = config.slack_signing_secret
    app = AsyncApp(
        # Token-less: per-request clients get the token from `authorize` (no double source).
        client=AsyncWebClient(base_url=client.base_url, timeout=client.timeout),
        authorize=authorize,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode has no HTTP signatures; HTTP mode always verifies them.
        request_verification_enabled=secret is not None,
        ignoring_self_events_enabled=True,
    )
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    alert_buttons.register(app, services)
    events.register(app)
    return app
