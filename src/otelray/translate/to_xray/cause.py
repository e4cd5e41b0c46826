"""``error``/``fault``/``throttle`` and the ``cause`` block (contrib ``translator/cause.go`` ``makeCause``).

Exceptions come from ``exception`` span events (type, message and a stack parsed by the resource's
``telemetry.sdk.language``, see ``stacktrace``) and, on ``rpc.system=aws-api`` spans, from AWS SDK
``HTTP request failure`` events. Without such events an ERROR status yields one exception from the
status message or ``http.status_text`` (consumed). The flags follow the HTTP status code when it is
4xx/5xx (429 also sets ``throttle``), else ``fault`` mirrors an ERROR status (reference §1.10–1.11).
Exception ``type``/``message`` are written even when empty, as the exporter's ``aws.String`` does.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.stacktrace import FILLERS, Exception_, NewId
from otelray.translate.to_xray.values import Attrs, as_str, as_string, attrs_of

_REMOTE_KINDS = frozenset({Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER})
_EXCEPTION_ORDER = ("id", "message", "type", "remote", "truncated", "skipped", "cause", "stack")
AWS_HTTP_FAILURE_EVENT = "HTTP request failure"


def is_aws_sdk_span(attrs: Attrs) -> bool:
    """True when ``rpc.system`` is ``aws-api`` (spans from the AWS SDK instrumentations)."""
    value = attrs.get("rpc.system")
    return value is not None and as_str(value) == "aws-api"


def _event_attrs(event: Span.Event) -> Attrs:
    return attrs_of(event.attributes)


def _exception(event_attrs: Attrs, remote: bool, language: str, new_id: NewId) -> list[Exception_]:
    def text(key: str) -> str:
        value = event_attrs.get(key)
        return "" if value is None else as_str(value)

    exceptions: list[Exception_] = [
        {"id": new_id(), "message": text("exception.message"), "type": text("exception.type"), "remote": remote}
    ]
    stacktrace = text("exception.stacktrace")
    filler = FILLERS.get(language)
    if stacktrace and filler is not None:
        filler(stacktrace, exceptions, new_id)
    return exceptions


def _aws_failure(event: Span.Event, new_id: NewId) -> Exception_ | None:
    attrs = _event_attrs(event)
    code, message = attrs.get("http.response.status_code"), attrs.get("aws.http.error_message")
    if code is None or message is None:
        return None
    seconds = f"{(event.time_unix_nano // 1000) / 1_000_000:.6f}"
    text = "@".join((as_string(code), seconds, as_str(message)))
    return {"id": new_id(), "message": text, "type": "aws.http.error.event", "remote": True}


def exceptions_from_events(span: SpanView, aws_sdk: bool, language: str, new_id: NewId) -> list[Exception_]:
    """The exceptions of a span's ``exception`` (and, on AWS SDK spans, ``HTTP request failure``) events."""
    remote = span.kind in _REMOTE_KINDS
    found: list[Exception_] = []
    for event in span.events:
        if event.name == "exception":
            found.extend(_exception(_event_attrs(event), remote, language, new_id))
        elif aws_sdk and event.name == AWS_HTTP_FAILURE_EVENT:
            failure = _aws_failure(event, new_id)
            if failure is not None:
                found.append(failure)
    return [{key: exc[key] for key in _EXCEPTION_ORDER if key in exc} for exc in found]


def _flags(attrs: Attrs, status_error: bool) -> tuple[bool, bool, bool]:
    value = attrs.get("http.status_code")
    if value is None:
        value = attrs.get("http.response.status_code")
        if value is None:
            return False, status_error, False
    code = value if type(value) is int else 0  # pdata Int()
    if code < 400 or code > 599:
        return False, status_error, False
    if code <= 499:
        return True, False, code == 429
    return False, True, False


def make_cause(
    span: SpanView, attrs: Attrs, remaining: Attrs, language: str, new_id: NewId, *, aws_sdk: bool
) -> tuple[tuple[bool, bool, bool], Attrs, dict[str, Any] | None]:
    """Build ``(error, fault, throttle)`` and the ``cause`` block.

    Args:
        span: the span (events, status, kind).
        attrs: all of the span's attributes (status code, ``rpc.system``).
        remaining: attributes not yet consumed; ``http.status_text`` may be consumed here.
        language: the resource's ``telemetry.sdk.language`` (selects the stack-trace parser).
        new_id: source of exception ids.
        aws_sdk: the span comes from an AWS SDK instrumentation (``rpc.system=aws-api``).

    Returns:
        The flags, the attributes still unclaimed, and the ``cause`` block or None.
    """
    status_error = span.status_error
    cause: dict[str, Any] | None = None
    events = span.events
    has_events = bool(events) and any(
        event.name == "exception" or (aws_sdk and event.name == AWS_HTTP_FAILURE_EVENT) for event in events
    )
    if has_events:
        exceptions = exceptions_from_events(span, aws_sdk, language, new_id)
        cause = {"exceptions": exceptions} if exceptions else {}
    elif status_error:
        message = span.status_message
        if "http.status_text" in remaining:
            remaining = dict(remaining)
            status_text = remaining.pop("http.status_text")
            message = message or as_str(status_text)
        if message:
            cause = {"exceptions": [{"id": new_id(), "message": message, "type": ""}]}
    return _flags(attrs, status_error), remaining, cause
