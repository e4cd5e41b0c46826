"""Whole-document golden tests: each fixture folder's spans → exactly its expected documents.

``pytest --update-golden`` rewrites ``expected.segments.json`` from the current output and fails the
run, so every regeneration is a reviewed diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray import translate_spans
from tests.unit.translate.to_xray.golden import cases, counter_ids, parse_otlp_json

DEFAULT_NOW = 1_700_000_100.0


def _run(case: Path) -> dict[str, object]:
    settings = json.loads((case / "case.json").read_text()) if (case / "case.json").is_file() else {}
    options = TranslateOptions(**settings.get("options", {}))
    request = parse_otlp_json((case / "spans.otlp.json").read_text())
    result = translate_spans(
        request.resource_spans, options=options, now=settings.get("now", DEFAULT_NOW), new_id=counter_ids()
    )
    for document in result.documents:
        assert document.endswith("}\n"), "documents end with the Go encoder's newline"
    return {
        "documents": [json.loads(document) for document in result.documents],
        "errors": [{"span_id": e.item_id, "code": e.code, "reason": e.reason} for e in result.errors],
    }


@pytest.mark.parametrize("case", list(cases()), ids=lambda path: path.name)
def test_golden(case: Path, request: pytest.FixtureRequest) -> None:
    actual = _run(case)
    expected_path = case / "expected.segments.json"
    if request.config.getoption("--update-golden"):
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
        pytest.fail(f"rewrote {expected_path}; review the diff and run again without --update-golden")
    assert expected_path.is_file(), f"{expected_path} is missing: run pytest --update-golden and review it"
    assert actual == json.loads(expected_path.read_text())
