"""Every GraphQL document we send to Linear is valid against Linear's real schema.

A renamed or removed field in `schema.graphql` fails here, not in production. Documents are the
`.graphql` files under `workflows/integrations/` and any literal `gql(...)` string in its Python
sources.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)

from tests.shared_paths import LINEAR_SCHEMA
from workflows.integrations.linear_client import load_document

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = LINEAR_SCHEMA
INTEGRATIONS = ROOT / "workflows" / "integrations"
GRAPHQL_DIR = INTEGRATIONS / "linear_graphql"
LITERAL = re.compile(r"""\bgql\(\s*(?:r?)(\"\"\"|''')(.*?)\1""", re.DOTALL)

pytestmark = pytest.mark.needs_shared("api/linear/schema.graphql")


@cache
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA.read_text(encoding="utf-8"))


def graphql_files() -> list[Path]:
    return sorted(INTEGRATIONS.rglob("*.graphql"))


def operation_files() -> list[Path]:
    return [p for p in graphql_files() if _has_operation(p.read_text(encoding="utf-8"))]


def _has_operation(text: str) -> bool:
    return any(isinstance(d, OperationDefinitionNode) for d in parse(text).definitions)


def literal_documents() -> list[tuple[str, str]]:
    found = []
    for path in sorted(INTEGRATIONS.rglob("*.py")):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.append((f"{path.relative_to(ROOT)}:{match.start()}", match.group(2)))
    return found


def _errors(document_text_or_node) -> list[str]:
    document = (
        parse(document_text_or_node)
        if isinstance(document_text_or_node, str)
        else document_text_or_node
    )
    return [error.message for error in validate(schema(), document)]


def test_there_are_documents_to_check() -> None:
    names = {p.stem for p in operation_files()}
    assert {"issue_create", "issue_update", "team_by_key", "comment_create"} <= names


@pytest.mark.parametrize("path", operation_files(), ids=lambda p: p.name)
def test_operation_file_is_valid_against_the_schema(path: Path) -> None:
    # As sent: the operation plus the fragments it spreads (load_document appends them).
    document = load_document(path.stem) if path.parent == GRAPHQL_DIR else parse(path.read_text())
    assert _errors(document) == []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1 and operations[0].name is not None, "one named operation a file"


@pytest.mark.parametrize("path", graphql_files(), ids=lambda p: p.name)
def test_every_fragment_is_valid_and_used(path: Path) -> None:
    fragments = [
        d for d in parse(path.read_text()).definitions if isinstance(d, FragmentDefinitionNode)
    ]
    for fragment in fragments:
        users = [p for p in operation_files() if f"...{fragment.name.value}" in p.read_text()]
        assert users, f"fragment {fragment.name.value} is used by no operation"
        # Validated inside the first operation that spreads it.
        assert _errors(load_document(users[0].stem)) == []


@pytest.mark.parametrize(
    ("where", "text"),
    literal_documents()
    or [pytest.param("", "", marks=pytest.mark.skip(reason="no literal gql(...) documents"))],
)
def test_literal_gql_document_is_valid(where: str, text: str) -> None:
    assert _errors(text) == [], where


def test_literal_documents_are_found_by_the_scan() -> None:
    source = (
        'doc = gql("""\n  query Me { viewer { id } }\n""")\n'
        "other = gql(r'''mutation M { x }''')"
    )
    assert [m.group(2).strip() for m in LITERAL.finditer(source)] == [
        "query Me { viewer { id } }",
        "mutation M { x }",
    ]


def test_a_renamed_field_would_fail() -> None:
    # The check itself must bite: a field Linear does not have is reported.
    assert _errors("query { viewer { id nameThatDoesNotExist } }")
