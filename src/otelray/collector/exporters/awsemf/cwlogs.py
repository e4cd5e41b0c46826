"""CloudWatch Logs pushing for EMF events (contrib ``internal/aws/cwlogs`` ``pusher.go``, ``cwlog_client.go``; adot-collector.md §3.7).

- Events are validated first: an empty message is refused, a message longer than 256 KiB − 26 bytes
  is truncated and suffixed ``[Truncated...]``, an event older than 14 days or more than 2 hours in
  the future is refused; every refusal is counted by reason by the caller.
- Batches are sorted by timestamp and cut at 10,000 events, at a 24-hour span, and at 1 MiB counting
  26 bytes of overhead per event — the PutLogEvents request limit AWS documents. (Upstream compares
  against its 256 KiB per-event constant, so it sends smaller requests; the 1 MiB limit is AWS's.)
- ``PutLogEvents`` carries ``x-amzn-logs-format: json/emf``, and the User-Agent says
  ``(awsemf; ContainerInsights)`` for Container Insights log groups as upstream's does. ``ResourceNotFoundException`` creates the
  stream, and the group when that is missing too (with ``tags``, then ``PutRetentionPolicy`` when
  ``log_retention`` is set), then retries; ``ResourceAlreadyExistsException`` is ignored.
- botocore errors map to the collector's tree: throttling → ``ThrottledError``, service unavailable
  and connection failures → ``RetryableError``, other 4xx → ``PermanentError``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from otelray.collector.errors import PermanentError, RetryableError, ThrottledError

_log = logging.getLogger(__name__)

PER_EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 256 * 1024 - PER_EVENT_OVERHEAD
MAX_REQUEST_BYTES = 1024 * 1024
MAX_EVENTS_PER_PUT = 10_000
MAX_SPAN_MS = 24 * 3600 * 1000
MAX_AGE_MS = 14 * 24 * 3600 * 1000
MAX_FUTURE_MS = 2 * 3600 * 1000
TRUNCATED_SUFFIX = "[Truncated...]"
_CONTAINER_INSIGHTS = re.compile(r"^/aws/.*containerinsights/.*/(performance|prometheus)$")
_THROTTLING = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException"})
_RETRYABLE = frozenset({"ServiceUnavailableException", "OperationAbortedException", "InternalFailure"})


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One InputLogEvent."""

    timestamp_ms: int
    message: str


def validate(events: Iterable[LogEvent], now_ms: int) -> tuple[list[LogEvent], dict[str, int]]:
    """Events to send (truncated where too long) and counts of refused ones by reason."""
    ok: list[LogEvent] = []
    refused: dict[str, int] = {}
    for event in events:
        reason = ""
        if not event.message:
            reason = "empty_message"
        elif event.timestamp_ms < now_ms - MAX_AGE_MS:
            reason = "too_old"
        elif event.timestamp_ms > now_ms + MAX_FUTURE_MS:
            reason = "too_new"
        if reason:
            refused[reason] = refused.get(reason, 0) + 1
            continue
        raw = event.message.encode()
        if len(raw) > MAX_EVENT_BYTES:
            keep = MAX_EVENT_BYTES - len(TRUNCATED_SUFFIX)
            event = LogEvent(event.timestamp_ms, raw[:keep].decode(errors="ignore") + TRUNCATED_SUFFIX)
        ok.append(event)
    return ok, refused


def batches(events: Iterable[LogEvent]) -> Iterator[list[LogEvent]]:
    """Split events, sorted by timestamp, into PutLogEvents-sized batches."""
    batch: list[LogEvent] = []
    size = 0
    for event in sorted(events, key=lambda e: e.timestamp_ms):
        cost = len(event.message.encode()) + PER_EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_EVENTS_PER_PUT or size + cost > MAX_REQUEST_BYTES
                      or event.timestamp_ms - batch[0].timestamp_ms > MAX_SPAN_MS):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += cost
    if batch:
        yield batch


