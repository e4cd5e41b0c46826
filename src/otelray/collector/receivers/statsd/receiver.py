"""The ``statsd`` receiver: StatsD over UDP, aggregated per ``aggregation_interval`` (contrib ``statsdreceiver``).

Datagrams hold newline-separated lines (at most 64 KiB, the UDP limit); each line is parsed
(``parser``) and aggregated (``aggregate``). Every ``aggregation_interval`` the aggregates are
delivered as one batch and the state is reset; shutdown delivers the last partial interval. Bad lines
are counted in ``otelcol_receiver_statsd_rejected_lines_total{reason}`` and logged once per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.config.blocks import split_host_port
from otelray.collector.consumer import Capabilities
from otelray.collector.errors import ComponentError
from otelray.collector.receiverhelper import deliver
from otelray.collector.receivers.statsd.aggregate import Aggregator
from otelray.collector.receivers.statsd.config import StatsdReceiverConfig
from otelray.collector.receivers.statsd.parser import StatsdParseError, parse_line


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: StatsdReceiver) -> None:
        self._receiver = receiver

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self._receiver.handle(data)


class StatsdReceiver:
    """UDP intake plus the interval flush."""

    def __init__(self, settings: Settings, config: StatsdReceiverConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.config = config
        self._next = next_consumer
        self.aggregator = Aggregator(config.observers(), config.is_monotonic_counter, config.enable_metric_type)
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None
        self._interval_start = time.time_ns()
        self._bad: Counter[str] = Counter()
        self._first_bad = ""
        self.address: tuple[str, int] = ("", 0)
        self.datagrams = 0
        self._rejected = lambda reason: settings.telemetry.counter(
            "otelcol_receiver_statsd_rejected_lines", "StatsD lines the statsd receiver could not parse.",
            reason=reason)

    @property
    def capabilities(self) -> Capabilities:
        """Receivers do not consume."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Bind the UDP socket and start the flush loop."""
        bind_host, port = split_host_port(self.config.endpoint)
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self),
                                                               local_addr=(bind_host or "0.0.0.0", port))
        except OSError as exc:
            raise ComponentError(self.settings.id, f"cannot listen on udp {self.config.endpoint}: {exc}") from exc
        self._transport = transport
        self.address = transport.get_extra_info("sockname")[:2]
        self._interval_start = time.time_ns()
        self._task = asyncio.create_task(self._loop(), name=f"statsd-{self.settings.id}")
        self.settings.logger.info("statsd receiver listening on udp %s:%d", *self.address)

    def handle(self, data: bytes) -> None:
        """Parse and aggregate one datagram."""
        now = time.time_ns()
        self.datagrams += 1
        text = data.decode(errors="replace")
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                self.aggregator.add(parse_line(line, simple_tags=self.config.enable_simple_tags), now)
            except StatsdParseError as exc:
                self._rejected(exc.reason).inc()
                self._bad[exc.reason] += 1
                self._first_bad = self._first_bad or str(exc)

    async def _loop(self) -> None:
        interval = self.config.aggregation_interval.total_seconds()
        while True:
            await asyncio.sleep(interval)
            await self.flush()

    async def flush(self) -> None:
        """Deliver the current interval's aggregates (if any) and start a new interval."""
        now = time.time_ns()
        rm = self.aggregator.flush(self._interval_start, now)
        self._interval_start = now
        if self._bad:
            self.settings.logger.warning("statsd: rejected %d line(s) (%s); first: %s", sum(self._bad.values()),
                                         ", ".join(f"{k}={v}" for k, v in sorted(self._bad.items())), self._first_bad)
            self._bad, self._first_bad = Counter(), ""
        if rm is None:
            return
        try:
            await deliver(self.settings, Signal.METRICS, "udp", self._next.consume_metrics,
                          ExportMetricsServiceRequest(resource_metrics=[rm]))
        except Exception as exc:  # counted as refused by deliver; UDP cannot push back
            self.settings.logger.warning("statsd: the pipeline refused an interval's metrics: %s", exc)

    async def shutdown(self) -> None:
        """Stop listening, deliver the last interval. Safe twice and without start."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            await self.flush()
