"""The single walk behind the rules: what `collect_symbols` and `ProjectIndex` record."""

from __future__ import annotations

import textwrap

from workflows.analysis.graph import project_facts
from workflows.analysis.parsing import parse_source
from workflows.analysis.project import ProjectIndex
from workflows.analysis.symbols import ModuleSymbols, collect_symbols


def _symbols(source: str, path: str = "m.py", node_types: tuple[str, ...] = ()) -> ModuleSymbols:
    module = parse_source(textwrap.dedent(source).encode(), path)
    return collect_symbols(module, node_types)


def test_import_bindings() -> None:
    facts = _symbols(
        """
        from __future__ import annotations
        import a.b.c
        import os as os
        from m import (x as x, y as z)
        from .. import up
        """
    )
    rows = [
        (b.name, b.qualified, b.alias, b.line, b.is_future, b.is_redundant_alias)
        for b in facts.imports
    ]
    assert rows == [
        ("annotations", "__future__.annotations", None, 2, True, False),
        ("a", "a.b.c", None, 3, False, False),
        ("os", "os", "os", 4, False, True),
        ("x", "m.x", "x", 5, False, True),
        ("z", "m.y", "z", 5, False, False),
        ("up", "..up", None, 6, False, False),
    ]
    assert [b.statement.type for b in facts.imports[:2]] == [
        "future_import_statement",
        "import_statement",
    ]
    assert facts.imports[3].statement == facts.imports[4].statement


def test_module_level_definitions_only() -> None:
    facts = _symbols(
        """
        import functools

        def plain():
            def nested():
                pass

        @functools.cache
        async def cached():
            pass

        class Thing:
            def method(self):
                pass
        """
    )
    rows = [(d.name, d.kind, d.line, d.end_line, d.decorated) for d in facts.definitions]
    assert rows == [
        ("plain", "function", 4, 6, False),
        ("cached", "function", 9, 10, True),
        ("Thing", "class", 12, 14, False),
    ]


def test_dunder_all_forms_and_main_guard() -> None:
    facts = _symbols(
        """
        __all__ = ["a", 'b'] + ["c"]
        __all__ += ("d",)
        __all__.extend(["e"])
        __all__.append("f")
        if __name__ == "__main__":
            pass
        """
    )
    assert facts.all_names == ["a", "b", "c", "d", "e", "f"]
    assert facts.exported == frozenset("abcdef")
    assert facts.has_main_guard
    assert _symbols("x = 1\n").all_names is None
    assert not _symbols("if __name__ != '__main__':\n    pass\n").has_main_guard


def test_loads_cover_reads_and_string_annotations_but_not_bindings() -> None:
    facts = _symbols(
        """
        def f(param, typed: "Quoted[Inner]" = default, *args: Star, kw=kwdefault, **kws) -> Ret:
            local = value
            obj.attribute_name
            call(keyword=kwvalue)
            cast("Casted", local)
            hint = []  # type: list[Commented]
            return f"{interpolated}"
        """
    )
    for name in (
        "Quoted", "Inner", "default", "Star", "kwdefault", "Ret", "value", "obj", "kwvalue",
        "Casted", "Commented", "interpolated", "call", "local",
    ):  # fmt: skip
        assert name in facts.loads, name
    for name in ("param", "typed", "args", "kw", "kws", "attribute_name", "keyword", "hint"):
        assert name not in facts.loads, name
    assert "attribute_name" in facts.references


def test_references_skip_self_use_but_keep_attribute_and_getattr_strings() -> None:
    facts = _symbols(
        """
        def recurse(n):
            return recurse(n - 1)

        class Node:
            def copy(self) -> "Node":
                return Node()

        def other():
            return getattr(mod, "dynamic"), mod.attr, recurse
        """
    )
    assert "recurse" in facts.references  # used by `other`
    assert "Node" not in facts.references  # only used inside itself
    assert "Node" in facts.loads
    assert {"dynamic", "attr", "mod"} <= facts.references


def test_requested_node_types_are_collected_in_document_order() -> None:
    source = """
        try:
            pass
        except A:
            pass
        except:
            pass
        def f():
            try:
                pass
            except:
                pass
    """
    facts = _symbols(source, node_types=("except_clause",))
    assert [n.start_point.row + 1 for n in facts.nodes_of("except_clause")] == [4, 6, 11]
    assert facts.nodes_of("call") == []


def test_project_facts_map_names_to_referencing_modules() -> None:
    modules = [
        parse_source(b"def helper():\n    return helper()\n", "a.py"),
        parse_source(b"from a import helper\nhelper()\n", "b.py"),
        parse_source(b"import a\na.other()\n", "c.py"),
    ]
    project = project_facts(modules)
    assert project.referencing_modules("helper") == frozenset({"b.py"})
    assert project.referencing_modules("other") == frozenset({"c.py"})
    assert not project.is_referenced("missing")
    assert project.by_module_name["b"].path == "b.py"
    assert len(project) == 3
    index = ProjectIndex.build(modules)
    assert index.symbols("a.py") is index.symbols(modules[0])


def test_noqa_comments_are_recorded_by_line() -> None:
    facts = _symbols(
        """
        import a  # noqa
        import b  # noqa: F401, E722
        import c  # NOQA:unused-import (why)
        import d  # no qa here
        from e import (  # noqa: F401
            f,
        )
        """
    )
    assert facts.noqa == {
        2: None,
        3: frozenset({"F401", "E722"}),
        4: frozenset({"UNUSED-IMPORT"}),
        6: frozenset({"F401"}),
    }
    assert facts.suppresses(2, ["anything"])
    assert facts.suppresses(3, ["unused-import", "F401"])
    assert not facts.suppresses(3, ["bare-except"])
    assert facts.suppresses(4, ["unused-import"])
    assert not facts.suppresses(5, ["unused-import"])


def test_type_contexts_beyond_annotations() -> None:
    facts = _symbols(
        """
        Alias: TypeAlias = "InAlias"
        Generic = Optional["InGeneric"]
        Nested = t.Callable[["InCallable"], dict["Key", list["Value"]]]
        value = cast(Sequence["InCast"], raw)
        T = TypeVar("T", bound="InBound")
        choice = Literal["NotAName"]
        lookup = CONFIG["NotAKey"]
        """
    )
    for name in ("InAlias", "InGeneric", "InCallable", "Key", "Value", "InCast", "InBound"):
        assert name in facts.loads, name
    assert "NotAName" not in facts.loads
    assert "NotAKey" not in facts.loads
