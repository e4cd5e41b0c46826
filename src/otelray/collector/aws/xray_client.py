"""X-Ray ``PutTraceSegments`` over botocore (contrib ``internal/aws/xray/xray_client.go``, ``awsxray.go``).

botocore supplies SigV4 (service ``xray``), the credential chain and the retryer; this module adds
what the awsxray exporter adds (adot-collector.md §1.14):

- documents go out in chunks of at most 50 (``MAX_SEGMENTS_PER_PUT``, the caller splits);
- ``max_retries`` is the botocore total attempt count (SDK v2 ``RetryMaxAttempts`` semantics);
- a ``User-Agent`` suffix ``xray-otel-exporter/<version> exec-env/<AWS_EXECUTION_ENV|UNKNOWN>
  OS/<os>-<arch>`` and an ``X-Amzn-Xray-Timestamp`` header (unix seconds, 9 decimals);
- ``UnprocessedTraceSegments`` are returned to the caller, which counts and logs them once per
  batch (not retried, as upstream);
- failures map to the collector's error tree: 4xx → ``PermanentError``, throttling →
  ``ThrottledError``, 5xx and connection problems → ``RetryableError``.
"""

from __future__ import annotations

import logging
import platform
import time
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from otelray import __version__
from otelray.collector.errors import PermanentError, RetryableError, ThrottledError

_log = logging.getLogger(__name__)

#: "limit imposed by PutTraceSegments API" (contrib ``awsxray.go`` ``maxSegmentsPerPut``).
MAX_SEGMENTS_PER_PUT = 50
#: Error codes X-Ray and botocore use for throttling.
THROTTLING_CODES = frozenset({"ThrottledException", "ThrottlingException", "Throttling",
                              "TooManyRequestsException", "RequestLimitExceeded"})
#: Minimum wait after a throttled call when the server gives no Retry-After.
DEFAULT_THROTTLE_DELAY = 1.0


@dataclass(frozen=True, slots=True)
class XRayClientOptions:
    """How to reach X-Ray; the awsxray exporter's AWS session settings (§1.15)."""

    region: str
    endpoint: str = ""
    max_retries: int = 2
    request_timeout_seconds: float = 30.0
    num_workers: int = 8
    no_verify_ssl: bool = False
    proxy_address: str = ""
    exec_env: str = ""


def user_agent_suffix(exec_env: str) -> str:
    """The exporter's User-Agent addition (contrib ``xray_client.go`` ``newUserAgent``)."""
    system = platform.system().lower() or "unknown"
    machine = platform.machine().lower() or "unknown"
    return (f"xray-otel-exporter/{__version__} exec-env/{exec_env or 'UNKNOWN'} OS/{system}-{machine} "
            f"otelray/{__version__}")


class XRayClient:
    """A thin, thread-safe wrapper of botocore's ``xray`` client for sending segment documents."""

    def __init__(self, session: botocore.session.Session, options: XRayClientOptions) -> None:
        config = BotoConfig(
            region_name=options.region,
            user_agent_extra=user_agent_suffix(options.exec_env),
            retries={"total_max_attempts": max(1, options.max_retries), "mode": "standard"},
            connect_timeout=options.request_timeout_seconds,
            read_timeout=options.request_timeout_seconds,
            max_pool_connections=max(1, options.num_workers),
            proxies={"http": options.proxy_address, "https": options.proxy_address}
            if options.proxy_address else None,
            tcp_keepalive=True,
        )
        self._client: Any = session.create_client(
            "xray", region_name=options.region, endpoint_url=options.endpoint or None,
            verify=not options.no_verify_ssl, config=config,
        )
        self._client.meta.events.register("before-sign.xray.PutTraceSegments", _add_timestamp)
        self._client.meta.events.register("before-sign.xray.PutTelemetryRecords", _add_timestamp)

    @property
    def endpoint(self) -> str:
        """The URL requests go to."""
        return str(self._client.meta.endpoint_url)

    def put_trace_segments(self, chunk: list[str]) -> list[dict[str, Any]]:
        """One ``PutTraceSegments`` call; returns ``UnprocessedTraceSegments``."""
        response = self._call("put_trace_segments", TraceSegmentDocuments=chunk)
        return list(response.get("UnprocessedTraceSegments") or [])

    def put_telemetry_records(self, **request: Any) -> None:
        """One ``PutTelemetryRecords`` call (the exporter's ``telemetry`` block)."""
        self._call("put_telemetry_records", **request)

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self._client, operation)(**request)
        except ClientError as exc:
            raise map_client_error(exc, self.endpoint) from exc
        except NoCredentialsError as exc:
            raise RetryableError(f"X-Ray {self.endpoint}: no AWS credentials found ({exc})") from exc
        except BotoConnectionError as exc:
            raise RetryableError(f"X-Ray {self.endpoint}: {exc}") from exc
        except BotoCoreError as exc:
            raise RetryableError(f"X-Ray {self.endpoint}: {exc}") from exc
        return result

    def close(self) -> None:
        """Release pooled connections."""
        self._client.close()


def map_client_error(exc: ClientError, endpoint: str) -> Exception:
    """Map a botocore ``ClientError`` to the collector's error tree (contrib ``wrapErrorIfBadRequest``)."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    meta = exc.response.get("ResponseMetadata", {})
    status = int(meta.get("HTTPStatusCode") or 0)
    text = f"X-Ray {endpoint}: {code or 'HTTP ' + str(status)}: {message}"
    if code in THROTTLING_CODES or status == 429:
        return ThrottledError(text, _retry_after(meta.get("HTTPHeaders", {})))
    if 400 <= status < 500:
        return PermanentError(text)
    return RetryableError(text)


def _retry_after(headers: dict[str, str]) -> float:
    value = headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return DEFAULT_THROTTLE_DELAY


def _add_timestamp(request: Any, **_: Any) -> None:
    request.headers["X-Amzn-Xray-Timestamp"] = f"{time.time():.9f}"
