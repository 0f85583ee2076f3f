"""The single walk: imports, exports, references, JSX and TypeScript type positions."""

from __future__ import annotations

import textwrap

from workflows.analysis.javascript.parsing import parse_js_source
from workflows.analysis.javascript.symbols import JsSymbols, collect_js_symbols


def _symbols(source: str, path: str = "a.ts") -> JsSymbols:
    module = parse_js_source(textwrap.dedent(source).lstrip().encode(), path)
    assert not module.has_error
    return collect_js_symbols(module)


def _imports(source: str, path: str = "a.ts") -> list[tuple]:
    return [
        (
            i.kind,
            i.specifier,
            [(b.local, b.imported, b.type_only) for b in i.bindings],
            sorted(i.names),
            i.all_names,
            i.star,
            i.type_only,
            i.lazy,
        )
        for i in _symbols(source, path).imports
    ]


def test_es_import_forms() -> None:
    assert _imports(
        """
        import x from "a";
        import { a as b, c } from "./b";
        import * as ns from "c";
        import "side";
        import d, { e } from "f";
        import { "quoted name" as q } from "g";
        """
    ) == [
        ("import", "a", [("x", "default", False)], [], False, False, False, False),
        ("import", "./b", [("b", "a", False), ("c", "c", False)], [], False, False, False, False),
        ("import", "c", [("ns", "*", False)], [], False, False, False, False),
        ("import", "side", [], [], False, False, False, False),
        ("import", "f", [("d", "default", False), ("e", "e", False)], [], False, False, False,
         False),
        ("import", "g", [("q", "quoted name", False)], [], False, False, False, False),
    ]  # fmt: skip


def test_typescript_type_imports_and_import_equals() -> None:
    assert _imports(
        """
        import type { A, B } from "./t";
        import { type C, d } from "./u";
        import { type E } from "./v";
        import type F from "./w";
        import fs = require("fs");
        export type { G } from "./x";
        """
    ) == [
        ("import", "./t", [("A", "A", True), ("B", "B", True)], [], False, False, True, False),
        ("import", "./u", [("C", "C", True), ("d", "d", False)], [], False, False, False, False),
        ("import", "./v", [("E", "E", True)], [], False, False, True, False),
        ("import", "./w", [("F", "default", True)], [], False, False, True, False),
        ("import", "fs", [("fs", "*", False)], [], False, False, False, False),
        ("reexport", "./x", [], ["G"], False, False, True, False),
    ]  # fmt: skip


def test_reexports() -> None:
    assert _imports(
        """
        export { g as h, i } from "./j";
        export * from "./k";
        export * as m from "./l";
        """
    ) == [
        ("reexport", "./j", [], ["g", "i"], False, False, False, False),
        ("reexport", "./k", [], [], False, True, False, False),
        ("reexport", "./l", [], [], True, False, False, False),
    ]


def test_commonjs_and_dynamic_imports() -> None:
    assert _imports(
        """
        const r = require("y");
        const { p, q: qq, s = 1 } = require("z");
        const { ...rest } = require("r");
        const member = require("m").member;
        require("./bare");
        function later() {
          const lazy = require("./lazy");
          return import("./dyn");
        }
        const mod = await import("./top");
        """,
        "a.mjs",
    ) == [
        ("require", "y", [("r", "*", False)], [], False, False, False, False),
        ("require", "z", [("p", "p", False), ("qq", "q", False), ("s", "s", False)], [], False,
         False, False, False),
        ("require", "r", [], [], True, False, False, False),
        ("require", "m", [("member", "member", False)], [], False, False, False, False),
        ("require", "./bare", [], [], True, False, False, False),
        ("require", "./lazy", [("lazy", "*", False)], [], False, False, False, True),
        ("dynamic", "./dyn", [], [], True, False, False, True),
        ("dynamic", "./top", [("mod", "*", False)], [], False, False, False, True),
    ]  # fmt: skip


def test_require_needs_a_plain_string() -> None:
    source = 'const a = require(name);\nconst b = require(`x${y}`);\nrequire.resolve("z");\n'
    assert _imports(source, "a.js") == []


