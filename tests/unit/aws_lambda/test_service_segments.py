"""The Lambda service's own segments for local runs: ids, parentage, sampling, error cause."""

from __future__ import annotations

import json

from otelray.aws_lambda.service_segments import InvocationRecord, build_segments, start_trace
from otelray.xray.validate import validate_document

TRACE = "1-5759e988-bd862e3fe1be46a994272793"


def record(**changes: object) -> InvocationRecord:
    base = dict(function_name="orders", function_arn="arn:aws:lambda:us-east-1:123456789012:function:orders",
                request_id="r-1", start=1700000000.0, end=1700000000.5, invocation=(1700000000.2, 1700000000.4),
                initialization=(1700000000.0, 1700000000.2), status="success")
    return InvocationRecord(**{**base, **changes})  # type: ignore[arg-type]


def test_function_receives_its_segment_as_parent() -> None:
    trace = start_trace(f"Root={TRACE};Parent=53995c3f42cd8ad8;Sampled=1")
    assert trace is not None
    assert trace.function_header == f"Root={TRACE};Parent={trace.function_id};Sampled=1"
    service, function = build_segments(trace, record())
    assert service["parent_id"] == "53995c3f42cd8ad8" and function["parent_id"] == service["id"]
    assert [s["name"] for s in function["subsegments"]] == ["Initialization", "Invocation"]
    assert function["start_time"] == 1700000000.0  # the function segment covers its initialization
    for document in (service, function):
        validate_document(document)


def test_not_sampled_means_no_service_segments_and_no_header_means_a_new_root() -> None:
    assert start_trace(f"Root={TRACE};Sampled=0") is None
    trace = start_trace(None)
    assert trace is not None and trace.caller_parent is None and trace.trace_id != TRACE


def test_runtime_error_cause_becomes_a_fault() -> None:
    trace = start_trace(None)
    assert trace is not None
    cause = json.dumps({"working_directory": "/var/task", "exceptions": [{"type": "KeyError", "message": "sku"}],
                        "paths": []})
    _, function = build_segments(trace, record(status="error", error_cause=cause, initialization=None))
    assert function["fault"] is True and function["cause"]["exceptions"][0]["type"] == "KeyError"
    assert [s["name"] for s in function["subsegments"]] == ["Invocation"]
    _, timed_out = build_segments(trace, record(status="timeout", error_message="Task timed out after 3.00 seconds"))
    assert timed_out["cause"]["exceptions"][0]["message"] == "Task timed out after 3.00 seconds"
