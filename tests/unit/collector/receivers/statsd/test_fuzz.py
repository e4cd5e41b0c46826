"""Fuzzing the StatsD parser and datagram intake: arbitrary bytes never raise past the receiver."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.collector.component import Kind, Signal
from otelray.collector.receivers.statsd import StatsdReceiver, StatsdReceiverConfig
from otelray.collector.receivers.statsd.parser import StatsdParseError, parse_line
from otelray.collector.testing import make_settings
from otelray.collector.testing.sink import MetricsSink

LINE = st.one_of(
    st.text(max_size=80),
    st.builds(lambda n, v, t, rest: f"{n}:{v}|{t}{rest}", st.text(max_size=10), st.text(max_size=10),
              st.sampled_from(["c", "g", "ms", "h", "d", "s", ""]), st.text(max_size=20)),
)


@given(LINE)
@settings(max_examples=300, deadline=None)
def test_parse_line_only_raises_parse_errors(line):
    try:
        parsed = parse_line(line)
    except StatsdParseError as exc:
        assert exc.reason
    else:
        assert parsed.name and 0 < parsed.sample_rate <= 1


@given(st.binary(max_size=512))
@settings(max_examples=200, deadline=None)
def test_any_datagram_is_handled(data):
    receiver = StatsdReceiver(make_settings("statsd", Kind.RECEIVER, signal=Signal.METRICS),
                              StatsdReceiverConfig(), MetricsSink())
    receiver.handle(data)
    rm = receiver.aggregator.flush(0, 1)
    if rm is not None:
        assert rm.scope_metrics[0].metrics
