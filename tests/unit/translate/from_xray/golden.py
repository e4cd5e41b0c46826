"""Golden-file helpers for the X-Ray → OTLP tests: readable JSON of a translation result."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans

from otelray.translate.errors import TranslationError

CASES = Path(__file__).parents[3] / "fixtures" / "translate" / "from_xray"
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def result_to_json(result: ResourceSpans | TranslationError) -> tuple[str, Any]:
    """``("expected.spans.json", dict)`` for spans (ids in hex, as OTLP/JSON writes them), or the error file."""
    if isinstance(result, TranslationError):
        return "expected.error.json", {"item_id": result.item_id, "reason": result.reason, "code": result.code}
    data = MessageToDict(result)
    for scope in data.get("scopeSpans", []):
        for span in scope.get("spans", []):
            for field in _ID_FIELDS:
                if field in span:
                    span[field] = base64.b64decode(span[field]).hex()
    return "expected.spans.json", data


def write_expected(case: Path, name: str, value: Any) -> None:
    """Rewrite the expected file of ``case`` (used by ``--update-golden``)."""
    for stale in ("expected.spans.json", "expected.error.json"):
        (case / stale).unlink(missing_ok=True)
    (case / name).write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
