"""Scores per category: weighted by severity and confidence, normalised per 1,000 lines."""

from __future__ import annotations

import json

import pytest

from workflows.analysis.formatting import to_json
from workflows.analysis.models import AnalysisReport, Category, Finding, Severity
from workflows.analysis.scores import category_scores, cost, overall_score, score


def finding(
    severity: Severity = Severity.WARNING,
    category: Category = Category.CODE_QUALITY,
    confidence: int = 100,
) -> Finding:
    return Finding(
        rule="r-x",
        category=category,
        severity=severity,
        path="a.py",
        line=1,
        end_line=1,
        message="m",
        confidence=confidence,
    )


def report(findings: list[Finding], lines: int = 1_000) -> AnalysisReport:
    return AnalysisReport(root=".", lines_analyzed=lines, findings=findings)


def test_a_clean_report_scores_100_in_every_category() -> None:
    clean = report([])
    assert category_scores(clean) == {c.value: 100.0 for c in Category}
    assert overall_score(clean) == 100.0


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([finding()], 89.3),  # cost 3: 100 * 25 / 28
        ([finding(Severity.INFO)], 96.2),  # cost 1: 100 * 25 / 26
        ([finding(Severity.ERROR)], 71.4),  # cost 10: 100 * 25 / 35
        ([finding(confidence=50)], 94.3),  # cost 1.5: 100 * 25 / 26.5
        ([finding(confidence=0)], 100.0),
        ([finding()] * 25, 25.0),  # cost 75: 100 * 25 / 100
    ],
)
def test_the_documented_formula(findings: list[Finding], expected: float) -> None:
    assert category_scores(report(findings))["code_quality"] == expected


def test_normalised_per_thousand_lines_so_size_alone_does_not_punish() -> None:
    small = category_scores(report([finding()] * 2, lines=2_000))
    big = category_scores(report([finding()] * 200, lines=200_000))
    assert small == big
    assert (
        category_scores(report([finding()] * 2, lines=20_000))["code_quality"]
        > small["code_quality"]
    )


def test_a_tiny_code_base_counts_as_a_thousand_lines() -> None:
    assert score(3.0, 10) == score(3.0, 1_000) == 89.3
    assert score(3.0, 0) == 89.3


def test_more_severe_or_more_certain_findings_cost_more() -> None:
    assert cost([finding(Severity.INFO)]) < cost([finding()]) < cost([finding(Severity.ERROR)])
    assert cost([finding(confidence=60)]) < cost([finding(confidence=90)])
    scores = [score(c, 1_000) for c in (0, 1, 10, 100, 1_000)]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] < 100


def test_categories_are_scored_apart_and_overall_takes_all_together() -> None:
    findings = [finding(Severity.ERROR, Category.SECURITY)] * 3 + [finding()]
    scores = category_scores(report(findings))
    assert scores["security"] == score(30.0, 1_000) == 45.5
    assert scores["code_quality"] == 89.3
    assert scores["architecture"] == scores["integration"] == 100.0
    assert overall_score(report(findings)) == score(33.0, 1_000)
    assert overall_score(report(findings)) < min(scores.values())


def test_scores_are_in_the_json_summary() -> None:
    data = report([finding(Severity.ERROR, Category.SECURITY)], lines=500)
    summary = json.loads(to_json(data))["summary"]
    assert summary["scores"] == category_scores(data)
    assert summary["scores"]["security"] == 71.4
    assert summary["score"] == overall_score(data) == 71.4
