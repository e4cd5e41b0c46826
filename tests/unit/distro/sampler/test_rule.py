from __future__ import annotations

import pytest

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
