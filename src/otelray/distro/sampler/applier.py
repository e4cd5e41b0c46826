"""How one sampling rule decides and counts (ADOT Python ``sampler/_sampling_rule_applier.py``;
X-Ray developer guide, "Sampling rules": reservoir, then fixed rate).

Before the first ``SamplingTargets`` answer a rule with ``ReservoirSize > 0`` may *borrow* one trace
per second; after it, the reservoir is ``ReservoirQuota`` per second until ``ReservoirQuotaTTL``
(no quota or no TTL: the reservoir is spent) and the fixed rate is the target's ``FixedRate``.
The fixed rate compares the low 64 bits of the trace id with the rate, as the SDK's
``TraceIdRatioBased`` does (the high bits of an X-Ray trace id are a timestamp). Statistics count
root decisions only and are reset by every snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.sdk.trace.sampling import TraceIdRatioBased

from otelray.distro.sampler import matcher
from otelray.distro.sampler.rate_limiter import RateLimiter
from otelray.distro.sampler.rule import SamplingRule

_LOW_64 = TraceIdRatioBased.TRACE_ID_LIMIT


def fixed_rate_sampled(trace_id: int, rate: float) -> bool:
    """The fixed-rate decision for ``trace_id`` (deterministic per trace)."""
    return trace_id & _LOW_64 < TraceIdRatioBased.get_bound_for_rate(rate)


class RuleApplier:
    """A rule plus its live reservoir, fixed rate and statistics."""

    def __init__(self, rule: SamplingRule, clock: Callable[[], float]) -> None:
        self.rule = rule
        self._clock = clock
        self._lock = threading.Lock()
        self.borrowing = rule.reservoir_size > 0
        self._reservoir = RateLimiter(1 if self.borrowing else 0, clock)
        self._reservoir_expiry: float | None = None  # None: no expiry (borrowing)
        self.fixed_rate = rule.fixed_rate
        self.interval: float | None = None
        self._requests = self._sampled = self._borrowed = 0
        self._resource_match: tuple[Mapping[str, Any], bool] | None = None
        # only the fields that are not "*" cost anything per span
        getters = ((rule.url_path, matcher.span_url_path), (rule.http_method, matcher.span_method),
                   (rule.host, matcher.span_host))
        self._span_checks = tuple((pattern, getter) for pattern, getter in getters if pattern != "*")

    def matches(self, attrs: Mapping[str, Any], resource: Mapping[str, Any]) -> bool:
        """True if the span (its start attributes) and the resource match every field of the rule."""
        rule = self.rule
        for key, pattern in rule.attributes:
            value = attrs.get(key)
            if not matcher.wildcard_match(pattern, None if value is None else str(value)):
                return False
        for pattern, value_of in self._span_checks:
            if not matcher.wildcard_match(pattern, value_of(attrs)):
                return False
        return self._matches_resource(resource, attrs)

    def _matches_resource(self, resource: Mapping[str, Any], attrs: Mapping[str, Any]) -> bool:
        # The sampler's resource never changes, so its part of the match is computed once; only a
        # Lambda ResourceARN can depend on span attributes.
        cached = self._resource_match
        if cached is not None and cached[0] is resource:
            return cached[1]
        rule = self.rule
        service_name = resource.get("service.name")
        arn_from_span = rule.resource_arn != "*" and resource.get("cloud.platform") == "aws_lambda"
        result = (
            matcher.wildcard_match(rule.service_name, None if service_name is None else str(service_name))
            and matcher.wildcard_match(rule.service_type, matcher.service_type(resource))
            and matcher.wildcard_match(rule.resource_arn, matcher.resource_arn(resource, attrs))
        )
        if not arn_from_span:
            self._resource_match = (resource, result)
        return result

    def sample(self, trace_id: int) -> bool:
        """Decide for a trace root and count the decision."""
        expiry = self._reservoir_expiry
        from_reservoir = (expiry is None or self._clock() < expiry) and self._reservoir.try_spend()
        sampled = from_reservoir or fixed_rate_sampled(trace_id, self.fixed_rate)
        with self._lock:
            self._requests += 1
            self._sampled += sampled
            self._borrowed += from_reservoir and self.borrowing
        return sampled

    def apply_target(self, target: Mapping[str, Any]) -> None:
        """Apply one ``SamplingTargetDocuments`` entry (already checked by the cache)."""
        rate = target.get("FixedRate")
        if rate is not None:
            self.fixed_rate = float(rate)
        quota = target.get("ReservoirQuota")
        ttl = target.get("ReservoirQuotaTTL")
        self._reservoir = RateLimiter(quota if quota is not None else 0, self._clock)
        self._reservoir_expiry = float(ttl) if ttl is not None and quota is not None else self._clock()
        interval = target.get("Interval")
        self.interval = float(interval) if interval is not None else None
        self.borrowing = False

    def snapshot(self, client_id: str, now: float) -> dict[str, Any] | None:
        """``SamplingStatisticsDocument`` since the last snapshot, or ``None`` if no requests; resets counts."""
        with self._lock:
            if not self._requests:
                return None
            document = {
                "ClientID": client_id,
                "RuleName": self.rule.rule_name,
                "Timestamp": now,
                "RequestCount": self._requests,
                "SampledCount": self._sampled,
                "BorrowCount": self._borrowed,
            }
            self._requests = self._sampled = self._borrowed = 0
        return document

    def has_requests(self) -> bool:
        """True if decisions were made since the last snapshot."""
        return self._requests > 0
