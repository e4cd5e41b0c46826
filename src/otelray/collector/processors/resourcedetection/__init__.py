"""The ``resourcedetection`` processor (contrib ``processor/resourcedetectionprocessor``; adot-collector.md §5.4).

Detection runs once at start (``detectors`` in priority order, each bounded by ``timeout``; see
``otelray.collector.aws.resource_detection``); the result is merged into the resource of every batch.
``override: true`` (the default) lets detected values replace existing ones; ``false`` only adds
missing keys. Per-detector ``resource_attributes: {<name>: {enabled: false}}`` switches single
attributes off, as upstream's generated detector configs do; ``system.hostname_sources`` takes
``os`` (and ``dns``, which resolves the fully qualified name). Other per-detector options are refused
by name rather than ignored.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from pydantic import Field, field_validator, model_validator

from otelray.collector.anyvalue import to_any_value
from otelray.collector.aws.resource_detection import DETECTORS, Attributes, check_detectors, detect
from otelray.collector.component import Host, Settings, Signal, Stability
from otelray.collector.config.blocks import ComponentConfig, Duration
from otelray.collector.processorhelper import FuncProcessor
from otelray.collector.processors.resource import resource_attributes
from otelray.collector.registry import ProcessorFactory


class AttributeToggle(ComponentConfig):
    """``resource_attributes::<name>``."""

    enabled: bool = Field(True, description="Whether the detector sets this attribute.")


class DetectorConfig(ComponentConfig):
    """Per-detector settings (``ec2:``, ``system:`` …)."""

    resource_attributes: dict[str, AttributeToggle] = Field(default_factory=dict, description="Attribute switches.")
    hostname_sources: list[str] = Field(default_factory=list, description="system only: os and/or dns.")

    @field_validator("hostname_sources")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in ("os", "dns")]
        if unknown:
            raise ValueError(f"hostname_sources {unknown} not supported by otelray (supported: os, dns)")
        return value


class ResourceDetectionConfig(ComponentConfig):
    """``processors::resourcedetection``."""

    detectors: list[str] = Field(default_factory=lambda: ["env"], description="Detectors in priority order.")
    timeout: Duration = Field(timedelta(seconds=5), description="Time each detector may take.")
    override: bool = Field(True, description="Detected values replace existing resource attributes.")
    env: DetectorConfig = Field(default_factory=DetectorConfig, description="env detector settings.")
    system: DetectorConfig = Field(default_factory=DetectorConfig, description="system detector settings.")
    ec2: DetectorConfig = Field(default_factory=DetectorConfig, description="ec2 detector settings.")
    ecs: DetectorConfig = Field(default_factory=DetectorConfig, description="ecs detector settings.")
    eks: DetectorConfig = Field(default_factory=DetectorConfig, description="eks detector settings.")
    lambda_: DetectorConfig = Field(default_factory=DetectorConfig, alias="lambda", description="lambda detector settings.")
    elastic_beanstalk: DetectorConfig = Field(default_factory=DetectorConfig, description="elastic_beanstalk settings.")

    @field_validator("detectors")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        try:
            check_detectors(value)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _hostname_only_for_system(self) -> ResourceDetectionConfig:
        for name in DETECTORS:
            if name != "system" and self.detector(name).hostname_sources:
                raise ValueError(f"{name}: hostname_sources is a system detector setting")
        return self

    def detector(self, name: str) -> DetectorConfig:
        """The settings block of detector ``name``."""
        return getattr(self, "lambda_" if name == "lambda" else name)  # type: ignore[no-any-return]


def _system_host_name(sources: list[str]) -> str:
    for source in sources:
        name = socket.getfqdn() if source == "dns" else socket.gethostname()
        if name:
            return name
    return socket.gethostname()


async def detect_resource(config: ResourceDetectionConfig) -> Attributes:
    """Run the configured detectors and apply the per-detector attribute switches."""
    merged: Attributes = {}
    timeout = config.timeout.total_seconds()
    results = await asyncio.gather(*(detect([name], timeout=timeout) for name in config.detectors))
    for name, found in zip(config.detectors, results, strict=True):
        settings = config.detector(name)
        if name == "system" and settings.hostname_sources and "host.name" in found:
            found["host.name"] = _system_host_name(settings.hostname_sources)
        for key, value in found.items():
            toggle = settings.resource_attributes.get(key)
            if (toggle is None or toggle.enabled) and key not in merged:
                merged[key] = value
    return merged


def merge_into(kvs: Any, detected: list[KeyValue], *, override: bool) -> None:
    """Merge detected attributes into one resource's attribute list."""
    index = {kv.key: i for i, kv in enumerate(kvs)}
    for kv in detected:
        i = index.get(kv.key)
        if i is None:
            kvs.append(kv)
        elif override:
            kvs[i].value.CopyFrom(kv.value)


def _create(signal: Signal) -> Any:
    def create(settings: Settings, config: ResourceDetectionConfig, next_consumer: Any) -> FuncProcessor:
        detected: list[KeyValue] = []

        async def start(host: Host) -> None:
            found = await detect_resource(config)
            detected.extend(KeyValue(key=k, value=to_any_value(v)) for k, v in found.items())
            settings.logger.info("resourcedetection: detected %s", ", ".join(sorted(found)) or "nothing")

        def process(batch: Any) -> Any:
            for kvs in resource_attributes(signal, batch):
                merge_into(kvs, detected, override=config.override)
            return batch
        return FuncProcessor(settings, signal, process, next_consumer, start=start)
    return create


factory = ProcessorFactory(
    type="resourcedetection",
    config=ResourceDetectionConfig,
    description="Adds resource attributes detected from the environment, host and AWS platform.",
    traces=(_create(Signal.TRACES), Stability.BETA),
    metrics=(_create(Signal.METRICS), Stability.BETA),
    logs=(_create(Signal.LOGS), Stability.BETA),
)

__all__ = ["ResourceDetectionConfig", "detect_resource", "factory", "merge_into"]
