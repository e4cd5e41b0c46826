from __future__ import annotations

import logging
import time

import pytest
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

from otelray.distro.errors import SamplerConfigError
from otelray.distro.sampler.remote import (
    DEFAULT_ENDPOINT,
    XRayRemoteSampler,
    parse_sampler_arg,
    xray_sampler_factory,
)
from tests.unit.distro.sampler.test_applier import HIGH, LOW
from tests.unit.distro.sampler.test_rate_limiter import Clock
from tests.unit.distro.sampling_server import DEFAULT_RULE, SamplingServer, rule


def _sampler(server: SamplingServer, clock: Clock, service: str = "shop") -> XRayRemoteSampler:
    resource = Resource.create({"service.name": service})
    return XRayRemoteSampler(resource, endpoint=server.endpoint, clock=clock, start=False)


def _decide(sampler: XRayRemoteSampler, trace_id: int, **attrs: str) -> bool:
    result = sampler.should_sample(None, trace_id, "span", attributes=attrs)
    return result.decision is Decision.RECORD_AND_SAMPLE


def test_parse_sampler_arg() -> None:
    assert parse_sampler_arg(None) == (DEFAULT_ENDPOINT, 300.0)
    assert parse_sampler_arg("endpoint=http://h:2000, polling_interval=60") == ("http://h:2000", 60.0)
    for bad, message in [("endpoint=h:2000", "not an http"), ("interval=5", "is not endpoint=URL"),
                         ("polling_interval=soon", "not a number")]:
        with pytest.raises(SamplerConfigError, match=message):
            parse_sampler_arg(bad)


def test_short_polling_interval_falls_back_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert parse_sampler_arg("polling_interval=1")[1] == 300.0
    assert "polling_interval=1 is below 10 s" in caplog.text


def test_fallback_before_rules_then_rules_decide() -> None:
    clock = Clock()
    with SamplingServer([rule("never", 1, 0.0, 0, URLPath="/never"), DEFAULT_RULE]) as server:
        sampler = _sampler(server, clock)
        assert _decide(sampler, HIGH) is True  # fallback: 1/s
        assert _decide(sampler, HIGH) is False
        assert sampler.stats["fallback_decisions"] == 2
        assert sampler.refresh_rules() is True
        assert _decide(sampler, LOW, **{"http.target": "/never"}) is False
        assert _decide(sampler, HIGH, **{"http.target": "/x"}) is True  # Default: borrowed 1/s
        assert _decide(sampler, HIGH, **{"http.target": "/x"}) is False


def test_child_spans_follow_the_parent_and_are_not_counted() -> None:
    clock = Clock()
    with SamplingServer([rule("none", 1, 0.0, 0)]) as server:
        sampler = _sampler(server, clock)
        sampler.refresh_rules()
        for flags, expected in [(TraceFlags.SAMPLED, Decision.RECORD_AND_SAMPLE), (TraceFlags.DEFAULT, Decision.DROP)]:
            parent = SpanContext(HIGH, 0xABC, is_remote=True, trace_flags=TraceFlags(flags))
            context = set_span_in_context(NonRecordingSpan(parent), Context())
            assert sampler.should_sample(context, HIGH, "child").decision is expected
        assert sampler.cache.statistics("c", clock.now) == []


def test_statistics_reported_and_targets_applied() -> None:
    clock = Clock()
    with SamplingServer([rule("api", 1, 0.0, 1, ServiceName="shop")]) as server:
        sampler = _sampler(server, clock)
        sampler.refresh_rules()
        assert sampler.refresh_targets() == 10.0  # no requests yet: no call
        assert server.paths() == ["/GetSamplingRules"]
        _decide(sampler, HIGH)
        _decide(sampler, HIGH)
        server.targets_body = {"SamplingTargetDocuments": [
            {"RuleName": "api", "FixedRate": 1.0, "ReservoirQuota": 0, "ReservoirQuotaTTL": clock.now + 60,
             "Interval": 4}], "LastRuleModification": 0}
        assert sampler.refresh_targets() == 4.0
        path, payload = server.requests[-1]
        assert path == "/SamplingTargets"
        assert payload["SamplingStatisticsDocuments"] == [{
            "ClientID": sampler.client_id, "RuleName": "api", "Timestamp": clock.now,
            "RequestCount": 2, "SampledCount": 1, "BorrowCount": 1}]
        assert len(sampler.client_id) == 24
        assert _decide(sampler, HIGH) is True  # FixedRate 1.0 from the target


def test_newer_rule_modification_refetches_rules() -> None:
    clock = Clock()
    with SamplingServer([rule("a", 1, 0.0, 1)]) as server:
        sampler = _sampler(server, clock)
        sampler.refresh_rules()
        _decide(sampler, HIGH)
        server.rules_body = {"SamplingRuleRecords": [rule("b", 1, 1.0, 0)]}
        server.targets_body = {"SamplingTargetDocuments": [], "LastRuleModification": clock.now + 5}
        sampler.refresh_targets()
        assert server.paths() == ["/GetSamplingRules", "/SamplingTargets", "/GetSamplingRules"]
        assert [a.rule.rule_name for a in sampler.cache.appliers] == ["b"]


