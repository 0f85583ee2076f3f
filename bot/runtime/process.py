"""`cicd serve`: the bot, its HTTP (or Socket Mode) listener, and the embedded Prefect.

Order matters: the embedded server's URL goes into the environment before Prefect is
imported; the HTTP listener starts before Prefect is ready, so Slack is acknowledged at once
and early requests simply wait for the launcher to become ready.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.errors import ServeError
from bot.runtime.embedded import EmbeddedPrefect, EmbeddedPrefectError, apply_prefect_defaults
from workflows.config import OrchestrationConfig

if TYPE_CHECKING:  # Prefect must not be imported before PREFECT_API_URL is set
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.runs.launcher import Launcher
    from bot.runtime.scan_loop import ScanLoop
    from bot.services import BotServices
    from workflows.registry import FlowSpec
    from workflows.types import WorkflowType

log = logging.getLogger(__name__)
SLACK_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


def check_slack_settings(config: OrchestrationConfig) -> None:
    """Refuse to start without the Slack settings the chosen mode needs."""
    if config.slack_bot_token is None:
        raise ServeError(
            "SLACK_BOT_TOKEN is not set. `cicd serve` talks to Slack; to try the analysis "
            "without Slack, run `cicd analyze PATH`."
        )
    if config.slack_app_token is None and config.slack_signing_secret is None:
        raise ServeError(
            "SLACK_SIGNING_SECRET is not set (HTTP mode verifies every request with it); "
            "or set SLACK_APP_TOKEN for Socket Mode."
        )


def serve(config: OrchestrationConfig) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code."""
    check_slack_settings(config)
    # Least privilege: the Prefect server and the flow runs (child processes inheriting our
    # environment) never need Slack credentials; the bot holds them in `config` only.
    for name in SLACK_SECRETS:
        os.environ.pop(name, None)
    apply_prefect_defaults(config.cicd_data_dir)
    embedded: EmbeddedPrefect | None = None
    if not os.environ.get("PREFECT_API_URL"):
        embedded = EmbeddedPrefect(config.cicd_data_dir)
        os.environ["PREFECT_API_URL"] = embedded.api_url
        embedded.spawn()
    try:
        return asyncio.run(_serve(config, embedded))
    finally:
        # A second Ctrl-C or SIGTERM while we stop must not orphan the Prefect server.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        if embedded is not None:
            embedded.stop()


async def _serve(config: OrchestrationConfig, embedded: EmbeddedPrefect | None) -> int:
    # Imported here: Prefect must see PREFECT_API_URL, set just above.
    from aiohttp import web
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.app import build_app
    from bot.runs.launcher import Launcher
    from bot.runs.probes import health_check_parameters
    from bot.runtime.http import build_web_app
    from bot.runtime.slack_auth import verify_bot_token
    from workflows.registry import flow_specs
    from workflows.types import WorkflowType

    assert config.slack_bot_token is not None
    client = AsyncWebClient(
        token=config.slack_bot_token.get_secret_value(), base_url=config.slack_api_url
    )
    auth = await verify_bot_token(client)
    specs = flow_specs()
    from bot.schedules.scheduler import Scheduler, check_config_schedules

    check_config_schedules(config, specs)  # a bad `schedules:` entry stops start-up
    # A health check reports Slack as the bot sees it: the flow run never holds the token.
    launcher = Launcher(specs, prepare={WorkflowType.HEALTH_CHECK: health_check_parameters(client)})
    services = _services(config, client, launcher, specs)
    services.schedules = Scheduler(services)
    app = build_app(services, client, auth)
    started = time.monotonic()
    state: dict[str, Any] = {"prefect": "starting", "error": None}

    def health() -> dict[str, Any]:
        ready = state["prefect"] == "ready"
        return {
            "ok": state["error"] is None,
            "ready": ready,
            "mode": "socket" if socket_handler else "http",
            "prefect": state["prefect"],
            "prefect_api_url": os.environ.get("PREFECT_API_URL"),
            "bot_user": auth.get("user_id"),
            "uptime_s": round(time.monotonic() - started, 1),
            **({"error": state["error"]} if state["error"] else {}),
        }

    socket_handler = None
    if config.slack_app_token is not None:  # Socket Mode
        socket_handler = await _socket_mode_handler(app, config.slack_app_token.get_secret_value())

    web_app = build_web_app(None if socket_handler else app, health)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host=config.host, port=config.port).start()
    mode = "socket" if socket_handler else "http"
    log.info("listening on %s:%s (%s mode)", config.host, config.port, mode)

    if socket_handler is not None:
        await socket_handler.connect_async()
        log.info("connected to Slack over Socket Mode")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def install_signal_handlers() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

    install_signal_handlers()
    prefect_task = asyncio.create_task(
        _bring_up_prefect(config, embedded, launcher, specs, state, stop, install_signal_handlers)
    )
    from bot.runtime.scan_loop import ScanLoop

    assert services.approvals is not None  # `_services` always builds the desk
    every_s = config.approval_poll_seconds
    escalation = ScanLoop(services.approvals, every_s=every_s, what="approval")
    approvals_task = asyncio.create_task(_watch_approvals(services, escalation))
    assert services.alerts is not None  # `_services` always builds the alert desk
    alert_loop = ScanLoop(services.alerts, every_s=every_s, what="alert")
    alerts_task = asyncio.create_task(_watch_alerts(services, alert_loop))
    schedules_task = asyncio.create_task(services.schedules.run())  # waits for the launcher
    await stop.wait()
    log.info("shutting down")
    if socket_handler is not None:
        await socket_handler.close_async()
    escalation.stop()
    alert_loop.stop()
    await services.schedules.stop()
    schedules_task.cancel()
    if launcher.ready.is_set():  # else it is still waiting for Prefect: nothing to finish
        await asyncio.wait([approvals_task, alerts_task], timeout=10)
    approvals_task.cancel()
    alerts_task.cancel()
    await services.follower.drain()
    prefect_task.cancel()
    await asyncio.gather(
        prefect_task, approvals_task, alerts_task, schedules_task, return_exceptions=True
    )
    await runner.cleanup()
    return 1 if state["error"] else 0


