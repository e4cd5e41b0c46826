"""Go ``encoding/json`` parity of the document encoder (float format, HTML escaping, newline)."""

from __future__ import annotations

import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otelray.translate.to_xray.jsonenc import (
    UnsupportedValueError,
    encode_document,
    go_float,
    go_float_fragment,
)


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1"), (0.0, "0"), (-0.0, "-0"), (-2.5, "-2.5"), (1e-5, "0.00001"), (1e-6, "0.000001"), (9.99e-7, "9.99e-7"),
    (1e-7, "1e-7"), (1.2345e-10, "1.2345e-10"), (1e16, "10000000000000000"), (1.5e16, "15000000000000000"),
    (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e300, "1.5e+300"), (5e-324, "5e-324"),
    (1700000000.1234567, "1700000000.1234567"), (0.1 + 0.2, "0.30000000000000004"),
])
def test_go_float(value: float, text: str) -> None:
    assert go_float(value) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_go_refuses_nan_and_inf(value: float) -> None:
    with pytest.raises(UnsupportedValueError):
        go_float(value)


def test_document_bytes() -> None:
    document = {"name": "a<b>&c\u2028\u2029", "start_time": go_float_fragment(1.0), "ctl": "\x01\n\t\b\f\"\\",
                "max": "x\U0010fffe", "uni": "日本"}
    assert encode_document(document) == (
        '{"name":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029","start_time":1,"ctl":"\\u0001\\n\\t\\b\\f\\"\\\\",'
        '"max":"x\U0010fffe","uni":"日本"}\n'
    )


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_is_written_as_go_writes_it(value: float) -> None:
    assert orjson.dumps(go_float_fragment(value)).decode() == go_float(value)
    assert float(go_float(value)) == value
