"""Root causes of a trace (botocore ``TraceSummary.FaultRootCauses`` / ``ErrorRootCauses`` /
``ResponseTimeRootCauses``; X-Ray developer guide "Filter expressions", root-cause keywords).

AWS does not publish its root-cause algorithm; otelray computes a documented best effort:

- **fault / error**: start at the root segment when it carries the flag (``ClientImpacting: true``),
  otherwise at the first entity that does; then repeatedly step into the first child (subsegment or
  the callee segment of a downstream call) that also carries the flag. The deepest entity reached
  is the cause.
- **response time**: start at the complete root segment and repeatedly step into the child with the
  longest duration; each entity's ``Coverage`` is its duration divided by the root's response time
  (four decimals).

The path is split into ``Services`` (consecutive entities of one service, in order, each with its
``EntityPath``); a downstream call nobody answered ends the path with an ``Inferred`` service.
Entities list the ``exceptions`` of their ``cause`` as ``{Name: type, Message}``; ``Remote`` is
true when one of them is marked ``remote``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from otelray.service.inferred import CompiledTrace, Entity

if TYPE_CHECKING:
    from otelray.service.facts import Node

__all__ = ["PackedRootCauses", "pack", "root_causes", "unpack"]

NodeOf = Callable[[Entity], "Node | None"]


def _children(trace: CompiledTrace, entity: Entity) -> list[Entity]:
    kids = list(entity.children)
    callee = trace.callee.get(entity.id)
    if callee is not None:
        kids.append(callee)
    return kids


def _descend(trace: CompiledTrace, start: Entity, pick: Callable[[list[Entity]], Entity | None]) -> list[Entity]:
    path, seen = [start], {id(start)}
    while True:
        nxt = pick([c for c in _children(trace, path[-1]) if id(c) not in seen])
        if nxt is None:
            return path
        path.append(nxt)
        seen.add(id(nxt))


def _exceptions(doc: dict[str, Any]) -> tuple[list[list[Any]], bool]:
    """``[[type, message], …]`` of an entity's ``cause.exceptions`` and whether one is ``remote``."""
    cause = doc.get("cause")
    if not isinstance(cause, dict):
        return [], False
    out: list[list[Any]] = []
    remote = False
    exceptions = cause.get("exceptions")
    for exc in exceptions if isinstance(exceptions, list) else ():
        if not isinstance(exc, dict):
            continue
        name, message = exc.get("type"), exc.get("message")
        out.append([name if isinstance(name, str) else None, message if isinstance(message, str) else None])
        remote = remote or exc.get("remote") is True
    return out, remote


def _service(node: Node | None, inferred: bool) -> list[Any]:
    """A packed root-cause service: ``[name, type, account, inferred, entity path]``."""
    if node is None:
        return ["", None, None, inferred, []]
    return [node.name, node.type, node.account_id, inferred, []]


def _services(path: list[Entity], owner: NodeOf, target: NodeOf, entity_of: Callable[[Entity], list[Any]]
              ) -> list[list[Any]]:
    services: list[list[Any]] = []
    current: Node | None = None
    for entity in path:
        node = owner(entity)
        if not services or node is not current:
            services.append(_service(node, bool(node and node.inferred)))
            current = node
        services[-1][4].append(entity_of(entity))
    tail = target(path[-1])
    if tail is not None and tail.inferred:
        inferred = _service(tail, True)
        inferred[4].append([tail.name, None, None, None])
        services.append(inferred)
    return services


def _flag_cause(trace: CompiledTrace, root: Entity | None, has: Callable[[Entity], bool], owner: NodeOf,
                target: NodeOf) -> list[list[Any]]:
    if root is not None and has(root):
        start, impacting = root, True
    else:
        start = next((e for e in trace.entities() if has(e)), None)
        impacting = False
    if start is None:
        return []
    path = _descend(trace, start, lambda kids: next((k for k in kids if has(k)), None))

    def entity_of(entity: Entity) -> list[Any]:
        exceptions, remote = _exceptions(entity.doc)
        return [str(entity.doc.get("name", "")), remote, None, exceptions]

    return [[impacting, _services(path, owner, target, entity_of)]]


def _duration(entity: Entity) -> float:
    return 0.0 if entity.start is None or entity.end is None else max(0.0, entity.end - entity.start)


