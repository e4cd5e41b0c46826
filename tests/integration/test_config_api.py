"""The configuration operations of a running ``otelray backend``, driven by boto3 and the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import BackendProcess, aws_client, start_backend

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def xray(backend: BackendProcess) -> Any:
    return aws_client("xray", backend.url, max_attempts=1)


def rule(name: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "RuleName": name,
        "ResourceARN": "*",
        "Priority": 50,
        "FixedRate": 0.2,
        "ReservoirSize": 4,
        "ServiceName": "checkout",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "Version": 1,
    }
    body.update(overrides)
    return body


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = exc.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


@pytest.fixture
def cleanup_rules(xray: Any) -> Iterator[None]:
    yield
    for record in xray.get_sampling_rules()["SamplingRuleRecords"]:
        if record["SamplingRule"]["RuleName"] != "Default":
            xray.delete_sampling_rule(RuleName=record["SamplingRule"]["RuleName"])


def test_sampling_rule_lifecycle(xray: Any, cleanup_rules: None) -> None:
    created = xray.create_sampling_rule(SamplingRule=rule("checkout"), Tags=[{"Key": "team", "Value": "pay"}])
    record = created["SamplingRuleRecord"]
    assert record["SamplingRule"]["RuleARN"] == "arn:aws:xray:us-east-1:000000000000:sampling-rule/checkout"
    assert isinstance(record["CreatedAt"], datetime)
    pages = list(xray.get_paginator("get_sampling_rules").paginate())
    names = [r["SamplingRule"]["RuleName"] for p in pages for r in p["SamplingRuleRecords"]]
    assert names == ["checkout", "Default"]
    updated = xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "checkout", "FixedRate": 0.7})
    assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.7
    tags = xray.list_tags_for_resource(ResourceARN=record["SamplingRule"]["RuleARN"])["Tags"]
    assert tags == [{"Key": "team", "Value": "pay"}]
    deleted = xray.delete_sampling_rule(RuleARN=record["SamplingRule"]["RuleARN"])
    assert deleted["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.7


def rejections(backend: BackendProcess, event: str) -> float:
    """The value of ``otelray_backend_config_events_total{event=…}`` on the metrics page."""
    prefix = f'otelray_backend_config_events_total{{event="{event}"}} '
    lines = [
        line for line in httpx.get(f"{backend.url}/-/metrics").text.splitlines() if line.startswith(prefix)
    ]
    return float(lines[0][len(prefix) :]) if lines else 0.0


def test_sampling_rule_errors_have_aws_codes(xray: Any, backend: BackendProcess, cleanup_rules: None) -> None:
    event = "rejected.DeleteSamplingRule.InvalidRequestException"
    before = rejections(backend, event)
    with pytest.raises(ClientError) as info:
        xray.delete_sampling_rule(RuleName="Default")
    assert error_of(info)[:2] == ("InvalidRequestException", 400)
    assert rejections(backend, event) == before + 1
    with pytest.raises(ClientError) as info:
        xray.create_sampling_rule(SamplingRule=rule("v2", Version=2))
    assert error_of(info) == (
        "InvalidRequestException",
        400,
        "Version must be 1 (the only sampling rule format)",
    )
    for i in range(25):
        xray.create_sampling_rule(SamplingRule=rule(f"r{i}"))
    with pytest.raises(ClientError) as info:
        xray.create_sampling_rule(SamplingRule=rule("r25"))
    assert error_of(info)[:2] == ("RuleLimitExceededException", 400)


def test_sampling_targets_and_statistics(xray: Any, cleanup_rules: None) -> None:
    xray.create_sampling_rule(SamplingRule=rule("targets", ReservoirSize=6, FixedRate=0.25))
    now = datetime.now(UTC)
    docs = [
        {
            "RuleName": "targets",
            "ClientID": "a" * 24,
            "Timestamp": now,
            "RequestCount": 40,
            "SampledCount": 10,
            "BorrowCount": 1,
        },
        {"RuleName": "ghost", "ClientID": "b" * 24, "Timestamp": now, "RequestCount": 1, "SampledCount": 1},
    ]
    out = xray.get_sampling_targets(SamplingStatisticsDocuments=docs)
    [target] = out["SamplingTargetDocuments"]
    assert (target["RuleName"], target["FixedRate"], target["ReservoirQuota"], target["Interval"]) == (
        "targets",
        0.25,
        6,
        10,
    )
    assert target["ReservoirQuotaTTL"] > now
    assert out["UnprocessedStatistics"] == [
        {"RuleName": "ghost", "ErrorCode": "400", "Message": "Unknown rule"}
    ]
    assert isinstance(out["LastRuleModification"], datetime)
    summaries = [
        s
        for page in xray.get_paginator("get_sampling_statistic_summaries").paginate()
        for s in page["SamplingStatisticSummaries"]
        if s["RuleName"] == "targets"
    ]
    assert [(s["RequestCount"], s["SampledCount"], s["BorrowCount"]) for s in summaries] == [(40, 10, 1)]


def test_groups_and_tags(xray: Any) -> None:
    group = xray.create_group(
        GroupName="slow", FilterExpression="responsetime > 5", Tags=[{"Key": "k", "Value": "v"}]
    )["Group"]
    assert group["GroupARN"].startswith("arn:aws:xray:us-east-1:000000000000:group/slow/")
    assert xray.get_group(GroupARN=group["GroupARN"])["Group"] == group
    names = [g["GroupName"] for p in xray.get_paginator("get_groups").paginate() for g in p["Groups"]]
    assert names[:2] == ["Default", "slow"]
    with pytest.raises(ClientError) as info:
        xray.create_group(GroupName="broken", FilterExpression="responsetime >")
    code, status, message = error_of(info)
    assert (code, status) == ("InvalidRequestException", 400) and "filter expression" in message
    with pytest.raises(ClientError) as info:
        xray.tag_resource(
            ResourceARN=group["GroupARN"], Tags=[{"Key": f"t{i}", "Value": "v"} for i in range(50)]
        )
    assert error_of(info)[:2] == ("TooManyTagsException", 400)
    with pytest.raises(ClientError) as info:
        xray.list_tags_for_resource(ResourceARN=group["GroupARN"] + "x")
    assert error_of(info)[:2] == ("ResourceNotFoundException", 404)
    xray.update_group(GroupName="slow", FilterExpression="responsetime > 9")
    assert xray.get_group(GroupName="slow")["Group"]["FilterExpression"] == "responsetime > 9"
    xray.delete_group(GroupName="slow")


def test_settings_operations(xray: Any) -> None:
    assert xray.get_encryption_config()["EncryptionConfig"] == {"Type": "NONE", "Status": "ACTIVE"}
    put = xray.put_encryption_config(Type="KMS", KeyId="alias/otelray")["EncryptionConfig"]
    assert put == {"Type": "KMS", "KeyId": "alias/otelray", "Status": "ACTIVE"}
    xray.put_encryption_config(Type="NONE")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "xray:*",
                    "Resource": "*",
                }
            ],
        }
    )
    stored = xray.put_resource_policy(PolicyName="sns", PolicyDocument=policy)["ResourcePolicy"]
    assert stored["PolicyRevisionId"] == "1"
    with pytest.raises(ClientError) as info:
        xray.put_resource_policy(PolicyName="bad", PolicyDocument="{oops")
    assert error_of(info)[:2] == ("MalformedPolicyDocumentException", 400)
    with pytest.raises(ClientError) as info:
        xray.delete_resource_policy(PolicyName="sns", PolicyRevisionId="5")
    assert error_of(info)[:2] == ("InvalidPolicyRevisionIdException", 400)
    listed = [
        p
        for page in xray.get_paginator("list_resource_policies").paginate()
        for p in page["ResourcePolicies"]
    ]
    assert [p["PolicyName"] for p in listed] == ["sns"]
    xray.delete_resource_policy(PolicyName="sns", PolicyRevisionId="1")
    assert (
        xray.update_trace_segment_destination(Destination="CloudWatchLogs")["Destination"] == "CloudWatchLogs"
    )
    current = xray.get_trace_segment_destination()
    assert (current["Destination"], current["Status"]) == ("CloudWatchLogs", "ACTIVE")
    xray.update_trace_segment_destination(Destination="XRay")
    rule_out = xray.update_indexing_rule(
        Name="Default", Rule={"Probabilistic": {"DesiredSamplingPercentage": 10.0}}
    )
    assert rule_out["IndexingRule"]["Rule"]["Probabilistic"]["DesiredSamplingPercentage"] == 10.0
    assert xray.get_indexing_rules()["IndexingRules"][0]["Name"] == "Default"


def test_unimplemented_operations_answer_clearly(xray: Any) -> None:
    with pytest.raises(ClientError) as info:
        xray.get_insight_summaries(StartTime=time.time() - 60, EndTime=time.time())
    assert error_of(info) == (
        "InvalidRequestException",
        400,
        "otelray does not implement GetInsightSummaries; see the README compatibility table",
    )
    with pytest.raises(ClientError) as info:
        xray.start_trace_retrieval(TraceIds=["1-5759e988-bd862e3fe1be46a994272793"], StartTime=0, EndTime=1)
    assert "otelray does not implement StartTraceRetrieval" in error_of(info)[2]


def test_aws_cli(backend: BackendProcess, xray_env: dict[str, str]) -> None:
    def aws(*args: str) -> dict[str, Any]:
        done = subprocess.run(
            ["aws", "xray", *args, "--endpoint-url", backend.url, "--output", "json"],
            env=xray_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout) if done.stdout.strip() else {}

    aws("create-group", "--group-name", "cli-group", "--filter-expression", "fault")
    groups = aws("get-groups")["Groups"]
    assert "cli-group" in [g["GroupName"] for g in groups]
    rules = aws("get-sampling-rules")["SamplingRuleRecords"]
    assert rules[-1]["SamplingRule"]["RuleName"] == "Default"
    aws("delete-group", "--group-name", "cli-group")


def test_configuration_survives_a_restart(tmp_path: Path) -> None:
    first = start_backend(tmp_path / "data")
    try:
        xray = aws_client("xray", first.url, max_attempts=1)
        xray.create_sampling_rule(SamplingRule=rule("kept"))
        xray.create_group(GroupName="kept", FilterExpression="error")
    finally:
        first.stop()
    second = start_backend(tmp_path / "data")
    try:
        xray = aws_client("xray", second.url, max_attempts=1)
        assert [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]] == [
            "kept",
            "Default",
        ]
        assert xray.get_group(GroupName="kept")["Group"]["FilterExpression"] == "error"
    finally:
        second.stop()


def test_groups_scope_trace_queries(xray: Any) -> None:
    now = time.time()
    docs = []
    for name, seconds in (("slow-svc", 7.0), ("fast-svc", 0.1)):
        trace_id = f"1-{int(now):08x}-{uuid.uuid4().hex[:24]}"
        docs.append(
            json.dumps(
                {
                    "name": name,
                    "id": uuid.uuid4().hex[:16],
                    "trace_id": trace_id,
                    "start_time": now - 30,
                    "end_time": now - 30 + seconds,
                }
            )
        )
    assert xray.put_trace_segments(TraceSegmentDocuments=docs)["UnprocessedTraceSegments"] == []
    group = xray.create_group(GroupName="slow-traces", FilterExpression="responsetime > 5")["Group"]
    start, end = now - 120, now + 60

    def services(**params: Any) -> set[str]:
        return {s["Name"] for s in xray.get_service_graph(StartTime=start, EndTime=end, **params)["Services"]}

    deadline = time.monotonic() + 10
    while services() != {"slow-svc", "fast-svc"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert services() == {"slow-svc", "fast-svc"}
    assert services(GroupName="slow-traces") == {"slow-svc"}
    assert services(GroupARN=group["GroupARN"]) == {"slow-svc"}
    summaries = xray.get_trace_summaries(
        StartTime=start, EndTime=end, FilterExpression='group.name = "slow-traces"'
    )
    assert [s["Id"] for s in summaries["TraceSummaries"]] == [json.loads(docs[0])["trace_id"]]
    with pytest.raises(ClientError) as info:
        xray.get_service_graph(StartTime=start, EndTime=end, GroupName="no-such-group")
    assert error_of(info)[:2] == ("InvalidRequestException", 400)
    xray.delete_group(GroupName="slow-traces")
