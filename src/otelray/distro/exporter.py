"""Export that stays quiet and quick when the collector is away (spans here; metrics in ``metric_export``).

The upstream OTLP exporters retry a failed batch with exponential back-off for up to their timeout
(10 s) and log every attempt; at process exit that is what makes ADOT's distro take ~8 s to end a
short script when no collector listens. ``GuardedSpanExporter`` wraps any span exporter:

- the wrapped OTLP/HTTP exporter is built on first export, in the batch processor's thread, so
  importing the OTLP stack does not slow start-up (other exporters are built at start-up, as upstream
  does: the gRPC exporter, for one, cannot be created once the interpreter is shutting down);
- the wrapped exporter's own log lines are held back; otelray logs ONE warning naming the endpoint
  and the reason when exports start failing, and one info line when they recover;
- every span that could not be delivered is counted (``dropped_spans``);
- once shutdown begins (``ExitBoundedSpanProcessor.shutdown``) an export gets at most
  ``shutdown_timeout`` seconds, ends at its first failure instead of backing off, and batches to an
  endpoint already known to be down are dropped at once.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

_logger = logging.getLogger(__name__)
_capturing = threading.local()

#: loggers the upstream OTLP exporters write their per-attempt messages to
UPSTREAM_EXPORT_LOGGERS = (
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
)


class _HoldBack(logging.Filter):
    """Drops records logged while the current thread exports through a guard, keeping the reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        sink: _Attempt | None = getattr(_capturing, "attempt", None)
        if sink is None:
            return True
        sink.note(record)
        return False


