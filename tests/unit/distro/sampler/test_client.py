from __future__ import annotations

import pytest

from otelray.distro.errors import SamplingEndpointError
from otelray.distro.sampler.client import MAX_RESPONSE_BYTES, SamplingClient, parse_rules, parse_targets
from tests.unit.distro.sampling_server import DEFAULT_RULE, SamplingServer, rule


def test_parse_rules_keeps_good_rules_and_reports_bad_ones() -> None:
    result = parse_rules({"SamplingRuleRecords": [DEFAULT_RULE, rule("v2", 1, 0.1, 1, Version=2), "junk"]})
    assert [r.rule_name for r in result.rules] == ["Default"]
    assert [str(e) for e in result.errors] == [
        "sampling rule 'v2': Version=2 is not supported (only 1)",
        "sampling rule record must be an object, got NoneType",
    ]


def test_parse_rules_without_list_is_an_endpoint_error() -> None:
    with pytest.raises(SamplingEndpointError, match="no SamplingRuleRecords list"):
        parse_rules({"Rules": []})


def test_parse_targets_skips_malformed_documents() -> None:
    result = parse_targets({
        "SamplingTargetDocuments": [
            {"RuleName": "a", "FixedRate": 0.1, "ReservoirQuota": 2, "ReservoirQuotaTTL": 5.0, "Interval": 10},
            {"RuleName": "b", "FixedRate": "x"},
            {"RuleName": "c", "FixedRate": 2},
            {"FixedRate": 0.1},
        ],
        "LastRuleModification": 123,
    })
    assert [t["RuleName"] for t in result.targets] == ["a"]
    assert result.last_rule_modification == 123.0
    assert len(result.errors) == 3


def test_client_talks_to_a_sampling_endpoint() -> None:
    with SamplingServer() as server:
        client = SamplingClient(server.endpoint)
        assert [r.rule_name for r in client.get_rules().rules] == ["Default"]
        stats = [{"RuleName": "Default", "ClientID": "c", "Timestamp": 1.0,
                  "RequestCount": 1, "SampledCount": 1, "BorrowCount": 1}]
        client.get_targets(stats)
    assert server.requests == [("/GetSamplingRules", {}), ("/SamplingTargets", {"SamplingStatisticsDocuments": stats})]


def test_client_errors_name_the_url_and_problem() -> None:
    with SamplingServer() as server:
        server.raw_rules = b"{not json"
        with pytest.raises(SamplingEndpointError, match=r"GetSamplingRules answered malformed JSON"):
            SamplingClient(server.endpoint).get_rules()
        server.raw_rules = b" " * (MAX_RESPONSE_BYTES + 1)
        with pytest.raises(SamplingEndpointError, match="more than"):
            SamplingClient(server.endpoint).get_rules()
        with pytest.raises(SamplingEndpointError, match="HTTP 404"):
            SamplingClient(server.endpoint)._post("Nope", {})
    with pytest.raises(SamplingEndpointError, match=f"cannot reach sampling endpoint {server.endpoint}"):
        SamplingClient(server.endpoint, timeout=0.5).get_rules()
