"""The HANDLERS table: every operation of the model is answered by ops or by the trace operations."""

from __future__ import annotations

import pytest

from otelray.service.config_store import ConfigState
from otelray.service.errors import InvalidRequestException
from otelray.service.ops import HANDLERS
from otelray.service.ops.unimplemented import NOT_IMPLEMENTED
from otelray.xray.model import operations

from .conftest import Call

#: operations served by the trace side of the service, not by otelray.service.ops
TRACE_OPERATIONS = {
    "PutTraceSegments",
    "PutTelemetryRecords",
    "BatchGetTraces",
    "GetTraceSummaries",
    "GetTraceGraph",
    "GetServiceGraph",
    "GetTimeSeriesServiceStatistics",
}


def test_handlers_and_trace_operations_cover_the_model_exactly() -> None:
    names = {op.name for op in operations()}
    assert len(names) == 38
    assert set(HANDLERS) | TRACE_OPERATIONS == names
    assert not set(HANDLERS) & TRACE_OPERATIONS


@pytest.mark.parametrize("operation", NOT_IMPLEMENTED)
def test_unimplemented_operations_say_so(call: Call, state: ConfigState, operation: str) -> None:
    with pytest.raises(InvalidRequestException) as info:
        call(operation, {"InsightId": "x"})
    assert info.value.message == f"otelray does not implement {operation}; see the README compatibility table"
    assert state.counters[f"rejected.{operation}.InvalidRequestException"] == 1
