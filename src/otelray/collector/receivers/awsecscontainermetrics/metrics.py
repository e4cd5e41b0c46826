"""Task metadata + Docker stats → OTLP metrics, as contrib's ``awsecscontainermetrics`` builds them.

Upstream rules (``internal/awsecscontainermetrics``: ``metrics_helper.go``, ``accumulator.go``,
``translator.go``, ``resource.go``, ``constant.go``):

- per container with stats: memory usage/max/limit (Bytes), memory.utilized = (usage − cache) / MiB
  and memory.reserved = container ``Limits.Memory`` (Megabytes); cpu usage total/kernel/user/system
  (Nanoseconds, cumulative sums); cpu.cores = number of per-CPU counters; cpu.onlines;
  cpu.usage.vcpu = Δtotal_usage / Δ(read − preread) in ns; cpu.reserved = container ``Limits.CPU``
  (CPU units) and cpu.utilized = vCPU × 100 / cpu.reserved; network rates (Bytes/Second) and
  counters summed over interfaces; storage read/write bytes from ``io_service_bytes_recursive``
  (``Read``/``Write`` ops only);
- task = sum over containers; memory.reserved and cpu.reserved replaced by the task limits
  (``Limits.CPU`` × 1024) when present; task cpu.utilized = Σ vCPU × 1024 when cpu.reserved > 0;
  task ephemeral_storage.utilized/reserved from ``EphemeralStorageMetrics`` (MiB, 0 when absent);
- a container without stats that has StartedAt and FinishedAt emits only ``container.duration`` (s);
- resources: the task attributes, and for each container those plus the container attributes.

Pure: no I/O. A container whose stats cannot be read (wrong types) is reported in
``Translation.rejected`` and left out of the task sums; the other containers are still translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AGGREGATION_TEMPORALITY_CUMULATIVE,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from otelray.collector.receivers.awsecscontainermetrics.resource import container_attributes, task_attributes

CPUS_IN_VCPU = 1024
BYTES_IN_MIB = 1024 * 1024
TASK_PREFIX = "ecs.task."
CONTAINER_PREFIX = "container."

#: (field, metric suffix, unit, kind) in upstream's order; kind: gauge (int), sum (int, cumulative), dgauge
METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("memory_usage", "memory.usage", "Bytes", "gauge"),
    ("memory_max_usage", "memory.usage.max", "Bytes", "gauge"),
    ("memory_limit", "memory.usage.limit", "Bytes", "gauge"),
    ("memory_utilized", "memory.utilized", "Megabytes", "gauge"),
    ("memory_reserved", "memory.reserved", "Megabytes", "gauge"),
    ("cpu_total_usage", "cpu.usage.total", "Nanoseconds", "sum"),
    ("cpu_kernelmode", "cpu.usage.kernelmode", "Nanoseconds", "sum"),
    ("cpu_usermode", "cpu.usage.usermode", "Nanoseconds", "sum"),
    ("cpu_cores", "cpu.cores", "Count", "gauge"),
    ("cpu_onlines", "cpu.onlines", "Count", "gauge"),
    ("system_cpu_usage", "cpu.usage.system", "Nanoseconds", "sum"),
    ("cpu_utilized", "cpu.utilized", "None", "dgauge"),
    ("cpu_reserved", "cpu.reserved", "None", "dgauge"),
    ("cpu_vcpu", "cpu.usage.vcpu", "vCPU", "dgauge"),
    ("network_rate_rx", "network.rate.rx", "Bytes/Second", "dgauge"),
    ("network_rate_tx", "network.rate.tx", "Bytes/Second", "dgauge"),
    ("rx_bytes", "network.io.usage.rx_bytes", "Bytes", "sum"),
    ("rx_packets", "network.io.usage.rx_packets", "Count", "sum"),
    ("rx_errors", "network.io.usage.rx_errors", "Count", "sum"),
    ("rx_dropped", "network.io.usage.rx_dropped", "Count", "sum"),
    ("tx_bytes", "network.io.usage.tx_bytes", "Bytes", "sum"),
    ("tx_packets", "network.io.usage.tx_packets", "Count", "sum"),
    ("tx_errors", "network.io.usage.tx_errors", "Count", "sum"),
    ("tx_dropped", "network.io.usage.tx_dropped", "Count", "sum"),
    ("storage_read", "storage.read_bytes", "Bytes", "sum"),
    ("storage_write", "storage.write_bytes", "Bytes", "sum"),
)
TASK_ONLY: tuple[tuple[str, str, str, str], ...] = (
    ("ephemeral_utilized", "ephemeral_storage.utilized", "MiB", "gauge"),
    ("ephemeral_reserved", "ephemeral_storage.reserved", "MiB", "gauge"),
)
_NETWORK = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped")


class StatsError(ValueError):
    """A container's stats have a field of the wrong type."""


