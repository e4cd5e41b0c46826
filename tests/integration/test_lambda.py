"""The Lambda layer end to end: ``otelray lambda invoke`` runs examples/lambda/handler.py under
awslambdaric with the otelray exec wrapper; the function calls DynamoDB and S3 on a real moto_server
and its trace lands in a real ``otelray backend`` over UDP, parented on the Lambda trace header."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml

from otelray.aws_lambda.extension import write_extension
from otelray.aws_lambda.invoke import FunctionConfig, LocalFunction
from otelray.aws_lambda.wrapper import write_wrapper
from otelray.xray.ids import new_segment_id, new_trace_id
from tests.integration.conftest import free_port, start_collector

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lambda"
TABLE = "otelray-orders"


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real moto_server standing in for DynamoDB and S3, with the example's table and a bucket."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/moto-api/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.1)
        creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
        boto3.client("dynamodb", endpoint_url=url, **creds).create_table(
            TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        boto3.client("s3", endpoint_url=url, **creds).create_bucket(Bucket="otelray-invoices")
        yield url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def layer_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layer built by ``otelray lambda build-layer`` (packages cached between runs)."""
    output = tmp_path_factory.mktemp("layer") / "layer.zip"
    subprocess.run([sys.executable, "-m", "otelray", "lambda", "build-layer", "-o", str(output)],
                   check=True, timeout=600, capture_output=True)
    return output


def invoke(backend: Any, moto: str, *args: str, trace_header: str | None = None, event: dict[str, Any] | None = None,
           tmp_path: Path) -> subprocess.CompletedProcess[str]:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event or {"order_id": "o-1"}))
    command = [sys.executable, "-m", "otelray", "lambda", "invoke", "handler.lambda_handler",
               "--task-root", str(EXAMPLE), "--event", str(event_file), "--function-name", "orders",
               "--xray-address", f"127.0.0.1:{backend.port}", "--timeout", "10",
               "--env", f"AWS_ENDPOINT_URL={moto}", "--env", "AWS_ACCESS_KEY_ID=testing",
               "--env", "AWS_SECRET_ACCESS_KEY=testing", *args]
    if trace_header:
        command += ["--trace-header", trace_header]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def xray(backend: Any) -> Any:
    return boto3.client("xray", endpoint_url=backend.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def documents(backend: Any, trace_id: str, want: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The trace's segment documents once at least ``want`` arrived (or whatever arrived by the timeout)."""
    client = xray(backend)
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        traces = client.batch_get_traces(TraceIds=[trace_id])["Traces"]
        found = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        if len(found) >= want:
            break
        time.sleep(0.2)
    return found


def subsegments(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sub in document.get("subsegments", []):
        yield sub
        yield from subsegments(sub)


def check_function_trace(backend: Any, result: subprocess.CompletedProcess[str], trace_id: str, parent: str) -> None:
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout.splitlines()[0])
    assert payload["order_id"] == "o-1" and payload["buckets"] == ["otelray-invoices"]
    assert "REPORT RequestId:" in result.stderr and "Init Duration:" in result.stderr
    docs = documents(backend, trace_id, want=3)
    roots = [d for d in docs if d.get("parent_id") == parent and d.get("type") != "subsegment"]
    assert len(roots) == 1, docs
    function = roots[0]
    assert function["name"] == "orders"
    assert function["trace_id"] == trace_id
    calls = {(d.get("name"), d.get("aws", {}).get("operation")): d for d in docs if d.get("namespace") == "aws"}
    calls.update({(s.get("name"), s.get("aws", {}).get("operation")): s
                  for d in docs for s in subsegments(d) if s.get("namespace") == "aws"})
    assert ("DynamoDB", "PutItem") in calls, docs
    assert ("S3", "ListBuckets") in calls, docs
    dynamo = calls[("DynamoDB", "PutItem")]
    assert dynamo["aws"]["table_name"] == TABLE
    assert dynamo["http"]["response"]["status"] == 200


def test_source_tree_wrapper_traces_the_invocation(backend: Any, moto: str, tmp_path: Path) -> None:
    trace_id, parent = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, trace_header=f"Root={trace_id};Parent={parent};Sampled=1", tmp_path=tmp_path)
    check_function_trace(backend, result, trace_id, parent)


def test_layer_traces_the_invocation(backend: Any, moto: str, layer_zip: Path, tmp_path: Path) -> None:
    trace_id, parent = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, "--layer", str(layer_zip),
                    trace_header=f"Root={trace_id};Parent={parent};Sampled=1", tmp_path=tmp_path)
    check_function_trace(backend, result, trace_id, parent)


