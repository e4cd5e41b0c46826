"""Resource attributes of a segment document (awsxray receiver ``translator.go`` ``populateResource``,
``aws.go`` ``addAWSToResource``, ``sdk.go``).

``service.name`` = document name; ``cloud.provider`` = ``aws`` when an ``aws`` block is present, else
``unknown``; ``cloud.account.id``; CloudWatch log groups → ``aws.log.group.arns``/``names``; ec2 →
``cloud.availability_zone``, ``host.id``, ``host.type``, ``host.image.id``; ecs → ``container.name``,
``cloud.availability_zone``, ``container.id``; Elastic Beanstalk → ``service.namespace``,
``service.instance.id`` (deployment id as a string), ``service.version``; eks → ``container.id``,
``k8s.cluster.name``, ``k8s.pod.name``; ``aws.xray.sdk_version``/``sdk`` → ``telemetry.sdk.version``/
``name`` and ``telemetry.sdk.language`` — ``java`` when the document's cause has exceptions (the
exporter only understood Java stacks), else the text after ``"for "`` in the SDK name;
``service.version``; ``resource_arn`` → ``aws.xray.resource_arn``.
"""

from __future__ import annotations

from typing import Any

from otelray.translate.from_xray.attributes import Attrs, put_str

RESOURCE_ARN = "aws.xray.resource_arn"

_BLOCKS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("ec2", (("availability_zone", "cloud.availability_zone"), ("instance_id", "host.id"),
             ("instance_size", "host.type"), ("ami_id", "host.image.id"))),
    ("ecs", (("container", "container.name"), ("availability_zone", "cloud.availability_zone"),
             ("container_id", "container.id"))),
    ("elastic_beanstalk", (("environment_name", "service.namespace"),)),
    ("eks", (("container_id", "container.id"), ("cluster_name", "k8s.cluster.name"), ("pod", "k8s.pod.name"))),
)


def make_resource(doc: dict[str, Any]) -> Attrs:
    """The resource attributes describing the producer of ``doc``."""
    attrs: Attrs = {}
    put_str(attrs, "service.name", doc.get("name"))
    aws = doc.get("aws")
    if isinstance(aws, dict):
        attrs["cloud.provider"] = "aws"
        _add_aws(aws, attrs)
    else:
        attrs["cloud.provider"] = "unknown"
    _add_sdk(doc, attrs)
    service = doc.get("service")
    if isinstance(service, dict):
        put_str(attrs, "service.version", service.get("version"))
    put_str(attrs, RESOURCE_ARN, doc.get("resource_arn"))
    return attrs


def _add_aws(aws: dict[str, Any], attrs: Attrs) -> None:
    put_str(attrs, "cloud.account.id", aws.get("account_id"))
    logs = [item for item in aws.get("cloudwatch_logs") or () if isinstance(item, dict)]
    arns = [item["arn"] for item in logs if isinstance(item.get("arn"), str)]
    names = [item["log_group"] for item in logs if isinstance(item.get("log_group"), str)]
    if arns:
        attrs["aws.log.group.arns"] = arns
    if names:
        attrs["aws.log.group.names"] = names
    for block_name, fields in _BLOCKS:
        block = aws.get(block_name)
        if not isinstance(block, dict):
            continue
        for field, key in fields:
            put_str(attrs, key, block.get(field))
        if block_name == "elastic_beanstalk":
            deployment = block.get("deployment_id")
            if type(deployment) in (int, float):
                attrs["service.instance.id"] = str(int(deployment))
            put_str(attrs, "service.version", block.get("version_label"))


def _add_sdk(doc: dict[str, Any], attrs: Attrs) -> None:
    aws = doc.get("aws")
    xray = aws.get("xray") if isinstance(aws, dict) else None
    if not isinstance(xray, dict):
        return
    put_str(attrs, "telemetry.sdk.version", xray.get("sdk_version"))
    sdk = xray.get("sdk")
    if not isinstance(sdk, str):
        return
    attrs["telemetry.sdk.name"] = sdk
    cause = doc.get("cause")
    if isinstance(cause, dict) and cause.get("exceptions"):
        attrs["telemetry.sdk.language"] = "java"
    elif "for " in sdk:
        attrs["telemetry.sdk.language"] = sdk[sdk.index("for ") + 4:]
