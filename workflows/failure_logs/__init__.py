"""Reading CI logs: what kind of failure a job's log shows, with evidence and failed test ids.

A pure library (no Prefect, no GitHub): `classify_log(text)` gives a `LogClassification`.
"""

from workflows.failure_logs.classify import (
    EvidenceLine,
    LogClassification,
    classify_lines,
    classify_log,
    clean_lines,
)
from workflows.failure_logs.failing_tests import FailingTest, failing_tests
from workflows.failure_logs.signals import LABELS, FailureKind

__all__ = [
    "LABELS",
    "EvidenceLine",
    "FailingTest",
    "FailureKind",
    "LogClassification",
    "classify_lines",
    "classify_log",
    "clean_lines",
    "failing_tests",
]
