"""Collector core benchmark: OTLP in (HTTP/protobuf and gRPC) → batch → exporter, one `otelray collector`.

Measures, per receiver transport and per pipeline end:
- sustained spans/s accepted (load: concurrent clients in a separate process posting pre-serialized
  512-span ExportTraceServiceRequest messages, the shape of reference server-stack.md);
- collector CPU seconds per 1,000 spans (from /proc/<pid>/stat) and the core share per 1,000 spans/s;
- RSS at the end (MB);
- for the persistent queue: the same with `sending_queue: {storage: file_storage}` on the exporter.

Anchors printed beside the results (reference adot-collector.md §6): ADOT 2021 OTLP→X-Ray ≈ 0.35 core
per 1,000 spans/s; upstream Go collector ≈ 10–12k spans/s per core (20 attributes/span).

Run: ``python bench/collector_core.py [--seconds 6] [--clients 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADOT_CORE_PER_1K = 0.35
UPSTREAM_SPANS_PER_CORE = 11_000
CLK = os.sysconf("SC_CLK_TCK")

CONFIG = """
receivers:
  otlp:
    protocols:
      grpc: {{endpoint: "127.0.0.1:{grpc}"}}
      http: {{endpoint: "127.0.0.1:{http}"}}
processors:
  batch: {{timeout: 200ms, send_batch_size: 8192}}
exporters:
  debug: {{verbosity: basic, sampling_initial: 1, sampling_thereafter: 1000}}
  otlp:
    endpoint: "127.0.0.1:{sink}"
    tls: {{insecure: true}}
    {queue}
extensions:
  file_storage: {{directory: "{store}", create_directory: true}}
service:
  extensions: [file_storage]
  telemetry: {{metrics: {{address: "127.0.0.1:{metrics}"}}, logs: {{level: warn}}}}
  pipelines:
    traces: {{receivers: [otlp], processors: [batch], exporters: [{exporter}]}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def payload(spans: int = 512) -> bytes:
    from otelray.collector.component import Signal
    from otelray.collector.testing import sample_batch

    batch = sample_batch(Signal.TRACES, spans)
    for span in batch.resource_spans[0].scope_spans[0].spans:
        for i in range(3):
            attr = span.attributes.add(key=f"attr.{i}")
            attr.value.string_value = f"value-{i}"
    return batch.SerializeToString()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def load(transport: str, port: int, seconds: float, clients: int, body: bytes, out: mp.Queue) -> None:
    def http_client(deadline: float) -> int:
        import http.client

        sent = 0
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"content-type": "application/x-protobuf"}
        while time.monotonic() < deadline:
            conn.request("POST", "/v1/traces", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            sent += response.status == 200
        conn.close()
        return sent

    async def grpc_client(deadline: float) -> int:
        import grpc

        sent = 0
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
            while time.monotonic() < deadline:
                await call(body)
                sent += 1
        return sent

    async def main() -> int:
        deadline = time.monotonic() + seconds
        if transport == "http":  # blocking keep-alive clients in threads: cheaper per request than async clients
            return sum(await asyncio.gather(*(asyncio.to_thread(http_client, deadline) for _ in range(clients))))
        return sum(await asyncio.gather(*(grpc_client(deadline) for _ in range(clients))))

    out.put(asyncio.run(main()))


def sink_server(port: int) -> subprocess.Popen[bytes]:
    """A second collector receiving the otlp exporter's output and dropping it into debug."""
    cfg = Path(tempfile.mkdtemp()) / "sink.yaml"
    cfg.write_text(f"""
receivers: {{otlp: {{protocols: {{grpc: {{endpoint: "127.0.0.1:{port}", max_recv_msg_size_mib: 64}}}}}}}}
exporters: {{debug: {{sampling_initial: 1, sampling_thereafter: 100000}}}}
service:
  telemetry: {{metrics: {{level: none}}, logs: {{level: warn}}}}
  pipelines: {{traces: {{receivers: [otlp], exporters: [debug]}}}}
""")
    return subprocess.Popen([sys.executable, "-m", "otelray", "collector", "--config", str(cfg)])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open")


def run_case(transport: str, exporter: str, persistent: bool, args: argparse.Namespace, body: bytes, sink: int) -> dict:
    grpc_port, http_port, metrics = free_port(), free_port(), free_port()
    store = tempfile.mkdtemp()
    queue = "sending_queue: {storage: file_storage, queue_size: 100000}" if persistent else ""
    cfg = Path(store) / "c.yaml"
    cfg.write_text(CONFIG.format(grpc=grpc_port, http=http_port, sink=sink, queue=queue, store=store,
                                 metrics=metrics, exporter=exporter))
    proc = subprocess.Popen([sys.executable, "-m", "otelray", "collector", "--config", str(cfg)])
    try:
        wait_port(http_port)
        wait_port(grpc_port)
        out: mp.Queue = mp.Queue()
        cpu0 = cpu_seconds(proc.pid)
        loader = mp.Process(target=load, args=(transport, http_port if transport == "http" else grpc_port,
                                               args.seconds, args.clients, body, out))
        t0 = time.monotonic()
        loader.start()
        requests = out.get()
        loader.join()
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        spans = requests * 512
        return {"case": f"{transport} → batch → {exporter}{' (persistent queue)' if persistent else ''}",
                "spans_s": spans / elapsed, "cpu_per_1k": cpu / spans * 1000, "rss": rss_mb(proc.pid)}
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    body = payload()
    sink = free_port()
    sink_proc = sink_server(sink)
    wait_port(sink)
    rows = []
    try:
        for transport, exporter, persistent in (("http", "debug", False), ("grpc", "debug", False),
                                                ("http", "otlp", False), ("http", "otlp", True)):
            rows.append(run_case(transport, exporter, persistent, args, body, sink))
    finally:
        os.kill(sink_proc.pid, signal.SIGTERM)
        sink_proc.wait(timeout=60)
    print(f"\n{'pipeline':<46} {'spans/s':>10} {'CPU s/1k spans':>15} {'core per 1k/s':>14} {'vs ADOT 0.35':>13} {'RSS MB':>7}")
    for r in rows:
        core = r["cpu_per_1k"]  # CPU-seconds per 1,000 spans == cores busy per 1,000 spans/s
        print(f"{r['case']:<46} {r['spans_s']:>10,.0f} {r['cpu_per_1k']:>15.4f} {core:>14.4f} "
              f"{ADOT_CORE_PER_1K / core if core else float('inf'):>12.1f}x {r['rss']:>7.0f}")
    print(f"\nAnchors: ADOT 2021 OTLP→X-Ray ≈ {ADOT_CORE_PER_1K} core per 1,000 spans/s; upstream Go ≈ "
          f"{UPSTREAM_SPANS_PER_CORE:,} spans/s per core. 'vs ADOT' > 1 means less CPU per span than ADOT.")


if __name__ == "__main__":
    main()
