"""The ``aws`` block (contrib ``translator/aws.go`` ``makeAws``).

Resource attributes give the segment-only parts — ``elastic_beanstalk``, ``cloudwatch_logs``,
``ecs``, ``ec2``, ``eks``, ``xray`` — and the account; they are computed once per resource
(:func:`make_aws_resource`). Span attributes give ``operation`` (``aws.operation`` else
``rpc.method``), ``account_id``, ``region``, ``request_id``, ``queue_url`` (``messaging.url``
wins), ``table_name``/``table_names`` (``aws.dynamodb.table_names`` wins) and are consumed even when
the resource is not on AWS; then no block is written (reference §1.7). ``ec2``/``eks``/beanstalk
fields have no ``omitempty`` upstream, so unknown values are ``null``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from otelray.translate.to_xray.values import Attrs, as_str

_CONSUMED = frozenset(
    {"rpc.method", "aws.operation", "aws.account_id", "aws.region", "aws.request_id", "aws.requestId",
     "aws.queue_url", "aws.queue.url", "aws.table_name", "aws.table.name"}
)
_OVERRIDES = frozenset({"messaging.url", "aws.dynamodb.table_names"})
_INT = re.compile(r"[+-]?[0-9]+")
_SPAN_FIELDS = {
    "aws.region": "region",
    "aws.request_id": "request_id",
    "aws.requestId": "request_id",
    "aws.queue_url": "queue_url",
    "aws.queue.url": "queue_url",
    "aws.table_name": "table_name",
    "aws.table.name": "table_name",
}


@dataclass(frozen=True, slots=True)
class AwsResource:
    """The resource's contribution to every ``aws`` block of its spans."""

    is_aws: bool
    account: str
    segment_parts: dict[str, Any]


def _null_if_empty(text: str) -> str | None:
    return text or None


def _parse_int64(text: str) -> int:
    """Go ``strconv.ParseInt(text, 10, 64)`` with 0 on any error (as the exporter does)."""
    if _INT.fullmatch(text) is None:
        return 0
    number = int(text)
    return number if -(2**63) <= number < 2**63 else 0


def _log_groups(value: Any) -> list[str]:
    """A string (``&``-separated, for ``OTEL_RESOURCE_ATTRIBUTES``) or a list of strings."""
    if type(value) is str:
        return [item for item in value.split("&") if item]
    if type(value) is tuple:
        return [as_str(item) for item in value]
    return []


def _cloudwatch_logs(res: Attrs, config_names: Sequence[str]) -> list[dict[str, Any]]:
    arns = _log_groups(res["aws.log.group.arns"]) if "aws.log.group.arns" in res else []
    if arns:
        out = []
        for arn in arns:
            parts = arn.split(":")  # the log group is the 7th field of a log group ARN
            group: dict[str, Any] = {"log_group": _null_if_empty(parts[6] if len(parts) >= 7 else arn)}
            if arn:
                group["arn"] = arn
            out.append(group)
        return out
    names = _log_groups(res["aws.log.group.names"]) if "aws.log.group.names" in res else []
    return [{"log_group": _null_if_empty(name)} for name in (names or config_names)]