def _time_cause(trace: CompiledTrace, root: Entity | None, owner: NodeOf, target: NodeOf) -> list[list[Any]]:
    if root is None or root.end is None or _duration(root) <= 0.0:
        return []
    total = _duration(root)
    path = _descend(trace, root, lambda kids: max(kids, key=_duration) if kids else None)

    def entity_of(entity: Entity) -> list[Any]:
        _, remote = _exceptions(entity.doc)
        return [str(entity.doc.get("name", "")), remote, round(_duration(entity) / total, 4), None]

    return [[True, _services(path, owner, target, entity_of)]]


def root_causes(trace: CompiledTrace, root: Entity | None, owner: NodeOf, target: NodeOf,
                flags_of: Callable[[Entity], int], present: int = -1) -> PackedRootCauses:
    """The fault, error and response-time root causes of a compiled trace (see module docstring).

    They are built in the packed storage form; the API shape appears when a kind is read.

    Args:
        trace: the compiled trace.
        root: its root segment, if any.
        owner: the node whose work an entity is (its segment's service).
        target: the inferred node a downstream call went to (``None`` when answered or local).
        flags_of: ERROR/FAULT/THROTTLE bits of an entity (``facts.classify``).
        present: the union of ``flags_of`` over the trace, when known (skips absent kinds).
    """
    from otelray.service.facts import ERROR, FAULT

    out: dict[str, list[Any]] = {}
    for kind, bit in (("fault", FAULT), ("error", ERROR)):
        if present & bit:
            cause = _flag_cause(trace, root, lambda e, b=bit: bool(flags_of(e) & b), owner, target)
            if cause:
                out[kind] = cause
    slow = _time_cause(trace, root, owner, target)
    if slow:
        out["responsetime"] = slow
    return PackedRootCauses(out)


def _pack_entity(entity: dict[str, Any]) -> list[Any]:
    exceptions = entity.get("Exceptions")
    return [entity.get("Name", ""), entity.get("Remote"), entity.get("Coverage"),
            None if exceptions is None else [[e.get("Name"), e.get("Message")] for e in exceptions]]


def _unpack_entity(packed: list[Any]) -> dict[str, Any]:
    name, remote, coverage, exceptions = packed
    out: dict[str, Any] = {"Name": name}
    if exceptions is not None:
        out["Exceptions"] = [{k: v for k, v in (("Name", n), ("Message", m)) if v is not None} for n, m in exceptions]
    if coverage is not None:
        out["Coverage"] = coverage
    if remote is not None:
        out["Remote"] = remote
    return out


def pack(causes: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """A compact JSON form of ``root_causes`` output for storage (lists instead of keyed objects)."""
    if isinstance(causes, PackedRootCauses):
        return causes.packed()
    return {
        kind: [[c["ClientImpacting"], [[s["Name"], s.get("Type"), s.get("AccountId"), s["Inferred"],
                                        [_pack_entity(e) for e in s["EntityPath"]]] for s in c["Services"]]]
               for c in items]
        for kind, items in causes.items()
    }


def unpack(packed: dict[str, list[Any]]) -> dict[str, list[dict[str, Any]]]:
    """The API-shaped root causes of a ``pack`` result."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, items in packed.items():
        causes = []
        for impacting, services in items:
            shaped = []
            for name, type_, account, inferred, path in services:
                service: dict[str, Any] = {"Name": name, "Names": [name] if name else []}
                if type_:
                    service["Type"] = type_
                if account:
                    service["AccountId"] = account
                service["EntityPath"] = [_unpack_entity(e) for e in path]
                service["Inferred"] = inferred
                shaped.append(service)
            causes.append({"Services": shaped, "ClientImpacting": impacting})
        out[kind] = causes
    return out


class PackedRootCauses(Mapping[str, list[dict[str, Any]]]):
    """Root causes read back from storage, expanded to the API shape only when a kind is asked for
    (most stored traces are listed or filtered without their root causes being looked at)."""

    __slots__ = ("_packed", "_shaped")

    def __init__(self, packed: dict[str, list[Any]]) -> None:
        self._packed = packed
        self._shaped: dict[str, list[dict[str, Any]]] = {}

    def __getitem__(self, kind: str) -> list[dict[str, Any]]:
        shaped = self._shaped.get(kind)
        if shaped is None:
            shaped = self._shaped[kind] = unpack({kind: self._packed[kind]})[kind]
        return shaped

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def packed(self) -> dict[str, list[Any]]:
        """The stored form, unchanged."""
        return self._packed
