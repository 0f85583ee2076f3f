"""The on-disk cache of per-file results, so re-analysis only re-parses what changed.

Each analysed tree has a directory holding a snapshot (``base.pickle``: every file's `FileResult`
with the ``(mtime_ns, size)`` and content hash it was computed from) and a journal
(``journal.pickle``: results computed since, and files deleted since). Loading reads both, one
file each; saving rewrites only the small journal, and folds it into a new snapshot once it
holds a tenth of the tree. A result is reused when the file's stat is unchanged, or when its
bytes hash the same; everything is dropped when the analysis code, the grammars, the rule set
or the tree's package prefix changed. Writes are atomic (temporary file, then rename), and an
unreadable or foreign cache file is ignored, never an error.
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

from workflows.analysis.file_analysis import FileResult, content_hash

__all__ = ["AnalysisCache", "code_fingerprint", "default_cache_dir"]

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
    for dist in ("tree-sitter", "tree-sitter-python", "tree-sitter-javascript"):
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


class AnalysisCache:
    """The cached results of one tree, for one rule set."""

    def __init__(self, directory: Path, base: Path, prefix: str, rule_ids: Sequence[str]) -> None:
        identity = f"{base.resolve()}\0{prefix}"
        self.directory = directory / hashlib.sha1(identity.encode()).hexdigest()[:20]
        self.key = (_FORMAT, code_fingerprint(), prefix, tuple(sorted(rule_ids)))
        self.base = str(base)
        self.entries: dict[str, FileResult] = {}
        self.journal: dict[str, FileResult | None] = {}
        self.hits = 0

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
        self.entries, self.journal = entries, dict(journal)

    def lookup(self, path: str) -> FileResult | None:
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
        self.hits += 1
        return cached

    def save(self, results: Sequence[FileResult]) -> None:
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

    def _read(self, name: str) -> dict[str, FileResult | None] | None:
        loaded = _read_pickle(self.directory / name)
        if (
            isinstance(loaded, tuple)
            and len(loaded) == 2
            and loaded[0] == self.key
            and isinstance(loaded[1], dict)
        ):
            return loaded[1]
        return None


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
