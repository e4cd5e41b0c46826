from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from otelray.collector.aws.xray_client import map_client_error, user_agent_suffix
from otelray.collector.errors import PermanentError, RetryableError, ThrottledError


def _error(code: str, status: int, headers: dict[str, str] | None = None) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"},
         "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}}},
        "PutTraceSegments",
    )


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("InvalidRequestException", 400, PermanentError),
        ("AccessDeniedException", 403, PermanentError),
        ("ThrottledException", 429, ThrottledError),
        ("ThrottlingException", 400, ThrottledError),
        ("InternalFailure", 500, RetryableError),
        ("ServiceUnavailable", 503, RetryableError),
    ],
)
def test_client_errors_map_to_the_collector_tree(code: str, status: int, kind: type[Exception]) -> None:
    mapped = map_client_error(_error(code, status), "http://x")
    assert type(mapped) is kind
    assert code in str(mapped)


def test_throttle_delay_comes_from_retry_after() -> None:
    mapped = map_client_error(_error("ThrottledException", 429, {"retry-after": "7"}), "http://x")
    assert isinstance(mapped, ThrottledError)
    assert mapped.delay == 7.0


def test_user_agent_names_exporter_and_exec_env() -> None:
    assert user_agent_suffix("").startswith("xray-otel-exporter/")
    assert " exec-env/UNKNOWN OS/" in user_agent_suffix("")
    assert " exec-env/AWS_ECS_FARGATE " in user_agent_suffix("AWS_ECS_FARGATE")
