"""The ``aws`` block; rules of contrib ``translator/aws.go`` (cases after ``aws_test.go``)."""

from __future__ import annotations

from typing import Any

from otelray.translate.to_xray.aws import make_aws, make_aws_resource
from otelray.translate.to_xray.values import attrs_of
from tests.unit.translate.to_xray.golden import key_values

XRAY = {"auto_instrumentation": False}


def aws_of(span: dict[str, Any], resource: dict[str, Any] | None = None,
           log_groups: tuple[str, ...] = ()) -> tuple[dict, dict | None]:
    res = make_aws_resource(attrs_of(key_values(resource or {})), log_groups)
    return make_aws(attrs_of(key_values(span)), res)


def test_non_aws_cloud_has_no_block_but_consumes_aws_attributes() -> None:
    remaining, block = aws_of({"aws.operation": "GetItem", "aws.region": "us-east-1", "other": 1}, {"cloud.provider": "gcp"})
    assert block is None and remaining == {"other": 1}


def test_operation_prefers_aws_operation_over_rpc_method() -> None:
    _, block = aws_of({"rpc.method": "GetItem", "aws.operation": "PutItem"})
    assert block == {"xray": XRAY, "operation": "PutItem"}
    remaining, block = aws_of({"rpc.method": "GetItem"})
    assert block == {"xray": XRAY, "operation": "GetItem"} and remaining == {}


def test_span_fields_and_account_override() -> None:
    _, block = aws_of({"aws.account_id": "222", "aws.region": "eu-west-1", "aws.requestId": "r-1",
                       "aws.queue.url": "https://q", "aws.table.name": "t"}, {"cloud.account.id": "111"})
    assert block == {"xray": XRAY, "account_id": "222", "region": "eu-west-1", "request_id": "r-1",
                     "queue_url": "https://q", "table_name": "t"}


def test_messaging_url_and_dynamodb_table_names_win_without_being_consumed() -> None:
    remaining, block = aws_of({"aws.queue_url": "a", "messaging.url": "b", "aws.table_name": "t",
                               "aws.dynamodb.table_names": ["x", "y"]})
    assert block is not None
    assert block["queue_url"] == "b" and block["table_names"] == ["x", "y"] and "table_name" not in block
    assert set(remaining) == {"messaging.url", "aws.dynamodb.table_names"}
    _, block = aws_of({"aws.dynamodb.table_names": ["only"]})
    assert block is not None and block["table_name"] == "only"
    _, block = aws_of({"aws.dynamodb.table_names": "as-string"})
    assert block is not None and block["table_name"] == "as-string"


def test_ec2_with_nulls_for_unknown_fields() -> None:
    _, block = aws_of({}, {"cloud.provider": "aws", "cloud.platform": "aws_ec2", "host.id": "i-1"})
    assert block is not None
    assert block["ec2"] == {"instance_id": "i-1", "availability_zone": None, "instance_size": None, "ami_id": None}


def test_ecs_eks_beanstalk_and_sdk() -> None:
    resource = {
        "cloud.provider": "aws", "cloud.platform": "aws_ecs", "container.name": "web", "container.id": "c-1",
        "aws.ecs.task.arn": "arn:task", "aws.ecs.launchtype": "ec2", "k8s.cluster.name": "prod", "k8s.pod.name": "p-1",
        "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.language": "python", "telemetry.distro.version": "0.1",
    }
    _, block = aws_of({}, resource)
    assert block == {
        "ecs": {"container": "web", "container_id": "c-1", "task_arn": "arn:task", "launch_type": "ec2"},
        "eks": {"cluster_name": "prod", "pod": "p-1", "container_id": "c-1"},
        "xray": {"sdk": "opentelemetry for python", "auto_instrumentation": True},
    }
    _, block = aws_of({}, {"cloud.platform": "aws_elastic_beanstalk", "service.instance.id": "23",
                           "service.namespace": "env"})
    assert block is not None
    assert block["elastic_beanstalk"] == {"environment_name": "env", "version_label": None, "deployment_id": 23}
    _, block = aws_of({}, {"cloud.platform": "aws_elastic_beanstalk", "service.instance.id": "i-abc"})
    assert block is not None and block["elastic_beanstalk"]["deployment_id"] == 0


def test_cloudwatch_logs_from_arns_names_or_config() -> None:
    arn = "arn:aws:logs:us-east-1:123456789123:log-group:group1"
    _, block = aws_of({}, {"aws.log.group.arns": [arn], "aws.log.group.names": ["ignored"]})
    assert block is not None and block["cloudwatch_logs"] == [{"log_group": "group1", "arn": arn}]
    _, block = aws_of({}, {"aws.log.group.names": "a&b&"})
    assert block is not None and block["cloudwatch_logs"] == [{"log_group": "a"}, {"log_group": "b"}]
    _, block = aws_of({}, {}, ("from-config",))
    assert block is not None and block["cloudwatch_logs"] == [{"log_group": "from-config"}]
