"""Schedule entries, the `add` words, triggers and the list's blocks: no server needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from blocks.plain import plain_text
from blocks.runs import parent_done_text, parent_text
from blocks.schedules import schedules_blocks
from bot.errors import ServeError
from bot.schedules.entries import ScheduleInputError, parse_add, request_of
from bot.schedules.occurrences import QUIET, claim_id, occurrence_key
from bot.schedules.scheduler import builtin_entries, check_config_schedules, next_run, trigger_of
from workflows.config import OrchestrationConfig
from workflows.registry import flow_specs
from workflows.schedules.models import ScheduleEntry
from workflows.types import WorkflowType

SPECS = flow_specs()
REPO = "/srv/repo"


def entry(**fields: object) -> ScheduleEntry:
    base: dict[str, object] = {
        "name": "nightly",
        "channel": "C0DEPLOYS",
        "workflow": "component_analysis",
    }
    return ScheduleEntry.model_validate({**base, **fields})


def add(*words: str, channel: str | None = "C0HERE") -> ScheduleEntry:
    return parse_add(words, channel=channel, specs=SPECS, repo=REPO, source="slack")


def test_an_entry_has_exactly_one_of_cron_and_every() -> None:
    with pytest.raises(ValidationError, match="exactly one of `cron`"):
        entry()
    with pytest.raises(ValidationError, match="exactly one of `cron`"):
        entry(cron="0 2 * * *", every="5m")
    assert entry(cron="0  2 * *   *").cron == "0 2 * * *"
    assert entry(every="90s").every == timedelta(seconds=90)


def test_every_is_at_least_a_second_and_reads_back_as_written() -> None:
    with pytest.raises(ValidationError, match="at least 1s"):
        entry(every="0.5s")
    with pytest.raises(ValidationError, match="not a duration"):
        entry(every="soon")
    parsed = entry(every="1h30m")
    dumped = parsed.model_dump(mode="json")
    assert dumped["every"] == "1h30m"
    assert ScheduleEntry.model_validate(dumped) == parsed
    assert parsed.when() == "every 1h30m"
    assert entry(cron="0 9 * * 1-5", timezone="Europe/Berlin").when() == (
        "cron `0 9 * * 1-5` (Europe/Berlin)"
    )


def test_add_with_a_quoted_cron_defaults_to_the_commands_channel() -> None:
    made = add("nightly-audit", "0 2 * * *", "security_audit", "min_severity=high")
    assert (made.cron, made.every, made.channel) == ("0 2 * * *", None, "C0HERE")
    assert made.workflow is WorkflowType.SECURITY_AUDIT
    assert made.parameters == {"min_severity": "high"}
    assert made.source == "slack"


def test_add_every_with_a_channel_and_a_time_zone() -> None:
    made = add("often", "every=5m", "component_analysis", "channel=#C0OPS", "component=src")
    assert made.every == timedelta(minutes=5)
    assert made.channel == "C0OPS"
    assert made.parameters == {"component": "src"}
    zoned = add("berlin", "cron=0 9 * * 1-5", "security_audit", "tz=Europe/Berlin")
    assert zoned.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (("x", "0 2 * * *"), "needs a name, a time and a workflow type"),
        (("x", "tomorrow", "security_audit"), "is not a time"),
        (("x", "0 25 * * *", "security_audit"), "not a valid cron expression"),
        (("x", "every=never", "security_audit"), "not a duration"),
        (("x", "every=5m", "securty_audit"), "is not a workflow type"),
        (("x", "every=5m", "backup_operations"), "is not implemented yet"),
        (("x", "every=5m", "security_audit", "min_severity=urgent"), "min_severity"),
        (("x", "every=5m", "security_audit", "sevrity=high"), "Unknown parameter"),
        (("x", "every=5m", "security_audit", "repo=/etc"), "set by the bot"),
        (("x", "every=5m", "security_audit", "channel=deploys"), "is not a Slack channel"),
        (("Bad Name", "every=5m", "security_audit"), "is not a schedule name"),
        (("x", "every=5m", "security_audit", "tz=Mars/Olympus"), "time zone"),
    ],
)
def test_bad_add_words_say_what_is_wrong(words: tuple[str, ...], says: str) -> None:
    with pytest.raises(ScheduleInputError, match=says):
        add(*words)


def test_add_needs_a_channel_from_the_terminal() -> None:
    with pytest.raises(ScheduleInputError, match="channel="):
        add("x", "every=5m", "security_audit", channel=None)


def test_the_request_fixes_the_repository_and_checks_the_parameters() -> None:
    request = request_of(entry(every="5m", parameters={"component": "src"}), SPECS, REPO)
    assert request.model_dump()["repo"] == REPO
    assert request.model_dump()["component"] == "src"
    with pytest.raises(ScheduleInputError, match="cicd_repo"):
        request_of(entry(every="5m", parameters={"repo": "/etc"}), SPECS, REPO)
    with pytest.raises(ScheduleInputError, match="min_severity"):
        bad = entry(every="5m", workflow="security_audit", parameters={"min_severity": "x"})
        request_of(bad, SPECS, REPO)


def test_interval_times_are_the_same_whenever_a_replica_computes_them() -> None:
    trigger = trigger_of(entry(every="2s"))
    early = datetime(2026, 5, 1, 12, 0, 0, 300000, tzinfo=UTC)
    late = early + timedelta(seconds=1)
    first = trigger.get_next_fire_time(None, early)
    assert first == datetime(2026, 5, 1, 12, 0, 2, tzinfo=UTC)
    assert trigger_of(entry(every="2s")).get_next_fire_time(None, late) == first
    assert next_run(entry(every="1h"), early) == datetime(2026, 5, 1, 13, tzinfo=UTC)


def test_cron_runs_in_its_time_zone() -> None:
    zoned = entry(cron="0 9 * * *", timezone="Europe/Berlin")
    at = next_run(zoned, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert at is not None
    assert at.astimezone(UTC) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # CEST is UTC+2


def test_an_occurrence_key_is_the_schedule_and_its_utc_time() -> None:
    at = datetime(2026, 7, 1, 9, 0, tzinfo=trigger_of(entry(cron="0 9 * * *")).timezone)
    key = occurrence_key("nightly", at)
    assert key == "schedule:nightly:2026-07-01T09:00:00+00:00"
    assert claim_id(key) == claim_id(key)
    assert len(claim_id(key)) == 40 and claim_id(key) != claim_id(key + "x")
    assert {WorkflowType.SLACK_NOTIFICATIONS, WorkflowType.HEALTH_CHECK} == QUIET


def test_config_schedules_are_checked_at_start_with_one_line_naming_the_entry() -> None:
    good = entry(every="5m")
    config = OrchestrationConfig(cicd_repo=REPO, schedules=[good])
    check_config_schedules(config, SPECS)
    twice = OrchestrationConfig(cicd_repo=REPO, schedules=[good, good])
    with pytest.raises(ServeError, match="`nightly` is named twice"):
        check_config_schedules(twice, SPECS)
    bad = entry(every="5m", workflow="security_audit", parameters={"min_severity": "x"})
    with pytest.raises(ServeError, match=r"schedules: `nightly` \(security_audit\): `min_sev"):
        check_config_schedules(OrchestrationConfig(cicd_repo=REPO, schedules=[bad]), SPECS)


def test_the_alert_monitor_appears_only_when_health_checks_are_served() -> None:
    config = OrchestrationConfig(cicd_repo=REPO, alerts={"channel": "C0ALERTS"})
    served = {w: s for w, s in SPECS.items() if w is not WorkflowType.HEALTH_CHECK}
    assert builtin_entries(config, served) == []
    off = OrchestrationConfig(cicd_repo=REPO, monitoring_enabled=False)
    assert builtin_entries(off, SPECS) == []


def test_the_list_shows_each_schedule_with_its_next_run() -> None:
    one = entry(every="5m", parameters={"component": "src"}, source="slack", created_by="U1")
    text = plain_text(schedules_blocks([one], {"nightly": datetime(2026, 7, 1, 9, 5, tzinfo=UTC)}))
    assert "Schedules (1)" in text
    assert "nightly" in text and "component_analysis" in text and "every 5m" in text
    assert "2026-07-01 09:05:00 UTC" in text
    assert '{"component": "src"}' in text and "added in Slack" in text
    assert "No schedules yet" in plain_text(schedules_blocks([], {}))


def test_a_scheduled_runs_parent_names_the_schedule_not_a_person() -> None:
    assert parent_text("Analysis of src", "U1") == "Analysis of src… (asked by <@U1>)"
    assert parent_text("Analysis of src", "U1", "nightly") == (
        "Analysis of src… (Scheduled by `nightly`)"
    )
    assert parent_done_text("Analysis", "done", "U1", "nightly") == (
        "Analysis: done (Scheduled by `nightly`)"
    )
