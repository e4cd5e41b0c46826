from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import ComponentError, RetryableError
from otelray.collector.receivers.awsxray import AwsXrayReceiverConfig, factory
from otelray.collector.telemetry import Telemetry
from otelray.collector.testing import NopHost, TracesSink, make_settings
from otelray.translate.errors import TranslationError
from otelray.xray.wire import encode_datagram

FIXTURES = Path(__file__).parents[5] / "tests" / "fixtures" / "xray"
SEGMENT = {
    "name": "checkout", "id": "70de5b6f19ff9a0a", "trace_id": "1-581cf771-a006649127e371903a2de979",
    "start_time": 1478293361.271, "end_time": 1478293361.449,
    "http": {"request": {"method": "GET", "url": "http://shop/cart"}, "response": {"status": 500}},
    "subsegments": [{"name": "db", "id": "70de5b6f19ff9a0b", "start_time": 1478293361.3,
                     "end_time": 1478293361.4, "namespace": "remote"}],
}


def _receive(datagrams: list[bytes], expect_spans: int, sink: TracesSink | None = None) -> tuple[TracesSink, Telemetry]:
    telemetry = Telemetry()
    sink = sink or TracesSink()

    async def main() -> None:
        settings = make_settings("awsxray", Kind.RECEIVER, signal=Signal.TRACES, telemetry=telemetry)
        config = AwsXrayReceiverConfig.model_validate({"endpoint": "127.0.0.1:0", "proxy_server": None})
        receiver = factory.create(Signal.TRACES, settings, config, sink)
        await receiver.start(NopHost())
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for datagram in datagrams:
                sock.sendto(datagram, receiver.poller.address)
        for _ in range(200):
            if receiver.poller.received >= len(datagrams) and sink.item_count >= expect_spans:
                break
            await asyncio.sleep(0.01)
        await receiver.shutdown()
        await receiver.shutdown()

    asyncio.run(main())
    return sink, telemetry


def _rejected(telemetry: Telemetry, reason: str) -> float:
    return telemetry.value("otelcol_receiver_awsxray_rejected_datagrams_total",
                           {"receiver": "awsxray", "reason": reason})


