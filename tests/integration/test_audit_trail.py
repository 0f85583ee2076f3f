"""The audit trail: every record lands in the local file at once and as a Prefect event (with
the flow run as its resource) a few seconds later; reading merges the two."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from uuid import uuid4

import pytest
from prefect.client.orchestration import get_client

from workflows.governance.audit import (
    AuditKind,
    AuditRecord,
    audit_path,
    read_audit,
    read_events,
    record,
)

pytestmark = pytest.mark.prefect


async def test_records_reach_prefect_and_read_back_merged(prefect_api: str, tmp_path: Path) -> None:
    run_id = str(uuid4())
    entries = [
        AuditRecord(kind=AuditKind.REQUESTED, actor="U0001", what="asked", run_id=run_id),
        AuditRecord(
            kind=AuditKind.APPROVED,
            actor="U0003",
            what="approved",
            run_id=run_id,
            permalink="https://emulated.slack.com/archives/C0001/p1",
        ),
        AuditRecord(
            kind=AuditKind.RETRIED,
            actor="U0002",
            what="re-ran",
            run_id=str(uuid4()),
            related_run_id=run_id,
        ),
    ]
    async with get_client() as client:
        for entry in entries:
            await record(client, tmp_path, entry)
        local = await read_audit(tmp_path, run_id)
        assert [e.id for e in local] == [e.id for e in entries]  # the retry names the run too

        deadline = time.monotonic() + 20
        while True:
            remote = await read_events(client, run_id)
            if {e.id for e in remote} >= {entries[0].id, entries[1].id}:
                break
            assert time.monotonic() < deadline, "events never reached Prefect"
            await asyncio.sleep(0.5)
        page = await client.read_events(limit=50)
        ours = [e for e in page.events if e.id == entries[1].id]
        assert ours and ours[0].event == "cicd.audit.approved"
        assert ours[0].resource.id == f"prefect.flow-run.{run_id}"
        assert any(r.id == "slack.user.U0003" and r.role == "actor" for r in ours[0].related)

        audit_path(tmp_path).unlink()  # another replica, or a lost disk: Prefect still knows
        merged = await read_audit(tmp_path, run_id, client=client)
        assert {e.id for e in merged} >= {entries[0].id, entries[1].id}
        assert merged[-1].permalink == "https://emulated.slack.com/archives/C0001/p1"


async def test_an_unreachable_prefect_costs_only_the_event(tmp_path: Path) -> None:
    class Down:
        class _client:
            @staticmethod
            async def post(*args: object, **kwargs: object) -> None:
                raise ConnectionError("refused")

        async def read_events(self, **kwargs: object) -> None:
            raise ConnectionError("refused")

    entry = AuditRecord(kind=AuditKind.CANCELLED, actor="U0001", what="cancelled x")
    await record(Down(), tmp_path, entry)
    assert [e.id for e in await read_audit(tmp_path, client=Down())] == [entry.id]
