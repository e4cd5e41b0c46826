"""Receiver bookkeeping (collector ``receiver/receiverhelper`` ``ObsReport``) and error mapping.

``deliver`` passes one decoded batch to the next consumer and counts it once:
``otelcol_receiver_accepted_<items>`` on success, ``otelcol_receiver_refused_<items>`` on failure
(labels ``receiver`` and ``transport``). The status mapping is upstream's ``internal/errors``: a
``PermanentError`` is the client's fault (gRPC ``INVALID_ARGUMENT`` / HTTP 400); anything else may
succeed later (gRPC ``UNAVAILABLE`` / HTTP 503 with ``Retry-After``), which is how the
memory_limiter's refusals reach clients as back-pressure.
"""

from __future__ import annotations

import math
from typing import Any

from otelray.collector.component import Settings, Signal
from otelray.collector.consumer import ConsumeFn, count_items
from otelray.collector.errors import PermanentError, ThrottledError

#: seconds a client is told to wait after a retryable refusal when no better hint exists
DEFAULT_RETRY_AFTER = 1


async def deliver(settings: Settings, signal: Signal, transport: str, next_fn: ConsumeFn, batch: Any,
                  *, items: int | None = None) -> None:
    """Hand ``batch`` to ``next_fn`` and count the items as accepted or refused.

    Raises:
        Exception: whatever the pipeline raised, after counting.
    """
    n = count_items(signal, batch) if items is None else items
    try:
        await next_fn(batch)
    except Exception:
        settings.telemetry.add("refused", signal, n, transport=transport)
        raise
    settings.telemetry.add("accepted", signal, n, transport=transport)
    settings.logger.debug("Accepted %d %s over %s", n, signal.item, transport)


def reject_request(settings: Settings, transport: str, reason: str, message: str) -> None:
    """Count and log (debug) a request refused before any item could be read (undecodable, too large…).

    Counted in ``otelcol_receiver_rejected_requests_total{receiver, transport, reason}``: upstream
    only logs these, but every rejection is counted in otelray.
    """
    settings.telemetry.counter("otelcol_receiver_rejected_requests", "Requests refused before decoding their items.",
                               transport=transport, reason=reason).inc()
    settings.logger.debug("Rejected an OTLP request over %s (%s): %s", transport, reason, message)


def is_permanent(exc: BaseException) -> bool:
    """True when retrying the same data cannot succeed."""
    return isinstance(exc, PermanentError)


def retry_after(exc: BaseException) -> int:
    """Whole seconds for a ``Retry-After`` header."""
    if isinstance(exc, ThrottledError):
        return max(1, math.ceil(exc.delay))
    return DEFAULT_RETRY_AFTER


def http_status(exc: BaseException) -> tuple[int, list[tuple[bytes, bytes]]]:
    """HTTP status and extra headers for a pipeline error (400, or 503 with ``Retry-After``)."""
    if is_permanent(exc):
        return 400, []
    return 503, [(b"retry-after", str(retry_after(exc)).encode())]