def test_segment_with_subsegment_becomes_two_spans_and_garbage_is_counted() -> None:
    datagrams = [encode_datagram(SEGMENT), b"no header", b'{"format":"json","version":2}\n{}',
                 encode_datagram(b"{not json"), encode_datagram({"name": "x", "id": "1"})]
    sink, telemetry = _receive(datagrams, 2)
    spans = [s for b in sink.batches for rs in b.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert sorted(s.name for s in spans) == ["checkout", "db"]
    parent = next(s for s in spans if s.name == "checkout")
    child = next(s for s in spans if s.name == "db")
    assert child.parent_span_id == parent.span_id
    assert parent.trace_id.hex() == "581cf771a006649127e371903a2de979"
    assert telemetry.value("otelcol_receiver_accepted_spans_total", {"receiver": "awsxray", "transport": "udp"}) == 2
    assert _rejected(telemetry, "missing_header") == 1
    assert _rejected(telemetry, "bad_header") == 1
    assert _rejected(telemetry, "InvalidJson") == 1
    assert sum(_rejected(telemetry, r) for r in ("MissingTraceId", "MissingName", "MissingStartTime",
                                                  "InvalidId", "MissingId")) >= 1


def test_real_sdk_fixture_documents_are_accepted() -> None:
    documents = sorted(FIXTURES.glob("segments/sdk_*.json"))
    assert documents, "the aws-xray-sdk fixtures are missing"
    datagrams = [encode_datagram(json.dumps(json.loads(p.read_text()))) for p in documents]
    sink, _ = _receive(datagrams, len(datagrams))
    names = {s.name for b in sink.batches for rs in b.resource_spans for ss in rs.scope_spans for s in ss.spans}
    assert sink.item_count >= len(datagrams)
    assert names


def test_refused_data_is_counted() -> None:
    sink = TracesSink()
    sink.error = RetryableError("memory limit")
    _, telemetry = _receive([encode_datagram(SEGMENT)], 0, sink)
    assert telemetry.value("otelcol_receiver_refused_spans_total", {"receiver": "awsxray", "transport": "udp"}) == 2
    assert _rejected(telemetry, "refused") == 1


def test_transport_must_be_udp() -> None:
    with pytest.raises(ValidationError, match="Input should be 'udp'"):
        AwsXrayReceiverConfig.model_validate({"transport": "tcp"})


def test_port_in_use_is_a_component_error() -> None:
    async def main() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
            busy.bind(("127.0.0.1", 0))
            port = busy.getsockname()[1]
            settings = make_settings("awsxray", Kind.RECEIVER, signal=Signal.TRACES)
            config = AwsXrayReceiverConfig.model_validate({"endpoint": f"127.0.0.1:{port}", "proxy_server": None})
            receiver = factory.create(Signal.TRACES, settings, config, TracesSink())
            with pytest.raises(ComponentError, match=f"cannot listen on udp 127.0.0.1:{port}"):
                await receiver.start(NopHost())
            await receiver.shutdown()

    asyncio.run(main())


def test_proxy_without_region_fails_start_naming_the_fix(monkeypatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    async def main() -> None:
        settings = make_settings("awsxray", Kind.RECEIVER, signal=Signal.TRACES)
        config = AwsXrayReceiverConfig.model_validate(
            {"endpoint": "127.0.0.1:0", "proxy_server": {"endpoint": "127.0.0.1:0", "local_mode": True}})
        receiver = factory.create(Signal.TRACES, settings, config, TracesSink())
        with pytest.raises(ComponentError, match="could not determine the AWS region.*set `region`"):
            await receiver.start(NopHost())

    asyncio.run(main())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.builds(lambda body: b'{"format":"json","version":1}\n' + body, st.binary(max_size=300)))
def test_any_datagram_is_either_translated_or_rejected_with_a_reason(datagram: bytes) -> None:
    from otelray.collector.aws.udp_poller import UdpPoller
    from otelray.collector.receivers.awsxray.receiver import _translate

    documents: list[bytes] = []
    poller = UdpPoller("127.0.0.1", 0, documents.append)
    poller.handle_datagram(datagram)
    assert len(documents) + sum(poller.rejected.values()) == 1
    for document in documents:
        result = _translate(document)
        assert isinstance(result, TranslationError) or len(result.scope_spans[0].spans) >= 1


def test_datagrams_the_kernel_drops_are_counted_too() -> None:
    """A burst larger than the socket buffer while the loop is busy: every datagram is accounted for."""
    telemetry = Telemetry()
    sink = TracesSink()
    total = 12_000

    async def main() -> None:
        settings = make_settings("awsxray", Kind.RECEIVER, signal=Signal.TRACES, telemetry=telemetry)
        config = AwsXrayReceiverConfig.model_validate({"endpoint": "127.0.0.1:0", "proxy_server": None})
        receiver = factory.create(Signal.TRACES, settings, config, sink)
        await receiver.start(NopHost())
        padded = dict(SEGMENT, subsegments=[], metadata={"default": {"pad": "x" * 1500}})
        datagram = encode_datagram(padded)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for _ in range(total):  # the event loop cannot read while this runs
                sock.sendto(datagram, receiver.poller.address)
        for _ in range(300):
            await asyncio.sleep(0.02)
            if receiver.poller.received + (receiver.poller.kernel_drops() or 0) >= total and not receiver._queue.qsize():
                break
        await receiver.shutdown()

    asyncio.run(main())
    accepted = telemetry.value("otelcol_receiver_accepted_spans_total", {"receiver": "awsxray", "transport": "udp"})
    dropped = _rejected(telemetry, "socket_buffer_full")
    assert dropped > 0
    assert accepted + dropped == total
