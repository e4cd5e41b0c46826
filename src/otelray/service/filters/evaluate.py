"""Evaluating filter expressions against ``TraceFacts`` (X-Ray developer guide, "Using filter
expressions"). The syntax tree is compiled once into nested closures, so matching a trace is a few
attribute reads and comparisons.

Semantics otelray fixes where the guide is silent:

- a keyword with several values (``user``, ``name``, ``availabilityzone``, an annotation recorded with
  different values) matches ``=``/``CONTAINS``/… when *any* value does, and ``!=`` when values exist
  and *none* is equal; a missing value never matches a comparison (``http.status != 200`` is false
  for a trace without a status); ``CONTAINS ""`` tests presence;
- ``ok`` means none of error/fault/throttle;
- ``service(r){f}`` holds when some request handled by a node matching ``r`` satisfies ``f``;
  ``edge(a, b){f}`` when some call from a node matching ``a`` to one matching ``b`` does;
- string comparisons are case-sensitive; annotation comparisons are typed (``= 1`` matches the number
  1, ``= "1"`` the string).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from otelray.service.facts import (
    ERROR,
    FAULT,
    INFERRED,
    PARTIAL,
    ROOT,
    THROTTLE,
    Node,
    Observation,
    TraceFacts,
)
from otelray.service.filters.ast import (
    And,
    Annotation,
    Compare,
    Edge,
    Expr,
    Not,
    Or,
    Ref,
    RootCause,
    RootCauseJson,
    Scope,
    Service,
)

__all__ = [
    "Predicate",
    "compare_values",
    "compile_expr",
    "json_matches",
]

Predicate = Callable[[Any], bool]
Getter = Callable[[Any], Any]

_NUMBER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "=": operator.eq, "contains": operator.contains, "beginswith": str.startswith, "endswith": str.endswith,
}
_ANY_STATUS = ERROR | FAULT | THROTTLE


def _status_getters(flags: Callable[[Any], int]) -> dict[str, Getter]:
    return {
        "ok": lambda c: not flags(c) & _ANY_STATUS,
        "error": lambda c: bool(flags(c) & ERROR),
        "fault": lambda c: bool(flags(c) & FAULT),
        "throttle": lambda c: bool(flags(c) & THROTTLE),
    }


def _trace_getters() -> dict[str, Getter]:
    def http(key: str) -> Getter:
        return lambda f: f.http.get(key)

    return {
        **_status_getters(lambda f: f.flags),
        "partial": lambda f: bool(f.flags & PARTIAL),
        "inferred": lambda f: bool(f.flags & INFERRED),
        "responsetime": lambda f: f.response_time,
        "duration": lambda f: f.duration,
        "http.status": http("HttpStatus"),
        "http.url": http("HttpURL"),
        "http.method": http("HttpMethod"),
        "http.useragent": http("UserAgent"),
        "http.clientip": http("ClientIp"),
        "user": lambda f: list(f.users),
        "name": lambda f: [n.name for n in f.nodes],
        "type": lambda f: [n.type for n in f.nodes if n.type],
        "account.id": lambda f: [n.account_id for n in f.nodes if n.account_id],
        "availabilityzone": lambda f: f.availability_zones,
        "instance.id": lambda f: f.instance_ids,
        "resource.arn": lambda f: f.resource_arns,
    }


def _observation_getters(scope: Scope) -> dict[str, Getter]:
    # context: (node, observation) for service(), (None, observation) for edge()
    getters: dict[str, Getter] = {
        **_status_getters(lambda c: c[1].flags),
        "partial": lambda c: c[1].end is None,
        "responsetime": lambda c: c[1].response_time,
        "duration": lambda c: c[1].response_time,
        "http.status": lambda c: c[1].status,
    }
    if scope is Scope.SERVICE:
        getters.update({
            "inferred": lambda c: c[0].inferred,
            "root": lambda c: bool(c[1].flags & ROOT),
            "name": lambda c: c[0].name,
            "type": lambda c: c[0].type,
            "account.id": lambda c: c[0].account_id,
        })
    return getters


def _listed_getters(scope: Scope) -> dict[str, Getter]:
    # context: (item, index, count) of an enumerated root-cause list
    item: Callable[[str], Getter] = lambda key: lambda c: c[0].get(key)  # noqa: E731
    getters: dict[str, Getter] = {
        "index": lambda c: float(c[1]),
        "first": lambda c: c[1] == 0,
        "last": lambda c: c[1] == c[2] - 1,
        "name": item("Name"),
    }
    if scope is Scope.RC_SERVICE:
        getters.update({"type": item("Type"), "account.id": item("AccountId"),
                        "inferred": lambda c: c[0].get("Inferred") is True})
    else:
        getters.update({"remote": lambda c: c[0].get("Remote") is True, "coverage": item("Coverage")})
        getters["message"] = (
            item("Message") if scope is Scope.RC_EXCEPTION
            else lambda c: [e.get("Message") for e in c[0].get("Exceptions") or () if e.get("Message")]
        )
    return getters


_GETTERS: dict[Scope, dict[str, Getter]] = {
    Scope.TRACE: _trace_getters(),
    Scope.SERVICE: _observation_getters(Scope.SERVICE),
    Scope.EDGE: _observation_getters(Scope.EDGE),
    Scope.RC_SERVICE: _listed_getters(Scope.RC_SERVICE),
    Scope.RC_ENTITY: _listed_getters(Scope.RC_ENTITY),
    Scope.RC_EXCEPTION: _listed_getters(Scope.RC_EXCEPTION),
}


def _values(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return [v for v in raw if v is not None] if isinstance(raw, list) else [raw]


def compare_values(raw: Any, op: str | None, value: Any) -> bool:
    """Apply ``op value`` to one value or a list of values (see the module docstring)."""
    values = _values(raw)
    if op is None:
        return any(v != "" for v in values)
    if op == "!=":
        return bool(values) and all(v != value for v in values)
    if isinstance(value, bool):
        return any(isinstance(v, bool) and v == value for v in values)
    if isinstance(value, str):
        fn = _STRING_OPS[op]
        return any(isinstance(v, str) and fn(v, value) for v in values)
    fn_num = _NUMBER_OPS[op]
    return any(isinstance(v, int | float) and not isinstance(v, bool) and fn_num(v, value) for v in values)


def _compare(expr: Compare, scope: Scope) -> Predicate:
    get = _GETTERS[scope][expr.keyword]
    op, value = expr.op, expr.value
    if expr.op == "=" and isinstance(value, bool):
        return (lambda c: bool(get(c))) if value else (lambda c: not get(c))
    return lambda c: compare_values(get(c), op, value)


def _annotation(expr: Annotation) -> Predicate:
    key, op, value = expr.key, expr.op, expr.value

    def match(facts: TraceFacts) -> bool:
        entries = facts.annotations.get(key)
        if not entries:
            return False
        if op is None:
            return True
        typed = [v for v, _ in entries if _same_type(v, value)]
        if op == "!=":
            return bool(typed) and all(v != value for v in typed)
        return compare_values(typed, op, value)

    return match


def _same_type(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return isinstance(a, str) == isinstance(b, str)


def _ref_matcher(ref: Ref | None) -> Callable[[Node], bool]:
    if ref is None:
        return lambda n: n.type != "client"
    return lambda n: ((ref.name is None or n.name == ref.name) and (ref.type is None or n.type == ref.type)
                      and (ref.account_id is None or n.account_id == ref.account_id))


def _service(expr: Service) -> Predicate:
    matches_node = _ref_matcher(expr.ref)
    body = compile_expr(expr.body, Scope.SERVICE) if expr.body is not None else None

    def match(facts: TraceFacts) -> bool:
        wanted = {i for i, n in enumerate(facts.nodes) if matches_node(n)}
        if not wanted:
            return False
        if body is None:
            return True
        return any(o.node in wanted and body((facts.nodes[o.node], o)) for o in facts.observations)

    return match


def _edge(expr: Edge) -> Predicate:
    src, dst = _ref_matcher(expr.source), _ref_matcher(expr.destination)
    body = compile_expr(expr.body, Scope.EDGE) if expr.body is not None else None

    def match(facts: TraceFacts) -> bool:
        nodes = facts.nodes
        calls: list[Observation] = [e for e in facts.edges if src(nodes[e.node]) and dst(nodes[e.target])]
        return any(body((None, e)) for e in calls) if body is not None else bool(calls)

    return match


def _enumerate(items: list[Any]) -> list[tuple[Any, int, int]]:
    return [(item, i, len(items)) for i, item in enumerate(items)]


def _rootcause(expr: RootCause) -> Predicate:
    scope = {"service": Scope.RC_SERVICE, "entity": Scope.RC_ENTITY, "exception": Scope.RC_EXCEPTION}[expr.level]
    body = compile_expr(expr.body, scope)
    kind, level = expr.kind, expr.level

    def contexts(facts: TraceFacts) -> list[tuple[Any, int, int]]:
        out: list[tuple[Any, int, int]] = []
        for cause in facts.root_causes.get(kind, ()):
            services = cause.get("Services") or []
            if level == "service":
                out.extend(_enumerate(services))
                continue
            for service in services:
                entities = service.get("EntityPath") or []
                if level == "entity":
                    out.extend(_enumerate(entities))
                else:
                    for entity in entities:
                        out.extend(_enumerate(entity.get("Exceptions") or []))
        return out

    return lambda facts: any(body(c) for c in contexts(facts))


def json_matches(pattern: Any, value: Any) -> bool:
    """True if every field present in ``pattern`` equals the one in ``value`` (lists element-wise)."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and json_matches(p, value[k]) for k, p in pattern.items())
    if isinstance(pattern, list):
        return (isinstance(value, list) and len(pattern) == len(value)
                and all(json_matches(p, v) for p, v in zip(pattern, value, strict=True)))
    return bool(pattern == value)


