"""Benchmark: one `otelray collector` process, OTLP/gRPC in → batch → awsxray exporter → `otelray backend`.

Starts an otelray backend and a collector on free ports, then offers OTLP/gRPC trace requests at a
fixed rate from a separate load process (pre-built ExportTraceServiceRequest messages of realistic
HTTP server + DB client spans with X-Ray trace ids, sent with a raw grpc stub so the load generator
itself is cheap). For the steady window it samples the collector's own metrics
(otelcol_exporter_sent_spans_total) and the collector process's CPU time and RSS from /proc, and
prints:

- sustained spans/s exported (PutTraceSegments accepted by the backend) vs offered,
- CPU-seconds per 1,000 spans, beside ADOT's published figure (≈0.35 core per 1,000 spans/s for
  OTLP→awsxray, adot-collector.md §6.1, i.e. 0.35 CPU-s per 1,000 spans) as a ratio,
- RSS at start and end of the window (steady means no growth),
- the share of spans the exporter translated with the C extension (``otelray.translate._native``).

Targets: ≥ 10,000 spans/s sustained, RSS ≤ 200 MB.

``--target null`` replaces the backend by a minimal X-Ray endpoint that accepts every
PutTraceSegments at once (no storage), to show the collector's own ceiling when the store is not
the limit.

    python bench/collector.py [--rate 12000] [--seconds 20] [--warmup 5] [--batch 500] [--workers 64] [--target backend|null] [--loaders 1]
                               [--receiver otlp|awsxray]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NULL_ENDPOINT = """
import sys, uvicorn
BODY = b'{"UnprocessedTraceSegments":[]}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]})
    await send({"type": "http.response.body", "body": BODY})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""
ADOT_CPU_SECONDS_PER_1000_SPANS = 0.35  # 34.53 % of a core at 1,000 spans/s (performance_model.md)
ADOT_UDP_CPU_SECONDS_PER_1000_SPANS = 0.31  # awsxray(UDP) → awsxray: 31.35 % of a core at 1,000 spans/s
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def udp_receive_buffer_errors() -> int:
    """The kernel's count of UDP datagrams dropped because a socket buffer was full (all sockets)."""
    lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines() if line.startswith("Udp:")]
    return int(lines[1][lines[0].index("RcvbufErrors")])


def metric_sum(metrics_url: str, prefix: str) -> float:
    """Sum of the samples whose line starts with ``prefix`` (name and opening brace)."""
    import urllib.request

    with urllib.request.urlopen(metrics_url, timeout=5) as response:
        text = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def sent_spans(metrics_url: str) -> float:
    return metric_sum(metrics_url, 'otelcol_exporter_sent_spans_total{exporter="awsxray"')


def native_spans_share(metrics_url: str, timeout: float = 10.0) -> float:
    """Spans translated by the C extension / spans sent, once the exporter has sent what it translated."""
    deadline, sent = time.monotonic() + timeout, -1.0
    while time.monotonic() < deadline:  # the count of translated spans runs ahead of the sent ones
        time.sleep(0.5)
        if sent == (sent := sent_spans(metrics_url)):
            break
    return metric_sum(metrics_url, "otelcol_exporter_awsxray_native_spans_total{") / max(1.0, sent)


