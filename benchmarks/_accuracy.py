"""Comparing our findings with ruff's F401 and vulture's dead-code items, for a human to judge.

Findings are compared as sets of keys ``(path, line, name)``; for each side's extras a few
examples are printed with their source line, grouped by the likely reason for the difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from pathlib import Path, PurePosixPath

from workflows.analysis.parsing import is_test_path

__all__ = ["compare_dead_code", "compare_imports"]

Key = tuple[str, int, str]
SOURCE_WIDTH = 96


class SourceLines:
    """Source lines of a corpus's files, read on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        """All lines of ``path`` (relative to the root)."""
        if path not in self._files:
            text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            self._files[path] = text.splitlines()
        return self._files[path]

    def line(self, path: str, number: int) -> str:
        """Line ``number`` (1-based) of ``path``, or an empty string."""
        lines = self.lines(path)
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _examples(
    title: str,
    keys: Collection[Key],
    reason: Callable[[Key], str],
    order: list[str],
    limit: int,
    source: SourceLines,
) -> list[str]:
    """``title`` with per-reason counts, then up to ``limit`` examples, reasons in ``order``."""
    reasons = {key: reason(key) for key in keys}
    counts = Counter(reasons.values())
    breakdown = ", ".join(f"{counts[r]} {r}" for r in order if counts[r])
    out = [f"  {title}: {len(keys)}" + (f" ({breakdown})" if breakdown else "")]
    ranked = sorted(keys, key=lambda k: (order.index(reasons[k]), k))
    for path, line, name in ranked[:limit]:
        text = source.line(path, line).strip()
        if len(text) > SOURCE_WIDTH:
            text = text[: SOURCE_WIDTH - 3] + "..."
        out.append(f"    [{reasons[(path, line, name)]}] {path}:{line} `{name}`  | {text}")
    if len(keys) > limit:
        out.append(f"    ... {len(keys) - limit} more")
    return out


def compare_imports(ours: set[Key], ruff: set[Key], root: Path, limit: int = 15) -> list[str]:
    """Our unused-import findings against ruff's F401 diagnostics."""
    source = SourceLines(root)

    def reason(key: Key) -> str:
        if PurePosixPath(key[0]).name == "__init__.py":
            return "__init__.py"
        text = source.line(key[0], key[1])
        if text[:1].isspace() and text.lstrip().startswith(("import ", "from ")):
            return "nested import (try/if/def)"
        return "other"

    order = ["other", "nested import (try/if/def)", "__init__.py"]
    out = [f"  agree: {len(ours & ruff)}  (ours: {len(ours)}, ruff: {len(ruff)})"]
    out += _examples("ours only", ours - ruff, reason, order, limit, source)
    out += _examples("ruff only", ruff - ours, reason, order, limit, source)
    return out


def compare_dead_code(
    ours: Mapping[Key, str], vulture: Mapping[Key, str], root: Path, limit: int = 10
) -> list[str]:
    """Our unused-function/unused-class findings against vulture's unused function/class."""
    source = SourceLines(root)

    def vulture_reason(key: Key) -> str:
        path, line, _ = key
        if is_test_path(path):
            return "test file"
        text = source.line(path, line)
        if text[:1].isspace():
            return "not module-level"
        if text.startswith("@"):  # vulture reports a decorated definition at its first decorator
            return "decorated"
        return "other"

    def ours_reason(_key: Key) -> str:
        return "other"

    vulture = {key: kind for key, kind in vulture.items() if kind in ("function", "class")}
    ours_keys, vulture_keys = set(ours), set(vulture)
    both = ours_keys & vulture_keys
    kinds = Counter(vulture.values())
    out = [
        f"  agree: {len(both)}  (ours: {len(ours_keys)}, vulture: {len(vulture_keys)} = "
        f"{kinds['function']} function(s) + {kinds['class']} class(es))"
    ]
    out += _examples("ours only", ours_keys - vulture_keys, ours_reason, ["other"], limit, source)
    order = ["other", "decorated", "not module-level", "test file"]
    out += _examples("vulture only", vulture_keys - ours_keys, vulture_reason, order, limit, source)
    return out


def compare_methods(
    ours: set[Key], vulture: Mapping[Key, str], root: Path, limit: int = 10
) -> list[str]:
    """Our unused-method findings against vulture's unused methods."""
    source = SourceLines(root)
    decorated: set[Key] = set()
    theirs: set[Key] = set()
    for key, kind in vulture.items():
        if kind != "method":
            continue
        path, line, name = key
        if source.line(path, line).lstrip().startswith("@"):
            # vulture reports a decorated method at its first decorator, we at its `def`
            line = _def_line(source, path, line)
            decorated.add((path, line, name))
        theirs.add((path, line, name))

    def vulture_reason(key: Key) -> str:
        if is_test_path(key[0]):
            return "test file"
        return "decorated" if key in decorated else "other"

    def ours_reason(_key: Key) -> str:
        return "other"

    both = ours & theirs
    out = [f"  agree: {len(both)}  (ours: {len(ours)}, vulture: {len(theirs)} method(s))"]
    out += _examples("ours only", ours - theirs, ours_reason, ["other"], limit, source)
    order = ["other", "decorated", "test file"]
    out += _examples("vulture only", theirs - ours, vulture_reason, order, limit, source)
    return out


def _def_line(source: SourceLines, path: str, line: int, limit: int = 50) -> int:
    """The line of the ``def`` a decorator at ``line`` belongs to (``line`` if not found)."""
    for candidate in range(line + 1, line + limit):
        text = source.line(path, candidate).lstrip()
        if text.startswith(("def ", "async def ")):
            return candidate
    return line
