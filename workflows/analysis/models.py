"""Result models of the analysis engine: findings and the report that holds them."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    """How much a finding matters; ordered from least to most."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Category(StrEnum):
    """The report's top-level grouping, as shown in Slack and in Linear sub-issues."""

    CODE_QUALITY = "code_quality"
    ARCHITECTURE = "architecture"
    INTEGRATION = "integration"
    SECURITY = "security"


class Edit(BaseModel):
    """Replace bytes [start_byte, end_byte) of one file with `replacement`."""

    path: str = Field(description="POSIX path relative to the analysed root")
    start_byte: int = Field(ge=0)
    end_byte: int = Field(ge=0)
    replacement: str = ""


class Fix(BaseModel):
    """A safe, mechanical change that resolves a finding (applied later on a branch)."""

    description: str
    edits: list[Edit]


class Finding(BaseModel):
    """One thing a rule found at one place in the code."""

    rule: str
    category: Category
    severity: Severity
    path: str = Field(description="POSIX path relative to the analysed root")
    line: int = Field(ge=1, description="1-based first line")
    end_line: int = Field(ge=1, description="1-based last line")
    message: str
    symbol: str | None = Field(default=None, description="the name the finding is about")
    confidence: int = Field(
        default=100, ge=0, le=100, description="how sure the rule is that this is real, in %"
    )
    fix: Fix | None = Field(default=None, description="a certain fix, when there is one")


class ImportEdge(BaseModel):
    """Module `source` imports module `target` (both dotted names inside the analysed tree)."""

    source: str
    target: str
    line: int = Field(ge=1)


class ImportGraph(BaseModel):
    """The component's import graph: internal edges, cycles and third-party dependencies."""

    modules: list[str] = Field(default_factory=list)
    edges: list[ImportEdge] = Field(default_factory=list)
    cycles: list[list[str]] = Field(default_factory=list)
    external: dict[str, list[str]] = Field(
        default_factory=dict, description="module -> third-party top-level packages it imports"
    )


class AnalysisReport(BaseModel):
    """Everything one analysis run found under one root directory."""

    root: str
    files_analyzed: int = 0
    lines_analyzed: int = 0
    duration_s: float = 0.0
    files_cached: int = Field(0, description="files whose results came from the cache, unparsed")
    findings: list[Finding] = Field(default_factory=list)
    graph: ImportGraph | None = None
    parse_errors: list[str] = Field(
        default_factory=list,
        description="paths (relative) that tree-sitter could not parse cleanly",
    )

    def counts_by_category(self) -> dict[str, int]:
        """Number of findings per category, every category present (zero included)."""
        counts = Counter(f.category.value for f in self.findings)
        return {c.value: counts.get(c.value, 0) for c in Category}

    def counts_by_rule(self) -> dict[str, int]:
        """Number of findings per rule id, most frequent first."""
        return dict(Counter(f.rule for f in self.findings).most_common())
