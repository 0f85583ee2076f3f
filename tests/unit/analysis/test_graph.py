"""The import graph: per-file facts, resolution, external packages, cycles, fan-in/out, cache."""

from __future__ import annotations

import gc
import pickle
import textwrap
import weakref

from workflows.analysis.graph import (
    ImportAnalysis,
    ImportFact,
    ModuleImports,
    analyse_imports,
    build_import_graph,
    dependents_of,
    fan_in,
    fan_out,
    module_imports,
    project_facts,
    project_imports,
)
from workflows.analysis.models import ImportGraph
from workflows.analysis.parsing import ParsedModule, parse_source
from workflows.analysis.project import ProjectFacts
from workflows.analysis.symbols import collect_symbols


def _modules(files: dict[str, str], prefix: str = "") -> list[ParsedModule]:
    return [
        parse_source(textwrap.dedent(src).lstrip("\n").encode(), path, prefix=prefix)
        for path, src in files.items()
    ]


def _analyse(files: dict[str, str], prefix: str = "") -> ImportAnalysis:
    return project_imports(project_facts(_modules(files, prefix)))


def _graph(files: dict[str, str], prefix: str = "") -> ImportGraph:
    return _analyse(files, prefix).graph


def _imports(source: str) -> ModuleImports:
    (module,) = _modules({"mod.py": source})
    return module_imports(module, collect_symbols(module))


# module_imports: the per-file facts


def test_module_imports_records_each_name_with_its_context_in_source_order() -> None:
    facts = _imports(
        """
        from __future__ import annotations
        import os.path, json as j
        from typing import TYPE_CHECKING
        from .pkg import *
        if TYPE_CHECKING:
            from . import models
        def f():
            import yaml
        if __name__ == "__main__":
            from ..up import run
        """
    )
    assert facts.imports == (
        ImportFact(2, None, "os.path", type_only=False, deferred=False),
        ImportFact(2, None, "json", type_only=False, deferred=False),
        ImportFact(3, "typing", "TYPE_CHECKING", type_only=False, deferred=False),
        ImportFact(4, ".pkg", "*", type_only=False, deferred=False),
        ImportFact(6, ".", "models", type_only=True, deferred=False),
        ImportFact(8, None, "yaml", type_only=False, deferred=True),
        ImportFact(10, "..up", "run", type_only=False, deferred=True),
    )


def test_module_imports_pickle_equal_and_hold_no_tree() -> None:
    facts = _imports("import a\nfrom b import *\ndef f():\n    from .c import d\n")
    assert len(facts.imports) == 3
    assert pickle.loads(pickle.dumps(facts)) == facts
    assert all(
        type(value) in (int, str, bool, type(None)) for item in facts.imports for value in item
    )
    assert _imports("x = 1\n") == ModuleImports()


def test_wildcard_text_outside_an_import_statement_is_no_import() -> None:
    facts = _imports('"""Say import * in a docstring."""\n# import *\n')
    assert facts.imports == ()


def _edges(graph: ImportGraph) -> set[tuple[str, str, int]]:
    return {(e.source, e.target, e.line) for e in graph.edges}


def test_absolute_submodule_and_attribute_imports_resolve_to_tree_modules() -> None:
    graph = _graph(
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/mod.py": "",
            "app.py": """
                import pkg.sub.mod
                from pkg.sub import mod
                from pkg.sub import helper
                import pkg.sub.mod.attr as renamed
                from pkg import sub
            """,
        }
    )
    assert graph.modules == ["app", "pkg", "pkg.sub", "pkg.sub.mod"]
    # deduplicated per (source, target), first line kept; `helper` is an attribute of pkg.sub
    assert _edges(graph) == {("app", "pkg.sub.mod", 1), ("app", "pkg.sub", 3)}


