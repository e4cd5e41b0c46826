"""Validation of X-Ray segment documents (X-Ray developer guide, "Segment documents"; schema v1.0.0).

Hand-written checks, because the backend runs them for every ingested document. Each failure raises
``SegmentError(code, message, segment_id)``; the message names the field path
(``subsegments[2].http.response.status must be an integer``).

Error codes. Those seen from the real service are used where they apply: ``MissingId``,
``MissingTraceId``, ``InvalidTraceId``, ``MissingParentId`` (an independent subsegment without
``parent_id``), ``MissingEndTime``, ``InvalidName``. The others follow the same ``Missing<Field>`` /
``Invalid<Field>`` pattern: ``InvalidJson``, ``DocumentTooLarge``, ``InvalidDocument`` (not a JSON
object; AWS answers ``MissingId`` for a JSON array, and so does otelray), ``InvalidId``,
``InvalidParentId``, ``MissingName``, ``MissingStartTime``, ``InvalidStartTime``, ``InvalidEndTime``,
``InvalidInProgress``, ``InvalidType``, ``InvalidNamespace``, ``InvalidAnnotation``,
``InvalidMetadata``, ``InvalidHttp``, ``InvalidAws``, ``InvalidSql``, ``InvalidCause``,
``InvalidLinks``, ``InvalidPrecursorIds``, ``InvalidSubsegments``, ``InvalidFlag``, ``InvalidField``.

Rules (developer guide + schema):

- ``name``: string of 1..200 characters; on segments only Unicode letters, digits, whitespace and
  ``_ . : / % & # = + \\ - @`` (subsegment names are free text up to 200 characters).
- ``id``/``parent_id``/``precursor_ids[*]``: 16 hex digits; ``trace_id``: ``1-<8 hex>-<24 hex>``
  (required on the document, optional on embedded subsegments).
- ``start_time``: number; ``end_time``: number not before ``start_time``, required unless
  ``in_progress`` is ``true``.
- ``type``: absent or ``"subsegment"``; a top-level subsegment needs ``parent_id``.
- annotations: at most 50; keys ``[A-Za-z0-9_.]{1,500}`` (the service accepts ``.`` since the
  collector's ``exporter.xray.allowDot`` gate went beta, so otelray does too); values string
  (≤ 1000 characters), number or boolean.
- metadata: object of namespaces, each an object.
- ``user`` ≤ 250 characters; ``error``/``fault``/``throttle`` booleans; ``links`` ≤ 20.
- ``cause``: a 16-character exception id, or an object whose exceptions each carry a 16-hex ``id``.
- Unknown fields are accepted (the schema is older than ``links``, ``eks``, ``cloudwatch_logs`` …).

``lenient=True`` applies the collector awsxray receiver's rules instead (it decodes into typed Go
structs and only requires ``name``, ``id``, ``start_time`` and ``trace_id``): every type check stays,
the completeness, naming, length and count rules above are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from otelray.xray.errors import SegmentError
from otelray.xray.ids import is_segment_id, is_trace_id

MAX_NAME_LENGTH = 200
MAX_USER_LENGTH = 250
MAX_ANNOTATIONS = 50
MAX_ANNOTATION_KEY_LENGTH = 500
MAX_ANNOTATION_VALUE_LENGTH = 1000
MAX_LINKS = 20
#: Deepest nesting of embedded subsegments accepted (a 64 KB document cannot usefully go deeper).
MAX_DEPTH = 64

_SEGMENT_NAME_RE = re.compile(r"^[\w\s.:/%&#=+\\\-@]{1,200}\Z")
_ANNOTATION_KEY_RE = re.compile(r"^[A-Za-z0-9_.]{1,500}\Z")
_NUMBER = (int, float)

_HTTP_REQUEST_STRINGS = ("method", "url", "user_agent", "client_ip")
_HTTP_REQUEST_BOOLS = ("x_forwarded_for", "traced")
_SQL_STRINGS = (
    "connection_string", "url", "sanitized_query", "database_type",
    "database_version", "driver_version", "user", "preparation",
)
_AWS_OBJECTS = ("ec2", "ecs", "eks", "elastic_beanstalk", "xray")


def _fail(code: str, message: str, root: dict[str, Any]) -> SegmentError:
    seg_id = root.get("id")
    return SegmentError(code, message, seg_id if isinstance(seg_id, str) else None)


def _is_number(value: object) -> bool:
    return type(value) in _NUMBER  # excludes bool, which is an int subclass


def validate_document(doc: Any, *, lenient: bool = False) -> None:
    """Check one decoded segment document (segment or independent subsegment) against X-Ray's rules.

    Args:
        doc: the decoded document.
        lenient: apply the collector awsxray receiver's looser rules instead: ``name``, ``id``,
            ``start_time`` and ``trace_id`` required and every field of the right type, but no
            ``end_time``/``in_progress`` requirement, no ``parent_id`` requirement on independent
            subsegments, and no name, length, count or annotation-key limits.

    Raises:
        SegmentError: with an X-Ray style code and a message naming the offending field.
    """
    if not isinstance(doc, dict):
        kind = type(doc).__name__ if not isinstance(doc, list) else "array"
        raise SegmentError("MissingId", f"document must be a JSON object, not {kind}", None)
    if "trace_id" not in doc:
        raise _fail("MissingTraceId", "trace_id is required", doc)
    if not is_trace_id(doc["trace_id"]):
        raise _fail("InvalidTraceId", f"trace_id {_show(doc['trace_id'])} must be 1-<8 hex digits>-<24 hex digits>", doc)
    kind = doc.get("type")
    if kind is not None and kind != "subsegment":
        raise _fail("InvalidType", f'type must be "subsegment", not {_show(kind)}', doc)
    if kind == "subsegment" and "parent_id" not in doc and not lenient:
        raise _fail("MissingParentId", "parent_id is required on an independent subsegment", doc)
    _check_entity(doc, "", doc, segment=kind is None, strict=not lenient)
    # depth-first, in document order, without recursion (a hostile document cannot blow the stack)
    stack: list[tuple[dict[str, Any], str, int]] = [(doc, "", 0)]
    while stack:
        entity, path, depth = stack.pop()
        if depth:
            _check_embedded(entity, path, doc, strict=not lenient)
        subs = entity.get("subsegments")
        if subs is None:
            continue
        if not isinstance(subs, list):
            raise _fail("InvalidSubsegments", f"{path}subsegments must be an array", doc)
        if subs and depth >= MAX_DEPTH:
            raise _fail("InvalidSubsegments", f"{path}subsegments nest deeper than {MAX_DEPTH} levels", doc)
        for index in range(len(subs) - 1, -1, -1):
            sub = subs[index]
            if not isinstance(sub, dict):
                raise _fail("InvalidSubsegments", f"{path}subsegments[{index}] must be an object", doc)
            stack.append((sub, f"{path}subsegments[{index}].", depth + 1))


def _check_embedded(sub: dict[str, Any], path: str, root: dict[str, Any], *, strict: bool) -> None:
    if "trace_id" in sub and not is_trace_id(sub["trace_id"]):
        raise _fail("InvalidTraceId", f"{path}trace_id {_show(sub['trace_id'])} must be 1-<8 hex digits>-<24 hex digits>", root)
    kind = sub.get("type")
    if kind is not None and kind != "subsegment":
        raise _fail("InvalidType", f'{path}type must be "subsegment", not {_show(kind)}', root)
    _check_entity(sub, path, root, segment=False, strict=strict)


def _check_entity(entity: dict[str, Any], path: str, root: dict[str, Any], *, segment: bool, strict: bool) -> None:
    """Checks shared by segments and subsegments: id, name, times, and each optional block present."""
    _check_id(entity, path, root)
    _check_name(entity, path, root, segment=segment and strict, limit=strict)
    _check_times(entity, path, root, strict=strict)
    checks = _OPTIONAL_CHECKS if strict else _LENIENT_CHECKS
    if "parent_id" in entity and not is_segment_id(entity["parent_id"]):
        raise _fail("InvalidParentId", f"{path}parent_id {_show(entity['parent_id'])} must be 16 hex digits", root)
    for key, item in entity.items():
        check = checks.get(key)
        if check is not None:
            check(item, f"{path}{key}", root)


def _check_id(entity: dict[str, Any], path: str, root: dict[str, Any]) -> None:
    if "id" not in entity:
        raise _fail("MissingId", f"{path}id is required", root)
    if not is_segment_id(entity["id"]):
        raise _fail("InvalidId", f"{path}id {_show(entity['id'])} must be 16 hex digits", root)


def _check_name(entity: dict[str, Any], path: str, root: dict[str, Any], *, segment: bool, limit: bool) -> None:
    if "name" not in entity:
        raise _fail("MissingName", f"{path}name is required", root)
    name = entity["name"]
    if not isinstance(name, str):
        raise _fail("InvalidName", f"{path}name must be a string", root)
    if limit and (not name or len(name) > MAX_NAME_LENGTH):
        raise _fail("InvalidName", f"{path}name must be 1 to {MAX_NAME_LENGTH} characters, got {len(name)}", root)
    if segment and _SEGMENT_NAME_RE.match(name) is None:
        raise _fail(
            "InvalidName",
            f"{path}name {_show(name)} may only contain letters, digits, whitespace and _ . : / % & # = + \\ - @",
            root,
        )


def _check_times(entity: dict[str, Any], path: str, root: dict[str, Any], *, strict: bool) -> None:
    if "start_time" not in entity:
        raise _fail("MissingStartTime", f"{path}start_time is required", root)
    start = entity["start_time"]
    if not _is_number(start) or start < 0:
        raise _fail("InvalidStartTime", f"{path}start_time must be a non-negative number of epoch seconds", root)
    in_progress = entity.get("in_progress", False)
    if type(in_progress) is not bool:
        raise _fail("InvalidInProgress", f"{path}in_progress must be a boolean", root)
    if "end_time" not in entity:
        if strict and not in_progress:
            raise _fail("MissingEndTime", f"{path}end_time is required unless in_progress is true", root)
        return
    end = entity["end_time"]
    if not _is_number(end):
        raise _fail("InvalidEndTime", f"{path}end_time must be a number of epoch seconds", root)
    if strict and end < start:
        raise _fail("InvalidEndTime", f"{path}end_time {end} is before start_time {start}", root)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_string(value: object, path: str, root: dict[str, Any], code: str, limit: int | None = None) -> None:
    if not isinstance(value, str):
        raise _fail(code, f"{path} must be a string", root)
    if limit is not None and len(value) > limit:
        raise _fail(code, f"{path} must be at most {limit} characters, got {len(value)}", root)


def _check_object(value: object, path: str, root: dict[str, Any], code: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(code, f"{path} must be an object", root)
    return value


def _check_flag(value: object, path: str, root: dict[str, Any]) -> None:
    if type(value) is not bool:
        raise _fail("InvalidFlag", f"{path} must be a boolean", root)


def _check_user(value: object, path: str, root: dict[str, Any]) -> None:
    _check_string(value, path, root, "InvalidField", MAX_USER_LENGTH)


def _check_plain_string(value: object, path: str, root: dict[str, Any]) -> None:
    _check_string(value, path, root, "InvalidField")


def _check_namespace(value: object, path: str, root: dict[str, Any]) -> None:
    _check_string(value, path, root, "InvalidNamespace")


def _check_service(value: object, path: str, root: dict[str, Any]) -> None:
    _check_object(value, path, root, "InvalidField")


def _check_annotations(value: object, path: str, root: dict[str, Any]) -> None:
    annotations = _check_object(value, path, root, "InvalidAnnotation")
    if len(annotations) > MAX_ANNOTATIONS:
        raise _fail("InvalidAnnotation", f"{path} has {len(annotations)} keys, at most {MAX_ANNOTATIONS} allowed", root)
    for key, item in annotations.items():
        if not isinstance(key, str) or _ANNOTATION_KEY_RE.match(key) is None:
            raise _fail(
                "InvalidAnnotation",
                f"{path} key {_show(key)} must be 1 to {MAX_ANNOTATION_KEY_LENGTH} letters, digits, _ or .",
                root,
            )
        if isinstance(item, str):
            if len(item) > MAX_ANNOTATION_VALUE_LENGTH:
                raise _fail(
                    "InvalidAnnotation",
                    f"{path}.{key} must be at most {MAX_ANNOTATION_VALUE_LENGTH} characters, got {len(item)}",
                    root,
                )
        elif type(item) not in (int, float, bool):
            raise _fail("InvalidAnnotation", f"{path}.{key} must be a string, number or boolean", root)


def _check_metadata(value: object, path: str, root: dict[str, Any]) -> None:
    metadata = _check_object(value, path, root, "InvalidMetadata")
    for namespace, item in metadata.items():
        if not isinstance(item, dict):
            raise _fail("InvalidMetadata", f"{path}.{namespace} must be an object", root)


def _check_http(value: object, path: str, root: dict[str, Any]) -> None:
    http = _check_object(value, path, root, "InvalidHttp")
    if "request" in http:
        request = _check_object(http["request"], f"{path}.request", root, "InvalidHttp")
        for key in _HTTP_REQUEST_STRINGS:
            if key in request:
                _check_string(request[key], f"{path}.request.{key}", root, "InvalidHttp")
        for key in _HTTP_REQUEST_BOOLS:
            if key in request and type(request[key]) is not bool:
                raise _fail("InvalidHttp", f"{path}.request.{key} must be a boolean", root)
    if "response" in http:
        response = _check_object(http["response"], f"{path}.response", root, "InvalidHttp")
        if "status" in response and type(response["status"]) is not int:
            raise _fail("InvalidHttp", f"{path}.response.status must be an integer", root)
        length = response.get("content_length")
        # the awsxray receiver also accepts content_length sent as a string (upstream test vector)
        if length is not None and type(length) not in (int, float, str):
            raise _fail("InvalidHttp", f"{path}.response.content_length must be a number", root)


def _check_aws(value: object, path: str, root: dict[str, Any]) -> None:
    aws = _check_object(value, path, root, "InvalidAws")
    for key in _AWS_OBJECTS:
        if key in aws:
            _check_object(aws[key], f"{path}.{key}", root, "InvalidAws")
    logs = aws.get("cloudwatch_logs")
    if logs is not None:
        if not isinstance(logs, list):
            raise _fail("InvalidAws", f"{path}.cloudwatch_logs must be an array", root)
        for index, item in enumerate(logs):
            _check_object(item, f"{path}.cloudwatch_logs[{index}]", root, "InvalidAws")
    retries = aws.get("retries")
    if retries is not None and type(retries) is not int:
        raise _fail("InvalidAws", f"{path}.retries must be an integer", root)


def _check_sql(value: object, path: str, root: dict[str, Any]) -> None:
    sql = _check_object(value, path, root, "InvalidSql")
    for key in _SQL_STRINGS:
        if key in sql:
            _check_string(sql[key], f"{path}.{key}", root, "InvalidSql")


def _check_cause(value: object, path: str, root: dict[str, Any]) -> None:
    # the schema (and the awsxray receiver's test vectors) allow any 16-character id string here
    if isinstance(value, str):
        if len(value) != 16:
            raise _fail("InvalidCause", f"{path} {_show(value)} must be a 16-character exception id or an object", root)
        return
    cause = _check_object(value, path, root, "InvalidCause")
    if "working_directory" in cause:
        _check_string(cause["working_directory"], f"{path}.working_directory", root, "InvalidCause")
    paths = cause.get("paths")
    if paths is not None and (not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)):
        raise _fail("InvalidCause", f"{path}.paths must be an array of strings", root)
    exceptions = cause.get("exceptions")
    if exceptions is None:
        return
    if not isinstance(exceptions, list):
        raise _fail("InvalidCause", f"{path}.exceptions must be an array", root)
    for index, exc in enumerate(exceptions):
        _check_exception(exc, f"{path}.exceptions[{index}]", root)


def _check_exception(value: object, path: str, root: dict[str, Any]) -> None:
    exc = _check_object(value, path, root, "InvalidCause")
    if "id" not in exc:
        raise _fail("InvalidCause", f"{path}.id is required", root)
    if not is_segment_id(exc["id"]):
        raise _fail("InvalidCause", f"{path}.id {_show(exc['id'])} must be 16 hex digits", root)
    for key in ("message", "type", "cause"):
        if key in exc:
            _check_string(exc[key], f"{path}.{key}", root, "InvalidCause")
    for key in ("truncated", "skipped"):
        if key in exc and type(exc[key]) is not int:
            raise _fail("InvalidCause", f"{path}.{key} must be an integer", root)
    if "remote" in exc and type(exc["remote"]) is not bool:
        raise _fail("InvalidCause", f"{path}.remote must be a boolean", root)
    stack = exc.get("stack")
    if stack is None:
        return
    if not isinstance(stack, list):
        raise _fail("InvalidCause", f"{path}.stack must be an array", root)
    for index, frame in enumerate(stack):
        frame_path = f"{path}.stack[{index}]"
        frame = _check_object(frame, frame_path, root, "InvalidCause")
        if "line" in frame and type(frame["line"]) is not int:
            raise _fail("InvalidCause", f"{frame_path}.line must be an integer", root)
        for key in ("path", "label"):
            if key in frame:
                _check_string(frame[key], f"{frame_path}.{key}", root, "InvalidCause")


def _check_links(value: object, path: str, root: dict[str, Any]) -> None:
    if not isinstance(value, list):
        raise _fail("InvalidLinks", f"{path} must be an array", root)
    if len(value) > MAX_LINKS:
        raise _fail("InvalidLinks", f"{path} has {len(value)} links, at most {MAX_LINKS} allowed", root)
    for index, link in enumerate(value):
        link_path = f"{path}[{index}]"
        link = _check_object(link, link_path, root, "InvalidLinks")
        if not is_trace_id(link.get("trace_id")):
            raise _fail("InvalidLinks", f"{link_path}.trace_id must be 1-<8 hex digits>-<24 hex digits>", root)
        if not is_segment_id(link.get("id")):
            raise _fail("InvalidLinks", f"{link_path}.id must be 16 hex digits", root)
        if "attributes" in link:
            _check_object(link["attributes"], f"{link_path}.attributes", root, "InvalidLinks")


def _check_precursor_ids(value: object, path: str, root: dict[str, Any]) -> None:
    if not isinstance(value, list):
        raise _fail("InvalidPrecursorIds", f"{path} must be an array", root)
    for index, item in enumerate(value):
        if not is_segment_id(item):
            raise _fail("InvalidPrecursorIds", f"{path}[{index}] {_show(item)} must be 16 hex digits", root)


def _check_annotation_types(value: object, path: str, root: dict[str, Any]) -> None:
    # the receiver decodes annotations into map[string]any and skips values it cannot map
    _check_object(value, path, root, "InvalidAnnotation")


def _check_any_string(value: object, path: str, root: dict[str, Any]) -> None:
    _check_string(value, path, root, "InvalidField")


def _check_links_types(value: object, path: str, root: dict[str, Any]) -> None:
    if not isinstance(value, list):
        raise _fail("InvalidLinks", f"{path} must be an array", root)


_OPTIONAL_CHECKS = {
    "error": _check_flag,
    "fault": _check_flag,
    "throttle": _check_flag,
    "user": _check_user,
    "origin": _check_plain_string,
    "resource_arn": _check_plain_string,
    "namespace": _check_namespace,
    "service": _check_service,
    "annotations": _check_annotations,
    "metadata": _check_metadata,
    "http": _check_http,
    "aws": _check_aws,
    "sql": _check_sql,
    "cause": _check_cause,
    "links": _check_links,
    "precursor_ids": _check_precursor_ids,
}

_LENIENT_CHECKS = dict(
    _OPTIONAL_CHECKS, user=_check_any_string, annotations=_check_annotation_types, links=_check_links_types,
)
