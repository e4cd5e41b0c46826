"""The collector's own telemetry: counters per component under upstream's metric names.

Names follow the collector's ``obsreport`` / ``receiverhelper`` / ``exporterhelper`` metrics
(``otelcol_receiver_accepted_spans``, ``otelcol_exporter_sent_spans``,
``otelcol_exporter_send_failed_spans``, ``otelcol_exporter_queue_size`` …); counters are exposed by
the Prometheus client with the ``_total`` suffix, as the collector's Prometheus endpoint does. The
item unit is ``spans``, ``metric_points`` or ``log_records`` (``Signal.item``). Each collector owns
one ``Telemetry`` (its own ``CollectorRegistry``), so two collectors in one process never collide.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from otelray.collector.component import ComponentID, Kind, Signal

_LABEL = {Kind.RECEIVER: "receiver", Kind.PROCESSOR: "processor", Kind.EXPORTER: "exporter",
          Kind.EXTENSION: "extension", Kind.CONNECTOR: "connector"}


class Telemetry:
    """The metric registry of one collector; metrics are created on first use and cached."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._metrics: dict[str, Counter | Gauge | Histogram] = {}
        self._lock = threading.Lock()

    def counter(self, name: str, doc: str, labels: tuple[str, ...]) -> Counter:
        """The counter ``name`` (created on first use)."""
        return self._get(name, lambda: Counter(name, doc, labels, registry=self.registry))  # type: ignore[return-value]

    def gauge(self, name: str, doc: str, labels: tuple[str, ...]) -> Gauge:
        """The gauge ``name`` (created on first use)."""
        return self._get(name, lambda: Gauge(name, doc, labels, registry=self.registry))  # type: ignore[return-value]

    def _get(self, name: str, make: object) -> Counter | Gauge | Histogram:
        with self._lock:
            metric = self._metrics.get(name)
            if metric is None:
                metric = make()  # type: ignore[operator]
                self._metrics[name] = metric
            return metric

    def for_component(self, kind: Kind, component_id: ComponentID) -> ComponentTelemetry:
        """The telemetry handle given to one component through its ``Settings``."""
        return ComponentTelemetry(self, kind, str(component_id))

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """Current value of a sample (``0.0`` when absent); for tests and the CLI."""
        got = self.registry.get_sample_value(name, labels or {})
        return 0.0 if got is None else got

    def exposition(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


@dataclass(frozen=True, slots=True)
class ComponentTelemetry:
    """Counters of one component, labelled ``receiver="otlp"``, ``exporter="otlp/2"`` …"""

    telemetry: Telemetry
    kind: Kind
    component: str

    @property
    def label(self) -> str:
        """The label naming this component's kind (``receiver``, ``exporter`` …)."""
        return _LABEL[self.kind]

    def add(self, what: str, signal: Signal, n: int, **labels: str) -> None:
        """Add ``n`` to ``otelcol_<kind>_<what>_<item>`` (e.g. ``what="accepted"`` → accepted_spans).

        Args:
            what: ``accepted``, ``refused``, ``sent``, ``send_failed``, ``enqueue_failed``,
                ``incoming``, ``outgoing``, ``dropped`` …
            signal: decides the item unit.
            n: how many items.
            labels: extra labels, e.g. ``transport="grpc"`` for receivers.
        """
        if n <= 0:
            return
        name = f"otelcol_{self.label}_{what}_{signal.item}"
        keys = (self.label, *sorted(labels))
        counter = self.telemetry.counter(name, f"Number of {signal.item} {what} by the {self.label}.", keys)
        counter.labels(self.component, *(labels[k] for k in sorted(labels))).inc(n)

    def gauge(self, name: str, doc: str, **labels: str) -> Gauge:
        """A gauge of this component, already labelled (e.g. ``otelcol_exporter_queue_size``)."""
        keys = (self.label, *sorted(labels))
        return self.telemetry.gauge(name, doc, keys).labels(self.component, *(labels[k] for k in sorted(labels)))  # type: ignore[no-any-return]

    def counter(self, name: str, doc: str, **labels: str) -> Counter:
        """A component-specific counter, already labelled (e.g. rejected datagrams per reason)."""
        keys = (self.label, *sorted(labels))
        return self.telemetry.counter(name, doc, keys).labels(self.component, *(labels[k] for k in sorted(labels)))  # type: ignore[no-any-return]
