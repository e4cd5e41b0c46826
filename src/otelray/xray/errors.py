"""Errors of the X-Ray pivot model.

```
OtelrayError
└─ XRayError
   ├─ InvalidIdError          a trace id or segment id that does not follow X-Ray's format
   ├─ TraceHeaderError        an X-Amzn-Trace-Id header that cannot be parsed
   ├─ DatagramError           a daemon UDP datagram with a bad header, no body or too large
   └─ SegmentError            a segment document that X-Ray would reject (carries an error code)
```
"""

from __future__ import annotations

from otelray.errors import OtelrayError


class XRayError(OtelrayError):
    """Base class of the errors raised by ``otelray.xray``."""


class InvalidIdError(XRayError, ValueError):
    """A trace id or segment id is malformed."""


class TraceHeaderError(XRayError, ValueError):
    """An ``X-Amzn-Trace-Id`` header value cannot be parsed."""


class DatagramError(XRayError, ValueError):
    """A daemon-protocol UDP datagram is malformed; ``reason`` is a short machine-readable tag."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SegmentError(XRayError, ValueError):
    """A segment document X-Ray would not accept.

    Attributes:
        code: the X-Ray ``UnprocessedTraceSegment.ErrorCode`` style code (e.g. ``MissingId``).
        segment_id: the document's ``id`` when it could be read, else ``None``.
    """

    def __init__(self, code: str, message: str, segment_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.segment_id = segment_id
