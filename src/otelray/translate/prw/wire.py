"""Remote-write requests: series → snappy-compressed ``WriteRequest`` bodies (adot-collector.md §4.2).

Series are split into requests whose serialized size stays within ``max_batch_size_bytes``
(upstream default 3,000,000), then each body is compressed with snappy's **block** format
(``cramjam.snappy.compress_raw``; the framed format is refused by Prometheus with HTTP 400).
A single series larger than the limit still goes alone in its own request, as upstream does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import cramjam

from otelray.translate.prw.encoding import SeriesEncoder
from otelray.translate.prw.proto import WriteRequest

DEFAULT_MAX_BATCH_SIZE_BYTES = 3_000_000
#: Remote Write 1.0 headers (the version header names the 0.1.0 protocol revision).
HEADERS = {
    "Content-Encoding": "snappy",
    "Content-Type": "application/x-protobuf",
    "X-Prometheus-Remote-Write-Version": "0.1.0",
}


def _first_timestamp(series: Any) -> int:
    return int(series.samples[0].timestamp) if series.samples else 0


def requests(series: Sequence[Any], max_bytes: int = DEFAULT_MAX_BATCH_SIZE_BYTES) -> Iterator[Any]:
    """``WriteRequest`` messages of at most ``max_bytes`` serialized, series ordered by first sample time."""
    request = WriteRequest()
    size = 0
    for ts in sorted(series, key=_first_timestamp):
        cost = ts.ByteSize() + 6  # field tag and length prefix
        if request.timeseries and size + cost > max_bytes:
            yield request
            request, size = WriteRequest(), 0
        request.timeseries.append(ts)
        size += cost
    if request.timeseries:
        yield request


def bodies(series: Mapping[tuple[tuple[str, str], ...], list[tuple[int, float]]],
           max_bytes: int = DEFAULT_MAX_BATCH_SIZE_BYTES) -> list[bytes]:
    """Request bodies for ``PrwResult.series``: the bytes of ``encode`` over ``requests(result.timeseries())``.

    Each series is serialized once (``encoding.SeriesEncoder``), the requests are cut by the same
    rule as ``requests`` and each is snappy block-compressed.
    """
    encode_series = SeriesEncoder().series
    firsts: list[int] = []
    entries: list[bytes] = []
    for labels, samples in series.items():
        if len(samples) > 1:
            samples = sorted(samples)
        firsts.append(samples[0][0] if samples else 0)
        entries.append(encode_series(labels, samples))
    ordered = sorted(firsts)
    if ordered != firsts:  # stable, as ``requests`` sorts
        entries = [entries[i] for i in sorted(range(len(entries)), key=firsts.__getitem__)]
    out: list[bytes] = []
    start = size = 0
    for i, entry in enumerate(entries):
        # ``requests`` counts the series' ByteSize + 6; the entry adds its 2-6 byte tag and length.
        length = len(entry)
        cost = length + 4 if length < 130 else length + 3 if length < 16387 else _series_size(entry) + 6
        if i > start and size + cost > max_bytes:
            out.append(bytes(cramjam.snappy.compress_raw(b"".join(entries[start:i]))))
            start, size = i, 0
        size += cost
    if start < len(entries):
        out.append(bytes(cramjam.snappy.compress_raw(b"".join(entries[start:]))))
    return out


def _series_size(entry: bytes) -> int:
    """The ``TimeSeries`` size inside an entry: skip the tag and the varint length."""
    i = 1
    while entry[i] & 0x80:
        i += 1
    return len(entry) - i - 1


def encode(request: Any) -> bytes:
    """The request body: the serialized message, snappy block-compressed."""
    return bytes(cramjam.snappy.compress_raw(request.SerializeToString()))


def decode(body: bytes) -> Any:
    """The ``WriteRequest`` in a body (for receivers and tests)."""
    return WriteRequest.FromString(bytes(cramjam.snappy.decompress_raw(body)))
