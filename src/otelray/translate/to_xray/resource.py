"""Everything a segment takes from its resource, computed once per ``ResourceSpans``.

The exporter re-derives origin, ``service``, the resource part of ``aws`` and the
``otel.resource.*`` annotations/metadata for every span; the result depends only on the resource
and the options, so otelray computes it once per resource and shares it across that resource's spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.annotations import split_resource
from otelray.translate.to_xray.aws import AwsResource, make_aws_resource
from otelray.translate.to_xray.jsonenc import UnsupportedValueError
from otelray.translate.to_xray.origin import make_origin
from otelray.translate.to_xray.service import make_service
from otelray.translate.to_xray.values import Attrs, as_str, attrs_of


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """The resource-level inputs of ``make_segment``."""

    attrs: Attrs
    origin: str | None
    service: dict[str, Any] | None
    aws: AwsResource
    language: str
    service_name: str
    split: tuple[dict[str, Any], dict[str, Any]] | None


def make_resource_info(resource: Resource, options: TranslateOptions) -> ResourceInfo:
    """Derive the per-resource parts of the segments of ``resource``'s spans."""
    attrs = attrs_of(resource.attributes)
    try:
        split: tuple[dict[str, Any], dict[str, Any]] | None = split_resource(attrs, options.indexed_set, options)
    except UnsupportedValueError:
        split = None  # recomputed, and refused, for each segment that carries the resource
    language = attrs.get("telemetry.sdk.language")
    service_name = attrs.get("service.name")
    return ResourceInfo(
        attrs=attrs,
        origin=make_origin(attrs),
        service=make_service(attrs),
        aws=make_aws_resource(attrs, options.log_group_names),
        language="" if language is None else as_str(language),
        service_name="" if service_name is None else as_str(service_name),
        split=split,
    )
