"""The awsxray exporter's ``telemetry`` block: ``PutTelemetryRecords`` every minute (contrib ``internal/aws/xray/telemetry``).

Counts since the last record: SegmentsReceivedCount, SegmentsSentCount, SegmentsSpilloverCount,
SegmentsRejectedCount and BackendConnectionErrors {HTTPCode4XXCount, HTTPCode5XXCount,
ConnectionRefusedCount, TimeoutCount, UnknownHostCount, OtherCount}. ``include_metadata`` adds
Hostname, EC2InstanceId and ResourceARN. A failed send keeps the counts for the next record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from otelray.collector.errors import PermanentError
from otelray.collector.exporters.awsxray.config import XRayTelemetryConfig

#: Seconds between records (upstream ``dataCutoffIntervalSecs``).
RECORD_INTERVAL = 60.0
_ERROR_KEYS = ("HTTPCode4XXCount", "HTTPCode5XXCount", "ConnectionRefusedCount", "TimeoutCount",
               "UnknownHostCount", "OtherCount")


class TelemetryRecorder:
    """Thread-safe counters plus the task that ships them."""

    def __init__(self, client: Any, config: XRayTelemetryConfig, resource_arn: str, logger: logging.Logger,
                 *, interval: float = RECORD_INTERVAL) -> None:
        self._client = client
        self._config = config
        self._resource_arn = config.resource_arn or resource_arn
        self._logger = logger
        self._interval = interval
        self._lock = threading.Lock()
        self._counts = self._zero()
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def _zero() -> dict[str, Any]:
        return {"SegmentsReceivedCount": 0, "SegmentsSentCount": 0, "SegmentsSpilloverCount": 0,
                "SegmentsRejectedCount": 0, "BackendConnectionErrors": dict.fromkeys(_ERROR_KEYS, 0)}

    def received(self, n: int, *, rejected: int = 0) -> None:
        """Count segments handed to the exporter and those rejected before sending."""
        with self._lock:
            self._counts["SegmentsReceivedCount"] += n
            self._counts["SegmentsRejectedCount"] += rejected

    def sent(self, n: int, *, rejected: int = 0) -> None:
        """Count segments X-Ray accepted and those it returned as unprocessed."""
        with self._lock:
            self._counts["SegmentsSentCount"] += n
            self._counts["SegmentsRejectedCount"] += rejected

    def connection_error(self, exc: BaseException) -> None:
        """Classify one failed call as upstream does."""
        text = str(exc)
        if isinstance(exc, PermanentError):
            key = "HTTPCode4XXCount"
        elif " 5" in text or "HTTP 5" in text or "InternalFailure" in text:
            key = "HTTPCode5XXCount"
        elif "refused" in text.lower() or "Could not connect" in text:
            key = "ConnectionRefusedCount"
        elif "timeout" in text.lower() or "timed out" in text.lower():
            key = "TimeoutCount"
        elif "Name or service not known" in text or "nodename nor servname" in text:
            key = "UnknownHostCount"
        else:
            key = "OtherCount"
        with self._lock:
            self._counts["BackendConnectionErrors"][key] += 1

    def record(self) -> dict[str, Any]:
        """Take the counts since the last record (and reset them)."""
        with self._lock:
            counts, self._counts = self._counts, self._zero()
        return {"Timestamp": datetime.now(UTC), **counts}

    def _restore(self, record: dict[str, Any]) -> None:
        with self._lock:
            for key, value in record.items():
                if key == "BackendConnectionErrors":
                    for k, v in value.items():
                        self._counts[key][k] += v
                elif key != "Timestamp":
                    self._counts[key] += value

    def start(self) -> None:
        """Start the periodic sender on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()

    async def flush(self) -> None:
        """Send one record now; on failure keep the counts for the next one."""
        record = self.record()
        request: dict[str, Any] = {"TelemetryRecords": [record]}
        if self._config.include_metadata:
            request.update(EC2InstanceId=self._config.instance_id, Hostname=self._config.hostname,
                           ResourceARN=self._resource_arn)
        try:
            await asyncio.to_thread(self._client.put_telemetry_records, **request)
        except Exception as exc:
            self._restore(record)
            self._logger.warning("awsxray: PutTelemetryRecords failed: %s", exc)

    async def stop(self) -> None:
        """Cancel the periodic sender."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
