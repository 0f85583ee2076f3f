"""HTTP endpoints: `POST /slack/events` for Bolt and `GET /healthz` for humans and probes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1 << 20  # Slack payloads are far smaller; refuse anything silly


def build_web_app(app: AsyncApp | None, health: Callable[[], dict[str, Any]]) -> web.Application:
    """The aiohttp application; `app` is None in Socket Mode (health only)."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def slack_events(request: web.Request) -> web.Response:
        assert app is not None
        try:
            bolt_request = await to_bolt_request(request)
        except (AttributeError, TypeError, ValueError):
            # Bolt parses the body before checking its signature; garbage is not our error.
            log.info("unparseable request to /slack/events from %s", request.remote)
            return web.json_response({"error": "invalid request body"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def healthz(_: web.Request) -> web.Response:
        status = health()
        return web.json_response(status, status=200 if status.get("ok") else 503)

    if app is not None:
        web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    return web_app
