"""The ``otlp`` receiver: one gRPC and one HTTP server shared by every signal's pipelines.

Each decoded request goes through ``OtlpReceiver.export``: invalid spans are removed and reported as
partial success (``validate.py``), the rest is delivered to the pipelines of that signal and counted
(``receiverhelper.deliver``). A signal with no pipeline answers gRPC ``UNIMPLEMENTED`` / HTTP 404.
"""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Host, Settings, Signal
from otelray.collector.consumer import ConsumeFn, consume_fn, count_items
from otelray.collector.receiverhelper import deliver
from otelray.collector.receivers.otlp.config import OtlpReceiverConfig
from otelray.collector.receivers.otlp.validate import drop_invalid_spans


class OtlpReceiver:
    """Listens on the configured protocols and feeds the registered pipelines."""

    def __init__(self, settings: Settings, config: OtlpReceiverConfig) -> None:
        self.settings = settings
        self.config = config
        self._next: dict[Signal, ConsumeFn] = {}
        self._servers: list[Any] = []
        self._stopped = False

    def register(self, signal: Signal, next_consumer: Any) -> None:
        """Deliver ``signal`` batches to ``next_consumer``."""
        self._next[signal] = consume_fn(next_consumer, signal)

    def accepts(self, signal: Signal) -> bool:
        """Whether a pipeline consumes ``signal`` from this receiver."""
        return signal in self._next

    @property
    def addresses(self) -> dict[str, tuple[str, int]]:
        """Bound ``(host, port)`` per transport once started (useful with port 0)."""
        return {server.transport: server.address for server in self._servers}

    async def export(self, signal: Signal, batch: Any, transport: str) -> tuple[int, str]:
        """Validate and deliver one request; return ``(rejected items, message)`` for partial success.

        Raises:
            Exception: the pipeline's error (the transport maps it to a status).
        """
        rejected, message = (0, "")
        if signal is Signal.TRACES:
            rejected, message = drop_invalid_spans(batch)
            if rejected:
                self.settings.telemetry.add("refused", signal, rejected, transport=transport)
                self.settings.logger.warning("Rejected %d invalid spans: %s", rejected, message)
        if count_items(signal, batch) or not rejected:
            await deliver(self.settings, signal, transport, self._next[signal], batch)
        return rejected, message

    async def start(self, host: Host) -> None:
        """Bind and start the configured servers."""
        from otelray.collector.receivers.otlp.grpc_server import GrpcServer
        from otelray.collector.receivers.otlp.http_server import HttpServer

        protocols = self.config.protocols
        try:
            if protocols.grpc is not None:
                self._servers.append(GrpcServer(self, protocols.grpc))
                await self._servers[-1].start()
            if protocols.http is not None:
                self._servers.append(HttpServer(self, protocols.http))
                await self._servers[-1].start()
        except Exception:
            await self.shutdown()
            raise
        for server in self._servers:
            self.settings.logger.info("Starting %s server on %s:%d", server.transport, *server.address)

    async def shutdown(self) -> None:
        """Stop accepting, finish in-flight requests, close the sockets. Safe twice and without start."""
        servers, self._servers = self._servers, []
        for server in servers:
            await server.stop()