def _segment_parts(res: dict[str, str], raw: Attrs, config_names: Sequence[str]) -> dict[str, Any]:
    platform, zone, container_id = res.get("cloud.platform", ""), res.get("cloud.availability_zone", ""), \
        res.get("container.id", "")
    parts: dict[str, Any] = {}
    instance_id = res.get("service.instance.id", "")
    if platform == "aws_elastic_beanstalk" and instance_id:
        parts["elastic_beanstalk"] = {
            "environment_name": _null_if_empty(res.get("service.namespace", "")),
            "version_label": _null_if_empty(res.get("service.version", "")),
            "deployment_id": _parse_int64(instance_id),
        }
    logs = _cloudwatch_logs(raw, config_names)
    if logs:
        parts["cloudwatch_logs"] = logs
    if platform == "aws_ecs":
        ecs = {
            "container": res.get("container.name", ""), "container_id": container_id,
            "task_arn": res.get("aws.ecs.task.arn", ""), "task_family": res.get("aws.ecs.task.family", ""),
            "cluster_arn": res.get("aws.ecs.cluster.arn", ""), "container_arn": res.get("aws.ecs.container.arn", ""),
            "availability_zone": zone, "launch_type": res.get("aws.ecs.launchtype", ""),
        }
        parts["ecs"] = {key: value for key, value in ecs.items() if value}
    host_id = res.get("host.id", "")
    if platform == "aws_ec2" or host_id:
        parts["ec2"] = {
            "instance_id": _null_if_empty(host_id), "availability_zone": _null_if_empty(zone),
            "instance_size": _null_if_empty(res.get("host.type", "")),
            "ami_id": _null_if_empty(res.get("host.image.id", "")),
        }
    cluster = res.get("k8s.cluster.name", "")
    if platform == "aws_eks" or cluster:
        parts["eks"] = {
            "cluster_name": _null_if_empty(cluster), "pod": _null_if_empty(res.get("k8s.pod.name", "")),
            "container_id": _null_if_empty(container_id),
        }
    sdk_name, language = res.get("telemetry.sdk.name", ""), res.get("telemetry.sdk.language", "")
    sdk = f"{sdk_name} for {language}" if sdk_name and language else sdk_name
    xray: dict[str, Any] = {}
    if sdk:
        xray["sdk"] = sdk
    if res.get("telemetry.sdk.version"):
        xray["sdk_version"] = res["telemetry.sdk.version"]
    auto = res.get("telemetry.distro.version") or res.get("telemetry.auto.version")
    xray["auto_instrumentation"] = bool(auto)
    parts["xray"] = xray
    return parts


def make_aws_resource(resource: Attrs, log_group_names: Sequence[str]) -> AwsResource:
    """Precompute the resource-derived part of the ``aws`` block."""
    text = {key: as_str(value) for key, value in resource.items()}
    cloud = text.get("cloud.provider", "")
    return AwsResource(
        is_aws=cloud in ("", "aws"),
        account=text.get("cloud.account.id", ""),
        segment_parts=_segment_parts(text, resource, log_group_names),
    )


def _table_names(value: Any, fields: dict[str, Any]) -> None:
    if type(value) is str:
        fields["table_name"] = value
    elif type(value) is tuple:
        items = value
        if len(items) == 1:
            fields["table_name"] = as_str(items[0])
        elif len(items) > 1:
            fields["table_name"] = ""
            fields["table_names"] = [as_str(item) for item in items]


def _span_fields(attrs: Attrs, account: str) -> tuple[Attrs, dict[str, Any]]:
    """The request fields the span's attributes give, and the attributes left unclaimed."""
    fields: dict[str, Any] = {"account_id": account}
    if "aws.operation" in attrs:
        fields["operation"] = as_str(attrs["aws.operation"])
    elif "rpc.method" in attrs:
        fields["operation"] = as_str(attrs["rpc.method"])
    remaining: Attrs = {}
    for key, value in attrs.items():
        if key not in _CONSUMED:
            remaining[key] = value
        elif key == "aws.account_id":
            if value is not None:
                fields["account_id"] = as_str(value)
        elif key in _SPAN_FIELDS:
            fields[_SPAN_FIELDS[key]] = as_str(value)
    return remaining, fields


def make_aws(attrs: Attrs, resource: AwsResource) -> tuple[Attrs, dict[str, Any] | None]:
    """Build the ``aws`` block; ``aws.*`` request attributes and ``rpc.method`` are consumed."""
    block = dict(resource.segment_parts)
    if _CONSUMED.isdisjoint(attrs) and _OVERRIDES.isdisjoint(attrs):  # the common case: nothing to read
        if resource.account:
            block["account_id"] = resource.account
        return attrs, block if resource.is_aws else None
    remaining, fields = _span_fields(attrs, resource.account)
    if not resource.is_aws:
        return remaining, None
    if "messaging.url" in attrs:
        fields["queue_url"] = as_str(attrs["messaging.url"])
    if "aws.dynamodb.table_names" in attrs:
        _table_names(attrs["aws.dynamodb.table_names"], fields)
    for key in ("account_id", "operation", "region", "request_id", "queue_url", "table_name"):
        if fields.get(key):
            block[key] = fields[key]
    if fields.get("table_names") is not None:
        block["table_names"] = fields["table_names"]
    return remaining, block
