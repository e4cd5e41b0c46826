"""The ``awsxray`` receiver: X-Ray daemon UDP datagrams in, OTLP spans out, plus the sampling proxy."""

from __future__ import annotations

from typing import Any

from otelray.collector.component import Settings, Stability
from otelray.collector.receivers.awsxray.config import AwsXrayReceiverConfig, ProxyServerConfig
from otelray.collector.receivers.awsxray.receiver import AwsXrayReceiver
from otelray.collector.registry import ReceiverFactory


def create_traces(settings: Settings, config: AwsXrayReceiverConfig, next_consumer: Any) -> AwsXrayReceiver:
    """The receiver feeding ``next_consumer``."""
    return AwsXrayReceiver(settings, config, next_consumer)


factory = ReceiverFactory(
    type="awsxray",
    config=AwsXrayReceiverConfig,
    description="Receives X-Ray daemon-protocol segments over UDP; proxies sampling calls over TCP.",
    traces=(create_traces, Stability.BETA),
    lifecycle_test_config={"endpoint": "127.0.0.1:0", "proxy_server": None},
)

__all__ = ["AwsXrayReceiver", "AwsXrayReceiverConfig", "ProxyServerConfig", "create_traces", "factory"]