@dataclass
class EcsMetrics:
    """One container's (or the task's) values (upstream ``ECSMetrics``)."""

    memory_usage: int = 0
    memory_max_usage: int = 0
    memory_limit: int = 0
    memory_utilized: int = 0
    memory_reserved: int = 0
    cpu_total_usage: int = 0
    cpu_kernelmode: int = 0
    cpu_usermode: int = 0
    cpu_cores: int = 0
    cpu_onlines: int = 0
    system_cpu_usage: int = 0
    cpu_utilized: float = 0.0
    cpu_reserved: float = 0.0
    cpu_vcpu: float = 0.0
    network_rate_rx: float = 0.0
    network_rate_tx: float = 0.0
    rx_bytes: int = 0
    rx_packets: int = 0
    rx_errors: int = 0
    rx_dropped: int = 0
    tx_bytes: int = 0
    tx_packets: int = 0
    tx_errors: int = 0
    tx_dropped: int = 0
    storage_read: int = 0
    storage_write: int = 0
    ephemeral_utilized: int = 0
    ephemeral_reserved: int = 0


@dataclass
class Translation:
    """The metrics of one scrape and the containers that could not be read."""

    resource_metrics: list[ResourceMetrics] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (docker id, reason)


def parse_time_ns(value: str) -> int:
    """RFC 3339 with up to nanosecond fractions (Go's ``time.RFC3339Nano``) → epoch ns."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    fraction = 0
    if "." in text:
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction = int((rest[:digits] + "000000000")[:9]) if digits else 0
        text = head + rest[digits:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + fraction


def _int(obj: Any, key: str) -> int:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatsError(f"{key} is {type(value).__name__}, not a number")
    return int(value)


def _float(obj: Any, key: str) -> float:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatsError(f"{key} is {type(value).__name__}, not a number")
    return float(value)


def _dict(obj: Any, key: str) -> dict[str, Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StatsError(f"{key} is {type(value).__name__}, not an object")
    return value


def container_metrics(stats: dict[str, Any]) -> EcsMetrics:
    """Values from one container's Docker stats (upstream ``getContainerMetrics``)."""
    m = EcsMetrics()
    memory = _dict(stats, "memory_stats")
    if memory:
        m.memory_usage, m.memory_max_usage = _int(memory, "usage"), _int(memory, "max_usage")
        m.memory_limit = _int(memory, "limit")
        if "stats" in memory:
            m.memory_utilized = max(0, m.memory_usage - _int(_dict(memory, "stats"), "cache")) // BYTES_IN_MIB
    cpu, pre = _dict(stats, "cpu_stats"), _dict(stats, "precpu_stats")
    usage = _dict(cpu, "cpu_usage")
    if usage:
        elapsed = 0
        if stats.get("read") and stats.get("preread"):
            try:
                elapsed = parse_time_ns(str(stats["read"])) - parse_time_ns(str(stats["preread"]))
            except ValueError as exc:
                raise StatsError(f"read/preread: {exc}") from exc
        m.cpu_total_usage = _int(usage, "total_usage")
        if elapsed > 0:
            m.cpu_vcpu = (m.cpu_total_usage - _int(_dict(pre, "cpu_usage"), "total_usage")) / elapsed
        m.cpu_utilized = m.cpu_vcpu * 100
        m.cpu_kernelmode, m.cpu_usermode = _int(usage, "usage_in_kernelmode"), _int(usage, "usage_in_usermode")
        percpu = usage.get("percpu_usage")
        m.cpu_cores = len(percpu) if isinstance(percpu, list) else 0
        m.cpu_onlines, m.system_cpu_usage = _int(cpu, "online_cpus"), _int(cpu, "system_cpu_usage")
    rate = _dict(stats, "network_rate_stats")
    if rate:
        m.network_rate_rx, m.network_rate_tx = _float(rate, "rx_bytes_per_sec"), _float(rate, "tx_bytes_per_sec")
    for interface in _dict(stats, "networks").values():
        for name in _NETWORK:
            setattr(m, name, getattr(m, name) + _int(interface, name))
    blkio = _dict(stats, "blkio_stats").get("io_service_bytes_recursive") or []
    for entry in blkio if isinstance(blkio, list) else []:
        if isinstance(entry, dict) and entry.get("op") == "Read":
            m.storage_read = _int(entry, "value")
        elif isinstance(entry, dict) and entry.get("op") == "Write":
            m.storage_write = _int(entry, "value")
    return m


def _limits(meta: dict[str, Any]) -> tuple[float | None, float | None]:
    limits = meta.get("Limits") if isinstance(meta.get("Limits"), dict) else {}
    cpu, memory = limits.get("CPU"), limits.get("Memory")
    return (float(cpu) if isinstance(cpu, int | float) else None,
            float(memory) if isinstance(memory, int | float) else None)


