"""Service-map layout: grandalf coordinates for X-Ray Services/Edges."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.console.layout import MAX_NODES, LayoutError, health, layout_services


def _stats(total: int, ok: int = 0, error: int = 0, throttle: int = 0, fault: int = 0, time: float = 0.0) -> dict[str, Any]:
    return {"TotalCount": total, "OkCount": ok, "TotalResponseTime": time,
            "ErrorStatistics": {"OtherCount": error, "ThrottleCount": throttle, "TotalCount": error + throttle},
            "FaultStatistics": {"OtherCount": fault, "TotalCount": fault}}


def _service(ref: int, name: str, edges: list[int], stats: dict[str, Any] | None = None, type_: str = "AWS::EC2::Instance"
             ) -> dict[str, Any]:
    service: dict[str, Any] = {"ReferenceId": ref, "Name": name, "Type": type_,
                               "Edges": [{"ReferenceId": e, "SummaryStatistics": _stats(2, ok=2, time=0.5)} for e in edges]}
    if stats is not None:
        service["SummaryStatistics"] = stats
    return service


def chain() -> list[dict[str, Any]]:
    return [
        _service(0, "web", [1], type_="client"),
        _service(1, "web", [2, 3], _stats(10, ok=7, error=1, throttle=1, fault=1, time=2.0)),
        _service(2, "orders", [3], _stats(4, ok=4, time=0.4)),
        _service(3, "orders-table", [], _stats(1, ok=1, time=0.01), type_="AWS::DynamoDB::Table"),
    ]


def test_health_counts_and_average() -> None:
    h = health(_stats(10, ok=7, error=1, throttle=1, fault=1, time=2.0))
    assert h == {"total": 10.0, "ok": 7.0, "error": 1.0, "throttle": 1.0, "fault": 1.0, "avg": 0.2}
    assert health(None)["avg"] == 0.0


def test_layers_run_left_to_right_and_edges_join_rims() -> None:
    graph = layout_services(chain())
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[0]["x"] < nodes[1]["x"] < nodes[2]["x"] < nodes[3]["x"]
    for node in nodes.values():
        assert 0 < node["x"] < graph["width"] and 0 < node["y"] < graph["height"]
    assert {(e["source"], e["target"]) for e in graph["edges"]} == {(0, 1), (1, 2), (1, 3), (2, 3)}
    for edge in graph["edges"]:
        start, end = edge["points"][0], edge["points"][-1]
        src, dst = nodes[edge["source"]], nodes[edge["target"]]
        assert abs(((start[0] - src["x"]) ** 2 + (start[1] - src["y"]) ** 2) ** 0.5 - src["r"]) < 0.2
        assert abs(((end[0] - dst["x"]) ** 2 + (end[1] - dst["y"]) ** 2) ** 0.5 - dst["r"]) < 0.2


def test_busier_nodes_are_bigger_and_clients_count_their_edges() -> None:
    nodes = {n["id"]: n for n in layout_services(chain())["nodes"]}
    assert nodes[1]["r"] > nodes[2]["r"] > nodes[3]["r"]
    assert nodes[0]["client"] and nodes[0]["r"] > nodes[3]["r"]
    assert nodes[1]["health"]["fault"] == 1.0


def test_cycles_self_loops_and_separate_components() -> None:
    services = [_service(0, "a", [1, 0], _stats(1, ok=1)), _service(1, "b", [0], _stats(1, ok=1)),
                _service(2, "lonely", [], _stats(1, ok=1))]
    graph = layout_services(services)
    loops = [e for e in graph["edges"] if e["source"] == e["target"]]
    assert len(loops) == 1 and loops[0]["points"] == []
    assert all(e["points"] for e in graph["edges"] if e["source"] != e["target"])
    ys = {n["name"]: n["y"] for n in graph["nodes"]}
    assert ys["lonely"] != ys["a"]


def test_edges_to_unknown_nodes_are_left_out() -> None:
    graph = layout_services([_service(0, "a", [7], _stats(1, ok=1))])
    assert graph["edges"] == []


def test_empty_and_oversized_graphs() -> None:
    assert layout_services([])["nodes"] == []
    with pytest.raises(LayoutError, match=f"at most {MAX_NODES}"):
        layout_services([_service(i, f"s{i}", []) for i in range(MAX_NODES + 1)])


def test_large_components_take_the_fast_placement() -> None:
    services = [_service(i, f"s{i}", [j for j in (i + 7, i + 11) if j < 240], _stats(1, ok=1)) for i in range(240)]
    graph = layout_services(services)
    positions = {(n["x"], n["y"]) for n in graph["nodes"]}
    assert len(positions) == 240, "two nodes share a position"
    nodes = {n["id"]: n for n in graph["nodes"]}
    for edge in graph["edges"]:
        assert nodes[edge["source"]]["x"] < nodes[edge["target"]]["x"]
        assert len(edge["points"]) >= 2
    for node in nodes.values():
        assert 0 < node["x"] < graph["width"] and 0 < node["y"] < graph["height"]


@st.composite
def service_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 25))
    services = []
    for ref in range(count):
        targets = draw(st.lists(st.integers(-2, count + 2), max_size=4))
        stats = draw(st.one_of(st.none(), st.builds(_stats, st.integers(0, 50), st.integers(0, 50))))
        services.append(_service(ref, draw(st.text(max_size=12)), targets, stats,
                                 type_=draw(st.sampled_from(["client", "AWS::EC2::Instance", "remote"]))))
    return services


@settings(max_examples=60, deadline=None)
@given(service_lists())
def test_any_graph_lays_out_inside_its_bounds(services: list[dict[str, Any]]) -> None:
    graph = layout_services(services)
    assert len(graph["nodes"]) == len(services)
    refs = {s["ReferenceId"] for s in services}
    for node in graph["nodes"]:
        assert 0 <= node["x"] <= graph["width"] and 0 <= node["y"] <= graph["height"]
    for edge in graph["edges"]:
        assert edge["target"] in refs
        for x, y in edge["points"]:
            assert -1 <= x <= graph["width"] + 1 and -1 <= y <= graph["height"] + 1
