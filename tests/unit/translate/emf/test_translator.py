"""OTLP metrics → EMF: values per type, dimensions, declarations, templating and JSON (adot-collector.md §3)."""

from __future__ import annotations

import json
import math

import pytest
from opentelemetry.proto.metrics.v1.metrics_pb2 import NumberDataPoint

from otelray.translate.emf import (
    DeltaState,
    EmfOptions,
    LabelMatcher,
    MetricDeclaration,
    MetricDescriptor,
    RollupOption,
    translate_metrics,
)
from otelray.translate.emf.delta import DEFAULT_TTL_SECONDS

from .metrics import DELTA, T0, counter, exp_histogram, gauge, histogram, kv, resource, summary

NOW = T0 / 1e9


def run(*rms, state=None, now=NOW, **opts):
    options = EmfOptions(**{"log_stream_name": "s", **opts})
    return translate_metrics(list(rms), options=options, state=DeltaState() if state is None else state, now=now)


def docs(result):
    return [json.loads(e.message) for e in result.events]


def only(result):
    (doc,) = docs(result)
    return doc


def test_cw_metric_to_emf_vector():
    # contrib exporter/awsemfexporter/testdata/testTranslateCWMetricToEMF.json (older layout, which
    # lacked Version and StorageResolution): a gauge with an OTelLib scope and one label.
    rm = resource([gauge("spanCounter", 0, unit="Count", t=1596151098037 * 1_000_000, spanName="test")],
                  scope="cloudwatch-otel")
    assert only(run(rm, namespace="test-emf")) == {
        "OTelLib": "cloudwatch-otel", "spanName": "test", "spanCounter": 0, "Version": "1",
        "_aws": {"CloudWatchMetrics": [{
            "Namespace": "test-emf", "Dimensions": [["OTelLib"], ["OTelLib", "spanName"]],
            "Metrics": [{"Name": "spanCounter", "Unit": "Count", "StorageResolution": 60}]}],
            "Timestamp": 1596151098037},
    }


@pytest.mark.parametrize(("option", "labels", "expected"), [
    (RollupOption.NONE, {"a": "A", "b": "B"}, [["a", "b"]]),
    (RollupOption.SINGLE_ONLY, {"a": "A", "b": "B"}, [["a", "b"], ["a"], ["b"]]),
    (RollupOption.ZERO_AND_SINGLE, {"a": "A", "b": "B"}, [["a", "b"], [], ["a"], ["b"]]),
    (RollupOption.SINGLE_ONLY, {"a": "A"}, [["a"]]),  # full set would duplicate the single rollup
    (RollupOption.ZERO_AND_SINGLE, {"a": "A"}, [[], ["a"]]),
    (RollupOption.NONE, {"a": "A"}, [["a"]]),
    (RollupOption.ZERO_AND_SINGLE, {}, [[]]),
])
def test_dimension_rollup(option, labels, expected):
    doc = only(run(resource([gauge("m", 1, **labels)]), namespace="ns", dimension_rollup_option=option))
    assert doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == expected


def test_rollup_keeps_otellib_in_every_set():
    rm = resource([gauge("m", 1, a="A", b="B")], scope="lib")
    doc = only(run(rm, namespace="ns"))
    assert doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [
        ["OTelLib", "a", "b"], ["OTelLib"], ["OTelLib", "a"], ["OTelLib", "b"]]


def test_metrics_with_same_labels_and_time_share_one_event():
    rm = resource([gauge("m1", 1, unit="ms", a="A"), gauge("m2", 2.5, unit="By", a="A"), gauge("m3", 3, a="B")])
    events = docs(run(rm, namespace="ns", dimension_rollup_option=RollupOption.NONE))
    assert len(events) == 2
    first = next(d for d in events if d["a"] == "A")
    assert first["m1"] == 1 and first["m2"] == 2.5
    assert first["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "m1", "Unit": "Milliseconds", "StorageResolution": 60},
        {"Name": "m2", "Unit": "Bytes", "StorageResolution": 60}]


def test_declarations_select_metrics_and_dimensions():
    decls = (
        MetricDeclaration(dimensions=(("a",), ("b", "a"), ("a", "missing")), metric_name_selectors=("^latency$",)),
        MetricDeclaration(dimensions=(("b",),), metric_name_selectors=("count",)),
    )
    rm = resource([gauge("latency", 1, a="A", b="B"), gauge("count", 2, a="A", b="B"),
                   gauge("other", 3, a="A", b="B")])
    doc = only(run(rm, namespace="ns", metric_declarations=decls, dimension_rollup_option=RollupOption.NONE))
    directives = {d["Metrics"][0]["Name"]: d for d in doc["_aws"]["CloudWatchMetrics"]}
    assert set(directives) == {"latency", "count"}  # "other" stays a plain field
    assert directives["latency"]["Dimensions"] == [["a"], ["a", "b"]]  # sets sorted; the missing-label set dropped
    assert directives["count"]["Dimensions"] == [["b"]]
    assert doc["other"] == 3


