"""One severity scale for advisories and code findings: critical, high, medium, low.

Advisories: the CVSS v3 base score computed from the vector (FIRST's CVSS 3.1 specification,
section 7), bucketed as NVD and GitHub do (9.0 critical, 7.0 high, 4.0 medium, above 0 low);
without a v3 vector, the database's own rating (GitHub's `CRITICAL`/`HIGH`/`MODERATE`/`LOW`).
Code findings: the engine's severity, with a recognised token format raised to critical.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import StrEnum

from workflows.analysis.models import Finding, Severity


class Level(StrEnum):
    """How bad a finding is; `unknown` when the advisory carries no usable rating."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Higher is worse; `unknown` sits between medium and low (it may be anything)."""
        return _RANKS[self]


_RANKS = {Level.CRITICAL: 4, Level.HIGH: 3, Level.MEDIUM: 2, Level.UNKNOWN: 1, Level.LOW: 0}
ORDER = (Level.CRITICAL, Level.HIGH, Level.MEDIUM, Level.LOW, Level.UNKNOWN)

# CVSS 3.x base metric weights (specification section 7.4).
_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_DATABASE_LEVELS = {
    "CRITICAL": Level.CRITICAL,
    "HIGH": Level.HIGH,
    "MODERATE": Level.MEDIUM,
    "MEDIUM": Level.MEDIUM,
    "LOW": Level.LOW,
}


def _roundup(value: float) -> float:
    """CVSS 3.1's Roundup: the smallest one-decimal number >= value, float-error safe."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000.0
    return (math.floor(scaled / 10_000) + 1) / 10.0


def cvss3_base_score(vector: str) -> float | None:
    """The base score of a `CVSS:3.0/...` or `CVSS:3.1/...` vector; None if it is not one."""
    parts = vector.strip().split("/")
    if not parts or parts[0] not in ("CVSS:3.0", "CVSS:3.1"):
        return None
    metrics = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
    try:
        changed = metrics["S"] == "C"
        pr = (_PR_CHANGED if changed else _PR_UNCHANGED)[metrics["PR"]]
        exploitability = 8.22 * _AV[metrics["AV"]] * _AC[metrics["AC"]] * pr * _UI[metrics["UI"]]
        iss = 1 - (1 - _CIA[metrics["C"]]) * (1 - _CIA[metrics["I"]]) * (1 - _CIA[metrics["A"]])
    except KeyError:
        return None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    total = 1.08 * (impact + exploitability) if changed else impact + exploitability
    return _roundup(min(total, 10.0))


def level_of_score(score: float) -> Level:
    """NVD's qualitative rating of a CVSS score (0.0, "none", counts as low)."""
    if score >= 9.0:
        return Level.CRITICAL
    if score >= 7.0:
        return Level.HIGH
    if score >= 4.0:
        return Level.MEDIUM
    return Level.LOW


def advisory_level(
    vectors: Iterable[tuple[str, str]], database_specific: Mapping[str, object] | None
) -> tuple[Level, float | None]:
    """(level, CVSS score) from OSV `severity` entries (type, score) and `database_specific`."""
    scores = [
        score
        for kind, vector in vectors
        if kind == "CVSS_V3" and (score := cvss3_base_score(vector)) is not None
    ]
    if scores:
        best = max(scores)
        return level_of_score(best), best
    rating = (database_specific or {}).get("severity")
    if isinstance(rating, str) and rating.upper() in _DATABASE_LEVELS:
        return _DATABASE_LEVELS[rating.upper()], None
    return Level.UNKNOWN, None


_ENGINE_LEVELS = {
    Severity.ERROR: Level.HIGH,
    Severity.WARNING: Level.MEDIUM,
    Severity.INFO: Level.LOW,
}
CERTAIN_SECRET = 90  # hardcoded-secret gives 95 to recognised token formats


def finding_level(finding: Finding) -> Level:
    """A code finding's level: error high, warning medium, info low; a known token critical."""
    if finding.rule == "hardcoded-secret" and finding.confidence >= CERTAIN_SECRET:
        return Level.CRITICAL
    return _ENGINE_LEVELS[finding.severity]


def at_least(level: Level, floor: Level) -> bool:
    """Whether `level` is reported under a `min_severity` of `floor` (unknown always is)."""
    return level is Level.UNKNOWN or level.rank >= floor.rank
