"""OTLP/gRPC server on ``grpc.aio`` (same event loop as everything else; reference server-stack.md).

The three ``Export`` methods are registered as raw-bytes handlers so otelray decodes the request
itself: an undecodable message is ``INVALID_ARGUMENT`` with the protobuf error (gRPC's own
deserializer would answer ``UNKNOWN``) and is counted. Status mapping is upstream's: a permanent
pipeline error is ``INVALID_ARGUMENT``, anything else ``UNAVAILABLE`` (the client retries:
memory_limiter back-pressure, full queues); a signal without a pipeline is ``UNIMPLEMENTED``.
Messages above ``max_recv_msg_size_mib`` are refused by gRPC with ``RESOURCE_EXHAUSTED``.
gzip request compression is handled by gRPC.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otelray.collector.component import Signal
from otelray.collector.config.blocks import split_host_port
from otelray.collector.consumer import BATCH_TYPES
from otelray.collector.errors import ComponentError
from otelray.collector.receiverhelper import is_permanent, reject_request
from otelray.collector.receivers.otlp.config import GrpcServerConfig

if TYPE_CHECKING:
    from otelray.collector.receivers.otlp.receiver import OtlpReceiver

_GRACE_SECONDS = 5.0
_SERVICES = {
    Signal.TRACES: ("opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceResponse, "rejected_spans"),
    Signal.METRICS: ("opentelemetry.proto.collector.metrics.v1.MetricsService", ExportMetricsServiceResponse,
                     "rejected_data_points"),
    Signal.LOGS: ("opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceResponse, "rejected_log_records"),
}


def _export_handler(receiver: OtlpReceiver, signal: Signal) -> Callable[[bytes, Any], Awaitable[Any]]:
    _, response_type, rejected_field = _SERVICES[signal]
    request_type = BATCH_TYPES[signal]

    async def export(request: bytes, context: Any) -> Any:
        if not receiver.accepts(signal):
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{signal.value} are not consumed by this receiver")
        try:
            batch = request_type.FromString(request)
        except DecodeError as exc:
            message = f"failed to unmarshal request as protobuf {request_type.DESCRIPTOR.name}: {exc}"
            reject_request(receiver.settings, "grpc", "decode", message)
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)
        try:
            rejected, message = await receiver.export(signal, batch, "grpc")
        except Exception as exc:
            code = grpc.StatusCode.INVALID_ARGUMENT if is_permanent(exc) else grpc.StatusCode.UNAVAILABLE
            await context.abort(code, str(exc))
        response = response_type()
        if rejected:
            setattr(response.partial_success, rejected_field, rejected)
            response.partial_success.error_message = message
        return response

    return export


def _handlers(receiver: OtlpReceiver) -> list[Any]:
    out = []
    for signal, (service, _, _) in _SERVICES.items():
        method = grpc.unary_unary_rpc_method_handler(_export_handler(receiver, signal), request_deserializer=None,
                                                     response_serializer=lambda m: m.SerializeToString())
        out.append(grpc.method_handlers_generic_handler(service, {"Export": method}))
    return out


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

        def read(path: str) -> bytes:
            with open(path, "rb") as f:
                return f.read()

        roots = read(tls.client_ca_file) if tls.client_ca_file else None
        return grpc.ssl_server_credentials([(read(tls.key_file), read(tls.cert_file))], root_certificates=roots,
                                           require_client_auth=roots is not None)

    async def start(self) -> None:
        """Bind and serve.

        Raises:
            ComponentError: the address cannot be bound or the TLS files cannot be read.
        """
        size = int(self.config.max_recv_msg_size_mib * 1024 * 1024)
        options = [("grpc.max_receive_message_length", size), ("grpc.so_reuseport", 0)]
        if self.config.max_concurrent_streams:
            options.append(("grpc.max_concurrent_streams", self.config.max_concurrent_streams))
        server = grpc.aio.server(options=options)
        server.add_generic_rpc_handlers(_handlers(self.receiver))
        host, port = self.address
        target = f"[{host}]:{port}" if ":" in host else f"{host or '0.0.0.0'}:{port}"
        try:
            creds = self._credentials()
            bound = server.add_secure_port(target, creds) if creds else server.add_insecure_port(target)
        except (RuntimeError, OSError) as exc:
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
