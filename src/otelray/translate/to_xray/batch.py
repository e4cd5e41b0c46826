"""OTLP ``ResourceSpans`` → PutTraceSegments documents (contrib ``awsxray.go`` ``extractResourceSpans``).

Every span is translated independently; a span that cannot be translated (bad ids, a value Go's
JSON encoder refuses, a document over X-Ray's 64 KB limit) becomes a ``TranslationError`` next to
the documents of the others, where the exporter would only log it at debug level and drop it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans

from otelray.translate.errors import TranslationError
from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.jsonenc import UnsupportedValueError, encode_document
from otelray.translate.to_xray.resource import make_resource_info
from otelray.translate.to_xray.segment import Document, make_segments
from otelray.xray.ids import new_segment_id


@dataclass(slots=True)
class ToXRayResult:
    """Documents ready for ``TraceSegmentDocuments`` and the spans that could not be translated."""

    documents: list[str] = field(default_factory=list)
    errors: list[TranslationError] = field(default_factory=list)


def _compact(document: Document) -> Document:
    return {key: value for key, value in document.items() if value is not None}


def translate_spans(
    resource_spans: Iterable[ResourceSpans],
    *,
    options: TranslateOptions,
    now: float,
    new_id: Callable[[], str] = new_segment_id,
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
    limit = options.max_document_bytes
    for rs in resource_spans:
        info = make_resource_info(rs.resource, options)
        for scope_spans in rs.scope_spans:
            for span in scope_spans.spans:
                span_id = span.span_id.hex()
                try:
                    encoded = [encode_document(_compact(doc)) for doc in make_segments(span, info, options, now, new_id)]
                except SpanFailure as exc:
                    result.errors.append(TranslationError(span_id, exc.reason, exc.code))
                    continue
                except (UnsupportedValueError, TypeError) as exc:
                    result.errors.append(TranslationError(span_id, str(exc), "unencodable_value"))
                    continue
                except Exception as exc:  # never let one span stop the batch
                    reason = f"internal error translating span: {type(exc).__name__}: {exc}"
                    result.errors.append(TranslationError(span_id, reason, "internal_error"))
                    continue
                # A str of n characters is at most 4n UTF-8 bytes: only measure the long ones.
                oversized = [size for size in (len(d.encode("utf-8")) for d in encoded if 4 * len(d) > limit)
                             if size > limit]
                if oversized:
                    reason = f"segment document of {oversized[0]} bytes exceeds the {limit}-byte limit"
                    result.errors.append(TranslationError(span_id, reason, "document_too_large"))
                    continue
                result.documents.extend(encoded)
    return result
