"""OTLP/gRPC server on ``grpc.aio`` (same event loop as everything else; reference server-stack.md).

Status mapping is upstream's: a permanent pipeline error is ``INVALID_ARGUMENT``, anything else
``UNAVAILABLE`` (the client retries: memory_limiter back-pressure, full queues); a signal without a
pipeline is ``UNIMPLEMENTED``. Messages above ``max_recv_msg_size_mib`` are refused by gRPC itself
with ``RESOURCE_EXHAUSTED``. gzip request compression is handled by gRPC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from otelray.collector.component import Signal
from otelray.collector.config.blocks import split_host_port
from otelray.collector.errors import ComponentError
from otelray.collector.receiverhelper import is_permanent
from otelray.collector.receivers.otlp.config import GrpcServerConfig

if TYPE_CHECKING:
    from otelray.collector.receivers.otlp.receiver import OtlpReceiver

_GRACE_SECONDS = 5.0


async def _export(receiver: OtlpReceiver, signal: Signal, request: Any, context: Any, response: Any) -> Any:
    if not receiver.accepts(signal):
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{signal.value} are not consumed by this receiver")
    try:
        rejected, message = await receiver.export(signal, request, "grpc")
    except Exception as exc:
        code = grpc.StatusCode.INVALID_ARGUMENT if is_permanent(exc) else grpc.StatusCode.UNAVAILABLE
        await context.abort(code, str(exc))
    if rejected:
        field = {"traces": "rejected_spans", "metrics": "rejected_data_points", "logs": "rejected_log_records"}
        setattr(response.partial_success, field[signal.value], rejected)
        response.partial_success.error_message = message
    return response


class _Traces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    async def Export(self, request: Any, context: Any) -> Any:
        return await _export(self.receiver, Signal.TRACES, request, context, trace_service_pb2.ExportTraceServiceResponse())


class _Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    async def Export(self, request: Any, context: Any) -> Any:
        return await _export(self.receiver, Signal.METRICS, request, context,
                             metrics_service_pb2.ExportMetricsServiceResponse())


class _Logs(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, receiver: OtlpReceiver) -> None:
        self.receiver = receiver

    async def Export(self, request: Any, context: Any) -> Any:
        return await _export(self.receiver, Signal.LOGS, request, context, logs_service_pb2.ExportLogsServiceResponse())


class GrpcServer:
    """The OTLP/gRPC listener of one ``otlp`` receiver."""

    transport = "grpc"

    def __init__(self, receiver: OtlpReceiver, config: GrpcServerConfig) -> None:
        self.receiver = receiver
        self.config = config
        self.address: tuple[str, int] = split_host_port(config.endpoint)
        self._server: Any = None

    def _credentials(self) -> Any:
        tls = self.config.tls
        if tls is None or not tls.cert_file:
            return None
        with open(tls.key_file, "rb") as key, open(tls.cert_file, "rb") as cert:
            pair = (key.read(), cert.read())
        roots = open(tls.client_ca_file, "rb").read() if tls.client_ca_file else None
        return grpc.ssl_server_credentials([pair], root_certificates=roots, require_client_auth=roots is not None)

    async def start(self) -> None:
        """Bind and serve.

        Raises:
            ComponentError: the address cannot be bound.
        """
        size = int(self.config.max_recv_msg_size_mib * 1024 * 1024)
        options = [("grpc.max_receive_message_length", size), ("grpc.so_reuseport", 0)]
        if self.config.max_concurrent_streams:
            options.append(("grpc.max_concurrent_streams", self.config.max_concurrent_streams))
        server = grpc.aio.server(options=options)
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Traces(self.receiver), server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_Metrics(self.receiver), server)
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(_Logs(self.receiver), server)
        host, port = self.address
        target = f"[{host}]:{port}" if ":" in host else f"{host or '0.0.0.0'}:{port}"
        creds = self._credentials()
        try:
            bound = server.add_secure_port(target, creds) if creds else server.add_insecure_port(target)
        except RuntimeError as exc:
            raise ComponentError(self.receiver.settings.id, f"cannot listen on {self.config.endpoint} (grpc): {exc}") from exc
        if not bound:
            raise ComponentError(self.receiver.settings.id, f"cannot listen on {self.config.endpoint} (grpc)")
        self.address = (host, bound)
        await server.start()
        self._server = server

    async def stop(self) -> None:
        """Refuse new calls and let in-flight ones finish (bounded grace period)."""
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop(_GRACE_SECONDS)
