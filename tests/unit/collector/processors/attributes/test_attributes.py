from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from otelray.collector.component import Signal
from otelray.collector.processors.attributes import AttributesConfig, factory
from otelray.collector.testing import sample_batch
from tests.unit.collector.processors.helpers import attrs, run


def _span_attrs(config: dict, **extra: object) -> dict:
    batch = sample_batch(Signal.TRACES)
    span = batch.resource_spans[0].scope_spans[0].spans[0]
    for key, value in extra.items():
        kv = span.attributes.add(key=key)
        if isinstance(value, int):
            kv.value.int_value = value
        else:
            kv.value.string_value = str(value)
    (out,) = run(factory, config, Signal.TRACES, batch)
    return attrs(out.resource_spans[0].scope_spans[0].spans[0].attributes)


def test_insert_update_upsert() -> None:
    got = _span_attrs({"actions": [
        {"key": "index", "value": "x", "action": "insert"},           # exists: unchanged
        {"key": "env", "value": "prod", "action": "insert"},          # absent: added
        {"key": "missing", "value": 1, "action": "update"},           # absent: not added
        {"key": "index", "value": 7, "action": "update"},             # exists: changed, int
        {"key": "copy", "from_attribute": "env", "action": "upsert"},
    ]})
    assert got == {"index": 7, "env": "prod", "copy": "prod"}


def test_delete_by_key_and_pattern_and_hash() -> None:
    got = _span_attrs({"actions": [
        {"key": "user.email", "action": "hash"},
        {"pattern": "^secret\\.", "action": "delete"},
    ]}, **{"user.email": "a@b.c", "secret.token": "t", "secret.key": "k"})
    assert got == {"index": "0", "user.email": hashlib.sha256(b"a@b.c").hexdigest()}


def test_extract_named_groups_and_convert() -> None:
    got = _span_attrs({"actions": [
        {"key": "http.url", "pattern": "^(?P<scheme>\\w+)://(?P<host>[^/]+)/(?P<id>\\d+)$", "action": "extract"},
        {"key": "id", "converted_type": "int", "action": "convert"},
        {"key": "status", "converted_type": "string", "action": "convert"},
        {"key": "scheme", "converted_type": "int", "action": "convert"},  # cannot convert: unchanged
    ]}, **{"http.url": "https://shop.example/42", "status": 200})
    assert got["host"] == "shop.example"
    assert got["id"] == 42
    assert got["status"] == "200"
    assert got["scheme"] == "https"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"key": "a", "action": "insert"}, 'needs exactly one of "value", "from_attribute", "from_context"'),
        ({"action": "delete"}, 'action "delete" needs "key" or "pattern"'),
        ({"key": "a", "pattern": "(x)", "action": "extract"}, "has no named subexpressions"),
        ({"key": "a", "action": "convert"}, 'needs "key" and "converted_type"'),
        ({"key": "a", "action": "rename"}, "Input should be 'insert'"),
        ({"key": "a", "from_context": "metadata.tenant", "action": "insert"}, 'from_context "metadata.tenant" is not supported'),
    ],
)
def test_invalid_actions_are_config_errors(action: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AttributesConfig.model_validate({"actions": [action]})


def test_include_exclude_are_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="include/exclude match properties are not supported"):
        AttributesConfig.model_validate({"include": {"match_type": "strict", "services": ["a"]}, "actions": []})


def test_logs_and_datapoints() -> None:
    cfg = {"actions": [{"key": "tier", "value": "gold", "action": "upsert"}]}
    (logs,) = run(factory, cfg, Signal.LOGS, sample_batch(Signal.LOGS, 2))
    assert all(attrs(r.attributes) == {"tier": "gold"} for r in logs.resource_logs[0].scope_logs[0].log_records)
    (metrics,) = run(factory, cfg, Signal.METRICS, sample_batch(Signal.METRICS, 2))
    points = metrics.resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points
    assert [attrs(p.attributes) for p in points] == [{"tier": "gold"}, {"tier": "gold"}]
