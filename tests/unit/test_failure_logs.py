"""The CI log classifier: every labelled log of the benchmark corpus, and test-id extraction."""

from __future__ import annotations

import pytest

from benchmarks.failure_classifier import Labelled, load_corpus
from workflows.failure_logs import FailureKind, classify_log, clean_lines, failing_tests
from workflows.failure_logs.failing_tests import JEST_SEPARATOR

CORPUS = load_corpus()
SEP = JEST_SEPARATOR


def test_the_corpus_is_big_enough_and_covers_every_class() -> None:
    assert len(CORPUS) >= 20
    assert {item.kind for item in CORPUS} == set(FailureKind)


@pytest.mark.parametrize("item", CORPUS, ids=[item.name for item in CORPUS])
def test_corpus_log_is_classified_as_labelled(item: Labelled) -> None:
    got = classify_log(item.text)
    assert got.kind is item.kind, [e.text for e in got.evidence]
    assert got.evidence, "a classification always quotes its evidence"
    lines = item.text.splitlines()
    for quoted in got.evidence:  # quoted lines are the log's own, at the line given
        assert quoted.text[:80] in lines[quoted.line - 1]
    found = {t.id: t.assertion or "" for t in got.tests}
    for test_id, assertion in item.tests.items():
        assert test_id in found, f"{test_id} not among {sorted(found)}"
        if assertion is not None:
            assert assertion in found[test_id]


def _lines(text: str) -> list[str]:
    return clean_lines(text)


def test_clean_lines_drops_timestamps_bom_and_colours() -> None:
    log = "\ufeff2024-05-14T09:12:03.1234567Z \x1b[31mFAILED\x1b[0m x\n2024-05-14T09:12:04Z ok\n"
    assert clean_lines(log) == ["FAILED x", "ok"]


def test_pytest_verbose_and_summary_give_one_id_with_the_sections_assertion() -> None:
    log = """\
tests/test_a.py::test_one FAILED                                         [ 50%]
tests/test_a.py::TestK::test_two[x-1] FAILED                             [100%]
=================================== FAILURES ===================================
___________________________________ test_one ___________________________________
E       ValueError: bad input
_____________________________ TestK.test_two[x-1] ______________________________
E       assert 1 == 2
=========================== short test summary info ============================
FAILED tests/test_a.py::test_one - ValueError: bad input
FAILED tests/test_a.py::TestK::test_two[x-1] - assert 1 == 2
"""
    tests = failing_tests(_lines(log))
    assert [(t.id, t.framework, t.assertion) for t in tests] == [
        ("tests/test_a.py::test_one", "pytest", "ValueError: bad input"),
        ("tests/test_a.py::TestK::test_two[x-1]", "pytest", "assert 1 == 2"),
    ]
    assert tests[0].line == 1


def test_unittest_old_style_names_and_its_summary_is_not_a_test() -> None:
    log = """\
======================================================================
FAIL: test_add (tests.test_math.TestMath)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "tests/test_math.py", line 8, in test_add
    self.assertEqual(add(2, 2), 5)
AssertionError: 4 != 5

----------------------------------------------------------------------
Ran 1 test in 0.001s

FAILED (failures=1)
"""
    tests = failing_tests(_lines(log))
    assert [(t.id, t.assertion) for t in tests] == [
        ("tests.test_math.TestMath.test_add", "AssertionError: 4 != 5")
    ]


def test_jest_summary_repeats_are_one_test_and_suite_errors_are_not_tests() -> None:
    log = f"""\
FAIL src/a.test.js
  ● Suite{SEP}works

    expect(received).toEqual(expected) // deep equality

    Expected: [1]
    Received: [2]

FAIL src/b.test.js
  ● Test suite failed to run

    Cannot find module './missing' from 'src/b.test.js'

Summary of all failing tests
FAIL src/a.test.js
  ● Suite{SEP}works

    expect(received).toEqual(expected) // deep equality
"""
    tests = failing_tests(_lines(log))
    assert [t.id for t in tests] == [f"src/a.test.js{SEP}Suite{SEP}works"]
    assert tests[0].assertion == (
        "expect(received).toEqual(expected) // deep equality — Expected: [1]; Received: [2]"
    )


def test_go_subtests_are_ids_of_their_own() -> None:
    log = "--- FAIL: TestA (0.00s)\n    --- FAIL: TestA/b (0.00s)\n        a_test.go:9: want 1\n"
    assert [(t.id, t.assertion) for t in failing_tests(_lines(log))] == [
        ("TestA", None),
        ("TestA/b", "want 1"),
    ]


def test_a_killed_test_run_is_out_of_memory_not_a_test_failure() -> None:
    log = """\
##[group]Run pytest
##[endgroup]
FAILED tests/test_big.py::test_load - assert 1 == 2
Killed
##[error]Process completed with exit code 137.
"""
    got = classify_log(log)
    assert got.kind is FailureKind.OUT_OF_MEMORY
    assert [e.text for e in got.evidence][:1] == ["Killed"]
    assert [t.id for t in got.tests] == ["tests/test_big.py::test_load"]


def test_only_the_failing_step_counts_when_it_explains_itself() -> None:
    log = """\
##[group]Run npm ci
##[endgroup]
npm WARN network retrying after ECONNRESET
##[group]Run npx eslint .
##[endgroup]
✖ 2 problems (2 errors, 0 warnings)
##[error]Process completed with exit code 1.
"""
    assert classify_log(log).kind is FailureKind.LINT


def test_nothing_recognised_is_unknown_and_quotes_the_last_output() -> None:
    log = "##[group]Run ./go.sh\n##[endgroup]\nstep one\nstep two: nope\n##[error]exit 4\n"
    got = classify_log(log)
    assert got.kind is FailureKind.UNKNOWN
    assert [e.text for e in got.evidence] == ["step one", "step two: nope", "##[error]exit 4"]
    assert classify_log("").kind is FailureKind.UNKNOWN