def map_error(exc: Exception, what: str) -> Exception:
    """Map a botocore failure to the collector's export error tree."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        text = f"CloudWatch Logs {what}: {code or 'HTTP ' + str(status)}: {error.get('Message', '') or exc}"
        if code in _THROTTLING or status == 429:
            return ThrottledError(text, 1.0)
        if code in _RETRYABLE or status >= 500:
            return RetryableError(text)
        return PermanentError(text)
    return RetryableError(f"CloudWatch Logs {what}: {exc}")


class LogsClient:
    """Puts events into one log stream after another, creating groups and streams on demand."""

    def __init__(self, client: Any, *, retention_days: int = 0, tags: Mapping[str, str] | None = None,
                 max_retries: int = 2) -> None:
        self._client = client
        self.retention_days = retention_days
        self.tags = dict(tags or {})
        self.max_retries = max_retries
        client.meta.events.register("before-sign.logs.PutLogEvents", _emf_header)

    def put(self, group: str, stream: str, events: list[LogEvent]) -> int:
        """Send one batch; returns how many events CloudWatch reported as rejected.

        Raises:
            ExportError: mapped from botocore (see the module docstring).
        """
        request = {"logGroupName": group, "logStreamName": stream,
                   "logEvents": [{"timestamp": e.timestamp_ms, "message": e.message} for e in events]}
        for attempt in range(self.max_retries + 1):
            try:
                response = self._client.put_log_events(**request)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code == "ResourceNotFoundException" and attempt < self.max_retries:
                    self._create_stream(group, stream)
                    continue
                raise map_error(exc, f"PutLogEvents {group}/{stream}") from exc
            except BotoCoreError as exc:
                raise map_error(exc, f"PutLogEvents {group}/{stream}") from exc
            return _rejected(response, group, stream, len(events))
        raise RetryableError(f"CloudWatch Logs PutLogEvents {group}/{stream}: log stream still missing")

    def _create_stream(self, group: str, stream: str) -> None:
        try:
            self._call("create_log_stream", logGroupName=group, logStreamName=stream)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise map_error(exc, f"CreateLogStream {group}/{stream}") from exc
            self._create_group(group)
            self._call("create_log_stream", logGroupName=group, logStreamName=stream)

    def _create_group(self, group: str) -> None:
        kwargs: dict[str, Any] = {"logGroupName": group}
        if self.tags:
            kwargs["tags"] = self.tags
        self._call("create_log_group", **kwargs)
        if self.retention_days:
            self._call("put_retention_policy", logGroupName=group, retentionInDays=self.retention_days)

    def _call(self, operation: str, **kwargs: Any) -> None:
        try:
            getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceAlreadyExistsException":
                return
            raise

    def close(self) -> None:
        """Release pooled connections."""
        self._client.close()


def _rejected(response: Mapping[str, Any], group: str, stream: str, n: int) -> int:
    """Events CloudWatch refused: indexes ≥ tooNew start, < tooOld end, < expired end."""
    info = response.get("rejectedLogEventsInfo") or {}
    if not info:
        return 0
    _log.warning("CloudWatch Logs rejected events in %s/%s: %s", group, stream, info)
    too_new = info.get("tooNewLogEventStartIndex")
    old_end = max(int(info.get("tooOldLogEventEndIndex") or 0), int(info.get("expiredLogEventEndIndex") or 0))
    return min(n, old_end + (n - int(too_new) if too_new is not None else 0))


def _emf_header(request: Any, **_: Any) -> None:
    request.headers["x-amzn-logs-format"] = "json/emf"
    agent = request.headers.get("User-Agent", "")
    if isinstance(agent, bytes):
        agent = agent.decode()
    if "(awsemf)" in agent and _CONTAINER_INSIGHTS.search(_log_group(request.body)):
        request.headers["User-Agent"] = agent.replace("(awsemf)", "(awsemf; ContainerInsights)")


def _log_group(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("logGroupName", ""))
    except (ValueError, AttributeError):
        return ""
