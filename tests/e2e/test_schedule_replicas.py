"""Exactly once with replicas: two bots, one Prefect server, the same `schedules:` entry.

Both bots fire every occurrence of `twin` (every 2 s); of the two, one claims it. Each
occurrence key must have produced exactly one flow run (carrying the key as its idempotency
key) and exactly one parent message in the Slack emulator.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import make_repo
from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from tests.prefect_cluster import prefect_cluster

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


@pytest.fixture(scope="module")
def shared_prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Prefect server (SQLite) and one `cicd worker` for both bots; yields the API URL."""
    # One run at a time on the worker: spare the CPU.
    with prefect_cluster(tmp_path_factory.mktemp("twin-prefect"), max_concurrent=1) as api:
        yield api


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
