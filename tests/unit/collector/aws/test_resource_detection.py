from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.resource_detection import detect, detect_env, detect_lambda


def test_env_detector_parses_and_url_decodes() -> None:
    env = {"OTEL_RESOURCE_ATTRIBUTES": "service.name=checkout, team=a%20b,,deployment.environment=prod"}
    assert detect_env(env) == {"service.name": "checkout", "team": "a b", "deployment.environment": "prod"}


def test_env_detector_rejects_a_pair_without_equals() -> None:
    with pytest.raises(ValueError, match="invalid resource format"):
        detect_env({"OTEL_RESOURCE_ATTRIBUTES": "a=1,broken"})


def test_lambda_detector() -> None:
    env = {"AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
           "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]abc", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
           "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn"}
    got = detect_lambda(env)
    assert got["cloud.platform"] == "aws_lambda"
    assert got["faas.name"] == "fn"
    assert got["faas.max_memory"] == 128 * 1024 * 1024
    assert got["aws.log.group.names"] == ["/aws/lambda/fn"]
    assert detect_lambda({}) == {}


def test_unknown_detector_is_named() -> None:
    with pytest.raises(AwsConfigError, match="unknown detector 'gcp'; supported: "):
        asyncio.run(detect(["env", "gcp"], timeout=1))


def test_earlier_detectors_win_and_failures_are_soft(caplog) -> None:
    env = {"OTEL_RESOURCE_ATTRIBUTES": "host.name=from-env,broken", "AWS_LAMBDA_FUNCTION_NAME": "fn"}
    got = asyncio.run(detect(["env", "lambda", "system"], timeout=2, environ=env))
    assert got["faas.name"] == "fn"
    assert got["host.name"] != "from-env"  # env failed as a whole, system supplied host.name
    assert "detector 'env' failed" in caplog.text


class _Tmde(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/v4/task":
            body = {"Cluster": "arn:aws:ecs:us-west-2:123456789012:cluster/default",
                    "TaskARN": "arn:aws:ecs:us-west-2:123456789012:task/default/abc",
                    "Family": "web", "Revision": "3", "AvailabilityZone": "us-west-2a", "LaunchType": "FARGATE"}
        else:
            body = {"DockerId": "cid123", "Name": "web", "ContainerARN": base, "LogDriver": "awslogs",
                    "LogOptions": {"awslogs-group": "/ecs/web", "awslogs-region": "us-west-2",
                                   "awslogs-stream": "ecs/web/abc"}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_ecs_detector_reads_task_metadata_endpoint(monkeypatch) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tmde)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("ECS_CONTAINER_METADATA_URI_V4", f"http://127.0.0.1:{server.server_port}/v4")
        got = asyncio.run(detect(["ecs"], timeout=5))
    finally:
        server.shutdown()
        server.server_close()
    assert got["cloud.platform"] == "aws_ecs"
    assert got["aws.ecs.task.family"] == "web"
    assert got["aws.log.group.names"] == ["/ecs/web"]
    assert (got["cloud.region"], got["cloud.account.id"], got["aws.ecs.task.id"]) == ("us-west-2", "123456789012", "abc")
    assert got["aws.ecs.launchtype"] == "fargate"


def test_slow_detector_times_out(monkeypatch) -> None:
    import otelray.collector.aws.resource_detection as rd

    def slow(environ):
        import time
        time.sleep(1)
        return {"x": "y"}

    monkeypatch.setitem(rd.DETECTORS, "env", slow)
    assert asyncio.run(detect(["env"], timeout=0.1)) == {}