def test_without_the_wrapper_variable_no_trace_arrives(backend: Any, moto: str, layer_zip: Path,
                                                        tmp_path: Path) -> None:
    trace_id, parent = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, "--layer", str(layer_zip), "--no-wrapper",
                    trace_header=f"Root={trace_id};Parent={parent};Sampled=1", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["order_id"] == "o-1"
    # a control trace sent afterwards arrives, so the backend was listening when the function ran
    control, control_parent = new_trace_id(), new_segment_id()
    check_function_trace(backend, invoke(backend, moto, trace_header=f"Root={control};Parent={control_parent};Sampled=1",
                                         tmp_path=tmp_path), control, control_parent)
    assert documents(backend, trace_id, want=1, timeout=0.5) == []


def test_failed_invocation_is_reported_and_traced_as_fault(backend: Any, moto: str, tmp_path: Path) -> None:
    trace_id, parent = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, trace_header=f"Root={trace_id};Parent={parent};Sampled=1",
                    event={"order_id": "o-2", "fail": True}, tmp_path=tmp_path)
    assert result.returncode == 1
    error = json.loads(result.stdout.splitlines()[0])
    assert error["errorType"] == "ValueError" and "o-2" in error["errorMessage"]
    docs = documents(backend, trace_id, want=1)
    function = next(d for d in docs if d.get("parent_id") == parent)
    assert function.get("fault") is True
    assert function["cause"]["exceptions"][0]["type"] == "ValueError"


def test_otlp_export_through_the_documented_collector_config(backend: Any, moto: str, tmp_path: Path,
                                                             xray_env: dict[str, str]) -> None:
    """OTELRAY_LAMBDA_EXPORTER=otlp: the function sends OTLP/HTTP to a real ``otelray collector`` running
    examples/lambda/collector.yaml (ports moved to free ones, awsxray pointed at the backend)."""
    config = yaml.safe_load((EXAMPLE / "collector.yaml").read_text())
    grpc_port, http_port = free_port(), free_port()
    config["receivers"]["otlp"]["protocols"] = {"grpc": {"endpoint": f"127.0.0.1:{grpc_port}"},
                                                 "http": {"endpoint": f"127.0.0.1:{http_port}"}}
    config["exporters"]["awsxray"].update(endpoint=backend.url, region="us-east-1")
    config["service"]["telemetry"] = {"metrics": {"address": "127.0.0.1:{metrics_port}"}}
    collector = start_collector(yaml.safe_dump(config), tmp_path, env=xray_env)
    try:
        trace_id, parent = new_trace_id(), new_segment_id()
        result = invoke(backend, moto, "--env", "OTELRAY_LAMBDA_EXPORTER=otlp",
                        "--env", f"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{http_port}",
                        "--xray-address", "127.0.0.1:9",  # nothing reaches the backend over UDP
                        trace_header=f"Root={trace_id};Parent={parent};Sampled=1", tmp_path=tmp_path)
        check_function_trace(backend, result, trace_id, parent)
    finally:
        collector.stop()


def test_service_segments_chain_caller_lambda_function(backend: Any, moto: str, tmp_path: Path) -> None:
    """--service-segments: caller → AWS::Lambda → AWS::Lambda::Function → the function's own segment."""
    trace_id, caller = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, "--service-segments", "--count", "2",
                    trace_header=f"Root={trace_id};Parent={caller};Sampled=1", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    docs = documents(backend, trace_id, want=10)
    services = [d for d in docs if d.get("origin") == "AWS::Lambda"]
    functions = [d for d in docs if d.get("origin") == "AWS::Lambda::Function"]
    assert len(services) == len(functions) == 2
    assert all(s["parent_id"] == caller and s["aws"]["request_id"] for s in services)
    assert {f["parent_id"] for f in functions} == {s["id"] for s in services}
    assert all(f["resource_arn"].endswith(":function:orders") for f in functions)
    cold = [f for f in functions if any(s["name"] == "Initialization" for s in f["subsegments"])]
    assert len(cold) == 1  # only the first invocation started a runtime
    own = [d for d in docs if d.get("parent_id") in {f["id"] for f in functions}]
    assert len(own) == 2  # the function's SERVER span, once per invocation, below its function segment
    assert all(d["name"] == "orders" and d.get("origin") not in ("AWS::Lambda", "AWS::Lambda::Function")
               for d in own)


