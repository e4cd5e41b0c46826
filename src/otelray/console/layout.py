"""Service-map layout: X-Ray ``Service``/``Edge`` lists laid out with grandalf, drawn by the console as SVG.

The console draws the service map and the trace map (X-Ray developer guide "Viewing the service
map"; reference §4 and §8.3): one node per ``Service`` of a GetServiceGraph or GetTraceGraph answer,
one edge per ``Edge`` (target = the node whose ``ReferenceId`` it names), nodes sized by traffic and
ringed by the share of OK (2xx), error (4xx other than 429), throttle (429) and fault (5xx) requests,
edges labelled with their average latency. Positions come from grandalf's Sugiyama (layered) layout,
computed here on the server (no JavaScript graph library); layers run left to right, connected
components are stacked top to bottom. Self-loops are kept as edges without a route (the browser
draws them as a small arc).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout
from grandalf.routing import route_with_lines

__all__ = ["MAX_NODES", "LayoutError", "health", "layout_services"]

#: Largest graph laid out (the X-Ray console displays up to 10,000 nodes; grandalf is pure Python and
#: takes seconds past a few hundred nodes — ``bench/console.py`` measures it).
MAX_NODES = 1000
#: Above this many nodes in a component, one crossing-reduction sweep and plain in-layer spacing
#: replace grandalf's 1.5 sweeps and Brandes–Köpf placement, which grows far faster than linearly
#: (400 nodes: 10 s, 1000 nodes: minutes); see ``bench/console.py``.
_FAST_ABOVE = 150
#: Node radius range in SVG units: the busiest node gets ``_R_MAX``, a node without traffic ``_R_MIN``.
_R_MIN, _R_MAX = 16.0, 34.0
_LAYER_GAP = 170.0
_SIBLING_GAP = 46.0
_MARGIN = 60.0
#: Room right of the last layer for node labels, which are wider than their circles.
_LABEL_ROOM = 70.0


class LayoutError(ValueError):
    """The graph cannot be laid out (too many nodes)."""


@dataclass(slots=True)
class _Box:
    """grandalf vertex view: width/height in, centre ``xy`` out."""

    w: float
    h: float
    xy: tuple[float, float] = (0.0, 0.0)


@dataclass(slots=True)
class _Path:
    """grandalf edge view: the routed polyline."""

    points: list[tuple[float, float]] = field(default_factory=list)

    def setpath(self, pts: list[tuple[float, float]]) -> None:
        self.points = [(float(x), float(y)) for x, y in pts]


def health(statistics: dict[str, Any] | None) -> dict[str, float]:
    """Counts and average response time of an X-Ray ``ServiceStatistics``/``EdgeStatistics`` value.

    Returns:
        ``total``, ``ok``, ``error`` (4xx other than throttle), ``throttle``, ``fault`` counts and
        ``avg`` response time in seconds (0 when nothing completed).
    """
    stats = statistics or {}
    errors = stats.get("ErrorStatistics") or {}
    faults = stats.get("FaultStatistics") or {}
    total = float(stats.get("TotalCount") or 0)
    return {
        "total": total,
        "ok": float(stats.get("OkCount") or 0),
        "error": float(errors.get("OtherCount") or 0),
        "throttle": float(errors.get("ThrottleCount") or 0),
        "fault": float(faults.get("TotalCount") or 0),
        "avg": float(stats.get("TotalResponseTime") or 0) / total if total else 0.0,
    }


def _node_traffic(service: dict[str, Any], inbound: dict[int, float]) -> float:
    """Requests a node served; client nodes have no statistics, so their outgoing edges count."""
    own = health(service.get("SummaryStatistics"))["total"]
    if own:
        return own
    out = sum(health(e.get("SummaryStatistics"))["total"] for e in service.get("Edges") or ())
    return max(out, inbound.get(service.get("ReferenceId", -1), 0.0))


def _node(service: dict[str, Any], radius: float) -> dict[str, Any]:
    return {
        "id": service["ReferenceId"],
        "name": service.get("Name") or "",
        "names": service.get("Names") or [],
        "type": service.get("Type") or "",
        "root": bool(service.get("Root")),
        "client": service.get("Type") == "client",
        "r": round(radius, 1),
        "health": health(service.get("SummaryStatistics")),
        "histogram": service.get("ResponseTimeHistogram") or [],
        "x": 0.0,
        "y": 0.0,
    }


def _edge(source: int, edge: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": source,
        "target": edge["ReferenceId"],
        "health": health(edge.get("SummaryStatistics")),
        "histogram": edge.get("ResponseTimeHistogram") or [],
        "aliases": [a.get("Name", "") for a in edge.get("Aliases") or ()],
        "link": edge.get("EdgeType") == "link",
        "points": [],
    }


def _radii(services: list[dict[str, Any]]) -> dict[int, float]:
    inbound: dict[int, float] = {}
    for service in services:
        for edge in service.get("Edges") or ():
            ref = edge.get("ReferenceId")
            inbound[ref] = inbound.get(ref, 0.0) + health(edge.get("SummaryStatistics"))["total"]
    traffic = {s["ReferenceId"]: _node_traffic(s, inbound) for s in services}
    busiest = max(traffic.values(), default=0.0) or 1.0
    return {ref: _R_MIN + (_R_MAX - _R_MIN) * math.sqrt(t / busiest) for ref, t in traffic.items()}


def layout_services(services: list[dict[str, Any]]) -> dict[str, Any]:
    """Lay out an X-Ray ``Services`` list.

    Args:
        services: ``Services`` of a GetServiceGraph or GetTraceGraph response.

    Returns:
        ``{"nodes": [...], "edges": [...], "width": w, "height": h}``; each node has ``id`` (its
        ``ReferenceId``), ``name``, ``type``, ``x``/``y`` (centre), ``r``, ``health`` and ``histogram``;
        each edge ``source``/``target`` ids, ``points`` (SVG polyline), ``health`` and ``histogram``.

    Raises:
        LayoutError: more than ``MAX_NODES`` services.
    """
    if len(services) > MAX_NODES:
        raise LayoutError(f"the graph has {len(services)} nodes; the console lays out at most {MAX_NODES}")
    services = [s for s in services if isinstance(s.get("ReferenceId"), int)]
    radii = _radii(services)
    nodes = {s["ReferenceId"]: _node(s, radii[s["ReferenceId"]]) for s in services}
    edges = [_edge(s["ReferenceId"], e) for s in services for e in s.get("Edges") or () if e.get("ReferenceId") in nodes]
    width, height = _place(nodes, edges)
    return {"nodes": list(nodes.values()), "edges": edges, "width": round(width, 1), "height": round(height, 1)}


def _place(nodes: dict[int, dict[str, Any]], edges: list[dict[str, Any]]) -> tuple[float, float]:
    """Run grandalf per connected component; write node centres and edge polylines in place."""
    vertices = {}
    for ref, node in nodes.items():
        vertex = Vertex(ref)
        # grandalf lays layers top to bottom; the map runs left to right, so width and height swap.
        vertex.view = _Box(w=2 * node["r"] + _SIBLING_GAP, h=2 * node["r"])
        vertices[ref] = vertex
    routed: list[tuple[dict[str, Any], Edge]] = []
    for edge in edges:
        if edge["source"] == edge["target"]:
            continue
        link = Edge(vertices[edge["source"]], vertices[edge["target"]])
        link.view = _Path()
        routed.append((edge, link))
    graph = Graph(list(vertices.values()), [link for _, link in routed])
    offset = _MARGIN
    width = 0.0
    for component in graph.C:
        layout = SugiyamaLayout(component)
        layout.yspace = _LAYER_GAP
        layout.xspace = 10.0
        layout.route_edge = route_with_lines
        layout.init_all()
        if len(component.sV) <= _FAST_ABOVE:
            layout.draw()
        else:
            _draw_fast(layout)
        # extents over every vertex of the layers, dummies of long edges included (their routes)
        placed = [v for layer in layout.layers for v in layer] or list(component.sV)
        xs = [v.view.xy[0] - v.view.w / 2 for v in placed]
        ys = [v.view.xy[1] for v in placed]
        left, top = min(xs), min(ys)
        span = max(v.view.xy[0] + v.view.w / 2 for v in placed) - left
        for vertex in component.sV:
            x, y = vertex.view.xy
            nodes[vertex.data].update(x=round(_MARGIN + y - top, 1), y=round(offset + x - left, 1))
        width = max(width, 2 * _MARGIN + _LABEL_ROOM + max(ys) - top)
        offset += span + _SIBLING_GAP
    for edge, link in routed:
        ends = nodes[edge["source"]], nodes[edge["target"]]
        edge["points"] = _route(link.view.points, ends, vertices[edge["source"]])
    return width, offset + _MARGIN


def _draw_fast(layout: SugiyamaLayout) -> None:
    """grandalf's layering and one ordering sweep; vertices spaced evenly in their layer, centred."""
    for _ in layout.ordering_step(oneway=True):
        pass
    y = 0.0
    widths = [sum(v.view.w for v in layer) + layout.xspace * (len(layer) - 1) for layer in layout.layers]
    widest = max(widths, default=0.0)
    for layer, width in zip(layout.layers, widths, strict=True):
        half = max(v.view.h / 2.0 for v in layer)
        x = (widest - width) / 2.0
        for vertex in layer:
            vertex.view.xy = (x + vertex.view.w / 2.0, y + half)
            x += vertex.view.w + layout.xspace
        y += 2 * half + layout.yspace
    layout.draw_edges()


def _route(points: list[tuple[float, float]], ends: tuple[dict[str, Any], dict[str, Any]],
           src_vertex: Vertex) -> list[list[float]]:
    """The polyline of one edge in map coordinates: from the source's rim to the target's rim."""
    source, target = ends
    # grandalf's routed points are in the component's own frame; map them like the vertices were.
    dx = source["x"] - src_vertex.view.xy[1]
    dy = source["y"] - src_vertex.view.xy[0]
    inner = [[round(y + dx, 1), round(x + dy, 1)] for x, y in points[1:-1]]
    start, end = (source["x"], source["y"]), (target["x"], target["y"])
    first = inner[0] if inner else [end[0], end[1]]
    last = inner[-1] if inner else [start[0], start[1]]
    return [_rim(start, first, source["r"]), *inner, _rim(end, last, target["r"])]


def _rim(centre: tuple[float, float], toward: list[float], radius: float) -> list[float]:
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    length = math.hypot(dx, dy) or 1.0
    return [round(centre[0] + dx / length * radius, 1), round(centre[1] + dy / length * radius, 1)]
