"""Spreading JS/TS files over worker processes when the tree is big enough to pay for them.

The same pattern as the Python engine: a forkserver `ProcessPoolExecutor` (this module is
preloaded, so each worker starts with the grammars imported), batches of similar total size,
biggest files first. Small trees are analysed in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from workflows.analysis.javascript.file_analysis import JsFileResult, analyse_js_file

__all__ = ["analyse_js_files"]

# Below this much source, starting worker processes costs more than it saves: a forkserver
# pool takes about half a second to start, and 2 MB of JS/TS about a second to parse and walk.
_PARALLEL_MIN_BYTES = 2_000_000
_BATCHES_PER_WORKER = 6


def analyse_js_files(
    base: Path, paths: list[str], workers: int | None
) -> Iterator[list[JsFileResult]]:
    """Analyse ``paths`` (relative to ``base``) in batches, in worker processes when that pays
    off; ``workers`` caps the processes (None: one per CPU, 1: all in this process)."""
    if not paths:
        return
    sizes = {path: _size(base / path) for path in paths}
    count = _worker_count(workers, len(paths), sum(sizes.values()))
    if count <= 1:
        for path in paths:
            yield [analyse_js_file(base, path)]
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        futures = [
            pool.submit(_analyse_batch, base, batch)
            for batch in _batches(paths, sizes, count * _BATCHES_PER_WORKER)
        ]
        for future in as_completed(futures):
            yield future.result()


def _analyse_batch(base: Path, paths: list[str]) -> list[JsFileResult]:
    return [analyse_js_file(base, path) for path in paths]


def _worker_count(requested: int | None, files: int, total_bytes: int) -> int:
    if requested is not None:
        return max(1, min(requested, files))
    if total_bytes < _PARALLEL_MIN_BYTES or files < 4:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, files))


def _batches(paths: list[str], sizes: dict[str, int], wanted: int) -> list[list[str]]:
    """About ``wanted`` batches of similar total size, biggest files first (they finish last)."""
    ordered = sorted(paths, key=lambda p: sizes[p], reverse=True)
    target = max(1, sum(sizes.values()) // max(1, wanted))
    batches: list[list[str]] = [[]]
    filled = 0
    for path in ordered:
        if filled >= target:
            batches.append([])
            filled = 0
        batches[-1].append(path)
        filled += sizes[path]
    return [batch for batch in batches if batch]


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0
