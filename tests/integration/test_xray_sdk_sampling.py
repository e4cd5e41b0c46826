"""Centralized sampling end to end: rules made with boto3, applied by the aws-xray-sdk sampler.

The X-Ray Python SDK polls GetSamplingRules at once and GetSamplingTargets every ~10 s over TCP
on its daemon address, unsigned, exactly as it does against the X-Ray daemon.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Any

import boto3
import pytest
from aws_xray_sdk.core import AWSXRayRecorder

from tests.integration.conftest import BackendProcess

pytestmark = pytest.mark.integration

DECISIONS = 4000


def rule(name: str, service: str, *, rate: float, reservoir: int) -> dict[str, Any]:
    return {
        "RuleName": name,
        "ResourceARN": "*",
        "Priority": 10,
        "FixedRate": rate,
        "ReservoirSize": reservoir,
        "ServiceName": service,
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "Version": 1,
    }


@pytest.fixture(scope="module")
def xray(backend: BackendProcess) -> Any:
    return boto3.client(
        "xray",
        endpoint_url=backend.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def recorder(backend: BackendProcess, xray: Any) -> AWSXRayRecorder:
    """An SDK recorder whose sampler talks to the backend; rules exist before it first polls."""
    xray.create_sampling_rule(SamplingRule=rule("fraction", "fraction-app", rate=0.3, reservoir=0))
    xray.create_sampling_rule(SamplingRule=rule("quota", "quota-app", rate=0.0, reservoir=5))
    rec = AWSXRayRecorder()
    rec.configure(
        sampling=True,
        daemon_address=f"127.0.0.1:{backend.port}",
        service="sdk-test",
        context_missing="LOG_ERROR",
    )
    deadline = time.monotonic() + 15
    while rec.sampler.should_trace({"service": "fraction-app"}) != "fraction":  # rules not loaded yet
        assert time.monotonic() < deadline, "the SDK never applied the rule created with boto3"
        time.sleep(0.01)
    return rec


def test_fixed_rate_of_a_boto3_rule_is_applied(recorder: AWSXRayRecorder) -> None:
    sampled = sum(
        recorder.sampler.should_trace({"service": "fraction-app"}) == "fraction" for _ in range(DECISIONS)
    )
    spread = 5 * math.sqrt(0.3 * 0.7 / DECISIONS)  # five standard deviations
    assert abs(sampled / DECISIONS - 0.3) < spread


def test_statistics_reported_and_reservoir_quota_applied(recorder: AWSXRayRecorder, xray: Any) -> None:
    for _ in range(50):
        recorder.sampler.should_trace({"service": "quota-app"})
    deadline = time.monotonic() + 25
    requests: dict[str, int] = {}
    while time.monotonic() < deadline:  # the SDK reports every ~10 s
        summaries = xray.get_sampling_statistic_summaries()["SamplingStatisticSummaries"]
        requests = Counter()
        for s in summaries:
            requests[s["RuleName"]] += s["RequestCount"]
        if requests["quota"] >= 50:
            break
        time.sleep(0.5)
    assert requests["quota"] >= 50, f"no statistics reported: {requests}"
    # the answer carried a 5/s quota; with FixedRate 0 the SDK now samples exactly up to 5 per second
    per_second: Counter[int] = Counter()
    end = time.monotonic() + 2.5
    while time.monotonic() < end:
        before = int(time.time())
        decision = recorder.sampler.should_trace({"service": "quota-app"})
        if int(time.time()) == before and decision == "quota":
            per_second[before] += 1
        time.sleep(0.001)
    assert max(per_second.values()) == 5, per_second
