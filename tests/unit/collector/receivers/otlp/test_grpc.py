from __future__ import annotations

import asyncio

import grpc
import pytest
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import DataRefusedError, PermanentError
from otelray.collector.receivers.otlp.config import OtlpReceiverConfig
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, TracesSink, make_settings, sample_batch


async def _call(batch, *, error=None, max_mib=4.0, logs=False):
    tel = Telemetry()
    config = OtlpReceiverConfig.model_validate(
        {"protocols": {"grpc": {"endpoint": "127.0.0.1:0", "max_recv_msg_size_mib": max_mib}}})
    receiver = OtlpReceiver(make_settings("otlp", Kind.RECEIVER, telemetry=tel), config)
    sink = TracesSink()
    sink.error = error
    receiver.register(Signal.TRACES, sink)
    await receiver.start(NopHost())
    port = receiver.addresses["grpc"][1]
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            if logs:
                stub = logs_service_pb2_grpc.LogsServiceStub(channel)
                return await stub.Export(sample_batch(Signal.LOGS, 1), timeout=5), sink, tel
            stub = trace_service_pb2_grpc.TraceServiceStub(channel)
            return await stub.Export(batch, timeout=5, compression=grpc.Compression.Gzip), sink, tel
    finally:
        await receiver.shutdown()


def test_grpc_export_reaches_the_pipeline_and_is_counted():
    resp, sink, tel = asyncio.run(_call(sample_batch(Signal.TRACES, 6)))
    assert not resp.HasField("partial_success") and sink.item_count == 6
    assert tel.value("otelcol_receiver_accepted_spans_total", {"receiver": "otlp", "transport": "grpc"}) == 6


def test_grpc_partial_success_for_invalid_spans():
    batch = sample_batch(Signal.TRACES, 3)
    batch.resource_spans[0].scope_spans[0].spans[0].trace_id = bytes(16)
    resp, sink, _ = asyncio.run(_call(batch))
    assert resp.partial_success.rejected_spans == 1
    assert resp.partial_success.error_message == "span 0000000000000001: invalid trace id: all zeros"
    assert sink.item_count == 2


@pytest.mark.parametrize(
    ("error", "code"),
    [(DataRefusedError("memory limit reached"), grpc.StatusCode.UNAVAILABLE),
     (PermanentError("malformed"), grpc.StatusCode.INVALID_ARGUMENT)],
)
def test_grpc_pipeline_errors_map_to_status_codes(error, code):
    with pytest.raises(grpc.aio.AioRpcError) as info:
        asyncio.run(_call(sample_batch(Signal.TRACES, 1), error=error))
    assert info.value.code() == code and str(error) in info.value.details()


def test_grpc_signal_without_pipeline_is_unimplemented():
    with pytest.raises(grpc.aio.AioRpcError) as info:
        asyncio.run(_call(None, logs=True))
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_grpc_message_over_the_size_limit_is_refused():
    with pytest.raises(grpc.aio.AioRpcError) as info:
        asyncio.run(_call(sample_batch(Signal.TRACES, 2000), max_mib=0.01))
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_port_in_use_is_a_clear_start_error():
    from otelray.collector.errors import ComponentError

    async def go():
        first = OtlpReceiver(make_settings("otlp", Kind.RECEIVER),
                             OtlpReceiverConfig.model_validate({"protocols": {"http": {"endpoint": "127.0.0.1:0"}}}))
        await first.start(NopHost())
        port = first.addresses["http"][1]
        second = OtlpReceiver(make_settings("otlp/2", Kind.RECEIVER), OtlpReceiverConfig.model_validate(
            {"protocols": {"http": {"endpoint": f"127.0.0.1:{port}"}}}))
        try:
            with pytest.raises(ComponentError, match=f"otlp/2: cannot listen on 127.0.0.1:{port}: Address already in use"):
                await second.start(NopHost())
        finally:
            await first.shutdown()

    asyncio.run(go())


def test_undecodable_grpc_message_is_invalid_argument_and_counted():
    async def go():
        tel = Telemetry()
        receiver = OtlpReceiver(make_settings("otlp", Kind.RECEIVER, telemetry=tel), OtlpReceiverConfig.model_validate(
            {"protocols": {"grpc": {"endpoint": "127.0.0.1:0"}}}))
        receiver.register(Signal.TRACES, TracesSink())
        await receiver.start(NopHost())
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{receiver.addresses['grpc'][1]}") as channel:
                call = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await call(b"\x0a\xff\xff\xff")
        finally:
            await receiver.shutdown()
        return info.value, tel

    err, tel = asyncio.run(go())
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.details().startswith("failed to unmarshal request as protobuf ExportTraceServiceRequest")
    assert tel.value("otelcol_receiver_rejected_requests_total",
                     {"receiver": "otlp", "transport": "grpc", "reason": "decode"}) == 1
