"""OTLP ``ResourceSpans`` → PutTraceSegments documents (contrib ``awsxray.go`` ``extractResourceSpans``).

Every span is translated independently; a span that cannot be translated (bad ids, a value Go's
JSON encoder refuses, a document over X-Ray's 64 KB limit, and — with ``validate_documents`` — a
document X-Ray would refuse) becomes a ``TranslationError`` next to the documents of the others,
where the exporter would only log it at debug level and drop it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span

from otelray.translate.errors import TranslationError
from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.jsonenc import UnsupportedValueError, encode_document
from otelray.translate.to_xray.resource import ResourceInfo, make_resource_info
from otelray.translate.to_xray.segment import make_segments
from otelray.xray.errors import SegmentError
from otelray.xray.ids import new_segment_id
from otelray.xray.validate import validate_document

NewId = Callable[[], str]


@dataclass(slots=True)
class ToXRayResult:
    """Documents ready for ``TraceSegmentDocuments`` and the spans that could not be translated."""

    documents: list[str] = field(default_factory=list)
    errors: list[TranslationError] = field(default_factory=list)
    #: Spans the C extension translated itself (the rest went through the Python modules).
    native_spans: int = 0


def translate_spans(
    resource_spans: Iterable[ResourceSpans],
    *,
    options: TranslateOptions,
    now: float,
    new_id: NewId = new_segment_id,
) -> ToXRayResult:
    """Translate OTLP spans to X-Ray segment documents, as the awsxray exporter does.

    Args:
        resource_spans: the ``resource_spans`` of an ``ExportTraceServiceRequest`` (or ``TracesData``).
        options: exporter options and feature gates.
        now: the current time in epoch seconds (trace id epoch validation).
        new_id: source of fresh 16-hex-digit ids (exception ids, local-root service segments).

    Returns:
        One JSON document (with Go's trailing newline) per segment, in span order, and one
        ``TranslationError`` per span that could not be translated.
    """
    result = ToXRayResult()
    trace_ids: dict[bytes, str] = {}  # spans of a batch share traces: convert each id once
    for rs in resource_spans:
        info = make_resource_info(rs.resource, options)
        for scope_spans in rs.scope_spans:
            for span in scope_spans.spans:
                translate_one_span(span, info, options, now, new_id, trace_ids, result)
    return result


def translate_one_span(span: Span, info: ResourceInfo, options: TranslateOptions, now: float, new_id: NewId,
                       trace_ids: dict[bytes, str], result: ToXRayResult) -> None:
    """Append one span's documents to ``result``, or its ``TranslationError``."""
    try:
        result.documents.extend(_translate(span, info, options, now, new_id, trace_ids))
    except SpanFailure as exc:
        result.errors.append(TranslationError(span.span_id.hex(), exc.reason, exc.code))
    except UnsupportedValueError as exc:  # NaN or ±Inf headed for the document
        result.errors.append(TranslationError(span.span_id.hex(), str(exc), "unencodable_value"))
    except Exception as exc:  # never let one span stop the batch
        reason = f"internal error translating span: {type(exc).__name__}: {exc}"
        result.errors.append(TranslationError(span.span_id.hex(), reason, "internal_error"))


def _translate(span: Span, info: ResourceInfo, options: TranslateOptions, now: float, new_id: NewId,
               trace_ids: dict[bytes, str]) -> list[str]:
    """One span's encoded documents.

    Raises:
        SpanFailure: the span cannot be translated, or a document would be refused.
    """
    encoded = []
    limit, validate = options.max_document_bytes, options.validate_documents
    for document in make_segments(span, info, options, now, new_id, trace_ids):
        try:
            text = encode_document(document)
        except (UnsupportedValueError, TypeError) as exc:
            raise SpanFailure("unencodable_value", str(exc)) from exc
        # A str of n characters is at most 4n UTF-8 bytes: only measure the long ones.
        if 4 * len(text) > limit and (size := len(text.encode("utf-8"))) > limit:
            raise SpanFailure("DocumentTooLarge", f"segment document of {size} bytes exceeds the {limit}-byte limit")
        if validate:
            try:
                validate_document(orjson.loads(text))
            except SegmentError as exc:
                raise SpanFailure(exc.code, f"X-Ray would refuse the document: {exc.message}") from exc
        encoded.append(text)
    return encoded
