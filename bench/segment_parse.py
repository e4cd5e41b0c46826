"""Micro-benchmark: ``otelray.xray.segment.parse_document`` against plain ``orjson.loads``, and the
awsxray receiver path (parse + ``otelray.translate.from_xray`` → OTLP ``ResourceSpans``).

Runs three realistic documents (a small segment as aws-xray-sdk sends it, a segment with ten
embedded subsegments, an independent subsegment with a cause) and prints documents per second and
the validation overhead. Target: the backend ingests ≥ 30,000 documents/s on one core, so parsing
alone must stay well above that.

    python bench/segment_parse.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import orjson

from otelray.translate.from_xray import document_to_resource_spans
from otelray.xray.segment import parse_document

TRACE_ID = "1-6b05cb6d-9b8ca1600cd26c5077ad7412"


def _subsegment(index: int) -> dict[str, object]:
    return {
        "id": f"{index + 1:016x}", "name": "downstream-call", "start_time": 1795541869.27 + index,
        "end_time": 1795541869.5 + index, "namespace": "remote", "parent_id": "397a9c64df2a3f6e",
        "http": {"request": {"method": "GET", "url": f"http://127.0.0.1:9/y/{index}"}, "response": {"status": 200}},
    }


def _documents() -> dict[str, bytes]:
    small = {
        "id": "397a9c64df2a3f6e", "name": "checkout", "start_time": 1795541869.2729816, "end_time": 1795541869.28,
        "trace_id": TRACE_ID, "in_progress": False, "annotations": {"env": "test", "tier": 2},
        "metadata": {"ns": {"k": {"v": 1}}}, "aws": {"xray": {"sdk": "X-Ray for Python", "sdk_version": "2.15.0"}},
        "http": {"request": {"method": "GET", "url": "http://127.0.0.1/x"}, "response": {"status": 200}},
        "service": {"runtime": "CPython", "runtime_version": "3.11.7"},
    }
    nested = dict(small, subsegments=[_subsegment(i) for i in range(10)])
    independent = dict(
        _subsegment(0), trace_id=TRACE_ID, type="subsegment", fault=True,
        cause={"working_directory": "/srv", "exceptions": [{
            "id": "a1b2c3d4e5f60718", "message": "boom", "type": "ValueError",
            "stack": [{"path": "app.py", "line": i, "label": "handler"} for i in range(8)],
        }]},
    )
    return {name: orjson.dumps(doc) for name, doc in
            (("segment", small), ("segment+10 subsegments", nested), ("subsegment+cause", independent))}


def _rate(func: Callable[[bytes], object], raw: bytes, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            func(raw)
        count += 1000
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    print(f"{'document':<26}{'bytes':>7}{'orjson.loads/s':>16}{'parse_document/s':>18}{'overhead':>10}"
          f"{'parse+to OTLP/s':>17}")
    for name, raw in _documents().items():
        plain = _rate(orjson.loads, raw, args.seconds)
        full = _rate(parse_document, raw, args.seconds)
        otlp = _rate(_to_otlp, raw, args.seconds)
        print(f"{name:<26}{len(raw):>7}{plain:>16,.0f}{full:>18,.0f}{plain / full:>9.1f}x{otlp:>17,.0f}")


def _to_otlp(raw: bytes) -> object:
    return document_to_resource_spans(parse_document(raw, lenient=True), validate=False)


if __name__ == "__main__":
    main()
