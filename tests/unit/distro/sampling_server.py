"""A small X-Ray sampling endpoint for tests: answers POST /GetSamplingRules and /SamplingTargets
with the JSON shapes of the X-Ray API (and the X-Ray daemon's proxy), records what it received.

It stands in for the otelray backend until its `backend` fixture exists; it is a test peer, not a
mock of the sampler under test.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def rule(name: str, priority: int, fixed_rate: float, reservoir: int, **fields: Any) -> dict[str, Any]:
    """A SamplingRuleRecord as GetSamplingRules returns it."""
    body = {
        "RuleName": name, "Priority": priority, "FixedRate": fixed_rate, "ReservoirSize": reservoir,
        "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*",
        "ResourceARN": "*", "Version": 1, "Attributes": {},
    }
    body.update(fields)
    return {"SamplingRule": body, "CreatedAt": 1.7e9, "ModifiedAt": 1.7e9}


DEFAULT_RULE = rule("Default", 10000, 0.05, 1)


class SamplingServer:
    """Serve sampling rules/targets on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, rules: list[Any] | None = None) -> None:
        self.rules_body: Any = {"SamplingRuleRecords": rules if rules is not None else [DEFAULT_RULE]}
        self.targets_body: Any = {"SamplingTargetDocuments": [], "LastRuleModification": 0,
                                  "UnprocessedStatistics": []}
        self.raw_rules: bytes | None = None
        self.requests: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append((self.path, payload))
                if self.path == "/GetSamplingRules":
                    data = server.raw_rules if server.raw_rules is not None else json.dumps(server.rules_body).encode()
                elif self.path == "/SamplingTargets":
                    data = json.dumps(server.targets_body).encode()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]

    def __enter__(self) -> SamplingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