def test_relative_imports_use_the_importing_modules_package() -> None:
    graph = _graph(
        {
            "pkg/__init__.py": "from . import a\nfrom .b import thing\n",
            "pkg/a.py": "from . import b\n",
            "pkg/b.py": "",
            "pkg/inner/__init__.py": "",
            "pkg/inner/c.py": "from ..a import name\nfrom .. import b\nfrom . import d\n",
            "pkg/inner/d.py": "from .c import *\nfrom ...outside import x\n",
        }
    )
    assert _edges(graph) == {
        ("pkg", "pkg.a", 1),
        ("pkg", "pkg.b", 2),
        ("pkg.a", "pkg.b", 1),
        ("pkg.inner.c", "pkg.a", 1),
        ("pkg.inner.c", "pkg.b", 2),
        ("pkg.inner.c", "pkg.inner.d", 3),
        ("pkg.inner.d", "pkg.inner.c", 1),
    }
    assert graph.external == {}, "relative imports are never external"


def test_relative_imports_under_a_package_prefix() -> None:
    graph = _graph({"mod.py": "from . import other\n", "other.py": ""}, prefix="app.core")
    assert _edges(graph) == {("app.core.mod", "app.core.other", 1)}


def test_external_imports_list_third_party_top_level_packages_only() -> None:
    graph = _graph(
        {
            "pkg/__init__.py": "",
            "pkg/x.py": """
                from __future__ import annotations
                import os.path
                import yaml
                import requests.adapters
                from requests import Session
                from slack_sdk.web import WebClient
                from pkg.missing import thing
                import typing_extensions
            """,
            "pkg/y.py": "import json\n",
        }
    )
    assert graph.external == {"pkg.x": ["requests", "slack_sdk", "typing_extensions", "yaml"]}
    assert _edges(graph) == {("pkg.x", "pkg", 7)}, "first-party names are never third-party"


def test_cycles_two_three_and_self_imports_as_sorted_rotations() -> None:
    graph = _graph(
        {
            "b.py": "import a\n",
            "a.py": "import b\n",
            "z.py": "import x\n",
            "x.py": "import y\n",
            "y.py": "import z\n",
            "me.py": "import me\n",
            "leaf.py": "import a\n",
        }
    )
    assert graph.cycles == [["a", "b"], ["me"], ["x", "y", "z"]]


def test_type_checking_imports_stay_edges_but_close_no_cycle() -> None:
    analysis = _analyse(
        {
            "a.py": "import b\n",
            "b.py": """
                from typing import TYPE_CHECKING
                import typing
                if TYPE_CHECKING:
                    import a
                if typing.TYPE_CHECKING:
                    import c
                else:
                    import d
            """,
            "c.py": "import b\n",
            "d.py": "import b\n",
        }
    )
    assert ("b", "a", 4) in _edges(analysis.graph)
    assert analysis.type_only == frozenset({("b", "a"), ("b", "c")})
    assert analysis.graph.cycles == [["b", "d"]], "the else branch runs"


def test_deferred_cycles_are_marked_and_deferred_self_imports_ignored() -> None:
    analysis = _analyse(
        {
            "a.py": "import b\n",
            "b.py": "def f():\n    import a\n    import b\n",
        }
    )
    assert analysis.deferred == frozenset({("b", "a"), ("b", "b")})
    assert [(c.path, c.deferred) for c in analysis.cycles] == [(("a", "b"), True)]


def test_imports_under_a_main_guard_do_not_run_on_import() -> None:
    analysis = _analyse(
        {
            "a.py": "import b\n",
            "b.py": 'if __name__ == "__main__":\n    import a\n    import b\n',
        }
    )
    assert analysis.deferred == frozenset({("b", "a"), ("b", "b")})
    assert [c.deferred for c in analysis.cycles] == [True]


