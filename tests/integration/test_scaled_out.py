"""The scaled-out shape: Prefect on PostgreSQL, a `cicd worker`, and a bot that only creates
and watches runs (`PREFECT_API_URL` set)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_repo
from tests.e2e.bot_process import SIGNING_SECRET, BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver
from tests.prefect_cluster import prefect_cluster
from tests.shared_paths import missing

PG = os.environ.get("CICD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
pytestmark = pytest.mark.e2e


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh database for this module, dropped afterwards."""
    name = f"cicd_test_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin("SELECT 1"))
    except OSError as exc:  # refused, unknown host or timed out: no server here
        missing(f"PostgreSQL not reachable at {PG}: {exc!r}")
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))  # any other failure is an error
    base = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def cluster(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prefect server on PostgreSQL and one `cicd worker`; yields the API URL."""
    work = tmp_path_factory.mktemp("cluster")
    with prefect_cluster(work, max_concurrent=2, database_url=postgres_url) as api_url:
        yield api_url


def test_bot_launches_on_the_worker_pool_and_reports_in_the_thread(
    cluster: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = make_repo(tmp_path_factory.mktemp("scaled") / "repo")
    with SlackEmulator(tokens=("xoxb-test-token",)) as slack:
        bot = BotProcess(
            tmp_path_factory.mktemp("scaled-bot"), slack.url, repo, PREFECT_API_URL=cluster
        )
        try:
            bot.start(timeout_s=150)
            health = httpx.get(f"{bot.url}/healthz").json()
            assert health["prefect_api_url"] == cluster
            with SlackDriver(
                f"{bot.url}/slack/events",
                SIGNING_SECRET,
                response_url_base=slack.response_url_base,
            ) as driver:
                assert driver.slash_command("analyze contexten/agents").status_code == 200
            parent = slack.wait_for(
                lambda: next(
                    (
                        m
                        for m in slack.messages("C0001", top_level_only=True)
                        if "contexten/agents" in m.get("text", "")
                    ),
                    None,
                )
            )
            result = slack.wait_for(
                lambda: next(
                    (
                        m
                        for m in slack.thread("C0001", parent["ts"])[1:]
                        if "planted_unused_function" in json.dumps(m.get("blocks", []))
                    ),
                    None,
                ),
                timeout=120,
            )
            assert result
        finally:
            assert bot.stop() == 0, bot.logs()

    runs = httpx.post(f"{cluster}/flow_runs/filter", json={"limit": 10}).json()
    assert runs and all(run["work_pool_name"] == "cicd" for run in runs)
    assert any(run["state_type"] == "COMPLETED" for run in runs)
