"""Trace facts: TraceSummary values, graph observations, row round trip, inferred segments."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.service.facts import FAULT, MAX_ANNOTATIONS, ROOT, SUMMARY_COLUMNS, TraceFacts, trace_facts
from otelray.service.filters import compile_filter
from otelray.service.graph import trace_graph
from otelray.service.inferred import compile_trace, inferred_segments
from tests.unit.service.filters.corpus import API_TRACE, SDK_CAPTURE, T0, api, corpus, game, sdk_capture, shop

MODEL = botocore.session.get_session().get_service_model("xray")


def nodes(facts: TraceFacts) -> list[tuple[str, str | None, bool]]:
    return [(n.name, n.type, n.inferred) for n in facts.nodes]


def edges(facts: TraceFacts) -> list[tuple[str, str, str | None]]:
    return [(facts.nodes[e.node].name, facts.nodes[e.target].name, e.alias) for e in facts.edges]


@pytest.mark.parametrize("name", sorted(corpus()))
def test_summary_has_the_botocore_trace_summary_shape(name: str) -> None:
    summary = trace_facts(corpus()[name]).summary()
    report = ParamValidator().validate(summary, MODEL.shape_for("TraceSummary"))
    assert not report.has_errors(), report.generate_report()


def test_sdk_capture_summary() -> None:
    summary = trace_facts(sdk_capture()).summary()
    assert summary["Id"] == SDK_CAPTURE["trace_id"]
    assert summary["StartTime"] == SDK_CAPTURE["start_time"]
    assert summary["ResponseTime"] == pytest.approx(SDK_CAPTURE["end_time"] - SDK_CAPTURE["start_time"])
    assert summary["Http"] == {"HttpURL": "http://127.0.0.1/x", "HttpMethod": "GET", "HttpStatus": 200}
    # the downstream 503 is not the root's status: the trace is not a fault at trace level
    assert (summary["HasFault"], summary["HasError"], summary["HasThrottle"], summary["IsPartial"]) == (
        False, False, False, False)
    assert summary["Annotations"] == {"env": [{"AnnotationValue": {"StringValue": "test"},
                                               "ServiceIds": [{"Name": "envcheck-xray-sdk",
                                                               "Names": ["envcheck-xray-sdk"]}]}]}
    assert summary["EntryPoint"] == {"Name": "envcheck-xray-sdk", "Names": ["envcheck-xray-sdk"]}
    assert [s["Name"] for s in summary["ServiceIds"]] == ["envcheck-xray-sdk", "downstream-call"]
    cause = summary["FaultRootCauses"][0]
    assert cause["ClientImpacting"] is False
    assert cause["Services"][-1] == {"Name": "downstream-call", "Names": ["downstream-call"], "Type": "remote",
                                     "EntityPath": [{"Name": "downstream-call"}], "Inferred": True}


def test_shop_trace_nodes_edges_and_indexes() -> None:
    facts = trace_facts(shop())
    summary = facts.summary()
    assert nodes(facts) == [("shop", "AWS::EC2::Instance", False), ("payments", None, False),
                            ("orders", "AWS::DynamoDB::Table", True), ("orders@db.internal", "Database::SQL", True)]
    # the payments call is answered by the payments segment: alias records the caller's name for it
    assert edges(facts) == [("shop", "orders", None), ("shop", "payments", "payments.example.com"),
                            ("payments", "orders@db.internal", None)]
    assert summary["HasFault"] and not summary["HasError"] and not summary["IsPartial"]
    assert summary["Http"]["UserAgent"] == "curl/8.0" and summary["Http"]["ClientIp"] == "10.0.0.9"
    assert summary["Users"] == [{"UserName": "alice", "ServiceIds": [summary["EntryPoint"]]}]
    assert summary["EntryPoint"]["AccountId"] == "123456789012"
    assert summary["InstanceIds"] == [{"Id": "i-0abc"}]
    assert summary["AvailabilityZones"] == [{"Name": "us-east-1a"}]
    tier = summary["Annotations"]["customer_tier"]
    assert [s["Name"] for s in tier[0]["ServiceIds"]] == ["shop", "payments"]
    assert summary["Annotations"]["order_count"][0]["AnnotationValue"] == {"NumberValue": 7.0}
    assert facts.nodes[facts.entry].root and facts.observations[0].flags & ROOT


def test_shop_fault_root_cause_follows_the_faulting_path_to_the_database() -> None:
    cause = trace_facts(shop()).summary()["FaultRootCauses"]
    assert len(cause) == 1 and cause[0]["ClientImpacting"] is True
    services = cause[0]["Services"]
    assert [s["Name"] for s in services] == ["shop", "payments", "orders@db.internal"]
    assert services[-1]["Inferred"] is True and services[-1]["Type"] == "Database::SQL"
    last_entity = services[1]["EntityPath"][-1]
    assert last_entity == {"Name": "orders@db.internal", "Remote": True,
                           "Exceptions": [{"Name": "OperationalError", "Message": "deadlock detected"}]}


def test_response_time_root_cause_has_coverage() -> None:
    cause = trace_facts(shop()).summary()["ResponseTimeRootCauses"][0]
    path = [e for s in cause["Services"] for e in s["EntityPath"] if "Coverage" in e]
    assert path[0] == {"Name": "shop", "Coverage": 1.0, "Remote": False}
    assert path[1]["Name"] == "payments.example.com" and path[1]["Coverage"] == pytest.approx(0.7)


def test_in_progress_subsegment_makes_the_trace_partial_and_throttle_is_reported() -> None:
    facts = trace_facts(api())
    summary = facts.summary()
    assert summary["Id"] == API_TRACE
    assert summary["IsPartial"] and summary["HasThrottle"] and summary["HasError"] and not summary["HasFault"]
    assert ("jobs", "AWS::SQS::Queue", True) in nodes(facts)
    assert ("S3", "AWS::S3", True) in nodes(facts)
    assert summary["ResourceARNs"] == [{"ARN": "arn:aws:ecs:us-east-1:123456789012:task/abc"}]
    assert summary["AvailabilityZones"] == [{"Name": "us-east-1b"}]


def test_complete_document_supersedes_in_progress_copy_in_any_order() -> None:
    docs = game()
    for ordering in (docs, list(reversed(docs))):
        summary = trace_facts(ordering).summary()
        assert not summary["IsPartial"]
        assert summary["ResponseTime"] == pytest.approx(3.0)
        assert summary["Http"]["HttpStatus"] == 404 and summary["HasError"]


def test_only_in_progress_root_is_partial_without_response_time() -> None:
    summary = trace_facts([game()[0]]).summary()
    assert summary["IsPartial"] and "ResponseTime" not in summary and "Duration" not in summary


def test_independent_subsegment_before_its_parent_is_partial_until_the_parent_arrives() -> None:
    sql, root, callee = shop()
    assert trace_facts([sql, root]).summary()["IsPartial"]
    assert not trace_facts([sql, root, callee]).summary()["IsPartial"]


def test_traced_call_without_callee_segment_is_partial() -> None:
    _, root, _ = shop()
    assert trace_facts([root]).summary()["IsPartial"]  # payments call has http.request.traced = true


def test_status_code_classifies_when_flags_are_absent() -> None:
    doc = copy.deepcopy(SDK_CAPTURE)
    del doc["subsegments"][0]["fault"]
    facts = trace_facts([doc])
    assert facts.edges[0].flags == FAULT  # 503 without a fault flag


def test_row_round_trip_and_columns() -> None:
    for docs in corpus().values():
        facts = trace_facts(docs)
        row = facts.to_row()
        assert set(row) == set(SUMMARY_COLUMNS)
        assert TraceFacts.from_row(row) == facts
    row = trace_facts(shop()).to_row()
    assert row["services"].count("\x1f") == 8 and "\x1fpayments\x1f" in row["services"]
    assert "\x1forder_count=n:7.0\x1f" in row["annotations"] and "\x1fcustomer_tier=s:gold\x1f" in row["annotations"]
    assert row["flags"] & FAULT and row["http_status"] == 500 and row["duration"] == pytest.approx(0.5)


def test_inferred_segments_for_unanswered_downstream_calls() -> None:
    inferred = inferred_segments(shop())
    by_name = {d["name"]: d for d in inferred}
    assert set(by_name) == {"orders", "orders@db.internal"}  # payments answered the remote call itself
    table = by_name["orders"]
    assert table["origin"] == "AWS::DynamoDB::Table" and table["inferred"] is True
    assert table["parent_id"] == "a000000000000002" and table["start_time"] == T0 + 0.01
    assert table["aws"]["table_name"] == "orders" and len(table["id"]) == 16
    assert by_name["orders@db.internal"]["origin"] == "Database::SQL" and by_name["orders@db.internal"]["fault"]
    assert inferred_segments(shop()) == inferred  # ids are stable across reads


def test_inferred_segment_of_sdk_capture_matches_the_guide_shape() -> None:
    (seg,) = inferred_segments(sdk_capture())
    sub = SDK_CAPTURE["subsegments"][0]
    assert seg == {"id": seg["id"], "name": "downstream-call", "trace_id": SDK_CAPTURE["trace_id"],
                   "parent_id": sub["id"], "start_time": sub["start_time"], "end_time": sub["end_time"],
                   "inferred": True, "http": sub["http"], "fault": True, "origin": "remote"}


def test_in_progress_downstream_call_gives_in_progress_inferred_segment() -> None:
    pending = [d for d in inferred_segments(api()) if d["parent_id"] == "b000000000000004"]
    assert pending and pending[0]["in_progress"] is True and "end_time" not in pending[0]


def test_parent_id_cycle_between_independent_subsegments_does_not_hang() -> None:
    a = {"id": "d000000000000001", "trace_id": API_TRACE, "type": "subsegment", "parent_id": "d000000000000002",
         "name": "a", "start_time": T0, "end_time": T0 + 1}
    b = dict(a, id="d000000000000002", parent_id="d000000000000001", name="b")
    trace = compile_trace([a, b])
    assert len(list(trace.entities())) == 2
    assert trace_facts([a, b]).summary()["IsPartial"]


def test_deeply_nested_subsegments() -> None:
    root: dict = {"id": "f000000000000000", "trace_id": API_TRACE, "name": "deep", "start_time": T0,
                  "end_time": T0 + 1}
    current = root
    for i in range(1, 1500):
        child = {"id": f"f{i:015x}", "name": f"s{i}", "start_time": T0, "end_time": T0 + 1}
        current["subsegments"] = [child]
        current = child
    facts = trace_facts([root])
    assert facts.response_time == 1.0 and len(compile_trace([root]).by_id) == 1500


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
OPTIONAL_KEYS = ["http", "aws", "annotations", "subsegments", "user", "origin", "parent_id", "namespace", "sql",
                 "cause", "error", "fault", "throttle", "in_progress", "end_time", "resource_arn", "type"]


@st.composite
def documents(draw: st.DrawFn) -> dict:
    doc = {"id": draw(st.sampled_from(["a000000000000001", "a000000000000002", "a000000000000003"])),
           "trace_id": API_TRACE, "name": draw(st.text(max_size=5)), "start_time": T0 + draw(st.floats(0, 5))}
    for key in draw(st.lists(st.sampled_from(OPTIONAL_KEYS), max_size=6, unique=True)):
        doc[key] = draw(JSON | st.sampled_from(["aws", "remote", "subsegment", "a000000000000001"]))
    return doc


FUZZ_FILTERS = [compile_filter(e) for e in (
    'service() { fault }', 'rootcause.fault.entity { remote }', 'user = "x"', "annotation.a = 1", 'name CONTAINS "a"',
    'edge(id(type: "remote"), id(type: "remote")) { ok }', 'rootcause.json = #[{"ClientImpacting": true}]', "http.url")]


@settings(max_examples=200, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4))
def test_odd_optional_fields_never_crash_facts_graph_or_inferred(docs: list[dict]) -> None:
    facts = trace_facts(docs)
    summary = facts.summary()
    assert summary["Id"] == API_TRACE
    assert TraceFacts.from_row(facts.to_row()) == facts
    trace_graph([facts])
    inferred_segments(docs)
    for filt in FUZZ_FILTERS:
        filt.matches(facts)


def test_facts_of_another_format_version_are_refused_clearly() -> None:
    row = trace_facts(shop()).to_row()
    row["facts"] = row["facts"].replace('"v":2', '"v":1', 1)
    with pytest.raises(ValueError, match="format 1, not 2: derive them again"):
        TraceFacts.from_row(row)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xray" / "segments"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_bytes())


def test_real_boto3_dynamodb_calls_become_table_nodes_with_the_failed_call_as_root_cause() -> None:
    doc = fixture("sdk_boto3")  # aws-xray-sdk 2.15 + botocore patch, boto3 against moto_server
    facts = trace_facts([doc])
    assert nodes(facts) == [("orders-service", None, False), ("orders", "AWS::DynamoDB::Table", True),
                            ("missing", "AWS::DynamoDB::Table", True)]
    assert edges(facts) == [("orders-service", "orders", None)] * 2 + [("orders-service", "missing", None)]
    summary = facts.summary()
    assert not summary["HasFault"] and not summary["HasError"]  # the root segment itself succeeded
    cause = summary["ErrorRootCauses"][0]
    assert cause["ClientImpacting"] is False
    entity = cause["Services"][0]["EntityPath"][-1]
    assert entity["Name"] == "dynamodb" and entity["Remote"] is True
    assert entity["Exceptions"][0]["Name"] == "ResourceNotFoundException"
    assert cause["Services"][-1] == {"Name": "missing", "Names": ["missing"], "Type": "AWS::DynamoDB::Table",
                                     "EntityPath": [{"Name": "missing"}], "Inferred": True}
    inferred = inferred_segments([doc])
    assert [(s["name"], s["origin"], s["aws"]["operation"]) for s in inferred] == [
        ("orders", "AWS::DynamoDB::Table", "CreateTable"), ("orders", "AWS::DynamoDB::Table", "PutItem"),
        ("missing", "AWS::DynamoDB::Table", "GetItem")]
    assert inferred[-1]["error"] and inferred[-1]["http"] == {"response": {"status": 400}}


def test_real_streamed_subsegments_attach_to_the_segment_sent_after_them() -> None:
    docs = [fixture(f"sdk_streamed_{i}") for i in range(3)]  # streaming_threshold=0: children first
    for ordering in (docs, list(reversed(docs))):
        facts = trace_facts(ordering)
        assert nodes(facts) == [("streaming-service", None, False), ("step-2", "remote", True)]
        assert not facts.summary()["IsPartial"]
    assert trace_facts(docs[:2]).summary()["IsPartial"]  # parent not yet arrived


def test_real_exception_and_sql_documents() -> None:
    fault = trace_facts([fixture("sdk_exception")]).summary()
    assert fault["HasFault"] and fault["Http"] == {"HttpStatus": 500}
    path = fault["FaultRootCauses"][0]["Services"][0]["EntityPath"]
    assert path[-1] == {"Name": "charge", "Remote": False,
                        "Exceptions": [{"Name": "ZeroDivisionError", "Message": "division by zero"}]}
    sql = trace_facts([fixture("sdk_sqlite")])
    assert nodes(sql)[1:] == [(":memory:", "Database::SQL", True)]
    basic = trace_facts([fixture("sdk_basic")]).summary()
    assert basic["Users"][0]["UserName"] == "alice" and set(basic["Annotations"]) == {"env", "items", "premium"}


def test_at_most_fifty_annotation_keys_are_indexed_per_trace() -> None:
    _, root, callee = shop()
    root["annotations"] = {f"k{i:02d}": i for i in range(40)}
    callee["annotations"] = {f"c{i:02d}": i for i in range(30)} | {"k00": 0}
    summary = trace_facts([root, callee]).summary()
    assert len(summary["Annotations"]) == MAX_ANNOTATIONS == 50
    assert "c09" in summary["Annotations"] and "c10" not in summary["Annotations"]
    assert [s["Name"] for s in summary["Annotations"]["k00"][0]["ServiceIds"]] == ["shop", "payments"]
