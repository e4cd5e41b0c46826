"""Request routing and validation against botocore's xray input shapes."""

from __future__ import annotations

import pytest

from otelray.service.errors import InvalidRequestException, UnknownOperationException
from otelray.service.routing import parse_timestamp, route_for, validate_input


def check(operation_path: str, params: object) -> dict:
    return validate_input(route_for("POST", operation_path), params)


def message(operation_path: str, params: object) -> str:
    with pytest.raises(InvalidRequestException) as err:
        check(operation_path, params)
    return err.value.message


def test_paths_map_to_model_operations() -> None:
    assert route_for("POST", "/TraceSegments").name == "PutTraceSegments"
    assert route_for("POST", "/Traces").name == "BatchGetTraces"
    assert route_for("POST", "/SamplingTargets").name == "GetSamplingTargets"
    assert route_for("POST", "/TraceSummaries/").name == "GetTraceSummaries"


def test_unknown_path_and_wrong_method_are_named() -> None:
    with pytest.raises(UnknownOperationException, match="/GetTraceIds is not an X-Ray API path"):
        route_for("POST", "/GetTraceIds")
    with pytest.raises(UnknownOperationException, match="PutTraceSegments must be called with POST, not GET"):
        route_for("GET", "/TraceSegments")


def test_missing_required_members_are_listed() -> None:
    text = message("/TraceSummaries", {})
    assert text.startswith("2 validation errors detected:")
    assert "Value null at 'StartTime' failed to satisfy constraint: Member must not be null" in text
    assert "'EndTime'" in text


def test_types_are_checked_with_the_member_path() -> None:
    text = message("/TraceSegments", {"TraceSegmentDocuments": ["{}", 5]})
    assert "Value 5 at 'TraceSegmentDocuments.2' failed to satisfy constraint: Member must be a string" in text
    assert "Member must be a list" in message("/TraceSegments", {"TraceSegmentDocuments": "{}"})
    assert "Member must be a boolean" in message(
        "/TraceSummaries", {"StartTime": 1, "EndTime": 2, "Sampling": "yes"}
    )
    text = message("/TraceSummaries", {"StartTime": 1, "EndTime": 2, "SamplingStrategy": {"Value": "x"}})
    assert "'SamplingStrategy.Value'" in text and "Member must be a number" in text


def test_length_value_and_enum_constraints() -> None:
    text = message("/Traces", {"TraceIds": ["1-" + "a" * 40]})
    assert "'TraceIds.1' failed to satisfy constraint: Member must have length less than or equal to 35" in text
    assert "Member must have length greater than or equal to 1" in message("/Traces", {"TraceIds": [""]})
    text = message("/TraceSummaries", {"StartTime": 1, "EndTime": 2, "TimeRangeType": "Later"})
    assert "Member must satisfy enum value set: [TraceId, Event, Service]" in text
    rule = {"SamplingRule": {"RuleName": "r", "ResourceARN": "*", "Priority": 0, "FixedRate": 2.0, "ReservoirSize": 1,
                             "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*",
                             "Version": 1}}
    text = message("/CreateSamplingRule", rule)
    assert "'SamplingRule.Priority' failed to satisfy constraint: Member must have value greater than or equal to 1" in text
    assert "'SamplingRule.FixedRate'" in text and "less than or equal to 1" in text


def test_integers_reject_fractions_and_booleans() -> None:
    docs = {"SamplingStatisticsDocuments": [{"RuleName": "r", "ClientID": "a" * 24, "Timestamp": 1,
                                              "RequestCount": 1.5, "SampledCount": True}]}
    text = message("/SamplingTargets", docs)
    assert "'SamplingStatisticsDocuments.1.RequestCount'" in text
    assert "'SamplingStatisticsDocuments.1.SampledCount'" in text


def test_valid_input_is_normalised() -> None:
    out = check("/TraceSummaries", {"StartTime": 1700000000, "EndTime": "2023-11-14T22:23:20Z",
                                    "Unknown": 1, "FilterExpression": None})
    assert out == {"StartTime": 1700000000.0, "EndTime": 1700000600.0}
    assert check("/EncryptionConfig", None) == {}
    assert check("/EncryptionConfig", {}) == {}


def test_body_must_be_an_object() -> None:
    assert "Member must be a JSON object" in message("/TraceSegments", ["x"])


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(1700000000, 1700000000.0), (1700000000.5, 1700000000.5), (1700000000123, 1700000000.123),
     ("1700000000", 1700000000.0), ("2023-11-14T22:13:20+00:00", 1700000000.0)],
)
def test_timestamps_accept_seconds_milliseconds_and_iso(value: object, seconds: float) -> None:
    assert parse_timestamp(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [True, "yesterday", -1, float("nan"), None, [1]])
def test_bad_timestamps(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)
