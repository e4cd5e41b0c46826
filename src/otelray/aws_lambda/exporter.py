"""Span export from inside a Lambda function: X-Ray segment documents over UDP.

Inside AWS Lambda the X-Ray endpoint is a UDP address given in ``AWS_XRAY_DAEMON_ADDRESS``
(``169.254.79.129:2000``); it takes the X-Ray daemon wire format (``{"format":"json","version":1}``,
newline, one segment document — ``otelray.xray.wire``), which is what the X-Ray SDKs send there.
Spans are translated with the same code as the collector's ``awsxray`` exporter
(``otelray.translate.to_xray.request.translate_request``: the C extension where built, the Python
modules otherwise; ``native_spans`` counts the spans the extension translated), so a function's documents equal what ADOT's collector would write.
ADOT's current layer sends OTLP-over-UDP instead (``T1S`` + base64 protobuf); that format is read only
by the Lambda service, while daemon datagrams are read by the X-Ray daemon, the otelray collector's
``awsxray`` receiver and the local ``otelray backend`` alike. Sending is one non-blocking
``sendto`` per document; a span that cannot be translated or sent is counted in ``dropped``
(by reason) and logged once per batch.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Sequence

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.request import translate_request
from otelray.xray.wire import MAX_DATAGRAM_BYTES, encode_datagram

_logger = logging.getLogger(__name__)

#: Lambda's default X-Ray endpoint when ``AWS_XRAY_DAEMON_ADDRESS`` is unset (the X-Ray SDK default).
DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"


def parse_daemon_address(value: str | None) -> tuple[str, int]:
    """``host:port`` from ``AWS_XRAY_DAEMON_ADDRESS``; the X-Ray SDK's two-address form
    ``tcp:h:p udp:h:p`` is accepted and its UDP part used. Raises ``ValueError`` naming the value."""
    text = (value or DEFAULT_DAEMON_ADDRESS).strip()
    for part in text.split():
        if part.startswith("udp:"):
            text = part[4:]
            break
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"AWS_XRAY_DAEMON_ADDRESS={value!r} is not host:port")
    return host, int(port)


class XRayUdpSpanExporter(SpanExporter):
    """Translates finished spans to segment documents and sends each as one daemon datagram."""

    def __init__(self, address: tuple[str, int], options: TranslateOptions | None = None) -> None:
        self.address = address
        self.options = options or TranslateOptions()
        self.sent = 0
        self.native_spans = 0
        self.dropped: dict[str, int] = {}
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setblocking(False)

    def _drop(self, reason: str, count: int = 1) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + count

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Send every span of the batch that can be sent; FAILURE if any could not."""
        result = translate_request(encode_spans(spans).SerializeToString(), options=self.options, now=time.time())
        self.native_spans += result.native_spans
        problems: list[str] = []
        for error in result.errors:
            self._drop(error.code)
            problems.append(f"span {error.item_id}: {error.reason}")
        for document in result.documents:
            datagram = encode_datagram(document.rstrip("\n"))
            if len(datagram) > MAX_DATAGRAM_BYTES:
                self._drop("datagram_too_large")
                problems.append(f"document of {len(datagram)} bytes exceeds the {MAX_DATAGRAM_BYTES}-byte datagram")
                continue
            try:
                self._sock.sendto(datagram, self.address)
            except OSError as exc:  # buffer full, unreachable: count, keep going
                self._drop("send_failed")
                problems.append(f"sendto {self.address[0]}:{self.address[1]} failed: {exc}")
                continue
            self.sent += 1
        if problems:
            _logger.warning("otelray lambda: %d of %d segment(s) not sent: %s",
                            len(problems), len(result.documents) + len(result.errors), "; ".join(problems[:3]))
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered: every datagram left at export time."""
        return True

    def shutdown(self) -> None:
        """Close the socket (safe twice)."""
        self._sock.close()
