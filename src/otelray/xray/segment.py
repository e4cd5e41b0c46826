"""The X-Ray segment document, otelray's pivot format (X-Ray developer guide, "Segment documents").

A document is one JSON object of at most 64 KB: a segment (optionally with embedded
``subsegments``), an in-progress segment (``in_progress: true``, no ``end_time``), or an independent
subsegment (``type: "subsegment"`` with ``trace_id`` and ``parent_id``). The types below are
``TypedDict``s — documentation and type checking at zero runtime cost; the rules are checked by
``otelray.xray.validate``. Both translation directions and the backend import them from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict

import orjson

from otelray.xray.errors import SegmentError
from otelray.xray.validate import validate_document

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "AwsBlock",
    "Cause",
    "DocumentKind",
    "Exception_",
    "HttpBlock",
    "HttpRequest",
    "HttpResponse",
    "Link",
    "SegmentDocument",
    "SqlBlock",
    "StackFrame",
    "Subsegment",
    "document_kind",
    "iter_subsegments",
    "parse_document",
    "validate_document",
]

#: X-Ray rejects documents larger than this (developer guide; the daemon's datagram buffer).
MAX_DOCUMENT_BYTES = 64 * 1024

AnnotationValue = str | int | float | bool


class HttpRequest(TypedDict, total=False):
    method: str
    url: str
    user_agent: str
    client_ip: str
    x_forwarded_for: bool  # segments: client_ip was read from X-Forwarded-For
    traced: bool  # subsegments: the callee is instrumented


class HttpResponse(TypedDict, total=False):
    status: int
    content_length: int | str


class HttpBlock(TypedDict, total=False):
    request: HttpRequest
    response: HttpResponse


class AwsBlock(TypedDict, total=False):
    """Segment fields (account, ec2/ecs/eks/beanstalk, xray sdk) and subsegment call fields together."""

    account_id: str
    cloudwatch_logs: list[dict[str, str]]
    ec2: dict[str, Any]
    ecs: dict[str, Any]
    eks: dict[str, Any]
    elastic_beanstalk: dict[str, Any]
    xray: dict[str, Any]
    operation: str
    region: str
    request_id: str
    queue_url: str
    table_name: str
    table_names: list[str]
    retries: int


class SqlBlock(TypedDict, total=False):
    connection_string: str
    url: str
    sanitized_query: str
    database_type: str
    database_version: str
    driver_version: str
    user: str
    preparation: Literal["call", "statement"]


class StackFrame(TypedDict, total=False):
    path: str
    line: int
    label: str


class Exception_(TypedDict):
    """One recorded exception (named with a trailing underscore to leave the builtin alone)."""

    id: str
    message: NotRequired[str]
    type: NotRequired[str]
    remote: NotRequired[bool]
    truncated: NotRequired[int]
    skipped: NotRequired[int]
    cause: NotRequired[str]
    stack: NotRequired[list[StackFrame]]


class Cause(TypedDict, total=False):
    working_directory: str
    paths: list[str]
    exceptions: list[Exception_]


class Link(TypedDict):
    trace_id: str
    id: str
    attributes: NotRequired[dict[str, Any]]


class _Entity(TypedDict):
    id: str
    name: str
    start_time: float
    end_time: NotRequired[float]
    in_progress: NotRequired[bool]
    parent_id: NotRequired[str]
    http: NotRequired[HttpBlock]
    aws: NotRequired[AwsBlock]
    error: NotRequired[bool]
    fault: NotRequired[bool]
    throttle: NotRequired[bool]
    cause: NotRequired[Cause | str]
    annotations: NotRequired[dict[str, AnnotationValue]]
    metadata: NotRequired[dict[str, dict[str, Any]]]
    subsegments: NotRequired[list[Subsegment]]


class Subsegment(_Entity):
    """A subsegment, embedded (``trace_id`` optional) or independent (``type``, ``trace_id``, ``parent_id``)."""

    trace_id: NotRequired[str]
    type: NotRequired[Literal["subsegment"]]
    namespace: NotRequired[str]  # "aws" | "remote" (and "local" from some SDKs)
    sql: NotRequired[SqlBlock]
    precursor_ids: NotRequired[list[str]]
    traced: NotRequired[bool]


class SegmentDocument(_Entity):
    """A segment (``type`` absent) or an independent subsegment, as sent to PutTraceSegments."""

    trace_id: str
    type: NotRequired[Literal["subsegment"]]
    service: NotRequired[dict[str, Any]]
    origin: NotRequired[str]
    user: NotRequired[str]
    resource_arn: NotRequired[str]
    links: NotRequired[list[Link]]
    namespace: NotRequired[str]
    sql: NotRequired[SqlBlock]
    precursor_ids: NotRequired[list[str]]


class DocumentKind(StrEnum):
    SEGMENT = "segment"
    SUBSEGMENT = "subsegment"  # an independent subsegment document


def parse_document(raw: bytes | str, *, lenient: bool = False) -> dict[str, Any]:
    """Decode and validate one segment document.

    Args:
        raw: the JSON text.
        lenient: validate with the awsxray receiver's looser rules (see ``validate_document``).

    Raises:
        SegmentError: ``DocumentTooLarge`` (over 64 KB), ``InvalidJson``, or any code of
            ``validate_document``.
    """
    size = len(raw)
    if isinstance(raw, str) and size * 4 > MAX_DOCUMENT_BYTES:
        size = len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise SegmentError("DocumentTooLarge", f"document of {size} bytes exceeds {MAX_DOCUMENT_BYTES}", None)
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SegmentError("InvalidJson", f"document is not valid JSON: {exc}", None) from None
    validate_document(doc, lenient=lenient)
    return doc  # type: ignore[no-any-return]


def document_kind(doc: dict[str, Any]) -> DocumentKind:
    """Whether a (validated) document is a segment or an independent subsegment."""
    return DocumentKind.SUBSEGMENT if doc.get("type") == "subsegment" else DocumentKind.SEGMENT


def iter_subsegments(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield ``(subsegment, parent_id)`` for every embedded subsegment, depth-first in document order.

    The document itself is not yielded; its direct children get the document's ``id`` as parent.
    """
    stack: list[tuple[dict[str, Any], str]] = [
        (sub, doc["id"]) for sub in reversed(doc.get("subsegments") or ())
    ]
    while stack:
        sub, parent_id = stack.pop()
        yield sub, parent_id
        children = sub.get("subsegments")
        if children:
            stack.extend((child, sub["id"]) for child in reversed(children))
