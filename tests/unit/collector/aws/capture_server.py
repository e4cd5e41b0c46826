"""A stand-in for an AWS endpoint that checks every request's SigV4 signature with botocore.

It recomputes the signature with the same dummy credentials the client used
(``otelray.collector.aws.sigv4.verify_signature``), records each request with the verdict, and
either answers with ``reply`` (by default like X-Ray: ``{"UnprocessedTraceSegments": []}``) or forwards the request unchanged
to ``forward_to`` (e.g. a moto server or an otelray backend) and relays the answer.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.credentials import Credentials

from otelray.collector.aws.sigv4 import verify_signature

ACCESS_KEY = "AKIDOTELRAYTEST"
SECRET_KEY = "otelray-test-secret-key"


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


@dataclass
class CaptureServer:
    forward_to: str = ""
    reply: bytes = b'{"UnprocessedTraceSegments":[]}'
    reply_type: str = "application/json"
    requests: list[Captured] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> CaptureServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                url = f"http://{headers.get('Host', '')}{self.path}"
                valid = verify_signature(self.command, url, headers, body, Credentials(ACCESS_KEY, SECRET_KEY))
                owner.requests.append(Captured(self.command, self.path, headers, body, valid))
                status, reply, ctype = 200, owner.reply, owner.reply_type
                if owner.forward_to:
                    request = urllib.request.Request(owner.forward_to + self.path, data=body, method=self.command,
                                                     headers={k: v for k, v in headers.items() if k.lower() != "host"})
                    try:
                        with urllib.request.urlopen(request, timeout=10) as response:
                            status, reply = response.status, response.read()
                            ctype = response.headers.get("Content-Type", ctype)
                    except urllib.error.HTTPError as exc:
                        status, reply = exc.code, exc.read()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_POST = do_GET = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
