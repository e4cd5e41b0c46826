"""Resource detectors of the resourcedetection processor (contrib ``processor/resourcedetectionprocessor``).

Detectors and the attributes they produce follow adot-collector.md §5.4. ``ec2``, ``ecs``, ``eks``
and ``elastic_beanstalk`` reuse the detectors of ``opentelemetry-sdk-extension-aws``; ``env``,
``system`` and ``lambda`` are written here because the upstream collector's rules differ from the
SDK's (``env`` reads only ``OTEL_RESOURCE_ATTRIBUTES``/``OTEL_RESOURCE``; ``lambda`` adds the log
group and stream and needs only ``AWS_LAMBDA_FUNCTION_NAME``); ``ecs`` adds ``cloud.region``,
``cloud.account.id`` and ``aws.ecs.task.id`` parsed from the task ARN, as upstream does.

Every detector runs in a worker thread bounded by the processor's ``timeout``. A detector that
fails or times out contributes nothing and logs one warning: detection fails soft, as upstream's
does when it is not on that platform.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import socket
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote

from otelray.collector.aws.errors import AwsConfigError

_log = logging.getLogger(__name__)

AttrValue = str | bool | int | float | list[str]
Attributes = dict[str, AttrValue]
Detector = Callable[[Mapping[str, str]], Attributes]


def detect_env(environ: Mapping[str, str]) -> Attributes:
    """``OTEL_RESOURCE_ATTRIBUTES`` (or the deprecated ``OTEL_RESOURCE``) as ``k=v,k2=v2``, URL-decoded."""
    raw = environ.get("OTEL_RESOURCE_ATTRIBUTES") or environ.get("OTEL_RESOURCE", "")
    attributes: Attributes = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"invalid resource format in attribute: {pair!r}, want a key=value pair")
        attributes[key.strip()] = unquote(value.strip())
    return attributes


def detect_system(environ: Mapping[str, str]) -> Attributes:
    """``host.name`` (the OS host name) and ``os.type`` (system detector defaults)."""
    return {"host.name": socket.gethostname(), "os.type": platform.system().lower()}


def detect_lambda(environ: Mapping[str, str]) -> Attributes:
    """AWS Lambda from its runtime environment variables (needs ``AWS_LAMBDA_FUNCTION_NAME``)."""
    name = environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    if not name:
        return {}
    attributes: Attributes = {"cloud.provider": "aws", "cloud.platform": "aws_lambda", "faas.name": name}
    optional = {"cloud.region": "AWS_REGION", "faas.version": "AWS_LAMBDA_FUNCTION_VERSION",
                "faas.instance": "AWS_LAMBDA_LOG_STREAM_NAME"}
    for key, variable in optional.items():
        if environ.get(variable):
            attributes[key] = environ[variable]
    memory = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    if memory.isdigit():
        attributes["faas.max_memory"] = int(memory) * 1024 * 1024
    if environ.get("AWS_LAMBDA_LOG_GROUP_NAME"):
        attributes["aws.log.group.names"] = [environ["AWS_LAMBDA_LOG_GROUP_NAME"]]
    if environ.get("AWS_LAMBDA_LOG_STREAM_NAME"):
        attributes["aws.log.stream.names"] = [environ["AWS_LAMBDA_LOG_STREAM_NAME"]]
    return attributes


def _sdk_detector(class_name: str, module: str) -> Detector:
    def detect(environ: Mapping[str, str]) -> Attributes:
        import importlib

        cls = getattr(importlib.import_module(module), class_name)
        resource = cls(raise_on_error=True).detect()
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in resource.attributes.items()}

    detect.__doc__ = f"``{class_name}`` of opentelemetry-sdk-extension-aws."
    return detect


def _with_task_arn_parts(detect: Detector) -> Detector:
    """Add what upstream's ecs detector parses from the task ARN and the SDK's omits."""
    def detect_ecs(environ: Mapping[str, str]) -> Attributes:
        found = detect(environ)
        arn = str(found.get("aws.ecs.task.arn", ""))
        parts = arn.split(":", 5)  # arn:aws:ecs:<region>:<account>:task/<cluster>/<id>
        if len(parts) == 6:
            found.setdefault("cloud.region", parts[3])
            found.setdefault("cloud.account.id", parts[4])
            found.setdefault("aws.ecs.task.id", parts[5].rsplit("/", 1)[-1])
        return found

    detect_ecs.__doc__ = detect.__doc__
    return detect_ecs


_SDK = "opentelemetry.sdk.extension.aws.resource."
#: Detector name (as in the processor's ``detectors`` list) → detector.
DETECTORS: dict[str, Detector] = {
    "env": detect_env,
    "system": detect_system,
    "ec2": _sdk_detector("AwsEc2ResourceDetector", _SDK + "ec2"),
    "ecs": _with_task_arn_parts(_sdk_detector("AwsEcsResourceDetector", _SDK + "ecs")),
    "eks": _sdk_detector("AwsEksResourceDetector", _SDK + "eks"),
    "lambda": detect_lambda,
    "elastic_beanstalk": _sdk_detector("AwsBeanstalkResourceDetector", _SDK + "beanstalk"),
}


def check_detectors(names: Sequence[str]) -> None:
    """Raise ``AwsConfigError`` naming the first unknown detector and the supported ones."""
    for name in names:
        if name not in DETECTORS:
            raise AwsConfigError(f"unknown detector {name!r}; supported: {', '.join(sorted(DETECTORS))}")


async def detect(
    names: Sequence[str], *, timeout: float, environ: Mapping[str, str] | None = None
) -> Attributes:
    """Run the named detectors concurrently; earlier detectors win on conflicting keys (upstream order).

    Args:
        names: detector names in priority order.
        timeout: seconds each detector may take.
        environ: environment to read (``os.environ`` when ``None``).
    """
    check_detectors(names)
    env = dict(os.environ if environ is None else environ)
    results = await asyncio.gather(*(_run(name, env, timeout) for name in names))
    merged: Attributes = {}
    for attributes in results:
        for key, value in attributes.items():
            merged.setdefault(key, value)
    return merged


async def _run(name: str, environ: dict[str, str], timeout: float) -> Attributes:
    try:
        return await asyncio.wait_for(asyncio.to_thread(DETECTORS[name], environ), timeout)
    except TimeoutError:
        _log.warning("resourcedetection: detector %r timed out after %.1fs; skipped", name, timeout)
    except Exception as exc:  # fail soft: a detector that cannot detect adds nothing
        _log.warning("resourcedetection: detector %r failed: %s", name, exc)
    return {}
