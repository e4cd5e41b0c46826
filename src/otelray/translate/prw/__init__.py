"""OTLP metrics → Prometheus Remote Write 1.0 (contrib ``prometheusremotewriteexporter``; adot-collector.md §4).

Pure: ``translate_metrics(resource_metrics, options=PrwOptions(...))`` gives the series and the
refused metrics; ``wire.requests`` splits them into ``WriteRequest`` messages and ``wire.encode``
makes the snappy-compressed bodies; ``wire.bodies`` does both at once, fast (``encoding``). Modules: ``naming`` (metric and label names), ``translator``,
``proto`` (the WriteRequest messages), ``wire`` (batching, compression, headers).
"""

from __future__ import annotations

from otelray.translate.prw.naming import go_float_f, label_name, metric_name
from otelray.translate.prw.proto import Label, Sample, TimeSeries, WriteRequest
from otelray.translate.prw.translator import STALE_NAN, PrwOptions, PrwResult, translate_metrics
from otelray.translate.prw.wire import DEFAULT_MAX_BATCH_SIZE_BYTES, HEADERS, bodies, decode, encode, requests

__all__ = [
    "DEFAULT_MAX_BATCH_SIZE_BYTES",
    "HEADERS",
    "STALE_NAN",
    "Label",
    "PrwOptions",
    "PrwResult",
    "Sample",
    "TimeSeries",
    "WriteRequest",
    "bodies",
    "decode",
    "encode",
    "go_float_f",
    "label_name",
    "metric_name",
    "requests",
    "translate_metrics",
]
