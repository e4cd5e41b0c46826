"""An example Lambda function: puts the event into a DynamoDB table and lists the S3 buckets.

Environment: ``TABLE_NAME`` (default ``otelray-orders``); with ``AWS_ENDPOINT_URL`` set (boto3 reads
it), the calls go to that endpoint instead of AWS — a moto server in the tests.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

TABLE = os.environ.get("TABLE_NAME", "otelray-orders")
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Store the order named by ``event["order_id"]``; ``event["fail"]`` raises, ``event["sleep"]`` waits."""
    if event.get("sleep"):
        import time

        time.sleep(float(event["sleep"]))
    if event.get("fail"):
        raise ValueError(f"order {event.get('order_id')!r} rejected")
    order_id = str(event.get("order_id", context.aws_request_id))
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": order_id}, "body": {"S": json.dumps(event)}})
    buckets = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    return {"statusCode": 200, "order_id": order_id, "buckets": buckets}