def test_unreachable_endpoint_warns_once_and_keeps_sampling(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    with SamplingServer() as server:
        pass
    sampler = _sampler(server, clock)
    with caplog.at_level(logging.WARNING):
        assert sampler.refresh_rules() is False
        assert sampler.refresh_rules() is False
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"cannot reach sampling endpoint {server.endpoint}/GetSamplingRules" in warnings[0]
    assert sampler.stats["poll_errors"] == 2
    assert _decide(sampler, HIGH) is True  # fallback still samples 1/s


def test_malformed_rules_are_counted_and_named_in_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    records = [rule("ok", 1, 1.0, 0), rule("bad", 2, 7.0, 0), rule("worse", 3, 0.1, -1)]
    with SamplingServer(records) as server:
        sampler = _sampler(server, Clock())
        sampler.refresh_rules()
        sampler.refresh_rules()  # the same problems again: counted, not logged again
    assert [a.rule.rule_name for a in sampler.cache.appliers] == ["ok"]
    assert sampler.stats["rejected_rules"] == 4
    assert caplog.messages == [
        f"otelray: ignoring 2 sampling rule(s) from {server.endpoint}: sampling rule 'bad': FixedRate=7.0 is "
        "outside [0, 1]; sampling rule 'worse': ReservoirSize=-1 is outside [0, 2147483647]"
    ]


def test_malformed_targets_are_counted_and_the_rest_applied(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    with SamplingServer([rule("a", 1, 0.0, 1)]) as server:
        sampler = _sampler(server, clock)
        sampler.refresh_rules()
        _decide(sampler, HIGH)
        server.targets_body = {"SamplingTargetDocuments": [{"RuleName": "a", "FixedRate": 1.0},
                                                           {"RuleName": "a", "FixedRate": "high"}]}
        sampler.refresh_targets()
    assert sampler.stats["rejected_targets"] == 1
    assert sampler.cache.appliers[0].fixed_rate == 1.0
    assert "ignoring 1 sampling target(s)" in caplog.text


def test_rules_expire_after_an_hour_and_fallback_decides() -> None:
    clock = Clock()
    with SamplingServer([rule("all", 1, 1.0, 0)]) as server:
        sampler = _sampler(server, clock)
        sampler.refresh_rules()
    assert _decide(sampler, HIGH) is True
    clock.now += 3601
    before = sampler.stats["fallback_decisions"]
    _decide(sampler, HIGH)
    assert sampler.stats["fallback_decisions"] == before + 1


def test_background_poller_fetches_rules_at_start() -> None:
    with SamplingServer([rule("all", 1, 1.0, 0)]) as server:
        sampler = XRayRemoteSampler(Resource.create({}), endpoint=server.endpoint)
        deadline = time.monotonic() + 5
        while not sampler.cache.appliers and time.monotonic() < deadline:
            time.sleep(0.01)
        sampler.shutdown()
    assert [a.rule.rule_name for a in sampler.cache.appliers] == ["all"]


def test_sdk_entry_point_builds_the_sampler(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.sdk._configuration import _import_sampler

    with SamplingServer([rule("all", 1, 1.0, 0)]) as server:
        monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", f"endpoint={server.endpoint},polling_interval=60")
        sampler = _import_sampler("xray")
        assert isinstance(sampler, XRayRemoteSampler)
        assert sampler.endpoint == server.endpoint and sampler.polling_interval == 60
        sampler.shutdown()
    assert isinstance(xray_sampler_factory(None), XRayRemoteSampler)
    provider = TracerProvider(sampler=sampler)
    assert provider.sampler is sampler


def test_poll_schedule_rules_every_interval_targets_by_answer() -> None:
    clock = Clock()
    with SamplingServer([rule("api", 1, 0.0, 1)]) as server:
        sampler = XRayRemoteSampler(Resource.create({}), endpoint=server.endpoint, polling_interval=60,
                                    clock=clock, start=False)
        schedule = sampler.first_schedule(100.0)
        assert schedule.next_rules == 100.0
        assert 110.0 <= schedule.next_targets <= 110.1
        assert 0 <= schedule.rules_jitter <= 5
        sampler.poll_due(schedule, 100.0)
        assert server.paths() == ["/GetSamplingRules"]
        assert schedule.next_rules == 160.0 + schedule.rules_jitter
        _decide(sampler, HIGH)
        server.targets_body = {"SamplingTargetDocuments": [{"RuleName": "api", "FixedRate": 0.1, "Interval": 3}]}
        sampler.poll_due(schedule, schedule.next_targets)
        assert server.paths() == ["/GetSamplingRules", "/SamplingTargets"]
        assert 113.0 <= schedule.next_targets <= 113.2  # the answer's Interval, 3 s, + jitter up to 0.1 s
        sampler.poll_due(schedule, 159.0)  # nothing new decided: the targets poll is skipped
        assert server.paths() == ["/GetSamplingRules", "/SamplingTargets"]
        sampler.poll_due(schedule, schedule.next_rules)
        assert server.paths()[-1] == "/GetSamplingRules"
