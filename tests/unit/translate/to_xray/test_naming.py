"""Segment name and namespace precedence (contrib ``translator/segment.go``, ``segment_test.go``)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.to_xray.cause import is_aws_sdk_span
from otelray.translate.to_xray.jsonenc import encode_document, encode_value
from otelray.translate.to_xray.naming import db_host, fix_segment_name, make_name, name_value
from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import make_span

SERVER, CLIENT, INTERNAL = Span.SPAN_KIND_SERVER, Span.SPAN_KIND_CLIENT, Span.SPAN_KIND_INTERNAL
PRODUCER, CONSUMER = Span.SPAN_KIND_PRODUCER, Span.SPAN_KIND_CONSUMER


@pytest.mark.parametrize(("kind", "attrs", "expected"), [
    (SERVER, {"aws.local.service": "local", "peer.service": "peer"}, ("local", "")),
    (CLIENT, {"aws.local.service": "local", "peer.service": "peer"}, ("peer", "remote")),
    (INTERNAL, {"aws.span.kind": "LOCAL_ROOT", "aws.local.service": "local"}, ("local", "")),
    (INTERNAL, {"aws.local.service": "local"}, ("span-name", "")),
    (CLIENT, {"aws.remote.service": "AWS::DynamoDB", "rpc.system": "aws-api"}, ("DynamoDB", "aws")),
    (CLIENT, {"aws.remote.service": "AWS.SDK.S3", "rpc.system": "aws-api"}, ("S3", "aws")),
    (CLIENT, {"aws.remote.service": "AWS::DynamoDB"}, ("AWS::DynamoDB", "remote")),
    (CONSUMER, {"aws.remote.service": "queue"}, ("queue", "")),
    (CLIENT, {"aws.service": "s3"}, ("s3", "aws")),
    (CLIENT, {"rpc.system": "aws-api", "rpc.service": "DynamoDB"}, ("DynamoDB", "aws")),
    (CLIENT, {"db.name": "orders", "db.connection_string": "jdbc:mysql://db.dev.example.com:3306"},
     ("orders@db.dev.example.com", "remote")),
    (CLIENT, {"db.name": "orders", "db.connection_string": "localhost:3306"}, ("orders", "remote")),
    (SERVER, {"http.host": "h"}, ("svc", "")),
    (CLIENT, {"rpc.service": "Greeter", "http.host": "h"}, ("Greeter", "remote")),
    (CLIENT, {"http.host": "h", "net.peer.name": "p"}, ("h", "remote")),
    (PRODUCER, {"net.peer.name": "p"}, ("p", "remote")),
    (CLIENT, {"server.address": "not-a-name-source"}, ("span-name", "remote")),
    (CLIENT, {"peer.service": 7}, ("span-name", "remote")),
])
def test_name_precedence(kind: int, attrs: dict[str, Any], expected: tuple[str, str]) -> None:
    span = make_span(attrs, kind=kind)
    values = attrs_of(span.attributes)
    assert make_name(SpanView(span), values, "svc", is_aws_sdk_span(values)) == expected


@pytest.mark.parametrize(("name", "fixed"), [
    ("GET /users/{id}", "GET /users/id"),
    ("a\\b|c<d>e", "abcde"),
    ("ümlaut-ok_=+@#&%:./", "ümlaut-ok_=+@#&%:./"),
    ("", "span"),
    ("(){}", "span"),
    ("x" * 250, "x" * 200),
])
def test_fix_segment_name(name: str, fixed: str) -> None:
    assert fix_segment_name(name) == fixed


@pytest.mark.parametrize(("name", "kept", "broken"), [
    ("a" + "日" * 100, "a" + "日" * 66, 1),   # 1 + 198 bytes kept, 1 byte of the 67th character left
    ("日" * 100, "日" * 66, 2),
    ("a" * 197 + "\U0001d400" * 2, "a" * 197, 3),  # a 4-byte letter cut after 3 bytes
    ("a" * 196 + "\U0001d400" * 2, "a" * 196 + "\U0001d400", 0),
])
def test_truncation_cuts_bytes_and_writes_each_broken_byte_as_go(name: str, kept: str, broken: int) -> None:
    fixed = fix_segment_name(name)
    assert fixed == kept
    assert getattr(fixed, "broken_bytes", 0) == broken
    document = encode_document({"name": name_value(fixed)})
    assert document == '{"name":' + encode_value(kept)[:-1] + "\\ufffd" * broken + '"}\n'


@pytest.mark.parametrize(("url", "host"), [
    ("jdbc:postgresql://db.internal:5432/orders", "db.internal"),
    ("mysql://user:pw@db.example.com/orders", "db.example.com"),
    ("postgresql://[::1]:5432/x", "::1"),
    ("//only-host/x", "only-host"),
    ("Server=myServer;Database=myDB", ""),
    ("mysql://h:port/x", ""),
])
def test_db_host(url: str, host: str) -> None:
    assert db_host(url) == host
