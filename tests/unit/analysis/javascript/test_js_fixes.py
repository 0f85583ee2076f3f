"""The `js-unused-import` fixes: applied to the source they give valid code without the finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.analysis.javascript.helpers import apply_edits, fix_edits
from workflows.analysis.javascript import analyze_javascript
from workflows.analysis.javascript.parsing import parse_js_source

RULE = "js-unused-import"

CASES: list[tuple[str, str, str]] = [
    ("whole.js", 'import a from "a";\nexport const x = 1;\n', "export const x = 1;\n"),
    ("first.js", 'import { a, b } from "m";\nuse(b);\n', 'import { b } from "m";\nuse(b);\n'),
    ("last.js", 'import { a, b } from "m";\nuse(a);\n', 'import { a } from "m";\nuse(a);\n'),
    ("middle.js", 'import { a, b, c } from "m";\nuse(a, c);\n',
     'import { a, c } from "m";\nuse(a, c);\n'),
    ("ends.js", 'import { a, b, c } from "m";\nuse(b);\n', 'import { b } from "m";\nuse(b);\n'),
    ("tail.js", 'import { a, b, c } from "m";\nuse(a);\n', 'import { a } from "m";\nuse(a);\n'),
    ("alias.js", 'import {a as b, c} from "m";\nuse(c);\n', 'import {c} from "m";\nuse(c);\n'),
    ("named_of_default.js", 'import d, { a } from "m";\nuse(d);\n',
     'import d from "m";\nuse(d);\n'),
    ("default_of_named.js", 'import d, { a } from "m";\nuse(a);\n',
     'import { a } from "m";\nuse(a);\n'),
    ("default_and_one.js", 'import d, { a, b } from "m";\nuse(b);\n',
     'import { b } from "m";\nuse(b);\n'),
    ("namespace_of_default.js", 'import d, * as ns from "m";\nuse(d);\n',
     'import d from "m";\nuse(d);\n'),
    ("default_of_namespace.js", 'import d, * as ns from "m";\nuse(ns);\n',
     'import * as ns from "m";\nuse(ns);\n'),
    ("multiline.js", 'import {\n  a,\n  b,\n  c,\n} from "m";\nuse(a, c);\n',
     'import {\n  a,\n  c,\n} from "m";\nuse(a, c);\n'),
    ("multiline_last.js", 'import {\n  a,\n  b\n} from "m";\nuse(a);\n',
     'import {\n  a\n} from "m";\nuse(a);\n'),
    ("type_only.ts", 'import type { A, B } from "./t";\nlet x: A;\n',
     'import type { A } from "./t";\nlet x: A;\n'),
    ("type_specifier.ts", 'import { type A, b } from "./t";\nb();\n',
     'import { b } from "./t";\nb();\n'),
    ("ts_require.ts", 'import fs = require("fs");\nexport {};\n', "export {};\n"),
    ("crlf.js", 'import a from "a";\r\nexport const x = 1;\r\n', "export const x = 1;\r\n"),
    ("same_line.js", 'import a from "a"; export const x = 1;\n', "export const x = 1;\n"),
    ("indented.ts", 'declare module "m" {\n  import a from "a";\n  export const x: 1;\n}\n',
     'declare module "m" {\n  export const x: 1;\n}\n'),
    ("several.js", 'import a from "a";\nimport { b, c } from "m";\nimport "side";\nuse(c);\n',
     'import { c } from "m";\nimport "side";\nuse(c);\n'),
    ("no_newline.js", 'import a from "a"', ""),
    ("react.jsx",
     'import React, { useState } from "react";\nexport const C = () => <div />;\n',
     'import React from "react";\nexport const C = () => <div />;\n'),
]  # fmt: skip


@pytest.mark.parametrize(("name", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_fix_gives_valid_code_without_the_finding(
    name: str, before: str, after: str, tmp_path: Path
) -> None:
    file = tmp_path / name
    file.write_bytes(before.encode())
    findings = analyze_javascript(tmp_path, select=[RULE]).findings
    assert findings and any(f.fix is not None for f in findings)

    fixed = apply_edits(before.encode(), fix_edits(findings))

    assert fixed.decode() == after
    assert not parse_js_source(fixed, name).has_error
    file.write_bytes(fixed)
    remaining = analyze_javascript(tmp_path, select=[RULE]).findings
    assert all(f.fix is None for f in remaining)
    assert [f.symbol for f in remaining] == (["React"] if name == "react.jsx" else [])


def test_findings_of_one_statement_share_one_fix(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text('import { a, b, c, d } from "m";\nuse(c);\n')

    findings = analyze_javascript(tmp_path, select=[RULE]).findings

    assert [f.symbol for f in findings] == ["a", "b", "d"]
    assert findings[0].fix == findings[1].fix == findings[2].fix
    assert findings[0].fix is not None
    assert findings[0].fix.description == "Remove `a`, `b`, `d` from the import of 'm'"
    assert {e.path for e in findings[0].fix.edits} == {"a.ts"}


def test_whole_statement_fix_names_the_statement(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('import x, { y } from "m";\n')

    findings = analyze_javascript(tmp_path, select=[RULE]).findings

    assert findings[0].fix is not None
    assert findings[0].fix.description == "Remove the import of `x`, `y` from 'm'"
    assert [(e.start_byte, e.end_byte) for e in findings[0].fix.edits] == [(0, 26)]


def test_commonjs_and_commented_clauses_get_no_fix(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text(
        'const fs = require("fs");\nimport { a, /* keep */ b } from "m";\nuse(b);\n'
    )

    findings = analyze_javascript(tmp_path, select=[RULE]).findings

    assert [(f.symbol, f.fix) for f in findings] == [("fs", None), ("a", None)]
