"""Classify a CI job's log: the kind of failure, the lines that show it, the tests that failed.

GitHub Actions logs hold every step of a job; the step that failed is the one whose output
carries an `##[error]` line, so signals are looked for there first and in the whole log only
when that step shows none. Pure: text in, a `LogClassification` out.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from pydantic import BaseModel, Field

from workflows.failure_logs.failing_tests import FailingTest, failing_tests
from workflows.failure_logs.signals import LABELS, PRECEDENCE, SIGNALS, FailureKind, Signal

_TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_STEP_START = re.compile(r"^##\[group\]Run ")
_MARKER = re.compile(r"^##\[(?:error|warning|notice)\]")
ERROR_MARK = "##[error]"
ENDGROUP = "##[endgroup]"
MAX_EVIDENCE = 6
MAX_LINE = 300
CONTEXT_LINES = 4  # lines before the first error quoted when nothing else explains it


class EvidenceLine(BaseModel):
    """A line of the log quoted as evidence (1-based line number, cleaned text)."""

    line: int
    text: str


class LogClassification(BaseModel):
    """What a job's log says about why it failed."""

    kind: FailureKind
    evidence: list[EvidenceLine] = Field(default_factory=list)
    tests: list[FailingTest] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """`Test failure`, `Out of memory`, ..."""
        return LABELS[self.kind]


def clean_lines(log: str) -> list[str]:
    """The log's lines without GitHub's timestamps, colour codes or trailing blanks."""
    return [_ANSI.sub("", _TIMESTAMP.sub("", line)).rstrip() for line in log.splitlines()]


def failing_steps(lines: list[str]) -> list[range]:
    """The steps (`##[group]Run ...` sections) holding an `##[error]` line; else everything."""
    starts = {0, len(lines), *(i for i, line in enumerate(lines) if _STEP_START.match(line))}
    sections = [range(a, b) for a, b in pairwise(sorted(starts))]
    failing = [s for s in sections if any(lines[i].startswith(ERROR_MARK) for i in s)]
    return failing or [range(len(lines))]


def _hits(lines: list[str], where: list[range]) -> list[tuple[int, Signal]]:
    """(line index, signal) for every signal matching a line in `where`, first signal per line."""
    found: list[tuple[int, Signal]] = []
    for section in where:
        for index in section:
            line = lines[index]
            body = _MARKER.sub("", line)
            for signal in SIGNALS:
                if signal.pattern.search(body) or signal.pattern.search(line):
                    found.append((index, signal))
                    break
    return found


def _decide(hits: list[tuple[int, Signal]]) -> FailureKind:
    """Strong signals by precedence; else the kind with most weak signals; else unknown."""
    strong = {signal.kind for _, signal in hits if signal.strong}
    for kind in PRECEDENCE:
        if kind in strong:
            return kind
    counts = Counter(signal.kind for _, signal in hits)
    if not counts:
        return FailureKind.UNKNOWN
    return max(counts, key=lambda kind: (counts[kind], -PRECEDENCE.index(kind)))


def _quote(lines: list[str], index: int) -> EvidenceLine:
    text = lines[index].strip()
    if len(text) > MAX_LINE:
        text = text[: MAX_LINE - 1] + "…"
    return EvidenceLine(line=index + 1, text=text)


def _evidence(
    lines: list[str], hits: list[tuple[int, Signal]], kind: FailureKind, where: list[range]
) -> list[EvidenceLine]:
    """The matching lines of `kind` (strong ones first), then the step's first error line."""
    if kind is FailureKind.UNKNOWN:
        return _context(lines, where)
    mine = [(i, s) for i, s in hits if s.kind is kind]
    strong = [i for i, s in mine if s.strong]
    chosen = (strong or [i for i, _ in mine])[:MAX_EVIDENCE]
    errors = [i for r in where for i in r if lines[i].startswith(ERROR_MARK)]
    if errors and errors[0] not in chosen and len(chosen) < MAX_EVIDENCE:
        chosen.append(errors[0])
    return [_quote(lines, i) for i in sorted(set(chosen))]


def _context(lines: list[str], where: list[range]) -> list[EvidenceLine]:
    """Nothing recognised: the last lines of output before the first error, and the error."""
    errors = [i for r in where for i in r if lines[i].startswith(ERROR_MARK)]
    end = errors[0] if errors else len(lines)
    # The step's own output starts after its header group (command, shell, env) closes.
    start = next((i + 1 for i in range(end - 1, -1, -1) if lines[i] == ENDGROUP), 0)
    before = [i for i in range(end - 1, start - 1, -1) if lines[i].strip()]
    before = [i for i in before if not lines[i].startswith("##[")]
    chosen = sorted(before[:CONTEXT_LINES]) + errors[:1]
    return [_quote(lines, i) for i in chosen]


def classify_lines(lines: list[str]) -> LogClassification:
    """`classify_log` for lines already cleaned with `clean_lines`."""
    where = failing_steps(lines)
    hits = _hits(lines, where)
    if not hits and where != [range(len(lines))]:
        where = [range(len(lines))]
        hits = _hits(lines, where)
    kind = _decide(hits)
    return LogClassification(
        kind=kind,
        evidence=_evidence(lines, hits, kind, where),
        tests=failing_tests(lines),
    )


def classify_log(log: str) -> LogClassification:
    """The kind of failure a job's log shows, quoted evidence, and the failed tests."""
    return classify_lines(clean_lines(log))
