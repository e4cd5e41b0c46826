"""Trace segment destination and indexing rules (X-Ray Transaction Search settings).

X-Ray API reference: GetTraceSegmentDestination / UpdateTraceSegmentDestination report and set
where PutTraceSegments data goes, ``XRay`` (default) or ``CloudWatchLogs``, with a ``Status`` of
``PENDING`` or ``ACTIVE``; GetIndexingRules / UpdateIndexingRule manage the ``Default`` indexing
rule whose probabilistic ``DesiredSamplingPercentage`` (0–100, AWS default 1 %) decides how many
spans sent to CloudWatch Logs are indexed as trace summaries. otelray stores every segment in its
own store whatever the destination, and indexes every trace, so the destination switches to
``ACTIVE`` at once and ``ActualSamplingPercentage`` is always 100 (see the README).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException, ResourceNotFoundException
from otelray.service.ops import _params

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

DESTINATION_KEY = "trace_segment_destination"
INDEXING_KEY = "indexing_rule_default"
DESTINATIONS = ("XRay", "CloudWatchLogs")
DEFAULT_RULE = "Default"
DEFAULT_PERCENTAGE = 1.0
#: otelray indexes every trace it stores
ACTUAL_PERCENTAGE = 100.0


def get_trace_segment_destination(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetTraceSegmentDestination (default ``XRay``, ``ACTIVE``)."""
    return {"Destination": state.setting(DESTINATION_KEY, "XRay"), "Status": "ACTIVE"}


def update_trace_segment_destination(
    state: ConfigState, params: dict[str, Any], now: float
) -> dict[str, Any]:
    """UpdateTraceSegmentDestination."""
    destination = _params.string(params, "Destination")
    if destination is None:
        return get_trace_segment_destination(state, params, now)
    if destination not in DESTINATIONS:
        raise InvalidRequestException(f"Destination must be XRay or CloudWatchLogs, not {destination[:40]!r}")
    with state.transaction() as conn:
        state.put_setting(conn, DESTINATION_KEY, destination)
    return {"Destination": destination, "Status": "ACTIVE"}


def _indexing_rule(state: ConfigState) -> dict[str, Any]:
    stored = state.setting(INDEXING_KEY, {"DesiredSamplingPercentage": DEFAULT_PERCENTAGE, "ModifiedAt": 0.0})
    return {
        "Name": DEFAULT_RULE,
        "ModifiedAt": stored["ModifiedAt"],
        "Rule": {
            "Probabilistic": {
                "DesiredSamplingPercentage": stored["DesiredSamplingPercentage"],
                "ActualSamplingPercentage": ACTUAL_PERCENTAGE,
            }
        },
    }


def get_indexing_rules(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetIndexingRules: the one Default rule."""
    _params.page(
        [None], params.get("NextToken"), 1, "GetIndexingRules"
    )  # rejects a token this service did not issue
    return {"IndexingRules": [_indexing_rule(state)]}


def update_indexing_rule(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateIndexingRule: the Default rule's probabilistic DesiredSamplingPercentage."""
    name = _params.text(params, "Name")
    if name != DEFAULT_RULE:
        raise ResourceNotFoundException(f"Indexing rule not found: {name[:64]}", ResourceName=name[:64])
    rule = _params.struct(params, "Rule", required=True) or {}
    probabilistic = _params.struct(rule, "Probabilistic")
    if probabilistic is None:
        raise InvalidRequestException(
            "Rule.Probabilistic is required: the Default indexing rule is probabilistic"
        )
    percentage = _params.number(probabilistic, "DesiredSamplingPercentage", required=True, low=0, high=100)
    with state.transaction() as conn:
        state.put_setting(conn, INDEXING_KEY, {"DesiredSamplingPercentage": percentage, "ModifiedAt": now})
    return {"IndexingRule": _indexing_rule(state)}
