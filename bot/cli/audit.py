"""`cicd audit [RUN]`: the audit trail in the terminal (or as JSON lines)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from workflows.governance.audit import AuditRecord, dumps, read_audit


async def run_audit(data_dir: Path, run: str | None, *, as_json: bool, limit: int) -> int:
    """Print the newest `limit` records (of `run`); exit code 0, or 1 when there are none."""
    client_entries = await _read(data_dir, run, limit)
    if as_json:
        for entry in client_entries:
            print(dumps(entry))
        return 0 if client_entries else 1
    console = Console(highlight=False)
    if not client_entries:
        what = f"run {run}" if run else "any run"
        print(f"nothing recorded for {what} yet", file=sys.stderr)
        return 1
    console.print(_table(client_entries, run))
    return 0


async def _read(data_dir: Path, run: str | None, limit: int) -> list[AuditRecord]:
    """From the local trail, plus Prefect's events when a Prefect API is reachable."""
    if not os.environ.get("PREFECT_API_URL"):
        return await read_audit(data_dir, run, limit=limit)
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await read_audit(data_dir, run, client=client, limit=limit)


def _table(entries: list[AuditRecord], run: str | None) -> Table:
    table = Table(title=f"Audit trail{f' of {run}' if run else ''}", title_justify="left")
    for column in ("when (UTC)", "what", "who", "run", "details", "Slack"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            entry.kind.value,
            entry.actor,
            entry.run_name or (entry.run_id or "")[:8],
            entry.what,
            entry.permalink or "",
        )
    return table
