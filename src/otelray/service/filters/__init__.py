"""The X-Ray filter-expression language (X-Ray developer guide, "Using filter expressions").

``compile_filter(expression)`` parses once (lark grammar ``grammar.lark``) and returns a
``TraceFilter``: ``matches(facts)`` is the exact test on ``TraceFacts``; ``sql()`` is the WHERE
fragment over ``facts.SUMMARY_COLUMNS`` that a store pushes down before calling ``matches``.
Bad expressions raise ``InvalidRequestException`` naming the column and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otelray.service.facts import TraceFacts
from otelray.service.filters.ast import Edge, Expr, Ref, Service
from otelray.service.filters.evaluate import Predicate, compile_expr
from otelray.service.filters.parser import MAX_EXPRESSION_LENGTH, GroupResolver, parse_filter
from otelray.service.filters.sql import SqlWhere, to_sql

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "GroupResolver",
    "SqlWhere",
    "TraceFilter",
    "compile_filter",
]


@dataclass(frozen=True)
class TraceFilter:
    """A compiled filter expression."""

    expression: str
    tree: Expr
    _predicate: Predicate = field(repr=False, compare=False)

    def matches(self, facts: TraceFacts) -> bool:
        """True if the trace satisfies the expression."""
        return bool(self._predicate(facts))

    def sql(self) -> SqlWhere:
        """The pushed-down WHERE fragment; when ``exact`` is false, candidates still need ``matches``."""
        return to_sql(self.tree)

    def selected_refs(self) -> tuple[Ref | None, Ref | None] | None:
        """For an entity selector (``service(…)``/``edge(…)``/``id(…)`` without a body): the node refs.

        Returns ``(ref, None)`` for a service, ``(source, destination)`` for an edge, else ``None``.
        """
        if isinstance(self.tree, Service) and self.tree.body is None:
            return (self.tree.ref, None)
        if isinstance(self.tree, Edge) and self.tree.body is None:
            return (self.tree.source, self.tree.destination)
        return None


def compile_filter(expression: str, groups: GroupResolver | None = None) -> TraceFilter:
    """Compile a filter expression.

    Args:
        expression: the X-Ray filter expression.
        groups: resolves ``group.name = "…"`` / ``group.arn = "…"`` to the group's expression.

    Raises:
        InvalidRequestException: the expression is invalid (message gives column and expectation).
    """
    tree = parse_filter(expression, groups)
    return TraceFilter(expression, tree, compile_expr(tree))
