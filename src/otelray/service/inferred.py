"""Trace compilation and inferred downstream nodes (X-Ray developer guide, "Getting data from X-Ray"
and "Concepts": segments, subsegments, inferred segments).

X-Ray compiles all documents of one trace before it answers ``BatchGetTraces`` or derives a trace
summary: a complete document replaces the in-progress copy with the same ``id``; independently sent
subsegments are attached to their parent (segment *or* subsegment) by ``parent_id``; and every
subsegment in namespace ``aws`` or ``remote`` that no instrumented callee answered (no segment has
``parent_id`` = the subsegment's ``id``) becomes an *inferred segment*: ``inferred: true``, the
subsegment's timing, ``http`` and ``aws`` blocks, and an ``origin`` naming the downstream resource
type (``AWS::DynamoDB::Table``, ``AWS::SNS``, ``Database::SQL``, ``remote``).

Naming follows the developer guide's example: a DynamoDB call that records ``aws.table_name`` becomes
a node named after the table with type ``AWS::DynamoDB::Table``; an SNS publish stays ``SNS`` /
``AWS::SNS``. Subsegment names differ by SDK (``dynamodb`` from the Python SDK's endpoint prefix,
``DynamoDB`` from Java and the ADOT collector), so AWS service names are normalised.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CompiledTrace",
    "Entity",
    "compile_trace",
    "downstream_node",
    "inferred_segments",
    "inferred_segments_of",
    "is_in_progress",
]

#: lower-cased SDK spelling of an AWS service (endpoint prefix, Java/ADOT name) -> X-Ray node name.
_AWS_SERVICES: dict[str, str] = {
    "dynamodb": "DynamoDB",
    "amazondynamodb": "DynamoDB",
    "amazondynamodbv2": "DynamoDB",
    "s3": "S3",
    "amazons3": "S3",
    "sqs": "SQS",
    "amazonsqs": "SQS",
    "sns": "SNS",
    "amazonsns": "SNS",
    "lambda": "Lambda",
    "awslambda": "Lambda",
    "kinesis": "Kinesis",
    "amazonkinesis": "Kinesis",
    "states": "StepFunctions",
    "sfn": "StepFunctions",
    "stepfunctions": "StepFunctions",
    "sts": "STS",
    "awssecuritytokenservice": "STS",
    "events": "EventBridge",
    "eventbridge": "EventBridge",
    "secretsmanager": "SecretsManager",
    "ssm": "SSM",
    "kms": "KMS",
    "rds": "RDS",
    "ec2": "EC2",
    "ecs": "ECS",
    "firehose": "Firehose",
    "cloudwatch": "CloudWatch",
    "logs": "CloudWatchLogs",
    "apigateway": "APIGateway",
    "execute-api": "APIGateway",
}


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_in_progress(doc: dict[str, Any]) -> bool:
    """True for an in-progress fragment: ``in_progress: true`` or no usable ``end_time``."""
    return doc.get("in_progress") is True or not _is_time(doc.get("end_time"))


@dataclass(slots=True, eq=False)
class Entity:
    """One segment or subsegment of a compiled trace.

    Attributes:
        doc: the document (for subsegments, the embedded or independent subsegment object).
        segment: the owning segment entity (itself for a segment; ``None`` while the owner is missing).
        parent: the enclosing entity (``None`` for segments).
        children: subsegments directly below this entity.
    """

    doc: dict[str, Any]
    segment: Entity | None = None
    parent: Entity | None = None
    children: list[Entity] = field(default_factory=list)
    id: str = field(init=False)
    start: float | None = field(init=False)
    end: float | None = field(init=False)

    def __post_init__(self) -> None:
        doc = self.doc
        self.id = str(doc.get("id", ""))
        start = doc.get("start_time")
        self.start = float(start) if _is_time(start) else None
        end = doc.get("end_time")
        self.end = float(end) if doc.get("in_progress") is not True and _is_time(end) else None

    @property
    def is_segment(self) -> bool:
        return self.segment is self

    def walk(self) -> Iterator[Entity]:
        """This entity and every subsegment below it, depth first (iterative: nesting can be deep)."""
        stack = [self]
        while stack:
            entity = stack.pop()
            yield entity
            stack.extend(reversed(entity.children))


@dataclass(slots=True)
class CompiledTrace:
    """All documents of one trace after superseding and attaching.

    Attributes:
        segments: the segment entities, in start-time order.
        by_id: every entity by its id.
        callee: segment entity by the id of the entity it names as ``parent_id``.
        orphans: independent subsegments whose parent has not arrived (the trace is partial).
    """

    segments: list[Entity]
    by_id: dict[str, Entity]
    callee: dict[str, Entity]
    orphans: list[Entity]

    def entities(self) -> Iterator[Entity]:
        """Every entity: segments with their subsegment trees, then orphan subtrees."""
        for seg in self.segments:
            yield from seg.walk()
        for orphan in self.orphans:
            yield from orphan.walk()

    def root(self) -> Entity | None:
        """The root segment: no ``parent_id`` inside this trace; earliest such segment wins."""
        candidates = [s for s in self.segments if str(s.doc.get("parent_id", "")) not in self.by_id]
        return candidates[0] if candidates else (self.segments[0] if self.segments else None)


def _supersede(documents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One document per id: a complete document beats an in-progress one, a later one an earlier one."""
    chosen: dict[str, dict[str, Any]] = {}
    for doc in documents:
        key = str(doc.get("id", ""))
        old = chosen.get(key)
        if old is None or not (is_in_progress(doc) and not is_in_progress(old)):
            chosen[key] = doc
    return list(chosen.values())


