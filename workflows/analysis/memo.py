"""Caches that live while one file is checked: rules looking at the same nodes share results.

Several rules ask the same questions of the same nodes (what does this call call, what does
this function bind). `per_file` memoises such a function; the engine calls `clear` after each
file, so no cache outlives its tree (a freed tree's nodes could otherwise alias a new one's)
and memory stays bounded by one file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["clear", "per_file", "per_object"]

_CACHES: list[Any] = []


def per_file[F: Callable[..., Any]](function: F) -> F:
    """Memoise ``function`` (hashable arguments) until the next `clear`."""
    cached = functools.lru_cache(maxsize=None)(function)
    _CACHES.append(cached)
    return cached  # type: ignore[return-value]


def per_object[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Memoise ``function`` by the identity of its positional arguments (which need not be
    hashable, like a module's `ModuleSymbols`; keyword arguments must be) until the next
    `clear`. The cache holds the arguments, so no id is reused by another object meanwhile."""
    cache: dict[tuple[object, ...], tuple[tuple[object, ...], R]] = {}

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        key = (*map(id, args), *sorted(kwargs.items()))
        known = cache.get(key)
        if known is None:
            known = cache[key] = (args, function(*args, **kwargs))
        return known[1]

    cached.cache_clear = cache.clear  # type: ignore[attr-defined]  # what `clear` calls
    _CACHES.append(cached)
    return cached


def clear() -> None:
    """Forget everything `per_file` functions remembered."""
    for cached in _CACHES:
        cached.cache_clear()
