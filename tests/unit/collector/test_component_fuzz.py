from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from otelray.collector.component import ComponentID


@given(st.text(max_size=40))
def test_component_ids_parse_or_refuse_and_round_trip(text):
    try:
        cid = ComponentID.parse(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert ComponentID.parse(str(cid)) == cid
    assert cid.type and cid.type[0].isascii() and cid.type[0].isalpha()
