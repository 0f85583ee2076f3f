"""Worker processes and the content-hash cache: same findings, only changed files re-parsed."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

from workflows.analysis import analyze_path
from workflows.analysis.cache import AnalysisCache
from workflows.analysis.models import AnalysisReport
from workflows.analysis.pool import process_context

# Cross-file verdicts (unused-function, unused-import re-exports, cycles, duplicates) plus
# local rules, so both sides of the engine are exercised.
TREE: dict[str, str | bytes] = {
    "pkg/__init__.py": "from pkg.compat import json_loads\n",
    "pkg/compat.py": "import json\nfrom json import loads as json_loads\n",
    "pkg/a.py": (
        "import os\nfrom pkg import b\n\n\ndef used():\n    return b.helper()\n\n\n"
        "def _dead():\n    return 1\n"
    ),
    "pkg/b.py": "from pkg import a\n\n\ndef helper():\n    return a.used()\n",
    "pkg/c.py": "try:\n    pass\nexcept:\n    pass\n",
    "pkg/bad.py": b"\xff\xfe not utf-8 \x00",
    "pkg/broken.py": "def f(:\n    pass\n",
}


def _keys(report: AnalysisReport) -> list[tuple[str, int, str, str | None]]:
    return [(f.path, f.line, f.rule, f.symbol) for f in report.findings]


def test_worker_processes_find_exactly_what_one_process_finds(write_tree) -> None:
    root = write_tree(TREE)
    serial = analyze_path(root, workers=1)
    parallel = analyze_path(root, workers=2)
    assert _keys(parallel) == _keys(serial)
    assert parallel.findings == serial.findings  # fixes and confidences included
    assert parallel.parse_errors == serial.parse_errors == ["pkg/bad.py", "pkg/broken.py"]
    assert parallel.graph == serial.graph
    rules = {f.rule for f in serial.findings}
    assert {"unused-import", "unused-function", "bare-except", "import-cycle"} <= rules


def test_second_run_reuses_every_file_and_reports_the_same(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    first = analyze_path(root, cache_dir=cache)
    second = analyze_path(root, cache_dir=cache)
    assert first.files_cached == 0
    assert second.files_cached == len(TREE)  # the undecodable file's verdict included
    assert second.findings == first.findings
    assert second.parse_errors == first.parse_errors


def test_an_edit_reparses_that_file_and_updates_cross_file_verdicts(
    write_tree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    before = analyze_path(root, cache_dir=cache)
    assert ("pkg/a.py", 9, "unused-function", "_dead") in _keys(before)

    # Another file starts using `_dead`: a verdict about a.py changes though a.py did not.
    c = root / "pkg" / "c.py"
    c.write_text(c.read_text() + "\nfrom pkg.a import _dead\n_dead()\n")
    after = analyze_path(root, cache_dir=cache)
    assert after.files_cached == len(TREE) - 1  # only c.py was parsed again
    assert ("pkg/a.py", 9, "unused-function", "_dead") not in _keys(after)
    fresh = analyze_path(root)  # without any cache
    assert after.findings == fresh.findings
    assert after.graph == fresh.graph  # c.py's new import re-resolved the graph
    assert any(e.source == "pkg.c" and e.target == "pkg.a" for e in after.graph.edges)


def test_touch_without_change_is_a_hit_and_a_same_size_edit_is_not(
    write_tree, tmp_path: Path
) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_path(root, cache_dir=cache)
    c = root / "pkg" / "c.py"
    stat = c.stat()
    os.utime(c, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert analyze_path(root, cache_dir=cache).files_cached == len(TREE)

    source = c.read_text()
    c.write_text(source.replace("pass\nexcept", "Pass\nexcept"))  # same size, new bytes
    assert c.stat().st_size == stat.st_size
    report = analyze_path(root, cache_dir=cache)
    assert report.files_cached == len(TREE) - 1


def test_rule_selection_and_deleted_files_invalidate(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_path(root, cache_dir=cache)
    narrowed = analyze_path(root, cache_dir=cache, select=["bare-except"])
    assert narrowed.files_cached == 0
    assert {f.rule for f in narrowed.findings} == {"bare-except"}

    (root / "pkg" / "c.py").unlink()
    again = analyze_path(root, cache_dir=cache, select=["bare-except"])
    assert again.findings == []
    assert again.files_cached == len(TREE) - 1


def test_a_corrupt_or_foreign_cache_file_is_ignored(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    expected = analyze_path(root, cache_dir=cache).findings
    (index,) = cache.rglob("base.pickle")
    index.write_bytes(b"not a pickle")
    report = analyze_path(root, cache_dir=cache)
    assert report.files_cached == 0 and report.findings == expected

    index.write_bytes(pickle.dumps((("other", "key"), {"pkg/c.py": (0, 0, "x")})))
    report = analyze_path(root, cache_dir=cache)
    assert report.files_cached == 0 and report.findings == expected


def test_the_journal_is_folded_into_the_snapshot(write_tree, tmp_path: Path) -> None:
    root = write_tree({f"m{i}.py": f"import os\nx = {i}\n" for i in range(30)})
    cache = tmp_path / "cache"
    analyze_path(root, cache_dir=cache)
    (snapshot,) = cache.rglob("base.pickle")
    journal = snapshot.parent / "journal.pickle"
    (root / "m0.py").write_text("import sys\n")
    (root / "m1.py").unlink()
    report = analyze_path(root, cache_dir=cache)
    assert journal.exists() and report.files_cached == 28
    journal.write_bytes(b"\x80\x05truncated")  # a damaged journal costs what it recorded
    damaged = analyze_path(root, cache_dir=cache)
    assert damaged.files_cached == 28 and damaged.findings == report.findings
    assert [f.path for f in report.findings if f.rule == "unused-import"][:2] == ["m0.py", "m10.py"]
    for i in range(2, 8):  # a tenth of the tree changed since the snapshot: fold it in
        (root / f"m{i}.py").write_text(f"y = {i}\n")
    report = analyze_path(root, cache_dir=cache)
    assert not journal.exists()
    again = analyze_path(root, cache_dir=cache)
    assert again.files_cached == 29 and again.findings == report.findings
    assert again.findings == analyze_path(root).findings


def test_changed_analysis_code_invalidates(write_tree, tmp_path: Path, monkeypatch) -> None:
    root = write_tree(TREE)
    cache = tmp_path / "cache"
    analyze_path(root, cache_dir=cache)
    monkeypatch.setattr(AnalysisCache, "__init__", _with_fingerprint(AnalysisCache.__init__))
    assert analyze_path(root, cache_dir=cache).files_cached == 0


def _with_fingerprint(init):
    def patched(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        self.key = (*self.key[:1], "a-different-analysis-code", *self.key[2:])

    return patched


def test_a_cache_path_that_is_a_file_costs_speed_not_results(write_tree, tmp_path: Path) -> None:
    root = write_tree(TREE)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    assert analyze_path(root, cache_dir=blocker).findings == analyze_path(root).findings


def test_workers_are_forked_only_while_this_process_runs_no_other_thread() -> None:
    # A fresh interpreter has one thread: workers fork from it (instant start on Linux).
    probe = (
        "from workflows.analysis.pool import process_context;"
        "print(process_context().get_start_method())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ("fork" if sys.platform == "linux" else "forkserver")

    # With another thread alive (the bot, a Prefect flow), a fork could copy a held lock.
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    try:
        assert process_context().get_start_method() == "forkserver"
    finally:
        release.set()
        thread.join()


def test_a_fork_server_pool_finds_what_one_process_finds(write_tree) -> None:
    # While the fork server starts, this process analyses batches itself: same results.
    root = write_tree(TREE)
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    try:
        parallel = analyze_path(root, workers=2)
    finally:
        release.set()
        thread.join()
    serial = analyze_path(root, workers=1)
    assert parallel.findings == serial.findings
    assert parallel.graph == serial.graph
