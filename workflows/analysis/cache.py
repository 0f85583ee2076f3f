"""The on-disk cache of per-file results, so re-analysis only re-parses what changed.

`ResultCache` serves both halves of the engine (`AnalysisCache` for Python files, ``JsCache``
for JS/TS), and `results_through_cache` is the loop both run: cached results where the files
are unchanged, the rest analysed. Each analysed tree has a directory per half holding a
snapshot (``base.pickle``: every file's result with the ``(mtime_ns, size)`` and content hash
it was computed from) and a journal (``journal.pickle``: results computed since, and files
deleted since). Loading reads both, one file each; saving rewrites only the small journal, and
folds it into a new snapshot once it holds a tenth of the tree. A result is reused when the
file's stat is unchanged, or when its bytes hash the same; everything is dropped when the
analysis code or the grammars changed, or the half's own key did (Python: the rule set and the
tree's package prefix). Writes are atomic (temporary file, then rename), and an unreadable or
foreign cache file is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from workflows.analysis.file_analysis import FileResult, content_hash

__all__ = [
    "AnalysisCache",
    "CachedResult",
    "ResultCache",
    "code_fingerprint",
    "default_cache_dir",
    "results_through_cache",
]

_GRAMMARS = (
    "tree-sitter",
    "tree-sitter-python",
    "tree-sitter-javascript",
    "tree-sitter-typescript",
)

_FORMAT = 2


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cicd-chatops/analysis`` (``~/.cache/...`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cicd-chatops" / "analysis"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the analysis code and the grammars: a changed rule or parser invalidates."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for dist in _GRAMMARS:
        try:
            digest.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(dist.encode())
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


_JOURNAL_SHARE = 10
"""The journal is folded into the snapshot once it holds 1/_JOURNAL_SHARE of the files."""


class CachedResult(Protocol):
    """What the cache needs of a per-file result."""

    path: str
    digest: str
    """Content hash of the bytes the result was computed from ("" when the file was unreadable:
    never cached)."""
    mtime_ns: int
    size: int
    from_cache: bool


class ResultCache[R: CachedResult]:
    """The cached per-file results of one tree under one key, kept in their own directory."""

    def __init__(
        self,
        directory: Path,
        base: Path,
        *,
        name: str,
        key: tuple[Any, ...],
        result_type: type[R],
    ) -> None:
        identity = hashlib.sha1(f"{base.resolve()}\0{name}".encode()).hexdigest()[:20]
        self.directory = directory / f"{name}{identity}"
        self.key = (_FORMAT, code_fingerprint(), *key)
        self.base = str(base)
        self.result_type = result_type
        self.entries: dict[str, R] = {}
        self.journal: dict[str, R | None] = {}

    def load(self) -> None:
        """Read the snapshot and the journal, if they are usable."""
        snapshot = self._read("base.pickle")
        if snapshot is None:
            return
        journal = self._read("journal.pickle") or {}
        entries = {path: r for path, r in snapshot.items() if r is not None}
        for path, result in journal.items():
            if result is None:
                entries.pop(path, None)
            else:
                entries[path] = result
        self.entries, self.journal = entries, dict(journal)

    def lookup(self, path: str) -> R | None:
        """The cached result for ``path`` if the file has not changed since, else None."""
        cached = self.entries.get(path)
        if cached is None:
            return None
        file = os.path.join(self.base, path)
        try:
            stat = os.stat(file)
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) != (cached.mtime_ns, cached.size):
            # Touched, or edited and maybe edited back: the bytes decide.
            if stat.st_size != cached.size:
                return None
            try:
                with open(file, "rb") as handle:
                    raw = handle.read()
            except OSError:
                return None
            if content_hash(raw) != cached.digest:
                return None
            cached.mtime_ns = stat.st_mtime_ns
            self.journal[path] = cached  # keep the new stat, so the next run skips the hash
        cached.from_cache = True
        return cached

    def save(self, results: Sequence[R]) -> None:
        """Record ``results`` as the tree's state (files not among them are forgotten)."""
        current = {result.path: result for result in results if result.digest}
        journal = self.journal
        for path, result in current.items():
            if not result.from_cache:
                journal[path] = result
        for path in self.entries.keys() - current.keys():
            journal[path] = None
        flags = [(result, result.from_cache) for result in current.values()]
        for result, _ in flags:
            result.from_cache = False
        try:
            if not self.entries or len(journal) * _JOURNAL_SHARE > len(current):
                _write_pickle(self.directory / "base.pickle", (self.key, current))
                (self.directory / "journal.pickle").unlink(missing_ok=True)
                journal.clear()
            elif journal:
                _write_pickle(self.directory / "journal.pickle", (self.key, journal))
        finally:
            for result, flag in flags:
                result.from_cache = flag
        self.entries = current

    def _read(self, name: str) -> dict[str, R | None] | None:
        loaded = _read_pickle(self.directory / name)
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == self.key):
            return None
        results = loaded[1]
        if not isinstance(results, dict) or not all(
            result is None or isinstance(result, self.result_type) for result in results.values()
        ):
            return None
        return results


class AnalysisCache(ResultCache[FileResult]):
    """The cached Python results of one tree, for one rule set and package prefix."""

    def __init__(self, directory: Path, base: Path, prefix: str, rule_ids: Sequence[str]) -> None:
        super().__init__(
            directory,
            base,
            name=f"py-{prefix}-",
            key=(prefix, tuple(sorted(rule_ids))),
            result_type=FileResult,
        )


def results_through_cache[R: CachedResult](
    paths: Sequence[str],
    cache: ResultCache[R] | None,
    analyse: Callable[[list[str]], Iterator[list[R]]],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """Every file's result in ``paths`` order: cached where unchanged, else from ``analyse``
    (given the other paths, yielding batches); the cache then records the new state.

    ``on_progress`` is called as ``(files_done, files_total)``, about every percent.
    """
    if cache is not None:
        cache.load()
    results: dict[str, R] = {}
    pending: list[str] = []
    for path in paths:
        cached = cache.lookup(path) if cache is not None else None
        if cached is not None:
            results[path] = cached
        else:
            pending.append(path)
    total = len(paths)
    done = last = total - len(pending)
    if on_progress is not None:
        on_progress(done, total)
    step = max(1, total // 100)
    for batch in analyse(pending):
        results.update((result.path, result) for result in batch)
        done += len(batch)
        if on_progress is not None and (done - last >= step or done == total):
            on_progress(done, total)
            last = done
    ordered = [results[path] for path in paths]
    if cache is not None and pending:
        with contextlib.suppress(OSError):  # a read-only cache costs speed, not results
            cache.save(ordered)
    return ordered


def _read_pickle(file: Path) -> object:
    try:
        with file.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated or written by other code: a miss, not a failure
        return None


def _write_pickle(file: Path, value: object) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
