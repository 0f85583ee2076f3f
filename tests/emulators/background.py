"""An aiohttp application served on 127.0.0.1 from a thread with its own event loop.

Every emulator (Slack, GitHub, Linear, Codegen) is one: subclasses say what to serve in
`build_app`; starting, binding a free port, stopping and the context-manager protocol live here.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Self

from aiohttp import web

__all__ = ["BackgroundServer", "wait_for_signal"]


class BackgroundServer:
    """Serves `build_app()` on ``127.0.0.1:port`` (0: any free port) until `stop`."""

    thread_name = "emulator"
    max_body_bytes = 10 * 1024 * 1024

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def build_app(self) -> web.Application:
        """The application to serve (subclasses add their routes to `new_app()`)."""
        raise NotImplementedError

    def new_app(self) -> web.Application:
        """An empty application accepting bodies up to `max_body_bytes`."""
        return web.Application(client_max_size=self.max_body_bytes)

    @property
    def port(self) -> int:
        """The bound TCP port (known after :meth:`start`)."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Self:
        """Start serving in a background thread; raises what binding or building raised."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, errors), name=self.thread_name, daemon=True
        )
        self._thread.start()
        ready.wait(10)
        if errors:
            self._thread.join()
            self._thread = None
            raise errors[0]
        return self

    def stop(self) -> None:
        """Stop the server and join its thread."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def summary(self, last: int = 10) -> str:
        """What the server saw lately, for failure messages (subclasses say more)."""
        return f"{type(self).__name__} on {self.base_url}"

    def wait_for[T](
        self, predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.02
    ) -> T:
        """Poll ``predicate`` until truthy and return it; AssertionError with a summary."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met in {timeout}s\n{self.summary()}")
            time.sleep(interval)
        return value

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event, errors: list[BaseException]) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:  # reported to start()
            errors.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            assert self._runner is not None
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port, backlog=1024)
        await site.start()
        self._port = int(self._runner.addresses[0][1])


def wait_for_signal() -> None:
    """Block until Ctrl-C or SIGTERM (emulators started by hand)."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(0.5):
        pass
