"""The scaled-out shape for tests: a `prefect server` process and one `cicd worker` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.bot_process import free_port


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def prefect_cluster(
    work: Path, *, max_concurrent: int, database_url: str | None = None
) -> Iterator[str]:
    """A Prefect server (SQLite, or `database_url`) and a worker; yields the API URL."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SLACK_"))}
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {
        **clean,
        "PREFECT_HOME": str(work / "server-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        **({"PREFECT_API_DATABASE_CONNECTION_URL": database_url} if database_url else {}),
    }
    command = ["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
    server = _spawn([sys.executable, "-m", *command], server_env, work / "server.log")
    worker = None
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (work / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the Prefect server did not start"
            time.sleep(0.5)
        (work / "worker.yaml").write_text(f"max_concurrent_workflows: {max_concurrent}\n")
        worker_env = {
            **clean,
            "PREFECT_API_URL": api,
            "CICD_DATA_DIR": str(work / "worker-data"),
            "CICD_CONFIG": str(work / "worker.yaml"),
        }
        worker = _spawn([sys.executable, "-m", "bot", "worker"], worker_env, work / "worker.log")
        yield api
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
