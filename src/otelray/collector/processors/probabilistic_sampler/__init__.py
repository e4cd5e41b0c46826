"""The ``probabilistic_sampler`` processor for traces and logs (contrib ``processor/probabilisticsamplerprocessor``).

Decisions are in ``sampling.py``. Mode defaults as upstream: ``proportional`` unless ``hash_seed`` is
set (then ``hash_seed``). Logs are sampled by their trace id (``attribute_source: traceID``) or by
the value of ``from_attribute`` (``attribute_source: record``, hashed as bytes of its string form);
records without the chosen source are kept when ``fail_closed`` is false and dropped otherwise.
Dropped items are counted in ``otelcol_processor_probabilistic_sampler_count_{traces,logs}_sampled_total``
with ``sampled="false"``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, NonNegativeInt, model_validator

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.processorhelper import FuncProcessor
from otelray.collector.processors.probabilistic_sampler import sampling
from otelray.collector.registry import ProcessorFactory


class ProbabilisticSamplerConfig(ComponentConfig):
    """``processors::probabilistic_sampler``."""

    sampling_percentage: float = Field(0.0, ge=0, le=100, description="Percentage of traces kept (0–100).")
    hash_seed: NonNegativeInt = Field(0, le=0xFFFFFFFF, description="Seed of hash_seed mode.")
    mode: Literal["", "hash_seed", "proportional", "equalizing"] = Field("", description="Sampling mode.")
    fail_closed: bool = Field(True, description="Drop items whose randomness cannot be read.")
    sampling_precision: int = Field(4, ge=1, le=14, description="Hex digits of the encoded threshold.")
    attribute_source: Literal["traceID", "record"] = Field("traceID", description="Logs: what to hash.")
    from_attribute: str = Field("", description="Logs with attribute_source record: the attribute hashed.")
    sampling_priority: str = Field("", description="Logs: attribute whose value overrides the percentage.")

    @model_validator(mode="after")
    def _record_needs_attribute(self) -> ProbabilisticSamplerConfig:
        if self.attribute_source == "record" and not self.from_attribute:
            raise ValueError('attribute_source "record" needs from_attribute')
        return self

    @property
    def effective_mode(self) -> str:
        """The mode used (upstream default rules)."""
        if self.mode:
            return self.mode
        return "hash_seed" if self.hash_seed or self.attribute_source == "record" else "proportional"


def _priority(attributes: Any, key: str) -> float | None:
    for kv in attributes:
        if kv.key == key:
            kind = kv.value.WhichOneof("value")
            if kind in ("int_value", "double_value"):
                return float(getattr(kv.value, kind))
            if kind == "string_value":
                try:
                    return float(kv.value.string_value)
                except ValueError:
                    return None
    return None


class Sampler:
    """One configured sampler; ``keep`` decides for a (trace id, tracestate, attributes) triple."""

    def __init__(self, config: ProbabilisticSamplerConfig) -> None:
        self.config = config
        self.mode = config.effective_mode
        self.bucket = sampling.hash_seed_threshold(config.sampling_percentage)
        self.threshold = sampling.probability_threshold(config.sampling_percentage, config.sampling_precision)

    def keep(self, key: bytes, trace_state: str) -> tuple[bool, str | None]:
        """Decision and, for the OTEP 235 modes, the tracestate to write on a kept item."""
        if self.mode == "hash_seed":
            if not key:
                return (not self.config.fail_closed), None
            return sampling.hash_seed_keep(key, self.config.hash_seed, self.bucket), None
        _, incoming, rv = sampling.parse_ot(trace_state)
        if len(key) != 16 and rv is None:
            return (not self.config.fail_closed), None
        threshold = sampling.combine(self.mode, self.threshold, incoming)
        if threshold >= sampling.MAX_ADJUSTED or sampling.randomness(key, rv) < threshold:
            return False, None
        return True, sampling.with_threshold(trace_state, threshold)


def _sample_traces(sampler: Sampler, batch: Any) -> int:
    dropped = 0
    for rs in batch.resource_spans:
        for ss in rs.scope_spans:
            doomed = []
            for i, span in enumerate(ss.spans):
                priority = _priority(span.attributes, "sampling.priority")
                if priority is not None:
                    keep, state = priority > 0, None
                else:
                    keep, state = sampler.keep(span.trace_id, span.trace_state)
                if not keep:
                    doomed.append(i)
                elif state is not None:
                    span.trace_state = state
            for i in reversed(doomed):
                del ss.spans[i]
            dropped += len(doomed)
    return dropped


def _log_key(config: ProbabilisticSamplerConfig, record: Any) -> bytes:
    if config.attribute_source == "traceID":
        return bytes(record.trace_id)
    for kv in record.attributes:
        if kv.key == config.from_attribute:
            return str(getattr(kv.value, kv.value.WhichOneof("value") or "string_value")).encode()
    return b""


def _sample_logs(sampler: Sampler, batch: Any) -> int:
    dropped = 0
    cfg = sampler.config
    for rl in batch.resource_logs:
        for sl in rl.scope_logs:
            doomed = []
            for i, record in enumerate(sl.log_records):
                priority = _priority(record.attributes, cfg.sampling_priority) if cfg.sampling_priority else None
                if priority is not None:
                    keep = sampling.hash_seed_keep(_log_key(cfg, record) or b"\0", cfg.hash_seed,
                                                   sampling.hash_seed_threshold(min(100.0, priority)))
                else:
                    keep, _ = sampler.keep(_log_key(cfg, record), "")
                if not keep:
                    doomed.append(i)
            for i in reversed(doomed):
                del sl.log_records[i]
            dropped += len(doomed)
    return dropped


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: ProbabilisticSamplerConfig, next_consumer: Any) -> FuncProcessor:
        sampler = Sampler(config)
        sample = _sample_traces if signal is Signal.TRACES else _sample_logs
        counter = settings.telemetry.counter(
            f"otelcol_processor_probabilistic_sampler_count_{signal.value}_sampled",
            f"{signal.item} not sampled by the probabilistic sampler.", sampled="false")

        def process(batch: Any) -> Any:
            dropped = sample(sampler, batch)
            if dropped:
                counter.inc(dropped)
            return batch
        return FuncProcessor(settings, signal, process, next_consumer)
    return create


factory = ProcessorFactory(
    type="probabilistic_sampler",
    config=ProbabilisticSamplerConfig,
    description="Keeps a percentage of traces (trace-id hash) and logs.",
    traces=(_create(Signal.TRACES), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.ALPHA),
    lifecycle_test_config={"sampling_percentage": 100},
)

__all__ = ["ProbabilisticSamplerConfig", "Sampler", "factory"]
