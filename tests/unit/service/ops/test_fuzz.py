"""Any request body, however wrong, gets an X-Ray error or an answer: never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelray.service.config_store import ConfigState
from otelray.service.errors import ServiceError
from otelray.service.ops import HANDLERS
from otelray.xray.model import xray_service_model

from .conftest import NOW

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["*", "Default", "KMS", "NONE", "XRay", "0", "1", "a" * 24, "fault"]),
)
_ANY = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that follow the shape sometimes and break it often."""
    if depth > 3:
        return _SCALARS
    if shape.type_name == "structure":
        members = {name: _value(member, depth + 1) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members) | _ANY
    if shape.type_name == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=30) | _ANY
    return _SCALARS


@pytest.fixture(scope="module")
def fuzz_state(tmp_path_factory: pytest.TempPathFactory) -> ConfigState:
    return ConfigState.open(Path(tmp_path_factory.mktemp("fuzz")))


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_handlers_never_crash(operation: str, fuzz_state: ConfigState) -> None:
    shape = xray_service_model().operation_model(operation).input_shape
    body = _value(shape) if shape is not None else st.just({})

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(params=body)
    def run(params: Any) -> None:
        try:
            out = HANDLERS[operation](
                fuzz_state, params if isinstance(params, dict) else {"Body": params}, NOW
            )
        except ServiceError as exc:
            assert exc.message
            return
        assert isinstance(out, dict)

    run()
