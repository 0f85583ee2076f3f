"""The gate's verdict: pass, warn or fail, against the `quality_gate` settings' thresholds.

Fail when a threshold is exceeded (the review then requests changes); warn when the change
brings new errors or warnings that stay within the thresholds; pass otherwise.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from workflows.analysis.models import Severity
from workflows.config import QualityGateThresholds
from workflows.quality_gate.complexity import ComplexityChange
from workflows.quality_gate.matching import NewFinding


class Verdict(StrEnum):
    """The gate's answer; `FAIL` requests changes on the pull request."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class GateDecision(BaseModel):
    """The verdict, the counts it rests on and why, in words."""

    verdict: Verdict
    new_errors: int = 0
    new_warnings: int = 0
    new_infos: int = 0
    complexity_increase: int = Field(
        0, description="largest complexity growth of one existing function (0: none grew)"
    )
    reasons: list[str] = Field(default_factory=list)


def _over(count: int, limit: int, what: str) -> str | None:
    """``what`` (a sentence about ``count``) with the limit, when ``count`` exceeds it."""
    return f"{what} (at most {limit} allowed)" if count > limit else None


def decide(
    new: list[NewFinding],
    complexity: list[ComplexityChange],
    thresholds: QualityGateThresholds,
) -> GateDecision:
    """Judge the new findings and the complexity changes against ``thresholds``."""
    severities = [n.finding.severity for n in new]
    errors = severities.count(Severity.ERROR)
    warnings = severities.count(Severity.WARNING)
    growth = max((c.delta for c in complexity if c.delta is not None), default=0)
    growth = max(growth, 0)
    failures = [
        reason
        for reason in (
            _over(errors, thresholds.max_new_errors, f"{errors} new error(s)"),
            _over(warnings, thresholds.max_new_warnings, f"{warnings} new warning(s)"),
            _over(
                growth,
                thresholds.max_complexity_increase,
                f"a function's complexity grew by {growth}",
            ),
        )
        if reason
    ]
    if failures:
        verdict, reasons = Verdict.FAIL, failures
    elif errors or warnings:
        verdict = Verdict.WARN
        reasons = [f"{errors} new error(s) and {warnings} new warning(s), within the thresholds"]
    else:
        verdict, reasons = Verdict.PASS, ["no new errors or warnings on the changed lines"]
    return GateDecision(
        verdict=verdict,
        new_errors=errors,
        new_warnings=warnings,
        new_infos=severities.count(Severity.INFO),
        complexity_increase=growth,
        reasons=reasons,
    )
