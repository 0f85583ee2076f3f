"""The advisories the OSV emulator serves by default, in the OSV schema (1.6).

Written for the emulator: the ids have the real shapes (GHSA-xxxx-xxxx-xxxx, PYSEC-YYYY-N)
but are made up, as are the details; package names, ranges and CVSS vectors are realistic.
"""

from __future__ import annotations

from typing import Any


def _advisory(
    vuln_id: str,
    ecosystem: str,
    name: str,
    summary: str,
    events: list[list[dict[str, str]]],
    *,
    vector: str | None = None,
    rating: str | None = None,
    aliases: tuple[str, ...] = (),
    published: str = "2023-05-02T18:30:12Z",
) -> dict[str, Any]:
    ghsa = vuln_id.startswith("GHSA-")
    advisory: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": vuln_id,
        "modified": "2024-11-19T05:12:44.112837Z",
        "published": published,
        "aliases": list(aliases),
        "summary": summary,
        "details": f"{summary}. Upgrade to a fixed version.",
        "affected": [
            {
                "package": {
                    "ecosystem": ecosystem,
                    "name": name,
                    "purl": f"pkg:{'pypi' if ecosystem == 'PyPI' else 'npm'}/{name.lower()}",
                },
                "ranges": [
                    {"type": "ECOSYSTEM", "events": range_events} for range_events in events
                ],
                "database_specific": {"source": f"https://github.com/advisories/{vuln_id}"}
                if ghsa
                else {},
            }
        ],
        "references": [
            {"type": "ADVISORY", "url": f"https://github.com/advisories/{vuln_id}"},
            {"type": "PACKAGE", "url": f"https://pypi.org/project/{name}"},
        ],
    }
    if vector:
        advisory["severity"] = [{"type": "CVSS_V3", "score": vector}]
    if rating:
        advisory["database_specific"] = {
            "severity": rating,
            "cwe_ids": ["CWE-89"],
            "github_reviewed": True,
            "github_reviewed_at": "2023-05-03T09:00:00Z",
            "nvd_published_at": None,
        }
    return advisory


CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
HIGH_DOS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5
MEDIUM_LEAK = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"  # 5.3
HIGH_ADMIN = "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"  # 7.2
MEDIUM_TIMING = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 5.9

ADVISORIES: list[dict[str, Any]] = [
    _advisory(
        "GHSA-q7x2-8wv4-m3jc",
        "PyPI",
        "Django",
        "SQL injection in QuerySet.order_by() with untrusted field names",
        [
            [{"introduced": "0"}, {"fixed": "3.2.19"}],
            [{"introduced": "4.0"}, {"fixed": "4.1.9"}],
        ],
        vector=CRITICAL,
        rating="CRITICAL",
        aliases=("PYSEC-2023-0412",),
    ),
    _advisory(
        "PYSEC-2023-0398",
        "PyPI",
        "django",
        "Denial of service in multipart form parsing with many file parts",
        [
            [{"introduced": "3.2"}, {"fixed": "3.2.18"}],
            [{"introduced": "4.0"}, {"fixed": "4.0.10"}],
        ],
        vector=HIGH_DOS,
    ),
    _advisory(
        "GHSA-9hjg-5c3p-x7rw",
        "PyPI",
        "requests",
        "Proxy-Authorization header leaked to the destination server on redirect",
        [[{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]],
        vector=MEDIUM_LEAK,
        rating="MODERATE",
    ),
    _advisory(
        "PYSEC-2021-0142",
        "PyPI",
        "PyYAML",
        "Arbitrary code execution through full_load and FullLoader",
        [[{"introduced": "0"}, {"fixed": "5.4"}]],
        vector=CRITICAL,
    ),
    _advisory(
        "GHSA-h5c8-rqwp-cp95",
        "PyPI",
        "jinja2",
        "HTML attribute injection through keys passed to the xmlattr filter",
        [[{"introduced": "0"}, {"fixed": "3.1.3"}]],
        rating="MODERATE",
    ),
    _advisory(
        "GHSA-wj6h-64fc-37mp",
        "PyPI",
        "ecdsa",
        "Minerva timing side channel in ECDSA signing; no fix is planned",
        [[{"introduced": "0"}]],
        vector=MEDIUM_TIMING,
        rating="HIGH",
    ),
    _advisory(
        "GHSA-35jh-r3h4-6jhm",
        "npm",
        "lodash",
        "Command injection through the template function",
        [[{"introduced": "0"}, {"fixed": "4.17.21"}]],
        vector=HIGH_ADMIN,
        rating="HIGH",
    ),
    _advisory(
        "GHSA-xvch-5gv4-984h",
        "npm",
        "minimist",
        "Prototype pollution through constructor and __proto__ keys",
        [
            [{"introduced": "0"}, {"fixed": "0.2.4"}],
            [{"introduced": "1.0.0"}, {"fixed": "1.2.6"}],
        ],
        vector=CRITICAL,
        rating="CRITICAL",
    ),
]
