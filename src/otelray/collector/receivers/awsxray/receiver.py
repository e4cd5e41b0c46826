"""The ``awsxray`` receiver: X-Ray daemon datagrams → OTLP spans (contrib ``receiver/awsxrayreceiver``).

The UDP poller (``otelray.collector.aws.udp_poller``) validates and splits datagrams; each document
is translated by ``otelray.translate.from_xray`` into one ``ResourceSpans``. Documents are queued
(at most ``QUEUE_DEPTH`` documents and ``MAX_QUEUED_BYTES``) and a drain task hands everything available to the next consumer as one batch,
so a burst costs one pipeline call rather than one per datagram. UDP has no way to push back, so
every loss is counted under ``otelcol_receiver_awsxray_rejected_datagrams_total{reason}``:
malformed datagrams (``too_large``, ``missing_header``, ``bad_header``, ``missing_body``),
untranslatable documents (by translation error code), a full queue (``queue_full``), data the
pipeline refused (also counted as ``otelcol_receiver_refused_spans``) and datagrams the kernel
dropped because the socket's receive buffer was full (``socket_buffer_full``, read from
``/proc/net/udp`` once a second). The optional
``proxy_server`` is started beside it (``otelray.collector.aws.proxy``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.proxy import XRayProxy
from otelray.collector.aws.udp_poller import UdpPoller
from otelray.collector.component import Host, Settings, Signal
from otelray.collector.config.blocks import split_host_port
from otelray.collector.consumer import Capabilities, count_items
from otelray.collector.errors import ComponentError
from otelray.collector.receivers.awsxray.config import AwsXrayReceiverConfig
from otelray.translate.errors import TranslationError
from otelray.translate.from_xray import document_to_resource_spans
from otelray.xray.errors import SegmentError
from otelray.xray.segment import parse_document

#: Documents waiting for the pipeline before new ones are dropped as ``queue_full``.
QUEUE_DEPTH = 10_000
#: Most document bytes waiting for the pipeline (64 KiB datagrams would otherwise allow 640 MiB).
MAX_QUEUED_BYTES = 32 * 1024 * 1024
#: Most documents handed to the pipeline in one batch.
MAX_BATCH_DOCUMENTS = 1_000
#: Documents translated between two yields to the event loop.
YIELD_EVERY = 100
#: Seconds between two reads of the socket's kernel drop count.
KERNEL_DROPS_INTERVAL = 1.0


class AwsXrayReceiver:
    """UDP daemon-protocol intake plus the optional sampling proxy."""

    def __init__(self, settings: Settings, config: AwsXrayReceiverConfig, next_consumer: Any) -> None:
        self.settings = settings
        self.config = config
        self._next = next_consumer
        host, port = split_host_port(config.endpoint)
        self.poller = UdpPoller(host or "0.0.0.0", port, self._enqueue, self._count_rejected)
        self.proxy: XRayProxy | None = None
        self._queue: asyncio.Queue[bytes] | None = None
        self._queued_bytes = 0
        self._drain_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._kernel_drops = 0
        self._rejected = lambda reason: settings.telemetry.counter(
            "otelcol_receiver_awsxray_rejected_datagrams",
            "X-Ray daemon datagrams the awsxray receiver could not pass on.", reason=reason)

    @property
    def capabilities(self) -> Capabilities:
        """Receivers do not consume."""
        return Capabilities()

    async def start(self, host: Host) -> None:
        """Bind UDP (and the proxy's TCP port)."""
        self._queue = asyncio.Queue(QUEUE_DEPTH)
        try:
            await self.poller.start()
        except OSError as exc:
            raise ComponentError(self.settings.id, f"cannot listen on udp {self.config.endpoint}: {exc}") from exc
        self._drain_task = asyncio.create_task(self._drain(), name=f"awsxray-{self.settings.id}")
        self._watch_task = asyncio.create_task(self._watch_kernel_drops(), name=f"awsxray-drops-{self.settings.id}")
        if self.config.proxy_server is not None:
            await self._start_proxy()
        self.settings.logger.info("awsxray receiver listening on udp %s:%d", *self.poller.address)

    async def _start_proxy(self) -> None:
        cfg = self.config.proxy_server
        if cfg is None:
            return
        self.proxy = XRayProxy(cfg.options())
        try:
            await self.proxy.start()
        except (AwsConfigError, OSError) as exc:
            await self.shutdown()
            raise ComponentError(self.settings.id, f"proxy_server {cfg.endpoint}: {exc}") from exc

    def _enqueue(self, document: bytes) -> None:
        if self._queue is None:
            return
        if self._queued_bytes + len(document) > MAX_QUEUED_BYTES:
            self._reject("queue_full", f"more than {MAX_QUEUED_BYTES} bytes wait for the pipeline (it is not keeping up)")
            return
        try:
            self._queue.put_nowait(document)
        except asyncio.QueueFull:
            self._reject("queue_full", "the receiver's queue is full (the pipeline is not keeping up)")
            return
        self._queued_bytes += len(document)

    async def _watch_kernel_drops(self) -> None:
        """Count datagrams the kernel dropped (socket buffer full) as ``socket_buffer_full``, once a second."""
        while True:
            await asyncio.sleep(KERNEL_DROPS_INTERVAL)
            self._sync_kernel_drops()

    def _sync_kernel_drops(self) -> None:
        drops = self.poller.kernel_drops()
        if drops is None or drops <= self._kernel_drops:
            return
        lost, self._kernel_drops = drops - self._kernel_drops, drops
        self._rejected("socket_buffer_full").inc(lost)
        self.settings.logger.warning("awsxray receiver: the kernel dropped %d datagram(s): the UDP receive buffer "
                                     "was full (the collector is not reading fast enough)", lost)

    def _count_rejected(self, reason: str) -> None:
        self._rejected(reason).inc()

    def _reject(self, reason: str, message: str) -> None:
        self.poller.count_rejection(reason, message)

    async def _drain(self) -> None:
        queue = self._queue
        while queue is not None:
            documents = [await queue.get()]
            while len(documents) < MAX_BATCH_DOCUMENTS and not queue.empty():
                documents.append(queue.get_nowait())
            try:
                await self._deliver(documents)
            except Exception as exc:  # the receiver must outlive any one batch
                for _ in documents:
                    self._reject("internal_error", f"{len(documents)} document(s) lost: {type(exc).__name__}: {exc}")
                self.settings.logger.exception("awsxray receiver: unexpected error delivering a batch")

    async def _deliver(self, documents: list[bytes]) -> None:
        self._queued_bytes -= sum(len(d) for d in documents)
        batch = ExportTraceServiceRequest()
        for i, document in enumerate(documents):
            if i and i % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the loop read the socket during a long batch
            translated = _translate(document)
            if isinstance(translated, TranslationError):
                self._reject(translated.code, f"segment {translated.item_id or '?'}: {translated.reason}")
                continue
            batch.resource_spans.append(translated)
        spans = count_items(Signal.TRACES, batch)
        if not spans:
            return
        tel = self.settings.telemetry
        try:
            await self._next.consume_traces(batch)
        except Exception as exc:
            tel.add("refused", Signal.TRACES, spans, transport="udp")
            self._reject("refused", f"the pipeline refused {spans} span(s): {exc}")
            return
        tel.add("accepted", Signal.TRACES, spans, transport="udp")

    async def shutdown(self) -> None:
        """Close the sockets, deliver what is queued, stop the proxy. Safe twice and without start."""
        if self._watch_task is not None:
            self._watch_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch_task
            self._watch_task = None
            self._sync_kernel_drops()
        await self.poller.close()
        if self.proxy is not None:
            await self.proxy.close()
            self.proxy = None
        if self._drain_task is not None:
            queue = self._queue
            if queue is not None and not queue.empty():
                pending = [queue.get_nowait() for _ in range(queue.qsize())]
                self._drain_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._drain_task
                await self._deliver(pending)
            else:
                self._drain_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._drain_task
            self._drain_task = None
        self._queue = None


def _translate(document: bytes) -> Any:
    """One document (already split from its datagram by the poller) → ``ResourceSpans`` or an error value."""
    try:
        doc = parse_document(document, lenient=True)
        return document_to_resource_spans(doc, validate=False)
    except SegmentError as exc:
        return TranslationError(exc.segment_id or "", str(exc), exc.code)
    except Exception as exc:  # never let one document stop the others
        return TranslationError("", f"internal error translating a document: {type(exc).__name__}: {exc}",
                                "internal_error")
