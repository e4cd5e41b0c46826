from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelray.distro.errors import SamplingRuleError
from otelray.distro.sampler.rule import SamplingRule, parse_rule
from tests.unit.distro.sampling_server import rule


def test_parse_full_rule() -> None:
    parsed = parse_rule(rule("api", 5, 0.5, 2, ServiceName="svc", Attributes={"k": "v*"})["SamplingRule"])
    assert parsed == SamplingRule("api", 5, 0.5, 2, service_name="svc", attributes=(("k", "v*"),))


def test_missing_match_fields_default_to_wildcard() -> None:
    parsed = parse_rule({"RuleName": "r", "Priority": 1, "FixedRate": 0, "ReservoirSize": 0})
    assert (parsed.host, parsed.url_path, parsed.attributes) == ("*", "*", ())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"RuleName": ""}, "RuleName=''"),
        ({"RuleName": "x" * 33}, "1 to 32 characters"),
        ({"Version": 2}, "Version=2 is not supported"),
        ({"FixedRate": 1.5}, "FixedRate=1.5 is outside [0, 1]"),
        ({"FixedRate": "0.1"}, "FixedRate must be a number"),
        ({"Priority": 0}, "Priority=0 is outside"),
        ({"ReservoirSize": 1.5}, "ReservoirSize=1.5 must be a whole number"),
        ({"Host": 7}, "Host must be a string"),
        ({"Attributes": {"a": 1}}, "Attributes must map strings to strings"),
        ({"Attributes": {str(i): "v" for i in range(6)}}, "more than 5 Attributes"),
    ],
)
def test_bad_rules_name_rule_and_field(change: dict, message: str) -> None:
    record = rule("bad", 1, 0.1, 1)["SamplingRule"] | change
    with pytest.raises(SamplingRuleError, match=message.replace("[", r"\[").replace("*", r"\*")):
        parse_rule(record)


def test_non_object_record() -> None:
    with pytest.raises(SamplingRuleError, match="must be an object"):
        parse_rule(["x"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from([
    "RuleName", "Priority", "FixedRate", "ReservoirSize", "ServiceName", "ServiceType", "Host", "HTTPMethod",
    "URLPath", "ResourceARN", "Version", "Attributes"]), json_values))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_record_parses_or_raises_a_rule_error(record: dict) -> None:
    try:
        parsed = parse_rule(record)
    except SamplingRuleError as exc:
        assert str(exc).startswith("sampling rule")
    else:
        assert 0 <= parsed.fixed_rate <= 1 and parsed.rule_name
