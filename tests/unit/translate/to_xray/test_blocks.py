"""The small blocks: ``sql``, ``service``, ``origin`` and ``links`` (contrib ``sql.go``, ``service.go``,
``segment.go`` ``determineAwsOrigin``, ``span_links.go``)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.failure import SpanFailure
from otelray.translate.to_xray.jsonenc import encode_value
from otelray.translate.to_xray.links import make_links
from otelray.translate.to_xray.origin import make_origin
from otelray.translate.to_xray.service import make_service
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.sql import make_sql
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import key_values, make_span


def values(attrs: dict[str, Any]) -> dict[str, Any]:
    return attrs_of(key_values(attrs))


def test_sql_block_uses_span_name_as_url_and_consumes_db_keys() -> None:
    span = make_span(name="SELECT users")
    remaining, block = make_sql(SpanView(span), values({
        "db.system": "mysql", "db.name": "customers", "db.user": "readonly_user",
        "db.statement": "SELECT * FROM user WHERE user_id = ?", "db.connection_string": "mysql://db.example.com:3306",
        "db.operation": "SELECT",
    }))
    assert block == {"connection_string": "mysql://db.example.com:3306/customers", "url": "SELECT users",
                     "sanitized_query": "SELECT * FROM user WHERE user_id = ?", "database_type": "mysql",
                     "user": "readonly_user"}
    assert remaining == {"db.operation": "SELECT"}


def test_sql_defaults_to_localhost_and_ignores_non_sql_systems() -> None:
    _, block = make_sql(SpanView(make_span(name="q")), values({"db.system": "postgresql"}))
    assert block == {"connection_string": "localhost/", "url": "q", "database_type": "postgresql"}
    attrs = values({"db.system": "mongodb", "db.name": "x"})
    assert make_sql(SpanView(make_span()), attrs) == (attrs, None)


@pytest.mark.parametrize(("resource", "service"), [
    ({"service.version": "1.2"}, {"version": "1.2"}),
    ({"container.image.tags": ["v3", "latest"]}, {"version": "v3"}),
    ({"container.image.tag": "v4"}, {"version": "v4"}),
    ({"service.version": 7}, {}),
    ({}, None),
])
def test_service_version(resource: dict[str, Any], service: dict[str, str] | None) -> None:
    assert make_service(values(resource)) == service


@pytest.mark.parametrize(("resource", "origin"), [
    ({}, None),
    ({"cloud.provider": "gcp", "cloud.platform": "aws_ec2"}, None),
    ({"cloud.platform": "aws_ec2"}, "AWS::EC2::Instance"),
    ({"cloud.provider": "aws", "cloud.platform": "aws_ecs"}, "AWS::ECS::Container"),
    ({"cloud.platform": "aws_ecs", "aws.ecs.launchtype": "ec2"}, "AWS::ECS::EC2"),
    ({"cloud.platform": "aws_ecs", "aws.ecs.launchtype": "fargate"}, "AWS::ECS::Fargate"),
    ({"cloud.platform": "aws_eks"}, "AWS::EKS::Container"),
    ({"cloud.platform": "aws_elastic_beanstalk"}, "AWS::ElasticBeanstalk::Environment"),
    ({"cloud.platform": "aws_app_runner"}, "AWS::AppRunner::Service"),
    ({"cloud.platform": "aws_lambda"}, None),
    ({"service.name": "x"}, None),
])
def test_origin(resource: dict[str, Any], origin: str | None) -> None:
    assert make_origin(values(resource)) == origin


def test_links_convert_ids_and_sort_attributes() -> None:
    span = make_span()
    span.links.add(trace_id=bytes.fromhex("6553f0f0aaaaaaaaaaaaaaaaaaaaaaaa"), span_id=bytes.fromhex("abababababababab"),
                   attributes=key_values({"z": 1.5, "a": ["x"]}))
    links = make_links(span.links, skip_timestamp_validation=True, now=0.0)
    assert encode_value(links) == ('[{"trace_id":"1-6553f0f0-aaaaaaaaaaaaaaaaaaaaaaaa","id":"abababababababab",'
                                   '"attributes":{"a":["x"],"z":1.5}}]')


def test_a_bad_link_fails_the_span() -> None:
    span = Span()
    span.links.add(trace_id=bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736"), span_id=b"\x01" * 8)
    with pytest.raises(SpanFailure, match="span link: invalid xray traceid"):
        make_links(span.links, skip_timestamp_validation=False, now=1_700_000_000.0)
    span.links[0].span_id = b"\x01"
    with pytest.raises(SpanFailure, match="need 8 bytes"):
        make_links(span.links, skip_timestamp_validation=True, now=0.0)
