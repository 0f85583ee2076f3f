"""Stored schedules and occurrence claims, in a real Prefect server's database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.schedules.occurrences import CLAIM_KIND, claim, claim_id, occurrence_key, prune_claims
from workflows.schedules.models import ScheduleEntry
from workflows.schedules.store import ScheduleStore, ScheduleStoreError
from workflows.state.records import Records


def entry(name: str, source: str = "slack", **fields: object) -> ScheduleEntry:
    base: dict[str, object] = {
        "name": name,
        "every": "5m",
        "channel": "C0DEPLOYS",
        "workflow": "security_audit",
        "source": source,
    }
    return ScheduleEntry.model_validate({**base, **fields})


def test_stored_schedules_are_shared_unique_and_config_ones_read_only(prefect_api: str) -> None:
    async def scenario() -> None:
        records = Records("tsched")
        configured = entry("nightly", source="config", cron="0 2 * * *", every=None)
        store = ScheduleStore([configured], records)
        other_replica = ScheduleStore([configured], Records("tsched"))
        await store.add(entry("often", parameters={"min_severity": "high"}))
        listed = await other_replica.all()
        assert [e.name for e in listed] == ["nightly", "often"]
        assert listed[1].parameters == {"min_severity": "high"}
        assert listed[1].every == timedelta(minutes=5)
        with pytest.raises(ScheduleStoreError, match="exists already"):
            await other_replica.add(entry("often"))
        with pytest.raises(ScheduleStoreError, match=r"defined in orchestration_config\.yaml"):
            await store.add(entry("nightly"))
        with pytest.raises(ScheduleStoreError, match="remove it there"):
            await store.remove("nightly")
        with pytest.raises(ScheduleStoreError, match="no schedule named `never`"):
            await store.remove("never")
        await records.put("broken", {"name": "broken", "cron": "nonsense"})
        assert [e.name for e in await store.stored()] == ["often"]  # the bad one is skipped
        await other_replica.remove("often")
        assert [e.name for e in await store.all()] == ["nightly"]
        await records.delete("broken")

    asyncio.run(scenario())


def test_of_many_replicas_one_claims_an_occurrence_and_old_claims_are_pruned(
    prefect_api: str,
) -> None:
    async def scenario() -> None:
        at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
        key = occurrence_key("race", at)
        wins = await asyncio.gather(*(claim(key, "race") for _ in range(6)))
        assert sorted(wins) == [False] * 5 + [True]
        records = Records(CLAIM_KIND)
        old = occurrence_key("race", at - timedelta(days=30))
        await records.put(claim_id(old), {"key": old, "at": (at - timedelta(days=8)).isoformat()})
        assert await prune_claims(now=at) == 1
        remaining = await records.all()
        assert claim_id(key) not in remaining or remaining[claim_id(key)]["key"] == key
        assert claim_id(old) not in remaining
        assert await records.delete(claim_id(key))

    asyncio.run(scenario())
