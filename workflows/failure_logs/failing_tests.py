"""Failing test ids and their assertion lines, read from pytest, unittest, jest and go test output.

Each reader takes the cleaned log lines (no timestamps, no colour codes) and returns the tests
it recognises, in log order; `failing_tests` runs them all and drops duplicates (jest and
pytest repeat a failure in their summaries).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

Framework = Literal["pytest", "unittest", "jest", "go"]


class FailingTest(BaseModel):
    """One failed test: its id as the framework names it, and the line that says why."""

    id: str = Field(description="tests/test_a.py::test_x, pkg.mod.Class.test_x, file \u203a name")
    framework: Framework
    assertion: str | None = Field(None, description="the assertion or error line, if found")
    line: int = Field(description="1-based line of the log where the failure is reported")


# pytest: `FAILED tests/a.py::test_x - assert 1 == 2` (short summary) and
# `tests/a.py::test_x FAILED  [ 50%]` (verbose progress); sections `____ test_x ____`.
_PYTEST_SUMMARY = re.compile(r"^FAILED (?P<id>[^\s(][^\s]*::[^\s]+)(?: - (?P<why>.*))?$")
_PYTEST_VERBOSE = re.compile(r"^(?P<id>[^\s]+\.py::[^\s]+) FAILED\b")
_PYTEST_SECTION = re.compile(r"^_{3,} (?P<name>\S.*?) _{3,}$")
_PYTEST_E_LINE = re.compile(r"^E\s{2,}(?P<text>\S.*)$")
# unittest: `FAIL: test_add (tests.test_math.TestMath.test_add)` (3.11+) or `(...TestMath)`.
_UNITTEST_HEAD = re.compile(r"^(?:FAIL|ERROR): (?P<name>\w+) \((?P<where>[\w.]+)\)")
_UNITTEST_END = re.compile(r"^(?:={20,}|Ran \d+ tests? in )")
_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Failure|Failed)\b.*")
# jest: `FAIL src/math.test.js`, then `● Suite \u203a name` per failure (U+203A separates).
JEST_SEPARATOR = " \u203a "
_JEST_FILE = re.compile(r"^\s*FAIL\s+(?P<file>\S+\.\w+)")
_JEST_TEST = re.compile(r"^\s*● (?P<name>.+?)\s*$")
_JEST_NOT_A_TEST = ("Test suite failed to run", "Console")
_JEST_WHY = re.compile(r"^\s*(?:expect\(|\w*Error:|thrown:)")
_JEST_DETAIL = re.compile(r"^\s*(?:Expected|Received)(?: [\w ]+)?:\s")
# go test: `--- FAIL: TestAdd (0.00s)` then `    math_test.go:12: got 3, want 4`.
_GO_FAIL = re.compile(r"^\s*--- FAIL: (?P<name>\S+)")
_GO_WHY = re.compile(r"^\s+\S+_test\.go:\d+: (?P<text>.+)$")
LOOKAHEAD = 40  # lines after a failure header searched for its assertion


def pytest_failures(lines: list[str]) -> list[FailingTest]:
    """pytest's failed tests, with the first `E` line of each failure's section."""
    reasons = _pytest_section_reasons(lines)
    found: list[FailingTest] = []
    for number, line in enumerate(lines, 1):
        match = _PYTEST_SUMMARY.match(line) or _PYTEST_VERBOSE.match(line)
        if not match:
            continue
        test_id = match["id"]
        why = reasons.get(_pytest_section_name(test_id))
        if why is None and "why" in match.groupdict():
            why = match["why"]
        found.append(FailingTest(id=test_id, framework="pytest", assertion=why, line=number))
    return found


def _pytest_section_name(test_id: str) -> str:
    """`tests/a.py::TestX::test_y[1]` is reported in a section named `TestX.test_y[1]`."""
    return ".".join(test_id.split("::")[1:])


def _pytest_section_reasons(lines: list[str]) -> dict[str, str]:
    """Section name -> its most telling `E` line (an assert or an error, else the first)."""
    reasons: dict[str, str] = {}
    section: str | None = None
    candidates: list[str] = []
    for line in [*lines, "_____ end _____"]:
        header = _PYTEST_SECTION.match(line)
        if header:
            if section is not None and candidates:
                telling = [c for c in candidates if c.startswith("assert") or "Error" in c]
                reasons.setdefault(section, (telling or candidates)[0])
            section, candidates = header["name"], []
            continue
        e_line = _PYTEST_E_LINE.match(line)
        if section is not None and e_line:
            candidates.append(e_line["text"].strip())
    return reasons


def unittest_failures(lines: list[str]) -> list[FailingTest]:
    """unittest's FAIL/ERROR entries, with the exception line closing each traceback."""
    found: list[FailingTest] = []
    for number, line in enumerate(lines, 1):
        match = _UNITTEST_HEAD.match(line)
        if not match:
            continue
        name, where = match["name"], match["where"]
        test_id = where if where.endswith(f".{name}") else f"{where}.{name}"
        why = None
        for later in lines[number : number + LOOKAHEAD]:
            if _UNITTEST_END.match(later) or _UNITTEST_HEAD.match(later):
                break
            if _EXCEPTION_LINE.match(later.strip()) and not later.startswith(" "):
                why = later.strip()
        found.append(FailingTest(id=test_id, framework="unittest", assertion=why, line=number))
    return found


