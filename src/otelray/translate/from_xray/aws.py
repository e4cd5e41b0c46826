"""The ``aws`` block → span attributes (awsxray receiver ``aws.go`` ``addAWSToSpan``).

``aws.account_id``, ``aws.operation``, ``aws.region``, ``aws.request_id``, ``aws.queue_url``,
``aws.table_name`` and ``aws.xray.retries``. The segment-level parts of the block (ec2, ecs, eks,
beanstalk, xray sdk) describe the producer and go to the resource (``resource.py``).
"""

from __future__ import annotations

from typing import Any

from otelray.translate.from_xray.attributes import Attrs, put_int, put_str

RETRIES = "aws.xray.retries"
_STRING_FIELDS = (
    ("account_id", "aws.account_id"),
    ("operation", "aws.operation"),
    ("region", "aws.region"),
    ("request_id", "aws.request_id"),
    ("queue_url", "aws.queue_url"),
    ("table_name", "aws.table_name"),
)


def make_aws(entity: dict[str, Any], attrs: Attrs) -> None:
    """Add the AWS call attributes of ``entity``."""
    aws = entity.get("aws")
    if not isinstance(aws, dict):
        return
    for field, key in _STRING_FIELDS:
        put_str(attrs, key, aws.get(field))
    put_int(attrs, RETRIES, aws.get("retries"))
