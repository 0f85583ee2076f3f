"""The architecture and integration rules: import-cycle, layer-violation, integration-point."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.unit.analysis.helpers import FIXTURES, copy_fixture, expected_markers
from workflows.analysis import Category, Severity, analyze_path
from workflows.analysis.discovery import discover
from workflows.analysis.graph import project_facts
from workflows.analysis.models import Finding
from workflows.analysis.parsing import package_prefix, parse_source, read_source
from workflows.analysis.project import ProjectIndex
from workflows.analysis.rules import RULES
from workflows.analysis.rules.layer_violation import declared_layers, layer_of
from workflows.analysis.symbols import collect_symbols

_PROJECT_RULES = ("import-cycle", "layer-violation", "integration-point")


def _run(root: Path, rule_id: str, *, rooted: bool = True) -> list[Finding]:
    """Run one project rule as the engine does: ``collect`` per module, pickled, ``judge``."""
    rule = RULES[rule_id]
    assert rule.collect is not None and rule.judge is not None
    sources = discover(root)
    prefix = package_prefix(sources.base)
    modules = [
        parse_source(read_source(root / path), path, prefix=prefix) for path in sources.paths
    ]
    symbols = {m.path: collect_symbols(m, rule.node_types) for m in modules}
    facts = {
        m.path: pickle.loads(
            pickle.dumps(rule.collect(m, ProjectIndex([m], {m.path: symbols[m.path]})))
        )
        for m in modules
    }
    project = project_facts(modules, symbols, root=root if rooted else None)
    return sorted(rule.judge(facts, project), key=lambda f: (f.path, f.line, f.rule))


@pytest.mark.parametrize("rule_id", _PROJECT_RULES)
def test_architecture_rules_are_project_rules(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.is_project_rule
    assert rule.check is None


def _by_line(findings: list[Finding]) -> dict[tuple[str, int], Finding]:
    return {(f.path, f.line): f for f in findings}


# import-cycle


def test_import_cycle_messages_confidence_and_classification(tmp_path: Path) -> None:
    root = copy_fixture("import_cycle/flagged", tmp_path / "src")

    found = _by_line(_run(root, "import-cycle"))

    cycle = found[("pkg/chain_a.py", 6)]
    assert cycle.message == (
        "import cycle: pkg.chain_a -> pkg.chain_b -> pkg.chain_c -> pkg.chain_a"
    )
    assert (cycle.category, cycle.severity, cycle.confidence) == (
        Category.ARCHITECTURE,
        Severity.WARNING,
        100,
    )
    assert cycle.symbol == "pkg.chain_b"
    assert found[("pkg/selfish.py", 5)].message == "import cycle: pkg.selfish -> pkg.selfish"
    deferred = found[("pkg/deferred_a.py", 4)]
    assert deferred.confidence == 60
    assert deferred.message.endswith("(closed by an import inside a function)")


def test_import_cycle_says_how_many_modules_are_tangled(write_tree) -> None:
    root = write_tree(
        {
            "a.py": "import d\nimport b\n",
            "b.py": "import c\n",
            "c.py": "import a\n",
            "d.py": "import a\n",
        }
    )
    findings = _run(root, "import-cycle")
    assert [(f.path, f.line, f.message) for f in findings] == [
        ("a.py", 1, "import cycle: a -> d -> a (4 modules import each other in this group)")
    ]


def test_import_cycle_noqa_silences_it(write_tree) -> None:
    root = write_tree({"a.py": "import b  # noqa: R0401\n", "b.py": "import a\n"})
    assert analyze_path(root, select=["import-cycle"]).findings == []


# layer-violation


def test_layer_violation_reports_upward_imports_of_the_flagged_fixture(tmp_path: Path) -> None:
    root = copy_fixture("layer_violation/flagged", tmp_path / "src")

    findings = _run(root, "layer-violation")

    assert {(f.path, f.line, f.rule) for f in findings} == expected_markers(root)
    found = _by_line(findings)
    upward = found[("core/models.py", 9)]
    assert upward.message == (
        "layer violation: core.models (layer 'core') imports services.billing "
        "of the higher layer 'services'"
    )
    assert (upward.symbol, upward.confidence, upward.category) == (
        "services.billing",
        100,
        Category.ARCHITECTURE,
    )
    assert found[("core/models.py", 13)].confidence == 70, "TYPE_CHECKING import"


def test_layer_violation_not_flagged_fixture_is_silent(tmp_path: Path) -> None:
    root = copy_fixture("layer_violation/not_flagged", tmp_path / "src")
    assert _run(root, "layer-violation") == []


def test_layer_violation_is_silent_without_a_declaration(tmp_path: Path) -> None:
    root = copy_fixture("layer_violation/flagged", tmp_path / "src")
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert _run(root, "layer-violation") == []


def test_layer_violation_is_silent_when_the_project_has_no_root(tmp_path: Path) -> None:
    root = copy_fixture("layer_violation/flagged", tmp_path / "src")
    assert _run(root, "layer-violation", rooted=False) == []


def test_declared_layers_come_from_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cicd]\nlayers = ["bot", "blocks", "workflows"]\n', encoding="utf-8"
    )
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    assert declared_layers(nested) == ("bot", "blocks", "workflows")
    assert declared_layers(nested / "mod.py") == ("bot", "blocks", "workflows")

    (tmp_path / "src" / "pyproject.toml").write_text("[tool.other]\nx = 1\n", encoding="utf-8")
    assert declared_layers(nested) == (), "the nearest pyproject.toml decides"

    (tmp_path / "src" / "pyproject.toml").write_text("[tool.cicd\nbroken", encoding="utf-8")
    assert declared_layers(nested) == ()

    (tmp_path / "src" / "pyproject.toml").write_text('[tool.cicd]\nlayers = "bot"\n')
    assert declared_layers(nested) == ()


def test_layer_of_uses_the_longest_matching_prefix() -> None:
    layers = ("app", "app.core", "lib")
    assert layer_of("app", layers) == 0
    assert layer_of("app.views", layers) == 0
    assert layer_of("app.core.models", layers) == 1
    assert layer_of("lib.x", layers) == 2
    assert layer_of("application", layers) is None
    assert layer_of("other", layers) is None


# integration-point


def test_integration_points_messages_kinds_and_confidence(tmp_path: Path) -> None:
    root = copy_fixture("integration_point/flagged", tmp_path / "src")

    found = _by_line(_run(root, "integration-point"))

    rows = {
        key: (f.symbol, f.message, f.confidence)
        for key, f in found.items()
        if key
        in {
            ("http_calls.py", 8),
            ("http_calls.py", 14),
            ("http_calls.py", 21),
            ("http_calls.py", 22),
            ("http_calls.py", 42),
            ("storage.py", 17),
            ("storage.py", 19),
            ("storage.py", 30),
            ("storage.py", 32),
            ("storage.py", 34),
            ("storage.py", 44),
            ("storage.py", 51),
            ("storage.py", 52),
        }
    }
    assert rows == {
        ("http_calls.py", 8): ("library", "third-party libraries: aiohttp, httpx, requests", 100),
        ("http_calls.py", 14): ("http", "HTTP call: requests.get", 95),
        ("http_calls.py", 21): ("http", "HTTP client: httpx.Client", 90),
        ("http_calls.py", 22): ("http", "HTTP call: httpx.Client.get", 85),
        ("http_calls.py", 42): ("http", "HTTP call: httpx.AsyncClient.post", 85),
        ("storage.py", 17): ("database", "database: execute on sqlite3.connect", 85),
        ("storage.py", 19): ("database", "database: SQL via cursor.execute", 50),
        ("storage.py", 30): ("filesystem", "file write: open(mode='w')", 95),
        ("storage.py", 32): ("filesystem", "file write: open(mode='ab')", 95),
        ("storage.py", 34): ("filesystem", "file write: Path.write_text", 90),
        ("storage.py", 44): ("subprocess", "subprocess: subprocess.run", 95),
        ("storage.py", 51): ("filesystem", "file write: Path.write_text", 90),
        ("storage.py", 52): ("filesystem", "file write: Path.mkdir", 75),
    }
    assert {(f.category, f.severity) for f in found.values()} == {
        (Category.INTEGRATION, Severity.INFO)
    }


def test_integration_point_resolves_from_imports_and_skips_test_files(write_tree) -> None:
    root = write_tree(
        {
            "jobs.py": """
                from subprocess import check_output as out
                from urllib import request
                from shutil import move

                out(["ls"])
                request.urlopen("https://example.com")
                move("a", "b")
            """,
            "tests/test_jobs.py": "import subprocess\nsubprocess.run(['ls'])\n",
        }
    )
    findings = _run(root, "integration-point")
    assert [(f.path, f.line, f.message) for f in findings] == [
        ("jobs.py", 5, "subprocess: subprocess.check_output"),
        ("jobs.py", 6, "HTTP call: urllib.request.urlopen"),
        ("jobs.py", 7, "file write: shutil.move"),
    ]


def test_integration_point_collects_calls_and_judges_libraries_from_the_project(
    write_tree,
) -> None:
    root = write_tree(
        {
            "jobs.py": "import os\nimport requests\n\nrequests.get('https://example.com')\n",
            "tests/test_jobs.py": "import requests\nrequests.get('https://example.com')\n",
        }
    )
    rule = RULES["integration-point"]
    modules = {
        m.path: m for m in (parse_source(read_source(root / p), p) for p in discover(root).paths)
    }
    symbols = {path: collect_symbols(m, rule.node_types) for path, m in modules.items()}
    jobs, test = modules["jobs.py"], modules["tests/test_jobs.py"]
    calls = rule.collect(jobs, ProjectIndex([jobs], {jobs.path: symbols[jobs.path]}))
    assert [(f.line, f.message) for f in calls] == [(4, "HTTP call: requests.get")]
    assert rule.collect(test, ProjectIndex([test], {test.path: symbols[test.path]})) == []

    project = project_facts(list(modules.values()), symbols)
    facts = {"jobs.py": calls, "tests/test_jobs.py": calls}  # a test file yields nothing
    assert [(f.path, f.line, f.symbol, f.message) for f in rule.judge(facts, project)] == [
        ("jobs.py", 2, "library", "third-party libraries: requests"),
        ("jobs.py", 4, "http", "HTTP call: requests.get"),
    ]


def test_every_architecture_fixture_tree_exists() -> None:
    for name in ("import_cycle", "layer_violation", "integration_point"):
        for case in ("flagged", "not_flagged"):
            assert any((FIXTURES / name / case).rglob("*.py")), f"{name}/{case}"
