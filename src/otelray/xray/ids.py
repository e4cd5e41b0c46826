"""X-Ray trace ids and segment ids (X-Ray developer guide, "Segment documents" and "Tracing header").

A trace id is ``1-<8 hex digits>-<24 hex digits>``: version 1, eight hex digits of epoch seconds
and 24 random hex digits (96 bits). A segment id is 16 lowercase hex digits. OpenTelemetry trace ids
are the same 128 bits without the version and dashes (``1-4bf92f35-77b3…`` ⇔ ``4bf92f3577b3…``).
"""

from __future__ import annotations

import os
import re
import time

from otelray.xray.errors import InvalidIdError

TRACE_ID_LENGTH = 35
_TRACE_ID_RE = re.compile(r"^1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}\Z")
_SEGMENT_ID_RE = re.compile(r"^[0-9a-fA-F]{16}\Z")

#: The exporter rejects X-Ray ids whose epoch is older than this (awsxray exporter rule) ...
MAX_TRACE_AGE_SECONDS = 28 * 24 * 3600
#: ... or further in the future than this.
MAX_TRACE_SKEW_SECONDS = 5 * 60


def new_trace_id(now: float | None = None) -> str:
    """Return a fresh X-Ray trace id whose epoch part is ``now`` (default: the current time)."""
    seconds = int(time.time() if now is None else now) & 0xFFFFFFFF
    return f"1-{seconds:08x}-{os.urandom(12).hex()}"


def new_segment_id() -> str:
    """Return a fresh random 64-bit segment id as 16 lowercase hex digits (never all zeros)."""
    while True:
        value = os.urandom(8)
        if any(value):
            return value.hex()


def is_trace_id(value: object) -> bool:
    """True if ``value`` is a well-formed X-Ray trace id."""
    return isinstance(value, str) and _TRACE_ID_RE.match(value) is not None


def is_segment_id(value: object) -> bool:
    """True if ``value`` is a well-formed 16-hex-digit segment id."""
    return isinstance(value, str) and _SEGMENT_ID_RE.match(value) is not None


def trace_id_epoch(trace_id: str) -> int:
    """The epoch seconds encoded in an X-Ray trace id."""
    if not is_trace_id(trace_id):
        raise InvalidIdError(f"invalid X-Ray trace id {trace_id!r}: expected 1-<8 hex digits>-<24 hex digits>")
    return int(trace_id[2:10], 16)


def trace_id_to_otel(trace_id: str) -> bytes:
    """Convert an X-Ray trace id to the 16 bytes of an OpenTelemetry trace id."""
    if not is_trace_id(trace_id):
        raise InvalidIdError(f"invalid X-Ray trace id {trace_id!r}: expected 1-<8 hex digits>-<24 hex digits>")
    return bytes.fromhex(trace_id[2:10] + trace_id[11:])


def otel_to_trace_id(trace_id: bytes) -> str:
    """Convert 16 bytes of an OpenTelemetry trace id to ``1-xxxxxxxx-yyyy…`` (no epoch check)."""
    if len(trace_id) != 16 or not any(trace_id):
        raise InvalidIdError(f"invalid OpenTelemetry trace id {trace_id.hex()!r}: need 16 non-zero bytes")
    hexed = trace_id.hex()
    return f"1-{hexed[:8]}-{hexed[8:]}"


def check_trace_id_epoch(trace_id: str, now: float) -> None:
    """Raise if the id's epoch is more than 28 days old or 5 minutes ahead of ``now`` (exporter rule)."""
    epoch = trace_id_epoch(trace_id)
    if now - epoch > MAX_TRACE_AGE_SECONDS or epoch - now > MAX_TRACE_SKEW_SECONDS:
        raise InvalidIdError(f"invalid xray traceid: {trace_id[2:10]}{trace_id[11:]}")