def _services(
    config: OrchestrationConfig,
    client: AsyncWebClient,
    launcher: Launcher,
    specs: dict[WorkflowType, FlowSpec],
) -> BotServices:
    """The listeners' services: runs, rights, approvals (Prefect is imported by now)."""
    from bot.alerts.desk import AlertDesk
    from bot.approvals.desk import ApprovalDesk
    from bot.approvals.notify import Notifier
    from bot.directory import SlackDirectory
    from bot.runs.control import RunControl
    from bot.runs.deliveries import Deliveries, DeliveryContext
    from bot.runs.following import RunFollower
    from bot.runs.starting import RunStarter
    from bot.services import BotServices

    directory = SlackDirectory(client)
    control = RunControl(config, directory, specs)
    desk = ApprovalDesk(client, config, directory, Notifier(client, directory, config))
    control.desk = desk
    follower = RunFollower(client, specs, control=control)
    runs = RunStarter(client, launcher, follower, control=control)
    services = BotServices(
        config=config, runs=runs, follower=follower, approvals=desk, control=control
    )
    services.alerts = AlertDesk(client, config, directory)
    follower.deliveries = Deliveries(DeliveryContext(client, services))
    return services


async def _watch_approvals(services: BotServices, escalation: ScanLoop) -> None:
    """Once Prefect is ready: follow unfinished Slack runs again, then run the escalation loop."""
    await services.runs.launcher.ready.wait()
    try:
        await services.follower.adopt()
    except Exception:
        log.exception("could not pick up unfinished runs after the restart")
    await escalation.run()


async def _watch_alerts(services: BotServices, loop: ScanLoop) -> None:
    """Once Prefect is ready (the alerts are records there): escalate alerts on schedule."""
    await services.runs.launcher.ready.wait()
    await loop.run()


async def _socket_mode_handler(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """The Socket Mode handler, its first URL issued now: a rejected token stops start-up.

    Left to itself the SDK would retry a rejected token every 10 s for ever, while /healthz
    said ok and Prefect never started.
    """
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_sdk.errors import SlackApiError

    handler = AsyncSocketModeHandler(app, app_token)
    try:
        handler.client.wss_uri = await handler.client.issue_new_wss_url()  # connect() uses it
    except SlackApiError as exc:
        await handler.close_async()
        raise ServeError(
            f"SLACK_APP_TOKEN was rejected by Slack ({exc.response.get('error')}); check the "
            "app-level token (it starts with xapp- and needs the connections:write scope)"
        ) from None
    except OSError as exc:  # a network blip: connect() keeps retrying
        log.warning("cannot open a Socket Mode URL yet: %s", exc)
    return handler


async def _bring_up_prefect(
    config: OrchestrationConfig,
    embedded: EmbeddedPrefect | None,
    launcher: Launcher,
    specs: dict[WorkflowType, FlowSpec],
    state: dict[str, Any],
    stop: asyncio.Event,
    install_signal_handlers: Callable[[], None],
) -> None:
    """Wait for Prefect, serve the deployments (embedded mode), then open the launcher."""
    from bot.runtime.deployments import check_api, serve_deployments

    try:
        if embedded is not None:
            await asyncio.to_thread(embedded.wait_ready)
            log.info("embedded Prefect server ready at %s", embedded.api_url)
            runner = await serve_deployments(specs, limit=config.max_concurrent_workflows)
        else:
            await check_api(specs)
            runner = None
    except (EmbeddedPrefectError, RuntimeError) as exc:
        state["prefect"], state["error"] = "error", str(exc)
        log.error("Prefect is not available: %s", exc)
        print(f"error: {exc}", file=sys.stderr)
        stop.set()
        return
    state["prefect"] = "ready"
    launcher.ready.set()
    if runner is None:
        return
    runner_task = asyncio.create_task(runner.start())
    await asyncio.sleep(0.5)
    install_signal_handlers()  # the Runner installs its own SIGTERM handler; ours must win
    try:
        await runner_task
    except asyncio.CancelledError:
        runner_task.cancel()
        await asyncio.gather(runner_task, return_exceptions=True)
        raise
