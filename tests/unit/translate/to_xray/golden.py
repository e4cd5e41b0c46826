"""Helpers for the OTLP → X-Ray golden cases in tests/fixtures/translate/to_xray/<case>/."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "translate" / "to_xray"
_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId"})


def _hex_ids_to_base64(node: Any) -> Any:
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping expects base64 for bytes."""
    if isinstance(node, dict):
        return {
            key: base64.b64encode(bytes.fromhex(value)).decode() if key in _ID_KEYS and isinstance(value, str)
            else _hex_ids_to_base64(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids_to_base64(item) for item in node]
    return node


def parse_otlp_json(text: str) -> ExportTraceServiceRequest:
    """Parse an OTLP/JSON trace export request."""
    return json_format.Parse(json.dumps(_hex_ids_to_base64(json.loads(text))), ExportTraceServiceRequest())


def counter_ids() -> Callable[[], str]:
    """Deterministic fresh ids: 0000000000000001, 0000000000000002, …"""
    state = {"n": 0}

    def new_id() -> str:
        state["n"] += 1
        return f"{state['n']:016x}"

    return new_id


def cases() -> Iterator[Path]:
    """Every golden case folder."""
    return iter(sorted(path for path in FIXTURES.iterdir() if (path / "spans.otlp.json").is_file()))
