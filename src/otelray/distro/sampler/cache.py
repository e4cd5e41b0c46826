"""The rule cache of the X-Ray remote sampler (ADOT Python ``sampler/_rule_cache.py``).

Rules are kept sorted by (Priority, RuleName); a refreshed rule whose definition did not change
keeps its applier, so reservoir state and statistics survive a refresh. If the rules are older
than one hour (``RULE_CACHE_TTL``) or were never fetched, no rule decides and the fallback sampler
(one trace per second, then 5 %) does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from otelray.distro.sampler.applier import RuleApplier, fixed_rate_sampled
from otelray.distro.sampler.rate_limiter import RateLimiter
from otelray.distro.sampler.rule import SamplingRule

RULE_CACHE_TTL = 3600.0
FALLBACK_RATE = 0.05


class FallbackSampler:
    """X-Ray's default rule for when no rules are known: 1 trace/s, then 5 % of the rest."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._limiter = RateLimiter(1, clock)

    def sample(self, trace_id: int) -> bool:
        """Decide for a trace root."""
        return self._limiter.try_spend() or fixed_rate_sampled(trace_id, FALLBACK_RATE)


class RuleCache:
    """Sorted rule appliers plus the time they were last refreshed."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._appliers: tuple[RuleApplier, ...] = ()
        self.updated_at: float | None = None

    @property
    def appliers(self) -> tuple[RuleApplier, ...]:
        """The appliers in evaluation order."""
        return self._appliers

    def expired(self, now: float) -> bool:
        """True if rules were never fetched or are older than the TTL."""
        return self.updated_at is None or now - self.updated_at > RULE_CACHE_TTL

    def update_rules(self, rules: Iterable[SamplingRule], now: float) -> None:
        """Replace the rules, keeping the applier (and its state) of every unchanged rule."""
        with self._lock:
            previous = {applier.rule: applier for applier in self._appliers}
            ordered = sorted(set(rules), key=SamplingRule.sort_key)
            self._appliers = tuple(previous.get(rule) or RuleApplier(rule, self._clock) for rule in ordered)
            self.updated_at = now

    def match(self, attrs: Mapping[str, Any], resource: Mapping[str, Any]) -> RuleApplier | None:
        """The first rule that matches, or ``None``."""
        for applier in self._appliers:
            if applier.matches(attrs, resource):
                return applier
        return None

    def statistics(self, client_id: str, now: float) -> list[dict[str, Any]]:
        """Statistics documents of every rule with requests since the last call."""
        documents = (applier.snapshot(client_id, now) for applier in self._appliers)
        return [document for document in documents if document is not None]

    def has_requests(self) -> bool:
        """True if any rule made a decision since the last statistics snapshot."""
        return any(applier.has_requests() for applier in self._appliers)

    def apply_targets(self, targets: Iterable[Mapping[str, Any]]) -> tuple[int, float | None]:
        """Apply target documents by rule name; return (how many applied, smallest Interval)."""
        by_name = {applier.rule.rule_name: applier for applier in self._appliers}
        applied, interval = 0, None
        for target in targets:
            applier = by_name.get(target["RuleName"])
            if applier is None:
                continue
            applier.apply_target(target)
            applied += 1
            if applier.interval is not None:
                interval = applier.interval if interval is None else min(interval, applier.interval)
        return applied, interval
