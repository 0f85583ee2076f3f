"""The per-file caches rules share (`workflows.analysis.memo`)."""

from __future__ import annotations

from workflows.analysis import memo


def test_per_object_remembers_by_identity_until_clear() -> None:
    calls: list[object] = []

    @memo.per_object
    def keys(mapping: dict[str, int], *, upper: bool = False) -> list[str]:
        calls.append(mapping)
        return [k.upper() if upper else k for k in mapping]

    first, equal = {"a": 1}, {"a": 1}  # unhashable, and equal but not the same
    try:
        assert keys(first) is keys(first)
        assert keys(equal) == ["a"] and len(calls) == 2
        assert keys(first, upper=True) == ["A"] and len(calls) == 3
        memo.clear()
        keys(first)
        assert len(calls) == 4
    finally:
        memo.clear()
