"""A failed CI job as findings to act on: one per failing test, one per located lint or build
error, else one for the job; what the result buttons (Open issue, Ask for a fix) hand on.

The rule ids (`ci-test-failure`, `ci-lint`, `ci-build`) are not engine rules: they name what
to do about a CI failure. Timeouts, memory and infrastructure failures are not in the code and
give no finding (unless tests are named).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflows.analysis.models import Category, Finding, Severity
from workflows.failure_logs.classify import EvidenceLine
from workflows.failure_logs.failing_tests import JEST_SEPARATOR, FailingTest
from workflows.failure_logs.locations import location_of, relative_path
from workflows.failure_logs.signals import LABELS, FailureKind

CI_TEST_RULE = "ci-test-failure"
CI_LINT_RULE = "ci-lint"
CI_BUILD_RULE = "ci-build"
KIND_RULES = {
    FailureKind.TEST: CI_TEST_RULE,
    FailureKind.LINT: CI_LINT_RULE,
    FailureKind.BUILD: CI_BUILD_RULE,
}
CI_RULES = frozenset(KIND_RULES.values())
_EXIT_LINE = re.compile(r"^##\[error\]Process completed with exit code \d+\.?$")
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]+$")


def file_of_test(test_id: str) -> str | None:
    """`tests/test_app.py::test_add` → `tests/test_app.py`; a jest id's file (before its first
    separator); None for ids without a file (unittest's dotted names, go's names)."""
    for separator in ("::", JEST_SEPARATOR):
        if separator in test_id:
            head = test_id.split(separator, 1)[0].strip()
            return relative_path(head) if _FILE_NAME.search(head) else None
    return None


def _assertion_line(path: str, assertion: str | None) -> int:
    """The line the assertion names in the test's file (`tests/test_app.py:12: ...`), else 1."""
    if not assertion:
        return 1
    name = re.escape(path.rsplit("/", 1)[-1])
    match = re.search(rf"(?:^|[\s/(]){name}:(\d+)", assertion)
    return max(1, int(match[1])) if match else 1


def _finding(rule: str, path: str, line: int, message: str, symbol: str | None) -> Finding:
    return Finding(
        rule=rule,
        category=Category.CODE_QUALITY,
        severity=Severity.ERROR,
        path=path,
        line=line,
        end_line=line,
        message=" ".join(message.split()),
        symbol=symbol,
    )


def failing_test_finding(test: FailingTest, elsewhere: str) -> Finding:
    """A failing test at its file (else at `elsewhere`: the workflow file or the job's name)."""
    path = file_of_test(test.id)
    why = f": {test.assertion}" if test.assertion else ""
    line = _assertion_line(path, test.assertion) if path else 1
    return _finding(CI_TEST_RULE, path or elsewhere, line, f"{test.id} failed{why}", test.id)


def first_evidence(evidence: Sequence[EvidenceLine]) -> str | None:
    """The first quoted line that says more than the exit code (else the exit code line)."""
    telling = [e.text for e in evidence if not _EXIT_LINE.match(e.text.strip())]
    texts = telling or [e.text for e in evidence]
    return texts[0].strip() if texts else None


def job_finding(
    kind: FailureKind, job: str, evidence: Sequence[EvidenceLine], where: str
) -> Finding:
    """The job as one finding: its kind and first evidence line, at `where` (line 1)."""
    first = first_evidence(evidence)
    message = f"{LABELS[kind]} in job {job}" + (f": {first}" if first else "")
    return _finding(KIND_RULES.get(kind, CI_BUILD_RULE), where, 1, message, job)


def job_findings(
    kind: FailureKind,
    job: str,
    tests: Sequence[FailingTest],
    evidence: Sequence[EvidenceLine],
    workflow_path: str | None,
) -> list[Finding]:
    """What to fix in one failed job, in the order its message shows it."""
    where = workflow_path or job.replace(":", " ")  # `path:line` words carry no other colon
    if kind is FailureKind.INFRASTRUCTURE:
        return []
    if tests:
        return [failing_test_finding(test, where) for test in tests]
    if kind in (FailureKind.LINT, FailureKind.BUILD):
        rule = KIND_RULES[kind]
        found = [
            _finding(rule, at.path, at.line, at.message, None)
            for e in evidence
            if (at := location_of(e.text)) is not None
        ]
        return found or [job_finding(kind, job, evidence, where)]
    if kind is FailureKind.TEST:
        return [job_finding(kind, job, evidence, where)]
    return []
