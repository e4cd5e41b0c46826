from __future__ import annotations

import logging
import socket
import time

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider

from otelray.distro.exporter import ExitBoundedSpanProcessor, GuardedSpanExporter
from tests.unit.distro.otlp_capture import OtlpCapture


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _provider(guard: GuardedSpanExporter) -> TracerProvider:
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(ExitBoundedSpanProcessor(guard))
    return provider


def _spans(provider: TracerProvider, count: int) -> None:
    tracer = provider.get_tracer("test")
    for index in range(count):
        with tracer.start_as_current_span(f"span-{index}"):
            pass


def test_spans_reach_the_endpoint_and_the_exporter_is_built_on_first_export() -> None:
    with OtlpCapture() as capture:
        url = f"{capture.endpoint}/v1/traces"
        guard = GuardedSpanExporter(lambda: OTLPSpanExporter(endpoint=url), url)
        provider = _provider(guard)
        _spans(provider, 3)
        assert guard._inner is None
        provider.force_flush()
        assert isinstance(guard._inner, OTLPSpanExporter)
        provider.shutdown()
        assert sorted(s.name for s in capture.wait_for(3)) == ["span-0", "span-1", "span-2"]
    assert guard.dropped_spans == 0


def test_unreachable_endpoint_one_warning_counted_and_quick_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/traces"
    guard = GuardedSpanExporter(lambda: OTLPSpanExporter(endpoint=url), url)
    provider = _provider(guard)
    _spans(provider, 4)
    with caplog.at_level(logging.DEBUG):
        start = time.monotonic()
        provider.shutdown()
        elapsed = time.monotonic() - start
    assert elapsed < 1.0
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["otelray.distro.exporter"]
    assert f"cannot export spans to {url} (connection refused)" in warnings[0].getMessage()
    assert (guard.dropped_spans, guard.failed_exports) == (4, 1)


def test_repeated_failures_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/traces"
    guard = GuardedSpanExporter(lambda: OTLPSpanExporter(endpoint=url, timeout=0.5), url)
    provider = _provider(guard)
    guard.begin_shutdown()  # bounded mode: no back-off waits in the test
    for _ in range(3):
        _spans(provider, 1)
        provider.force_flush()
    provider.shutdown()
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert guard.dropped_spans == 3


def test_broken_exporter_factory_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> OTLPSpanExporter:
        raise ValueError("bad certificate path")

    guard = GuardedSpanExporter(broken, "http://x/v1/traces")
    provider = _provider(guard)
    _spans(provider, 1)
    provider.shutdown()
    assert "cannot export spans to http://x/v1/traces (ValueError: bad certificate path)" in caplog.text
    assert guard.dropped_spans == 1


def test_exit_probe_skips_the_exporter_when_the_endpoint_is_down() -> None:
    built: list[str] = []
    url = f"http://127.0.0.1:{_closed_port()}/v1/traces"
    guard = GuardedSpanExporter(lambda: built.append("x") or OTLPSpanExporter(endpoint=url), url)
    provider = _provider(guard)
    _spans(provider, 2)
    provider.shutdown()
    assert built == []
    assert guard.dropped_spans == 2


def test_exit_without_spans_builds_no_exporter() -> None:
    built: list[str] = []
    guard = GuardedSpanExporter(lambda: built.append("x") or OTLPSpanExporter(), "http://x/v1/traces")
    _provider(guard).shutdown()
    assert built == []


def test_slow_exporter_construction_is_outside_the_exit_budget() -> None:
    with OtlpCapture() as capture:
        url = f"{capture.endpoint}/v1/traces"

        def slow_factory() -> OTLPSpanExporter:
            time.sleep(0.7)  # longer than the 0.5 s budget: stands for a slow import on a busy machine
            return OTLPSpanExporter(endpoint=url)

        guard = GuardedSpanExporter(slow_factory, url)
        provider = _provider(guard)
        _spans(provider, 2)
        provider.shutdown()
        assert len(capture.wait_for(2, timeout=5)) == 2
    assert guard.dropped_spans == 0


def test_endpoint_that_never_answers_is_abandoned_within_the_budget(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1/traces"
        guard = GuardedSpanExporter(lambda: OTLPSpanExporter(endpoint=url), url, shutdown_timeout=0.3)
        provider = _provider(guard)
        _spans(provider, 2)
        guard._exporter()  # import the OTLP stack first: only the network wait is timed
        start = time.monotonic()
        provider.shutdown()
        elapsed = time.monotonic() - start
    assert elapsed < 1.0
    assert f"cannot export spans to {url} (no answer within 0.3 s at shutdown)" in caplog.text
    assert guard.dropped_spans == 2


def test_recovery_is_logged_once_and_spans_flow_again(caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/v1/traces"
    guard = GuardedSpanExporter(lambda: OTLPSpanExporter(endpoint=url, timeout=0.5), url)
    provider = _provider(guard)
    with caplog.at_level(logging.INFO, logger="otelray.distro.exporter"):
        _spans(provider, 1)
        provider.force_flush()
        assert guard.dropped_spans == 1
        with OtlpCapture(port) as capture:
            _spans(provider, 2)
            provider.force_flush()
            assert len(capture.wait_for(2)) == 2
        provider.shutdown()
    assert caplog.messages == [
        f"otelray: cannot export spans to {url} (connection refused); dropping them until it answers",
        f"otelray: export of spans to {url} works again",
    ]
