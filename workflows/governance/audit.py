"""The audit trail: every request, decision, escalation, retry and cancel, with who, when,
what and where in Slack.

Each record is written twice. As a Prefect event (`cicd.audit.<kind>`, the flow run as its
resource, the person as a related resource), so the Prefect UI's event feed and the run's page
show it and every bot replica and worker sees the same trail. And appended to
`<cicd_data_dir>/audit/audit.jsonl`, because Prefect keeps events only for its retention period
(7 days by default), persists them a few seconds late, and is not there when it is down.
`read_audit()` merges both, one line per record id.
"""

from __future__ import annotations

import fcntl
import json
import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, ValidationError

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

log = logging.getLogger(__name__)
EVENT_PREFIX = "cicd.audit."
PAGE = 50  # Prefect's largest page of events
SYSTEM = "system"


class AuditKind(StrEnum):
    """What happened."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    TIMED_OUT = "timed_out"
    DENIED = "denied"
    STARTED = "started"
    START_DENIED = "start_denied"
    RETRIED = "retried"
    CANCELLED = "cancelled"
    JOBS_RERUN = "jobs_rerun"  # GitHub asked to re-run an Actions run's failed jobs
    ISSUE_OPENED = "issue_opened"  # Open issue on a result: a Linear issue opened or found
    ALERT_RAISED = "alert_raised"  # a threshold crossing posted as an alert
    ALERT_RECOVERED = "alert_recovered"
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    ALERT_ESCALATED = "alert_escalated"
    SCHEDULE_ADDED = "schedule_added"
    SCHEDULE_REMOVED = "schedule_removed"
    SCHEDULE_DENIED = "schedule_denied"  # an add or remove refused for want of the right
    SCHEDULE_FIRED = "schedule_fired"  # one occurrence, by the one replica that claimed it


class AuditRecord(BaseModel):
    """One thing a person (or the system) did to a run."""

    id: UUID = Field(default_factory=uuid4)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    kind: AuditKind
    actor: str = Field(description="Slack user ID, or 'system'")
    what: str = Field(description="a sentence: what was done to what")
    run_id: str | None = None
    run_name: str | None = None
    workflow: str | None = None
    channel: str | None = None
    permalink: str | None = None
    level: int | None = Field(None, description="escalation level, counted from 1")
    related_run_id: str | None = Field(None, description="e.g. the new run of a retry")

    def event_name(self) -> str:
        """`cicd.audit.approved`."""
        return f"{EVENT_PREFIX}{self.kind.value}"

    def event(self) -> dict[str, Any]:
        """The record as a Prefect event (JSON), its id the record's id."""
        if self.run_id:
            resource = {"prefect.resource.id": f"prefect.flow-run.{self.run_id}"}
            if self.run_name:
                resource["prefect.resource.name"] = self.run_name
        else:
            resource = {"prefect.resource.id": "cicd.audit"}
        related = [
            {
                "prefect.resource.id": f"slack.user.{self.actor}",
                "prefect.resource.role": "actor",
            }
        ]
        if self.workflow:
            related.append(
                {
                    "prefect.resource.id": f"cicd.workflow.{self.workflow}",
                    "prefect.resource.role": "workflow",
                }
            )
        return {
            "id": str(self.id),
            "occurred": self.at.isoformat(),
            "event": self.event_name(),
            "resource": resource,
            "related": related,
            "payload": self.model_dump(mode="json"),
        }


def audit_path(data_dir: Path) -> Path:
    """Where the local copy of the trail lives."""
    return data_dir / "audit" / "audit.jsonl"


def append_local(data_dir: Path, record: AuditRecord) -> None:
    """Append one line under an exclusive lock (the bot and flows may write at once)."""
    path = audit_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = record.model_dump_json() + "\n"
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_local(data_dir: Path) -> list[AuditRecord]:
    """Every record of the local file; a damaged line is skipped (and logged)."""
    path = audit_path(data_dir)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(AuditRecord.model_validate_json(line))
        except ValidationError:
            log.warning("%s:%d is not an audit record; skipped", path, number)
    return records


async def send_event(client: PrefectClient, record: AuditRecord) -> None:
    """POST the record to Prefect's events API (persisted within a few seconds)."""
    response = await client._client.post("/events", json=[record.event()])
    response.raise_for_status()


async def record(client: PrefectClient | None, data_dir: Path, entry: AuditRecord) -> AuditRecord:
    """Write `entry` to the local trail and, when a Prefect client is given, as an event.

    The local line comes first and always; an unreachable Prefect costs only the event.
    """
    append_local(data_dir, entry)
    if client is not None:
        try:
            await send_event(client, entry)
        except Exception as exc:
            log.warning("audit event %s not sent to Prefect: %s", entry.id, exc)
    log.info("audit: %s by %s: %s", entry.kind.value, entry.actor, entry.what)
    return entry


async def read_events(
    client: PrefectClient, run_id: str | None, *, days: int = 30, limit: int = 200
) -> list[AuditRecord]:
    """Audit records Prefect still holds (newest `limit`), for one run or all."""
    from prefect.events.filters import (
        EventFilter,
        EventNameFilter,
        EventOccurredFilter,
        EventOrder,
        EventResourceFilter,
    )
    from prefect.types._datetime import DateTime

    now = DateTime.now(UTC)
    flt = EventFilter(
        occurred=EventOccurredFilter(since=now - timedelta(days=days), until=now),
        event=EventNameFilter(prefix=[EVENT_PREFIX]),
        resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"]) if run_id else None,
        order=EventOrder.DESC,
    )
    page = await client.read_events(filter=flt, limit=min(limit, PAGE))
    events = list(page.events)
    while page.next_page and len(events) < limit:  # the API pages by at most 50
        page = await client.read_events_page(str(page.next_page))
        events += page.events
    records = []
    for event in events[:limit]:
        try:
            records.append(AuditRecord.model_validate(event.payload))
        except ValidationError:
            continue
    return records


def merge(*sources: list[AuditRecord]) -> list[AuditRecord]:
    """One record per id, oldest first."""
    seen: dict[UUID, AuditRecord] = {}
    for source in sources:
        for entry in source:
            seen.setdefault(entry.id, entry)
    return sorted(seen.values(), key=lambda r: r.at)


def matches(entry: AuditRecord, run: str | None) -> bool:
    """A record about `run` (its id, id prefix or name; the new run of a retry counts too)."""
    if not run:
        return True
    run = run.lower()
    ids = [entry.run_id or "", entry.related_run_id or ""]
    return any(i.lower().startswith(run) for i in ids if i) or (entry.run_name or "") == run


async def read_audit(
    data_dir: Path, run: str | None = None, *, client: PrefectClient | None = None, limit: int = 50
) -> list[AuditRecord]:
    """The newest `limit` records (about `run` if given), merged from Prefect and the file."""
    local = [r for r in read_local(data_dir) if matches(r, run)]
    remote: list[AuditRecord] = []
    if client is not None:
        run_id = run if run and _is_uuid(run) else None
        try:
            remote = [r for r in await read_events(client, run_id) if matches(r, run)]
        except Exception as exc:
            log.warning("audit events not read from Prefect: %s", exc)
    return merge(local, remote)[-limit:]


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def dumps(entry: AuditRecord) -> str:
    """One JSON line (for `cicd audit --json`)."""
    return json.dumps(entry.model_dump(mode="json"))
