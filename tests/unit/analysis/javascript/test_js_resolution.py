"""Resolving specifiers: relative ones to analysed files, bare ones to npm packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflows.analysis.javascript.resolution import (
    classify_specifier,
    package_entry_files,
    package_name,
    resolve_relative,
)

FILES = frozenset(
    {
        "src/app.ts",
        "src/util.js",
        "src/button.tsx",
        "src/legacy.cjs",
        "src/data.json",
        "src/types.d.ts",
        "src/esm.ts",
        "src/both.ts",
        "src/both.js",
        "src/lib/index.ts",
        "src/lib/deep/c.mts",
        "src/widgets/index.jsx",
        "shared/log.js",
        "index.js",
    }
)


@pytest.mark.parametrize(
    ("importer", "specifier", "expected"),
    [
        ("src/app.ts", "./util", "src/util.js"),
        ("src/app.ts", "./util.js", "src/util.js"),
        ("src/app.ts", "./button", "src/button.tsx"),
        ("src/app.ts", "./legacy", "src/legacy.cjs"),
        ("src/app.ts", "./data.json", "src/data.json"),
        ("src/app.ts", "./types", "src/types.d.ts"),
        ("src/app.ts", "./esm.js", "src/esm.ts"),
        ("src/app.ts", "./both", "src/both.ts"),
        ("src/app.ts", "./lib", "src/lib/index.ts"),
        ("src/app.ts", "./lib/", "src/lib/index.ts"),
        ("src/app.ts", "./widgets", "src/widgets/index.jsx"),
        ("src/app.ts", "./lib/deep/c", "src/lib/deep/c.mts"),
        ("src/lib/deep/c.mts", "../../util", "src/util.js"),
        ("src/lib/deep/c.mts", "..", "src/lib/index.ts"),
        ("src/lib/deep/c.mts", "../../../shared/log", "shared/log.js"),
        ("src/app.ts", "..", "index.js"),
        ("src/app.ts", "./missing", None),
        ("src/app.ts", "../../outside", None),
        ("src/app.ts", "./util?raw", "src/util.js"),
    ],
)
def test_resolve_relative(importer: str, specifier: str, expected: str | None) -> None:
    assert resolve_relative(importer, specifier, FILES) == expected


@pytest.mark.parametrize(
    ("specifier", "kind", "package"),
    [
        ("react", "package", "react"),
        ("react-dom/client", "package", "react-dom"),
        ("@scope/pkg/sub/path", "package", "@scope/pkg"),
        ("lodash.debounce", "package", "lodash.debounce"),
        ("fs", "builtin", "fs"),
        ("fs/promises", "builtin", "fs"),
        ("node:path", "builtin", None),
        ("./a", "relative", None),
        ("../b/c", "relative", None),
        ("@/components/x", "other", None),
        ("~/lib", "other", None),
        ("#internal", "other", None),
        ("https://esm.sh/react", "other", None),
        ("/abs/path", "other", None),
    ],
)
def test_classify_and_package_name(specifier: str, kind: str, package: str | None) -> None:
    assert classify_specifier(specifier) == kind
    if kind != "relative":
        assert package_name(specifier) == package


def test_package_json_entries(tmp_path: Path) -> None:
    manifest = {
        "main": "src/app.ts",
        "module": "./src/esm.js",
        "bin": {"tool": "./shared/log.js"},
        "exports": {".": {"import": "./src/lib", "default": "./dist/x.js"}, "./w/*": "./src/*"},
    }
    (tmp_path / "package.json").write_text(json.dumps(manifest))
    assert package_entry_files(tmp_path, FILES) == {
        "src/app.ts",
        "src/esm.ts",
        "shared/log.js",
        "src/lib/index.ts",
    }


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]"])
def test_missing_or_bad_package_json_gives_no_entries(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "package.json").write_text(content)
    assert package_entry_files(tmp_path, FILES) == set()
