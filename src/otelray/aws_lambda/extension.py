"""The otelray collector as a Lambda external extension (``/opt/extensions/otelray-collector``).

Follows the opentelemetry-lambda collector extension (OTEL-LAMBDA ``collector/``): the collector is
started during the init phase with the config named by ``OPENTELEMETRY_COLLECTOR_CONFIG_URI`` (a file
path or ``file:`` URI; default ``/opt/collector-config/config.yaml``), the extension registers for
``INVOKE`` and ``SHUTDOWN``, and ``SHUTDOWN`` stops the collector (SIGTERM: receivers close, pipelines
drain). It differs in how data is kept from being frozen mid-pipeline: instead of the Telemetry API
and the ``decouple`` processor, the documented config (examples/lambda/collector.yaml) has no batch
processor and no sending queue, so a function's OTLP request is answered only once the data was
exported, and the function's per-invocation flush already waits for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

from otelray.aws_lambda.errors import LambdaConfigError

CONFIG_VARIABLE = "OPENTELEMETRY_COLLECTOR_CONFIG_URI"
DEFAULT_CONFIG = "/opt/collector-config/config.yaml"
EXTENSION_NAME = "otelray-collector"
READY_LINE = "Everything is ready"
#: talks to the local Runtime API directly, whatever proxy variables say
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: how long the collector may take to start (part of Lambda's 10 s init phase)
START_TIMEOUT = 8.0

#: collector-config/config.yaml of the layer (examples/lambda/collector.yaml, without its comments)
LAYER_CONFIG = """receivers:
  otlp:
    protocols:
      grpc:
        endpoint: localhost:4317
      http:
        endpoint: localhost:4318
exporters:
  awsxray:
    sending_queue:
      enabled: false
  debug:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [awsxray]
    metrics:
      receivers: [otlp]
      exporters: [debug]
"""

SCRIPT = f"""#!/bin/bash
# otelray collector as a Lambda external extension. Config: ${CONFIG_VARIABLE} (default {DEFAULT_CONFIG}).
LAYER_ROOT="$(cd "$(dirname "${{BASH_SOURCE[0]}}")/.." && pwd)"
export PYTHONPATH="$LAYER_ROOT/python${{PYTHONPATH:+:$PYTHONPATH}}"
export {CONFIG_VARIABLE}="${{{CONFIG_VARIABLE}:-$LAYER_ROOT/collector-config/config.yaml}}"
exec python3 -m otelray.aws_lambda.extension
"""


def config_path(environ: dict[str, str] | os._Environ[str]) -> str:
    """The collector config file; raises ``LambdaConfigError`` for URI schemes otelray does not read."""
    value = (environ.get(CONFIG_VARIABLE) or DEFAULT_CONFIG).strip()
    if value.startswith("file:"):
        value = value[len("file:"):]
    if "://" in value or value.startswith(("s3:", "http:", "https:", "env:", "yaml:")):
        raise LambdaConfigError(f"{CONFIG_VARIABLE}={value!r}: only file paths are supported")
    return value


def write_extension(directory: Path) -> Path:
    """Write the executable extension script into ``directory`` (``extensions/`` of a layer)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / EXTENSION_NAME
    path.write_text(SCRIPT, encoding="ascii")
    path.chmod(0o755)
    return path


class ExtensionClient:
    """Calls to the Extensions API at ``AWS_LAMBDA_RUNTIME_API``."""

    def __init__(self, api: str) -> None:
        self.base = f"http://{api}/2020-01-01/extension"
        self.identifier = ""

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[dict[str, Any], Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            **({"Lambda-Extension-Identifier": self.identifier} if self.identifier else {}), **(headers or {})})
        with _OPENER.open(request, timeout=None) as response:
            return json.loads(response.read() or b"{}"), response.headers

    def register(self, name: str, events: list[str]) -> None:
        """Register; keeps the identifier for later calls."""
        _, headers = self._call("POST", "/register", {"events": events}, {"Lambda-Extension-Name": name})
        self.identifier = headers["Lambda-Extension-Identifier"]

    def next_event(self) -> dict[str, Any]:
        """Block until the next event."""
        return self._call("GET", "/event/next")[0]

    def init_error(self, error_type: str, message: str) -> None:
        """Report a failed start (Lambda then fails the init phase)."""
        self._call("POST", "/init/error", {"errorType": error_type, "errorMessage": message},
                   {"Lambda-Extension-Function-Error-Type": error_type})


def _start_collector(config: str) -> tuple[subprocess.Popen[str], threading.Event]:
    process = subprocess.Popen([sys.executable, "-m", "otelray", "collector", "--config", config],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ready = threading.Event()

    def forward() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stderr.write(line)
            if READY_LINE in line:
                ready.set()

    threading.Thread(target=forward, daemon=True).start()
    return process, ready


def _stop(process: subprocess.Popen[str], timeout: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def main() -> int:
    """Run the extension until ``SHUTDOWN``; the exit status is 0 on a clean shutdown."""
    client = ExtensionClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        config = config_path(os.environ)
    except LambdaConfigError as exc:
        client.register(EXTENSION_NAME, [])
        client.init_error("Extension.ConfigInvalid", str(exc))
        return 1
    collector, ready = _start_collector(config)
    client.register(EXTENSION_NAME, ["INVOKE", "SHUTDOWN"])
    if not ready.wait(START_TIMEOUT) or collector.poll() is not None:
        client.init_error("Extension.CollectorStartFailed", f"otelray collector did not start with {config}")
        _stop(collector, 1.0)
        return 1
    while True:
        event = client.next_event()
        if event.get("eventType") == "SHUTDOWN":
            _stop(collector, 1.5)
            return 0


if __name__ == "__main__":
    sys.exit(main())
