"""SQL pushdown of filter predicates onto the trace summary columns (``facts.SUMMARY_COLUMNS``), as
measured in ``reference/store-feasibility.md`` §2: status flags, response time, duration, HTTP status,
method and URL, service names and annotation equality are cheap column tests (``instr`` on the
``\\x1f``-delimited ``services``/``annotations`` token columns), so the store can scan newest-first and
stop at a page instead of decoding every trace's facts.

A fragment is *exact* when it selects precisely the traces ``TraceFilter.matches`` accepts; otherwise it
is a superset (possibly ``1``, i.e. everything) and the store must still call ``matches`` on each
candidate. Every exact test is wrapped in ``IFNULL(…, 0)`` so that ``NOT`` behaves like Python's
"a missing value never matches" rule instead of SQL's three-valued logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otelray.service.facts import (
    ANY_ERROR,
    ANY_FAULT,
    ANY_THROTTLE,
    ERROR,
    FAULT,
    INFERRED,
    PARTIAL,
    SEP,
    THROTTLE,
    annotation_token,
)
from otelray.service.filters.ast import And, Annotation, Compare, Edge, Expr, Not, Or, Service

__all__ = ["SqlWhere", "to_sql"]

_FLAG_BITS = {"error": ERROR, "fault": FAULT, "throttle": THROTTLE, "partial": PARTIAL, "inferred": INFERRED}
_COLUMNS = {"responsetime": "response_time", "duration": "duration", "http.status": "http_status",
            "http.url": "http_url", "http.method": "http_method"}
_SQL_OPS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True, slots=True)
class SqlWhere:
    """A WHERE fragment over the summary columns with ``?`` parameters."""

    clause: str
    params: tuple[Any, ...]
    exact: bool


_ALL = SqlWhere("1", (), False)


def _exact(clause: str, *params: Any) -> SqlWhere:
    return SqlWhere(f"IFNULL({clause}, 0)", params, True)


def _compare(expr: Compare) -> SqlWhere:
    if expr.keyword == "ok":
        return SqlWhere("(flags & 7) = 0" if expr.value else "(flags & 7) != 0", (), True)
    bit = _FLAG_BITS.get(expr.keyword)
    if bit is not None:
        return SqlWhere(f"(flags & {bit}) {'!=' if expr.value else '='} 0", (), True)
    if expr.keyword == "name" and expr.op == "=":  # trace level: some node has this name
        return _exact("instr(services, ?) > 0", f"{SEP}{expr.value}{SEP}")
    column = _COLUMNS.get(expr.keyword)
    if column is None:
        return _ALL
    op, value = expr.op, expr.value
    if op is None:
        return _exact(f"{column} != ''")
    if op in _SQL_OPS:
        return _exact(f"{column} {_SQL_OPS[op]} ?", value)
    if value == "":
        return SqlWhere(f"{column} IS NOT NULL", (), True)
    if op == "contains":
        return _exact(f"instr({column}, ?) > 0", value)
    if op == "beginswith":
        return _exact(f"substr({column}, 1, ?) = ?", len(value), value)
    return _exact(f"substr({column}, ?) = ?", -len(value), value)


def _annotation(expr: Annotation) -> SqlWhere:
    key_set = f"{SEP}{expr.key}="
    if expr.op is None:
        return _exact("instr(annotations, ?) > 0", key_set)
    if expr.op == "=":
        return _exact("instr(annotations, ?) > 0", annotation_token(expr.key, expr.value))
    return SqlWhere("IFNULL(instr(annotations, ?) > 0, 0)", (key_set,), False)  # key set: a superset


def _service_names(*names: str | None) -> SqlWhere:
    wanted = [n for n in names if n is not None]
    if not wanted:
        return _ALL
    clause = " AND ".join("IFNULL(instr(services, ?) > 0, 0)" for _ in wanted)
    return SqlWhere(clause, tuple(f"{SEP}{n}{SEP}" for n in wanted), False)


_ANY_BITS = {"error": ANY_ERROR, "fault": ANY_FAULT, "throttle": ANY_THROTTLE}


def _hint(body: Expr | None) -> SqlWhere | None:
    """A trace-level superset of "some request inside service()/edge() satisfies ``body``".

    A request's error/fault/throttle sets the trace's ANY_* bit, and its response time is at most
    the trace's duration, so those body terms narrow the candidates; others give no hint.
    """
    if isinstance(body, Compare):
        if body.value is True and body.keyword in _ANY_BITS:
            return SqlWhere(f"(flags & {_ANY_BITS[body.keyword]}) != 0", (), False)
        if body.keyword in ("responsetime", "duration") and body.op in (">", ">=", "="):
            return SqlWhere("IFNULL(duration >= ?, 0)", (body.value,), False)
        return None
    if isinstance(body, And | Or):
        hints = [_hint(item) for item in body.items]
        known = [h for h in hints if h is not None]
        if isinstance(body, Or) and len(known) < len(hints):
            return None
        return _combine(known, "AND" if isinstance(body, And) else "OR") if known else None
    return None


def _scoped(names: SqlWhere, body: Expr | None) -> SqlWhere:
    """Node-name test plus the body's hint; always a superset (the body is checked by ``matches``)."""
    hint = _hint(body)
    parts = [p for p in (names, hint) if p is not None and p is not _ALL]
    if not parts:
        return _ALL
    combined = _combine(parts, "AND")
    return SqlWhere(combined.clause, combined.params, False)


def _service(expr: Service) -> SqlWhere:
    if expr.ref is None:
        names = SqlWhere("IFNULL(services != '', 0)", (), True)
        exact = expr.body is None
    else:
        names = _service_names(expr.ref.name)
        exact = expr.body is None and expr.ref.type is None and expr.ref.account_id is None and names is not _ALL
    return SqlWhere(names.clause, names.params, True) if exact else _scoped(names, expr.body)


def _combine(parts: list[SqlWhere], joiner: str) -> SqlWhere:
    params: list[Any] = []
    for part in parts:
        params.extend(part.params)
    clause = f" {joiner} ".join(f"({p.clause})" for p in parts)
    return SqlWhere(f"({clause})", tuple(params), all(p.exact for p in parts))


def to_sql(expr: Expr) -> SqlWhere:
    """The pushed-down WHERE fragment of a filter syntax tree (see the module docstring)."""
    if isinstance(expr, Or):
        parts = [to_sql(e) for e in expr.items]
        return _ALL if any(p is _ALL or p.clause == "1" for p in parts) else _combine(parts, "OR")
    if isinstance(expr, And):
        all_parts = [to_sql(e) for e in expr.items]
        parts = [p for p in all_parts if p.clause != "1"]
        if not parts:
            return _ALL
        combined = _combine(parts, "AND")
        return SqlWhere(combined.clause, combined.params, combined.exact and len(parts) == len(all_parts))
    if isinstance(expr, Not):
        inner = to_sql(expr.item)
        return SqlWhere(f"NOT ({inner.clause})", inner.params, True) if inner.exact else _ALL
    if isinstance(expr, Compare):
        return _compare(expr)
    if isinstance(expr, Annotation):
        return _annotation(expr)
    if isinstance(expr, Service):
        return _service(expr)
    if isinstance(expr, Edge):
        return _scoped(_service_names(expr.source.name, expr.destination.name), expr.body)
    return _ALL
