"""``cause`` → span status and ``exception`` events (awsxray receiver ``cause.go``).

Any cause makes an UNSET status ERROR. A cause that is a bare 16-hex exception id becomes the
status message. A cause object yields one ``exception`` event per exception with
``aws.xray.exception.id``, ``exception.message``, ``exception.type``,
``aws.xray.exception.{remote,truncated,skipped,cause}`` and, when there are frames,
``exception.stacktrace`` rebuilt as ``Type: Message\\n`` plus ``\\tat label(path: line)\\n`` per frame
(``<unknown>`` for a frame without a line).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from otelray.translate.from_xray.attributes import Attrs, add_attributes, put_bool, put_int, put_str

EXCEPTION_EVENT = "exception"


def make_cause(entity: dict[str, Any], span: Span) -> None:
    """Set ``span``'s status and exception events from ``entity``'s cause."""
    cause = entity.get("cause")
    if cause is None:
        return
    if span.status.code == Status.STATUS_CODE_UNSET:
        span.status.code = Status.STATUS_CODE_ERROR
    if isinstance(cause, str):
        span.status.message = cause
        return
    if not isinstance(cause, dict):
        return
    for exception in cause.get("exceptions") or ():
        if isinstance(exception, dict):
            add_attributes(span.events.add(name=EXCEPTION_EVENT).attributes, _exception_attributes(exception))


def _exception_attributes(exception: dict[str, Any]) -> Attrs:
    attrs: Attrs = {}
    put_str(attrs, "aws.xray.exception.id", exception.get("id"))
    put_str(attrs, "exception.message", exception.get("message"))
    put_str(attrs, "exception.type", exception.get("type"))
    put_bool(attrs, "aws.xray.exception.remote", exception.get("remote"))
    put_int(attrs, "aws.xray.exception.truncated", exception.get("truncated"))
    put_int(attrs, "aws.xray.exception.skipped", exception.get("skipped"))
    put_str(attrs, "aws.xray.exception.cause", exception.get("cause"))
    stack = exception.get("stack")
    if isinstance(stack, list) and stack:
        attrs["exception.stacktrace"] = stack_trace(exception)
    return attrs


def stack_trace(exception: dict[str, Any]) -> str:
    """The Java-style stack trace text the receiver builds from an exception's frames."""
    parts = [f"{_text(exception.get('type'))}: {_text(exception.get('message'))}\n"]
    for frame in exception.get("stack") or ():
        if not isinstance(frame, dict):
            continue
        line = frame.get("line")
        line_text = str(int(line)) if type(line) in (int, float) else "<unknown>"
        parts.append(f"\tat {_text(frame.get('label'))}({_text(frame.get('path'))}: {line_text})\n")
    return "".join(parts)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
