"""Annotations, metadata and user (contrib ``translator/segment.go`` ``makeXRayAttributes``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.annotations import (
    fix_annotation_key,
    make_xray_attributes,
    parse_metadata_json,
)
from otelray.translate.to_xray.jsonenc import encode_value
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import key_values


def split(span: dict[str, Any], resource: dict[str, Any] | None = None, *, store_resource: bool = True,
          **options: Any) -> tuple[str, Any, Any]:
    user, annotations, metadata = make_xray_attributes(
        attrs_of(key_values(span)), attrs_of(key_values(resource or {})), None, store_resource=store_resource,
        options=TranslateOptions(**options),
    )
    as_json = lambda value: None if value is None else json.loads(encode_value(value))  # noqa: E731
    return user, as_json(annotations), as_json(metadata)


@pytest.mark.parametrize(("key", "allow_dot", "fixed"), [
    ("http.method", True, "http.method"), ("http.method", False, "http_method"),
    ("tenant-id", True, "tenant_id"), ("a:b c", True, "a_b_c"), ("ünï", True, "_n_"), ("Ab9", False, "Ab9"),
])
def test_fix_annotation_key(key: str, allow_dot: bool, fixed: str) -> None:
    assert fix_annotation_key(key, allow_dot) == fixed


def test_user_only_returns_no_maps() -> None:
    assert split({"enduser.id": "u-1"}, store_resource=False) == ("u-1", None, None)


def test_indexed_scalars_annotate_and_non_scalars_are_dropped() -> None:
    user, annotations, metadata = split(
        {"a": "x", "b": 2, "c": 1.5, "d": True, "e": [1], "f": {"k": "v"}, "g": "meta"}, store_resource=False,
        indexed_attributes=("a", "b", "c", "d", "e", "f"),
    )
    assert annotations == {"a": "x", "b": 2, "c": 1.5, "d": True}
    assert metadata == {"default": {"g": "meta"}}


def test_resource_attributes_only_on_segments_with_prefix() -> None:
    _, annotations, metadata = split({"k": "v"}, {"service.name": "svc", "tags": ["a"]},
                                     indexed_attributes=("otel.resource.service.name",))
    assert annotations == {"otel.resource.service.name": "svc"}
    assert metadata == {"default": {"k": "v", "otel.resource.tags": ["a"]}}
    _, annotations, metadata = split({"k": "v"}, {"service.name": "svc"}, store_resource=False)
    assert annotations is None and metadata == {"default": {"k": "v"}}


def test_aws_xray_annotations_attribute_widens_the_indexed_set() -> None:
    _, annotations, metadata = split({"aws.xray.annotations": ["x", 5], "x": "1", "y": "2"}, {"r": "v"},
                                     store_resource=True)
    assert annotations == {"x": "1"}
    assert metadata == {"default": {"otel.resource.r": "v", "y": "2"}}


def test_index_all_attributes() -> None:
    _, annotations, metadata = split({"a.b": 1, "list": [1]}, {"host.name": "h"}, index_all_attributes=True)
    assert annotations == {"a.b": 1, "otel.resource.host.name": "h"}
    assert metadata is None


def test_metadata_namespaces_from_json_strings() -> None:
    _, _, metadata = split({
        "aws.xray.metadata.app": '{"b": 2, "a": {"z": 1, "y": [1.5, null]}}',
        "aws.xray.metadata.DEFAULT": '{"merged": "yes"}',
        "aws.xray.metadata.bad": "[1, 2]",
        "aws.xray.metadata.nothing": "null",
        "aws.xray.metadata.num": 5,
    }, store_resource=False)
    assert metadata == {
        "app": {"a": {"y": [1.5, None], "z": 1}, "b": 2},
        "default": {"aws.xray.metadata.bad": "[1, 2]", "aws.xray.metadata.num": 5, "merged": "yes"},
        "nothing": None,
    }


@pytest.mark.parametrize("text", ["[1]", "3", '"s"', "{", "NaN", '{"a": Infinity}', '{"a": 1e400}'])
def test_parse_metadata_json_refuses_what_go_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_metadata_json(text)


def test_numbers_in_metadata_json_become_go_float64() -> None:
    parsed = parse_metadata_json('{"big": 12345678901234567890, "i": 3, "f": 1e-7}')
    assert encode_value(parsed) == '{"big":12345678901234567000,"f":1e-7,"i":3}'
