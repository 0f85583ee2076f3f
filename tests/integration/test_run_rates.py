"""Run rates read back from a real Prefect server: completed, failed, by workflow type."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prefect import flow

from workflows.health.run_rates import read_run_rates


@flow(name="rates-ok")
def rates_ok() -> int:
    return 1


@flow(name="rates-boom")
def rates_boom() -> int:
    raise RuntimeError("boom")


def test_rates_count_each_type_and_the_error_rate(prefect_api: str):
    for _ in range(3):
        rates_ok()
    rates_boom(return_state=True)
    names = {"rates-ok": "alpha", "rates-boom": "beta"}
    rates = asyncio.run(read_run_rates(names, timedelta(hours=1)))
    by = {r.workflow: r for r in rates.by_workflow}
    assert (by["alpha"].completed, by["alpha"].failed) == (3, 0)
    assert (by["beta"].completed, by["beta"].failed) == (0, 1)
    assert rates.total == 4
    assert rates.error_rate_percent == 25.0
    assert rates.worst is not None and rates.worst.workflow == "beta"
    assert rates.worst.failure_rate_percent == 100.0
    assert asyncio.run(read_run_rates({"nothing-here": "x"}, timedelta(hours=1))).total == 0
