"""Running the engine on a real, installed package (not timed)."""

from __future__ import annotations

import json
from pathlib import Path

import rich

from workflows.analysis import analyze_path
from workflows.analysis.formatting import to_json, to_text
from workflows.analysis.rules import RULES


def test_engine_on_the_installed_rich_package() -> None:
    root = Path(rich.__file__).parent
    python_files = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]

    report = analyze_path(root)

    assert len(python_files) > 50
    assert len(python_files) - len(report.parse_errors) <= report.files_analyzed
    assert report.files_analyzed <= len(python_files)
    assert report.lines_analyzed > 10_000
    for finding in report.findings:
        assert finding.rule in RULES or finding.rule.startswith("js-")
        assert (root / finding.path).is_file()
        assert 1 <= finding.line <= finding.end_line
    # A well-maintained library: some dead-code candidates, but not a flood.
    dead = [f for f in report.findings if f.rule in {"unused-function", "unused-class"}]
    assert len(dead) < report.files_analyzed
    assert json.loads(to_json(report))["summary"]["files"] == report.files_analyzed
    assert to_text(report).splitlines()[-1].endswith(" s")
