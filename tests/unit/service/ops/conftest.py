"""Fixtures for the configuration operations: a ConfigState over a temporary data directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.ops import HANDLERS

#: a fixed "now" (2023-11-14T22:13:20Z) so timestamps in answers are predictable
NOW = 1_700_000_000.0

Call = Callable[..., dict[str, Any]]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ConfigState]:
    st = ConfigState.open(tmp_path / "data")
    yield st
    st.close()


@pytest.fixture
def call(state: ConfigState) -> Call:
    """``call("Operation", {...}, now=...)`` through the HANDLERS table, as the router does."""

    def _call(operation: str, params: dict[str, Any] | None = None, *, now: float = NOW) -> dict[str, Any]:
        return HANDLERS[operation](state, params if params is not None else {}, now)

    return _call


def rule(name: str = "api", **overrides: Any) -> dict[str, Any]:
    """A valid SamplingRule request member."""
    body: dict[str, Any] = {
        "RuleName": name,
        "ResourceARN": "*",
        "Priority": 100,
        "FixedRate": 0.1,
        "ReservoirSize": 5,
        "ServiceName": "orders",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "GET",
        "URLPath": "/api/*",
        "Version": 1,
    }
    body.update(overrides)
    return body
