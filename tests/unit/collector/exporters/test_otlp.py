"""otlp and otlphttp exporters against a real otelray OTLP receiver (collector → collector)."""

from __future__ import annotations

import asyncio
import socket

import grpc
import pytest

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import DataRefusedError, PermanentError, RetryableError, ThrottledError
from otelray.collector.exporters.otlp import OtlpExporterConfig, OtlpGrpcPusher, map_grpc_error
from otelray.collector.exporters.otlphttp import OtlpHttpExporterConfig, OtlpHttpPusher, retry_after_seconds
from otelray.collector.receivers.otlp.config import OtlpReceiverConfig
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import LogsSink, NopHost, TracesSink, make_settings, sample_batch


async def _with_receiver(body):
    config = OtlpReceiverConfig.model_validate(
        {"protocols": {"grpc": {"endpoint": "127.0.0.1:0"}, "http": {"endpoint": "127.0.0.1:0"}}})
    receiver = OtlpReceiver(make_settings("otlp", Kind.RECEIVER), config)
    traces, logs = TracesSink(), LogsSink()
    receiver.register(Signal.TRACES, traces)
    receiver.register(Signal.LOGS, logs)
    await receiver.start(NopHost())
    try:
        return await body(receiver.addresses, traces, logs)
    finally:
        await receiver.shutdown()


def _grpc(port, signal=Signal.TRACES, tel=None):
    cfg = OtlpExporterConfig.model_validate({"endpoint": f"127.0.0.1:{port}", "tls": {"insecure": True}})
    return OtlpGrpcPusher(make_settings("otlp", Kind.EXPORTER, telemetry=tel), signal, cfg)


def _http(port, signal=Signal.TRACES, encoding="proto", tel=None):
    cfg = OtlpHttpExporterConfig.model_validate({"endpoint": f"http://127.0.0.1:{port}", "encoding": encoding})
    return OtlpHttpPusher(make_settings("otlphttp", Kind.EXPORTER, telemetry=tel), signal, cfg)


@pytest.mark.parametrize("transport", ["grpc", "http-proto", "http-json"])
def test_exporters_deliver_to_an_otlp_receiver(transport):
    async def body(addresses, traces, logs):
        if transport == "grpc":
            pushers = [_grpc(addresses["grpc"][1]), _grpc(addresses["grpc"][1], Signal.LOGS)]
        else:
            enc = transport.split("-")[1]
            pushers = [_http(addresses["http"][1], encoding=enc), _http(addresses["http"][1], Signal.LOGS, encoding=enc)]
        for p in pushers:
            await p.start(NopHost())
        await pushers[0].push(sample_batch(Signal.TRACES, 5))
        await pushers[1].push(sample_batch(Signal.LOGS, 2))
        for p in pushers:
            await p.shutdown()
        return traces.item_count, logs.item_count, traces.batches[0]

    spans, records, batch = asyncio.run(_with_receiver(body))
    assert (spans, records) == (5, 2)
    assert batch == sample_batch(Signal.TRACES, 5).__class__.FromString(batch.SerializeToString())


