"""Versions per ecosystem: ordering, the version a requirement stands for, OSV range checks.

PyPI versions follow PEP 440 (`packaging`); npm versions are SemVer, which `packaging` orders
the same way for the `1.2.3` and `1.2.3-beta.1` shapes lockfiles hold. Anything unparsable
compares as unknown rather than as a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

__all__ = [
    "ChosenVersion",
    "RangeEvent",
    "VersionRange",
    "affects",
    "chosen_version",
    "parse_version",
]


def parse_version(text: str) -> Version | None:
    """`text` as an ordered version (`v1.2.3` and `1.2.3-rc.1` included), or None."""
    try:
        return Version(text.strip().removeprefix("v"))
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class ChosenVersion:
    """The version a requirement is checked at, or why it cannot be checked."""

    version: str | None
    pinned: bool = False
    reason: str = ""


def chosen_version(specifier: str) -> ChosenVersion:
    """`==X` (or `===X`) is checked at X; a range at its lowest allowed version.

    The lowest allowed version is the highest inclusive lower bound (`>=X`, `~=X`, `==X.*`)
    when the whole specifier admits it; an exclusive bound (`>X`) or none gives no version.
    """
    try:
        clauses = SpecifierSet(specifier)
    except InvalidSpecifier:
        return ChosenVersion(None, reason=f"unreadable version specifier `{specifier}`")
    if not specifier.strip():
        return ChosenVersion(None, reason="no version given (any version allowed)")
    pins = [c for c in clauses if c.operator in ("==", "===") and not c.version.endswith(".*")]
    if pins:
        return ChosenVersion(pins[0].version, pinned=True)
    lows = [_lower_bound(c) for c in clauses]
    bounds = [v for v in lows if v is not None]
    if not bounds:
        if any(c.operator == ">" for c in clauses):
            return ChosenVersion(None, reason="only an exclusive lower bound (>); pin or use >=")
        return ChosenVersion(None, reason="no lower bound; pin the version or give >=")
    lowest = max(bounds, key=lambda v: parse_version(v) or Version("0"))
    if not clauses.contains(lowest, prereleases=True):
        return ChosenVersion(None, reason=f"the lowest bound {lowest} is excluded by `{specifier}`")
    return ChosenVersion(lowest)


def _lower_bound(clause: Specifier) -> str | None:
    if clause.operator in (">=", "~="):
        return clause.version
    if clause.operator == "==" and clause.version.endswith(".*"):
        return clause.version.removesuffix(".*")
    return None


class RangeEvent(Protocol):
    """One OSV range event: exactly one of the fields is set."""

    introduced: str | None
    fixed: str | None
    last_affected: str | None


class VersionRange(Protocol):
    """An OSV range: its type (`ECOSYSTEM`, `SEMVER`, `GIT`) and events."""

    type: str

    @property
    def events(self) -> Sequence[RangeEvent]: ...


def _in_range(version: Version, events: Sequence[RangeEvent]) -> bool | None:
    """OSV's evaluation: walk the events in version order; None when one is unparsable."""
    keyed: list[tuple[Version, RangeEvent]] = []
    for event in events:
        text = event.introduced or event.fixed or event.last_affected
        if text is None:
            continue  # `limit` events only bound git ranges
        parsed = Version("0") if text == "0" else parse_version(text)
        if parsed is None:
            return None
        keyed.append((parsed, event))
    affected = False
    for bound, event in sorted(keyed, key=lambda pair: pair[0]):
        if event.introduced is not None:
            affected = affected or version >= bound
        elif affected:
            # `fixed` X: X is no longer affected; `last_affected` X: X still is.
            affected = version < bound if event.fixed is not None else version <= bound
    return affected


def affects(version: str, ranges: Iterable[VersionRange], versions: Iterable[str] = ()) -> bool:
    """Whether OSV's `ranges` (ECOSYSTEM and SEMVER) or listed `versions` include `version`."""
    parsed = parse_version(version)
    if parsed is None:
        return version in set(versions)
    if any(parse_version(v) == parsed for v in versions):
        return True
    for candidate in ranges:
        if candidate.type == "GIT":
            continue
        if _in_range(parsed, candidate.events):
            return True
    return False
