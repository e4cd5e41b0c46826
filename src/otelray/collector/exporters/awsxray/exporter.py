"""The ``awsxray`` exporter: OTLP spans → segment documents → ``PutTraceSegments`` (contrib ``awsxray.go``).

Per batch (adot-collector.md §1.14): the batch is serialized once and translated with
``otelray.translate.to_xray.request.translate_request`` (the C extension where built, the Python
block modules for what it leaves; ``otelcol_exporter_awsxray_native_spans_total`` counts the spans
the extension translated). Spans that cannot be translated are counted
(``otelcol_exporter_awsxray_translation_errors_total`` by code) and logged once per batch, the rest
are sent in chunks of 50. Documents X-Ray reports as unprocessed are counted
(``otelcol_exporter_awsxray_unprocessed_segments_total`` by error code) and logged once per batch.
Both also count in ``otelcol_exporter_partially_rejected_spans_total`` (one document per span; a
split local root counts twice), as the OTLP exporters count partial success, since the exporter
helper counts the whole batch as sent once the push returns. Translation and the blocking botocore
calls run in a worker pool of ``num_workers`` threads so the event loop keeps receiving.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from google.protobuf.message import DecodeError

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.session import AssumeRole, open_session
from otelray.collector.aws.xray_client import MAX_SEGMENTS_PER_PUT, XRayClient, XRayClientOptions
from otelray.collector.component import Host, Settings, Signal
from otelray.collector.consumer import TracesBatch
from otelray.collector.errors import ComponentError
from otelray.collector.exporters.awsxray.config import AwsXrayExporterConfig
from otelray.collector.exporters.awsxray.telemetry import TelemetryRecorder
from otelray.collector.featuregate import GATES
from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from otelray.translate.to_xray.request import translate_request


class AwsXrayPusher:
    """Translates and sends trace batches to X-Ray; wrapped by the exporter helper."""

    def __init__(self, settings: Settings, config: AwsXrayExporterConfig) -> None:
        self.settings = settings
        self.config = config
        self.options = TranslateOptions(
            indexed_attributes=tuple(config.indexed_attributes),
            index_all_attributes=config.index_all_attributes,
            log_group_names=tuple(config.aws_log_groups),
            skip_timestamp_validation=GATES.is_enabled("exporter.awsxray.skiptimestampvalidation"),
            allow_dot_in_annotation_keys=GATES.is_enabled("exporter.xray.allowDot"),
        )
        self._client: XRayClient | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._recorder: TelemetryRecorder | None = None
        tel = settings.telemetry
        self._translation_errors = lambda code: tel.counter(
            "otelcol_exporter_awsxray_translation_errors", "Spans the awsxray exporter could not translate.",
            code=code)
        self._unprocessed = lambda code: tel.counter(
            "otelcol_exporter_awsxray_unprocessed_segments",
            "Segment documents X-Ray returned in UnprocessedTraceSegments.", code=code)
        self._native_spans = tel.counter(
            "otelcol_exporter_awsxray_native_spans", "Spans the awsxray exporter translated with the C extension.")

    async def start(self, host: Host) -> None:
        """Resolve region and credentials and create the botocore client (off the event loop)."""
        cfg = self.config
        try:
            region, session = await open_session(
                cfg.region, local_mode=cfg.local_mode, assume_role=AssumeRole(cfg.role_arn, cfg.external_id))
        except AwsConfigError as exc:
            raise ComponentError(self.settings.id, str(exc)) from exc
        options = XRayClientOptions(
            region=region, endpoint=cfg.endpoint, max_retries=cfg.max_retries,
            request_timeout_seconds=float(cfg.request_timeout_seconds), num_workers=cfg.num_workers,
            no_verify_ssl=cfg.no_verify_ssl, proxy_address=cfg.proxy_address,
            exec_env=os.environ.get("AWS_EXECUTION_ENV", ""),
        )
        self._client = await asyncio.to_thread(XRayClient, session, options)
        self._pool = ThreadPoolExecutor(max_workers=cfg.num_workers, thread_name_prefix=f"awsxray-{self.settings.id}")
        if cfg.telemetry.enabled:
            self._recorder = TelemetryRecorder(self._client, cfg.telemetry, cfg.resource_arn, self.settings.logger)
            self._recorder.start()
        if session.get_credentials() is None:
            self.settings.logger.warning("no AWS credentials found; PutTraceSegments will fail until some are")

    async def push(self, batch: TracesBatch) -> None:
        """Translate one batch, send its chunks of 50, raise the mapped error of the first failed chunk.

        Upstream sends the chunks one after another; otelray sends them concurrently, at most
        ``num_workers`` requests in flight, because a durable X-Ray store answers after its commit
        and throughput then grows with the requests in flight. A failure fails the whole batch
        (the retry resends it; X-Ray keeps the last copy of a segment id).
        """
        client, pool = self._client, self._pool
        if client is None or pool is None:
            raise ComponentError(self.settings.id, "exporter used before start")
        loop = asyncio.get_running_loop()
        documents = await loop.run_in_executor(pool, self._translate, batch)
        chunks = [documents[i : i + MAX_SEGMENTS_PER_PUT] for i in range(0, len(documents), MAX_SEGMENTS_PER_PUT)]
        results = await asyncio.gather(
            *(loop.run_in_executor(pool, client.put_trace_segments, chunk) for chunk in chunks),
            return_exceptions=True)
        unprocessed: list[dict[str, Any]] = []
        failures: list[BaseException] = []
        sent = 0
        for chunk, result in zip(chunks, results, strict=True):
            if isinstance(result, BaseException):
                failures.append(result)
            else:
                unprocessed.extend(result)
                sent += len(chunk) - len(result)
        self._count_unprocessed(unprocessed, len(documents))
        if self._recorder is not None:
            self._recorder.sent(sent, rejected=len(unprocessed))
            for failure in failures:
                self._recorder.connection_error(failure)
        if failures:
            raise failures[0]

    def _translate(self, batch: TracesBatch) -> list[str]:
        # the batch may have been edited by processors or merged by `batch`: serialize it as it is now
        now = time.time()
        try:
            result = translate_request(batch.SerializeToString(), options=self.options, now=now)
        except DecodeError:  # built in process, nested deeper than the decoder allows: translate the message
            result = translate_spans(batch.resource_spans, options=self.options, now=now)
        if result.native_spans:
            self._native_spans.inc(result.native_spans)
        if result.errors:
            self._count_translation_errors(result.errors)
        if self._recorder is not None:
            self._recorder.received(len(result.documents) + len(result.errors), rejected=len(result.errors))
        return result.documents

    def _count_unprocessed(self, unprocessed: list[dict[str, Any]], total: int) -> None:
        if not unprocessed:
            return
        codes = Counter(str(item.get("ErrorCode", "Unknown")) for item in unprocessed)
        for code, n in codes.items():
            self._unprocessed(code).inc(n)
        self.settings.telemetry.add("partially_rejected", Signal.TRACES, len(unprocessed))
        first = unprocessed[0]
        self.settings.logger.warning(
            "awsxray: X-Ray did not process %d of %d segment documents (%s); first: id=%s: %s",
            len(unprocessed), total, ", ".join(f"{c}={n}" for c, n in sorted(codes.items())),
            first.get("Id", ""), first.get("Message", ""))

    def _count_translation_errors(self, errors: list[Any]) -> None:
        codes = Counter(err.code for err in errors)
        for code, n in codes.items():
            self._translation_errors(code).inc(n)
        self.settings.telemetry.add("partially_rejected", Signal.TRACES, len(errors))
        first = errors[0]
        self.settings.logger.warning(
            "awsxray: dropped %d span(s) that cannot be translated to X-Ray (%s); first: span %s: %s",
            len(errors), ", ".join(f"{c}={n}" for c, n in sorted(codes.items())), first.item_id, first.reason)

    async def shutdown(self) -> None:
        """Stop telemetry, the worker pool and the HTTP connections. Safe twice and without start."""
        if self._recorder is not None:
            await self._recorder.stop()
            self._recorder = None
        if self._pool is not None:
            pool, self._pool = self._pool, None
            # in-flight requests finish (bounded by request_timeout_seconds) off the event loop
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
            self._client = None
