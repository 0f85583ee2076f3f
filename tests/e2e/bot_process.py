"""Starting the real `cicd serve` process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-test-token"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """`python -m bot serve` with its settings in the environment, logs in a file.

    ``env`` adds or overrides variables; ``NAME=None`` leaves NAME out (e.g. no signing secret).
    """

    def __init__(self, workdir: Path, slack_api_url: str, repo: Path, **env: str | None) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        merged = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "SLACK_"))},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "CICD_REPO": str(repo),
            "CICD_DATA_DIR": str(workdir / "data"),
            "CICD_CONFIG": str(workdir / "orchestration_config.yaml"),
            # The built-in alert monitor only where a test asks for it (it posts alerts).
            "MONITORING_ENABLED": "false",
            **env,
        }
        self.env = {k: v for k, v in merged.items() if v is not None}
        (workdir / "orchestration_config.yaml").write_text("max_concurrent_workflows: 4\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the bot."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 150) -> BotProcess:
        """Start and wait until /healthz says Prefect is ready; stopped again if it is not."""
        try:
            return self._start(timeout_s)
        except RuntimeError:
            self.stop()
            raise

    @contextmanager
    def serving(self) -> Iterator[BotProcess]:
        """Started for the block, then stopped; a clean exit is part of passing."""
        self.start()
        try:
            yield self
        except BaseException:
            self.stop()
            raise
        code = self.stop()
        assert code == 0, f"bot did not shut down cleanly ({code}):\n{self.logs()}"

    def _start(self, timeout_s: float) -> BotProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited ({self.process.returncode}):\n{self.logs()}")
            try:
                health = httpx.get(f"{self.url}/healthz", timeout=1).json()
                if health.get("ready"):
                    return self
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"bot not ready in {timeout_s} s:\n{self.logs()}")

    def logs(self, tail: int = 80) -> str:
        """The last lines the bot wrote."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-tail:])

    def stop(self) -> int | None:
        """SIGTERM, then wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)
