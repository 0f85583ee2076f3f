"""Language-neutral import-cycle algorithms: strongly connected components, concrete cycles.

Both the Python import graph and the JS/TS one run on these: nodes are module (or file) names,
edges are ``(importer, imported)`` pairs split into eager ones (run at load time) and lazy ones
(type-only imports left out by the caller; lazy = inside a function, ``import()``...). A cycle
closed by eager edges fails at load time; one that lazy edges close is only "deferred".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence

from workflows.analysis.models import Finding
from workflows.analysis.reporter import Reporter

__all__ = [
    "DEFERRED_CONFIDENCE",
    "CyclePath",
    "cycle_finding",
    "find_import_cycles",
    "shortest_cycle",
    "strongly_connected_components",
]

DEFERRED_CONFIDENCE = 60
"""Confidence of a cycle closed only by lazy imports (no load-time failure, still coupling)."""

Pair = tuple[str, str]
CyclePath = tuple[tuple[str, ...], tuple[str, ...], bool]
"""(path, group, deferred): ``path[0] -> ... -> path[0]`` in the sorted strongly connected
``group``, ``deferred`` when only lazy edges close it."""


def strongly_connected_components(
    graph: Mapping[str, Collection[str]], nodes: Iterable[str] = ()
) -> list[list[str]]:
    """Tarjan's algorithm without recursion; sorted components in reverse topological order.

    ``graph`` maps each node to its successors; successors missing from it count as leaves.
    Roots are taken from ``nodes`` first, then from ``graph``'s keys.
    """
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> tuple[str, list[str]]:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return node, sorted(graph.get(node, ()), reverse=True)  # popped in ascending order

    for start in (*nodes, *graph):
        if start in index:
            continue
        work = [visit(start)]
        while work:
            node, successors = work[-1]
            if successors:
                nxt = successors.pop()
                if nxt not in index:
                    work.append(visit(nxt))
                elif nxt in on_stack:
                    lowlink[node] = min(lowlink[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                cut = len(stack) - 1
                while stack[cut] != node:  # from the top: O(component), not O(stack)
                    cut -= 1
                component, stack[cut:] = stack[cut:], []
                on_stack.difference_update(component)
                components.append(sorted(component))
    return components


def shortest_cycle(
    start: str,
    members: Collection[str],
    graph: Mapping[str, Collection[str]],
    required: Collection[Pair] = frozenset(),
) -> list[str]:
    """The shortest path ``start -> ... -> start`` inside ``members`` (without the repeat), by
    BFS, using at least one edge of ``required`` when that is given; ``[start]`` if none."""
    begin = (start, not required)
    previous: dict[tuple[str, bool], tuple[str, bool] | None] = {begin: None}
    queue = deque([begin])
    while queue:
        state = queue.popleft()
        node, satisfied = state
        for nxt in sorted(graph.get(node, ())):
            flag = satisfied or (node, nxt) in required
            if nxt == start and flag:
                path: list[str] = []
                current: tuple[str, bool] | None = state
                while current is not None:
                    path.append(current[0])
                    current = previous[current]
                return path[::-1]
            following = (nxt, flag)
            if nxt in members and nxt != start and following not in previous:
                previous[following] = state
                queue.append(following)
    return [start]


def _adjacency(edges: Iterable[Pair], self_edges: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        if self_edges or source != target:
            graph.setdefault(source, set()).add(target)
    return graph


def find_import_cycles(
    nodes: Iterable[str],
    eager: Collection[Pair],
    lazy: Collection[Pair],
    *,
    self_edges: bool = False,
) -> list[CyclePath]:
    """Load-time cycles over ``eager`` edges (eager self-imports included), then the groups that
    ``lazy`` edges tie together on top of them (deferred), sorted by (path, deferred).

    ``self_edges`` keeps self-imports in the graphs the cycle paths are searched in (so a group
    member importing itself can close its group's path on its own).
    """
    node_list = sorted(nodes)
    eager = set(eager)
    found: list[CyclePath] = [((s,), (s,), False) for s, t in sorted(eager) if s == t]
    eager_graph = _adjacency(eager, self_edges)
    eager_groups: set[tuple[str, ...]] = set()
    for component in strongly_connected_components(eager_graph, node_list):
        if len(component) > 1:
            group = tuple(component)
            eager_groups.add(group)
            path = shortest_cycle(group[0], set(group), eager_graph)
            found.append((tuple(path), group, False))
    full_graph = _adjacency([*eager, *lazy], self_edges)
    lazy_only = frozenset(lazy) - eager
    for component in strongly_connected_components(full_graph, node_list):
        group = tuple(component)
        if len(group) > 1 and group not in eager_groups:
            members = set(group)
            inside = frozenset(p for p in lazy_only if p[0] in members and p[1] in members)
            path = shortest_cycle(group[0], members, full_graph, inside)
            found.append((tuple(path), group, True))
    return sorted(found, key=lambda cycle: (cycle[0], cycle[2]))


def cycle_finding(
    report: Reporter,
    cycle: Sequence[str],
    *,
    group_size: int,
    deferred: bool,
    members: str,
    lazy: str,
    path: str,
    line: int,
    end_line: int,
    symbol: str,
) -> Finding:
    """The finding ``report`` (an import-cycle rule's) makes of one cycle, reported
    at ``path``/``line``: "import cycle: a -> b -> a (notes)", ``cycle`` naming the modules.

    The notes say how many ``members`` (e.g. "modules") the group has when the cycle skips some,
    and that ``lazy`` (e.g. "an import inside a function") closes a deferred cycle.
    """
    notes = []
    if group_size > len(cycle):
        notes.append(f"{group_size} {members} import each other in this group")
    if deferred:
        notes.append(f"closed by {lazy}")
    message = "import cycle: " + " -> ".join((*cycle, cycle[0]))
    if notes:
        message += f" ({'; '.join(notes)})"
    confidence = DEFERRED_CONFIDENCE if deferred else 100
    return report.finding(path, line, end_line, message, symbol=symbol, confidence=confidence)