def build_requests(batch: int, count: int) -> list[bytes]:
    """Serialized requests: per trace one SERVER span with HTTP attributes and one DB CLIENT child."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

    def kv(key: str, value: object) -> KeyValue:
        if isinstance(value, int):
            return KeyValue(key=key, value=AnyValue(int_value=value))
        return KeyValue(key=key, value=AnyValue(string_value=str(value)))

    out = []
    for n in range(count):
        request = ExportTraceServiceRequest()
        rs = request.resource_spans.add()
        rs.resource.attributes.extend([kv("service.name", "bench-shop"), kv("telemetry.sdk.language", "python"),
                                       kv("cloud.provider", "aws"), kv("cloud.platform", "aws_ec2")])
        ss = rs.scope_spans.add()
        ss.scope.name = "opentelemetry.instrumentation.flask"
        now = time.time_ns()
        for i in range(batch // 2):
            trace_id = int(now // 1_000_000_000).to_bytes(4, "big") + os.urandom(12)
            parent = (n * batch + 2 * i + 1).to_bytes(8, "big")
            ss.spans.append(Span(
                trace_id=trace_id, span_id=parent, name="GET /item/{id}", kind=Span.SPAN_KIND_SERVER,
                start_time_unix_nano=now - 5_000_000, end_time_unix_nano=now,
                attributes=[kv("http.request.method", "GET"), kv("url.path", f"/item/{i}"), kv("url.scheme", "http"),
                            kv("server.address", "shop.local"), kv("http.response.status_code", 200),
                            kv("http.route", "/item/{id}"), kv("user_agent.original", "bench/1.0")]))
            ss.spans.append(Span(
                trace_id=trace_id, span_id=(n * batch + 2 * i + 2).to_bytes(8, "big"), parent_span_id=parent,
                name="SELECT items", kind=Span.SPAN_KIND_CLIENT,
                start_time_unix_nano=now - 4_000_000, end_time_unix_nano=now - 1_000_000,
                attributes=[kv("db.system", "postgresql"), kv("db.name", "shop"), kv("db.statement", "SELECT * FROM items WHERE id = $1"),
                            kv("server.address", "db.local")]))
        out.append(request.SerializeToString())
    return out


def load(port: int, rate: float, seconds: float, batch: int, offered: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    """Offer ``rate`` spans/s for ``seconds`` over OTLP/gRPC (runs in its own process)."""
    import grpc

    requests = build_requests(batch, 64)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                                 request_serializer=lambda b: b, response_deserializer=lambda b: b)
    start = time.monotonic()
    sent = 0
    i = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = rate * elapsed
        if sent >= due:
            time.sleep(min(0.01, (sent - due) / rate))
            continue
        try:
            export(requests[i % len(requests)], timeout=10)
            sent += batch
            with offered.get_lock():
                offered.value += batch
        except grpc.RpcError:
            time.sleep(0.01)
        i += 1
    channel.close()


def load_udp(port: int, rate: float, seconds: float, batch: int, offered: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    """Offer ``rate`` X-Ray daemon datagrams/s (one HTTP server segment each) over UDP."""
    import json

    header = b'{"format":"json","version":1}\n'
    datagrams = []
    for i in range(4096):
        now = time.time()
        datagrams.append(header + json.dumps({
            "name": "bench-legacy", "id": os.urandom(8).hex(), "trace_id": f"1-{int(now):08x}-{os.urandom(12).hex()}",
            "start_time": now - 0.005, "end_time": now, "annotations": {"tier": "gold"},
            "http": {"request": {"method": "GET", "url": f"http://shop.local/item/{i}"}, "response": {"status": 200}},
            "aws": {"xray": {"sdk": "X-Ray for Python", "sdk_version": "2.15.0"}}}).encode())
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(rate * elapsed)
        if sent >= due:
            time.sleep(0.002)
            continue
        for _ in range(min(due - sent, 200)):
            sock.sendto(datagrams[sent % len(datagrams)], ("127.0.0.1", port))
            sent += 1
        with offered.get_lock():
            offered.value = float(sent) if offered.value < sent else offered.value
    sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=12_000, help="offered spans/s")
    parser.add_argument("--seconds", type=float, default=20, help="measured window")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before measuring")
    parser.add_argument("--batch", type=int, default=500, help="spans per OTLP request")
    parser.add_argument("--workers", type=int, default=64, help="awsxray num_workers (requests in flight)")
    parser.add_argument("--target", choices=("backend", "null"), default="backend", help="where spans go")
    parser.add_argument("--loaders", type=int, default=1, help="load generator processes (rate is split)")
    parser.add_argument("--receiver", choices=("otlp", "awsxray"), default="otlp",
                        help="otlp: OTLP/gRPC requests; awsxray: X-Ray daemon UDP datagrams (one segment each)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="otelray-bench-collector-"))
    backend_port, grpc_port, metrics_port = free_port(), free_port(), free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1")
    command = ([sys.executable, "-c", NULL_ENDPOINT, str(backend_port)] if args.target == "null" else
               [sys.executable, "-m", "otelray", "backend", "--port", str(backend_port), "--data-dir", str(work / "data")])
    backend = subprocess.Popen(command, stdout=open(work / "backend.log", "wb"), stderr=subprocess.STDOUT)
    config = work / "collector.yaml"
    receiver = (f'otlp: {{protocols: {{grpc: {{endpoint: "127.0.0.1:{grpc_port}"}}}}}}' if args.receiver == "otlp"
                else f'awsxray: {{endpoint: "127.0.0.1:{grpc_port}", proxy_server: null}}')
    config.write_text(f"""
receivers:
  {receiver}
processors:
  batch: {{timeout: 200ms, send_batch_size: 1000}}
