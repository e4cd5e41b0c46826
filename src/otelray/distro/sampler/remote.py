"""The X-Ray remote sampler (ADOT Python ``sampler/aws_xray_remote_sampler.py``; contrib's
unreleased twin in ``opentelemetry-sdk-extension-aws``).

Rules are polled from ``{endpoint}/GetSamplingRules`` at once and then every ``polling_interval``
seconds (default 300, values below 10 fall back to 300) plus a fixed jitter of up to 5 s; targets
from ``{endpoint}/SamplingTargets`` 10 s after start and then every smallest ``Interval`` of the
answer (default 10 s), skipped while no rule has requests, and the rules are re-fetched at once
when ``LastRuleModification`` is newer than the last fetch. A span with a valid parent follows the
parent's decision; a root is decided by the first matching rule, or by the fallback sampler (1/s +
5 %) while no fresh rules are known. An unreachable endpoint or malformed answer is logged once per
kind of problem, counted in ``stats``, and never reaches the application.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, get_current_span
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from otelray.distro.errors import SamplerConfigError, SamplingEndpointError
from otelray.distro.sampler.cache import FallbackSampler, RuleCache
from otelray.distro.sampler.client import SamplingClient

_logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "http://127.0.0.1:2000"
DEFAULT_POLLING_INTERVAL = 300.0
MIN_POLLING_INTERVAL = 10.0
DEFAULT_TARGET_INTERVAL = 10.0
RULES_JITTER = 5.0
TARGETS_JITTER = 0.1


@dataclass(slots=True)
class PollSchedule:
    """When the next rules and targets polls are due (monotonic seconds)."""

    next_rules: float
    next_targets: float
    rules_jitter: float  # drawn once per sampler, as ADOT does


def parse_sampler_arg(arg: str | None) -> tuple[str, float]:
    """Parse ``endpoint=URL,polling_interval=SECONDS``; raises ``SamplerConfigError`` naming the bad part."""
    endpoint, interval = DEFAULT_ENDPOINT, DEFAULT_POLLING_INTERVAL
    for part in (arg or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("endpoint", "polling_interval"):
            raise SamplerConfigError(
                f"OTEL_TRACES_SAMPLER_ARG part {part.strip()!r} is not endpoint=URL or polling_interval=SECONDS"
            )
        if key == "endpoint":
            if not value.startswith(("http://", "https://")):
                raise SamplerConfigError(f"OTEL_TRACES_SAMPLER_ARG endpoint={value!r} is not an http(s) URL")
            endpoint = value
        else:
            try:
                interval = float(value)
            except ValueError:
                raise SamplerConfigError(f"OTEL_TRACES_SAMPLER_ARG polling_interval={value!r} is not a number") from None
    if interval < MIN_POLLING_INTERVAL:
        _logger.warning(
            "otelray: xray sampler polling_interval=%g is below %g s; using %g s",
            interval, MIN_POLLING_INTERVAL, DEFAULT_POLLING_INTERVAL,
        )
        interval = DEFAULT_POLLING_INTERVAL
    return endpoint, interval


class XRayRemoteSampler(Sampler):
    """Samples with X-Ray sampling rules and targets fetched from a sampling endpoint."""

    def __init__(
        self,
        resource: Resource | None = None,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        polling_interval: float = DEFAULT_POLLING_INTERVAL,
        clock: Callable[[], float] = time.time,
        client: SamplingClient | None = None,
        start: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.polling_interval = polling_interval
        self.client_id = os.urandom(12).hex()
        self._resource: Mapping[str, Any] = dict(resource.attributes) if resource is not None else {}
        self._clock = clock
        self._client = client or SamplingClient(endpoint)
        self.cache = RuleCache(clock)
        self._fallback = FallbackSampler(clock)
        self._rules_fetched_at: float | None = None
        self._next_target_interval = DEFAULT_TARGET_INTERVAL
        self._warned: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = {"rules_polls": 0, "targets_polls": 0, "poll_errors": 0, "rejected_rules": 0,
                      "rejected_targets": 0, "fallback_decisions": 0}
        if start:
            self.start()

    # -- decisions ---------------------------------------------------------------------------------
    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        """Follow a valid parent; otherwise decide by the matching rule or the fallback."""
        parent = get_current_span(parent_context).get_span_context()
        if parent.is_valid:
            decision = Decision.RECORD_AND_SAMPLE if parent.trace_flags.sampled else Decision.DROP
            return SamplingResult(decision, None, parent.trace_state)
        attrs: Mapping[str, Any] = attributes or {}
        applier = None if self.cache.expired(self._clock()) else self.cache.match(attrs, self._resource)
        if applier is None:
            self.stats["fallback_decisions"] += 1
            sampled = self._fallback.sample(trace_id)
        else:
            sampled = applier.sample(trace_id)
        return SamplingResult(Decision.RECORD_AND_SAMPLE if sampled else Decision.DROP, None, None)

    def get_description(self) -> str:
        return f"XRayRemoteSampler{{endpoint={self.endpoint}, polling_interval={self.polling_interval:g}}}"

    # -- polling -----------------------------------------------------------------------------------
    def _warn_once(self, key: str, message: str, *, counter: str | None = None) -> None:
        """Count the problem; log it only the first time ``key`` is seen (until it is cleared)."""
        if counter is not None:
            self.stats[counter] += 1
        if key not in self._warned:
            self._warned.add(key)
            _logger.warning("otelray: %s", message)

    def refresh_rules(self) -> bool:
        """Fetch rules now; on failure keep the current rules. True if rules were replaced."""
        self.stats["rules_polls"] += 1
        try:
            result = self._client.get_rules()
        except SamplingEndpointError as exc:
            self._warn_once("rules-error", f"X-Ray sampling rules unavailable ({exc}); using fallback sampling",
                            counter="poll_errors")
            return False
        if result.errors:  # one line per distinct set of rejected rules, however many there are
            self.stats["rejected_rules"] += len(result.errors)
            listed = "; ".join(str(error) for error in result.errors)
            self._warn_once(f"rules:{listed}", f"ignoring {len(result.errors)} sampling rule(s) from "
                            f"{self.endpoint}: {listed}")
        now = self._clock()
        self.cache.update_rules(result.rules, now)
        self._rules_fetched_at = now
        self._warned.discard("rules-error")
        return True

    def refresh_targets(self) -> float:
        """Report statistics and apply targets; return the seconds until the next targets poll."""
        if not self.cache.has_requests():
            return self._next_target_interval
        self.stats["targets_polls"] += 1
        statistics = self.cache.statistics(self.client_id, self._clock())
        try:
            result = self._client.get_targets(statistics)
        except SamplingEndpointError as exc:
            self._warn_once("targets-error", f"X-Ray sampling targets unavailable ({exc})", counter="poll_errors")
            return self._next_target_interval
        if result.errors:
            self.stats["rejected_targets"] += len(result.errors)
            listed = "; ".join(result.errors)
            self._warn_once(f"targets:{listed}", f"ignoring {len(result.errors)} sampling target(s) from "
                            f"{self.endpoint}: {listed}")
        _, interval = self.cache.apply_targets(result.targets)
        self._next_target_interval = interval if interval and interval > 0 else DEFAULT_TARGET_INTERVAL
        modified = result.last_rule_modification
        if modified is not None and (self._rules_fetched_at is None or modified > self._rules_fetched_at):
            self.refresh_rules()
        self._warned.discard("targets-error")
        return self._next_target_interval

    def start(self) -> None:
        """Start the background poller (a daemon thread); restarted in a forked child."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="otelray-xray-sampler", daemon=True)
        self._thread.start()
        if hasattr(os, "register_at_fork") and not getattr(self, "_fork_hook", False):
            self._fork_hook = True
            os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self._thread = None
        self._stop = threading.Event()
        self.start()

    def shutdown(self) -> None:
        """Stop polling."""
        self._stop.set()

    def first_schedule(self, now: float) -> PollSchedule:
        """Rules at once, targets after ``DEFAULT_TARGET_INTERVAL`` plus jitter (monotonic seconds)."""
        return PollSchedule(now, now + DEFAULT_TARGET_INTERVAL + random.uniform(0, TARGETS_JITTER),
                            random.uniform(0, RULES_JITTER))

    def poll_due(self, schedule: PollSchedule, now: float) -> None:
        """Run the polls that are due at ``now`` and move ``schedule`` on."""
        if now >= schedule.next_rules:
            self.refresh_rules()
            schedule.next_rules = now + self.polling_interval + schedule.rules_jitter
        if now >= schedule.next_targets:
            interval = self.refresh_targets()
            schedule.next_targets = now + interval + random.uniform(0, TARGETS_JITTER)

    def _run(self) -> None:
        schedule = self.first_schedule(time.monotonic())
        while not self._stop.wait(max(0.0, min(schedule.next_rules, schedule.next_targets) - time.monotonic())):
            try:
                self.poll_due(schedule, time.monotonic())
            except Exception as exc:  # a poller bug must not end sampling: fall back and say so once
                self._warn_once("poller-error", f"X-Ray sampler poller failed: {exc!r}", counter="poll_errors")
                schedule.next_rules = schedule.next_targets = time.monotonic() + DEFAULT_TARGET_INTERVAL


def xray_sampler_factory(arg: str | None) -> Sampler:
    """The ``opentelemetry_traces_sampler`` entry point ``xray``: ``OTEL_TRACES_SAMPLER=xray``.

    The SDK passes ``OTEL_TRACES_SAMPLER_ARG``; the resource (for ``ServiceName`` and
    ``ServiceType`` matching) is the SDK's default ``Resource.create()``.
    """
    endpoint, interval = parse_sampler_arg(arg)
    return XRayRemoteSampler(Resource.create(), endpoint=endpoint, polling_interval=interval)
