"""The shop: a Flask service that calls inventory over HTTP, DynamoDB, S3 and SQS through boto3,
and SQLite. Run it under ``otelray run`` so that every call becomes a span (no tracing code here).

Environment: ``SHOP_PORT`` (8081), ``INVENTORY_URL`` (http://127.0.0.1:8082), ``AWS_ENDPOINT_URL``
(a moto server such as http://127.0.0.1:5000, or unset for real AWS), ``SHOP_DB`` (sqlite file).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid

import boto3
import requests
from flask import Flask, jsonify

app = Flask("shop")
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://127.0.0.1:8082")
DB_PATH = os.environ.get("SHOP_DB", "shop.sqlite")
TABLE, BUCKET, QUEUE = "shop-carts", "shop-receipts", "shop-orders"


def _aws(service: str):
    return boto3.client(service, region_name=os.environ.get("AWS_REGION", "us-east-1"))


def _db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.cursor().execute("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, item TEXT, user TEXT)")
    return conn


@app.get("/cart/<user>")
def cart(user: str):
    """Read a user's cart from DynamoDB."""
    item = _aws("dynamodb").get_item(TableName=TABLE, Key={"user": {"S": user}}).get("Item")
    return jsonify(user=user, cart=item or {})


@app.post("/buy/<user>/<item>")
def buy(user: str, item: str):
    """Check stock, store the order in SQLite, the cart in DynamoDB, a receipt in S3, a message in SQS."""
    stock = requests.get(f"{INVENTORY_URL}/stock/{item}", timeout=5)
    if stock.status_code == 404:
        return jsonify(error=f"unknown item {item}"), 404
    stock.raise_for_status()  # a 503 from inventory becomes a fault here
    if stock.json()["count"] <= 0:
        return jsonify(error=f"{item} is sold out"), 409
    order_id = str(uuid.uuid4())
    with _db() as conn:
        conn.cursor().execute("INSERT INTO orders VALUES (?, ?, ?)", (order_id, item, user))
    _aws("dynamodb").put_item(TableName=TABLE, Item={"user": {"S": user}, "item": {"S": item}})
    _aws("s3").put_object(Bucket=BUCKET, Key=f"{order_id}.json", Body=json.dumps({"item": item}).encode())
    queue_url = _aws("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]
    _aws("sqs").send_message(QueueUrl=queue_url, MessageBody=order_id)
    return jsonify(order=order_id), 201


def create_resources() -> None:
    """Create the table, bucket and queue the shop uses (idempotent; for moto or a fresh account)."""
    ddb, s3, sqs = _aws("dynamodb"), _aws("s3"), _aws("sqs")
    if TABLE not in ddb.list_tables()["TableNames"]:
        ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    s3.create_bucket(Bucket=BUCKET)
    sqs.create_queue(QueueName=QUEUE)


if __name__ == "__main__":
    if os.environ.get("SHOP_CREATE_RESOURCES", "1") == "1":
        create_resources()
    app.run(host="127.0.0.1", port=int(os.environ.get("SHOP_PORT", "8081")))
