"""The exec wrapper script (run by bash, as Lambda runs it) and the handler swap it sets up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from otelray.aws_lambda.errors import HandlerError
from otelray.aws_lambda.handler import split_handler
from otelray.aws_lambda.wrapper import WRAPPED_HANDLER, write_wrapper

SHOW_ENV = ("import json, os, sys; print(json.dumps({'argv': sys.argv[1:], 'env': {k: os.environ.get(k) for k in "
            "('_HANDLER', 'ORIG_HANDLER', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'PYTHONPATH')}}))")


def run_wrapper(tmp_path: Path, *args: str, **env: str) -> dict:
    wrapper = write_wrapper(tmp_path)
    base = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "orders", "AWS_REGION": "eu-west-1",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]ab",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/orders", "_HANDLER": "app.handler"}
    done = subprocess.run([str(wrapper), sys.executable, "-c", SHOW_ENV, *args], env={**base, **env},
                          capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_wrapper_swaps_the_handler_and_sets_lambda_defaults(tmp_path: Path) -> None:
    out = run_wrapper(tmp_path)
    env = out["env"]
    assert (env["_HANDLER"], env["ORIG_HANDLER"]) == (WRAPPED_HANDLER, "app.handler")
    assert env["OTEL_SERVICE_NAME"] == "orders"
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == (
        "cloud.provider=aws,cloud.platform=aws_lambda,cloud.region=eu-west-1,faas.name=orders,"
        "faas.version=$LATEST,faas.instance=2026/01/01/[$LATEST]ab,aws.log.group.names=/aws/lambda/orders")
    assert env["PYTHONPATH"].split(":")[0] == str(tmp_path / "python")


def test_user_settings_win_and_are_kept(tmp_path: Path) -> None:
    env = run_wrapper(tmp_path, OTEL_SERVICE_NAME="checkout", OTEL_RESOURCE_ATTRIBUTES="team=pay",
                      PYTHONPATH="/var/task")["env"]
    assert env["OTEL_SERVICE_NAME"] == "checkout"
    assert env["OTEL_RESOURCE_ATTRIBUTES"].endswith(",team=pay")
    assert env["PYTHONPATH"] == f"{tmp_path / 'python'}:/var/task"


def test_handler_argument_of_the_runtime_client_is_swapped(tmp_path: Path) -> None:
    assert run_wrapper(tmp_path, "app.handler")["argv"] == [WRAPPED_HANDLER]
    assert run_wrapper(tmp_path, "other")["argv"] == ["other"]


@pytest.mark.parametrize(("value", "expected"), [("app.handler", ("app", "handler")),
                                                 ("pkg/sub/app.main", ("pkg.sub.app", "main")),
                                                 ("a.b.c", ("a.b", "c"))])
def test_split_handler(value: str, expected: tuple[str, str]) -> None:
    assert split_handler({"ORIG_HANDLER": value}) == expected


@pytest.mark.parametrize("value", [None, "", "handler", ".handler", "app."])
def test_split_handler_refuses_unusable_values(value: str | None) -> None:
    with pytest.raises(HandlerError, match="ORIG_HANDLER"):
        split_handler({} if value is None else {"ORIG_HANDLER": value})
