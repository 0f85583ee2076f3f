"""Spreading files over worker processes when a tree is big enough to pay for them.

Both halves of the engine (Python, JS/TS) analyse files one at a time with a per-process
*analyser*, a callable from a relative path to a picklable result. `analyse_in_batches` runs it
in this process for small trees, or in a `ProcessPoolExecutor` over batches of similar total
size, biggest files first. Workers fork from this process when it runs no other thread (an
instant start), else they come from a fork server, and this process analyses the smallest
batches itself until the first worker reports.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

__all__ = ["Analyser", "analyse_in_batches", "process_context"]

type Analyser[R] = Callable[[str], R]
"""Analyses one file, given its path relative to the tree's base."""

_BATCHES_PER_WORKER = 16
"""Small batches keep every worker busy to the end (a batch costs little to hand over)."""


def analyse_in_batches[R](
    paths: list[str],
    base: Path,
    *,
    workers: int | None,
    min_parallel_bytes: int,
    make_analyser: Callable[..., Analyser[R]],
    args: tuple[Any, ...],
) -> Iterator[list[R]]:
    """Each file's result, in batches as they finish.

    ``make_analyser(*args)`` builds the analyser once per process; it and ``args`` must be
    picklable (a module-level function). ``workers`` caps the processes (None: one per CPU
    once the tree holds ``min_parallel_bytes`` of source, 1: everything in this process).
    """
    if not paths:
        return
    sizes = {path: _size(base / path) for path in paths}
    count = _worker_count(workers, len(paths), sum(sizes.values()), min_parallel_bytes)
    if count <= 1:
        analyse = make_analyser(*args)
        for path in paths:
            yield [analyse(path)]
        return
    context = process_context(make_analyser.__module__)
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_start_worker,
        initargs=(make_analyser, args),
    ) as pool:
        batches = _batches(paths, sizes, count * _BATCHES_PER_WORKER)
        futures = {pool.submit(_analyse_batch, batch): batch for batch in batches}
        if context.get_start_method() == "forkserver":
            yield from _while_workers_start(futures, make_analyser(*args))
        for future in as_completed([f for f in futures if not f.cancelled()]):
            yield future.result()


def process_context(*preload: str) -> multiprocessing.context.BaseContext:
    """How workers start: forked when that is safe, else from a fork server (``preload``ed).

    Forking is instant (everything is already imported) but only safe while this process has
    no other thread, whose locks a child could inherit held (the bot and Prefect run threads);
    a fork server starts a fresh interpreter once and forks workers from it.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, *preload])
    return context


def _while_workers_start[R](
    futures: dict[Future[list[R]], list[str]], analyse: Analyser[R]
) -> Iterator[list[R]]:
    """Analyse batches here until a worker reports (cancelling them in the pool).

    A fork server's workers take a while to start (a fresh interpreter imports the engine),
    and this process would only wait; it takes the smallest batches, ones no worker claimed.
    """
    for future, batch in reversed(futures.items()):
        if any(f.done() for f in futures) or not future.cancel():
            return
        yield [analyse(path) for path in batch]


_ANALYSE: Analyser[Any] | None = None


def _start_worker(make_analyser: Callable[..., Analyser[Any]], args: tuple[Any, ...]) -> None:
    global _ANALYSE
    _ANALYSE = make_analyser(*args)


def _analyse_batch(paths: list[str]) -> list[Any]:
    assert _ANALYSE is not None, "worker not initialised"
    return [_ANALYSE(path) for path in paths]


def _worker_count(requested: int | None, files: int, total_bytes: int, min_bytes: int) -> int:
    if requested is not None:
        return max(1, min(requested, files))
    if total_bytes < min_bytes or files < 4:
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
