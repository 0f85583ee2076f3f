"""Grammar choice, file kinds and discovery of JS/TS files."""

from __future__ import annotations

import pytest

from tests.unit.analysis.javascript.helpers import WriteTree
from workflows.analysis.javascript.parsing import (
    discover_js_files,
    get_js_parser,
    is_declaration_file,
    is_entry_name,
    is_js_test_path,
    language_kind,
    parse_js_source,
    strip_js_suffix,
)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a.js", "javascript"),
        ("a.jsx", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("a.d.ts", "typescript"),
        ("a.tsx", "tsx"),
    ],
)
def test_language_kind_by_suffix(path: str, kind: str) -> None:
    assert language_kind(path) == kind


def test_unknown_suffix_is_rejected() -> None:
    with pytest.raises(ValueError, match="not a JavaScript/TypeScript file"):
        language_kind("a.py")


def test_one_cached_parser_per_language() -> None:
    assert get_js_parser("tsx") is get_js_parser("tsx")
    assert get_js_parser("tsx") is not get_js_parser("typescript")


def test_each_grammar_parses_its_own_syntax() -> None:
    jsx = b"const a = <App x={1} />;\n"
    generic_arrow = b"const f = <T,>(x: T): T => x;\nlet y = <any>f;\n"
    assert not parse_js_source(jsx, "a.jsx").has_error
    assert not parse_js_source(jsx, "a.js").has_error
    assert not parse_js_source(jsx, "a.tsx").has_error
    assert not parse_js_source(generic_arrow, "a.ts").has_error
    assert parse_js_source(b"let x: number = 1;\n", "a.js").has_error


def test_parsed_module_facts() -> None:
    module = parse_js_source(b"export {};\n// end", "src/__tests__/a.d.ts")
    assert (module.kind, module.line_count, module.is_declaration, module.is_test_file) == (
        "typescript",
        2,
        True,
        True,
    )
    assert module.text(module.root.children[0]) == "export {};"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/a.test.ts", True),
        ("src/a.spec.jsx", True),
        ("src/__tests__/a.ts", True),
        ("src/__mocks__/fs.js", True),
        ("test/a.js", True),
        ("src/testing.ts", False),
        ("src/spec.ts", False),
        ("src/latest.js", False),
    ],
)
def test_test_paths(path: str, expected: bool) -> None:
    assert is_js_test_path(path) is expected


def test_declaration_entry_and_suffix_helpers() -> None:
    assert is_declaration_file("types/a.d.ts") and is_declaration_file("a.d.mts")
    assert not is_declaration_file("a.ts")
    assert is_entry_name("src/index.tsx") and is_entry_name("main.js")
    assert not is_entry_name("src/domain.ts")
    assert strip_js_suffix("src/app.tsx") == "src/app"
    assert strip_js_suffix("types/a.d.ts") == "types/a"
    assert strip_js_suffix("README") == "README"


def test_discovery_skips_dependencies_builds_and_minified_bundles(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "src/a.ts": "",
            "src/b.tsx": "",
            "src/c.mjs": "",
            "src/types.d.ts": "",
            "src/vendor.min.js": "",
            "src/notes.md": "",
            "src/style.css": "",
            "node_modules/react/index.js": "",
            "dist/app.js": "",
            "build/app.js": "",
            "coverage/lcov.js": "",
            ".next/server.js": "",
        },
    )
    assert discover_js_files(root) == ["src/a.ts", "src/b.tsx", "src/c.mjs", "src/types.d.ts"]
