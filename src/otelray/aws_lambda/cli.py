"""``otelray lambda``: build the layer, invoke a function locally."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click


@click.group("lambda")
def lambda_command() -> None:
    """AWS Lambda: the otelray layer and a local Lambda runtime."""


@lambda_command.command("build-layer")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("layer.zip"),
              show_default=True, help="Zip file to write.")
@click.option("--python", "python_version", default="3.11", show_default=True, help="Lambda Python runtime version.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where installed packages are cached (default: the user cache directory).")
@click.option("--collector", is_flag=True,
              help="Add the otelray collector as a Lambda extension (extensions/, collector-config/, full deps).")
def build_layer_command(output: Path, python_version: str, cache_dir: Path | None, collector: bool) -> None:
    """Build the Lambda layer zip (otel-instrument wrapper + python/)."""
    from otelray.aws_lambda.errors import LayerBuildError
    from otelray.aws_lambda.layer import build_layer

    try:
        build_layer(output, python_version=python_version, cache_dir=cache_dir,
                    progress=lambda line: click.echo(line, err=True), collector=collector)
    except LayerBuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{output} ({output.stat().st_size / 1e6:.1f} MB)")


def _parse_env(values: tuple[str, ...]) -> dict[str, str]:
    environment = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--env")
        environment[key] = val
    return environment


@lambda_command.command("invoke")
@click.argument("handler")
@click.option("--event", "event_file", type=click.File("rb"), default=None, help="Event JSON file ('-': stdin).")
@click.option("--layer", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Layer zip, unzipped into a temporary /opt; default: the wrapper from this installation.")
@click.option("--no-wrapper", is_flag=True, help="Do not set AWS_LAMBDA_EXEC_WRAPPER (no otelray in the function).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=900), default=3.0, show_default=True,
              help="Function timeout, seconds.")
@click.option("--count", type=click.IntRange(min=1, max=100000), default=1, show_default=True,
              help="Invocations (the first is a cold start).")
@click.option("--task-root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The function code directory (LAMBDA_TASK_ROOT).")
@click.option("--function-name", default="otelray-function", show_default=True)
@click.option("--memory", type=click.IntRange(min=128, max=10240), default=128, show_default=True, help="MB.")
@click.option("--xray-address", default="127.0.0.1:2000", show_default=True,
              help="AWS_XRAY_DAEMON_ADDRESS (the otelray backend or collector UDP port).")
@click.option("--trace-header", default=None, help="Lambda-Runtime-Trace-Id to send (default: a new sampled one).")
@click.option("--service-segments", is_flag=True,
              help="Also send the AWS::Lambda and AWS::Lambda::Function segments Lambda records with active tracing.")
@click.option("--env", "env_values", multiple=True, help="KEY=VALUE for the function environment (repeatable).")
def invoke_command(handler: str, **options: Any) -> None:
    """Run MODULE.HANDLER under awslambdaric against a local Lambda Runtime API."""
    import importlib.util

    if importlib.util.find_spec("awslambdaric") is None:
        raise click.ClickException(
            "otelray lambda invoke runs the function under awslambdaric, which is not installed: "
            "pip install 'otelray[lambda]'"
        )
    from otelray.aws_lambda.invoke import FunctionConfig, LocalFunction
    from otelray.aws_lambda.layer import extract_layer
    from otelray.aws_lambda.wrapper import WRAPPER_NAME, write_wrapper

    event_file = options["event_file"]
    layer: Path | None = options["layer"]
    no_wrapper: bool = options["no_wrapper"]
    trace_header: str | None = options["trace_header"]
    if event_file is None:
        event = b"{}"
    else:
        event = event_file.read()  # type: ignore[attr-defined]
        if len(event) > 6 * 1024 * 1024:
            raise click.BadParameter("the event exceeds Lambda's 6 MB payload limit", param_hint="--event")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="otelray-opt-") as opt_dir:
        opt = Path(opt_dir)
        wrapper = None
        if layer is not None:
            extract_layer(layer, opt)
            wrapper = opt / WRAPPER_NAME
        elif not no_wrapper:
            wrapper = write_wrapper(opt)
        config = FunctionConfig(
            handler=handler, task_root=options["task_root"].resolve(), function_name=options["function_name"],
            memory_mb=options["memory"], timeout=options["timeout"], exec_wrapper=None if no_wrapper else wrapper,
            layer_dir=opt if layer is not None else None, xray_daemon_address=options["xray_address"],
            environment=_parse_env(options["env_values"]), service_segments=options["service_segments"],
        )
        with LocalFunction(config, output=sys.stderr) as function:  # function logs go to stderr
            for _ in range(options["count"]):
                result = function.invoke(event, trace_header)
                if result.ok:
                    click.echo(result.payload.decode("utf-8", "replace"))
                else:
                    failures += 1
                    import json

                    click.echo(json.dumps(result.error))
                click.echo(result.report_line(), err=True)
    sys.exit(1 if failures else 0)
