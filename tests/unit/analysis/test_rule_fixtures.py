"""Every rule against its `flagged/` and `not_flagged/` fixture trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.analysis.helpers import FIXTURES, copy_fixture, expected_markers
from workflows.analysis import analyze_path
from workflows.analysis.rules import RULE_MODULES, RULES

RULE_IDS = sorted(RULES)
# Each rule's fixtures live in a folder named after its module (rules/bare_except.py ->
# fixtures/bare_except/), so a new rule module brings its fixtures under the same name.
_MODULE_NAMES = {m.RULE_ID: m.__name__.rsplit(".", 1)[-1] for m in RULE_MODULES}


def _fixture_dir(rule_id: str) -> str:
    return _MODULE_NAMES[rule_id]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_both_fixture_trees(rule_id: str) -> None:
    for case in ("flagged", "not_flagged"):
        tree = FIXTURES / _fixture_dir(rule_id) / case
        assert any(tree.rglob("*.py")), f"missing fixture tree {tree}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_flagged_fixture_reports_exactly_the_marked_lines(rule_id: str, tmp_path: Path) -> None:
    root = copy_fixture(f"{_fixture_dir(rule_id)}/flagged", tmp_path / "src")
    expected = expected_markers(root)
    assert expected, "a flagged fixture must mark at least one expected finding"
    assert {rule for _, _, rule in expected} == {rule_id}

    report = analyze_path(root, select=[rule_id])

    found = {(f.path, f.line, f.rule) for f in report.findings}
    assert found == expected
    assert len(report.findings) == len(expected), "one finding per marked line"
    assert report.parse_errors == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_not_flagged_fixture_is_silent(rule_id: str, tmp_path: Path) -> None:
    root = copy_fixture(f"{_fixture_dir(rule_id)}/not_flagged", tmp_path / "src")
    assert expected_markers(root) == set()

    report = analyze_path(root, select=[rule_id])

    assert [f"{f.path}:{f.line} {f.message}" for f in report.findings] == []
    assert report.parse_errors == []
    assert report.files_analyzed == len(list(root.rglob("*.py")))
