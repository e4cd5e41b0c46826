"""The console's X-Ray client against the real API app, in-process."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from otelray.console.client import XRayApiError, XRayClient, operation_paths
from otelray.service.app import XRayApp
from otelray.service.server import BackendSettings, open_context


def test_calls_answers_and_errors(tmp_path: Path) -> None:
    ctx = open_context(BackendSettings(data_dir=tmp_path / "data"))

    async def scenario() -> tuple[dict[str, object], XRayApiError, XRayApiError]:
        client = XRayClient(app=XRayApp(ctx))
        try:
            groups = await client.call("GetGroups", {})
            with pytest.raises(XRayApiError) as bad_filter:
                await client.call("GetTraceSummaries", {"StartTime": time.time() - 60, "EndTime": time.time(),
                                                        "FilterExpression": "http.status ="})
            with pytest.raises(XRayApiError) as unknown:
                await client.call("GetEverything", {})
        finally:
            await client.aclose()
        return groups, bad_filter.value, unknown.value

    try:
        groups, bad_filter, unknown = asyncio.run(scenario())
    finally:
        ctx.close()
    assert [g["GroupName"] for g in groups["Groups"]] == ["Default"]  # type: ignore[index]
    assert (bad_filter.code, bad_filter.status) == ("InvalidRequestException", 400)
    assert "at column 14" in bad_filter.message
    assert unknown.code == "UnknownOperationException" and "GetEverything" in unknown.message


def test_operation_paths_come_from_botocore() -> None:
    paths = operation_paths()
    assert paths["GetTraceSummaries"] == "/TraceSummaries" and paths["BatchGetTraces"] == "/Traces"
    assert len(paths) == len(set(paths.values()))
