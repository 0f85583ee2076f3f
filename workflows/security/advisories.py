"""Advisories that hit a project's dependencies, and the version that clears them.

`vulnerable_packages` joins what OSV returned to the dependencies read from the manifests;
`upgrade_target` picks the lowest released fix that no fixable advisory still covers, using
the advisories' own ranges (OSV's evaluation rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.version import Version
from pydantic import BaseModel, Field

from workflows.dependencies.manifests import Dependency
from workflows.dependencies.requirements import canonical_name
from workflows.dependencies.versions import affects, parse_version
from workflows.integrations.osv import OsvAffected, OsvVulnerability
from workflows.security.severity import Level, advisory_level

ADVISORY_URL = "https://osv.dev/vulnerability/{id}"


class Advisory(BaseModel):
    """One published vulnerability, as much as the audit shows of it."""

    id: str
    aliases: list[str] = Field(default_factory=list)
    summary: str = ""
    level: Level
    score: float | None = Field(None, description="CVSS v3 base score, when a vector is given")
    vector: str | None = None
    url: str
    fixed_in: list[str] = Field(default_factory=list, description="fixed versions of the package")


class VulnerablePackage(BaseModel):
    """A dependency version with advisories, where it is declared, and the way out."""

    ecosystem: str
    name: str
    version: str
    occurrences: list[Dependency]
    advisories: list[Advisory]
    fix_version: str | None = Field(None, description="lowest version clearing what can be")
    unfixed: list[str] = Field(default_factory=list, description="advisories with no fix")

    @property
    def level(self) -> Level:
        """The worst advisory's level."""
        return max((a.level for a in self.advisories), key=lambda level: level.rank)

    @property
    def score(self) -> float:
        """The highest CVSS score (0 when none is given), for ordering."""
        return max((a.score or 0.0 for a in self.advisories), default=0.0)


def version_order(text: str) -> Version:
    """A sort key for versions; unparsable ones sort first (they are filtered out before)."""
    return parse_version(text) or Version("0")


def _same_package(affected: OsvAffected, ecosystem: str, name: str) -> bool:
    package = affected.package
    if package is None or package.ecosystem != ecosystem:
        return False
    if ecosystem == "PyPI":
        return canonical_name(package.name) == name
    return package.name == name


def _entries(vuln: OsvVulnerability, ecosystem: str, name: str) -> list[OsvAffected]:
    return [a for a in vuln.affected if _same_package(a, ecosystem, name)]


def fixed_versions(vuln: OsvVulnerability, ecosystem: str, name: str) -> list[str]:
    """Every `fixed` event of the package's ranges, in version order."""
    found = {
        event.fixed
        for entry in _entries(vuln, ecosystem, name)
        for version_range in entry.ranges
        if version_range.type != "GIT"
        for event in version_range.events
        if event.fixed and parse_version(event.fixed) is not None
    }
    return sorted(found, key=version_order)


def covers(vuln: OsvVulnerability, ecosystem: str, name: str, version: str) -> bool:
    """Whether the advisory's ranges or versions include `version` of the package."""
    return any(
        affects(version, entry.ranges, entry.versions) for entry in _entries(vuln, ecosystem, name)
    )


def upgrade_target(
    ecosystem: str, name: str, version: str, vulns: Iterable[OsvVulnerability]
) -> tuple[str | None, list[str]]:
    """(the lowest fixed version clearing every advisory that has a fix, ids without one)."""
    current = parse_version(version)
    vulns = list(vulns)
    if current is None:
        return None, [v.id for v in vulns]
    later = {
        v.id: [f for f in fixed_versions(v, ecosystem, name) if version_order(f) > current]
        for v in vulns
    }
    fixable = [v for v in vulns if later[v.id]]
    unfixed = [v.id for v in vulns if not later[v.id]]
    candidates = sorted({f for fixes in later.values() for f in fixes}, key=version_order)
    for candidate in candidates:
        if not any(covers(v, ecosystem, name, candidate) for v in fixable):
            return candidate, unfixed
    return None, [v.id for v in vulns]


def advisory_of(vuln: OsvVulnerability, ecosystem: str, name: str) -> Advisory:
    """The advisory as shown: level from the package's or the advisory's own ratings."""
    entries = _entries(vuln, ecosystem, name)
    ratings = [(s.type, s.score) for s in vuln.severity]
    ratings += [(s.type, s.score) for entry in entries for s in entry.severity]
    database = dict(vuln.database_specific or {})
    for entry in entries:
        database = {**(entry.database_specific or {}), **database}
    level, score = advisory_level(ratings, database)
    vector = next((v for kind, v in ratings if kind == "CVSS_V3"), None)
    return Advisory(
        id=vuln.id,
        aliases=vuln.aliases,
        summary=vuln.summary or vuln.details.split("\n", 1)[0][:200],
        level=level,
        score=score,
        vector=vector,
        url=ADVISORY_URL.format(id=vuln.id),
        fixed_in=fixed_versions(vuln, ecosystem, name),
    )


def vulnerable_packages(
    dependencies: Iterable[Dependency],
    hits: Mapping[tuple[str, str, str], list[str]],
    details: Mapping[str, OsvVulnerability],
) -> list[VulnerablePackage]:
    """One entry per vulnerable (ecosystem, name, version), worst first; withdrawn ones dropped."""
    by_key: dict[tuple[str, str, str], list[Dependency]] = {}
    for dependency in dependencies:
        by_key.setdefault(dependency.key, []).append(dependency)
    found: list[VulnerablePackage] = []
    for key, occurrences in by_key.items():
        ecosystem, name, version = key
        vulns = [details[i] for i in hits.get(key, []) if i in details and not details[i].withdrawn]
        if not vulns:
            continue
        target, unfixed = upgrade_target(ecosystem, name, version, vulns)
        advisories = [advisory_of(v, ecosystem, name) for v in vulns]
        advisories.sort(key=lambda a: (-a.level.rank, -(a.score or 0.0), a.id))
        found.append(
            VulnerablePackage(
                ecosystem=ecosystem,
                name=name,
                version=version,
                occurrences=occurrences,
                advisories=advisories,
                fix_version=target,
                unfixed=unfixed,
            )
        )
    found.sort(key=lambda p: (-p.level.rank, -p.score, p.ecosystem, p.name))
    return found
