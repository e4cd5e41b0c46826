"""The X-Ray daemon UDP wire format (X-Ray daemon, ``pkg/tracesegment``; awsxray receiver poller).

A datagram is a JSON header line, ``\\n``, then one segment document. The header must be a JSON
object whose ``format`` is ``json`` (any case) and whose ``version`` is 1. The daemon and the
awsxray receiver read at most 64 KiB per datagram.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from otelray.xray.errors import DatagramError

#: What aws-xray-sdk writes before every document.
HEADER = b'{"format":"json","version":1}'
#: Largest datagram the receiver reads (the daemon's and the awsxray receiver's buffer size).
MAX_DATAGRAM_BYTES = 64 * 1024


def encode_datagram(document: dict[str, Any] | bytes | str) -> bytes:
    """Frame one segment document (a dict, or already-serialized JSON) as a daemon datagram."""
    if isinstance(document, dict):
        body = orjson.dumps(document)
    elif isinstance(document, str):
        body = document.encode()
    else:
        body = document
    return HEADER + b"\n" + body


def decode_datagram(datagram: bytes) -> bytes:
    """Return the document bytes of a daemon datagram, or raise ``DatagramError``.

    Reasons: ``too_large``, ``missing_header`` (no newline), ``bad_header``, ``missing_body``.
    """
    if len(datagram) > MAX_DATAGRAM_BYTES:
        raise DatagramError("too_large", f"datagram of {len(datagram)} bytes exceeds {MAX_DATAGRAM_BYTES}")
    if datagram.startswith(HEADER + b"\n"):  # fast path: what every SDK sends
        body = datagram[len(HEADER) + 1 :]
    else:
        head, sep, body = datagram.partition(b"\n")
        if not sep:
            raise DatagramError("missing_header", "datagram has no header line (expected {\"format\":\"json\",\"version\":1}\\n)")
        _check_header(head)
    if not body.strip():
        raise DatagramError("missing_body", "datagram has a header but no segment document")
    return body


def _check_header(head: bytes) -> None:
    try:
        parsed = json.loads(head)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatagramError("bad_header", f"datagram header is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise DatagramError("bad_header", "datagram header must be a JSON object")
    fmt = parsed.get("format")
    if not isinstance(fmt, str) or fmt.lower() != "json" or parsed.get("version") != 1:
        raise DatagramError("bad_header", f'datagram header {head[:80]!r} must be {{"format":"json","version":1}}')
