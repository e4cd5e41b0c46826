from __future__ import annotations

import pytest

from otelray.collector.errors import ConfigError
from otelray.collector.featuregate import GateRegistry, Stage


def test_apply_enables_disables_and_refuses_unknown_or_stable():
    gates = GateRegistry()
    gates.register("a.alpha", Stage.ALPHA, "off by default")
    gates.register("b.beta", Stage.BETA, "on by default")
    gates.register("c.stable", Stage.STABLE, "always on")
    assert (gates.is_enabled("a.alpha"), gates.is_enabled("b.beta")) == (False, True)
    gates.apply("+a.alpha, -b.beta")
    assert (gates.is_enabled("a.alpha"), gates.is_enabled("b.beta")) == (True, False)
    with pytest.raises(ConfigError, match='no such feature gate "x" \\(known: a.alpha, b.beta, c.stable\\)'):
        gates.apply("x")
    with pytest.raises(ConfigError, match="is stable, can not be disabled"):
        gates.apply("-c.stable")
