"""CloudWatch Logs batching and event validation for the awsemf exporter (adot-collector.md §3.7)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from otelray.collector.errors import PermanentError, RetryableError, ThrottledError
from otelray.collector.exporters.awsemf.cwlogs import (
    MAX_AGE_MS,
    MAX_EVENT_BYTES,
    MAX_FUTURE_MS,
    MAX_REQUEST_BYTES,
    MAX_SPAN_MS,
    PER_EVENT_OVERHEAD,
    TRUNCATED_SUFFIX,
    LogEvent,
    batches,
    map_error,
    validate,
)

NOW = 1_700_000_000_000


def test_batches_are_sorted_by_timestamp():
    events = [LogEvent(NOW + 3, "c"), LogEvent(NOW + 1, "a"), LogEvent(NOW + 2, "b")]
    assert [[e.message for e in b] for b in batches(events)] == [["a", "b", "c"]]


def test_batch_cut_at_10000_events():
    sizes = [len(b) for b in batches(LogEvent(NOW, "x") for _ in range(10_001))]
    assert sizes == [10_000, 1]


def test_batch_cut_at_one_mebibyte_including_overhead():
    message = "x" * (100_000 - PER_EVENT_OVERHEAD)  # 100,000 bytes with the overhead
    sizes = [len(b) for b in batches(LogEvent(NOW, message) for _ in range(21))]
    assert MAX_REQUEST_BYTES // 100_000 == 10
    assert sizes == [10, 10, 1]


def test_batch_cut_when_spanning_more_than_24_hours():
    events = [LogEvent(NOW, "a"), LogEvent(NOW + MAX_SPAN_MS, "b"), LogEvent(NOW + MAX_SPAN_MS + 1, "c")]
    assert [[e.message for e in b] for b in batches(events)] == [["a", "b"], ["c"]]


def test_validation_refuses_and_truncates():
    events = [LogEvent(NOW, ""), LogEvent(NOW - MAX_AGE_MS - 1, "old"), LogEvent(NOW + MAX_FUTURE_MS + 1, "new"),
              LogEvent(NOW, "y" * (MAX_EVENT_BYTES + 10)), LogEvent(NOW, "ok")]
    ok, refused = validate(events, NOW)
    assert refused == {"empty_message": 1, "too_old": 1, "too_new": 1}
    assert [len(e.message.encode()) for e in ok] == [MAX_EVENT_BYTES, 2]
    assert ok[0].message.endswith(TRUNCATED_SUFFIX)


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "PutLogEvents")


def test_error_mapping():
    assert isinstance(map_error(_client_error("ThrottlingException", 400), "x"), ThrottledError)
    assert isinstance(map_error(_client_error("ServiceUnavailableException", 503), "x"), RetryableError)
    assert isinstance(map_error(_client_error("InvalidParameterException", 400), "x"), PermanentError)
    assert isinstance(map_error(OSError("refused"), "x"), RetryableError)