exporters:
  awsxray: {{region: us-east-1, endpoint: "http://127.0.0.1:{backend_port}", num_workers: {args.workers}}}
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{metrics_port}"}}}}
  pipelines:
    traces: {{receivers: [{args.receiver}], processors: [batch], exporters: [awsxray]}}
""")
    collector = subprocess.Popen([sys.executable, "-m", "otelray", "collector", "--config", str(config)],
                                 stdout=open(work / "collector.log", "wb"), stderr=subprocess.STDOUT, env=env)
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        wait_http(f"http://127.0.0.1:{backend_port}/-/health" if args.target == "backend"
                  else f"http://127.0.0.1:{backend_port}/")
        wait_http(metrics_url)
        offered = multiprocessing.Value("d", 0.0)
        target_fn = load if args.receiver == "otlp" else load_udp
        loaders = [multiprocessing.Process(target=target_fn, args=(grpc_port, args.rate / args.loaders,
                                                              args.warmup + args.seconds, args.batch, offered),
                                           daemon=True)
                   for _ in range(args.loaders)]
        for loader in loaders:
            loader.start()
        udp_drops0 = udp_receive_buffer_errors()
        time.sleep(args.warmup)
        bcpu0 = cpu_seconds(backend.pid)
        cpu0, sent0, offered0, rss0, t0 = (cpu_seconds(collector.pid), sent_spans(metrics_url), offered.value,
                                           rss_mb(collector.pid), time.monotonic())
        peak = rss0
        while time.monotonic() - t0 < args.seconds:
            time.sleep(1)
            peak = max(peak, rss_mb(collector.pid))
        cpu1, sent1, offered1, rss1, t1 = (cpu_seconds(collector.pid), sent_spans(metrics_url), offered.value,
                                           rss_mb(collector.pid), time.monotonic())
        bcpu1 = cpu_seconds(backend.pid)
        accepted = metric_sum(metrics_url, "otelcol_receiver_accepted_spans_total{")
        udp_drops = udp_receive_buffer_errors() - udp_drops0
        rejected = metric_sum(metrics_url, "otelcol_receiver_awsxray_rejected_datagrams_total{")
        for loader in loaders:
            loader.join()
        native_share = native_spans_share(metrics_url)
        window = t1 - t0
        sent_rate = (sent1 - sent0) / window
        offered_rate = (offered1 - offered0) / window
        cpu_per_1000 = (cpu1 - cpu0) / max(1.0, sent1 - sent0) * 1000
        target = "otelray backend" if args.target == "backend" else "null X-Ray endpoint"
        source = "OTLP/gRPC" if args.receiver == "otlp" else "X-Ray daemon UDP"
        adot = ADOT_CPU_SECONDS_PER_1000_SPANS if args.receiver == "otlp" else ADOT_UDP_CPU_SECONDS_PER_1000_SPANS
        print(f"otelray collector: {source} → batch → awsxray → {target} ({os.cpu_count()} CPUs, "
              f"{window:.0f}s window after {args.warmup:.0f}s warm-up)")
        rows = [
            ("offered spans/s", f"{offered_rate:,.0f}", "", ""),
            ("accepted / rejected by the receiver (total)", f"{accepted:,.0f} / {rejected:,.0f}", "", ""),
            ("UDP datagrams dropped by the kernel (host)", f"{udp_drops:,}", "", "RcvbufErrors"),
            ("exported spans/s (sustained)", f"{sent_rate:,.0f}", "≥ 10,000", "ADOT ≈ 3,000/core (2021 model)"),
            ("spans translated by the C extension / spans sent", f"{native_share:.1%}", "",
             "whole run; a retried batch is translated again"),
            ("collector CPU cores used", f"{(cpu1 - cpu0) / window:.2f}", "", ""),
            (f"{args.target} CPU cores used", f"{(bcpu1 - bcpu0) / window:.2f}", "", "separate process"),
            ("CPU-seconds per 1,000 spans", f"{cpu_per_1000:.3f}", "",
             f"ADOT {adot:.2f}  → ratio {cpu_per_1000 / adot:.2f}"),
            ("RSS MB start / end / peak", f"{rss0:.0f} / {rss1:.0f} / {peak:.0f}", "≤ 200", "ADOT 76 MB at 1k spans/s"),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"{'metric':<{width}}  {'otelray':>20}  {'target':>10}  reference")
        for name, value, target, ref in rows:
            print(f"{name:<{width}}  {value:>20}  {target:>10}  {ref}")
    finally:
        for proc in (collector, backend):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
