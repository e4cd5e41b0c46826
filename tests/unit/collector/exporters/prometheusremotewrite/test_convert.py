"""The exporter's conversion step: series and bodies of one batch, garbage collector restored after."""

from __future__ import annotations

import gc

from otelray.collector.exporters.prometheusremotewrite.exporter import convert
from otelray.translate.prw import PrwOptions, bodies, decode

from ....translate.emf.metrics import gauge, resource


def test_convert_gives_the_bodies_of_the_series_and_restores_the_collector_state():
    rm = resource([gauge("temp", 21.5), gauge("load", 2.0)], service__name="api")
    assert gc.isenabled()
    result, out = convert([rm], PrwOptions(), 3_000_000)
    assert gc.isenabled()
    assert out == bodies(result.series)
    names = sorted(dict((lb.name, lb.value) for lb in ts.labels)["__name__"] for ts in decode(out[0]).timeseries)
    assert names == ["load", "temp"]
    gc.disable()
    try:
        convert([rm], PrwOptions(), 3_000_000)
        assert not gc.isenabled()
    finally:
        gc.enable()
