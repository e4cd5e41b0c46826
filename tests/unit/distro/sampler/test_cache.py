from __future__ import annotations

from otelray.distro.sampler.cache import RULE_CACHE_TTL, FallbackSampler, RuleCache
from otelray.distro.sampler.rule import SamplingRule
from tests.unit.distro.sampler.test_applier import HIGH, LOW
from tests.unit.distro.sampler.test_rate_limiter import Clock


def test_rules_sorted_by_priority_then_name_and_first_match_wins() -> None:
    cache = RuleCache(Clock())
    cache.update_rules([SamplingRule("Default", 10000, 0.05, 1), SamplingRule("b", 5, 0, 0, url_path="/b*"),
                        SamplingRule("a", 5, 0, 0, url_path="/*")], 0)
    assert [a.rule.rule_name for a in cache.appliers] == ["a", "b", "Default"]
    assert cache.match({"http.target": "/b"}, {}).rule.rule_name == "a"
    assert cache.match({}, {}).rule.rule_name == "a"  # no path attribute -> "/"


def test_unchanged_rules_keep_their_state_changed_rules_restart() -> None:
    clock = Clock()
    cache = RuleCache(clock)
    keep, change = SamplingRule("keep", 1, 0.0, 1), SamplingRule("change", 2, 0.0, 1)
    cache.update_rules([keep, change], clock.now)
    for applier in cache.appliers:
        applier.sample(HIGH)
    cache.update_rules([keep, SamplingRule("change", 2, 0.5, 1)], clock.now)
    stats = {s["RuleName"]: s["RequestCount"] for s in cache.statistics("c", clock.now)}
    assert stats == {"keep": 1}


def test_expiry_after_one_hour() -> None:
    cache = RuleCache(Clock())
    assert cache.expired(0)
    cache.update_rules([], 100)
    assert not cache.expired(100 + RULE_CACHE_TTL)
    assert cache.expired(101 + RULE_CACHE_TTL)


def test_targets_applied_by_name_and_smallest_interval() -> None:
    cache = RuleCache(Clock())
    cache.update_rules([SamplingRule("a", 1, 0, 1), SamplingRule("b", 2, 0, 1)], 0)
    applied, interval = cache.apply_targets([{"RuleName": "a", "FixedRate": 1.0, "Interval": 7},
                                             {"RuleName": "b", "FixedRate": 0.0, "Interval": 3},
                                             {"RuleName": "gone", "FixedRate": 1.0}])
    assert (applied, interval) == (2, 3.0)
    assert cache.appliers[0].fixed_rate == 1.0


def test_fallback_is_one_per_second_then_five_percent() -> None:
    clock = Clock()
    fallback = FallbackSampler(clock)
    assert fallback.sample(HIGH) is True
    assert fallback.sample(HIGH) is False
    assert fallback.sample(LOW) is True  # 5 % of trace ids
