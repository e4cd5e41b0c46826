from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from otelray.translate.from_xray import datagram_to_resource_spans, document_to_resource_spans
from otelray.xray.wire import encode_datagram

from .golden import CASES, result_to_json, write_expected

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "segment.json").is_file())


def test_every_case_has_one_expected_file():
    for case in CASE_DIRS:
        present = [n for n in ("expected.spans.json", "expected.error.json") if (case / n).exists()]
        assert len(present) == 1, f"{case.name}: {present}"


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_golden(case: Path, request: pytest.FixtureRequest):
    raw = (case / "segment.json").read_bytes()
    name, actual = result_to_json(document_to_resource_spans(orjson.loads(raw)))
    if request.config.getoption("--update-golden", default=False):
        write_expected(case, name, actual)
        pytest.fail(f"rewrote {case.name}/{name}; review the diff and run again without --update-golden")
    expected = json.loads((case / name).read_text()) if (case / name).exists() else None
    assert actual == expected
    # the daemon path (header line + document, parsed from bytes) gives the same result
    assert result_to_json(datagram_to_resource_spans(encode_datagram(raw))) == (name, actual)
