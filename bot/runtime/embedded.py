"""The embedded default: a local Prefect server on SQLite, started as a child process.

This module must not import Prefect: the server's URL has to be in the environment before
Prefect reads its settings.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT_S = 120.0


class EmbeddedPrefectError(RuntimeError):
    """The local Prefect server did not start; the message points at its log."""


def prefect_home(data_dir: Path) -> Path:
    """Where the embedded server keeps its SQLite database and settings."""
    return data_dir / "prefect"


def apply_prefect_defaults(data_dir: Path, *, quiet: bool = False) -> None:
    """Telemetry off, state under our data directory; only where the user chose nothing."""
    if "prefect" in sys.modules and "PREFECT_API_URL" not in os.environ:
        # Settings are read at import; this call must come first. A bug, not a user error.
        raise RuntimeError("apply_prefect_defaults() must run before prefect is imported")
    defaults = {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
        "PREFECT_HOME": str(prefect_home(data_dir)),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    if quiet:
        # The terminal shows our own progress and one clean error line, not engine tracebacks.
        defaults["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the bot dies without stopping it (even on SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


class EmbeddedPrefect:
    """A `prefect server start` child process bound to 127.0.0.1."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.home = prefect_home(data_dir)
        self.port = port or _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = self.home / "server.log"
        self.state_path = self.home / "server.json"
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        """Start the server process; `wait_ready()` blocks until it answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_HOME"] = str(self.home)
        cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--analytics-off"]
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                cmd,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal is ours to handle, not its
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self, timeout_s: float = STARTUP_TIMEOUT_S) -> str:
        """Block until the API answers; return its URL. Raise with the log's path if not."""
        assert self.process is not None, "spawn() first"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedPrefectError(
                    f"the local Prefect server exited with code {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            if _healthy(self.api_url):
                state = {"api_url": self.api_url, "pid": self.process.pid}
                self.state_path.write_text(json.dumps(state))
                return self.api_url
            time.sleep(0.25)
        raise EmbeddedPrefectError(
            f"the local Prefect server did not answer within {timeout_s:.0f} s; see {self.log_path}"
        )

    def start(self) -> str:
        """Spawn and wait: the blocking form."""
        self.spawn()
        return self.wait_ready()

    def stop(self) -> None:
        """Stop the server (politely, then firmly)."""
        self.state_path.unlink(missing_ok=True)
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def running_server(data_dir: Path) -> str | None:
    """The API URL of a `cicd serve` embedded server that is up now, if any."""
    state = prefect_home(data_dir) / "server.json"
    try:
        api_url = json.loads(state.read_text())["api_url"]
    except (OSError, ValueError, KeyError):
        return None
    return api_url if _healthy(api_url, timeout=0.5) else None
