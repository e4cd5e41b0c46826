"""NextToken encoding: round trip, and rejection of foreign or mismatched tokens."""

from __future__ import annotations

import pytest

from otelray.service import pagination
from otelray.service.errors import InvalidRequestException


def test_round_trip() -> None:
    request = pagination.fingerprint("GetTraceSummaries", 1.0, 2.0, None)
    token = pagination.encode([1.5, "1-abc"], request)
    assert pagination.decode(token, request) == [1.5, "1-abc"]


def test_token_of_another_request_is_rejected() -> None:
    token = pagination.encode([0], pagination.fingerprint("a", 1))
    with pytest.raises(InvalidRequestException, match="different request"):
        pagination.decode(token, pagination.fingerprint("a", 2))


@pytest.mark.parametrize("token", ["", "!!!", "bm90IGpzb24", pagination.encode([0], "x")[:-3]])
def test_garbage_is_rejected(token: str) -> None:
    with pytest.raises(InvalidRequestException, match="not a token issued by this service"):
        pagination.decode(token, "x")
