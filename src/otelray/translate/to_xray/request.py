"""A serialized ``ExportTraceServiceRequest`` → X-Ray segment documents, natively where possible.

The translation rules live in the Python block modules (``segment``, ``http``, ``aws`` …), which
read spans through upb's Python wrappers: exact, but about forty times the cost of decoding the
request. ``otelray.translate._native`` (a C extension, built at install) reads the protobuf wire
bytes directly and writes the documents of the common spans itself — HTTP, AWS SDK, database,
messaging and internal spans with any attribute values, links, Unicode names, local roots (split in
two for outgoing calls) and ``aws.xray.annotations`` lists; for exception events and
``aws.xray.metadata.*`` values it asks the Python modules for the ``cause`` block and the parsed
JSON (stack traces and JSON are read in one place). A span it does not cover (an annotation list
naming resource attributes, anything that becomes an error) is handed back and translated by the
Python modules, in place, so the documents, errors and ids come out exactly as
:func:`translate_spans` gives them.

The contract between the two is checked by differential tests: for any request, the documents and
errors of :func:`translate_request` equal those of ``translate_spans`` on the decoded request.
"""

from __future__ import annotations

import os

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.annotations import METADATA_PREFIX, parse_metadata_json, split_resource
from otelray.translate.to_xray.batch import NewId, ToXRayResult, translate_one_span, translate_spans
from otelray.translate.to_xray.cause import exceptions_from_events
from otelray.translate.to_xray.http import is_ip
from otelray.translate.to_xray.jsonenc import UnsupportedValueError, encode_value
from otelray.translate.to_xray.resource import ResourceInfo, make_resource_info
from otelray.xray.ids import new_segment_id

try:  # built by setup.py; otelray works (slower) without it
    from otelray.translate import _native
except ImportError:  # pragma: no cover - exercised only where the extension could not be compiled
    _native = None

#: Set to ``1`` to translate with the Python modules only (debugging, or comparing the two paths).
PURE_PYTHON_ENV = "OTELRAY_PURE_PYTHON"


def native_available() -> bool:
    """True when the C extension is importable and not switched off by ``OTELRAY_PURE_PYTHON``."""
    return _native is not None and os.environ.get(PURE_PYTHON_ENV, "") not in ("1", "true")


def translate_request(
    payload: bytes, *, options: TranslateOptions, now: float, new_id: NewId = new_segment_id
) -> ToXRayResult:
    """Translate a serialized ``ExportTraceServiceRequest`` (or ``TracesData``) to segment documents.

    Same result as ``translate_spans(ExportTraceServiceRequest.FromString(payload).resource_spans, …)``:
    one document per segment in span order, one ``TranslationError`` per span that cannot be
    translated. ``result.native_spans`` counts the spans the C extension translated itself.

    Raises:
        google.protobuf.message.DecodeError: the payload is not a valid request.
    """
    if native_available() and not options.validate_documents:
        result = _translate_native(payload, options, now, new_id)
        if result is not None:
            return result
    request = ExportTraceServiceRequest.FromString(payload)
    return translate_spans(request.resource_spans, options=options, now=now, new_id=new_id)


