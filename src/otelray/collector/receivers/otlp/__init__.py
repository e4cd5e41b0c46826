"""The ``otlp`` receiver (collector ``receiver/otlpreceiver``): OTLP over gRPC and HTTP.

One instance per configured ID serves every signal (shared across pipelines, see
``service/shared.py``); the factory's per-signal create registers the pipeline's consumer on it.
"""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Signal, Stability
from otelray.collector.receivers.otlp.config import OtlpReceiverConfig
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.registry import ReceiverFactory
from otelray.collector.service.shared import SharedHandle, get_or_create


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: OtlpReceiverConfig, next_consumer: Any) -> SharedHandle[OtlpReceiver]:
        handle = get_or_create(settings, lambda: OtlpReceiver(settings, config))
        handle.component.register(signal, next_consumer)
        return handle

    return create


factory = ReceiverFactory(
    type="otlp",
    config=OtlpReceiverConfig,
    description="Receives OTLP over gRPC (4317) and HTTP (4318): traces, metrics and logs.",
    traces=(_create(Signal.TRACES), Stability.STABLE),
    metrics=(_create(Signal.METRICS), Stability.STABLE),
    logs=(_create(Signal.LOGS), Stability.STABLE),
    lifecycle_test_config={"protocols": {"grpc": {"endpoint": "127.0.0.1:0"}, "http": {"endpoint": "127.0.0.1:0"}}},
)

__all__ = ["OtlpReceiver", "OtlpReceiverConfig", "factory"]
