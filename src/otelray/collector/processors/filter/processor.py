"""Dropping data that matches filter conditions (contrib ``processor/filterprocessor/{traces,metrics,logs}.go``).

An item is dropped when any condition of its context is true. Span events and data points are
filtered inside the spans and metrics that remain; a metric left without data points is dropped;
scopes and resources left empty are removed; an empty batch is not passed on. A condition that
fails at run time follows ``error_mode``: ``propagate`` refuses the batch with a ``PermanentError``,
``ignore`` logs it (once per batch) and keeps the item, ``silent`` keeps it without logging.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from otelray.collector.errors import PermanentError
from otelray.collector.processors.filter.config import FilterConfig, MetricMatch
from otelray.collector.processors.filter.ottl import Condition, OttlRuntimeError, compile_condition
from otelray.collector.processors.filter.paths import OttlContext

Predicate = Callable[[Any], bool]


class _Evaluator:
    """Evaluates conditions under an error mode, remembering the first error of a batch."""

    def __init__(self, error_mode: str) -> None:
        self.error_mode = error_mode
        self.errors = 0
        self.first_error = ""

    def any_of(self, conditions: Sequence[Condition]) -> Predicate | None:
        if not conditions:
            return None

        def matches(row: Any) -> bool:
            for condition in conditions:
                try:
                    if condition(row):
                        return True
                except (OttlRuntimeError, TypeError, ValueError, AttributeError) as exc:
                    if self.error_mode == "propagate":
                        raise PermanentError(f"filter condition failed: {exc}") from exc
                    self.errors += 1
                    self.first_error = self.first_error or str(exc)
            return False
        return matches


def _compile(conditions: list[str], context: OttlContext) -> list[Condition]:
    return [compile_condition(text, context) for text in conditions]


def _legacy(match: MetricMatch | None) -> Callable[[str], bool] | None:
    if match is None:
        return None
    if match.match_type == "strict":
        names = frozenset(match.metric_names)
        return names.__contains__
    regexes = [re.compile(n) for n in match.metric_names]
    return lambda name: any(r.search(name) for r in regexes)


class Filter:
    """The compiled filter of one processor instance; ``traces/metrics/logs`` return the kept batch."""

    def __init__(self, config: FilterConfig, logger: logging.Logger) -> None:
        self.logger = logger
        self.eval = _Evaluator(config.error_mode)
        self.span = self.eval.any_of(_compile(config.traces.span, "span"))
        self.spanevent = self.eval.any_of(_compile(config.traces.spanevent, "spanevent"))
        self.metric = self.eval.any_of(_compile(config.metrics.metric, "metric"))
        self.datapoint = self.eval.any_of(_compile(config.metrics.datapoint, "datapoint"))
        self.log_record = self.eval.any_of(_compile(config.logs.log_record, "log_record"))
        self.include = _legacy(config.metrics.include)
        self.exclude = _legacy(config.metrics.exclude)
        self.dropped = 0

    def _report(self) -> None:
        if self.eval.errors and self.eval.error_mode == "ignore":
            self.logger.warning("filter: %d condition evaluation(s) failed, items kept; first: %s",
                                self.eval.errors, self.eval.first_error)
        self.eval.errors, self.eval.first_error = 0, ""

    def traces(self, batch: Any) -> Any | None:
        """Drop matching spans and span events."""
        self.dropped = 0
        for rs in batch.resource_spans:
            for ss in rs.scope_spans:
                if self.span is not None:
                    self.dropped += _remove(ss.spans, lambda s, r=rs, sc=ss: self.span((r.resource, sc.scope, s, None)))  # type: ignore[misc]
                if self.spanevent is not None:
                    for span in ss.spans:
                        _remove(span.events, lambda e, r=rs, sc=ss, sp=span: self.spanevent((r.resource, sc.scope, e, sp)))  # type: ignore[misc]
            _remove(rs.scope_spans, lambda sc: len(sc.spans) == 0)
        _remove(batch.resource_spans, lambda r: len(r.scope_spans) == 0)
        self._report()
        return batch if len(batch.resource_spans) else None

    def metrics(self, batch: Any) -> Any | None:
        """Drop matching metrics and data points (and metrics left without points)."""
        self.dropped = 0
        for rm in batch.resource_metrics:
            for sm in rm.scope_metrics:
                self.dropped += _remove(sm.metrics, lambda m, r=rm, sc=sm: self._drop_metric(r.resource, sc.scope, m))
            _remove(rm.scope_metrics, lambda sc: len(sc.metrics) == 0)
        _remove(batch.resource_metrics, lambda r: len(r.scope_metrics) == 0)
        self._report()
        return batch if len(batch.resource_metrics) else None

    def _drop_metric(self, resource: Any, scope: Any, metric: Any) -> bool:
        if self.include is not None and not self.include(metric.name):
            return True
        if self.exclude is not None and self.exclude(metric.name):
            return True
        if self.metric is not None and self.metric((resource, scope, metric, None)):
            return True
        kind = metric.WhichOneof("data")
        if self.datapoint is not None and kind is not None:
            points = getattr(metric, kind).data_points
            _remove(points, lambda p: self.datapoint((resource, scope, p, metric)))  # type: ignore[misc]
            return len(points) == 0
        return False

    def logs(self, batch: Any) -> Any | None:
        """Drop matching log records."""
        self.dropped = 0
        for rl in batch.resource_logs:
            for sl in rl.scope_logs:
                if self.log_record is not None:
                    self.dropped += _remove(sl.log_records, lambda x, r=rl, sc=sl: self.log_record((r.resource, sc.scope, x, None)))  # type: ignore[misc]
            _remove(rl.scope_logs, lambda sc: len(sc.log_records) == 0)
        _remove(batch.resource_logs, lambda r: len(r.scope_logs) == 0)
        self._report()
        return batch if len(batch.resource_logs) else None


def _remove(items: Any, drop: Predicate) -> int:
    """Delete the items of a repeated protobuf field for which ``drop`` is true; return how many."""
    doomed = [i for i, item in enumerate(items) if drop(item)]
    for i in reversed(doomed):
        del items[i]
    return len(doomed)
