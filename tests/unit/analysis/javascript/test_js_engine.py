"""`analyze_javascript`: selection, roots, errors, sorting and the result model."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from tests.unit.analysis.javascript.helpers import WriteTree
from workflows.analysis.javascript import JS_RULES, JsAnalysis, analyze_javascript
from workflows.analysis.javascript.rules import JS_RULE_MODULES, select_js_rules
from workflows.analysis.models import Category, Severity

HEADINGS = ("What it finds:", "Why it matters:", "Example:", "Not flagged:")
UNUSED = {
    "a.ts": 'import { x } from "./b";\n',
    "b.ts": "export const x = 1;\nexport const y = 2;\n",
}


def test_registry_holds_the_three_js_rules() -> None:
    assert set(JS_RULES) == {"js-unused-import", "js-unused-export", "js-import-cycle"}
    assert JS_RULES["js-import-cycle"].category is Category.ARCHITECTURE
    assert JS_RULES["js-unused-import"].title == "Unused JavaScript/TypeScript import"


@pytest.mark.parametrize("module", JS_RULE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_rule_modules_document_themselves_like_the_python_rules(module) -> None:
    doc = inspect.cleandoc(module.__doc__ or "")
    lines = doc.splitlines()
    assert lines[0].endswith(".") and lines[1] == ""
    positions = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in HEADINGS]
    assert positions == sorted(positions)
    assert re.fullmatch(r"js(-[a-z]+)+", module.RULE_ID)
    assert isinstance(module.CATEGORY, Category) and isinstance(module.SEVERITY, Severity)
    assert list(inspect.signature(module.check).parameters) == ["module", "project"]


def test_selection_ignores_other_languages_ids_and_rejects_unknown_js_ids() -> None:
    assert [r.id for r in select_js_rules(["unused-import", "js-import-cycle"])] == [
        "js-import-cycle"
    ]
    assert select_js_rules("js-unused-export")[0].id == "js-unused-export"
    assert select_js_rules(["bare-except"]) == []
    with pytest.raises(ValueError, match=r"js-nope.*valid JS/TS rule ids: js-import-cycle"):
        select_js_rules(["js-nope"])


def test_select_limits_findings_but_not_the_graph(write_tree: WriteTree) -> None:
    root = write_tree(UNUSED)

    everything = analyze_javascript(root)
    only_exports = analyze_javascript(root, select=["js-unused-export"])
    python_only = analyze_javascript(root, select=["unused-import"])

    assert [f.rule for f in everything.findings] == ["js-unused-import", "js-unused-export"]
    assert [f.symbol for f in only_exports.findings] == ["y"]
    assert python_only.findings == []
    assert python_only.graph.edges == everything.graph.edges != []


def test_result_counts_and_json_round_trip(write_tree: WriteTree) -> None:
    root = write_tree({**UNUSED, "c.jsx": "export default () => <p>\n  hi\n</p>;\n"})

    analysis = analyze_javascript(root)

    assert (analysis.files_analyzed, analysis.lines_analyzed) == (3, 6)
    assert analysis.duration_s >= 0
    assert JsAnalysis.model_validate_json(analysis.model_dump_json()) == analysis


def test_findings_are_sorted_by_path_and_line(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "z.js": 'import a from "a";\nimport b from "b";\n',
            "m.js": 'import { c, d } from "c";\n',
        }
    )
    findings = analyze_javascript(root).findings
    assert [(f.path, f.line, f.symbol) for f in findings] == [
        ("m.js", 1, "c"),
        ("m.js", 1, "d"),
        ("z.js", 1, "a"),
        ("z.js", 2, "b"),
    ]


def test_syntax_errors_are_listed_and_still_analysed(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "broken.ts": 'import { gone } from "./ok";\nlet = ;\n',
            "ok.ts": "export const gone = 1;\n",
            "bad.js": b"\xff\xfe not utf-8",
        }
    )

    analysis = analyze_javascript(root)

    assert analysis.parse_errors == ["bad.js", "broken.ts"]
    assert analysis.files_analyzed == 2
    assert [(f.path, f.symbol) for f in analysis.findings] == [("broken.ts", "gone")]


def test_a_single_file_root(write_tree: WriteTree) -> None:
    root = write_tree({"a.ts": 'import x from "x";\n', "b.ts": 'import y from "y";\n'})
    analysis = analyze_javascript(root / "a.ts")
    assert (analysis.files_analyzed, [f.path for f in analysis.findings]) == (1, ["a.ts"])
    (root / "notes.md").write_text("# notes\n")
    assert analyze_javascript(root / "notes.md").files_analyzed == 0


def test_a_missing_root_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        analyze_javascript(tmp_path / "nope")


def test_declaration_files_are_imported_but_not_checked(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "types.d.ts": 'import { Unused } from "./x";\nexport declare const v: number;\n',
            "a.ts": 'import { v } from "./types";\nconsole.log(v);\n',
        }
    )
    analysis = analyze_javascript(root)
    assert analysis.findings == []
    assert [(e.source, e.target) for e in analysis.graph.edges] == [("a", "types")]
