"""One small, valid batch per signal, for lifecycle and pipeline tests."""

from __future__ import annotations

import time

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric, NumberDataPoint
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.collector.component import Signal
from otelray.collector.consumer import Batch, new_batch


def _attrs(**values: str) -> list[KeyValue]:
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in values.items()]


def sample_batch(signal: Signal, items: int = 1, *, service: str = "sample") -> Batch:
    """A batch of ``items`` spans / gauge points / log records from service ``service``.

    Trace ids use the X-Ray form (epoch seconds in the first 4 bytes), so they are valid everywhere.
    """
    now = time.time_ns()
    batch = new_batch(signal)
    if signal is Signal.TRACES:
        rs = batch.resource_spans.add()  # type: ignore[union-attr]
        rs.resource.attributes.extend(_attrs(**{"service.name": service}))
        ss = rs.scope_spans.add()
        ss.scope.name = "otelray.testing"
        trace_id = (now // 1_000_000_000).to_bytes(4, "big") + bytes(range(1, 13))
        for i in range(items):
            ss.spans.append(Span(trace_id=trace_id, span_id=(i + 1).to_bytes(8, "big"), name=f"op-{i}",
                                 kind=Span.SPAN_KIND_SERVER, start_time_unix_nano=now - 1_000_000,
                                 end_time_unix_nano=now, attributes=_attrs(index=str(i))))
    elif signal is Signal.METRICS:
        rm = batch.resource_metrics.add()  # type: ignore[union-attr]
        rm.resource.attributes.extend(_attrs(**{"service.name": service}))
        sm = rm.scope_metrics.add()
        metric = Metric(name="sample.gauge", unit="1")
        metric.gauge.data_points.extend(NumberDataPoint(time_unix_nano=now, as_int=i) for i in range(items))
        sm.metrics.append(metric)
    else:
        rl = batch.resource_logs.add()  # type: ignore[union-attr]
        rl.resource.attributes.extend(_attrs(**{"service.name": service}))
        sl = rl.scope_logs.add()
        sl.log_records.extend(LogRecord(time_unix_nano=now, body=AnyValue(string_value=f"log {i}"))
                              for i in range(items))
    return batch
