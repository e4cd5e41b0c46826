"""Load for the shop: ``python load.py --rate 20 --seconds 30 [--url http://127.0.0.1:8081]``.

Mixes cart reads, purchases, sold-out and unknown items, so the service map shows ok, error (4xx)
and fault (5xx) traffic. Prints a line per second and a summary.
"""

from __future__ import annotations

import argparse
import collections
import random
import time

import requests


def main() -> None:
    """Send requests at a fixed rate and count the status codes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--header", default=None, help="an X-Amzn-Trace-Id value to send with every request")
    args = parser.parse_args()
    counts: collections.Counter[int] = collections.Counter()
    session = requests.Session()
    headers = {"X-Amzn-Trace-Id": args.header} if args.header else {}
    start = time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - start) < args.seconds:
        due = int(elapsed * args.rate) + 1
        while sent < due:
            user = f"user{random.randint(1, 5)}"
            choice = random.random()
            if choice < 0.4:
                response = session.get(f"{args.url}/cart/{user}", headers=headers, timeout=10)
            else:
                item = random.choice(["apple", "apple", "plum", "pear", "kiwi"])
                response = session.post(f"{args.url}/buy/{user}/{item}", headers=headers, timeout=10)
            counts[response.status_code] += 1
            sent += 1
        time.sleep(0.005)
    print(f"sent {sent} requests in {args.seconds:.0f} s:", dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
