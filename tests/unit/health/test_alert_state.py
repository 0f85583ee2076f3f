"""Threshold alerts with hysteresis: one post on the crossing, one on the recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workflows.health.alert_state import AlertState, advance
from workflows.models.health_check import AlertChange, AlertMetric, MetricReading

T0 = datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)
MARGIN = 5.0


def disk(value: float, threshold: float = 90.0) -> MetricReading:
    return MetricReading(metric=AlertMetric.DISK, value=value, threshold=threshold)


def run(
    values: list[float],
    *,
    every: timedelta = timedelta(minutes=5),
    duration: timedelta = timedelta(0),
) -> tuple[AlertState, list[tuple[int, AlertChange]]]:
    """Feed one disk value per check; the changes with the index of the check that made them."""
    state, found = AlertState(), []
    for i, value in enumerate(values):
        state, changes = advance(state, [disk(value)], T0 + i * every, MARGIN, duration)
        found += [(i, c) for c in changes]
    return state, found


def test_crossing_staying_above_flapping_in_the_margin_and_recovering_give_two_changes():
    #        below crossed  above...       in margin (85-90) above again  recovered  below
    values = [50, 91, 95, 99, 92, 89, 86, 88, 93, 87, 84, 60]
    state, found = run(values)
    assert [(i, c.kind) for i, c in found] == [(1, "crossed"), (10, "recovered")]
    crossed, recovered = found[0][1], found[1][1]
    assert crossed.alert_id == recovered.alert_id == "disk-20261208090500"
    assert (crossed.value, crossed.threshold) == (91, 90)
    assert recovered.value == 84
    assert crossed.since == T0 + timedelta(minutes=5)
    assert state.active == []


def test_active_while_above_and_inside_the_margin():
    state, found = run([95, 88])
    assert [c.kind for _, c in found] == ["crossed"]
    assert state.active == [AlertMetric.DISK]


def test_hovering_below_the_threshold_never_crosses():
    assert run([89.9, 86, 89, 85.1, 89.99])[1] == []


def test_duration_delays_the_crossing_and_the_recovery():
    ten = timedelta(minutes=10)
    # checks every 5 minutes: 0 above, 5 above, 10 above -> crossed at the third check
    _, found = run([95, 95, 95, 95, 50, 50, 50], duration=ten)
    assert [(i, c.kind) for i, c in found] == [(2, "crossed"), (6, "recovered")]
    assert found[0][1].since == T0  # when it first crossed, not when it was posted
    assert found[1][1].since == T0 + timedelta(minutes=20)
    assert found[0][1].alert_id == found[1][1].alert_id == "disk-20261208090000"


def test_a_short_spike_shorter_than_the_duration_is_not_posted():
    _, found = run([95, 95, 50, 95, 50], duration=timedelta(minutes=10))
    assert found == []


def test_a_short_dip_does_not_recover_when_a_duration_is_set():
    state, found = run([95, 95, 95, 50, 95, 95], duration=timedelta(minutes=10))
    assert [c.kind for _, c in found] == ["crossed"]
    assert state.active == [AlertMetric.DISK]


def test_metrics_are_independent_and_missing_readings_keep_their_state():
    state = AlertState()
    cpu = MetricReading(metric=AlertMetric.CPU, value=85, threshold=80)
    errors = MetricReading(metric=AlertMetric.ERROR_RATE, value=50, threshold=10)
    state, changes = advance(state, [cpu, errors, disk(10)], T0, MARGIN, timedelta(0))
    assert sorted(c.metric.value for c in changes) == ["cpu", "error_rate"]
    assert state.active == [AlertMetric.CPU, AlertMetric.ERROR_RATE]
    # next check: cpu recovers, the error rate has no reading (no runs in the window)
    cpu_ok = cpu.model_copy(update={"value": 20})
    state, changes = advance(
        state, [cpu_ok, disk(10)], T0 + timedelta(minutes=5), MARGIN, timedelta(0)
    )
    assert [(c.metric, c.kind) for c in changes] == [(AlertMetric.CPU, "recovered")]
    assert state.active == [AlertMetric.ERROR_RATE]


def test_the_state_survives_json():
    state, _ = run([95])
    again = AlertState.model_validate(state.model_dump(mode="json"))
    assert again == state
    _, changes = advance(again, [disk(10)], T0 + timedelta(hours=1), MARGIN, timedelta(0))
    assert [c.kind for c in changes] == ["recovered"]
    assert changes[0].alert_id == "disk-20261208090000"


def test_a_threshold_of_100_is_off_and_an_active_alert_recovers():
    state = AlertState()
    full = MetricReading(metric=AlertMetric.CPU, value=100, threshold=100)
    state, changes = advance(state, [full], T0, MARGIN, timedelta(0))
    assert changes == [] and state.active == []
    hot = MetricReading(metric=AlertMetric.CPU, value=95, threshold=80)
    state, changes = advance(state, [hot], T0, MARGIN, timedelta(0))
    assert [c.kind for c in changes] == ["crossed"]
    state, changes = advance(state, [full], T0 + timedelta(minutes=5), MARGIN, timedelta(0))
    assert [c.kind for c in changes] == ["recovered"] and state.active == []
