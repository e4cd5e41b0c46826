"""OTLP AnyValue ↔ Python conversion shared by the processors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from otelray.collector.anyvalue import to_any_value, to_python

_scalars = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1),
                     st.floats(allow_nan=False), st.text(max_size=20))


@given(st.one_of(_scalars, st.lists(_scalars, max_size=5)))
def test_python_values_round_trip(value: object) -> None:
    back = to_python(to_any_value(value))
    assert back == value and type(back) is type(value)


def test_bool_is_not_written_as_int() -> None:
    assert to_any_value(True).WhichOneof("value") == "bool_value"


def test_other_objects_become_strings_and_empty_is_none() -> None:
    assert to_any_value({"a": 1}).string_value == "{'a': 1}"
    assert to_python(AnyValue()) is None


def test_kvlist_becomes_dict() -> None:
    value = AnyValue()
    value.kvlist_value.values.append(KeyValue(key="k", value=to_any_value([1, "x"])))
    assert to_python(value) == {"k": [1, "x"]}
