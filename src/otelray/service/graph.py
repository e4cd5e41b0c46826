"""The service graph and trace graph (botocore ``GetServiceGraph`` / ``GetTraceGraph`` ``Service``
shape; X-Ray developer guide "Concepts: service graph", "Service map", "Getting data" example).

Nodes are (name, type, account) triples: instrumented services from their own segments (type =
segment ``origin``, ``State: active``, ``Root: true`` for entry points), inferred downstream nodes
from unanswered ``aws``/``remote`` subsegments (``State: unknown``) and one ``client`` node per root
service (same name, ``Type: client``, only ``Edges``, no statistics). A node's statistics come from
its own view of each request; an edge's from the caller's view (the caller's subsegment), except the
client edge, which carries the root segments' statistics. An edge whose caller named the callee
differently (subsegment name ≠ callee segment name) lists that name in ``Aliases``.

``ReferenceId`` numbers the nodes of one answer from 0 in (name, type, account) order; an edge's
``ReferenceId`` is its target's. Requests count in the window when they *start* inside
``[start, end)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from otelray.service.facts import ROOT, Node, Observation, TraceFacts
from otelray.service.stats import Stats

__all__ = ["build_service_graph", "trace_graph"]

NodeKey = tuple[str, str, str]  # (name, type or "", account or "")


@dataclass(slots=True)
class _Edge:
    stats: Stats = field(default_factory=Stats)
    aliases: set[tuple[str, str]] = field(default_factory=set)


@dataclass(slots=True)
class _Node:
    name: str
    type: str | None
    account_id: str | None
    inferred: bool = False
    root: bool = False
    client: bool = False
    stats: Stats = field(default_factory=Stats)
    edges: dict[NodeKey, _Edge] = field(default_factory=dict)


def _key(node: Node) -> NodeKey:
    return (node.name, node.type or "", node.account_id or "")


class _Graph:
    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.nodes: dict[NodeKey, _Node] = {}

    def node(self, node: Node) -> _Node:
        key = _key(node)
        acc = self.nodes.get(key)
        if acc is None:
            acc = self.nodes[key] = _Node(node.name, node.type, node.account_id, node.inferred)
        acc.root = acc.root or node.root
        return acc

    def client(self, root: Node) -> _Node:
        key = (root.name, "client", root.account_id or "")
        acc = self.nodes.get(key)
        if acc is None:
            acc = self.nodes[key] = _Node(root.name, "client", root.account_id, client=True)
        return acc

    def within(self, obs: Observation) -> bool:
        return self.start <= obs.start < self.end

    def add(self, facts: TraceFacts) -> None:
        nodes = facts.nodes
        for obs in facts.observations:
            if not self.within(obs):
                continue
            node = nodes[obs.node]
            self.node(node).stats.add(obs)
            if obs.flags & ROOT:
                self.client(node).edges.setdefault(_key(node), _Edge()).stats.add(obs)
        for call in facts.edges:
            if not self.within(call):
                continue
            source, target = nodes[call.node], nodes[call.target]
            self.node(target)
            edge = self.node(source).edges.setdefault(_key(target), _Edge())
            edge.stats.add(call)
            if call.alias:
                edge.aliases.add((call.alias, target.type or "remote"))

    def services(self) -> list[dict[str, Any]]:
        keys = sorted(self.nodes, key=lambda k: (k[0], k[1] != "client", k[1], k[2]))
        ref = {key: i for i, key in enumerate(keys)}
        return [_service(self.nodes[key], ref[key], ref) for key in keys]


def _times(stats: Stats) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stats.start is not None:
        out["StartTime"] = stats.start
    if stats.end is not None:
        out["EndTime"] = stats.end
    return out


def _edge(edge: _Edge, ref: int) -> dict[str, Any]:
    out: dict[str, Any] = {"ReferenceId": ref, **_times(edge.stats), "SummaryStatistics": edge.stats.statistics(),
                           "ResponseTimeHistogram": edge.stats.response_time_histogram()}
    out["Aliases"] = [{"Name": n, "Names": [n], "Type": t} for n, t in sorted(edge.aliases)]
    return out


def _service(node: _Node, ref: int, refs: dict[NodeKey, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"ReferenceId": ref, "Name": node.name, "Names": [node.name],
                           "Root": node.root and not node.client}
    if node.account_id:
        out["AccountId"] = node.account_id
    if node.type:
        out["Type"] = node.type
    out["State"] = "active" if not (node.client or node.inferred) else "unknown"
    edge_times = Stats()
    for edge in node.edges.values():
        edge_times.merge(edge.stats)
    out.update(_times(edge_times if node.client else node.stats))
    out["Edges"] = [_edge(node.edges[k], refs[k]) for k in sorted(node.edges, key=refs.__getitem__)]
    if not node.client:
        out["SummaryStatistics"] = node.stats.statistics()
        out["DurationHistogram"] = node.stats.duration_histogram()
        out["ResponseTimeHistogram"] = node.stats.response_time_histogram()
    return out


def build_service_graph(facts: Iterable[TraceFacts], start: float, end: float) -> list[dict[str, Any]]:
    """The ``Services`` of ``GetServiceGraph`` for the requests that started in ``[start, end)``."""
    graph = _Graph(start, end)
    for trace in facts:
        graph.add(trace)
    return graph.services()


def trace_graph(facts: Iterable[TraceFacts]) -> list[dict[str, Any]]:
    """The ``Services`` of ``GetTraceGraph``: the graph of the given traces, whatever their time."""
    return build_service_graph(facts, -math.inf, math.inf)
