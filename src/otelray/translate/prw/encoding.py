"""``WriteRequest`` wire bytes written straight from series (protobuf encoding, proto3 rules).

Same bytes as building ``prometheus.TimeSeries`` messages and calling ``SerializeToString`` (the
unit tests compare both), without one Python protobuf object per label and sample: a label's
``Label`` bytes are built once per batch and reused by every series that carries it. Proto3
implicit presence is kept: an empty string, a ``+0.0`` value and a ``0`` timestamp are not written
(``-0.0`` is, its bits are not zero). Field numbers are those of ``proto.py`` (Prometheus
``prompb/types.proto``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

_DOUBLE = struct.Struct("<Bd")  # tag of Sample.value (field 1, fixed64) + the value
_ZERO = _DOUBLE.pack(9, 0.0)


def varint(value: int) -> bytes:
    """Base-128 varint; a negative int64 is written as its 64-bit two's complement (10 bytes)."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(tag: int, payload: bytes) -> bytes:
    return bytes((tag,)) + varint(len(payload)) + payload


def label_bytes(name: str, value: str) -> bytes:
    """One ``TimeSeries.labels`` entry (tag, length and the ``Label`` message)."""
    body = (_field(0x0A, name.encode()) if name else b"") + (_field(0x12, value.encode()) if value else b"")
    return _field(0x0A, body)


class SeriesEncoder:
    """Encodes ``TimeSeries`` messages, caching label and timestamp bytes across the series of a batch."""

    __slots__ = ("_labels", "_times")

    def __init__(self) -> None:
        self._labels: dict[tuple[str, str], bytes] = {}
        self._times: dict[int, bytes] = {}

    def series(self, labels: Iterable[tuple[str, str]], samples: Iterable[tuple[int, float]]) -> bytes:
        """The serialized ``TimeSeries`` (without its own tag and length) of samples already in order."""
        cache = self._labels
        parts: list[bytes] = []
        for pair in labels:
            encoded = cache.get(pair)
            if encoded is None:
                encoded = cache[pair] = label_bytes(*pair)
            parts.append(encoded)
        times = self._times
        pack = _DOUBLE.pack
        for ts, value in samples:
            stamp = times.get(ts)
            if stamp is None:
                stamp = times[ts] = b"\x10" + varint(ts) if ts else b""
            encoded = pack(9, value)
            if encoded == _ZERO:
                encoded = b""
            body = encoded + stamp
            parts.append(b"\x12" + varint(len(body)) + body if len(body) > 127 else bytes((0x12, len(body))) + body)
        return b"".join(parts)


def entry(series: bytes) -> bytes:
    """``WriteRequest.timeseries`` entry: tag, length, then the series bytes."""
    return b"\x0a" + varint(len(series)) + series
