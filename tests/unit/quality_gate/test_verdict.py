"""The verdict against the thresholds: pass, warn, fail (fail requests changes)."""

from __future__ import annotations

import pytest

from tests.unit.quality_gate.test_matching import finding
from workflows.analysis.models import Severity
from workflows.config import ConfigError, QualityGateThresholds, load_config
from workflows.quality_gate.complexity import ComplexityChange
from workflows.quality_gate.matching import NewFinding
from workflows.quality_gate.verdict import Verdict, decide

DEFAULTS = QualityGateThresholds()


def new(severity: Severity, n: int = 1) -> list[NewFinding]:
    return [
        NewFinding(finding=finding("r", "a.py", i + 1, severity=severity), line=i + 1)
        for i in range(n)
    ]


def grown(base: int | None, head: int) -> ComplexityChange:
    return ComplexityChange(path="a.py", name="f", line=1, base=base, head=head)


def test_nothing_new_passes() -> None:
    decision = decide(new(Severity.INFO, 3), [grown(2, 4)], DEFAULTS)
    assert decision.verdict is Verdict.PASS
    assert decision.new_infos == 3 and decision.complexity_increase == 2


def test_new_warnings_within_the_threshold_warn() -> None:
    decision = decide(new(Severity.WARNING, 5), [], DEFAULTS)
    assert decision.verdict is Verdict.WARN and decision.new_warnings == 5


def test_one_warning_too_many_fails() -> None:
    decision = decide(new(Severity.WARNING, 6), [], DEFAULTS)
    assert decision.verdict is Verdict.FAIL
    assert decision.reasons == ["6 new warning(s) (at most 5 allowed)"]


def test_any_new_error_fails_by_default() -> None:
    decision = decide(new(Severity.ERROR), [], DEFAULTS)
    assert decision.verdict is Verdict.FAIL and decision.new_errors == 1


def test_a_configured_threshold_decides() -> None:
    lenient = QualityGateThresholds(max_new_errors=2, max_new_warnings=0)
    assert decide(new(Severity.ERROR, 2), [], lenient).verdict is Verdict.WARN
    assert decide(new(Severity.WARNING), [], lenient).verdict is Verdict.FAIL


def test_complexity_growth_over_the_threshold_fails() -> None:
    assert decide([], [grown(3, 8)], DEFAULTS).verdict is Verdict.PASS  # +5 is allowed
    decision = decide([], [grown(3, 9)], DEFAULTS)
    assert decision.verdict is Verdict.FAIL
    assert decision.reasons == ["a function's complexity grew by 6 (at most 5 allowed)"]


def test_new_functions_do_not_count_as_growth() -> None:
    """New code's complexity is the `complex-function` rule's business, as a new finding."""
    decision = decide([], [grown(None, 30), grown(9, 4)], DEFAULTS)
    assert decision.verdict is Verdict.PASS and decision.complexity_increase == 0


def test_settings_have_defaults_and_clear_errors(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CICD_CONFIG", raising=False)
    path = tmp_path / "config.yaml"
    path.write_text("quality_gate: {max_new_warnings: 2}\n")
    gate = load_config(path).quality_gate
    assert (gate.max_new_errors, gate.max_new_warnings, gate.max_complexity_increase) == (0, 2, 5)
    path.write_text("quality_gate: {max_new_warnings: -1}\n")
    with pytest.raises(ConfigError, match=r"quality_gate\.max_new_warnings: .*greater than"):
        load_config(path)
    path.write_text("quality_gate: {max_new_warning: 2}\n")
    with pytest.raises(ConfigError, match="did you mean max_new_warnings"):
        load_config(path)
