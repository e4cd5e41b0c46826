"""The service graph and trace graph (botocore ``GetServiceGraph`` / ``GetTraceGraph`` ``Service``
shape; X-Ray developer guide "Concepts: service graph", "Service map", "Getting data" example).

Nodes are (name, type, account) triples: instrumented services from their own segments (type =
segment ``origin``, ``State: active``, ``Root: true`` for entry points), inferred downstream nodes
from unanswered ``aws``/``remote`` subsegments (``State: unknown``) and one ``client`` node per root
service (same name, ``Type: client``, only ``Edges``, no statistics). A node's statistics come from
its own view of each request; an edge's from the caller's view (the caller's subsegment), except the
client edge, which carries the root segments' statistics. An edge whose caller named the callee
differently (subsegment name ≠ callee segment name) lists that name in ``Aliases``.

``ReferenceId`` numbers the nodes of one answer from 0 by name (a client node before the service it
calls), type and account; an edge's
``ReferenceId`` is its target's. Requests count in the window when they *start* inside
``[start, end)``.

Everything is built from *entries* ``(time, source, target, alias, Stats | Observation)`` (``target``
``None`` = the source node's own requests). ``entries(facts)`` gives one per request; ``rollup(facts)`` sums them
per minute so a store can keep per-minute rollups at ingest (add the new facts' rollup, subtract the
old one) and answer graphs from them (``reference/store-feasibility.md`` §2: 8 ms instead of seconds).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from otelray.service.facts import ROOT, Node, Observation, TraceFacts
from otelray.service.stats import Stats

__all__ = [
    "Entry",
    "NodeRef",
    "build_service_graph",
    "entries",
    "entries_from_rows",
    "merge_row",
    "rollup",
    "rollup_rows",
    "service_graph_from_entries",
    "trace_graph",
]

#: A node: (name, type or "", account id or "", inferred). Client nodes have type "client".
NodeRef = tuple[str, str, str, bool]
#: (time, source, target or None for the source's own requests, alias, one request or summed statistics)
Entry = tuple[float, NodeRef, "NodeRef | None", str, "Stats | Observation"]


def _ref(node: Node) -> NodeRef:
    return (node.name, node.type or "", node.account_id or "", node.inferred)


def entries(facts: TraceFacts) -> Iterator[Entry]:
    """One entry per request of the trace: node views, client → root calls, service → service calls.

    The last item of a per-request entry is the ``Observation`` itself; ``Stats.fold`` accepts both.
    """
    nodes = facts.nodes
    for obs in facts.observations:
        node = nodes[obs.node]
        ref = _ref(node)
        yield (obs.start, ref, None, "", obs)
        if obs.flags & ROOT:
            yield (obs.start, (node.name, "client", node.account_id or "", False), ref, "", obs)
    for call in facts.edges:
        yield (call.start, _ref(nodes[call.node]), _ref(nodes[call.target]), call.alias or "", call)


def rollup(facts: TraceFacts, bucket_seconds: int = 60) -> dict[tuple[int, NodeRef, NodeRef | None, str], Stats]:
    """The trace's entries summed per ``bucket_seconds`` bucket (key: bucket start, source, target, alias)."""
    out: dict[tuple[int, NodeRef, NodeRef | None, str], Stats] = {}
    for time, source, target, alias, item in entries(facts):
        key = (int(time // bucket_seconds * bucket_seconds), source, target, alias)
        found = out.get(key)
        if found is None:
            found = out[key] = Stats()
        found.fold(item)
    return out


def rollup_rows(facts: TraceFacts, bucket_seconds: int = 60) -> list[tuple[int, str, list[Any]]]:
    """``rollup`` as storable rows ``(bucket start, key JSON, Stats.to_list())``.

    A store keeps one row per (bucket, key): on a trace update it subtracts the rows of the trace's
    previous facts and adds these (``merge_row``); ``entries_from_rows`` reads them back.
    """
    return [(bucket, orjson.dumps([source, target, alias]).decode(), stats.to_list())
            for (bucket, source, target, alias), stats in rollup(facts, bucket_seconds).items()]


def merge_row(stored: list[Any] | None, change: list[Any], *, subtract: bool = False) -> list[Any] | None:
    """Combine a stored rollup value with one trace's contribution.

    Returns ``None`` when a subtraction leaves no completed request (delete the row). Start and end
    times only widen: after a subtraction they may still cover the removed requests.
    """
    total = Stats.from_list(stored) if stored is not None else Stats()
    delta = Stats.from_list(change)
    if subtract:
        total.subtract(delta)
        if total.total <= 0 and not total.response_times:
            return None
    else:
        total.merge(delta)
    return total.to_list()


def entries_from_rows(rows: Iterable[tuple[int, str, list[Any]]]) -> Iterator[Entry]:
    """Graph entries of stored rollup rows (for ``service_graph_from_entries`` and time series)."""
    for bucket, key, value in rows:
        source, target, alias = orjson.loads(key)
        yield (float(bucket), _node_ref(source), _node_ref(target) if target else None, alias, Stats.from_list(value))


def _node_ref(value: list[Any]) -> NodeRef:
    name, type_, account, inferred = value
    return (str(name), str(type_), str(account), bool(inferred))


@dataclass(slots=True)
class _Node:
    ref: NodeRef
    root: bool = False
    stats: Stats = field(default_factory=Stats)
    edges: dict[NodeRef, Stats] = field(default_factory=dict)
    aliases: dict[NodeRef, set[str]] = field(default_factory=dict)

    @property
    def client(self) -> bool:
        return self.ref[1] == "client"


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[tuple[str, str, str], _Node] = {}

    def node(self, ref: NodeRef) -> _Node:
        key = (ref[0], ref[1], ref[2])
        found = self.nodes.get(key)
        if found is None:
            found = self.nodes[key] = _Node(ref)
        return found

    def add(self, source: NodeRef, target: NodeRef | None, alias: str, stats: Stats | Observation) -> None:
        node = self.node(source)
        if target is None:
            node.stats.fold(stats)
            return
        callee = self.node(target)
        callee.root = callee.root or node.client
        edge = node.edges.get(target)
        if edge is None:
            edge = node.edges[target] = Stats()
        edge.fold(stats)
        if alias:
            node.aliases.setdefault(target, set()).add(alias)

    def services(self) -> list[dict[str, Any]]:
        keys = sorted(self.nodes, key=lambda k: (k[0], k[1] != "client", k[1], k[2]))
        refs = {key: i for i, key in enumerate(keys)}
        return [_service(self.nodes[key], i, refs) for i, key in enumerate(keys)]


def _times(stats: Stats) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stats.start is not None:
        out["StartTime"] = stats.start
    if stats.end is not None:
        out["EndTime"] = stats.end
    return out


def _edge(stats: Stats, ref: int, target: NodeRef, aliases: set[str]) -> dict[str, Any]:
    return {"ReferenceId": ref, **_times(stats), "SummaryStatistics": stats.statistics(),
            "ResponseTimeHistogram": stats.response_time_histogram(),
            "Aliases": [{"Name": a, "Names": [a], "Type": target[1] or "remote"} for a in sorted(aliases)]}


def _service(node: _Node, ref: int, refs: dict[tuple[str, str, str], int]) -> dict[str, Any]:
    name, type_, account, inferred = node.ref
    out: dict[str, Any] = {"ReferenceId": ref, "Name": name, "Names": [name], "Root": node.root and not node.client}
    if account:
        out["AccountId"] = account
    if type_:
        out["Type"] = type_
    out["State"] = "unknown" if node.client or inferred else "active"
    span = Stats()
    for edge in node.edges.values():
        span.merge(edge)
    out.update(_times(span if node.client else node.stats))
    targets = sorted(node.edges, key=lambda t: refs[(t[0], t[1], t[2])])
    out["Edges"] = [_edge(node.edges[t], refs[(t[0], t[1], t[2])], t, node.aliases.get(t, set())) for t in targets]
    if not node.client:
        out["SummaryStatistics"] = node.stats.statistics()
        out["DurationHistogram"] = node.stats.duration_histogram()
        out["ResponseTimeHistogram"] = node.stats.response_time_histogram()
    return out


def service_graph_from_entries(items: Iterable[Entry], start: float, end: float) -> list[dict[str, Any]]:
    """The ``Services`` of the entries whose time lies in ``[start, end)`` (entries or rollup items)."""
    graph = _Graph()
    for time, source, target, alias, stats in items:
        if start <= time < end:
            graph.add(source, target, alias, stats)
    return graph.services()


def build_service_graph(facts: Iterable[TraceFacts], start: float, end: float) -> list[dict[str, Any]]:
    """The ``Services`` of ``GetServiceGraph`` for the requests that started in ``[start, end)``."""
    return service_graph_from_entries((e for f in facts for e in entries(f)), start, end)


def trace_graph(facts: Iterable[TraceFacts]) -> list[dict[str, Any]]:
    """The ``Services`` of ``GetTraceGraph``: the graph of the given traces, whatever their time."""
    return build_service_graph(facts, -math.inf, math.inf)
