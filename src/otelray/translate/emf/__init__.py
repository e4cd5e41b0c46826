"""OTLP metrics → CloudWatch Embedded Metric Format (contrib ``exporter/awsemfexporter``; adot-collector.md §3).

Pure translation: ``translate_metrics(resource_metrics, options=, state=, now=)`` returns the EMF
log events (log group, log stream, timestamp, JSON message) and counts of dropped points; the
``awsemf`` exporter owns the ``DeltaState`` and sends the events to CloudWatch Logs.

Modules: ``options`` (config value, declarations), ``delta`` (cumulative-to-delta state),
``datapoints`` (values per metric type), ``dimensions`` (rollup, declarations), ``templating``
(namespace, log group/stream placeholders), ``document`` (EMF JSON), ``translator`` (orchestrator).
"""

from __future__ import annotations

from otelray.translate.emf.delta import DeltaState
from otelray.translate.emf.options import (
    CLOUDWATCH_UNITS,
    EmfOptions,
    LabelMatcher,
    MetricDeclaration,
    MetricDescriptor,
    RollupOption,
)
from otelray.translate.emf.translator import EmfEvent, EmfResult, translate_metrics, translate_unit

__all__ = [
    "CLOUDWATCH_UNITS",
    "DeltaState",
    "EmfEvent",
    "EmfOptions",
    "EmfResult",
    "LabelMatcher",
    "MetricDeclaration",
    "MetricDescriptor",
    "RollupOption",
    "translate_metrics",
    "translate_unit",
]