def jest_failures(lines: list[str]) -> list[FailingTest]:
    """jest's `●` entries under a `FAIL file` line, with the expectation that failed."""
    found: list[FailingTest] = []
    current_file: str | None = None
    for number, line in enumerate(lines, 1):
        file_match = _JEST_FILE.match(line)
        if file_match:
            current_file = file_match["file"]
            continue
        test = _JEST_TEST.match(line)
        if not test or current_file is None or test["name"].startswith(_JEST_NOT_A_TEST):
            continue
        test_id = f"{current_file}{JEST_SEPARATOR}{test['name']}"
        why = _jest_reason(lines[number : number + LOOKAHEAD])
        found.append(FailingTest(id=test_id, framework="jest", assertion=why, line=number))
    return found


def _jest_reason(following: list[str]) -> str | None:
    """`expect(received).toBe(expected) — Expected: 4; Received: 3` from a failure's body."""
    head: str | None = None
    details: list[str] = []
    for line in following:
        if _JEST_TEST.match(line) or _JEST_FILE.match(line):
            break
        if head is None and _JEST_WHY.match(line):
            head = line.strip()
        elif head is not None and _JEST_DETAIL.match(line):
            details.append(line.strip())
        if len(details) == 2:
            break
    if head is None:
        return None
    return head + (" — " + "; ".join(details) if details else "")


def go_failures(lines: list[str]) -> list[FailingTest]:
    """go test's `--- FAIL:` entries, with the first `file_test.go:N:` message."""
    found: list[FailingTest] = []
    for number, line in enumerate(lines, 1):
        match = _GO_FAIL.match(line)
        if not match:
            continue
        why = None
        for later in lines[number : number + LOOKAHEAD]:
            if _GO_FAIL.match(later):
                break
            message = _GO_WHY.match(later)
            if message:
                why = message["text"].strip()
                break
        found.append(FailingTest(id=match["name"], framework="go", assertion=why, line=number))
    return found


READERS: tuple[Callable[[list[str]], list[FailingTest]], ...] = (
    pytest_failures,
    unittest_failures,
    jest_failures,
    go_failures,
)


def failing_tests(lines: list[str]) -> list[FailingTest]:
    """Every failed test the readers recognise, once each, in log order."""
    seen: dict[str, FailingTest] = {}
    for reader in READERS:
        for test in reader(lines):
            known = seen.get(test.id)
            if known is None:
                seen[test.id] = test
            elif known.assertion is None and test.assertion is not None:
                seen[test.id] = known.model_copy(update={"assertion": test.assertion})
    return sorted(seen.values(), key=lambda t: t.line)
