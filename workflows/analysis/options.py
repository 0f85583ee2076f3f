"""What to report: rule selection, a confidence floor and the whitelist, and the API the flows call.

`analyze` runs the engine with the selected rules and then `apply_options`; both return an
`AnalysisReport`. Options are a pydantic model so they travel as a flow parameter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from workflows.analysis.engine import ProgressCallback, analyze_path
from workflows.analysis.javascript.rules import JS_RULES
from workflows.analysis.models import AnalysisReport
from workflows.analysis.registry import BaseRule
from workflows.analysis.rules import RULES
from workflows.analysis.whitelist import Whitelist, find_whitelist, load_whitelist

__all__ = ["AnalysisOptions", "analyze", "apply_options", "known_rule_ids", "registered_rules"]


def registered_rules() -> Mapping[str, BaseRule[Any]]:
    """Every registered rule of every language by id: Python first, then JS/TS."""
    return {**RULES, **JS_RULES}


def known_rule_ids() -> tuple[str, ...]:
    """Every registered rule id, in registry order."""
    return tuple(registered_rules())


def _check_ids(ids: list[str], what: str) -> list[str]:
    known = known_rule_ids()
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise ValueError(
            f"unknown rule id(s) in {what}: {', '.join(unknown)}; valid rule ids: "
            f"{', '.join(known)}"
        )
    return ids


class AnalysisOptions(BaseModel):
    """Which findings to keep. The defaults keep everything the rules report."""

    select: list[str] | None = Field(None, description="rule ids to run; None for all")
    ignore: list[str] = Field(default_factory=list, description="rule ids not to run")
    min_confidence: int = Field(0, ge=0, le=100, description="drop findings below this, in %")
    whitelist: list[str] = Field(
        default_factory=list, description="whitelist entries (see workflows.analysis.whitelist)"
    )
    read_whitelist_file: bool = Field(
        True, description="also read `.cicd-whitelist` at the analysed root when it exists"
    )

    @field_validator("select")
    @classmethod
    def _known_select(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_ids(value, "select")

    @field_validator("ignore")
    @classmethod
    def _known_ignore(cls, value: list[str]) -> list[str]:
        return _check_ids(value, "ignore")

    @field_validator("whitelist")
    @classmethod
    def _valid_whitelist(cls, value: list[str]) -> list[str]:
        if value:
            Whitelist.from_entries(value, known_rule_ids())
        return value

    def rule_ids(self) -> list[str] | None:
        """The rules to run: ``select`` (or every rule) minus ``ignore``; None means all."""
        if self.select is None and not self.ignore:
            return None
        chosen = self.select if self.select is not None else known_rule_ids()
        return [rule for rule in chosen if rule not in self.ignore]


@lru_cache(maxsize=32)
def _compiled(entries: tuple[str, ...], known: tuple[str, ...]) -> Whitelist:
    return Whitelist.from_entries(entries, known)


def apply_options(report: AnalysisReport, options: AnalysisOptions) -> AnalysisReport:
    """A copy of ``report`` keeping only the findings ``options`` let through.

    Counts and scores are computed from the findings, so the summary follows.
    """
    selected = options.rule_ids()
    wanted = None if selected is None else frozenset(selected)
    whitelist = _compiled(tuple(options.whitelist), known_rule_ids())
    kept = [
        finding
        for finding in report.findings
        if (wanted is None or finding.rule in wanted)
        and finding.confidence >= options.min_confidence
        and not whitelist.suppresses(finding)
    ]
    return report.model_copy(update={"findings": kept})


def analyze(
    root: str | os.PathLike[str],
    options: AnalysisOptions | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> AnalysisReport:
    """Analyse ``root`` as `analyze_path` does, then filter the findings by ``options``.

    With ``options.read_whitelist_file``, entries of ``.cicd-whitelist`` at ``root`` are added
    (a bad file raises ValueError naming its line). ``cache_dir`` keeps per-file results
    between runs (see `workflows.analysis.cache`).
    """
    options = options or AnalysisOptions()
    if options.read_whitelist_file:
        found = find_whitelist(Path(root))
        if found is not None:
            extra = load_whitelist(found, known_rule_ids())
            options = options.model_copy(update={"whitelist": [*options.whitelist, *extra]})
    report = analyze_path(
        root, select=options.rule_ids(), on_progress=on_progress, cache_dir=cache_dir
    )
    return apply_options(report, options)