def test_declaration_label_matchers_and_no_match_gives_plain_log():
    decl = MetricDeclaration(dimensions=(("a",),), metric_name_selectors=(".*",),
                             label_matchers=(LabelMatcher(("a", "b"), "^A;B$"),))
    matched = only(run(resource([gauge("m", 1, a="A", b="B")]), namespace="ns", metric_declarations=(decl,),
                       dimension_rollup_option=RollupOption.NONE))
    assert matched["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["a"]]
    plain = only(run(resource([gauge("m", 1, a="A", b="X")]), namespace="ns", metric_declarations=(decl,)))
    assert plain == {"a": "A", "b": "X", "m": 1}


def test_declaration_adds_rollup_sets_and_dedups():
    decl = MetricDeclaration(dimensions=(("a",), ("a", "b"), ("b", "a")), metric_name_selectors=("m",))
    doc = only(run(resource([gauge("m", 1, a="A", b="B")]), namespace="ns", metric_declarations=(decl,),
                   dimension_rollup_option=RollupOption.SINGLE_ONLY))
    assert doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["a"], ["a", "b"], ["b"]]


def test_declaration_rules():
    with pytest.raises(ValueError, match="no metric name selectors"):
        MetricDeclaration(dimensions=(("a",),))
    eleven = tuple(f"d{i}" for i in range(11))
    decl = MetricDeclaration(dimensions=(eleven, ("x", "x", "a")), metric_name_selectors=("m",))
    assert decl.dimensions == (("a", "x"),)


def test_cumulative_sum_becomes_delta_after_baseline():
    state = DeltaState()
    first = run(resource([counter("reqs", 10, a="A")]), state=state, namespace="ns")
    assert first.events == []
    second = only(run(resource([counter("reqs", 15, t=T0 + 10**9, a="A")]), state=state, now=NOW + 1, namespace="ns"))
    assert second["reqs"] == 5
    reset = only(run(resource([counter("reqs", 3, t=T0 + 2 * 10**9, a="A")]), state=state, now=NOW + 2,
                     namespace="ns"))
    assert reset["reqs"] == 3  # negative delta: the raw value


def test_retain_initial_value_and_delta_sums_pass_through():
    assert only(run(resource([counter("reqs", 10)]), namespace="ns",
                    retain_initial_value_of_delta_metric=True))["reqs"] == 10
    assert only(run(resource([counter("reqs", 7, temporality=DELTA)]), namespace="ns"))["reqs"] == 7


def test_delta_state_expires_after_ttl():
    state = DeltaState()
    run(resource([counter("reqs", 10)]), state=state, namespace="ns")
    late = run(resource([counter("reqs", 20)]), state=state, now=NOW + DEFAULT_TTL_SECONDS + 1, namespace="ns")
    assert late.events == []  # the old baseline expired: this is a new baseline


def test_histogram_statistic_set():
    rm = resource([histogram("lat", [10, 100], [1, 2, 1], 250.0, unit="ms", mn=1, mx=200)])
    doc = only(run(rm, namespace="ns"))
    assert doc["lat"] == {"Max": 200, "Min": 1, "Count": 4, "Sum": 250}
    assert doc["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Milliseconds"


def test_summary_default_and_detailed():
    rm = resource([summary("rt", 4, 20.0, [(0.0, 1.0), (0.5, 4.0), (1.0, 9.0)], a="A")])
    assert only(run(rm, namespace="ns"))["rt"] == {"Max": 9, "Min": 1, "Count": 4, "Sum": 20}
    detailed = docs(run(rm, namespace="ns", detailed_metrics=True, dimension_rollup_option=RollupOption.NONE))
    by_q = {d.get("quantile"): d for d in detailed}
    assert by_q[None]["rt_sum"] == 20 and by_q[None]["rt_count"] == 4
    assert {q: by_q[q]["rt"] for q in ("0", "0.5", "1")} == {"0": 1, "0.5": 4, "1": 9}
    assert by_q["0.5"]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["a", "quantile"]]


def test_prometheus_summary_is_delta_converted_with_metric_type():
    state = DeltaState()
    first = run(resource([summary("rt", 4, 20.0, [(0.5, 4.0)])], receiver="prometheus"), state=state, namespace="ns")
    assert first.events == []
    doc = only(run(resource([summary("rt", 6, 29.0, [(0.5, 5.0)], t=T0 + 10**9)], receiver="prometheus"),
                   state=state, now=NOW + 1, namespace="ns"))
    assert doc["rt"] == {"Max": 5, "Min": 5, "Count": 2, "Sum": 9}
    assert doc["prom_metric_type"] == "summary"