def _register(top: Entity, trace: CompiledTrace) -> None:
    """Add an entity and its embedded subsegments to ``trace.by_id`` (a complete copy wins)."""
    stack = [top]
    while stack:
        entity = stack.pop()
        old = trace.by_id.get(entity.id)
        if old is not None and not is_in_progress(old.doc) and is_in_progress(entity.doc):
            if entity.parent is not None:
                entity.parent.children.remove(entity)
            continue
        trace.by_id[entity.id] = entity
        subsegments = entity.doc.get("subsegments")
        for sub in subsegments if isinstance(subsegments, list) else ():
            if isinstance(sub, dict):
                child = Entity(sub, entity.segment, entity)
                entity.children.append(child)
                stack.append(child)


def _is_below(entity: Entity, ancestor: Entity) -> bool:
    """True if ``entity`` is ``ancestor`` or sits under it (guards against parent_id cycles)."""
    seen: set[int] = set()
    node: Entity | None = entity
    while node is not None and id(node) not in seen:
        if node is ancestor:
            return True
        seen.add(id(node))
        node = node.parent
    return False


def _set_owner(entity: Entity, owner: Entity | None) -> None:
    for node in entity.walk():
        node.segment = owner


def compile_trace(documents: Iterable[dict[str, Any]]) -> CompiledTrace:
    """Compile the validated documents of one trace (segments, embedded and independent subsegments)."""
    docs = _supersede(documents)
    trace = CompiledTrace([], {}, {}, [])
    pending: list[Entity] = []
    for doc in docs:
        if doc.get("type") == "subsegment":
            pending.append(Entity(doc))
            continue
        seg = Entity(doc)
        seg.segment = seg
        trace.segments.append(seg)
        _register(seg, trace)
    for sub in pending:  # register first, so independent subsegments may nest in one another
        _register(sub, trace)
    for sub in pending:
        if trace.by_id.get(sub.id) is not sub:
            continue  # superseded by a complete copy
        parent = trace.by_id.get(str(sub.doc.get("parent_id", "")))
        if parent is None or _is_below(parent, sub):
            trace.orphans.append(sub)  # parent not arrived yet, or a parent_id cycle
            continue
        sub.parent = parent
        parent.children.append(sub)
    for sub in pending:  # owners are known once every parent link is set
        top = sub
        while top.parent is not None and not top.is_segment:
            top = top.parent
        _set_owner(sub, top if top.is_segment else None)
    trace.segments.sort(key=lambda s: (s.start or 0.0, s.id))
    for seg in trace.segments:
        parent_id = seg.doc.get("parent_id")
        if isinstance(parent_id, str) and parent_id in trace.by_id:
            trace.callee[parent_id] = seg
    return trace


