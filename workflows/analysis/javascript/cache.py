"""The on-disk cache of JS/TS per-file results, so re-analysis only re-parses what changed.

It behaves like the Python engine's cache, in its own directory (``<cache_dir>/js-<tree hash>``):
a snapshot (``base.pickle``: every file's `JsFileResult` with the ``(mtime_ns, size)`` and
content hash it was computed from) and a journal (``journal.pickle``: results computed since,
and files deleted since). Loading reads both; saving rewrites only the small journal, and folds
it into a new snapshot once it holds a tenth of the tree. A result is reused when the file's
stat is unchanged, or when its bytes hash the same. Everything is dropped when the analysis
code or the tree-sitter grammars change. Results hold facts, not verdicts, so the rule
selection is not part of the key: any selection judges from the same cached facts. Writes are
atomic (temporary file, then rename); an unreadable or foreign cache file is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from workflows.analysis.javascript.file_analysis import JsFileResult, content_hash

__all__ = ["JsCache", "js_code_fingerprint"]

_FORMAT = 1
_GRAMMARS = ("tree-sitter", "tree-sitter-javascript", "tree-sitter-typescript")
_JOURNAL_SHARE = 10
"""The journal is folded into the snapshot once it holds 1/_JOURNAL_SHARE of the files."""


@lru_cache(maxsize=1)
def js_code_fingerprint() -> str:
    """A hash of the analysis code (the whole ``workflows.analysis`` package) and the grammars."""
    package = Path(__file__).parents[1]
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


class JsCache:
    """The cached JS/TS results of one tree."""

    def __init__(self, directory: Path, base: Path) -> None:
        identity = str(base.resolve())
        self.directory = directory / f"js-{hashlib.sha1(identity.encode()).hexdigest()[:20]}"
        self.key = (_FORMAT, js_code_fingerprint())
        self.base = base
        self.entries: dict[str, JsFileResult] = {}
        self.journal: dict[str, JsFileResult | None] = {}

    def load(self) -> None:
        """Read the snapshot and the journal, if they are usable."""
        snapshot = self._read("base.pickle")
        if snapshot is None:
            return
        journal = self._read("journal.pickle") or {}
        entries = dict(snapshot)
        for path, result in journal.items():
            if result is None:
                entries.pop(path, None)
            else:
                entries[path] = result
        self.entries = {path: result for path, result in entries.items() if result is not None}
        self.journal = dict(journal)

    def lookup(self, path: str) -> JsFileResult | None:
        """The cached result for ``path`` if the file has not changed since, else None."""
        cached = self.entries.get(path)
        if cached is None:
            return None
        file = self.base / path
        try:
            stat = file.stat()
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) != (cached.mtime_ns, cached.size):
            # Touched, or edited and maybe edited back: the bytes decide.
            if stat.st_size != cached.size:
                return None
            try:
                raw = file.read_bytes()
            except OSError:
                return None
            if content_hash(raw) != cached.digest:
                return None
            cached.mtime_ns = stat.st_mtime_ns
            self.journal[path] = cached  # keep the new stat, so the next run skips the hash
        cached.from_cache = True
        return cached

    def save(self, results: Sequence[JsFileResult]) -> None:
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

    def _read(self, name: str) -> dict[str, JsFileResult | None] | None:
        loaded = _read_pickle(self.directory / name)
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == self.key):
            return None
        results = loaded[1]
        if not isinstance(results, dict) or not all(
            result is None or isinstance(result, JsFileResult) for result in results.values()
        ):
            return None
        return results


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
