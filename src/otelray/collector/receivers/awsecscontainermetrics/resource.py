"""Resource attributes of the ``awsecscontainermetrics`` receiver (contrib ``resource.go``, ``constant.go``).

Task: ``aws.ecs.cluster.name`` (the name part of a cluster ARN), ``aws.ecs.task.arn``, ``aws.ecs.task.id``
(last ``/`` part of the task ARN), ``aws.ecs.task.family``, the revision as both ``aws.ecs.task.version``
and ``aws.ecs.task.revision``, ``aws.ecs.service.name``, ``cloud.availability_zone``,
``aws.ecs.task.pull_started_at``/``pull_stopped_at``, ``aws.ecs.task.known_status``,
``aws.ecs.task.launch_type`` (raw) and ``aws.ecs.launchtype`` (``ec2``/``fargate``), ``cloud.region`` and
``cloud.account.id`` (from the task ARN). Container: ``container.name``, ``container.id``,
``aws.ecs.docker.name``, ``container.image.name``/``container.image.tag`` (parsed image reference),
``aws.ecs.container.image.id``, ``aws.ecs.container.created_at``/``started_at``/``finished_at`` (when
set), ``aws.ecs.container.know_status`` (upstream's spelling), ``aws.ecs.container.exit_code`` (int, when set).
"""

from __future__ import annotations

from typing import Any

Attributes = dict[str, str | int]


def _str(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def arn_parts(arn: str) -> tuple[str, str, str]:
    """``(region, account, task id)`` of an ECS task ARN (old and new formats); empty if not an ECS ARN."""
    if not arn.startswith("arn:aws:ecs"):
        return "", "", ""
    parts = arn.split("/")
    head = parts[0].split(":")
    if len(head) < 5:
        return "", "", parts[-1]
    return head[3], head[4], parts[-1]


def cluster_name(cluster: str) -> str:
    """The name of a cluster given as ARN or name."""
    return cluster.split("/")[-1] if cluster.startswith("arn:aws") else cluster


def parse_image(image: str) -> tuple[str, str]:
    """``(repository, tag)`` of a Docker image reference; tag ``latest`` when absent (docker's rule)."""
    if not image:
        return "", ""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, "latest"


def task_attributes(task: dict[str, Any]) -> Attributes:
    """Resource attributes of the task."""
    arn = _str(task, "TaskARN")
    region, account, task_id = arn_parts(arn)
    launch_type = _str(task, "LaunchType")
    attrs: Attributes = {
        "aws.ecs.cluster.name": cluster_name(_str(task, "Cluster")),
        "aws.ecs.task.arn": arn,
        "aws.ecs.task.id": task_id,
        "aws.ecs.task.family": _str(task, "Family"),
        "aws.ecs.task.version": _str(task, "Revision"),
        "aws.ecs.task.revision": _str(task, "Revision"),
        "aws.ecs.service.name": _str(task, "ServiceName"),
        "cloud.availability_zone": _str(task, "AvailabilityZone"),
        "aws.ecs.task.pull_started_at": _str(task, "PullStartedAt"),
        "aws.ecs.task.pull_stopped_at": _str(task, "PullStoppedAt"),
        "aws.ecs.task.known_status": _str(task, "KnownStatus"),
        "aws.ecs.task.launch_type": launch_type,
    }
    if launch_type.lower() in ("ec2", "fargate"):
        attrs["aws.ecs.launchtype"] = launch_type.lower()
    attrs["cloud.region"] = region
    attrs["cloud.account.id"] = account
    return attrs


def container_attributes(container: dict[str, Any]) -> Attributes:
    """Resource attributes of one container (without the task's)."""
    repository, tag = parse_image(_str(container, "Image"))
    attrs: Attributes = {
        "container.name": _str(container, "Name"),
        "container.id": _str(container, "DockerId"),
        "aws.ecs.docker.name": _str(container, "DockerName"),
        "container.image.name": repository,
        "aws.ecs.container.image.id": _str(container, "ImageID"),
        "container.image.tag": tag,
        "aws.ecs.container.created_at": _str(container, "CreatedAt"),
        "aws.ecs.container.started_at": _str(container, "StartedAt"),
    }
    if _str(container, "FinishedAt"):
        attrs["aws.ecs.container.finished_at"] = _str(container, "FinishedAt")
    attrs["aws.ecs.container.know_status"] = _str(container, "KnownStatus")
    exit_code = container.get("ExitCode")
    if isinstance(exit_code, int) and not isinstance(exit_code, bool):
        attrs["aws.ecs.container.exit_code"] = exit_code
    return attrs
