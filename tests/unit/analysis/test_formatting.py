"""JSON and text rendering of reports."""

from __future__ import annotations

import json

from workflows.analysis import analyze_path
from workflows.analysis.formatting import to_json, to_text
from workflows.analysis.models import AnalysisReport, Category


def _report(write_tree) -> AnalysisReport:
    root = write_tree(
        {
            "a.py": "import os\nimport sys\n",
            "b.py": "try:\n    pass\nexcept:\n    pass\n",
        }
    )
    return analyze_path(
        root, select=["unused-import", "unused-function", "unused-class", "bare-except"]
    )


def test_json_shape_and_key_order(write_tree) -> None:
    report = _report(write_tree)

    data = json.loads(to_json(report))

    assert list(data) == ["findings", "summary", "graph"]
    assert len(data["findings"]) == len(report.findings) == 3
    for item, finding in zip(data["findings"], report.findings, strict=True):
        assert list(item) == [
            "rule",
            "category",
            "severity",
            "confidence",
            "path",
            "line",
            "end_line",
            "message",
        ]
        assert item["confidence"] == finding.confidence
        assert item["rule"] == finding.rule
        assert item["path"] == finding.path
        assert item["line"] == finding.line
        assert item["category"] == "code_quality"
        assert item["severity"] == "warning"
    summary = data["summary"]
    assert list(summary) == [
        "files",
        "lines",
        "findings",
        "by_category",
        "by_rule",
        "fixable",
        "scores",
        "score",
        "duration_s",
    ]
    assert summary["files"] == 2
    assert summary["lines"] == 6
    assert summary["findings"] == 3
    assert summary["by_category"] == {c.value: 0 for c in Category} | {"code_quality": 3}
    assert summary["by_rule"] == {"unused-import": 2, "bare-except": 1}
    assert isinstance(summary["duration_s"], float)


def test_json_is_pretty_and_stable(write_tree) -> None:
    report = _report(write_tree)
    text = to_json(report)
    assert text.startswith('{\n  "findings": [')
    assert text == to_json(report)


def test_text_lines_and_summary(write_tree) -> None:
    report = _report(write_tree)
    report.duration_s = 0.0512

    lines = to_text(report).splitlines()

    assert lines == [
        "a.py:1: unused-import `os` imported but unused",
        "a.py:2: unused-import `sys` imported but unused",
        "b.py:3: bare-except bare `except:` catches SystemExit and KeyboardInterrupt too; "
        "name the exception",
        "3 findings in 2 files (6 lines) in 0.05 s",
    ]


def test_text_summary_without_findings_and_with_thousands() -> None:
    report = AnalysisReport(root=".", files_analyzed=1, lines_analyzed=1234, duration_s=1.0)
    assert to_text(report) == "No findings in 1 file (1,234 lines) in 1.00 s"
    report.parse_errors = ["x.py"]
    assert to_text(report).endswith("; 1 file with parse errors")


def test_text_color_only_when_asked(write_tree) -> None:
    report = _report(write_tree)
    assert "\x1b[" not in to_text(report)
    colored = to_text(report, color=True)
    assert "\x1b[" in colored
    assert colored.count("\n") == to_text(report).count("\n")
