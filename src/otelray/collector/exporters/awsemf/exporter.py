"""The ``awsemf`` exporter: OTLP metrics → EMF events → CloudWatch Logs or stdout (contrib ``emf_exporter.go``).

Per batch: translate with ``otelray.translate.emf`` (the exporter owns the cumulative-to-delta
state), count dropped points and duplicate metrics, then either print each message as a line on
stdout or send the events per (log group, log stream) through ``cwlogs.LogsClient`` (SigV4 via a
botocore ``logs`` client). Refused events are counted by reason in
``otelcol_exporter_awsemf_rejected_events_total``. Blocking botocore calls run in a thread.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections import defaultdict
from typing import Any

from botocore.config import Config as BotoConfig

from otelray import __version__
from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.session import AssumeRole, open_session
from otelray.collector.component import Host, Settings
from otelray.collector.consumer import MetricsBatch
from otelray.collector.errors import ComponentError
from otelray.collector.exporters.awsemf.config import AwsEmfExporterConfig
from otelray.collector.exporters.awsemf.cwlogs import LogEvent, LogsClient, batches, validate
from otelray.translate.emf import DeltaState, EmfEvent, translate_metrics


class AwsEmfPusher:
    """Translates metric batches to EMF and delivers them; wrapped by the exporter helper."""

    def __init__(self, settings: Settings, config: AwsEmfExporterConfig) -> None:
        self.settings = settings
        self.config = config
        self.options = config.options(f"otel-stream-{uuid.uuid4()}")
        self.state = DeltaState()
        self._client: LogsClient | None = None
        self._lock = asyncio.Lock()
        tel = settings.telemetry
        self._rejected = lambda reason: tel.counter(
            "otelcol_exporter_awsemf_rejected_events", "EMF events or points the awsemf exporter could not deliver.",
            reason=reason)

    async def start(self, host: Host) -> None:
        """Create the CloudWatch Logs client (not needed for stdout)."""
        if self.config.output_destination != "cloudwatch":
            return
        cfg = self.config
        try:
            region, session = await open_session(
                cfg.region, local_mode=cfg.local_mode, assume_role=AssumeRole(cfg.role_arn, cfg.external_id))
        except AwsConfigError as exc:
            raise ComponentError(self.settings.id, str(exc)) from exc
        boto_config = BotoConfig(
            region_name=region, user_agent_extra=f"{self.settings.build_info.command}/{__version__} (awsemf)",
            retries={"total_max_attempts": 1}, connect_timeout=cfg.request_timeout_seconds,
            read_timeout=cfg.request_timeout_seconds,
            proxies={"http": cfg.proxy_address, "https": cfg.proxy_address} if cfg.proxy_address else None)
        client = await asyncio.to_thread(session.create_client, "logs", region_name=region,
                                         endpoint_url=cfg.endpoint or None, verify=not cfg.no_verify_ssl,
                                         config=boto_config)
        self._client = LogsClient(client, retention_days=cfg.log_retention, tags=cfg.tags,
                                  max_retries=cfg.max_retries)

    async def push(self, batch: MetricsBatch) -> None:
        """Translate one batch and deliver its events; raises the first delivery error after trying all streams."""
        async with self._lock:  # delta state is order-dependent
            result = translate_metrics(batch.resource_metrics, options=self.options, state=self.state, now=time.time())
        if result.dropped_points:
            self._rejected("invalid_value").inc(result.dropped_points)
            self.settings.logger.warning("awsemf: dropped %d data point(s) with NaN/Inf or no recorded value",
                                         result.dropped_points)
        if result.duplicate_metrics:
            self._rejected("duplicate_metric").inc(result.duplicate_metrics)
            self.settings.logger.warning("awsemf: %d duplicate metric(s) in one EMF event; the first was kept",
                                         result.duplicate_metrics)
        if not result.events:
            return
        if self.config.output_destination == "stdout":
            sys.stdout.write("".join(e.message + "\n" for e in result.events))
            sys.stdout.flush()
            return
        await asyncio.to_thread(self._send, result.events)

    def _send(self, events: list[EmfEvent]) -> None:
        client = self._client
        if client is None:
            raise ComponentError(self.settings.id, "exporter used before start")
        streams: dict[tuple[str, str], list[LogEvent]] = defaultdict(list)
        for e in events:
            streams[(e.log_group, e.log_stream)].append(LogEvent(e.timestamp_ms, e.message))
        now_ms = int(time.time() * 1000)
        errors: list[Exception] = []
        for (group, stream), items in streams.items():
            valid, refused = validate(items, now_ms)
            self._count_refused(refused, group, stream)
            for chunk in batches(valid):
                try:
                    rejected = client.put(group, stream, chunk)
                except Exception as exc:
                    errors.append(exc)
                    break
                if rejected:
                    self._rejected("rejected_by_cloudwatch").inc(rejected)
        if errors:
            raise errors[0]

    def _count_refused(self, refused: dict[str, Any], group: str, stream: str) -> None:
        for reason, n in refused.items():
            self._rejected(reason).inc(n)
        if refused:
            self.settings.logger.warning("awsemf: refused %d event(s) for %s/%s: %s", sum(refused.values()),
                                         group, stream, refused)

    async def shutdown(self) -> None:
        """Close the client. Safe twice and without start."""
        if self._client is not None:
            client, self._client = self._client, None
            client.close()
