"""Every JS/TS rule against its `flagged/` and `not_flagged/` fixture trees."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.unit.analysis.javascript.helpers import FIXTURES, expected_markers, js_files
from workflows.analysis.javascript import analyze_javascript
from workflows.analysis.javascript.rules import JS_RULES

RULE_IDS = sorted(JS_RULES)
LAZY = " (closed by a lazy import()/require())"


def _copy(rule_id: str, case: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / rule_id.replace("-", "_") / case, tmp_path / case))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_both_fixture_trees(rule_id: str) -> None:
    for case in ("flagged", "not_flagged"):
        assert js_files(FIXTURES / rule_id.replace("-", "_") / case), f"{rule_id}/{case}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_flagged_fixture_reports_exactly_the_marked_lines(rule_id: str, tmp_path: Path) -> None:
    root = _copy(rule_id, "flagged", tmp_path)
    expected = expected_markers(root)
    assert expected, "a flagged fixture must mark at least one expected finding"
    assert {rule for _, _, rule in expected} == {rule_id}

    analysis = analyze_javascript(root, select=[rule_id])

    found = Counter((f.path, f.line, f.rule) for f in analysis.findings)
    assert found == expected
    assert analysis.parse_errors == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_not_flagged_fixture_is_silent(rule_id: str, tmp_path: Path) -> None:
    root = _copy(rule_id, "not_flagged", tmp_path)
    assert not expected_markers(root)

    analysis = analyze_javascript(root, select=[rule_id])

    assert [f"{f.path}:{f.line} {f.message}" for f in analysis.findings] == []
    assert analysis.parse_errors == []
    assert analysis.files_analyzed == len(js_files(root))


def test_flagged_unused_imports_carry_names_confidence_and_fixes(tmp_path: Path) -> None:
    root = _copy("js-unused-import", "flagged", tmp_path)

    findings = analyze_javascript(root, select=["js-unused-import"]).findings

    by_symbol = {(f.path, f.symbol): f for f in findings}
    react = by_symbol[("src/app.tsx", "React")]
    assert (react.confidence, react.fix) == (30, None)
    assert "classic JSX runtime" in react.message
    assert by_symbol[("src/legacy.cjs", "os")].confidence == 90
    assert by_symbol[("src/legacy.cjs", "os")].fix is None
    renamed = by_symbol[("src/basic.ts", "renamed")]
    assert renamed.message == "`helper` imported as `renamed` from './util' is never used"
    assert renamed.confidence == 100 and renamed.fix is not None
    assert by_symbol[("src/basic.ts", "fs")].message.startswith("default import `fs`")
    assert {f.symbol for f in findings if f.path == "src/basic.ts"} == {
        "fs", "writeFile", "path", "Config", "Options", "renamed", "beta", "gamma",
    }  # fmt: skip


def test_flagged_unused_exports_name_the_kind_at_confidence_70(tmp_path: Path) -> None:
    root = _copy("js-unused-export", "flagged", tmp_path)

    findings = analyze_javascript(root, select=["js-unused-export"]).findings

    assert {f.confidence for f in findings} == {70}
    dates = {f.symbol: f for f in findings if f.path == "src/dates.ts"}
    assert set(dates) == {"parseDate", "EPOCH", "Calendar", "Weekday", "counter", "first",
                          "countdown"}  # fmt: skip
    assert dates["parseDate"].message == (
        "exported function `parseDate` is not imported by any analysed file"
    )
    assert (dates["parseDate"].line, dates["parseDate"].end_line) == (4, 6)


def test_flagged_cycles_are_named_by_module(tmp_path: Path) -> None:
    root = _copy("js-import-cycle", "flagged", tmp_path)

    analysis = analyze_javascript(root, select=["js-import-cycle"])

    assert sorted((f.message, f.confidence) for f in analysis.findings) == [
        ("import cycle: src/a -> src/b -> src/a", 100),
        ("import cycle: src/lazy_a -> src/lazy_b -> src/lazy_a" + LAZY, 60),
        ("import cycle: src/self -> src/self", 100),
        ("import cycle: src/x/one -> src/y/two -> src/z/index -> src/x/one", 100),
    ]  # fmt: skip
    assert analysis.graph.cycles == [
        ["src/a", "src/b"],
        ["src/lazy_a", "src/lazy_b"],
        ["src/self"],
        ["src/x/one", "src/y/two", "src/z/index"],
    ]
