"""Static analysis of JavaScript and TypeScript with tree-sitter, beside the Python engine."""

from workflows.analysis.javascript.engine import JsAnalysis, analyze_javascript
from workflows.analysis.javascript.rules import JS_RULES

__all__ = ["JS_RULES", "JsAnalysis", "analyze_javascript"]
