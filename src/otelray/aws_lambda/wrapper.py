"""The ``otel-instrument`` exec wrapper (``AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument``).

Upstream rule (opentelemetry-lambda ``python/src/otel/otel_sdk/otel-instrument``, ADOT's
``lambda-layer/src/otel-instrument``): Lambda runs the wrapper with the runtime's start command as
arguments; the wrapper only sets variables — layer ``python/`` first on ``PYTHONPATH``,
``OTEL_SERVICE_NAME`` defaulting to the function name, the Lambda resource attributes prepended to
``OTEL_RESOURCE_ATTRIBUTES``, ``ORIG_HANDLER=$_HANDLER`` and ``_HANDLER`` pointing at
``otelray.aws_lambda.otel_wrapper.lambda_handler`` — then ``exec``s the command. The runtime
interface client form used in container images and by ``otelray lambda invoke``
(``python -m awslambdaric MODULE.HANDLER``) passes the handler as the last argument; the wrapper
swaps that argument too. Unlike upstream it does not go through ``opentelemetry-instrument``
(one Python start-up and the entry-point scan fewer).
"""

from __future__ import annotations

import stat
from pathlib import Path

WRAPPER_NAME = "otel-instrument"
WRAPPED_HANDLER = "otelray.aws_lambda.otel_wrapper.lambda_handler"

SCRIPT = f"""#!/bin/bash
# otelray exec wrapper for AWS Lambda. Enable: AWS_LAMBDA_EXEC_WRAPPER=/opt/{WRAPPER_NAME}
# Disable: remove that variable (nothing of otelray loads without it).
LAYER_ROOT="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
export PYTHONPATH="$LAYER_ROOT/python${{PYTHONPATH:+:$PYTHONPATH}}"
if [ -n "$LAMBDA_RUNTIME_DIR" ]; then export PYTHONPATH="$PYTHONPATH:$LAMBDA_RUNTIME_DIR"; fi
export OTEL_SERVICE_NAME="${{OTEL_SERVICE_NAME:-$AWS_LAMBDA_FUNCTION_NAME}}"
LAMBDA_RESOURCE="cloud.provider=aws,cloud.platform=aws_lambda,cloud.region=$AWS_REGION"
LAMBDA_RESOURCE="$LAMBDA_RESOURCE,faas.name=$AWS_LAMBDA_FUNCTION_NAME,faas.version=$AWS_LAMBDA_FUNCTION_VERSION"
LAMBDA_RESOURCE="$LAMBDA_RESOURCE,faas.instance=$AWS_LAMBDA_LOG_STREAM_NAME"
LAMBDA_RESOURCE="$LAMBDA_RESOURCE,aws.log.group.names=$AWS_LAMBDA_LOG_GROUP_NAME"
export OTEL_RESOURCE_ATTRIBUTES="$LAMBDA_RESOURCE${{OTEL_RESOURCE_ATTRIBUTES:+,$OTEL_RESOURCE_ATTRIBUTES}}"
export ORIG_HANDLER="$_HANDLER"
export _HANDLER="{WRAPPED_HANDLER}"
args=("$@")
if [ "${{#args[@]}}" -gt 0 ] && [ -n "$ORIG_HANDLER" ] && [ "${{args[-1]}}" = "$ORIG_HANDLER" ]; then
  args[-1]="$_HANDLER"
fi
exec "${{args[@]}}"
"""


def write_wrapper(directory: Path) -> Path:
    """Write the executable ``otel-instrument`` into ``directory``; returns its path."""
    path = Path(directory) / WRAPPER_NAME
    path.write_text(SCRIPT, encoding="ascii")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
