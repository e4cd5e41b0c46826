"""X-Ray segment document → OTLP ``ResourceSpans``, as the collector's awsxray receiver does it
(opentelemetry-collector-contrib ``receiver/awsxrayreceiver/internal/translator/translator.go``).

One document (a segment with its embedded subsegments, or an independent subsegment) becomes one
``ResourceSpans`` with one ``ScopeSpans``; the segment and its subsegments are flattened depth-first
in document order, each embedded subsegment parented to its enclosing (sub)segment and carrying the
document's trace id unless it names its own. Anything the receiver would reject (an invalid
document, an unknown namespace, a SQL url without a database) rejects the whole document and comes
back as a ``TranslationError`` value; nothing here raises past the public functions. Documents are
checked with the receiver's rules (``validate_document(lenient=True)``): it accepts, for example, a
segment without ``end_time`` that the X-Ray API itself would refuse.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

from otelray.translate.errors import TranslationError
from otelray.translate.from_xray.annotations import make_annotations, make_metadata
from otelray.translate.from_xray.attributes import Attrs, add_attributes, put_bool, put_str
from otelray.translate.from_xray.aws import make_aws
from otelray.translate.from_xray.cause import make_cause
from otelray.translate.from_xray.http import make_http
from otelray.translate.from_xray.naming import make_kind
from otelray.translate.from_xray.rejected import Rejected
from otelray.translate.from_xray.resource import make_resource
from otelray.translate.from_xray.sql import make_sql
from otelray.xray.errors import DatagramError, InvalidIdError, SegmentError
from otelray.xray.ids import trace_id_to_otel
from otelray.xray.segment import parse_document, validate_document
from otelray.xray.validate import MAX_DEPTH
from otelray.xray.wire import decode_datagram

IN_PROGRESS = "aws.xray.inprogress"
TRACED = "aws.xray.traced"
_NO_PARENT = bytes(8)
_MAX_NANOS = 2**64  # OTLP times are fixed64 nanoseconds


def datagram_to_resource_spans(datagram: bytes) -> ResourceSpans | TranslationError:
    """Translate one X-Ray daemon UDP datagram (header line + document)."""
    try:
        doc = parse_document(decode_datagram(datagram), lenient=True)
    except DatagramError as exc:
        return TranslationError("", str(exc), exc.reason)
    except SegmentError as exc:
        return TranslationError(exc.segment_id or "", str(exc), exc.code)
    return document_to_resource_spans(doc, validate=False)


def document_to_resource_spans(doc: dict[str, Any], *, validate: bool = True) -> ResourceSpans | TranslationError:
    """Translate one decoded segment document.

    Args:
        doc: the decoded document.
        validate: check the document first with the receiver's rules
            (``validate_document(doc, lenient=True)``); pass ``False`` only for a document that
            ``otelray.xray.segment.parse_document`` already returned.

    Returns:
        The spans under their resource, or a ``TranslationError`` naming why the document was rejected.
    """
    if validate:
        try:
            validate_document(doc, lenient=True)
        except SegmentError as exc:
            return TranslationError(exc.segment_id or "", str(exc), exc.code)
    resource_spans = ResourceSpans()
    # an independent subsegment keeps its own kind; any other top-level document is a server span
    kind = doc.get("type")
    is_subsegment = "parent_id" in doc and isinstance(kind, str) and kind.lower() == "subsegment"
    seg_id = doc.get("id")
    seg_id = seg_id if isinstance(seg_id, str) else ""
    try:
        add_attributes(resource_spans.resource.attributes, make_resource(doc))
        _add_spans(doc, doc.get("trace_id"), None, is_subsegment, resource_spans.scope_spans.add().spans, "", 0)
    except Rejected as exc:
        return TranslationError(seg_id, exc.reason, exc.code)
    except UnicodeEncodeError as exc:
        # a lone surrogate (possible in a dict decoded by Python's json module) has no UTF-8 form
        return TranslationError(seg_id, f"text is not valid Unicode: {exc.reason} at {exc.start}", "InvalidJson")
    return resource_spans


def _add_spans(
    entity: dict[str, Any], trace_id: object, parent_id: str | None, is_subsegment: bool,
    spans: Any, path: str, depth: int,
) -> Span:
    """Append ``entity``'s span, then its subsegments' spans depth-first; return ``entity``'s span."""
    if depth > MAX_DEPTH:
        raise Rejected(f"{path}subsegments nest deeper than {MAX_DEPTH} levels", "too_deep")
    span = spans.add()
    try:
        _populate(span, entity, trace_id, parent_id, is_subsegment)
    except Rejected as exc:
        raise Rejected(f"{path[:-1]}: {exc.reason}" if path else exc.reason, exc.code) from None
    for index, child in enumerate(entity.get("subsegments") or ()):
        if not isinstance(child, dict):
            raise Rejected(f"{path}subsegments[{index}] must be an object", "invalid_subsegment")
        child_span = _add_spans(child, trace_id, entity["id"], True, spans, f"{path}subsegments[{index}].", depth + 1)
        # a cause on the parent: adopt a child's more specific status code (receiver rule)
        if ("cause" in entity and child_span.status.code != Status.STATUS_CODE_UNSET
                and span.status.code == Status.STATUS_CODE_ERROR):
            span.status.code = child_span.status.code
    return span