def _add(task: EcsMetrics, container: EcsMetrics) -> None:
    for item in fields(EcsMetrics):
        if item.name != "cpu_utilized":  # upstream does not sum utilization
            setattr(task, item.name, getattr(task, item.name) + getattr(container, item.name))


def _resource(attrs: dict[str, str | int]) -> Resource:
    def value(v: str | int) -> AnyValue:
        return AnyValue(int_value=v) if isinstance(v, int) else AnyValue(string_value=v)

    return Resource(attributes=[KeyValue(key=k, value=value(v)) for k, v in attrs.items()])


def _metric(name: str, unit: str, kind: str, value: float, now_ns: int) -> Metric:
    point = NumberDataPoint(time_unix_nano=now_ns)
    if kind == "dgauge":
        point.as_double = float(value)
    else:
        point.as_int = int(value)
    metric = Metric(name=name, unit=unit)
    if kind == "sum":
        metric.sum.data_points.append(point)
        metric.sum.aggregation_temporality = AGGREGATION_TEMPORALITY_CUMULATIVE
        metric.sum.is_monotonic = False  # upstream's IntSum leaves IsMonotonic unset
    else:
        metric.gauge.data_points.append(point)
    return metric


def to_resource_metrics(prefix: str, values: EcsMetrics, attrs: dict[str, str | int], now_ns: int) -> ResourceMetrics:
    """One resource with every metric of ``values`` (upstream ``convertToOTLPMetrics``)."""
    table = METRICS + (TASK_ONLY if prefix == TASK_PREFIX else ())
    scope = ScopeMetrics(metrics=[_metric(prefix + suffix, unit, kind, getattr(values, name), now_ns)
                                  for name, suffix, unit, kind in table])
    return ResourceMetrics(resource=_resource(attrs), scope_metrics=[scope])


def translate(task: dict[str, Any], stats: dict[str, Any], now_ns: int) -> Translation:
    """Every container's metrics, then the task's (upstream ``getMetricsData``)."""
    out = Translation()
    totals = EcsMetrics()
    task_attrs = task_attributes(task)
    for container in task.get("Containers") or []:
        if not isinstance(container, dict):
            out.rejected.append(("", "container metadata is not an object"))
            continue
        attrs = {**container_attributes(container), **task_attrs}
        docker_id = str(container.get("DockerId", ""))
        container_stats = stats.get(docker_id)
        if isinstance(container_stats, dict) and container_stats.get("id"):
            try:
                values = container_metrics(container_stats)
            except StatsError as exc:
                out.rejected.append((docker_id, str(exc)))
                continue
            cpu, memory = _limits(container)
            if memory is not None:
                values.memory_reserved = int(memory)
            if cpu is not None:
                values.cpu_reserved = cpu
            if values.cpu_reserved > 0:
                values.cpu_utilized = values.cpu_utilized / values.cpu_reserved
            out.resource_metrics.append(to_resource_metrics(CONTAINER_PREFIX, values, attrs, now_ns))
            _add(totals, values)
        elif container.get("StartedAt") and container.get("FinishedAt"):
            try:
                seconds = (parse_time_ns(str(container["FinishedAt"])) - parse_time_ns(str(container["StartedAt"]))) / 1e9
            except ValueError:
                seconds = 0.0  # upstream logs the bad time and reports 0
                out.rejected.append((docker_id, "StartedAt/FinishedAt are not RFC 3339 times"))
            scope = ScopeMetrics(metrics=[_metric(CONTAINER_PREFIX + "duration", "Seconds", "dgauge", seconds, now_ns)])
            out.resource_metrics.append(ResourceMetrics(resource=_resource(attrs), scope_metrics=[scope]))
    _task_limits(totals, task)
    out.resource_metrics.append(to_resource_metrics(TASK_PREFIX, totals, task_attrs, now_ns))
    return out


def _task_limits(totals: EcsMetrics, task: dict[str, Any]) -> None:
    """Upstream ``overrideWithTaskLevelLimit`` plus the ephemeral storage of Fargate tasks."""
    cpu, memory = _limits(task)
    if memory is not None:
        totals.memory_reserved = int(memory)
    if cpu is not None:
        totals.cpu_reserved = cpu * CPUS_IN_VCPU
    if totals.cpu_reserved > 0:
        totals.cpu_utilized = totals.cpu_vcpu * CPUS_IN_VCPU
    storage = task.get("EphemeralStorageMetrics")
    if isinstance(storage, dict):
        totals.ephemeral_utilized = int(storage.get("Utilized") or 0)
        totals.ephemeral_reserved = int(storage.get("Reserved") or 0)