def _translate_native(payload: bytes, options: TranslateOptions, now: float, new_id: NewId) -> ToXRayResult | None:
    """Run the extension; None when it found something only the full decoder can judge."""
    result = ToXRayResult()
    resources: list[ResourceInfo] = []
    trace_ids: dict[bytes, str] = {}
    ids = _IdLedger(new_id)

    def prepare_resource(resource_bytes: bytes) -> tuple | None:
        info = make_resource_info(Resource.FromString(resource_bytes), options)
        resources.append(info)
        return _native_resource(info, options)

    def translate_fallback(span_bytes: bytes, replay: int) -> None:
        span = Span.FromString(span_bytes)
        translate_one_span(span, resources[-1], options, now, ids.replaying(replay), trace_ids, result)

    def exceptions(events: list[bytes], kind: int, aws_sdk: bool) -> tuple[bytes | None, int]:
        before = ids.issued
        try:
            view = _EventsView([Span.Event.FromString(event) for event in events], kind)
            found = exceptions_from_events(view, aws_sdk, resources[-1].language, ids.draw)
            cause = encode_value({"exceptions": found} if found else {}).encode()
        except Exception:  # the Python translation of the whole span reports it
            cause = None
        return cause, ids.issued - before

    settings = (options.indexed_attributes, options.index_all_attributes, options.allow_dot_in_annotation_keys,
                options.skip_timestamp_validation, options.max_document_bytes, is_ip, exceptions, _metadata_namespace)
    counted = _native.translate(payload, settings, float(now), ids.draw, prepare_resource, translate_fallback,
                                result.documents)
    if counted is None:
        return None
    result.native_spans = counted
    return result


def _metadata_namespace(key: str, value: str) -> tuple[bool, list[tuple[bytes, bytes]] | None] | bool | None:
    """An ``aws.xray.metadata.<namespace>`` value for the extension: ``(is_default, entries)``.

    None when the value is not a JSON object (the document keeps it verbatim), False when encoding it
    fails (the span goes to the Python path, which reports the error).
    """
    try:
        parsed = parse_metadata_json(value)
    except (ValueError, RecursionError):
        return None
    try:
        entries = None if parsed is None else [(k.encode(), encode_value(v).encode()) for k, v in parsed.items()]
    except Exception:  # e.g. a lone surrogate from a \ud800 escape
        return False
    return key[len(METADATA_PREFIX):].lower() == "default", entries


class _EventsView:
    """The two span fields ``cause`` reads for exception events."""

    __slots__ = ("events", "kind")

    def __init__(self, events: list[Span.Event], kind: int) -> None:
        self.events, self.kind = events, kind


class _IdLedger:
    """``new_id`` with a memory of recent ids, so a span the extension gives up on gets the same ids.

    The extension may draw ids for a span (exception ids) and then hand the span to the Python
    translator (say its document is over the size limit); that translation replays those ids
    instead of drawing new ones, so every span gets exactly the ids of a pure Python run.
    """

    _KEEP = 4096

    def __init__(self, new_id: NewId) -> None:
        self._new_id = new_id
        self._recent: list[str] = []
        self.issued = 0

    def draw(self) -> str:
        """A fresh id, remembered."""
        value = self._new_id()
        self.issued += 1
        self._recent.append(value)
        if len(self._recent) > 2 * self._KEEP:
            del self._recent[: -self._KEEP]
        return value

    def replaying(self, count: int) -> NewId:
        """A ``new_id`` that first gives back the last ``count`` ids drawn, then fresh ones."""
        if count <= 0:
            return self._new_id
        queue = self._recent[-count:]
        queue.reverse()
        self._recent.clear()
        return lambda: queue.pop() if queue else self._new_id()


def _native_resource(info: ResourceInfo, options: TranslateOptions) -> tuple | None:
    """What the extension needs of a resource, pre-encoded; None sends its spans to the Python path."""
    try:
        annotations, metadata = info.split or split_resource(info.attrs, options.indexed_set, options)
        aws = info.aws
        parts = encode_value(aws.segment_parts)[1:-1].encode() if aws.is_aws else b""
        return (
            None if info.service is None else encode_value(info.service).encode(),
            None if info.origin is None else encode_value(info.origin).encode(),
            aws.is_aws,
            aws.account.encode(),
            parts,
            info.service_name.encode(),
            _encoded_entries(annotations),
            _encoded_entries(metadata),
        )
    except (UnsupportedValueError, TypeError, UnicodeEncodeError):
        return None


def _encoded_entries(entries: dict) -> list[tuple[bytes, bytes]]:
    return [(key.encode(), encode_value(value).encode()) for key, value in entries.items()]

