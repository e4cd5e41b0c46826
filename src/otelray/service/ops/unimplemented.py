"""Operations of the X-Ray API that otelray does not implement, each answering a clear error.

Insights (anomaly detection over group fault rates) and Transaction Search trace retrieval are
AWS-side analyses with no local counterpart yet. Each operation raises ``InvalidRequestException``
naming itself, so a client sees what is missing instead of an empty answer that looks real.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

Handler = Callable[["ConfigState", dict[str, Any], float], dict[str, Any]]

NOT_IMPLEMENTED = (
    "GetInsight",
    "GetInsightEvents",
    "GetInsightImpactGraph",
    "GetInsightSummaries",
    "StartTraceRetrieval",
    "CancelTraceRetrieval",
    "ListRetrievedTraces",
    "GetRetrievedTracesGraph",
)


def not_implemented(operation: str) -> Handler:
    """A handler that rejects ``operation`` with a message naming it."""

    def handler(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
        raise InvalidRequestException(
            f"otelray does not implement {operation}; see the README compatibility table"
        )

    handler.__name__ = f"not_implemented_{operation}"
    return handler
