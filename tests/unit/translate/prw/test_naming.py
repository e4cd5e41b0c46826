"""Prometheus names from OTLP names and units (prometheus otlptranslator vectors, adot-collector.md §4.1)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.translate.prw import go_float_f, label_name, metric_name


@pytest.mark.parametrize(("name", "unit", "kind", "monotonic", "expected"), [
    ("system.io", "By", "sum", True, "system_io_bytes_total"),
    ("http.server.duration", "ms", "histogram", False, "http_server_duration_milliseconds"),
    ("requests", "1", "sum", True, "requests_total"),
    ("requests_total", "{request}", "sum", True, "requests_total"),
    ("total.requests", "", "sum", True, "requests_total"),  # existing "total" moved to the end
    ("cpu.utilization", "1", "gauge", False, "cpu_utilization_ratio"),
    ("speed", "m/s", "gauge", False, "speed_meters_per_second"),
    ("memory", "KiBy", "gauge", False, "memory_kibibytes"),
    ("disk_bytes", "By", "gauge", False, "disk_bytes"),  # unit already in the name
    ("free", "%", "gauge", False, "free_percent"),
    ("queue", "items", "gauge", False, "queue_items"),  # unknown units appended cleaned
    ("2xx.count", "", "gauge", False, "_2xx_count"),
    ("temp", "1", "sum", False, "temp"),  # non-monotonic sum: no _total and no _ratio
])
def test_metric_names(name, unit, kind, monotonic, expected):
    assert metric_name(name, unit, kind=kind, monotonic=monotonic) == expected


def test_namespace_and_no_suffixes():
    assert metric_name("requests", "1", kind="sum", monotonic=True, namespace="shop") == "shop_requests_total"
    assert metric_name("http.duration", "ms", kind="histogram", add_suffixes=False) == "http_duration"


@pytest.mark.parametrize(("key", "expected"), [
    ("http.method", "http_method"), ("_private", "key_private"), ("0x", "key_0x"), ("__name__", "__name__"),
    ("a-b c", "a_b_c"),
])
def test_label_names(key, expected):
    assert label_name(key) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.5, "0.5"), (10.0, "10"), (1e-07, "0.0000001"), (2.5e22, "25000000000000000000000"), (-0.25, "-0.25"),
    (float("inf"), "+Inf"),
])
def test_go_f_formatting(value, expected):
    assert go_float_f(value) == expected


_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@given(st.text(min_size=1, max_size=30).filter(lambda s: any(c.isascii() and c.isalnum() for c in s)),
       st.sampled_from(["", "1", "ms", "By", "m/s", "{req}", "%", "weird unit"]),
       st.sampled_from(["gauge", "sum", "histogram", "summary"]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_metric_names_are_always_valid_prometheus_names(name, unit, kind, monotonic):
    assert _METRIC_RE.match(metric_name(name, unit, kind=kind, monotonic=monotonic))


@given(st.text(min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_label_names_are_always_valid(key):
    assert _LABEL_RE.match(label_name(key))
