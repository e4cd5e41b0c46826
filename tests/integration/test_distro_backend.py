"""The X-Ray remote sampler against a real `otelray backend` (X-Ray API: CreateSamplingRule through
boto3, then GetSamplingRules / SamplingTargets as the sampler's plain HTTP calls)."""

from __future__ import annotations

import boto3
import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.sampling import Decision

from otelray.distro.sampler.remote import XRayRemoteSampler
from tests.integration.conftest import BackendProcess

pytestmark = pytest.mark.integration


def _xray(backend: BackendProcess):
    return boto3.client("xray", endpoint_url=backend.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_sampler_uses_rules_and_targets_from_the_backend(backend: BackendProcess) -> None:
    client = _xray(backend)
    client.create_sampling_rule(SamplingRule={
        "RuleName": "checkout", "Priority": 5, "FixedRate": 1.0, "ReservoirSize": 0,
        "ServiceName": "shop", "ServiceType": "*", "Host": "*", "HTTPMethod": "POST",
        "URLPath": "/checkout*", "ResourceARN": "*", "Version": 1,
    })
    sampler = XRayRemoteSampler(Resource.create({"service.name": "shop"}), endpoint=backend.url, start=False)
    assert sampler.refresh_rules() is True
    names = [applier.rule.rule_name for applier in sampler.cache.appliers]
    assert names[0] == "checkout" and "Default" in names
    attrs = {"http.method": "POST", "http.target": "/checkout/cart"}
    decisions = [sampler.should_sample(None, (n + 1) << 64 | n, "POST", attributes=attrs).decision for n in range(4)]
    assert decisions == [Decision.RECORD_AND_SAMPLE] * 4
    sampler.refresh_targets()
    assert sampler.stats["poll_errors"] == 0
    checkout = sampler.cache.appliers[0]
    assert checkout.borrowing is False  # a target arrived for the rule that had requests
