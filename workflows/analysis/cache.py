"""The on-disk cache of per-file results, so re-analysis only re-parses what changed.

One file per analysed tree holds every file's `FileResult` with the ``(mtime_ns, size)`` and
content hash it was computed from. A result is reused when the file's stat is unchanged, or
when its bytes hash the same; it is dropped wholesale when the analysis code, the rule set or
the tree's package prefix changed. Writes are atomic (temporary file, then rename), and an
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

_FORMAT = 1


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


class AnalysisCache:
    """The cached results of one tree, for one rule set."""

    def __init__(self, directory: Path, base: Path, prefix: str, rule_ids: Sequence[str]) -> None:
        identity = f"{base.resolve()}\0{prefix}"
        self.file = directory / f"{hashlib.sha1(identity.encode()).hexdigest()[:20]}.pickle"
        self.key = (_FORMAT, code_fingerprint(), prefix, tuple(sorted(rule_ids)))
        self.base = base
        self.entries: dict[str, FileResult] = {}
        self.hits = 0

    def load(self) -> None:
        """Read the cache file, if there is a usable one."""
        try:
            with self.file.open("rb") as handle:
                key, entries = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return
        except Exception:  # a cache written by other code: start afresh rather than fail
            return
        if key == self.key and isinstance(entries, dict):
            self.entries = entries

    def lookup(self, path: str) -> FileResult | None:
        """The cached result for ``path`` if the file has not changed since, else None."""
        cached = self.entries.get(path)
        if cached is None:
            return None
        try:
            stat = (self.base / path).stat()
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) != (cached.mtime_ns, cached.size):
            # Touched, or edited and maybe edited back: the bytes decide.
            if stat.st_size != cached.size:
                return None
            try:
                raw = (self.base / path).read_bytes()
            except OSError:
                return None
            if content_hash(raw) != cached.digest:
                return None
            cached.mtime_ns = stat.st_mtime_ns
        self.hits += 1
        cached.from_cache = True
        return cached

    def save(self, results: Sequence[FileResult]) -> None:
        """Replace the cache with ``results`` (files that no longer exist drop out)."""
        entries = {result.path: result for result in results if result.digest}
        flags = [(result, result.from_cache) for result in entries.values()]
        for result, _ in flags:
            result.from_cache = False
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.key, entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.entries = entries
        for result, flag in flags:
            result.from_cache = flag
