"""`analyze_path`: selection, roots, parse errors, counts, ordering and progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.analysis import analyze_path
from workflows.analysis.rules import RULES, select_rules


def test_unknown_rule_raises_value_error_naming_valid_ids(write_tree) -> None:
    root = write_tree({"m.py": "x = 1\n"})
    with pytest.raises(ValueError, match="no-such-rule") as excinfo:
        analyze_path(root, select=["bare-except", "no-such-rule"])
    for rule_id in RULES:
        assert rule_id in str(excinfo.value)


def test_select_runs_only_the_chosen_rules(write_tree) -> None:
    root = write_tree({"m.py": "import os\ntry:\n    pass\nexcept:\n    pass\n"})
    everything = {f.rule for f in analyze_path(root).findings}
    assert {"unused-import", "bare-except"} <= everything
    chosen = analyze_path(root, select=["unused-import", "bare-except"]).findings
    assert {f.rule for f in chosen} == {"unused-import", "bare-except"}
    assert {f.rule for f in analyze_path(root, select=["bare-except"]).findings} == {"bare-except"}
    assert analyze_path(root, select=[]).findings == []
    assert [r.id for r in select_rules("bare-except")] == ["bare-except"]


def test_missing_root_raises_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        analyze_path(missing)


def test_root_may_be_a_single_file(write_tree) -> None:
    root = write_tree({"pkg/m.py": "import os\n"})
    report = analyze_path(root / "pkg" / "m.py")
    assert report.files_analyzed == 1
    assert [(f.path, f.rule) for f in report.findings] == [("m.py", "unused-import")]


def test_counts_and_report_fields(write_tree) -> None:
    root = write_tree({"a.py": "x = 1\ny = 2\n", "b/c.py": "z = 3", "b/readme.txt": "not code"})
    report = analyze_path(root)
    assert report.root == str(root)
    assert report.files_analyzed == 2
    assert report.lines_analyzed == 3
    assert report.duration_s >= 0
    assert report.parse_errors == []


def test_syntax_errors_are_reported_and_still_analysed(write_tree) -> None:
    root = write_tree(
        {
            "broken.py": "import os\n\ndef f(:\n    pass\n\ntry:\n    pass\nexcept:\n    pass\n",
            "fine.py": "x = 1\n",
        }
    )
    report = analyze_path(root, select=["bare-except"])
    assert report.parse_errors == ["broken.py"]
    assert report.files_analyzed == 2
    assert [(f.path, f.line) for f in report.findings] == [("broken.py", 8)]


def test_undecodable_and_unreadable_files_are_listed_and_skipped(write_tree) -> None:
    root = write_tree(
        {
            "binary.py": b"x = '\xff\xfe\xfa'\n",
            "latin.py": "# coding: latin-1\ns = 'caf\xe9'\n".encode("latin-1"),
            "ok.py": "import os\n",
        }
    )
    (root / "dangling.py").symlink_to(root / "does-not-exist.py")

    report = analyze_path(root)

    assert report.parse_errors == ["binary.py", "dangling.py"]
    assert report.files_analyzed == 2
    assert report.lines_analyzed == 3
    assert [f.path for f in report.findings] == ["ok.py"]


def test_findings_are_sorted_by_path_line_rule(write_tree) -> None:
    root = write_tree(
        {
            "b.py": "try:\n    pass\nexcept:\n    pass\nimport sys\n",
            "a.py": "import os\n\n\ndef orphan():\n    pass\n",
        }
    )
    report = analyze_path(
        root, select=["unused-import", "unused-function", "unused-class", "bare-except"]
    )
    keys = [(f.path, f.line, f.rule) for f in report.findings]
    assert keys == sorted(keys)
    assert keys == [
        ("a.py", 1, "unused-import"),
        ("a.py", 4, "unused-function"),
        ("b.py", 3, "bare-except"),
        ("b.py", 5, "unused-import"),
    ]


def test_progress_callback_reaches_the_total(write_tree) -> None:
    root = write_tree({f"m{i}.py": "x = 1\n" for i in range(7)})
    calls: list[tuple[int, int]] = []

    analyze_path(root, on_progress=lambda done, total: calls.append((done, total)))

    assert calls[0] == (0, 7)
    assert calls[-1] == (7, 7)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert {total for _, total in calls} == {7}