def _rootcause_json(expr: RootCauseJson) -> Predicate:
    patterns = expr.patterns

    def match(facts: TraceFacts) -> bool:
        causes = [c for kind in ("fault", "error", "responsetime") for c in facts.root_causes.get(kind, ())]
        return all(any(json_matches(p, c) for c in causes) for p in patterns)

    return match


def compile_expr(expr: Expr, scope: Scope = Scope.TRACE) -> Predicate:
    """Compile a syntax tree into a predicate over the scope's context (``TraceFacts`` at trace level)."""
    if isinstance(expr, Or):
        items = tuple(compile_expr(e, scope) for e in expr.items)
        return lambda c: any(p(c) for p in items)
    if isinstance(expr, And):
        parts = tuple(compile_expr(e, scope) for e in expr.items)
        return lambda c: all(p(c) for p in parts)
    if isinstance(expr, Not):
        inner = compile_expr(expr.item, scope)
        return lambda c: not inner(c)
    if isinstance(expr, Compare):
        return _compare(expr, scope)
    if isinstance(expr, Annotation):
        return _annotation(expr)
    if isinstance(expr, Service):
        return _service(expr)
    if isinstance(expr, Edge):
        return _edge(expr)
    if isinstance(expr, RootCause):
        return _rootcause(expr)
    if isinstance(expr, RootCauseJson):
        return _rootcause_json(expr)
    raise TypeError(f"not a filter expression node: {type(expr).__name__}")
