"""Namespace and log group/stream templating (contrib ``exporter/awsemfexporter/util.go``, adot-collector.md §3.3).

Namespace: the configured value, else ``service.namespace/service.name``, ``service.name``,
``service.namespace``, else ``default``. Placeholders ``{Key}`` in ``log_group_name`` and
``log_stream_name`` (only the keys of ``PLACEHOLDERS``; other braces stay as written) are looked up
as a resource attribute literally named ``Key``, then as the mapped semantic-convention attribute;
a missing or empty value becomes ``undefined`` and marks the
substitution as failed, so the caller retries it against each data point's labels (otelray
merges them over the resource attributes, so placeholders found on the resource stay filled).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS: dict[str, str] = {
    "ClusterName": "aws.ecs.cluster.name",
    "TaskId": "aws.ecs.task.id",
    "NodeName": "k8s.node.name",
    "PodName": "pod",
    "ServiceName": "service.name",
    "ContainerInstanceId": "aws.ecs.container.instance.id",
    "TaskDefinitionFamily": "aws.ecs.task.family",
    "InstanceId": "service.instance.id",
    "FaasName": "faas.name",
    "FaasVersion": "faas.version",
}
_PATTERN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
UNDEFINED = "undefined"


def namespace_of(configured: str, resource: Mapping[str, str]) -> str:
    """The CloudWatch namespace of one resource's metrics."""
    if configured:
        return configured
    service, ns = resource.get("service.name", ""), resource.get("service.namespace", "")
    if service and ns:
        return f"{ns}/{service}"
    return service or ns or "default"


def substitute(template: str, attrs: Mapping[str, str]) -> tuple[str, bool]:
    """Replace ``{Key}`` placeholders; returns the text and whether every lookup succeeded."""
    ok = True

    def repl(match: re.Match[str]) -> str:
        nonlocal ok
        key = match.group(1)
        value = attrs[key] if key in attrs else attrs.get(PLACEHOLDERS[key], "")
        if not value:
            ok = False
            return UNDEFINED
        return value

    return _PATTERN.sub(repl, template), ok
