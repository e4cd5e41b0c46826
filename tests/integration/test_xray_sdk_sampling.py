"""Centralized sampling end to end: rules made with boto3, applied by the aws-xray-sdk sampler.

The X-Ray Python SDK polls GetSamplingRules at once and GetSamplingTargets every ~10 s over TCP
on its daemon address, unsigned, exactly as it does against the X-Ray daemon.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

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


def sdk_recorder(backend: BackendProcess) -> AWSXRayRecorder:
    """A recorder of its own (its sampler has its own ClientID) polling the backend."""
    rec = AWSXRayRecorder()
    rec.configure(
        sampling=True,
        daemon_address=f"127.0.0.1:{backend.port}",
        service="sdk-test",
        context_missing="LOG_ERROR",
    )
    return rec


def sampled_per_second(
    rec: AWSXRayRecorder, service: str, rule_name: str, seconds: float = 2.5
) -> Counter[int]:
    """How many decisions ``rec`` sampled by ``rule_name`` in each whole second."""
    per_second: Counter[int] = Counter()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        before = int(time.time())
        decision = rec.sampler.should_trace({"service": service})
        if int(time.time()) == before and decision == rule_name:  # skip calls straddling a second
            per_second[before] += 1
        time.sleep(0.001)
    return per_second


@dataclass
class SharedClients:
    """Two samplers (two ClientIDs) using one rule with a 3/s reservoir, under steady traffic."""

    started: float
    #: (client index, whole second) -> decisions sampled by the rule
    sampled: Counter[tuple[int, int]] = field(default_factory=Counter)


@pytest.fixture(scope="module")
def shared(backend: BackendProcess, xray: Any) -> Iterator[SharedClients]:
    """Started first, so their ~10 s report cycles run while the other tests do."""
    xray.create_sampling_rule(SamplingRule=rule("shared", "shared-app", rate=0.0, reservoir=3))
    recorders = (sdk_recorder(backend), sdk_recorder(backend))
    clients = SharedClients(started=time.monotonic())
    stop = threading.Event()

    def traffic() -> None:  # ~20 requests/s each, so both report every cycle
        while not stop.wait(0.05):
            for index, rec in enumerate(recorders):
                before = int(time.time())
                decision = rec.sampler.should_trace({"service": "shared-app"})
                if int(time.time()) == before and decision == "shared":  # skip calls straddling a second
                    clients.sampled[(index, before)] += 1

    thread = threading.Thread(target=traffic, daemon=True)
    thread.start()
    yield clients
    stop.set()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def recorder(backend: BackendProcess, xray: Any, shared: SharedClients) -> AWSXRayRecorder:
    """An SDK recorder whose sampler talks to the backend; rules exist before it first polls."""
    xray.create_sampling_rule(SamplingRule=rule("fraction", "fraction-app", rate=0.3, reservoir=0))
    xray.create_sampling_rule(SamplingRule=rule("quota", "quota-app", rate=0.0, reservoir=5))
    rec = sdk_recorder(backend)
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
    requests: Counter[str] = Counter()
    while time.monotonic() < deadline:  # the SDK reports every ~10 s
        requests = Counter()
        for s in xray.get_sampling_statistic_summaries()["SamplingStatisticSummaries"]:
            requests[s["RuleName"]] += s["RequestCount"]
        if requests["quota"] >= 50:
            break
        time.sleep(0.5)
    assert requests["quota"] >= 50, f"no statistics reported: {requests}"
    # the answer carried a 5/s quota; with FixedRate 0 the SDK now samples exactly up to 5 per second
    per_second = sampled_per_second(recorder, "quota-app", "quota")
    assert max(per_second.values()) == 5, per_second


def test_two_clients_share_one_reservoir(shared: SharedClients) -> None:
    # From the second report cycle (~20 s, later on a loaded machine) the 3/s are split 2 + 1.
    time.sleep(max(0.0, shared.started + 22 - time.monotonic()))
    first_second = int(time.time())
    deadline = time.monotonic() + 30
    while True:
        time.sleep(1.1)
        last_whole = int(time.time()) - 1
        counts = [(shared.sampled[(0, t)], shared.sampled[(1, t)]) for t in range(first_second, last_whole + 1)]
        # never more than the rule's 3/s between both clients (unshared, it would be up to 6)
        assert all(first + second <= 3 for first, second in counts), counts
        if any(max(pair) == 2 for pair in counts) or time.monotonic() > deadline:
            break
    assert max(max(pair) for pair in counts) == 2, counts  # a quota, not borrowing (at most 1/s)
