"""A small corpus of realistic traces shared by the trace-analysis tests.

Provenance: ``sdk_capture`` is the aws-xray-sdk 2.15 UDP capture from environment.md §7 (verbatim);
the other traces are written by hand in the shapes the X-Ray SDKs and the ADOT collector send
(developer guide segment-document examples): DynamoDB / SQS / S3 calls in namespace ``aws``, remote
HTTP calls, an instrumented callee answering a remote call, an independent SQL subsegment, in-progress
fragments.
"""

from __future__ import annotations

import copy
from typing import Any

T0 = 1795541869.0

SDK_CAPTURE: dict[str, Any] = {
    "id": "397a9c64df2a3f6e", "name": "envcheck-xray-sdk", "start_time": 1795541869.2729816, "in_progress": False,
    "http": {"request": {"method": "GET", "url": "http://127.0.0.1/x"}, "response": {"status": 200}},
    "annotations": {"env": "test"}, "metadata": {"ns": {"k": {"v": 1}}},
    "aws": {"xray": {"sdk": "X-Ray for Python", "sdk_version": "2.15.0"}},
    "subsegments": [{
        "id": "fdbab18232180824", "name": "downstream-call", "start_time": 1795541869.2731025,
        "parent_id": "397a9c64df2a3f6e", "in_progress": False,
        "http": {"request": {"method": "GET", "url": "http://127.0.0.1:9/y"}, "response": {"status": 503}},
        "trace_id": "1-6b05cb6d-9b8ca1600cd26c5077ad7412", "type": "subsegment", "namespace": "remote",
        "fault": True, "end_time": 1795541869.2731404,
    }],
    "trace_id": "1-6b05cb6d-9b8ca1600cd26c5077ad7412",
    "service": {"runtime": "CPython", "runtime_version": "3.11.7"}, "end_time": 1795541869.2731633,
}

SHOP_TRACE = "1-6b05cb6e-000000000000000000000001"
API_TRACE = "1-6b05cb6f-000000000000000000000002"
GAME_TRACE = "1-6b05cb70-000000000000000000000003"


def http(method: str, url: str, status: int | None = None, **request: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"request": {"method": method, "url": url, **request}}
    if status is not None:
        out["response"] = {"status": status}
    return out


def shop() -> list[dict[str, Any]]:
    """shop (EC2) → DynamoDB table ``orders`` + payments (instrumented) → SQL; payments faults (500)."""
    root = {
        "id": "a000000000000001", "trace_id": SHOP_TRACE, "name": "shop", "origin": "AWS::EC2::Instance",
        "start_time": T0, "end_time": T0 + 0.5, "user": "alice", "fault": True,
        "http": http("POST", "https://shop.example.com/api/1/items", 500, user_agent="curl/8.0",
                     client_ip="10.0.0.9"),
        "aws": {"account_id": "123456789012", "ec2": {"instance_id": "i-0abc", "availability_zone": "us-east-1a"}},
        "annotations": {"customer_tier": "gold", "order_count": 7},
        "subsegments": [
            {"id": "a000000000000002", "name": "DynamoDB", "namespace": "aws", "start_time": T0 + 0.01,
             "end_time": T0 + 0.05, "http": {"response": {"status": 200}},
             "aws": {"operation": "GetItem", "table_name": "orders", "region": "us-east-1"}},
            {"id": "a000000000000003", "name": "payments.example.com", "namespace": "remote",
             "start_time": T0 + 0.1, "end_time": T0 + 0.45, "fault": True,
             "http": http("POST", "https://payments.example.com/charge", 500, traced=True)},
        ],
    }
    callee = {
        "id": "a000000000000004", "trace_id": SHOP_TRACE, "name": "payments", "parent_id": "a000000000000003",
        "start_time": T0 + 0.11, "end_time": T0 + 0.44, "fault": True,
        "http": http("POST", "https://payments.example.com/charge", 500),
        "annotations": {"customer_tier": "gold"},
    }
    sql = {
        "id": "a000000000000005", "trace_id": SHOP_TRACE, "type": "subsegment", "parent_id": "a000000000000004",
        "name": "orders@db.internal", "namespace": "remote", "start_time": T0 + 0.12, "end_time": T0 + 0.43,
        "fault": True, "sql": {"database_type": "PostgreSQL", "sanitized_query": "UPDATE orders SET x = ?"},
        "cause": {"working_directory": "/app", "exceptions": [
            {"id": "e000000000000001", "type": "OperationalError", "message": "deadlock detected", "remote": True}]},
    }
    return [sql, root, callee]  # completion order, as a daemon sends them


