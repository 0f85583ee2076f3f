"""The import graph: Tarjan components, concrete cycles, module names and external packages."""

from __future__ import annotations

from tests.unit.analysis.javascript.helpers import WriteTree
from workflows.analysis.cycles import shortest_cycle, strongly_connected_components
from workflows.analysis.javascript import analyze_javascript
from workflows.analysis.javascript.graph import JsCycle, find_cycles, module_names
from workflows.analysis.models import ImportEdge


def test_components_of_a_graph_with_two_loops_and_a_tail() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    components = sorted(sorted(c) for c in strongly_connected_components(graph))
    assert components == [["a", "b", "c"], ["d", "e"], ["f"]]


def test_components_come_in_reverse_topological_order() -> None:
    order = [c[0] for c in strongly_connected_components({"a": {"b"}, "b": {"c"}, "c": set()})]
    assert order == ["c", "b", "a"]


def test_a_long_chain_needs_no_recursion() -> None:
    chain = {str(i): {str(i + 1)} for i in range(20_000)}
    chain["20000"] = {"0"}
    assert [len(c) for c in strongly_connected_components(chain)] == [20_001]


def test_shortest_cycle_starts_at_the_given_node_and_can_require_an_edge() -> None:
    graph = {"a": {"b", "c"}, "b": {"a"}, "c": {"d"}, "d": {"a"}}
    members = {"a", "b", "c", "d"}
    assert shortest_cycle("a", members, graph) == ["a", "b"]
    assert shortest_cycle("a", members, graph, {("c", "d")}) == ["a", "c", "d"]
    assert shortest_cycle("a", {"a"}, {"a": set()}) == ["a"]


def test_find_cycles_separates_load_time_from_deferred_ones() -> None:
    nodes = ["a", "b", "c", "d", "s", "t"]
    eager = {("a", "b"), ("b", "a"), ("b", "c"), ("s", "s"), ("c", "d")}
    lazy = {("c", "a"), ("d", "a"), ("t", "t")}
    assert find_cycles(nodes, eager, lazy) == [
        JsCycle(("a", "b"), ("a", "b"), deferred=False),
        JsCycle(("a", "b", "c"), ("a", "b", "c", "d"), deferred=True),
        JsCycle(("s",), ("s",), deferred=False),
    ]
    assert find_cycles(["x", "y"], {("x", "y")}, set()) == []


def test_module_names_drop_extensions_unless_two_files_share_a_stem() -> None:
    assert module_names(["src/app.tsx", "src/t.d.ts", "a.js", "a.ts"]) == {
        "src/app.tsx": "src/app",
        "src/t.d.ts": "src/t",
        "a.js": "a.js",
        "a.ts": "a.ts",
    }


def test_import_graph_of_a_tree(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "src/app.tsx": """
                import React from "react";
                import { b } from "./lib";
                import { b as again } from "./lib/index";
                import type { T } from "./types";
                import fs from "node:fs";
                import path from "path";
                import sub from "@scope/pkg/sub";
                import alias from "@/aliased";
                export const App = () => <div>{b}{again}</div>;
            """,
            "src/lib/index.ts": 'export { b } from "../util";\nexport * from "./more";\n',
            "src/lib/more.ts": "export const more = 1;\n",
            "src/util.js": 'const lodash = require("lodash/fp");\nexports.b = lodash;\n',
            "src/types.ts": 'import { App } from "./app";\nexport type T = typeof App;\n',
        }
    )

    graph = analyze_javascript(root).graph

    assert graph.modules == ["src/app", "src/lib/index", "src/lib/more", "src/types", "src/util"]
    assert graph.edges == [
        ImportEdge(source="src/app", target="src/lib/index", line=2),
        ImportEdge(source="src/app", target="src/types", line=4),
        ImportEdge(source="src/lib/index", target="src/lib/more", line=2),
        ImportEdge(source="src/lib/index", target="src/util", line=1),
        ImportEdge(source="src/types", target="src/app", line=1),
    ]
    assert graph.external == {"src/app": ["@scope/pkg", "react"], "src/util": ["lodash"]}
    assert graph.cycles == []


def test_type_only_imports_close_no_cycle_and_lazy_ones_only_deferred_ones(
    write_tree: WriteTree,
) -> None:
    root = write_tree(
        {
            "a.ts": 'import { b } from "./b";\nexport const a = b;\n',
            "b.ts": 'import type { a } from "./a";\nexport const b = 1 as unknown as typeof a;\n',
            "c.js": 'import { d } from "./d";\nexport const c = d;\n',
            "d.js": 'export const d = () => import("./c");\n',
            "e.js": 'import { f } from "./f";\nexport const e = f;\n',
            "f.js": 'export const f = () => require("./e");\n',
            "g.js": 'import { h } from "./h";\nexport const g = h;\n',
            "h.js": 'const { g } = require("./g");\nexports.h = g;\n',
        }
    )

    analysis = analyze_javascript(root, select=["js-import-cycle"])

    assert analysis.graph.cycles == [["c", "d"], ["e", "f"], ["g", "h"]]
    assert [(f.message, f.confidence, f.line) for f in analysis.findings] == [
        ("import cycle: c -> d -> c (closed by a lazy import()/require())", 60, 1),
        ("import cycle: e -> f -> e (closed by a lazy import()/require())", 60, 1),
        ("import cycle: g -> h -> g", 100, 1),
    ]
    assert ("b", "a") in {(e.source, e.target) for e in analysis.graph.edges}


def test_one_finding_per_cycle_even_when_components_overlap(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "a.js": 'import "./b";\nimport "./c";\n',
            "b.js": 'import "./a";\n',
            "c.js": 'import "./a";\n',
        }
    )

    findings = analyze_javascript(root, select=["js-import-cycle"]).findings

    assert [(f.path, f.line, f.symbol, f.message) for f in findings] == [
        ("a.js", 1, "b", "import cycle: a -> b -> a (3 files import each other in this group)")
    ]