class _Attempt:
    """What one guarded export call has seen from the upstream exporter."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.precise = False  # the reason comes from an exception, not from a log message
        self.failed = threading.Event()

    def note(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            return
        args = record.args if isinstance(record.args, tuple) else ()
        error = next((arg for arg in args if isinstance(arg, BaseException)), None)
        if error is not None and not self.precise:
            self.reason, self.precise = _describe(error), True
        elif self.reason is None:
            self.reason = record.getMessage()[:200]
        self.failed.set()


def _describe(error: BaseException) -> str:
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker in text:
            return marker.lower()  # the same words whichever layer (socket, urllib3, requests) raised
    return f"{type(error).__name__}: {text[:160]}"


def probe(endpoint: str, timeout: float) -> str | None:
    """Why a TCP connection to the endpoint's host and port fails, or ``None`` if it opens.

    Used once at exit, before paying for the OTLP stack's import, when nothing was exported yet.
    Only literal addresses and ``localhost`` are probed: a name lookup has no timeout.
    """
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if not host or parts.scheme not in ("http", "https"):
        return None
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return _describe(exc)


_FILTER = _HoldBack()
for _name in UPSTREAM_EXPORT_LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)


class ExportGuard:
    """The signal-independent part: lazy build, held-back logs, one warning per outage, bounded exit."""

    what = "data"  # what one exported item is called in messages

    def __init__(
        self, factory: Callable[[], Any], endpoint: str, *, shutdown_timeout: float = 0.5
    ) -> None:
        self._factory = factory
        self.endpoint = endpoint
        self.shutdown_timeout = shutdown_timeout
        self._inner: Any = None
        self._lock = threading.Lock()
        self._closing_deadline: float | None = None
        self._factory_error: Exception | None = None
        self._failing_reason: str | None = None  # set when the exit probe found the endpoint down
        self._failing = False
        self.dropped = 0
        self.failed_exports = 0

    def _exporter(self) -> Any:
        with self._lock:
            if self._factory_error is not None:
                raise self._factory_error
            if self._inner is None:
                self._inner = self._factory()
            return self._inner

    def build_now(self) -> None:
        """Build the wrapped exporter at once (a failure is kept and reported by the first export)."""
        try:
            self._exporter()
        except Exception as exc:  # reported by the export that needs it
            self._factory_error = exc

    def begin_shutdown(self, *, prepare: bool = True) -> None:
        """From now on exports are bounded by ``shutdown_timeout`` in total.

        With ``prepare`` the wrapped exporter is built first, in the calling thread and outside the
        budget: importing the OTLP stack is local work whose length says nothing about the endpoint.
        """
        if self._closing_deadline is not None:
            return
        if prepare and not self._failing and self._inner is None:
            reason = probe(self.endpoint, self.shutdown_timeout)
            if reason is not None:
                self._failing_reason = reason
                prepare = False
        if prepare and not self._failing and self._failing_reason is None:
            self.build_now()
        self._closing_deadline = time.monotonic() + self.shutdown_timeout

    def _call(self, send: Callable[[Any], bool], attempt: _Attempt) -> bool:
        _capturing.attempt = attempt
        try:
            return send(self._exporter())
        except Exception as exc:  # an exporter bug must not reach the application
            if not attempt.precise:
                attempt.reason, attempt.precise = _describe(exc), True
            return False
        finally:
            _capturing.attempt = None

    def _bounded_call(self, send: Callable[[Any], bool], attempt: _Attempt, deadline: float) -> bool:
        if self._failing_reason is not None:
            attempt.reason = self._failing_reason
            attempt.precise = True
            return False
        if self._failing:
            attempt.reason = "still unreachable at shutdown"
            attempt.precise = True
            return False
        outcome: list[bool] = []
        # the caller's context travels along: it carries the SDK's "suppress instrumentation" flag,
        # without which the exporter's own HTTP call would be traced by the requests instrumentation
        context = contextvars.copy_context()
        worker = threading.Thread(target=lambda: outcome.append(context.run(self._call, send, attempt)), daemon=True)
        worker.start()
        while worker.is_alive() and not attempt.failed.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if not attempt.precise:
                    attempt.reason, attempt.precise = f"no answer within {self.shutdown_timeout:g} s at shutdown", True
                break
            worker.join(min(remaining, 0.02))
        return bool(outcome and outcome[0])

    def _guarded(self, count: int, send: Callable[[Any], bool]) -> bool:
        """Export through the wrapped exporter; count, warn or report recovery; True on success."""
        attempt = _Attempt()
        deadline = self._closing_deadline
        ok = self._call(send, attempt) if deadline is None else self._bounded_call(send, attempt, deadline)
        if ok:
            if self._failing:
                _logger.info("otelray: export of %s to %s works again", self.what, self.endpoint)
            self._failing = False
            return True
        self.failed_exports += 1
        self.dropped += count
        if not self._failing:
            self._failing = True
            if not attempt.precise:  # e.g. "timeout, max retries or shutdown": say what the socket says
                attempt.reason = probe(self.endpoint, 0.2) or attempt.reason
            _logger.warning(
                "otelray: cannot export %s to %s (%s); dropping them until it answers",
                self.what, self.endpoint, attempt.reason or "export failed",
            )
        return False

    def _shutdown_inner(self, **kwargs: Any) -> None:
        inner = self._inner
        if inner is not None:
            _capturing.attempt = _Attempt()
            try:
                inner.shutdown(**kwargs)
            finally:
                _capturing.attempt = None


class GuardedSpanExporter(ExportGuard, SpanExporter):
    """Wraps a span exporter: lazy construction, one warning per outage, bounded exit."""

    what = "spans"

    @property
    def dropped_spans(self) -> int:
        """Spans that could not be delivered."""
        return self.dropped

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        ok = self._guarded(len(spans), lambda inner: inner.export(spans) is SpanExportResult.SUCCESS)
        return SpanExportResult.SUCCESS if ok else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._shutdown_inner()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        inner = self._inner
        return True if inner is None else bool(inner.force_flush(timeout_millis))


class ExitBoundedSpanProcessor(BatchSpanProcessor):
    """A ``BatchSpanProcessor`` whose shutdown bounds the final export of a guarded exporter."""

    _ended_any = False

    def on_end(self, span: ReadableSpan) -> None:
        if not self._ended_any:
            self._ended_any = True
        super().on_end(span)

    def shutdown(self) -> None:
        exporter = self.span_exporter
        if not isinstance(exporter, GuardedSpanExporter):
            super().shutdown()
            return
        exporter.begin_shutdown(prepare=self._ended_any)  # a program without spans imports nothing
        # The SDK's BatchProcessor (1.33+) accepts a bound on the worker join; a guarded export
        # already in flight from before shutdown is then abandoned (its thread is a daemon).
        worker = getattr(self, "_batch_processor", None)
        if worker is not None and "timeout_millis" in inspect.signature(worker.shutdown).parameters:
            worker.shutdown(timeout_millis=int((exporter.shutdown_timeout + 0.2) * 1000))
        else:
            super().shutdown()
