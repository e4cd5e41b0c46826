from __future__ import annotations

import gzip
import json
from pathlib import Path

import botocore

from otelray.xray.model import operation_by_path, operations, xray_service_model

SERVICE_JSON = Path(botocore.__file__).parent / "data" / "xray" / "2016-04-12" / "service-2.json.gz"


def test_model_is_botocores_and_cached():
    model = xray_service_model()
    assert model is xray_service_model()
    assert (model.service_name, model.protocol, model.api_version) == ("xray", "rest-json", "2016-04-12")


def test_operations_match_the_service_json_file():
    raw = json.loads(gzip.decompress(SERVICE_JSON.read_bytes()))["operations"]
    listed = {op.name: (op.method, op.path) for op in operations()}
    assert listed == {name: (o["http"]["method"], o["http"]["requestUri"]) for name, o in raw.items()}
    assert len(listed) == 38
    assert listed["GetSamplingTargets"] == ("POST", "/SamplingTargets")
    assert listed["BatchGetTraces"] == ("POST", "/Traces")
    assert [op.name for op in operations()] == sorted(listed)


def test_operation_by_path_routes_each_operation():
    for op in operations():
        assert operation_by_path(op.path).name == op.name
    assert operation_by_path("/TraceSegments").input_shape.members["TraceSegmentDocuments"].type_name == "list"
    assert operation_by_path("/TraceSegments/", "post").name == "PutTraceSegments"
    assert operation_by_path("/TraceSegments?x=1").name == "PutTraceSegments"


def test_unknown_path_or_method_is_none():
    assert operation_by_path("/GetTraceIds") is None
    assert operation_by_path("/TraceSegments", "GET") is None
    assert operation_by_path("/") is None
