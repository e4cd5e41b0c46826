"""The X-Ray TCP proxy (contrib ``internal/aws/proxy``; X-Ray daemon TCP proxy).

SDKs send unsigned HTTP requests (``POST /GetSamplingRules``, ``POST /SamplingTargets``, anything
else) to the proxy; it forwards method, path, query and body unchanged to the X-Ray endpoint
(``aws_endpoint`` or ``https://<service_name>.<region>.amazonaws.com``), rewrites ``Host``, drops
hop-by-hop headers and any client signature, SigV4-signs with ``service_name`` (default ``xray``)
and relays the answer. Region resolution is ``session.resolve_region`` (adot-collector.md §2.3).
Request bodies are limited to ``MAX_BODY_BYTES``; an unreachable endpoint answers 502 with the
reason, a timeout 504. Each outcome is counted in ``ProxyStats``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
import urllib3

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.http_server import EmbeddedHTTPServer
from otelray.collector.aws.session import AssumeRole, open_session
from otelray.collector.aws.sigv4 import HOP_BY_HOP, SigV4Signer

_log = logging.getLogger(__name__)

#: Largest request body forwarded (sampling requests are a few KiB).
MAX_BODY_BYTES = 1024 * 1024
#: Upstream's response-header timeout.
UPSTREAM_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class ProxyOptions:
    """The proxy settings shared by the awsxray receiver's ``proxy_server`` and the awsproxy extension."""

    host: str = "127.0.0.1"
    port: int = 2000
    region: str = ""
    role_arn: str = ""
    aws_endpoint: str = ""
    local_mode: bool = False
    service_name: str = "xray"
    proxy_address: str = ""
    tls_insecure: bool = False
    tls_server_name_override: str = ""


@dataclass(slots=True)
class ProxyStats:
    """Forwarded requests by upstream status, and failures by reason."""

    forwarded: Counter[int] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)


def upstream_endpoint(options: ProxyOptions, region: str) -> str:
    """The URL requests are forwarded to."""
    if options.aws_endpoint:
        return options.aws_endpoint.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{options.service_name}.{region}.{suffix}"


class XRayProxy:
    """A signing reverse proxy served by uvicorn on ``options.host:options.port``."""

    def __init__(self, options: ProxyOptions) -> None:
        self.options = options
        self.stats = ProxyStats()
        self._server: EmbeddedHTTPServer | None = None
        self._signer: SigV4Signer | None = None
        self._endpoint = ""
        self._pool: urllib3.PoolManager | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The bound ``(host, port)``."""
        return self._server.address if self._server else (self.options.host, self.options.port)

    @property
    def endpoint(self) -> str:
        """Where requests go (known after ``start``)."""
        return self._endpoint

    async def start(self) -> None:
        """Resolve region and credentials, then listen.

        Raises:
            AwsConfigError: no region can be found.
            OSError: the TCP port is in use.
        """
        opts = self.options
        region, session = await open_session(opts.region, local_mode=opts.local_mode,
                                             assume_role=AssumeRole(arn=opts.role_arn))
        self._endpoint = upstream_endpoint(opts, region)
        self._signer = SigV4Signer(session, service=opts.service_name, region=region)
        self._pool = _pool(opts)
        self._server = EmbeddedHTTPServer(self._app, opts.host, opts.port, name="xray-proxy")
        await self._server.start()
        _log.info("X-Ray proxy listening on %s:%d, forwarding to %s", *self.address, self._endpoint)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        if body is None:
            self.stats.failed["body_too_large"] += 1
            await _answer(send, 413, {"message": f"request body exceeds {MAX_BODY_BYTES} bytes"})
            return
        try:
            status, headers, payload = await asyncio.to_thread(self._forward, scope, body)
        except AwsConfigError as exc:
            self.stats.failed["signing"] += 1
            await _answer(send, 500, {"message": f"X-Ray proxy cannot sign the request: {exc}"})
            return
        except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the timeout error in urllib3
            self.stats.failed["unreachable"] += 1
            await _answer(send, 502, {"message": f"X-Ray proxy: cannot reach {self._endpoint}: {exc}"})
            return
        except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
            self.stats.failed["timeout"] += 1
            await _answer(send, 504, {"message": f"X-Ray proxy: {self._endpoint} timed out: {exc}"})
            return
        except urllib3.exceptions.HTTPError as exc:
            self.stats.failed["unreachable"] += 1
            await _answer(send, 502, {"message": f"X-Ray proxy: cannot reach {self._endpoint}: {exc}"})
            return
        self.stats.forwarded[status] += 1
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _forward(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if self._signer is None or self._pool is None:
            raise AwsConfigError("X-Ray proxy is not started")
        query = scope.get("query_string", b"").decode("latin-1")
        url = self._endpoint + scope.get("raw_path", scope["path"].encode()).decode("latin-1").split("?")[0]
        if query:
            url += "?" + query
        incoming = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        headers = self._signer.sign(scope["method"], url, incoming, body)
        response = self._pool.request(scope["method"], url, body=body, headers=headers, redirect=False,
                                      retries=False, timeout=urllib3.Timeout(total=UPSTREAM_TIMEOUT_SECONDS),
                                      preload_content=True)
        relay = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
                 if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        data = response.data or b""
        relay.append((b"content-length", str(len(data)).encode()))
        return response.status, relay, data

    async def close(self) -> None:
        """Stop listening; safe twice and before start."""
        if self._server is not None:
            await self._server.close()
            self._server = None
        if self._pool is not None:
            self._pool.clear()
            self._pool = None


def _pool(options: ProxyOptions) -> urllib3.PoolManager:
    kwargs: dict[str, Any] = {"num_pools": 4, "maxsize": 4}
    if options.tls_insecure:
        kwargs["cert_reqs"] = "CERT_NONE"
        kwargs["assert_hostname"] = False
    if options.tls_server_name_override:
        kwargs["server_hostname"] = options.tls_server_name_override
    if options.proxy_address:
        return urllib3.ProxyManager(options.proxy_address, **kwargs)
    return urllib3.PoolManager(**kwargs)


async def _read_body(receive: Any) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, status: int, body: dict[str, str]) -> None:
    data = orjson.dumps(body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
