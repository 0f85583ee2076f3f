"""Static analysis of Python code with tree-sitter: no Prefect, no Slack in here."""

from workflows.analysis.engine import analyze_path
from workflows.analysis.models import AnalysisReport, Category, Finding, Severity

__all__ = ["AnalysisReport", "Category", "Finding", "Severity", "analyze_path"]
