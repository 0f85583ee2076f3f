"""Records kept as Prefect variables: create, replace, claim once, list by kind, delete."""

from __future__ import annotations

import asyncio

import pytest

from workflows.state.records import Records, record_name


def test_record_names_are_valid_variable_names():
    assert record_name("schedule", "Daily Digest!") == "schedule_daily-digest-"
    with pytest.raises(ValueError):
        record_name("schedule", "x" * 300)


def test_records_round_trip_and_claim_once(prefect_api: str):
    async def scenario() -> None:
        schedules, alerts = Records("testsched"), Records("testalert")
        assert await schedules.get("daily") is None
        await schedules.put("daily", {"cron": "0 9 * * *"})
        await schedules.put("daily", {"cron": "0 10 * * *"})
        await schedules.put("weekly", {"cron": "0 9 * * 1"})
        await alerts.put("cpu", {"active": True})
        assert await schedules.get("daily") == {"cron": "0 10 * * *"}
        assert set(await schedules.all()) == {"daily", "weekly"}
        wins = await asyncio.gather(*(alerts.claim("occ-1", {"by": i}) for i in range(5)))
        assert sorted(wins) == [False, False, False, False, True]
        assert await schedules.delete("daily") is True
        assert await schedules.delete("daily") is False
        assert set(await schedules.all()) == {"weekly"}

    asyncio.run(scenario())
