"""``WriteRequest`` wire bytes written straight from series (protobuf encoding, proto3 rules).

Same bytes as building ``prometheus.TimeSeries`` messages and calling ``SerializeToString`` (the
unit tests compare both), without one Python protobuf object per label and sample: a label's
``Label`` bytes are built once per batch and reused by every series that carries it. Proto3
implicit presence is kept: an empty string, a ``+0.0`` value and a ``0`` timestamp are not written
(``-0.0`` is, its bits are not zero). Field numbers are those of ``proto.py`` (Prometheus
``prompb/types.proto``).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

_DOUBLE = struct.Struct("<Bd")  # tag of Sample.value (field 1, fixed64) + the value
#: Sample entry with a non-zero value: entry tag, length, value tag, value (then the timestamp).
_SAMPLE = struct.Struct("<BBBd")


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


class _LabelCache(dict[tuple[str, str], bytes]):
    """Label bytes by ``(name, value)``, built on first use."""

    def __missing__(self, pair: tuple[str, str]) -> bytes:
        encoded = self[pair] = label_bytes(*pair)
        return encoded


class SeriesEncoder:
    """Encodes ``TimeSeries`` messages, caching label and timestamp bytes across the series of a batch."""

    __slots__ = ("_label", "_times")

    def __init__(self) -> None:
        self._label = _LabelCache().__getitem__
        self._times: dict[int, bytes] = {}

    def series(self, labels: Iterable[tuple[str, str]], samples: Iterable[tuple[int, float]]) -> bytes:
        """The ``WriteRequest.timeseries`` entry (tag, length, ``TimeSeries``) of samples already in order."""
        parts = list(map(self._label, labels))
        times = self._times
        pack = _SAMPLE.pack
        for ts, value in samples:
            stamp = times.get(ts)
            if stamp is None:
                stamp = times[ts] = b"\x10" + varint(ts) if ts else b""
            if value:  # NaN is true too
                parts.append(pack(0x12, 9 + len(stamp), 9, value) + stamp)
            else:
                body = (b"" if math.copysign(1.0, value) > 0 else _DOUBLE.pack(9, value)) + stamp
                parts.append(bytes((0x12, len(body))) + body)  # a Sample is at most 9 + 11 bytes
        body = b"".join(parts)
        size = len(body)
        if size < 128:
            return bytes((0x0A, size)) + body
        if size < 16384:
            return bytes((0x0A, (size & 0x7F) | 0x80, size >> 7)) + body
        return b"\x0a" + varint(size) + body
