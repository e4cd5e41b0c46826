"""Annotations and metadata → span attributes (awsxray receiver ``annotations.go``, ``metadata.go``).

Each annotation becomes an attribute of the same name and the list ``aws.xray.annotations`` records
their keys, so the exporter turns them back into annotations. JSON numbers arrive in Go as float64,
so numeric annotations are doubles. Each metadata namespace becomes the string attribute
``aws.xray.metadata.<namespace>`` holding the namespace's JSON as Go writes it.
"""

from __future__ import annotations

from typing import Any

from otelray.translate.from_xray.attributes import Attrs, go_json

ANNOTATION_KEYS = "aws.xray.annotations"
METADATA_PREFIX = "aws.xray.metadata."


def make_annotations(entity: dict[str, Any], attrs: Attrs) -> None:
    """Add the annotations of ``entity`` and the list of their keys."""
    annotations = entity.get("annotations")
    if not isinstance(annotations, dict) or not annotations:
        return
    attrs[ANNOTATION_KEYS] = list(annotations)
    for key, value in annotations.items():
        if isinstance(value, str | bool):
            attrs[key] = value
        elif type(value) in (int, float):
            attrs[key] = float(value)


def make_metadata(entity: dict[str, Any], attrs: Attrs) -> None:
    """Add one JSON string attribute per metadata namespace of ``entity``."""
    metadata = entity.get("metadata")
    if not isinstance(metadata, dict):
        return
    for namespace, value in metadata.items():
        attrs[METADATA_PREFIX + namespace] = go_json(value)
