"""The segments the Lambda service itself records for a traced invocation, for local runs.

With active tracing, Lambda (not the function) sends two segments per invocation (X-Ray developer
guide, "Using AWS Lambda with AWS X-Ray"): an ``AWS::Lambda`` segment for the service's handling of
the request (child of the caller's ``Parent``, if any) and an ``AWS::Lambda::Function`` segment for
the function (its child), with ``Initialization`` (cold starts only) and ``Invocation`` subsegments.
The function receives the function segment's id as ``Parent`` in ``_X_AMZN_TRACE_ID``, so the
function's own segments hang below it. An error the runtime reported
(``Lambda-Runtime-Function-XRay-Error-Cause``) becomes the function segment's ``cause`` with
``fault: true``; a timeout is a fault with the timeout message. ``otelray lambda invoke
--service-segments`` sends these to the same X-Ray address as the function, so a local service map
shows the caller → ``AWS::Lambda`` → ``AWS::Lambda::Function`` → function chain as in AWS.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from otelray.xray.header import TraceHeader
from otelray.xray.ids import new_segment_id, new_trace_id
from otelray.xray.wire import encode_datagram


@dataclass(frozen=True)
class ServiceTrace:
    """Ids of one invocation's service segments and the header the function receives."""

    trace_id: str
    caller_parent: str | None
    lambda_id: str
    function_id: str

    @property
    def function_header(self) -> str:
        """``_X_AMZN_TRACE_ID`` for the runtime: the function segment is the parent."""
        return f"Root={self.trace_id};Parent={self.function_id};Sampled=1"


def start_trace(incoming: str | None) -> ServiceTrace | None:
    """Ids for a traced invocation; ``None`` when the incoming header says not sampled."""
    header = TraceHeader.parse(incoming) if incoming else TraceHeader()
    if header.sampled is False:
        return None
    return ServiceTrace(header.root or new_trace_id(), header.parent, new_segment_id(), new_segment_id())


@dataclass(frozen=True)
class InvocationRecord:
    """What the service segments record about one invocation (times in epoch seconds)."""

    function_name: str
    function_arn: str
    request_id: str
    start: float
    end: float
    invocation: tuple[float, float]
    initialization: tuple[float, float] | None
    status: str
    error_cause: str | None = None
    error_message: str | None = None


def build_segments(trace: ServiceTrace, record: InvocationRecord) -> list[dict[str, Any]]:
    """The ``AWS::Lambda`` and ``AWS::Lambda::Function`` segment documents."""
    function_name, function_arn = record.function_name, record.function_arn
    start, end, invocation, initialization = record.start, record.end, record.invocation, record.initialization
    service: dict[str, Any] = {
        "id": trace.lambda_id, "trace_id": trace.trace_id, "name": function_name, "origin": "AWS::Lambda",
        "start_time": start, "end_time": end, "resource_arn": function_arn,
        "http": {"response": {"status": 200}}, "aws": {"request_id": record.request_id},
    }
    if trace.caller_parent:
        service["parent_id"] = trace.caller_parent
    subsegments = []
    if initialization is not None:
        subsegments.append({"id": new_segment_id(), "name": "Initialization",
                            "start_time": initialization[0], "end_time": initialization[1]})
    subsegments.append({"id": new_segment_id(), "name": "Invocation",
                        "start_time": invocation[0], "end_time": invocation[1]})
    function: dict[str, Any] = {
        "id": trace.function_id, "trace_id": trace.trace_id, "parent_id": trace.lambda_id, "name": function_name,
        "origin": "AWS::Lambda::Function", "start_time": invocation[0] if initialization is None else initialization[0],
        "end_time": end, "resource_arn": function_arn, "aws": {"function_arn": function_arn},
        "subsegments": subsegments,
    }
    if record.status != "success":
        function["fault"] = True
        cause = _cause(record.error_cause)
        if cause is None and record.error_message:
            cause = {"working_directory": "/var/task",
                     "exceptions": [{"id": new_segment_id(), "message": record.error_message}]}
        if cause is not None:
            function["cause"] = cause
    return [service, function]


def _cause(header_value: str | None) -> dict[str, Any] | None:
    """The runtime's ``Lambda-Runtime-Function-XRay-Error-Cause`` (a JSON cause object), if usable."""
    if not header_value:
        return None
    try:
        cause = json.loads(header_value)
    except ValueError:
        return None
    if not isinstance(cause, dict):
        return None
    for exception in cause.get("exceptions") or []:
        if isinstance(exception, dict):
            exception.setdefault("id", new_segment_id())
    return cause


def send_segments(documents: list[dict[str, Any]], address: tuple[str, int]) -> int:
    """Send each document as one daemon datagram; returns how many were sent (errors are not raised)."""
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for document in documents:
            try:
                sock.sendto(encode_datagram(document), address)
                sent += 1
            except OSError:
                continue
    return sent
