"""ADOT's StatsD → CloudWatch expectation: aws-otel-test-framework
``validator/src/main/resources/expected-data-template/statsDOtelLibExpectedMetric.mustache`` lists, per
metric, the dimension set {OTelLib=otelcol/statsdreceiver, <the line's tags>} in the configured
namespace. The same lines go through the statsd aggregation and the awsemf translation with the ADOT
ECS defaults (ZeroAndSingleDimensionRollup)."""

from __future__ import annotations

import json

from otelray.collector.receivers.statsd import StatsdReceiverConfig
from otelray.collector.receivers.statsd.aggregate import Aggregator
from otelray.collector.receivers.statsd.parser import parse_line
from otelray.translate.emf import DeltaState, EmfOptions, translate_metrics

LINES = [
    "statsdTestMetric1g_abc:1|g|#mykey1:myvalue1,mykey2:myvalue2",
    "statsdTestMetric1c_abc:1|c|#mykey3:myvalue3",
    "statsdTestMetric1ms_abc:1|ms|#mykey4:myvalue4",
    "statsdTestMetric1h_abc:1|h|#mykey5:myvalue5",
]
EXPECTED = {
    "statsdTestMetric1g_abc": {"OTelLib": "otelcol/statsdreceiver", "mykey1": "myvalue1", "mykey2": "myvalue2"},
    "statsdTestMetric1c_abc": {"OTelLib": "otelcol/statsdreceiver", "mykey3": "myvalue3"},
    "statsdTestMetric1ms_abc": {"OTelLib": "otelcol/statsdreceiver", "mykey4": "myvalue4"},
    "statsdTestMetric1h_abc": {"OTelLib": "otelcol/statsdreceiver", "mykey5": "myvalue5"},
}


def test_statsd_lines_give_the_dimensions_adot_validates():
    agg = Aggregator(StatsdReceiverConfig().observers())
    for line in LINES:
        agg.add(parse_line(line), 1_700_000_000_000_000_000)
    rm = agg.flush(1_700_000_000_000_000_000, 1_700_000_001_000_000_000)
    result = translate_metrics([rm], options=EmfOptions(namespace="ECS/AWSOTel/Application", log_stream_name="s"),
                               state=DeltaState(), now=1_700_000_001.0)
    found = {}
    for event in result.events:
        doc = json.loads(event.message)
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "ECS/AWSOTel/Application"
            for metric in directive["Metrics"]:
                full = max(directive["Dimensions"], key=len)
                found[metric["Name"]] = {name: doc[name] for name in full}
    assert found == EXPECTED