def test_exponential_histogram_midpoints():
    m = exp_histogram("eh", scale=0, offset=0, counts=[1, 2], zero=3, neg_offset=0, neg_counts=[4],
                      total=10.0, mn=-2.0, mx=4.0)
    assert only(run(resource([m]), namespace="ns"))["eh"] == {
        "Values": [3, 1.5, 0, -1.5], "Counts": [2, 1, 3, 4], "Max": 4, "Min": -2, "Count": 10, "Sum": 10}


def test_exponential_histogram_split_at_100_values():
    m = exp_histogram("eh", scale=0, offset=0, counts=[1] * 150, total=99.0, mn=1.0, mx=2.0**150)
    events = docs(run(resource([m]), namespace="ns"))
    assert len(events) == 2
    first, second = sorted((d["eh"] for d in events), key=lambda v: -len(v["Values"]))
    assert len(first["Values"]) == 100 and len(second["Values"]) == 50
    assert first["Sum"] == 99 and second["Sum"] == 0
    assert first["Max"] == 2.0**150 and second["Min"] == 1
    assert first["Count"] + second["Count"] == 150
    assert first["Min"] == 2.0**50 and second["Max"] == 2.0**50  # the bounds where the split falls


def test_invalid_points_are_dropped_and_counted():
    m = gauge("g", 1.0)
    m.gauge.data_points.append(NumberDataPoint(time_unix_nano=T0, as_double=math.nan, attributes=kv(x="1")))
    m.gauge.data_points.append(NumberDataPoint(time_unix_nano=T0, as_double=2.0, flags=1, attributes=kv(x="2")))
    result = run(resource([m]), namespace="ns")
    assert result.dropped_points == 2
    assert len(result.events) == 1


def test_namespace_and_log_group_templating():
    rm = resource([gauge("g", 1, TaskId="label-task")], service__name="svc", service__namespace="shop",
                  aws__ecs__cluster__name="prod")
    (event,) = run(rm, log_group_name="/aws/ecs/{ClusterName}", log_stream_name="{TaskId}/{ServiceName}").events
    assert event.log_group == "/aws/ecs/prod"
    assert event.log_stream == "label-task/svc"  # TaskId missing on the resource: retried against labels
    assert json.loads(event.message)["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "shop/svc"
    (missing,) = run(resource([gauge("g", 1)]), log_group_name="/g/{ClusterName}").events
    assert missing.log_group == "/g/undefined"
    assert json.loads(missing.message)["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "default"
    assert missing.log_group != "/metrics/default"


def test_default_log_group_and_timestamp():
    (event,) = run(resource([gauge("g", 1, t=0)], service__name="svc")).events
    assert event.log_group == "/metrics/svc"
    assert event.timestamp_ms == int(NOW * 1000)


def test_resource_to_telemetry_storage_resolution_and_descriptors():
    rm = resource([gauge("g", 1, aws__emf__storage_resolution="1"), gauge("h", 2, unit="ms")],
                  host__name="h1")
    doc = only(run(rm, namespace="ns", resource_to_telemetry_conversion=True,
                   dimension_rollup_option=RollupOption.NONE,
                   metric_descriptors=(MetricDescriptor("g", "Count"), MetricDescriptor("h", "Seconds", True))))
    assert doc["host.name"] == "h1" and "aws.emf.storage_resolution" not in doc
    metrics = {m["Name"]: m for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert metrics["g"] == {"Name": "g", "Unit": "Count", "StorageResolution": 1}
    assert metrics["h"]["Unit"] == "Seconds"


def test_version_0_and_json_encoded_labels():
    rm = resource([gauge("g", 1, payload='{"k": [1, 2]}')])
    doc = only(run(rm, namespace="ns", version="0", parse_json_encoded_attr_values=("payload",)))
    assert doc["Timestamp"] == str(T0 // 1_000_000) and doc["Version"] == "0"
    assert doc["CloudWatchMetrics"][0]["Namespace"] == "ns" and "_aws" not in doc
    assert doc["payload"] == {"k": [1, 2]}


def test_duplicate_metric_in_group_is_counted_first_kept():
    result = run(resource([gauge("g", 1), gauge("g", 2)]), namespace="ns")
    assert result.duplicate_metrics == 1
    assert only(result)["g"] == 1


def test_only_known_placeholders_are_replaced():
    rm = resource([gauge("g", 1)], service__instance__id="i-7", faas__name="fn")
    (event,) = run(rm, namespace="ns", log_group_name="/{FaasName}/{InstanceId}/{Unknown}").events
    assert event.log_group == "/fn/i-7/{Unknown}"
