from __future__ import annotations

import pytest
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric
from pydantic import ValidationError

from otelray.collector.component import Signal
from otelray.collector.errors import PermanentError
from otelray.collector.processors.filter import FilterConfig, factory
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import sample_batch
from tests.unit.collector.processors.helpers import run


def test_drops_matching_spans_and_counts_them() -> None:
    telemetry = Telemetry()
    cfg = {"error_mode": "ignore", "traces": {"span": ['name == "op-1"', 'attributes["index"] == "3"']}}
    (out,) = run(factory, cfg, Signal.TRACES, sample_batch(Signal.TRACES, 5), telemetry)
    names = [s.name for s in out.resource_spans[0].scope_spans[0].spans]
    assert names == ["op-0", "op-2", "op-4"]
    assert telemetry.value("otelcol_processor_filter_spans_filtered_total", {"processor": "filter"}) == 2


def test_batch_dropped_entirely_is_not_passed_on() -> None:
    cfg = {"traces": {"span": ['IsMatch(name, "^op-")']}}
    assert run(factory, cfg, Signal.TRACES, sample_batch(Signal.TRACES, 3)) == []


def test_legacy_metric_include_strict_and_datapoint_conditions() -> None:
    batch = sample_batch(Signal.METRICS, 3)
    sm = batch.resource_metrics[0].scope_metrics[0]
    other = Metric(name="other")
    other.gauge.data_points.add(as_int=1)
    sm.metrics.append(other)
    cfg = {"metrics": {"include": {"match_type": "strict", "metric_names": ["sample.gauge"]},
                       "datapoint": ["value_int == 1"]}}
    (out,) = run(factory, cfg, Signal.METRICS, batch)
    metrics = out.resource_metrics[0].scope_metrics[0].metrics
    assert [m.name for m in metrics] == ["sample.gauge"]
    assert [p.as_int for p in metrics[0].gauge.data_points] == [0, 2]


def test_log_records() -> None:
    cfg = {"logs": {"log_record": ['body == "log 1"']}}
    (out,) = run(factory, cfg, Signal.LOGS, sample_batch(Signal.LOGS, 3))
    assert [r.body.string_value for r in out.resource_logs[0].scope_logs[0].log_records] == ["log 0", "log 2"]


def test_error_mode_propagate_refuses_the_batch_and_ignore_keeps_items() -> None:
    cfg = {"traces": {"span": ["Len(kind) > 1"]}}  # Len of an int fails at run time
    with pytest.raises(PermanentError, match="Len: unsupported type int"):
        run(factory, cfg, Signal.TRACES, sample_batch(Signal.TRACES, 2))
    (out,) = run(factory, {**cfg, "error_mode": "ignore"}, Signal.TRACES, sample_batch(Signal.TRACES, 2))
    assert len(out.resource_spans[0].scope_spans[0].spans) == 2


def test_bad_condition_is_a_config_error_with_its_position() -> None:
    with pytest.raises(ValidationError, match=r"span\[1\]: undefined function 'Foo'"):
        FilterConfig.model_validate({"traces": {"span": ['name == "a"', "Foo(name)"]}})


def test_span_events_are_filtered_inside_kept_spans() -> None:
    batch = sample_batch(Signal.TRACES, 2)
    for span in batch.resource_spans[0].scope_spans[0].spans:
        span.events.add(name="cache.miss")
        span.events.add(name="exception")
    cfg = {"traces": {"spanevent": ['name == "cache.miss" and span.name == "op-0"']}}
    (out,) = run(factory, cfg, Signal.TRACES, batch)
    spans = out.resource_spans[0].scope_spans[0].spans
    assert [[e.name for e in s.events] for s in spans] == [["exception"], ["cache.miss", "exception"]]