def test_exports() -> None:
    facts = _symbols(
        """
        export function f1() {}
        export class C1 {}
        export const k1 = 1, { k2, k3: [k4] } = obj;
        export enum E { A }
        export interface I {}
        export type T = 1;
        export abstract class AC {}
        export declare function df(): void;
        export default function () {}
        const local = 1;
        export { local as renamed };
        export { g as h } from "./j";
        export * as ns from "./k";
        namespace N { export const hidden = 1; }
        """
    )
    assert [(e.name, e.kind, e.line) for e in facts.exports] == [
        ("f1", "function", 1),
        ("C1", "class", 2),
        ("k1", "variable", 3),
        ("k2", "variable", 3),
        ("k4", "variable", 3),
        ("E", "enum", 4),
        ("I", "interface", 5),
        ("T", "type", 6),
        ("AC", "class", 7),
        ("df", "function", 8),
        ("default", "default", 9),
        ("renamed", "clause", 11),
        ("h", "reexport", 12),
        ("ns", "reexport", 13),
    ]


def test_commonjs_exports() -> None:
    facts = _symbols(
        """
        module.exports = { a, b: 2, c() {} };
        exports.x = 1;
        module.exports.y = 2;
        exports.deep.z = 3;
        """,
        "a.cjs",
    )
    assert [(e.name, e.kind) for e in facts.exports] == [
        ("default", "commonjs"),
        ("a", "commonjs"),
        ("b", "commonjs"),
        ("x", "commonjs"),
        ("y", "commonjs"),
    ]


def test_references_exclude_binding_sites() -> None:
    facts = _symbols(
        """
        function declared(param, { key: renamedKey, shorthand }, [first] = fallback, ...rest) {
          return read;
        }
        class Klass { method(arg) {} }
        const variable = init, { a: b = dflt } = source;
        let assigned;
        assigned = value;
        try {} catch (error) {}
        for (const item of items) {}
        const arrow = (p1) => p1;
        label: for (;;) break label;
        obj.prop;
        ({ objKey: 1 });
        """,
        "a.js",
    )
    assert facts.references == {
        "fallback", "read", "init", "dflt", "source", "value", "items", "p1", "obj",
    }  # fmt: skip
    assert facts.member_uses == {("obj", "prop")}
    assert "obj" not in facts.bare_references


def test_typescript_type_positions_are_references() -> None:
    facts = _symbols(
        """
        let x: Foo<Bar> = 1;
        function f(a: Baz, b?: ns.Qux): Promise<Ret> { return null!; }
        interface I extends Base { k: K }
        type A = B | typeof value | keyof Obj;
        class C<T> implements J { constructor(private readonly dep: Dep) {} }
        const y = z as Cast;
        """
    )
    assert facts.references >= {"Foo", "Bar", "Baz", "ns", "Ret", "Base", "K", "B", "value",
                                "Obj", "J", "Dep", "z", "Cast"}  # fmt: skip
    assert not facts.references & {"x", "f", "a", "b", "I", "A", "C", "dep", "y", "Qux"}
    assert ("ns", "Qux") in facts.member_uses


def test_jsx_components_are_references_but_elements_are_not() -> None:
    facts = _symbols(
        """
        const el = (
          <Layout title={title}>
            <ui.Card />
            <div className="x" data-a={a}><svg:rect xlink:href="#r" /><custom-el /></div>
            <>{children}</>
          </Layout>
        );
        """,
        "a.tsx",
    )
    assert facts.has_jsx
    assert facts.references == {"Layout", "title", "ui", "a", "children"}
    assert ("ui", "Card") in facts.member_uses
    assert not _symbols("const a = 1;\n", "b.tsx").has_jsx


def test_exported_and_shorthand_names_are_references() -> None:
    facts = _symbols(
        """
        import { a, b, c, d } from "m";
        export { a };
        export default b;
        export const o = { c };
        export { d as e } from "n";
        """
    )
    assert facts.references == {"a", "b", "c"}


def test_self_references_of_top_level_functions_and_classes_do_not_count() -> None:
    facts = _symbols(
        """
        export function again(n) { return n ? again(n - 1) : 0; }
        class Node { next() { return new Node(); } }
        const count = () => count;
        use(Node);
        """,
        "a.js",
    )
    assert facts.references == {"n", "count", "use", "Node"}
    assert "again" not in facts.references


def test_namespace_members_and_whole_uses() -> None:
    facts = _symbols("ns.a; ns.b(); other.c; pass(other);\n", "a.js")
    assert facts.requested_members("ns") == {"a", "b"}
    assert facts.requested_members("other") is None
    assert facts.requested_members("unused") == frozenset()


def test_jsdoc_types_count_as_uses() -> None:
    facts = _symbols("/** @param {Thing|Other} t */\n// {NotDoc}\nfunction f(t) {}\n", "a.js")
    assert facts.doc_references == {"Thing", "Other"}
    assert facts.is_used("Thing") and not facts.is_used("NotDoc")
