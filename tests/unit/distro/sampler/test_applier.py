from __future__ import annotations

from otelray.distro.sampler.applier import RuleApplier, fixed_rate_sampled
from otelray.distro.sampler.rule import SamplingRule
from tests.unit.distro.sampler.test_rate_limiter import Clock

LOW = 0x6B07968D_00000000_00000000_00000000  # epoch prefix, low 64 bits zero: under any rate > 0
HIGH = 0x6B07968D_00000000_FFFFFFFF_FFFFFFFF  # low 64 bits max: sampled only at rate 1


def test_fixed_rate_uses_low_64_bits() -> None:
    assert fixed_rate_sampled(LOW, 0.01) is True
    assert fixed_rate_sampled(HIGH, 0.99) is False
    assert fixed_rate_sampled(HIGH, 1.0) is True
    assert fixed_rate_sampled(LOW, 0.0) is False
    share = sum(fixed_rate_sampled((n * 0x9E3779B97F4A7C15) & (2**64 - 1), 0.25) for n in range(20000)) / 20000
    assert 0.23 < share < 0.27


def test_borrows_one_per_second_before_targets_then_fixed_rate() -> None:
    clock = Clock()
    applier = RuleApplier(SamplingRule("r", 1, 0.0, 10), clock)
    assert applier.sample(HIGH) is True  # borrowed
    assert applier.sample(HIGH) is False  # reservoir spent, fixed rate 0
    clock.now += 1
    assert applier.sample(HIGH) is True
    stats = applier.snapshot("cid", clock.now)
    assert stats == {"ClientID": "cid", "RuleName": "r", "Timestamp": clock.now,
                     "RequestCount": 3, "SampledCount": 2, "BorrowCount": 2}
    assert applier.snapshot("cid", clock.now) is None  # reset


def test_no_reservoir_means_no_borrowing() -> None:
    applier = RuleApplier(SamplingRule("r", 1, 0.0, 0), Clock())
    assert applier.sample(LOW) is False


def test_target_sets_quota_until_ttl_and_fixed_rate() -> None:
    clock = Clock()
    applier = RuleApplier(SamplingRule("r", 1, 0.0, 1), clock)
    applier.apply_target({"RuleName": "r", "FixedRate": 0.5, "ReservoirQuota": 3,
                          "ReservoirQuotaTTL": clock.now + 10, "Interval": 5})
    assert (applier.fixed_rate, applier.interval, applier.borrowing) == (0.5, 5.0, False)
    assert [applier.sample(HIGH) for _ in range(4)] == [True, True, True, False]
    assert applier.sample(LOW) is True  # fixed rate 0.5 takes the low trace id
    clock.now += 11  # quota expired: only the fixed rate remains
    assert applier.sample(HIGH) is False
    stats = applier.snapshot("c", clock.now)
    assert (stats["RequestCount"], stats["SampledCount"], stats["BorrowCount"]) == (6, 4, 0)


def test_target_without_quota_spends_reservoir() -> None:
    clock = Clock()
    applier = RuleApplier(SamplingRule("r", 1, 0.0, 5), clock)
    applier.apply_target({"RuleName": "r", "FixedRate": 0.0})
    assert applier.sample(HIGH) is False


def test_matching_every_field() -> None:
    rule = SamplingRule("r", 1, 0.1, 1, service_name="shop*", service_type="AWS::EC2::Instance",
                        host="*.example.com", http_method="GET", url_path="/api/*",
                        attributes=(("tier", "gold"),))
    applier = RuleApplier(rule, Clock())
    resource = {"service.name": "shop-api", "cloud.platform": "aws_ec2"}
    span = {"http.method": "GET", "http.host": "www.example.com", "http.target": "/api/cart", "tier": "gold"}
    assert applier.matches(span, resource)
    for key, value in [("http.method", "POST"), ("http.host", "example.org"), ("http.target", "/web"),
                       ("tier", "silver")]:
        assert not applier.matches(span | {key: value}, resource), key
    assert not applier.matches({k: v for k, v in span.items() if k != "tier"}, resource)
    assert not applier.matches(span, resource | {"service.name": "other"})
    assert not applier.matches(span, {"service.name": "shop-api"})  # no cloud.platform -> ""
