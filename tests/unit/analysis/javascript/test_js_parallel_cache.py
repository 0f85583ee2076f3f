"""Worker processes and the content-hash cache of the JS/TS analysis: same findings, only
changed files parsed again, cross-file verdicts still judged from every file."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from tests.unit.analysis.javascript.helpers import WriteTree
from workflows.analysis import cache as analysis_cache
from workflows.analysis.javascript import JsAnalysis, analyze_javascript

# Every rule fires, with a fix, a cross-file verdict, a cycle, a syntax error and bad bytes.
TREE: dict[str, str | bytes] = {
    "src/a.ts": 'import { b } from "./b";\nimport { unused, kept } from "./util";\nb(kept);\n',
    "src/b.ts": 'import { a } from "./a";\nexport function b(x: number) { return a; }\n',
    "src/util.ts": "export const kept = 1;\nexport const unused = 2;\nexport function spare() {}\n",
    "src/view.tsx": 'import React from "react";\nexport const View = () => <p />;\n',
    "src/broken.js": 'import gone from "./gone";\nlet = ;\n',
    "src/bad.js": b"\xff\xfe not utf-8 \x00",
}
SPARE = ("src/util.ts", 3, "js-unused-export", "spare")


def _keys(analysis: JsAnalysis) -> list[tuple[str, int, str, str | None]]:
    return [(f.path, f.line, f.rule, f.symbol) for f in analysis.findings]


def _same_report(left: JsAnalysis, right: JsAnalysis) -> None:
    assert left.findings == right.findings  # fixes and confidences included
    assert left.graph == right.graph
    assert left.parse_errors == right.parse_errors
    assert (left.files_analyzed, left.lines_analyzed) == (
        right.files_analyzed,
        right.lines_analyzed,
    )


def test_worker_processes_find_exactly_what_one_process_finds(write_tree: WriteTree) -> None:
    root = write_tree(TREE)
    serial = analyze_javascript(root, workers=1)
    parallel = analyze_javascript(root, workers=2)
    _same_report(parallel, serial)
    assert {f.rule for f in serial.findings} == {
        "js-unused-import",
        "js-unused-export",
        "js-import-cycle",
    }
    assert any(f.fix is not None for f in serial.findings)
    assert serial.parse_errors == ["src/bad.js", "src/broken.js"]
    assert serial.graph.cycles == [["src/a", "src/b"]]


def test_second_run_reuses_every_file_and_reports_the_same(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    first = analyze_javascript(root, cache_dir=cache)
    second = analyze_javascript(root, cache_dir=cache, workers=2)
    assert first.files_cached == 0
    assert second.files_cached == len(TREE)  # the undecodable file's verdict included
    _same_report(second, first)
    assert [p.name for p in cache.iterdir()] == [next(cache.iterdir()).name]
    assert next(cache.iterdir()).name.startswith("js-")


def test_an_edit_reparses_that_file_and_updates_cross_file_verdicts(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    before = analyze_javascript(root, cache_dir=cache)
    assert SPARE in _keys(before)

    # b.ts starts importing `spare`: a verdict about util.ts changes though util.ts did not.
    b = root / "src" / "b.ts"
    b.write_text('import { spare } from "./util";\n' + b.read_text() + "spare();\n")
    after = analyze_javascript(root, cache_dir=cache)
    assert after.files_cached == len(TREE) - 1
    assert SPARE not in _keys(after)
    _same_report(after, analyze_javascript(root))
    assert any(e.source == "src/b" and e.target == "src/util" for e in after.graph.edges)


def test_touch_without_change_is_a_hit_and_a_same_size_edit_is_not(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_javascript(root, cache_dir=cache)
    util = root / "src" / "util.ts"
    stat = util.stat()
    os.utime(util, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert analyze_javascript(root, cache_dir=cache).files_cached == len(TREE)

    util.write_text(util.read_text().replace("spare", "spore"))  # same size, new bytes
    assert util.stat().st_size == stat.st_size
    report = analyze_javascript(root, cache_dir=cache)
    assert report.files_cached == len(TREE) - 1
    assert ("src/util.ts", 3, "js-unused-export", "spore") in _keys(report)


def test_a_deleted_file_is_forgotten_and_its_imports_with_it(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree({**TREE, "src/user.ts": 'import { spare } from "./util";\nspare();\n'})
    cache = tmp_path / "cache"
    assert SPARE not in _keys(analyze_javascript(root, cache_dir=cache))
    (root / "src" / "user.ts").unlink()
    after = analyze_javascript(root, cache_dir=cache)
    assert after.files_cached == len(TREE)
    assert SPARE in _keys(after)
    _same_report(after, analyze_javascript(root))
    assert "src/user" not in after.graph.modules


def test_a_corrupt_or_foreign_cache_file_is_a_miss(write_tree: WriteTree, tmp_path: Path) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    expected = analyze_javascript(root, cache_dir=cache)
    (snapshot,) = cache.rglob("base.pickle")
    snapshot.write_bytes(b"not a pickle")
    report = analyze_javascript(root, cache_dir=cache)
    assert report.files_cached == 0
    _same_report(report, expected)

    key = pickle.loads(snapshot.read_bytes())[0]
    snapshot.write_bytes(pickle.dumps((key, {"src/a.ts": ("not", "a", "result")})))
    report = analyze_javascript(root, cache_dir=cache)
    assert report.files_cached == 0
    _same_report(report, expected)


def test_a_damaged_journal_costs_only_what_it_recorded(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(
        {f"m{i}.js": f'import x{i} from "x";\nexport const y{i} = 1;\n' for i in range(30)}
    )
    cache = tmp_path / "cache"
    analyze_javascript(root, cache_dir=cache)
    (snapshot,) = cache.rglob("base.pickle")
    journal = snapshot.parent / "journal.pickle"
    (root / "m0.js").write_text("export const z = 1;\n")
    report = analyze_javascript(root, cache_dir=cache)
    assert journal.exists() and report.files_cached == 29
    journal.write_bytes(b"\x80\x05truncated")
    damaged = analyze_javascript(root, cache_dir=cache)
    assert damaged.files_cached == 29
    _same_report(damaged, report)
    for i in range(1, 5):  # past a tenth of the tree: the journal is folded into the snapshot
        (root / f"m{i}.js").write_text(f"export const w{i} = 1;\n")
    analyze_javascript(root, cache_dir=cache)
    assert not journal.exists()
    again = analyze_javascript(root, cache_dir=cache)
    assert again.files_cached == 30
    _same_report(again, analyze_javascript(root))


def test_changed_analysis_code_or_grammar_invalidates(
    write_tree: WriteTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_javascript(root, cache_dir=cache)
    monkeypatch.setattr(analysis_cache, "code_fingerprint", lambda: "a-different-analysis-code")
    assert analyze_javascript(root, cache_dir=cache).files_cached == 0


def test_the_fingerprint_covers_the_typescript_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprint = analysis_cache.code_fingerprint.__wrapped__
    before = fingerprint()
    real = analysis_cache.metadata.version

    def version(dist: str) -> str:
        return "99.0" if dist == "tree-sitter-typescript" else real(dist)

    monkeypatch.setattr(analysis_cache.metadata, "version", version)
    assert fingerprint() != before


def test_another_rule_selection_judges_from_the_same_cached_facts(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_javascript(root, cache_dir=cache)
    narrowed = analyze_javascript(root, cache_dir=cache, select=["js-unused-export"])
    assert narrowed.files_cached == len(TREE)
    assert {f.rule for f in narrowed.findings} == {"js-unused-export"}
    _same_report(narrowed, analyze_javascript(root, select=["js-unused-export"]))


def test_a_cache_path_that_is_a_file_costs_speed_not_results(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    report = analyze_javascript(root, cache_dir=blocker)
    _same_report(report, analyze_javascript(root))
    assert analyze_javascript(root, cache_dir=blocker).files_cached == 0
