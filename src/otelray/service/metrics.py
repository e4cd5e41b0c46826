"""Counters of the local X-Ray service, served as Prometheus text at ``GET /-/metrics``.

Every rejected document and datagram is counted with its reason (collector guidelines, "Bad Input
Handling"); nothing is dropped silently. One registry per service instance, so tests and several
services in one process do not share counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class BackendMetrics:
    """The service's counters; ``render()`` gives the exposition text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.accepted = Counter(
            "otelray_backend_segments_accepted", "Segment documents stored", ["source"], registry=self.registry
        )
        self.rejected = Counter(
            "otelray_backend_segments_rejected",
            "Segment documents rejected, by source and X-Ray error code",
            ["source", "reason"],
            registry=self.registry,
        )
        self.datagrams_rejected = Counter(
            "otelray_backend_datagrams_rejected",
            "UDP datagrams rejected before a document could be read, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.requests = Counter(
            "otelray_backend_requests", "API requests, by operation and error code", ["operation", "code"],
            registry=self.registry,
        )
        self.telemetry_records = Counter(
            "otelray_backend_telemetry_records", "Daemon telemetry records received", registry=self.registry
        )

    def add_source(
        self, name: str, doc: str, read: Callable[[], Mapping[str, float]], *, label: str, gauge: bool = False
    ) -> None:
        """Export values read at scrape time (e.g. the store's row counts or the config counters)."""
        self.registry.register(_Callback(name, doc, read, label, gauge))

    def render(self) -> bytes:
        """Prometheus text exposition of every counter."""
        return generate_latest(self.registry)


class _Callback(Collector):
    def __init__(
        self, name: str, doc: str, read: Callable[[], Mapping[str, float]], label: str, gauge: bool
    ) -> None:
        self._name, self._doc, self._read, self._label, self._gauge = name, doc, read, label, gauge

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        family_type = GaugeMetricFamily if self._gauge else CounterMetricFamily
        family = family_type(self._name, self._doc, labels=[self._label])
        for key, value in sorted(self._read().items()):
            family.add_metric([key], value)
        yield family

    def describe(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        return []