def _aws_node(name: str, aws: dict[str, Any]) -> tuple[str, str]:
    key = name.lower().replace(" ", "").replace("_", "")
    service = _AWS_SERVICES.get(key, name)
    table = aws.get("table_name")
    if service == "DynamoDB" and isinstance(table, str) and table:
        return table, "AWS::DynamoDB::Table"
    queue_url = aws.get("queue_url")
    if service == "SQS" and isinstance(queue_url, str) and queue_url.rstrip("/"):
        return queue_url.rstrip("/").rsplit("/", 1)[-1], "AWS::SQS::Queue"
    bucket = aws.get("bucket_name")
    if service == "S3" and isinstance(bucket, str) and bucket:
        return bucket, "AWS::S3::Bucket"
    function = aws.get("function_name")
    if service == "Lambda" and isinstance(function, str) and function:
        return function, "AWS::Lambda"
    return service, f"AWS::{service}"


def downstream_node(sub: dict[str, Any]) -> tuple[str, str] | None:
    """The ``(name, type)`` of the node a downstream subsegment calls, or ``None`` for local work.

    Only subsegments in namespace ``aws`` (AWS SDK calls) or ``remote`` (other downstream calls)
    describe a downstream node.
    """
    namespace = sub.get("namespace")
    name = str(sub.get("name", ""))
    if namespace == "aws":
        aws = sub.get("aws")
        return _aws_node(name, aws if isinstance(aws, dict) else {})
    if namespace == "remote":
        return name, ("Database::SQL" if isinstance(sub.get("sql"), dict) else "remote")
    return None


def _inferred_id(subsegment_id: str) -> str:
    """A stable id for the inferred segment of one subsegment (same answer on every read)."""
    return hashlib.blake2b(subsegment_id.encode(), digest_size=8, person=b"otelray-inferred").hexdigest()


def _inferred_segment(entity: Entity, name: str, origin: str) -> dict[str, Any]:
    sub = entity.doc
    out: dict[str, Any] = {"id": _inferred_id(entity.id), "name": name}
    trace_id = sub.get("trace_id") or (entity.segment.doc.get("trace_id") if entity.segment else None)
    if trace_id is not None:
        out["trace_id"] = trace_id
    out["parent_id"] = entity.id
    out["start_time"] = sub.get("start_time")
    if entity.end is None:
        out["in_progress"] = True
    else:
        out["end_time"] = sub.get("end_time")
    out["inferred"] = True
    for key in ("http", "aws"):
        if isinstance(sub.get(key), dict):
            out[key] = sub[key]
    for flag in ("error", "throttle", "fault"):
        if sub.get(flag) is True:
            out[flag] = True
    if "cause" in sub:
        out["cause"] = sub["cause"]
    out["origin"] = origin
    return out


def inferred_segments_of(trace: CompiledTrace) -> list[dict[str, Any]]:
    """The inferred segments of an already compiled trace, in subsegment start order."""
    out: list[dict[str, Any]] = []
    for entity in trace.entities():
        if entity.is_segment or entity.id in trace.callee:
            continue
        node = downstream_node(entity.doc)
        if node is not None:
            out.append(_inferred_segment(entity, node[0], node[1]))
    out.sort(key=lambda d: (d.get("start_time") or 0.0, d["id"]))
    return out


def inferred_segments(documents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inferred segments X-Ray adds to a trace for downstream calls nobody instrumented.

    Each is a segment document as ``BatchGetTraces`` returns it: a stable 16-hex ``id``,
    ``parent_id`` = the calling subsegment, ``inferred: true``, the call's ``name`` (the table for
    DynamoDB), times, ``http``/``aws`` blocks, error flags and ``origin``.
    """
    return inferred_segments_of(compile_trace(documents))
