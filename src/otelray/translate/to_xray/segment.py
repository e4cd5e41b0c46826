"""One span → one or two X-Ray segment documents (contrib ``translator/segment.go``).

``make_segment`` is ``MakeSegment``: a fixed sequence of block builders, each consuming the
attributes it maps, the rest ending up as annotations/metadata (reference adot-collector §1.1).
``make_segments`` is ``MakeSegmentsFromSpan``: spans marked ``aws.span.kind=LOCAL_ROOT`` by ADOT SDKs
are forced to segments, and a CLIENT/PRODUCER/CONSUMER local root is split into a dependency
subsegment plus a service segment linked by a fresh id (§1.2). Documents are dicts in the field
order of contrib's ``Segment`` struct, absent fields left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.annotations import add_special_attributes, make_xray_attributes
from otelray.translate.to_xray.aws import make_aws
from otelray.translate.to_xray.cause import is_aws_sdk_span, make_cause
from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.http import make_http
from otelray.translate.to_xray.jsonenc import go_float_fragment
from otelray.translate.to_xray.links import make_links
from otelray.translate.to_xray.naming import make_name, name_value, trim_aws_sdk_prefix
from otelray.translate.to_xray.resource import ResourceInfo
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.sql import make_sql
from otelray.translate.to_xray.trace_id import make_trace_id, span_id_hex
from otelray.translate.to_xray.values import Attrs, as_str, attrs_of

Document = dict[str, Any]
#: Field order of contrib's ``Segment`` struct, which Go's encoder follows (reference §1.13).
FIELD_ORDER = ("name", "id", "start_time", "service", "origin", "user", "resource_arn", "links", "trace_id",
               "end_time", "in_progress", "http", "fault", "error", "throttle", "cause", "aws", "annotations",
               "metadata", "subsegments", "namespace", "parent_id", "type", "precursor_ids", "traced", "sql")
IN_PROGRESS = "aws.xray.inprogress"
_SEGMENT_KINDS = frozenset({Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CONSUMER})
_DEPENDENCY_KINDS = frozenset({Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_PRODUCER, Span.SPAN_KIND_CONSUMER})
_REMOTE_ATTRIBUTES = ("aws.remote.service", "aws.remote.operation", "remoteTarget", "K8s.RemoteNamespace")
_SERVICE_SEGMENT_CLEARED = ("operation", "account_id", "region", "request_id", "queue_url", "table_name", "table_names")


@dataclass(slots=True)
class SpanInput:
    """A span with the ids and attributes one document is made from (a copy, for local roots)."""

    span: SpanView
    resource: ResourceInfo
    attrs: Attrs = field(default_factory=dict)
    span_id: str = ""
    parent_id: str = ""
    trace_id: str = ""


def make_segment(item: SpanInput, options: TranslateOptions, now: float, new_id: Callable[[], str]) -> Document:
    """Translate one span to one document (``MakeSegment``).

    Raises:
        SpanFailure: the trace id or a link cannot be converted.
    """
    span, res, attrs = item.span, item.resource, item.attrs
    is_subsegment = span.kind not in _SEGMENT_KINDS and bool(item.parent_id)
    trace_id = item.trace_id
    # aws.xray.inprogress is read and removed before any block sees the attributes.
    attrs, in_progress = _take_in_progress(attrs) if IN_PROGRESS in attrs else (attrs, False)
    aws_sdk = attrs.get("rpc.system") == "aws-api"  # is_aws_sdk_span, inlined (a non-string never equals)
    # The blocks, in upstream order; each returns the attributes it left unclaimed.
    remaining, http = make_http(span, attrs)
    flags, remaining, cause = make_cause(span, attrs, remaining, res.language, new_id, aws_sdk=aws_sdk)
    remaining, aws = make_aws(remaining, res.aws)
    remaining, sql = make_sql(span, remaining)
    remaining = add_special_attributes(remaining, options.indexed_attributes, attrs)
    user, annotations, metadata = make_xray_attributes(
        remaining, res.attrs, res.split, store_resource=not is_subsegment, options=options
    )
    links = make_links(span.links, skip_timestamp_validation=options.skip_timestamp_validation, now=now) \
        if span.links else None
    name, namespace = make_name(span, attrs, res.service_name, aws_sdk)
    error, fault, throttle = flags
    # Field order of contrib's Segment struct; absent fields are simply not written.
    document: Document = {"name": name_value(name), "id": item.span_id, "start_time": go_float_fragment(span.start_time_unix_nano / 1e9)}
    if res.service is not None:
        document["service"] = res.service
    if res.origin:
        document["origin"] = res.origin
    if user:
        document["user"] = user
    if links:
        document["links"] = links
    document["trace_id"] = trace_id
    if in_progress:
        document["in_progress"] = True
    else:
        document["end_time"] = go_float_fragment(span.end_time_unix_nano / 1e9)
    if http is not None:
        document["http"] = http
    document["fault"], document["error"], document["throttle"] = fault, error, throttle
    if cause is not None:
        document["cause"] = cause
    if aws is not None:
        document["aws"] = aws
    if annotations is not None:
        document["annotations"] = annotations
    if metadata is not None:
        document["metadata"] = metadata
    if namespace:
        document["namespace"] = namespace
    if item.parent_id:
        document["parent_id"] = item.parent_id
    if is_subsegment:
        document["type"] = "subsegment"
    if sql is not None:
        document["sql"] = sql
    return document


def _take_in_progress(attrs: Attrs) -> tuple[Attrs, bool]:
    """Remove ``aws.xray.inprogress`` (blocks never modify their input, so this copies)."""
    attrs = dict(attrs)
    return attrs, attrs.pop(IN_PROGRESS) is True


def _with(document: Document, **changes: Any) -> Document:
    """``document`` with fields set (``None`` removes one), in the struct's field order."""
    merged = {**document, **changes}
    return {key: merged[key] for key in FIELD_ORDER if merged.get(key) is not None}


