"""Exactly once with replicas: two bots, one Prefect server, the same `schedules:` entry.

Both bots fire every occurrence of `twin` (every 2 s); of the two, one claims it. Each
occurrence key must have produced exactly one flow run (carrying the key as its idempotency
key) and exactly one parent message in the Slack emulator.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import make_repo
from tests.e2e.bot_process import BotProcess, free_port
from tests.emulators.slack import SlackEmulator

pytestmark = pytest.mark.e2e
CHANNEL = "C0TWIN"
NAME = "twin"
SCHEDULE = {
    "name": NAME,
    "every": "2s",
    "channel": CHANNEL,
    "workflow": "component_analysis",
    "parameters": {"component": "contexten/agents"},
}


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


@pytest.fixture(scope="module")
def shared_prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Prefect server (SQLite) and one `cicd worker` for both bots; yields the API URL."""
    work = tmp_path_factory.mktemp("twin-prefect")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SLACK_"))}
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {
        **clean,
        "PREFECT_HOME": str(work / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    server = _spawn(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-ui",
        ],
        server_env,
        work / "server.log",
    )
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
            assert time.monotonic() < deadline, "the shared Prefect server did not start"
            time.sleep(0.5)
        (work / "worker.yaml").write_text("max_concurrent_workflows: 1\n")  # spare the CPU
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


def _post(api: str, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = httpx.post(f"{api}{path}", json=body, timeout=10)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


def _claims(api: str) -> dict[str, datetime]:
    """Occurrence key -> its scheduled time, for every claimed occurrence of `twin`."""
    found = _post(api, "/variables/filter", {"variables": {"name": {"like_": "occurrence_"}}})
    keys = [v["value"]["key"] for v in found if v["value"].get("schedule") == NAME]
    return {key: datetime.fromisoformat(key.split(":", 2)[2]) for key in keys}


def _runs(api: str) -> list[dict[str, Any]]:
    body = {"flow_runs": {"tags": {"all_": [f"schedule:{NAME}"]}}, "limit": 200}
    return _post(api, "/flow_runs/filter", body)


def _parents(slack: SlackEmulator) -> list[dict[str, Any]]:
    return [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if f"Scheduled by `{NAME}`" in m.get("text", "")
    ]


def test_two_replicas_start_each_occurrence_once(
    shared_prefect: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = make_repo(tmp_path_factory.mktemp("twin") / "repo")
    config = {"max_concurrent_workflows": 4, "schedules": [SCHEDULE]}
    with SlackEmulator(tokens=("xoxb-test-token",)) as slack:
        slack.add_channel(CHANNEL, "twin")
        bots = [
            BotProcess(
                tmp_path_factory.mktemp(f"replica-{i}"),
                slack.url,
                repo,
                PREFECT_API_URL=shared_prefect,
            )
            for i in range(2)
        ]
        for bot in bots:
            (bot.workdir / "orchestration_config.yaml").write_text(yaml.safe_dump(config))
        try:
            with ThreadPoolExecutor(2) as pool:  # together, so they race from the first tick
                list(pool.map(lambda b: b.start(timeout_s=240), bots))
            both_up = datetime.now(UTC)

            def raced() -> bool:
                logs = [b.log_path.read_text(errors="replace") for b in bots]
                lost = ["was claimed by another replica" in text for text in logs]
                fired = [f"firing schedule:{NAME}:" in text for text in logs]
                later = [k for k, at in _claims(shared_prefect).items() if at > both_up]
                return any(lost) and any(fired) and len(later) >= 3

            deadline = time.monotonic() + 90
            while not raced():
                assert time.monotonic() < deadline, "\n".join(b.logs(40) for b in bots)
                time.sleep(1)
        finally:
            # Stopping finishes the launches under way (a replica never cuts one in half).
            codes = [bot.stop() for bot in bots]
        parents = _parents(slack)
    claims = _claims(shared_prefect)
    runs = _runs(shared_prefect)

    assert codes == [0, 0], "\n".join(b.logs(40) for b in bots)
    assert len([at for at in claims.values() if at > both_up]) >= 3
    by_key: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_key.setdefault(run["idempotency_key"], []).append(run)
    # Each claimed occurrence made exactly one run, and no run lacks a claim.
    assert all(len(found) == 1 for found in by_key.values()), sorted(by_key)
    assert set(claims) <= set(by_key), sorted(set(claims) - set(by_key))
    assert set(by_key) <= set(claims)
    # One parent message per occurrence: the runs' threads are distinct parents, none extra.
    threads = [r["parameters"]["origin"]["thread_ts"] for r in runs]
    parent_ts = {m["ts"] for m in parents}
    assert len(threads) == len(set(threads))
    assert {by_key[k][0]["parameters"]["origin"]["thread_ts"] for k in set(claims)} <= parent_ts
    assert len(parents) == len(claims) == len(runs)
