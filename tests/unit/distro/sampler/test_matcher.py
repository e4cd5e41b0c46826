from __future__ import annotations

import fnmatch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otelray.distro.sampler import matcher


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", None, True),
        ("*", "", True),
        ("", "", True),
        ("", "a", False),
        ("abc", None, False),
        ("abc", "abc", True),
        ("abc", "ABC", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("/api/*", "/api/users/1", True),
        ("/api/*", "/apix", False),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "example.com", False),
        ("a.c", "abc", False),  # '.' is literal, not a regex
        ("GET", "GET", True),
        ("G*T", "GET", True),
        ("*a*b*", "xxaxxbxx", True),
    ],
)
def test_wildcard_match(pattern: str, text: str | None, expected: bool) -> None:
    assert matcher.wildcard_match(pattern, text) is expected


def test_url_path_prefers_new_semconv_then_old_then_parsed_url() -> None:
    assert matcher.span_url_path({"url.path": "/new", "http.target": "/old"}) == "/new"
    assert matcher.span_url_path({"http.target": "/old?q=1"}) == "/old?q=1"
    assert matcher.span_url_path({"url.full": "http://h:1/p/q?x"}) == "/p/q"
    assert matcher.span_url_path({"http.url": "no-scheme"}) == "/"
    assert matcher.span_url_path({}) == "/"


def test_method_host_service_type_and_arn() -> None:
    assert matcher.span_method({"http.method": "POST"}) == "POST"
    assert matcher.span_method({"http.request.method": "GET", "http.method": "POST"}) == "GET"
    assert matcher.span_host({"http.host": "a:80"}) == "a:80"
    assert matcher.service_type({"cloud.platform": "aws_ecs"}) == "AWS::ECS::Container"
    assert matcher.service_type({}) == ""
    assert matcher.resource_arn({"aws.ecs.container.arn": "arn:c"}, {}) == "arn:c"
    lam = {"cloud.platform": "aws_lambda"}
    assert matcher.resource_arn(lam, {"faas.id": "arn:fn"}) == "arn:fn"
    assert matcher.resource_arn({}, {"faas.id": "arn:fn"}) == ""


@given(st.text(alphabet="ab*?.", max_size=8), st.text(alphabet="ab.", max_size=8))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_wildcards_agree_with_fnmatch(pattern: str, text: str) -> None:
    # fnmatchcase has the same * and ? meaning (no [] in these alphabets)
    assert matcher.wildcard_match(pattern, text) is fnmatch.fnmatchcase(text, pattern)
