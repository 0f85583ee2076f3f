"""`OsvClient` against the OSV emulator: querybatch ids, paging, advisory details, retries and
errors, with the real API's formats."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulators.osv import OsvEmulator
from workflows.integrations.osv import OsvClient, PackageQuery
from workflows.integrations.retrying import IntegrationError, RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0)


@pytest.fixture
def emu() -> Iterator[OsvEmulator]:
    with OsvEmulator() as server:
        yield server


def test_querybatch_answers_in_order_with_ids_only(emu: OsvEmulator) -> None:
    queries = [
        PackageQuery(ecosystem="PyPI", name="Django", version="3.2.5"),
        PackageQuery(ecosystem="PyPI", name="django", version="4.2"),
        PackageQuery(ecosystem="npm", name="minimist", version="1.2.5"),
    ]
    with OsvClient(emu.url, policy=FAST) as client:
        ids = client.affecting_ids(queries)
    assert ids == [["GHSA-q7x2-8wv4-m3jc", "PYSEC-2023-0398"], [], ["GHSA-xvch-5gv4-984h"]]
    raw = httpx.post(f"{emu.url}/v1/querybatch", json={"queries": [q.body() for q in queries]})
    results = raw.json()["results"]
    assert results[1] == {}  # no hits: an empty object, as OSV answers
    assert set(results[0]["vulns"][0]) == {"id", "modified"}


def test_pages_are_followed(emu: OsvEmulator) -> None:
    emu.page_size = 1
    with OsvClient(emu.url, policy=FAST) as client:
        ids = client.affecting_ids([PackageQuery(ecosystem="PyPI", name="django", version="3.2")])
    assert ids == [["GHSA-q7x2-8wv4-m3jc", "PYSEC-2023-0398"]]
    tokens = [body["queries"][0].get("page_token") for _, path, body in emu.requests]
    assert tokens == [None, "1"]


def test_advisory_details(emu: OsvEmulator) -> None:
    with OsvClient(emu.url, policy=FAST) as client:
        vuln = client.vulnerability("GHSA-q7x2-8wv4-m3jc")
        with pytest.raises(IntegrationError, match=r"HTTP 404 Bug not found\.") as missing:
            client.vulnerability("GHSA-0000-0000-0000")
    assert vuln.aliases == ["PYSEC-2023-0412"]
    assert vuln.severity[0].type == "CVSS_V3"
    assert vuln.affected[0].ranges[0].events[1].fixed == "3.2.19"
    assert missing.value.retryable is False


def test_server_errors_and_rate_limits_are_retried(emu: OsvEmulator) -> None:
    emu.fail_next(503)
    emu.rate_limit_next(retry_after=0)
    waits: list[float] = []
    with OsvClient(emu.url, policy=FAST, sleep=waits.append) as client:
        vuln = client.vulnerability("PYSEC-2021-0142")
    assert vuln.id == "PYSEC-2021-0142" and len(waits) == 2 and waits[1] == 0
    emu.fail_next(500, times=3)
    with (
        OsvClient(emu.url, policy=FAST, sleep=waits.append) as client,
        pytest.raises(IntegrationError, match="HTTP 500"),
    ):
        client.vulnerability("PYSEC-2021-0142")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with (
        OsvClient("http://127.0.0.1:9", policy=FAST, sleep=lambda _: None) as client,
        pytest.raises(IntegrationError, match="OSV: query vulnerabilities: could not connect"),
    ):
        client.affecting_ids([PackageQuery(ecosystem="PyPI", name="x", version="1")])
