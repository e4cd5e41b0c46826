"""Trace facts: what X-Ray derives from the documents of one trace (botocore ``TraceSummary`` docs;
X-Ray developer guide "Concepts", "Getting data", "Service map").

A trace's facts are computed once, when its documents change, and stored with the trace: the
``TraceSummary`` values (duration = earliest start → latest end; response time, HTTP and
error/fault of the *root* segment; throttle = any segment; partial = anything in progress or
unattached; users, annotations, resource ARNs, instance ids, availability zones unioned over
segments with the services that recorded them; entry point; root causes) and the per-service
observations the service graph and time series are built from:

- a *node observation* per segment (the service's own view) and per downstream ``aws``/``remote``
  subsegment nobody answered (the inferred node's view);
- an *edge observation* per call: caller's downstream subsegment → callee (statistics from the
  caller, round trip incl. network), or, when a segment names a non-downstream parent, from the
  callee segment. The client → root edge is the root segment's observation (flag ``ROOT``).

Requests are classed once each: fault (5xx or ``fault``) before throttle (429 or ``throttle``)
before error (other 4xx or ``error``) before ok — the developer guide's statistics buckets.

``TraceFacts.to_row()`` gives the columns in ``SUMMARY_COLUMNS`` (flat values the store indexes and
filters push down to) plus ``facts``, the compact JSON the object is rebuilt from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from otelray.service.inferred import CompiledTrace, Entity, compile_trace, downstream_node
from otelray.service.rootcause import PackedRootCauses, root_causes
from otelray.service.rootcause import pack as pack_root_causes

__all__ = [
    "ANY_ERROR",
    "ANY_FAULT",
    "ANY_THROTTLE",
    "ERROR",
    "FAULT",
    "INFERRED",
    "MAX_ANNOTATIONS",
    "PARTIAL",
    "ROOT",
    "SEP",
    "SUMMARY_COLUMNS",
    "THROTTLE",
    "Node",
    "Observation",
    "TraceFacts",
    "annotation_token",
    "at_microsecond",
    "classify",
    "trace_facts",
]

ERROR, FAULT, THROTTLE, PARTIAL, INFERRED, ROOT = 1, 2, 4, 8, 16, 32
#: X-Ray indexes at most this many annotation keys per trace (service quota); later keys stay in the
#: documents but are not summarised or filterable.
MAX_ANNOTATIONS = 50
#: Trace flags: some segment or subsegment (not only the root) has an error / fault / throttle.
ANY_ERROR, ANY_FAULT, ANY_THROTTLE = 64, 128, 256

#: Store columns of one trace summary row (SQLite types); filters push predicates down to these.
#: ``services`` and ``annotations`` are ``\x1f``-delimited token lists searched with ``instr``.
SUMMARY_COLUMNS: dict[str, str] = {
    "trace_id": "TEXT",
    "start_time": "REAL",
    "end_time": "REAL",
    "duration": "REAL",
    "response_time": "REAL",
    "http_status": "INTEGER",
    "http_method": "TEXT",
    "http_url": "TEXT",
    "flags": "INTEGER",
    "services": "TEXT",
    "annotations": "TEXT",
    "facts": "TEXT",
}
SEP = "\x1f"
_HTTP_KEYS = ("HttpURL", "HttpStatus", "HttpMethod", "UserAgent", "ClientIp")
_FACTS_VERSION = 2


def annotation_token(key: str, value: object) -> str:
    """The token of one annotation value in the ``annotations`` column (typed, so 1 ≠ "1")."""
    if isinstance(value, bool):
        return f"{SEP}{key}=b:{int(value)}{SEP}"
    if isinstance(value, int | float):
        return f"{SEP}{key}=n:{float(value)!r}{SEP}"
    return f"{SEP}{key}=s:{value}{SEP}"


def classify(doc: dict[str, Any]) -> tuple[int, int | None]:
    """``(flags, http status)`` of one segment or subsegment from its flags, else its HTTP status."""
    http = doc.get("http")
    response = http.get("response") if isinstance(http, dict) else None
    status = response.get("status") if isinstance(response, dict) else None
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    flags = (
        (ERROR if doc.get("error") is True else 0)
        | (FAULT if doc.get("fault") is True else 0)
        | (THROTTLE if doc.get("throttle") is True else 0)
    )
    if not flags and status is not None:
        if status >= 500:
            flags = FAULT
        elif status == 429:
            flags = THROTTLE | ERROR
        elif status >= 400:
            flags = ERROR
    return flags, status


@dataclass(slots=True)
class Node:
    """A service-graph node seen in the trace (``ServiceId`` plus graph facts)."""

    name: str
    type: str | None
    account_id: str | None = None
    inferred: bool = False
    root: bool = False

    def service_id(self) -> dict[str, Any]:
        """The API ``ServiceId`` shape."""
        out: dict[str, Any] = {"Name": self.name, "Names": [self.name]}
        if self.account_id:
            out["AccountId"] = self.account_id
        if self.type:
            out["Type"] = self.type
        return out


@dataclass(slots=True)
class Observation:
    """One request handled by a node, or one call along an edge (``target`` ≥ 0)."""

    node: int
    start: float
    end: float | None
    flags: int
    status: int | None = None
    target: int = -1
    alias: str | None = None

    @property
    def response_time(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - self.start)

    def to_list(self, base: float) -> list[Any]:
        """Compact form: times as whole microseconds after ``base``, trailing defaults dropped."""
        out = [self.node, _offset(base, self.start), None if self.end is None else _offset(base, self.end),
               self.flags, self.status]
        if self.target >= 0:
            out += [self.target, self.alias]
        while out[-1] is None:
            out.pop()
        return out

    @classmethod
    def from_list(cls, base: float, data: list[Any]) -> Observation:
        """Rebuild from ``to_list(base)``."""
        node, start, end, flags, status, target, alias = data + [None, None, 0, None, -1, None][len(data) - 1:]
        return cls(node, _time(base, start), None if end is None else _time(base, end), flags, status, target, alias)


def _offset(base: float, t: float) -> int | float:
    delta = (t - base) * 1e6
    if not math.isfinite(delta) or abs(delta) >= 2**53:
        return t  # absurd times stay absolute floats
    return round(delta)


def _time(base: float, value: int | float) -> float:
    return base + value / 1e6 if isinstance(value, int) else float(value)


def at_microsecond(base: float, t: float) -> float:
    """``t`` rounded to the microsecond grid after ``base`` (what ``Observation.to_list`` keeps)."""
    offset = _offset(base, t)
    return _time(base, offset)


@dataclass(slots=True)
class TraceFacts:
    """Everything X-Ray derives from one trace; see the module docstring."""

    trace_id: str
    start: float
    end: float | None = None
    response_time: float | None = None
    flags: int = 0
    http: dict[str, Any] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    entry: int = -1
    observations: list[Observation] = field(default_factory=list)
    edges: list[Observation] = field(default_factory=list)
    users: dict[str, list[int]] = field(default_factory=dict)
    annotations: dict[str, list[list[Any]]] = field(default_factory=dict)
    resource_arns: list[str] = field(default_factory=list)
    instance_ids: list[str] = field(default_factory=list)
    availability_zones: list[str] = field(default_factory=list)
    root_causes: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    revision: int = 0

    @property
    def duration(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - self.start)

    def service_names(self) -> list[str]:
        """Distinct node names (instrumented and inferred) for ``service()`` indexes."""
        return sorted({n.name for n in self.nodes})

    def annotation_tokens(self) -> list[str]:
        """Distinct typed annotation tokens (see ``annotation_token``)."""
        return sorted({annotation_token(k, v[0]) for k, values in self.annotations.items() for v in values})

    def to_row(self) -> dict[str, Any]:
        """The store row: ``SUMMARY_COLUMNS`` keys, JSON-able values."""
        compact = {
            "v": _FACTS_VERSION, "s": self.start, "e": self.end, "r": self.response_time, "f": self.flags,
            "h": [self.http.get(k) for k in _HTTP_KEYS],
            "n": [[n.name, n.type, n.account_id, n.inferred, n.root] for n in self.nodes],
            "ep": self.entry, "o": [o.to_list(self.start) for o in self.observations],
            "ed": [o.to_list(self.start) for o in self.edges], "u": self.users, "a": self.annotations,
            "arn": self.resource_arns, "iid": self.instance_ids, "az": self.availability_zones,
            "rc": pack_root_causes(self.root_causes), "rev": self.revision,
        }
        return {
            "trace_id": self.trace_id, "start_time": self.start, "end_time": self.end,
            "duration": self.duration, "response_time": self.response_time,
            "http_status": self.http.get("HttpStatus"), "http_method": self.http.get("HttpMethod"),
            "http_url": self.http.get("HttpURL"), "flags": self.flags,
            "services": "".join(SEP + n + SEP for n in self.service_names()),
            "annotations": "".join(self.annotation_tokens()),
            "facts": orjson.dumps(compact).decode(),
        }

    @classmethod
    def from_row(cls, row: Any) -> TraceFacts:
        """Rebuild facts from a row made by ``to_row`` (any mapping with ``trace_id`` and ``facts``).

        Raises:
            ValueError: the facts were stored in another format version (derive them again).
        """
        c = row["facts"]
        c = orjson.loads(c) if isinstance(c, str | bytes) else c
        if c.get("v") != _FACTS_VERSION:
            raise ValueError(f"stored trace facts have format {c.get('v')!r}, not {_FACTS_VERSION}: derive them again")
        return cls(
            trace_id=row["trace_id"], start=c["s"], end=c["e"], response_time=c["r"], flags=c["f"],
            http={k: v for k, v in zip(_HTTP_KEYS, c["h"], strict=True) if v is not None},
            nodes=[Node(*n) for n in c["n"]], entry=c["ep"],
            observations=[Observation.from_list(c["s"], o) for o in c["o"]],
            edges=[Observation.from_list(c["s"], o) for o in c["ed"]],
            users=c["u"], annotations=c["a"], resource_arns=c["arn"], instance_ids=c["iid"],
            availability_zones=c["az"], root_causes=PackedRootCauses(c["rc"]), revision=c["rev"],
        )

    def summary(self) -> dict[str, Any]:
        """The API ``TraceSummary`` shape."""
        sid = [n.service_id() for n in self.nodes]
        out: dict[str, Any] = {"Id": self.trace_id, "StartTime": self.start}
        if self.duration is not None:
            out["Duration"] = self.duration
        if self.response_time is not None:
            out["ResponseTime"] = self.response_time
        out["HasFault"] = bool(self.flags & FAULT)
        out["HasError"] = bool(self.flags & ERROR)
        out["HasThrottle"] = bool(self.flags & THROTTLE)
        out["IsPartial"] = bool(self.flags & PARTIAL)
        out["Http"] = dict(self.http)
        out["Annotations"] = {
            key: [{"AnnotationValue": _annotation_value(v), "ServiceIds": [sid[i] for i in ids]} for v, ids in values]
            for key, values in self.annotations.items()
        }
        out["Users"] = [{"UserName": u, "ServiceIds": [sid[i] for i in ids]} for u, ids in self.users.items()]
        out["ServiceIds"] = sid
        out["ResourceARNs"] = [{"ARN": a} for a in self.resource_arns]
        out["InstanceIds"] = [{"Id": i} for i in self.instance_ids]
        out["AvailabilityZones"] = [{"Name": z} for z in self.availability_zones]
        if self.entry >= 0:
            out["EntryPoint"] = sid[self.entry]
        out["FaultRootCauses"] = self.root_causes.get("fault", [])
        out["ErrorRootCauses"] = self.root_causes.get("error", [])
        out["ResponseTimeRootCauses"] = self.root_causes.get("responsetime", [])
        out["Revision"] = self.revision
        return out


def _annotation_value(value: object) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, int | float):
        return {"NumberValue": float(value)}
    return {"StringValue": str(value)}


class _Builder:
    """Walks one compiled trace and fills a ``TraceFacts``."""

    def __init__(self, trace: CompiledTrace, trace_id: str, revision: int) -> None:
        self.trace = trace
        self.facts = TraceFacts(trace_id=trace_id, start=0.0, revision=revision)
        self.index: dict[tuple[str, str | None, str | None], int] = {}
        self.entity_node: dict[int, int] = {}
        self.classes: dict[int, tuple[int, int | None]] = {}

    def observation(self, node: int, entity: Entity, flags: int, status: int | None, target: int = -1,
                    alias: str | None = None) -> Observation:
        """An observation with times on the stored microsecond grid (so stored facts compare equal)."""
        base = self.facts.start
        start = at_microsecond(base, entity.start if entity.start is not None else base)
        end = None if entity.end is None else at_microsecond(base, entity.end)
        return Observation(node, start, end, flags, status, target, alias)

    def classify(self, entity: Entity) -> tuple[int, int | None]:
        """``classify`` of an entity's document, computed once per entity."""
        key = id(entity)
        found = self.classes.get(key)
        if found is None:
            found = self.classes[key] = classify(entity.doc)
        return found

    def node(self, name: str, type_: str | None, account: str | None, *, inferred: bool = False) -> int:
        key = (name, type_, account)
        if key not in self.index:
            self.index[key] = len(self.facts.nodes)
            self.facts.nodes.append(Node(name, type_, account, inferred))
        return self.index[key]

    def segment_node(self, seg: Entity) -> int:
        doc = seg.doc
        aws = doc.get("aws") if isinstance(doc.get("aws"), dict) else {}
        account = aws.get("account_id") if isinstance(aws.get("account_id"), str) else None
        origin = doc.get("origin") if isinstance(doc.get("origin"), str) else None
        return self.node(str(doc.get("name", "")), origin, account)

    def run(self) -> TraceFacts:
        trace, facts = self.trace, self.facts
        for seg in trace.segments:
            self.entity_node[id(seg)] = self.segment_node(seg)
        root = trace.root()
        if root is not None:
            facts.entry = self.entity_node[id(root)]
            facts.nodes[facts.entry].root = True
            self.root_facts(root)
        entities = list(trace.entities())
        starts = [e.start for e in entities if e.start is not None]
        ends = [e.end for e in entities if e.end is not None]
        facts.start = min(starts) if starts else 0.0
        facts.end = max(ends) if ends else None
        if trace.orphans or len(ends) < len(entities):
            facts.flags |= PARTIAL
        present = 0
        for entity in entities:
            present |= self.classify(entity)[0]
        facts.flags |= (present & (ERROR | FAULT | THROTTLE)) * ANY_ERROR  # the ANY_* bits
        for seg in trace.segments:
            self.segment_facts(seg, seg is root)
            for entity in seg.walk():
                self.entity_facts(entity, self.entity_node[id(seg)])
        for orphan in trace.orphans:
            for entity in orphan.walk():
                self.annotations(entity, -1)
        facts.root_causes = root_causes(trace, root, self.owner_of, self.target_of, lambda e: self.classify(e)[0],
                                        present)
        return facts

    def root_facts(self, root: Entity) -> None:
        facts, doc = self.facts, root.doc
        flags, status = self.classify(root)
        facts.flags |= flags & (ERROR | FAULT)
        if root.start is not None and root.end is not None:
            facts.response_time = max(0.0, root.end - root.start)
        http = doc.get("http") if isinstance(doc.get("http"), dict) else {}
        request = http.get("request") if isinstance(http.get("request"), dict) else {}
        for key, api in (("url", "HttpURL"), ("method", "HttpMethod"), ("user_agent", "UserAgent"),
                         ("client_ip", "ClientIp")):
            if isinstance(request.get(key), str):
                facts.http[api] = request[key]
        if status is not None:
            facts.http["HttpStatus"] = status

    def segment_facts(self, seg: Entity, is_root: bool) -> None:
        facts, doc, node = self.facts, seg.doc, self.entity_node[id(seg)]
        flags, status = self.classify(seg)
        facts.flags |= flags & THROTTLE
        if seg.start is not None:
            facts.observations.append(self.observation(node, seg, flags | (ROOT if is_root else 0), status))
        user = doc.get("user")
        if isinstance(user, str) and user:
            _add_unique(facts.users.setdefault(user, []), node)
        if isinstance(doc.get("resource_arn"), str):
            _add_unique(facts.resource_arns, doc["resource_arn"])
        aws = doc.get("aws") if isinstance(doc.get("aws"), dict) else {}
        for block in (aws.get("ec2"), aws.get("ecs")):
            if isinstance(block, dict):
                if isinstance(block.get("instance_id"), str):
                    _add_unique(facts.instance_ids, block["instance_id"])
                if isinstance(block.get("availability_zone"), str):
                    _add_unique(facts.availability_zones, block["availability_zone"])
        parent = self.trace.by_id.get(str(doc.get("parent_id", "")))
        if parent is not None and parent.segment is not None and downstream_node(parent.doc) is None:
            caller = self.entity_node[id(parent.segment)]
            if seg.start is not None and caller != node:
                facts.edges.append(self.observation(caller, seg, flags, status, node))

    def entity_facts(self, entity: Entity, owner: int) -> None:
        self.annotations(entity, owner)
        if entity.is_segment:
            return
        http = entity.doc.get("http") if isinstance(entity.doc.get("http"), dict) else {}
        request = http.get("request") if isinstance(http.get("request"), dict) else {}
        callee = self.trace.callee.get(entity.id)
        if request.get("traced") is True and callee is None:
            self.facts.flags |= PARTIAL
        target = downstream_node(entity.doc)
        if target is None or entity.start is None:
            return
        flags, status = self.classify(entity)
        alias = None
        if callee is not None:
            dst = self.entity_node[id(callee)]
            if target[0] != callee.doc.get("name"):
                alias = target[0]
        else:
            dst = self.node(target[0], target[1], None, inferred=True)
            self.facts.flags |= INFERRED
            self.facts.observations.append(self.observation(dst, entity, flags, status))
        self.entity_node[id(entity)] = dst
        self.facts.edges.append(self.observation(owner, entity, flags, status, dst, alias))

    def annotations(self, entity: Entity, owner: int) -> None:
        values = entity.doc.get("annotations")
        if not isinstance(values, dict):
            return
        for key, value in values.items():
            if not isinstance(value, str | int | float | bool) or (isinstance(value, float) and not math.isfinite(value)):
                continue
            entries = self.annotations_of(key)
            if entries is None:
                continue
            for entry in entries:
                if entry[0] == value and type(entry[0]) is type(value):
                    if owner >= 0:
                        _add_unique(entry[1], owner)
                    break
            else:
                entries.append([value, [owner] if owner >= 0 else []])

    def annotations_of(self, key: str) -> list[list[Any]] | None:
        """The value list of an annotation key; ``None`` once the trace has ``MAX_ANNOTATIONS`` keys."""
        annotations = self.facts.annotations
        found = annotations.get(key)
        if found is None:
            if len(annotations) >= MAX_ANNOTATIONS:
                return None  # X-Ray indexes at most 50 annotations per trace; documents keep the rest
            found = annotations[key] = []
        return found

    def owner_of(self, entity: Entity) -> Node | None:
        """The node whose work an entity is (its segment's service)."""
        index = None if entity.segment is None else self.entity_node.get(id(entity.segment))
        return None if index is None else self.facts.nodes[index]

    def target_of(self, entity: Entity) -> Node | None:
        """The inferred node a downstream subsegment called, if nobody answered it."""
        if entity.is_segment or entity.id in self.trace.callee:
            return None
        index = self.entity_node.get(id(entity))
        return None if index is None else self.facts.nodes[index]


def _add_unique(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


def trace_facts(documents: list[dict[str, Any]], *, revision: int = 0) -> TraceFacts:
    """Derive the facts of one trace from all of its (already validated) documents.

    Args:
        documents: every segment and independent subsegment document received for the trace,
            in-progress copies included (complete ones supersede them).
        revision: the trace's revision number (``TraceSummary.Revision``), kept as given.
    """
    trace = compile_trace(documents)
    trace_id = next((str(d["trace_id"]) for d in documents if isinstance(d.get("trace_id"), str)), "")
    return _Builder(trace, trace_id, revision).run()
