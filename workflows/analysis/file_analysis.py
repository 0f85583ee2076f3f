"""One file's share of the analysis: parse, walk, local rules, and facts for project rules.

`FileAnalyser.analyse` runs where the file is parsed (a worker process, or in-process for
small trees) and returns a `FileResult` with no tree-sitter object in it, so the result can
cross a process boundary and be cached on disk by the file's content hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflows.analysis import memo
from workflows.analysis.graph import ModuleImports, module_imports
from workflows.analysis.models import Finding
from workflows.analysis.parsing import (
    ParsedModule,
    SourceDecodeError,
    normalize_source,
    parse_source,
)
from workflows.analysis.project import ModuleInfo, ProjectIndex
from workflows.analysis.rules import Rule, select_rules
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

__all__ = ["FileAnalyser", "FileResult", "content_hash", "file_analyser"]


def content_hash(raw: bytes) -> str:
    """The key a file's result is cached under (its bytes as read from disk)."""
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


@dataclass(slots=True)
class FileResult:
    """What one file contributes to the report; `info` is None when it could not be read."""

    path: str
    digest: str
    mtime_ns: int = 0
    size: int = -1
    """The file's stat taken before it was read (the cache trusts a result while it matches)."""
    info: ModuleInfo | None = None
    has_error: bool = False
    """Unreadable, undecodable, or parsed with syntax errors (listed in ``parse_errors``)."""
    references: frozenset[str] = frozenset()
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    """Local rules' findings, ``# noqa`` already applied."""
    facts: dict[str, Any] = field(default_factory=dict)
    """Project rule id -> what its ``collect`` returned for this file."""
    imports: ModuleImports | None = None
    from_cache: bool = False
    """Set on results the cache handed back (never stored as True)."""


class FileAnalyser:
    """Analyses files of one tree with one rule set; built once per worker process."""

    def __init__(self, base: Path, prefix: str, root: Path | None, rule_ids: Sequence[str]) -> None:
        self.base = base
        self.prefix = prefix
        self.root = root
        self.rules: list[Rule] = select_rules(rule_ids)
        self.local = [rule for rule in self.rules if not rule.is_project_rule]
        self.project = [rule for rule in self.rules if rule.is_project_rule]
        self.node_types = frozenset().union(*(rule.node_types for rule in self.rules))

    def analyse(self, path: str) -> FileResult:
        """Read, parse and check ``path`` (relative to the base)."""
        file = self.base / path
        try:
            stat = file.stat()
            raw = file.read_bytes()
        except OSError:
            return FileResult(path, "", has_error=True)
        digest = content_hash(raw)
        try:
            source = normalize_source(raw)
        except SourceDecodeError:
            result = FileResult(path, digest, has_error=True)
        else:
            result = self.check(parse_source(source, path, prefix=self.prefix), digest)
        result.mtime_ns, result.size = stat.st_mtime_ns, stat.st_size
        return result

    def check(self, module: ParsedModule, digest: str = "") -> FileResult:
        """The result of an already parsed module."""
        try:
            return self._check(module, digest)
        finally:
            memo.clear()

    def _check(self, module: ParsedModule, digest: str) -> FileResult:
        symbols = collect_symbols(module, self.node_types)
        index = ProjectIndex([module], {module.path: symbols}, root=self.root)
        return FileResult(
            path=module.path,
            digest=digest,
            info=ModuleInfo.of(module),
            has_error=module.has_error,
            references=frozenset(symbols.references),
            noqa=dict(symbols.noqa),
            findings=self._local_findings(module, index, symbols),
            facts={rule.id: rule.collect(module, index) for rule in self.project if rule.collect},
            imports=module_imports(module, symbols),
        )

    def _local_findings(
        self, module: ParsedModule, index: ProjectIndex, symbols: ModuleSymbols
    ) -> list[Finding]:
        found: list[Finding] = []
        for rule in self.local:
            if rule.check is None:
                continue
            found.extend(
                finding
                for finding in rule.check(module, index)
                if not symbols.suppresses(finding.line, rule.noqa_codes)
            )
        return found


def file_analyser(
    base: Path, prefix: str, root: Path | None, rule_ids: Sequence[str]
) -> Callable[[str], FileResult]:
    """`FileAnalyser.analyse` for the files of ``base`` (built once per worker process)."""
    return FileAnalyser(base, prefix, root, rule_ids).analyse