def _is_local_root(attrs: Attrs) -> bool:
    value = attrs.get("aws.span.kind")
    return value is not None and as_str(value) == "LOCAL_ROOT"


def make_segments(
    span: Span, resource: ResourceInfo, options: TranslateOptions, now: float, new_id: Callable[[], str],
    trace_ids: dict[bytes, str] | None = None,
) -> list[Document]:
    """Translate one span to its documents (``MakeSegmentsFromSpan``).

    ``trace_ids`` caches converted trace ids across the spans of a batch (they share traces).

    Raises:
        SpanFailure: the span cannot be translated.
    """
    attrs = attrs_of(span.attributes[:])  # a list: see attrs_of
    view = SpanView(span)
    item = SpanInput(view, resource, attrs, span_id_hex(view.span_id), span_id_hex(view.parent_span_id, "parent id"))
    if not item.span_id:
        raise SpanFailure("invalid_span_id", "span id is empty or all zeros")
    cached = None if trace_ids is None else trace_ids.get(view.trace_id)
    if cached is None:
        cached = make_trace_id(view.trace_id, skip_timestamp_validation=options.skip_timestamp_validation, now=now)
        if trace_ids is not None:
            trace_ids[view.trace_id] = cached
    item.trace_id = cached
    span_kind = view.kind
    if "aws.span.kind" not in attrs or not _is_local_root(attrs):
        document = make_segment(item, options, now, new_id)
        # A dependency subsegment with aws.remote.service but no namespace is a remote call.
        if (span_kind in _DEPENDENCY_KINDS and "type" in document and "namespace" not in document
                and "aws.remote.service" in attrs):
            document = _with(document, namespace="remote")
        return [document]
    if span_kind not in _DEPENDENCY_KINDS:
        return [_with(make_segment(item, options, now, new_id), type=None, namespace=None)]
    service_id = new_id()
    return [
        _dependency_subsegment(item, service_id, options, now, new_id),
        _service_segment(item, service_id, options, now, new_id),
    ]


def _dependency_subsegment(
    item: SpanInput, service_id: str, options: TranslateOptions, now: float, new_id: Callable[[], str]
) -> Document:
    """The call to the remote service, as a subsegment of the new service segment."""
    dependency = SpanInput(item.span, item.resource, item.attrs, item.span_id, service_id, item.trace_id)
    document = make_segment(dependency, options, now, new_id)
    changes: dict[str, Any] = {"type": "subsegment", "namespace": document.get("namespace") or "remote"}
    if item.span.kind == Span.SPAN_KIND_CONSUMER:
        changes["links"] = None
    remote = item.attrs.get("aws.remote.service")
    if remote is not None:
        changes["name"] = trim_aws_sdk_prefix(as_str(remote), is_aws_sdk_span(item.attrs))
    return _with(document, **changes)


def _service_segment(
    item: SpanInput, service_id: str, options: TranslateOptions, now: float, new_id: Callable[[], str]
) -> Document:
    """The local service that made the call, as a segment with the fresh id."""
    attrs = {key: value for key, value in item.attrs.items() if key not in _REMOTE_ATTRIBUTES}
    service = SpanInput(item.span, item.resource, attrs, service_id, item.parent_id, item.trace_id)
    document = make_segment(service, options, now, new_id)
    changes: dict[str, Any] = {"http": None, "type": None, "namespace": None}
    local = item.attrs.get("aws.local.service")
    if local is not None:
        changes["name"] = as_str(local)
    elif item.resource.service_name:
        changes["name"] = item.resource.service_name
    if "aws" in document:
        changes["aws"] = {k: v for k, v in document["aws"].items() if k not in _SERVICE_SEGMENT_CLEARED}
    if "metadata" in document:  # only the resource's metadata stays (namespaces are kept, even emptied)
        changes["metadata"] = {
            ns: {k: v for k, v in entries.items() if k.startswith("otel.resource.")} if entries is not None else None
            for ns, entries in document["metadata"].items()
        }
    if item.span.kind != Span.SPAN_KIND_CONSUMER:
        changes["links"] = None
    return _with(document, **changes)
