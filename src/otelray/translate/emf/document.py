"""The EMF JSON log event (contrib ``metric_translator.go`` ``translateCWMetricToEMF``, adot-collector.md §3.6).

Version 1 (default): every label as a string field, every metric value field, and — when at least one
directive exists — ``"Version":"1"`` and ``"_aws":{"CloudWatchMetrics":[…],"Timestamp":<ms>}``.
Version 0: ``"Timestamp":"<ms>"`` (a string) always, and ``"Version":"0"`` plus a top-level
``"CloudWatchMetrics"`` when directives exist. Without a directive the event is a plain JSON line.
Top-level keys are sorted (Go map order); whole-number floats print without ``.0`` as Go does.
Labels listed in ``parse_json_encoded_attr_values`` are decoded from JSON into nested values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from otelray.translate.emf.dimensions import Measurement

#: Go's encoding/json switches to exponent form at 1e21.
_GO_INT_LIMIT = 1e21


def go_number(value: Any) -> Any:
    """A float as Go's ``encoding/json`` prints it (``5`` not ``5.0``); containers recursively."""
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() and abs(value) < _GO_INT_LIMIT else value
    if isinstance(value, dict):
        return {k: go_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [go_number(v) for v in value]
    return value


def _directive(m: Measurement) -> dict[str, Any]:
    return {
        "Namespace": m.namespace,
        "Dimensions": m.dimensions,
        "Metrics": [{"Name": i.name, "Unit": i.unit, "StorageResolution": i.storage_resolution} for i in m.metrics],
    }


def _label_value(key: str, value: str, json_keys: frozenset[str]) -> Any:
    if key in json_keys:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def emf_message(
    fields: Mapping[str, Any],
    labels: Mapping[str, str],
    measurements: Sequence[Measurement],
    timestamp_ms: int,
    *,
    version: str = "1",
    json_keys: frozenset[str] = frozenset(),
) -> str:
    """Render one EMF event message."""
    doc: dict[str, Any] = {k: _label_value(k, v, json_keys) for k, v in labels.items()}
    doc.update((k, go_number(v)) for k, v in fields.items())
    directives = [_directive(m) for m in measurements]
    if version == "0":
        doc["Timestamp"] = str(timestamp_ms)
        if directives:
            doc["Version"] = "0"
            doc["CloudWatchMetrics"] = directives
    elif directives:
        doc["Version"] = "1"
        doc["_aws"] = {"CloudWatchMetrics": directives, "Timestamp": timestamp_ms}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