def api() -> list[dict[str, Any]]:
    """api.example.com throttled (429) → SQS SendMessage and S3 PutObject; an S3 call still in progress."""
    root = {
        "id": "b000000000000001", "trace_id": API_TRACE, "name": "api.example.com", "start_time": T0 + 10,
        "end_time": T0 + 11.2, "throttle": True, "error": True,
        "http": http("GET", "http://api.example.com/v2/items", 429),
        "aws": {"ecs": {"container": "api-1", "availability_zone": "us-east-1b"}},
        "resource_arn": "arn:aws:ecs:us-east-1:123456789012:task/abc",
        "subsegments": [
            {"id": "b000000000000002", "name": "SQS", "namespace": "aws", "start_time": T0 + 10.1,
             "end_time": T0 + 10.2, "aws": {"operation": "SendMessage",
                                              "queue_url": "https://sqs.us-east-1.amazonaws.com/123/jobs"}},
            {"id": "b000000000000003", "name": "s3", "namespace": "aws", "start_time": T0 + 10.3,
             "end_time": T0 + 10.4, "aws": {"operation": "PutObject"}},
        ],
    }
    pending = {
        "id": "b000000000000004", "trace_id": API_TRACE, "type": "subsegment", "parent_id": "b000000000000001",
        "name": "s3", "namespace": "aws", "start_time": T0 + 10.5, "in_progress": True,
        "aws": {"operation": "GetObject"},
    }
    return [root, pending]


def game(status: int = 404, response_time: float = 3.0) -> list[dict[str, Any]]:
    """api.example.com (4xx) → backend.example.com (instrumented, 400); annotations gameid/age."""
    root_in_progress = {
        "id": "c000000000000001", "trace_id": GAME_TRACE, "name": "api.example.com", "start_time": T0 + 20,
        "in_progress": True, "http": http("GET", "http://api.example.com/api/game/42/v2/"),
    }
    root = {
        "id": "c000000000000001", "trace_id": GAME_TRACE, "name": "api.example.com", "start_time": T0 + 20,
        "end_time": T0 + 20 + response_time, "http": http("GET", "http://api.example.com/api/game/42/v2/", status),
        "annotations": {"gameid": "817DL6VO", "age": 30, "vip": True}, "user": "bob",
        "subsegments": [
            {"id": "c000000000000002", "name": "backend", "namespace": "remote", "start_time": T0 + 20.1,
             "end_time": T0 + 20.9, "http": http("GET", "http://backend.example.com/game/42", 400)},
        ],
    }
    backend = {
        "id": "c000000000000003", "trace_id": GAME_TRACE, "name": "backend.example.com",
        "parent_id": "c000000000000002", "start_time": T0 + 20.2, "end_time": T0 + 20.8, "user": "bob",
        "http": http("GET", "http://backend.example.com/game/42", 400),
    }
    return [root_in_progress, backend, root]


def front_trace(i: int, status: int, seconds: float) -> list[dict]:
    """A front-end service calling DynamoDB once; ``status`` is the front end's answer."""
    trace_id = f"1-6b05cb6d-{i:024x}"
    return [{
        "id": f"{i:016x}", "trace_id": trace_id, "name": "front", "origin": "AWS::EC2::Instance",
        "start_time": T0 + i, "end_time": T0 + i + seconds,
        "http": {"request": {"method": "GET", "url": "http://front/"}, "response": {"status": status}},
        "subsegments": [{"id": f"{i + 1000:016x}", "name": "DynamoDB", "namespace": "aws", "start_time": T0 + i,
                         "end_time": T0 + i + seconds / 2, "aws": {"operation": "Query", "table_name": "users"}}],
    }]


def sdk_capture() -> list[dict[str, Any]]:
    return [copy.deepcopy(SDK_CAPTURE)]


def corpus() -> dict[str, list[dict[str, Any]]]:
    """Every trace of the corpus by a short name."""
    return {"sdk": sdk_capture(), "shop": shop(), "api": api(), "game": game()}


LAMBDA_TRACE = "1-6b05cb71-000000000000000000000004"


def lambda_invocation(error: bool) -> list[dict[str, Any]]:
    """A Lambda invocation: the Lambda service's segment (``AWS::Lambda``) and the function's own
    segment (``AWS::Lambda::Function``, same name, parent = the service segment), as Lambda sends them."""
    service = {
        "id": "e000000000000001", "trace_id": LAMBDA_TRACE, "name": "my-fn", "origin": "AWS::Lambda",
        "start_time": T0 + 30, "end_time": T0 + 30.5, "http": {"response": {"status": 200}},
        "resource_arn": "arn:aws:lambda:us-east-1:123456789012:function:my-fn",
        "aws": {"account_id": "123456789012"},
    }
    function = {
        "id": "e000000000000002", "trace_id": LAMBDA_TRACE, "name": "my-fn", "origin": "AWS::Lambda::Function",
        "parent_id": "e000000000000001", "start_time": T0 + 30.1, "end_time": T0 + 30.45, "error": error,
        "aws": {"account_id": "123456789012"},
    }
    return [service, function]
