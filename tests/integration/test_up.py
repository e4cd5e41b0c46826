"""``otelray up``: one command runs collector + backend; OTLP and X-Ray UDP traces land in the backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import boto3
import httpx
import pytest

from tests.integration.stack import start_stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    proc, ports, log = start_stack(tmp_path_factory.mktemp("up"))
    yield proc, ports, log
    if proc.poll() is None:
        proc.kill()


def _xray(ports):
    return boto3.client("xray", endpoint_url=f"http://127.0.0.1:{ports['xray']}", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_up_prints_every_url(stack):
    _proc, ports, log = stack
    text = log.read_text()
    for port in (ports["otlp_grpc"], ports["otlp_http"], ports["xray"], ports["console"]):
        assert f":{port}" in text
    assert httpx.get(f"http://127.0.0.1:{ports['console']}/", timeout=5, follow_redirects=True).status_code == 200


def test_otlp_spans_reach_the_backend_through_the_collector(stack):
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    _proc, ports, _log = stack
    provider = TracerProvider(id_generator=AwsXRayIdGenerator(), resource=Resource.create({"service.name": "up-shop"}))
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{ports['otlp_http']}/v1/traces"))
    )
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET /cart", kind=trace.SpanKind.SERVER,
                                      attributes={"http.method": "GET", "http.status_code": 200}) as span:
        trace_id = span.get_span_context().trace_id
        with tracer.start_as_current_span("inventory", kind=trace.SpanKind.CLIENT,
                                          attributes={"peer.service": "inventory"}):
            pass
    provider.shutdown()
    xray_id = f"1-{trace_id:032x}"[:10] + "-" + f"{trace_id:032x}"[8:]
    traces = _wait_for(lambda: _xray(ports).batch_get_traces(TraceIds=[xray_id])["Traces"])
    assert traces and len(traces[0]["Segments"]) >= 2
    graph = _xray(ports).get_service_graph(StartTime=time.time() - 120, EndTime=time.time() + 5)
    names = {(s["Name"], s.get("Type")) for s in graph["Services"]}
    assert ("inventory", "remote") in names
    assert any(name == "up-shop" for name, _ in names)


def test_xray_sdk_udp_segments_reach_the_backend(stack):
    _proc, ports, _log = stack
    env = dict(os.environ, AWS_XRAY_DAEMON_ADDRESS=f"127.0.0.1:{ports['xray']}")
    script = (
        "from aws_xray_sdk.core import xray_recorder\n"
        f"xray_recorder.configure(service='up-legacy', sampling=False, context_missing='LOG_ERROR',"
        f" daemon_address='127.0.0.1:{ports['xray']}')\n"
        "seg = xray_recorder.begin_segment('up-legacy')\n"
        "print(seg.trace_id)\n"
        "xray_recorder.end_segment()\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    trace_id = out.stdout.strip()
    traces = _wait_for(lambda: _xray(ports).batch_get_traces(TraceIds=[trace_id])["Traces"])
    assert traces and traces[0]["Id"] == trace_id


def test_sigint_stops_everything(stack):
    proc, ports, _log = stack
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{ports['xray']}/-/health", timeout=1)