@pytest.mark.parametrize(("error", "expected"), [(DataRefusedError("memory"), RetryableError), (PermanentError("bad"), PermanentError)])
@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_receiver_refusals_map_to_retryable_or_permanent(transport, error, expected):
    async def body(addresses, traces, logs):
        traces.error = error
        pusher = _grpc(addresses["grpc"][1]) if transport == "grpc" else _http(addresses["http"][1])
        await pusher.start(NopHost())
        try:
            with pytest.raises(expected) as info:
                await pusher.push(sample_batch(Signal.TRACES, 1))
            return info.value
        finally:
            await pusher.shutdown()

    exc = asyncio.run(_with_receiver(body))
    assert str(error) in str(exc)
    assert isinstance(exc, PermanentError) is (expected is PermanentError)


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_partial_success_is_counted(transport):
    tel = Telemetry()

    async def body(addresses, traces, logs):
        pusher = _grpc(addresses["grpc"][1], tel=tel) if transport == "grpc" else _http(addresses["http"][1], tel=tel)
        await pusher.start(NopHost())
        batch = sample_batch(Signal.TRACES, 3)
        batch.resource_spans[0].scope_spans[0].spans[0].span_id = bytes(8)
        await pusher.push(batch)
        await pusher.shutdown()

    asyncio.run(_with_receiver(body))
    name = "otlp" if transport == "grpc" else "otlphttp"
    assert tel.value("otelcol_exporter_partially_rejected_spans_total", {"exporter": name}) == 1


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_unreachable_endpoint_is_retryable(transport):
    async def run():
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        pusher = _grpc(port) if transport == "grpc" else _http(port)
        await pusher.start(NopHost())
        try:
            with pytest.raises(RetryableError):
                await asyncio.wait_for(pusher.push(sample_batch(Signal.TRACES, 1)), 10)
        finally:
            await pusher.shutdown()

    asyncio.run(run())


class _FakeRpcError(grpc.aio.AioRpcError):
    def __init__(self, code, trailing=()):
        super().__init__(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing), details="nope")


def test_grpc_status_mapping_follows_upstream():
    from google.protobuf import any_pb2, duration_pb2
    from google.rpc import error_details_pb2, status_pb2

    assert isinstance(map_grpc_error(_FakeRpcError(grpc.StatusCode.UNAVAILABLE)), RetryableError)
    assert isinstance(map_grpc_error(_FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT)), PermanentError)
    assert isinstance(map_grpc_error(_FakeRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED)), PermanentError)
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=3)))
    status = status_pb2.Status(code=8, message="slow down", details=[detail]).SerializeToString()
    throttled = map_grpc_error(_FakeRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, [("grpc-status-details-bin", status)]))
    assert isinstance(throttled, ThrottledError) and throttled.delay == 3


def test_http_config_and_retry_after():
    cfg = OtlpHttpExporterConfig.model_validate({"endpoint": "https://aps-workspaces.example/ws/", "logs_endpoint": "http://l/x"})
    assert cfg.url(Signal.TRACES) == "https://aps-workspaces.example/ws/v1/traces" and cfg.url(Signal.LOGS) == "http://l/x"
    with pytest.raises(ValueError, match="at least one endpoint must be specified"):
        OtlpHttpExporterConfig()
    with pytest.raises(ValueError, match='requires a non-empty "endpoint"'):
        OtlpExporterConfig()
    assert retry_after_seconds("7") == 7 and retry_after_seconds(None) is None
    assert 0 < retry_after_seconds("Wed, 21 Oct 2099 07:28:00 GMT")


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_headers_are_sent_and_redacted_in_the_config(transport):
    seen = {}

    async def body(addresses, traces, logs):
        if transport == "grpc":
            cfg = OtlpExporterConfig.model_validate({"endpoint": f"http://127.0.0.1:{addresses['grpc'][1]}",
                                                     "headers": {"X-Api-Key": "s3cret"}})
            pusher = OtlpGrpcPusher(make_settings("otlp", Kind.EXPORTER), Signal.TRACES, cfg)
        else:
            cfg = OtlpHttpExporterConfig.model_validate({"endpoint": f"http://127.0.0.1:{addresses['http'][1]}",
                                                         "headers": {"X-Api-Key": "s3cret"}})
            pusher = OtlpHttpPusher(make_settings("otlphttp", Kind.EXPORTER), Signal.TRACES, cfg)
            seen["request"] = pusher._request(sample_batch(Signal.TRACES, 1))[1]
        seen["repr"] = repr(cfg)
        await pusher.start(NopHost())
        await pusher.push(sample_batch(Signal.TRACES, 1))
        await pusher.shutdown()
        return traces.item_count

    assert asyncio.run(_with_receiver(body)) == 1
    assert "s3cret" not in seen["repr"]
    if transport == "http":
        assert seen["request"]["X-Api-Key"] == "s3cret"