def _populate(
    span: Span, entity: dict[str, Any], trace_id: object, parent_id: str | None, is_subsegment: bool,
) -> None:
    """Fill one span from one (sub)segment, in the receiver's order (``populateSpan``)."""
    attrs: Attrs = {}
    name = entity.get("name")
    span.name = name if isinstance(name, str) else ""
    span.kind = make_kind(entity, attrs)  # type: ignore[assignment]
    own_trace_id = entity.get("trace_id")
    span.trace_id = _trace_id(own_trace_id if own_trace_id is not None else trace_id)
    parent = _span_id(parent_id if parent_id is not None else entity.get("parent_id"), "parent_id", optional=True)
    span.span_id = _span_id(entity.get("id"), "id")
    if not is_subsegment:
        span.kind = Span.SPAN_KIND_SERVER
    if parent != _NO_PARENT:
        span.parent_span_id = parent
    span.start_time_unix_nano = _nanos(entity.get("start_time"))
    if "end_time" in entity:
        span.end_time_unix_nano = _nanos(entity["end_time"])
    put_bool(attrs, IN_PROGRESS, entity.get("in_progress"))
    put_str(attrs, "enduser.id", entity.get("user"))
    status = make_http(entity, attrs)
    if status is not None:
        span.status.code = status  # type: ignore[assignment]
    make_cause(entity, span)
    make_aws(entity, attrs)
    make_sql(entity, attrs)
    put_bool(attrs, TRACED, entity.get("traced"))
    make_annotations(entity, attrs)
    make_metadata(entity, attrs)
    add_attributes(span.attributes, attrs)


def _trace_id(value: object) -> bytes:
    try:
        return trace_id_to_otel(value)  # type: ignore[arg-type]
    except InvalidIdError as exc:
        raise Rejected(str(exc), "invalid_trace_id") from None


def _span_id(value: object, field: str, *, optional: bool = False) -> bytes:
    if value is None and optional:
        return _NO_PARENT
    if isinstance(value, str) and len(value) == 16:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    raise Rejected(f"{field} {value!r} must be 16 hex digits", "invalid_span_id")


def _nanos(seconds: object) -> int:
    """Float epoch seconds → integer nanoseconds, truncated like Go's ``uint64(sec * 1e9)``."""
    nanos = int(float(seconds) * 1e9) if type(seconds) in (int, float) else -1  # type: ignore[arg-type]
    if not 0 <= nanos < _MAX_NANOS:
        raise Rejected(f"time {seconds!r} is not an epoch time in seconds that fits in 64 bits of nanoseconds",
                       "invalid_time")
    return nanos
