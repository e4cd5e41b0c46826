from __future__ import annotations

from otelray.collector.component import Signal
from otelray.collector.processors.resource import factory
from otelray.collector.testing import sample_batch
from tests.unit.collector.processors.helpers import attrs, run

CONFIG = {"attributes": [
    {"key": "deployment.environment", "value": "staging", "action": "upsert"},
    {"key": "service.name", "value": "ignored", "action": "insert"},
    {"key": "cloud.region", "from_attribute": "missing", "action": "insert"},
]}


def test_resource_actions_on_every_signal() -> None:
    for signal, field in ((Signal.TRACES, "resource_spans"), (Signal.METRICS, "resource_metrics"),
                          (Signal.LOGS, "resource_logs")):
        (out,) = run(factory, CONFIG, signal, sample_batch(signal, service="cart"))
        got = attrs(getattr(out, field)[0].resource.attributes)
        assert got == {"service.name": "cart", "deployment.environment": "staging"}, signal
