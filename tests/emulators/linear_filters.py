"""Filters (``IssueFilter``, ``TeamFilter``, ...) and Relay connections for the Linear emulator.

Only the filter fields listed in ``SCALARS`` and ``RELATIONS`` are understood; any other one is
refused with an error, so a test never passes on a filter the emulator silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.linear_store import Store, invalid_input

MAX_PAGE = 250

Getter = Callable[[Store, dict[str, Any]], Any]
SCALARS: dict[str, dict[str, Getter]] = {
    "Issue": {
        name: (lambda key: lambda store, e: e.get(key))(name)
        for name in ("id", "title", "description", "number", "priority", "createdAt", "updatedAt")
    },
    "Team": {name: (lambda key: lambda s, e: e.get(key))(name) for name in ("id", "key", "name")},
    "WorkflowState": {
        name: (lambda key: lambda s, e: e.get(key))(name) for name in ("id", "name", "type")
    },
    "IssueLabel": {name: (lambda key: lambda s, e: e.get(key))(name) for name in ("id", "name")},
    "User": {
        name: (lambda key: lambda s, e: e.get(key))(name)
        for name in ("id", "name", "email", "displayName", "active")
    }
    | {"isMe": lambda s, e: e["id"] == s.viewer_id},
}
RELATIONS: dict[str, dict[str, tuple[str, Getter]]] = {
    "Issue": {
        "team": ("Team", lambda s, e: s.teams.get(e["teamId"])),
        "state": ("WorkflowState", lambda s, e: s.states.get(e["stateId"])),
        "parent": ("Issue", lambda s, e: s.issues.get(e["parentId"] or "")),
        "assignee": ("User", lambda s, e: s.users.get(e["assigneeId"] or "")),
    },
    "WorkflowState": {"team": ("Team", lambda s, e: s.teams.get(e["teamId"]))},
    "IssueLabel": {"team": ("Team", lambda s, e: s.teams.get(e["teamId"] or ""))},
}


def _compare(value: Any, comparator: dict[str, Any]) -> bool:
    text = value if isinstance(value, str) else None
    folded = text.casefold() if text is not None else None
    checks: dict[str, Callable[[Any], bool]] = {
        "eq": lambda x: value == x,
        "neq": lambda x: value != x,
        "in": lambda x: value in x,
        "nin": lambda x: value not in x,
        "null": lambda x: (value is None) == x,
        "gt": lambda x: value is not None and value > x,
        "gte": lambda x: value is not None and value >= x,
        "lt": lambda x: value is not None and value < x,
        "lte": lambda x: value is not None and value <= x,
        "contains": lambda x: text is not None and x in text,
        "notContains": lambda x: text is None or x not in text,
        "containsIgnoreCase": lambda x: folded is not None and x.casefold() in folded,
        "containsIgnoreCaseAndAccent": lambda x: folded is not None and x.casefold() in folded,
        "notContainsIgnoreCase": lambda x: folded is None or x.casefold() not in folded,
        "eqIgnoreCase": lambda x: folded is not None and folded == x.casefold(),
        "neqIgnoreCase": lambda x: folded is None or folded != x.casefold(),
        "startsWith": lambda x: text is not None and text.startswith(x),
        "startsWithIgnoreCase": lambda x: folded is not None and folded.startswith(x.casefold()),
        "notStartsWith": lambda x: text is None or not text.startswith(x),
        "endsWith": lambda x: text is not None and text.endswith(x),
        "notEndsWith": lambda x: text is None or not text.endswith(x),
    }
    for op, operand in comparator.items():
        if op not in checks:
            raise invalid_input(f"Emulator does not support the comparator {op}")
        if operand is not None and not checks[op](operand):
            return False
    return True


def matches(store: Store, kind: str, entity: dict[str, Any] | None, where: dict[str, Any]) -> bool:
    """Whether ``entity`` (of GraphQL type ``kind``) passes the filter ``where``."""
    for key, condition in where.items():
        if condition is None:
            continue
        if key == "and":
            ok = all(matches(store, kind, entity, c) for c in condition)
        elif key == "or":
            ok = any(matches(store, kind, entity, c) for c in condition)
        elif key in SCALARS.get(kind, {}):
            ok = entity is not None and _compare(SCALARS[kind][key](store, entity), condition)
        elif key in RELATIONS.get(kind, {}):
            related_kind, getter = RELATIONS[kind][key]
            related = getter(store, entity) if entity is not None else None
            rest = {k: v for k, v in condition.items() if k != "null"}
            ok = condition.get("null") in (None, related is None)
            ok = ok and (
                not rest or (related is not None and matches(store, related_kind, related, rest))
            )
        else:
            raise invalid_input(f"Emulator does not support filtering {kind} by {key}")
        if not ok:
            return False
    return True


def check_filter(kind: str, where: dict[str, Any]) -> None:
    """Refuse a filter field the emulator does not evaluate, even when nothing is to filter."""
    for key, condition in where.items():
        if key in ("and", "or"):
            for part in condition or []:
                check_filter(kind, part)
        elif key in RELATIONS.get(kind, {}):
            rest = {k: v for k, v in (condition or {}).items() if k != "null"}
            check_filter(RELATIONS[kind][key][0], rest)
        elif key not in SCALARS.get(kind, {}):
            raise invalid_input(f"Emulator does not support filtering {kind} by {key}")


def connection(
    store: Store,
    kind: str,
    items: list[dict[str, Any]],
    args: dict[str, Any],
) -> dict[str, Any]:
    """A Relay connection over ``items`` (oldest first) after filter and ``first``/``after``."""
    if not args.get("includeArchived"):
        items = [i for i in items if not i.get("archivedAt")]
    where = args.get("filter")
    if where:
        check_filter(kind, where)
        items = [i for i in items if matches(store, kind, i, where)]
    first = args.get("first")
    if first is not None and not 0 <= first <= MAX_PAGE:
        raise invalid_input(f"first must be between 0 and {MAX_PAGE}")
    if args.get("after"):
        ids = [i["id"] for i in items]
        if args["after"] not in ids:
            raise invalid_input("Cursor not found")
        items = items[ids.index(args["after"]) + 1 :]
    page = items[: first if first is not None else 50]
    return {
        "nodes": page,
        "edges": [{"node": item, "cursor": item["id"]} for item in page],
        "pageInfo": {
            "hasNextPage": len(items) > len(page),
            "hasPreviousPage": bool(args.get("after")),
            "startCursor": page[0]["id"] if page else None,
            "endCursor": page[-1]["id"] if page else None,
        },
    }


def by_time(entities: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities oldest first, as Linear orders by ``createdAt``."""
    return sorted(entities.values(), key=lambda e: e["createdAt"])
