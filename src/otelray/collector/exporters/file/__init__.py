"""The ``file`` exporter (collector-contrib ``exporter/fileexporter``): one OTLP request per line.

``format: json`` writes each batch as one OTLP/JSON line (what ``otlpjsonfilereceiver`` and
``jq`` read); ``format: proto`` writes length-prefixed protobuf (4-byte big-endian size, then the
message), as upstream. ``append: false`` (upstream default) truncates the file at start.
``flush_interval`` bounds how long a written line may sit in the buffer (0 = flush every batch).
Rotation, compression and ``group_by`` are not implemented: setting them is a config error.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from pydantic import Field

from otelray.collector import otlpjson
from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import (
    ComponentConfig,
    Duration,
    ExporterConfig,
    QueueConfig,
    RetryConfig,
)
from otelray.collector.errors import ComponentError, PermanentError
from otelray.collector.exporterhelper.base import ExporterHelper
from otelray.collector.registry import ExporterFactory


class FileConfig(ComponentConfig):
    """Config of the ``file`` exporter."""

    path: str = Field(description="File to write; its directory must exist.")
    format: str = Field("json", pattern="^(json|proto)$", description="json (one line per batch) or proto.")
    append: bool = Field(False, description="Keep existing content instead of truncating at start.")
    flush_interval: Duration = Field(timedelta(seconds=1), description="Longest time data stays buffered.")


class FilePusher:
    """Writes batches to one file (shared by the signals of one exporter ID)."""

    def __init__(self, settings: Settings, config: FileConfig) -> None:
        self.settings = settings
        self.config = config
        self._file: IO[bytes] | None = None
        self._users = 0
        self._flusher: asyncio.Task[None] | None = None

    async def start(self, host: Host) -> None:
        """Open the file (first signal to start)."""
        self._users += 1
        if self._file is not None:
            return
        path = Path(self.config.path)
        try:
            self._file = path.open("ab" if self.config.append else "wb")
        except OSError as exc:
            raise ComponentError(self.settings.id, f"cannot open {path}: {exc.strerror or exc}") from exc
        if self.config.flush_interval.total_seconds() > 0:
            self._flusher = asyncio.create_task(self._flush_periodically())

    async def _flush_periodically(self) -> None:
        while self._file is not None:
            await asyncio.sleep(self.config.flush_interval.total_seconds())
            if self._file is not None:
                self._file.flush()

    async def push(self, batch: Any) -> None:
        """Append one batch and flush when due."""
        if self._file is None:
            raise PermanentError(f"file exporter {self.settings.id} is not started")
        if self.config.format == "json":
            data = otlpjson.encode(batch) + b"\n"
        else:
            raw = batch.SerializeToString()
            data = len(raw).to_bytes(4, "big") + raw
        self._file.write(data)
        if self._flusher is None:
            self._file.flush()

    async def shutdown(self) -> None:
        """Flush and close with the last signal."""
        self._users -= 1
        if self._users <= 0 and self._file is not None:
            file, self._file = self._file, None
            if self._flusher is not None:
                self._flusher.cancel()
            file.close()



def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: FileConfig) -> ExporterHelper:
        key = ("file", str(settings.id))
        pusher = settings.shared.get(key)
        if pusher is None:
            pusher = settings.shared[key] = FilePusher(settings, config)
        plain = ExporterConfig(sending_queue=QueueConfig(enabled=False), retry_on_failure=RetryConfig(enabled=False))
        return ExporterHelper(settings, signal, pusher, plain)

    return create


factory = ExporterFactory(
    type="file",
    config=FileConfig,
    description="Writes data to a file as OTLP/JSON lines or length-prefixed protobuf.",
    traces=(_create(Signal.TRACES), Stability.ALPHA),
    metrics=(_create(Signal.METRICS), Stability.ALPHA),
    logs=(_create(Signal.LOGS), Stability.ALPHA),
    lifecycle_test_config={"path": "/dev/null"},
)
