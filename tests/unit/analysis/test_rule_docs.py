"""Every registered rule module documents itself in the ruff-like shape and exposes its API."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from workflows.analysis.models import Category, Severity
from workflows.analysis.rules import RULE_MODULES, RULES

HEADINGS = ("What it finds:", "Why it matters:", "Example:", "Not flagged:")


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_rule_module_docstring_has_title_and_four_headings(module) -> None:
    doc = inspect.cleandoc(module.__doc__ or "")
    lines = doc.splitlines()
    assert len(lines) > 2, "docstring missing"
    assert lines[0].endswith(".") and lines[0][0].isupper(), "first line is a title sentence"
    assert lines[1] == "", "blank line after the title"
    positions = []
    for heading in HEADINGS:
        matches = [i for i, line in enumerate(lines) if line.startswith(heading)]
        assert len(matches) == 1, f"{heading!r} must start exactly one line"
        body = lines[matches[0]][len(heading) :].strip()
        assert body, f"{heading!r} needs text on the same line"
        positions.append(matches[0])
    assert positions == sorted(positions), "headings in order"


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_rule_module_exposes_the_rule_api(module) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", module.RULE_ID)
    assert isinstance(module.CATEGORY, Category)
    assert isinstance(module.SEVERITY, Severity)
    rule = RULES[module.RULE_ID]
    if hasattr(module, "judge"):  # a project rule: collect per module, judge all at once
        assert not hasattr(module, "check"), "a rule is local or project-wide, not both"
        assert list(inspect.signature(module.collect).parameters) == ["module", "index"]
        assert list(inspect.signature(module.judge).parameters) == ["facts", "project"]
        assert rule.is_project_rule and rule.judge is module.judge
    else:
        assert list(inspect.signature(module.check).parameters) == ["module", "project"]
        assert rule.check is module.check and not rule.is_project_rule


def test_registry_ids_are_unique_and_complete() -> None:
    assert len(RULES) == len(RULE_MODULES)
    modules = {Path(m.__file__).stem for m in RULE_MODULES}
    on_disk = {p.stem for p in Path(RULE_MODULES[0].__file__).parent.glob("[!_]*.py")}
    assert modules == on_disk  # every rule file is registered, nothing else is
    assert {"unused-import", "unused-function", "unused-class", "bare-except"} <= set(RULES)
    assert all(rule.title and not rule.title.endswith(".") for rule in RULES.values())