def test_import_time_cycle_inside_a_larger_deferred_group_is_reported_separately() -> None:
    analysis = _analyse(
        {
            "a.py": "import b\n",
            "b.py": "import a\nimport c\n",
            "c.py": "def f():\n    import a\n",
        }
    )
    assert [(c.path, c.group, c.deferred) for c in analysis.cycles] == [
        (("a", "b"), ("a", "b"), False),
        (("a", "b", "c"), ("a", "b", "c"), True),
    ]


def test_cycle_path_is_the_shortest_through_the_first_module_of_its_group() -> None:
    analysis = _analyse(
        {
            "a.py": "import d\nimport b\n",
            "b.py": "import c\n",
            "c.py": "import a\n",
            "d.py": "import a\n",
        }
    )
    (cycle,) = analysis.cycles
    assert cycle.path == ("a", "d")
    assert cycle.group == ("a", "b", "c", "d")


def test_cycle_detection_has_no_recursion_limit() -> None:
    size = 5_000
    files = {f"m{i:05d}.py": f"import m{(i + 1) % size:05d}\n" for i in range(size)}
    graph = _graph(files)
    assert len(graph.cycles) == 1
    assert len(graph.cycles[0]) == size
    assert graph.cycles[0][0] == "m00000"


def test_fan_in_fan_out_and_dependents() -> None:
    graph = _graph(
        {
            "core.py": "",
            "api.py": "import core\nfrom core import x\n",
            "cli.py": "import api\nimport core\n",
            "lonely.py": "import lonely\n",
        }
    )
    assert fan_in(graph) == {"api": 1, "cli": 0, "core": 2, "lonely": 0}
    assert fan_out(graph) == {"api": 1, "cli": 2, "core": 0, "lonely": 0}
    assert dependents_of(graph, "core") == ["api", "cli"]
    assert dependents_of(graph, "api") == ["cli"]
    assert dependents_of(graph, "cli") == []
    assert dependents_of(graph, "core", transitive=True) == ["api", "cli"]


def test_transitive_dependents_follow_chains() -> None:
    graph = _graph({"a.py": "", "b.py": "import a\n", "c.py": "import b\n", "d.py": ""})
    assert dependents_of(graph, "a") == ["b"]
    assert dependents_of(graph, "a", transitive=True) == ["b", "c"]


def test_project_imports_is_computed_once_per_project_facts() -> None:
    modules = _modules({"a.py": "import b\n", "b.py": "import a\n"})
    first = project_facts(modules)
    second = project_facts(modules)

    analysis = project_imports(first)

    assert project_imports(first) is analysis
    assert project_imports(second) is not analysis
    assert analysis.graph.cycles == [["a", "b"]]
    assert [e.target for e in analysis.outgoing["a"]] == ["b"]


def test_project_imports_cache_lets_project_facts_go() -> None:
    project = project_facts(_modules({"a.py": "import b\n", "b.py": ""}))
    analysis = project_imports(project)
    gone = weakref.ref(project)
    del project
    gc.collect()
    assert gone() is None, "the cached analysis must not keep its project alive"
    assert analysis.graph.modules == ["a", "b"]


def test_project_imports_resolves_facts_that_crossed_a_process_boundary() -> None:
    modules = _modules({"pkg/__init__.py": "", "pkg/a.py": "from . import b\n", "pkg/b.py": ""})
    local = project_facts(modules)
    shipped = ProjectFacts(
        local.modules.values(), {}, pickle.loads(pickle.dumps(dict(local.imports)))
    )
    assert project_imports(shipped).graph == project_imports(local).graph
    assert _edges(project_imports(shipped).graph) == {("pkg.a", "pkg.b", 1)}


def test_analyse_imports_and_build_import_graph_match_project_imports() -> None:
    files = {"a.py": "import b\nimport yaml\n", "b.py": "def f():\n    import a\n"}
    modules = _modules(files)
    symbols = {m.path: collect_symbols(m) for m in modules}
    expected = _analyse(files)
    assert analyse_imports(modules, symbols) == expected
    assert build_import_graph(modules, symbols) == expected.graph
