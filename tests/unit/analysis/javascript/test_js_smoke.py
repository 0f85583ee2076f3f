"""Running the JS/TS engine on real code found on this machine (not timed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import urllib3

from tests.shared_paths import missing
from workflows.analysis.javascript import JS_RULES, JsAnalysis, analyze_javascript


def npm_sources() -> Path:
    """npm's own package, found from the ``npm`` on PATH (a link to its ``bin/npm-cli.js``)."""
    found = shutil.which("npm")
    root = Path(found).resolve().parents[1] if found else None
    if root is None or not (root / "lib").is_dir():
        missing(f"npm's sources are not installed (npm on PATH: {found})")
    return root


def _check(root: Path) -> JsAnalysis:
    analysis = analyze_javascript(root)
    assert analysis.files_analyzed > 0
    for finding in analysis.findings:
        assert finding.rule in JS_RULES
        assert (root / finding.path).is_file()
        assert 1 <= finding.line <= finding.end_line
    for edge in analysis.graph.edges:
        assert {edge.source, edge.target} <= set(analysis.graph.modules)
    return analysis


def test_engine_on_the_javascript_shipped_in_the_venv() -> None:
    _check(Path(urllib3.__file__).parent / "contrib" / "emscripten")


def test_engine_on_npm_sources() -> None:
    analysis = _check(npm_sources())
    assert analysis.files_analyzed > 100
    assert analysis.lines_analyzed > 10_000
    assert len(analysis.parse_errors) < analysis.files_analyzed / 20
    assert len(analysis.graph.edges) > 100
    # A well-maintained, linted code base: dead-code candidates are rare.
    assert len(analysis.findings) < analysis.files_analyzed / 5
