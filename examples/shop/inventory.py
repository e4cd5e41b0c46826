"""The shop's second service: stock levels over HTTP (run it under ``otelray run``)."""

from __future__ import annotations

import os
import random

from flask import Flask, abort, jsonify

app = Flask("inventory")
STOCK = {"apple": 12, "pear": 0, "plum": 7}


@app.get("/stock/<item>")
def stock(item: str):
    """How many of ``item`` are left; 404 for unknown items, a rare 503 to show faults."""
    if item not in STOCK:
        abort(404)
    if random.random() < float(os.environ.get("INVENTORY_FAULT_RATE", "0")):
        abort(503)
    return jsonify(item=item, count=STOCK[item])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("INVENTORY_PORT", "8082")))
