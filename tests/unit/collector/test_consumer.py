from __future__ import annotations

import pytest

from otelray.collector.component import Signal
from otelray.collector.consumer import BATCH_TYPES, count_items
from otelray.collector.testing import sample_batch


@pytest.mark.parametrize("signal", list(Signal))
def test_count_items_counts_the_signal_unit(signal):
    assert count_items(signal, sample_batch(signal, 7)) == 7
    assert count_items(signal, BATCH_TYPES[signal]()) == 0