def test_service_segments_record_the_runtime_error_cause(backend: Any, moto: str, tmp_path: Path) -> None:
    trace_id = new_trace_id()
    result = invoke(backend, moto, "--service-segments", "--no-wrapper", trace_header=f"Root={trace_id};Sampled=1",
                    event={"order_id": "o-3", "fail": True}, tmp_path=tmp_path)
    assert result.returncode == 1
    docs = documents(backend, trace_id, want=2)
    (function,) = [d for d in docs if d.get("origin") == "AWS::Lambda::Function"]
    assert function["fault"] is True
    exception = function["cause"]["exceptions"][0]
    assert exception["type"] == "ValueError" and "o-3" in exception["message"]
    (service,) = [d for d in docs if d.get("origin") == "AWS::Lambda"]
    assert "parent_id" not in service  # no caller: the service segment is the root


@pytest.mark.parametrize("setting", ["OTEL_SDK_DISABLED=true", "OTEL_TRACES_SAMPLER=always_off"])
def test_standard_switches_turn_tracing_off(backend: Any, moto: str, tmp_path: Path, setting: str) -> None:
    trace_id, parent = new_trace_id(), new_segment_id()
    result = invoke(backend, moto, "--env", setting, trace_header=f"Root={trace_id};Parent={parent};Sampled=1",
                    tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["order_id"] == "o-1"
    control, control_parent = new_trace_id(), new_segment_id()
    check_function_trace(backend, invoke(backend, moto, trace_header=f"Root={control};Parent={control_parent};Sampled=1",
                                         tmp_path=tmp_path), control, control_parent)
    assert documents(backend, trace_id, want=1, timeout=0.5) == []


def test_collector_extension_exports_before_the_invocation_completes(backend: Any, moto: str, tmp_path: Path) -> None:
    """/opt/extensions/otelray-collector: started before the runtime, registered with the Extensions API,
    fed OTLP by the function; the trace is in the backend when the invocation returns; SHUTDOWN stops it."""
    config = yaml.safe_load((EXAMPLE / "collector.yaml").read_text())
    grpc_port, http_port = free_port(), free_port()
    config["receivers"]["otlp"]["protocols"] = {"grpc": {"endpoint": f"127.0.0.1:{grpc_port}"},
                                                 "http": {"endpoint": f"127.0.0.1:{http_port}"}}
    config["exporters"]["awsxray"].update(endpoint=backend.url, region="us-east-1")
    config_file = tmp_path / "collector.yaml"
    config_file.write_text(yaml.safe_dump(config))
    function = FunctionConfig(
        handler="handler.lambda_handler", task_root=EXAMPLE, function_name="orders", timeout=10,
        exec_wrapper=write_wrapper(tmp_path), extensions_dir=write_extension(tmp_path / "extensions").parent,
        xray_daemon_address="127.0.0.1:9",
        environment={"AWS_ENDPOINT_URL": moto, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "OTELRAY_LAMBDA_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{http_port}",
                     "OPENTELEMETRY_COLLECTOR_CONFIG_URI": f"file:{config_file}"},
    )
    trace_id, parent = new_trace_id(), new_segment_id()
    with open(tmp_path / "function.log", "wb") as log, LocalFunction(function, output=log) as local:
        result = local.invoke(json.dumps({"order_id": "o-9"}).encode(), f"Root={trace_id};Parent={parent};Sampled=1")
        assert result.ok, (result.error, (tmp_path / "function.log").read_text())
        docs = documents(backend, trace_id, want=3, timeout=1.0)  # already exported: no batching, no queue
        extensions = list(local.extension_processes)
        assert len(extensions) == 1 and extensions[0].poll() is None
    assert [d for d in docs if d.get("parent_id") == parent][0]["name"] == "orders"
    assert any(d.get("name") == "DynamoDB" for d in docs)
    assert extensions[0].returncode == 0  # SHUTDOWN event: the collector stopped and the extension exited
