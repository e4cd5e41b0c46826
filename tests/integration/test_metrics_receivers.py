"""The metrics receivers in a real `otelray collector`: the prometheus receiver scrapes a real Prometheus
server's own /metrics and remote-writes the kept series back into it; StatsD datagrams sent over UDP
come out of the awsemf exporter as EMF lines on stdout."""

from __future__ import annotations

import json
import socket

import pytest

from tests.integration.conftest import free_port, prometheus_query, start_collector, wait_until

pytestmark = pytest.mark.integration

CONFIG = """
receivers:
  statsd:
    endpoint: "127.0.0.1:{statsd}"
    aggregation_interval: 1s
    timer_histogram_mapping:
      - {{statsd_type: timing, observer_type: summary}}
  prometheus:
    config:
      scrape_configs:
        - job_name: prom-self
          scrape_interval: 1s
          static_configs: [{{targets: ["{prom_address}"], labels: {{team: obs}}}}]
          metric_relabel_configs:
            - {{source_labels: [__name__], regex: "prometheus_build_info|prometheus_http_requests_total", action: keep}}
exporters:
  prometheusremotewrite:
    endpoint: "{prom_url}/api/v1/write"
  awsemf:
    output_destination: stdout
    namespace: StatsD
    dimension_rollup_option: NoDimensionRollup
service:
  telemetry: {{metrics: {{address: "127.0.0.1:{{metrics_port}}"}}}}
  pipelines:
    metrics/prom: {{receivers: [prometheus], exporters: [prometheusremotewrite]}}
    metrics/statsd: {{receivers: [statsd], exporters: [awsemf]}}
"""


def query(url: str, promql: str) -> list[dict]:
    return prometheus_query(url, promql)


def emf_lines(log) -> list[dict]:
    out = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"_aws"' in line:
            out.append(json.loads(line))
    return out


def test_prometheus_scrape_and_statsd_through_the_collector(prometheus, tmp_path):
    statsd = free_port()
    address = prometheus.removeprefix("http://")
    collector = start_collector(CONFIG.format(statsd=statsd, prom_address=address, prom_url=prometheus), tmp_path)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"orders:3|c|#region:eu\norders:2|c|@0.5|#region:eu\nqueue.depth:7|g\nbroken", ("127.0.0.1", statsd))
            sock.sendto(b"checkout.latency:100|ms\ncheckout.latency:300|ms", ("127.0.0.1", statsd))

        build = wait_until(lambda: query(prometheus, 'prometheus_build_info{job="prom-self"}'), 20, "scraped series")
        labels = build[0]["metric"]
        assert labels["instance"] == address and labels["team"] == "obs" and labels["version"].startswith("2.")
        assert build[0]["value"][1] == "1"
        assert wait_until(lambda: query(prometheus, 'up{job="prom-self"}'), 20, "up series")[0]["value"][1] == "1"
        assert query(prometheus, 'prometheus_http_requests_total{job="prom-self"}')  # counters keep _total
        assert not query(prometheus, 'prometheus_tsdb_head_series{job="prom-self"}')  # dropped by relabelling

        events = wait_until(lambda: (e := emf_lines(collector.log)) and len(e) >= 3 and e, 20, "EMF lines")
        by_metric = {next(k for k in e if k in ("orders", "queue.depth", "checkout.latency")): e for e in events}
        assert by_metric["orders"]["orders"] == 7 and by_metric["orders"]["region"] == "eu"  # 3 + 2/0.5
        assert by_metric["queue.depth"]["queue.depth"] == 7
        assert by_metric["checkout.latency"]["checkout.latency"] == {"Max": 300, "Min": 100, "Count": 2, "Sum": 400}
        assert by_metric["orders"]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "StatsD"
        assert collector.metric("otelcol_receiver_statsd_rejected_lines_total", reason="invalid_format") == 1
    finally:
        collector.stop()
