"""The ``http`` block → span attributes and status (awsxray receiver ``http.go``, default gates).

Request: ``http.method``, ``http.client_ip``, ``http.user_agent``, ``http.url``,
``aws.xray.x_forwarded_for``. Response: ``http.status_code`` (the span status becomes ERROR unless
the code is in [100, 399), as the collector's ``StatusCodeFromHTTP``), and
``http.response_content_length`` — an int, or the string as sent when a producer wrote a string.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Status

from otelray.translate.from_xray.attributes import Attrs, put_bool, put_int, put_str

X_FORWARDED_FOR = "aws.xray.x_forwarded_for"


def status_from_http(code: int) -> int:
    """OTLP status code for an HTTP status (ERROR outside [100, 399))."""
    return Status.STATUS_CODE_UNSET if 100 <= code < 399 else Status.STATUS_CODE_ERROR


def make_http(entity: dict[str, Any], attrs: Attrs) -> int | None:
    """Add the http attributes of ``entity``; return the span status code the response implies."""
    http = entity.get("http")
    if not isinstance(http, dict):
        return None
    request = http.get("request")
    if isinstance(request, dict):
        put_str(attrs, "http.method", request.get("method"))
        put_str(attrs, "http.client_ip", request.get("client_ip"))
        put_str(attrs, "http.user_agent", request.get("user_agent"))
        put_str(attrs, "http.url", request.get("url"))
        put_bool(attrs, X_FORWARDED_FOR, request.get("x_forwarded_for"))
    response = http.get("response")
    if not isinstance(response, dict):
        return None
    status = None
    code = response.get("status")
    if type(code) is int:
        status = status_from_http(code)
        attrs["http.status_code"] = code
    length = response.get("content_length")
    if isinstance(length, str):
        attrs["http.response_content_length"] = length
    else:
        put_int(attrs, "http.response_content_length", length)
    return status
