"""The ``prometheusremotewrite`` exporter: OTLP metrics → Prometheus Remote Write 1.0 over HTTP
(contrib ``exporter/prometheusremotewriteexporter/exporter.go``; adot-collector.md §4.2).

Per batch: convert with ``otelray.translate.prw`` (refused metrics are counted in
``otelcol_exporter_prometheusremotewrite_translation_errors_total{reason}`` and logged once per
batch; the rest is sent), split into requests of at most ``max_batch_size_bytes``, snappy-compress
each, add the remote-write headers and the user's ``headers``, have the ``auth`` extension
(``sigv4auth``) sign it, and post up to ``max_batch_request_parallelism`` at once. Status mapping as
upstream: 2xx accepted, 5xx retried, everything else (429 included) permanent.

The conversion runs with Python's cyclic garbage collector paused (``convert``): it allocates
hundreds of thousands of short-lived, acyclic tuples and lists per large batch, for which the
collector's generation scans cost about 15 % of the CPU time (bench/metrics.py).
"""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx

from otelray import __version__
from otelray.collector.auth import HTTPClientAuthenticator, resolve_authenticator
from otelray.collector.component import Host, Settings
from otelray.collector.consumer import MetricsBatch
from otelray.collector.errors import ComponentError, PermanentError, RetryableError
from otelray.collector.exporters.prometheusremotewrite.config import PrometheusRemoteWriteConfig
from otelray.translate.prw import HEADERS, PrwOptions, PrwResult, translate_metrics
from otelray.translate.prw import bodies as encode_bodies


def convert(resource_metrics: Iterable[Any], options: PrwOptions, max_bytes: int) -> tuple[PrwResult, list[bytes]]:
    """The series and the compressed request bodies of one batch (garbage collector paused meanwhile)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = translate_metrics(resource_metrics, options=options)
        return result, encode_bodies(result.series, max_bytes)
    finally:
        if enabled:
            gc.enable()


class RemoteWritePusher:
    """Converts and posts metric batches to one remote-write endpoint."""

    def __init__(self, settings: Settings, config: PrometheusRemoteWriteConfig) -> None:
        self.settings = settings
        self.config = config
        self.options = config.options()
        self._client: httpx.AsyncClient | None = None
        self._auth: HTTPClientAuthenticator | None = None
        agent = settings.build_info.description.lower().replace(" ", "-")
        self._headers = {**HEADERS, "User-Agent": f"{agent}/{__version__}", **config.headers}
        tel = settings.telemetry
        self._errors = lambda reason: tel.counter(
            "otelcol_exporter_prometheusremotewrite_translation_errors",
            "Metrics the prometheusremotewrite exporter could not convert.", reason=reason)

    async def start(self, host: Host) -> None:
        """Resolve the authenticator and create the HTTP client."""
        if self.config.auth is not None:
            self._auth = resolve_authenticator(host, self.settings.id, self.config.auth.authenticator,
                                               HTTPClientAuthenticator)
        tls = self.config.tls
        verify: Any = False if tls.insecure_skip_verify else (tls.ca_file or True)
        cert = (tls.cert_file, tls.key_file) if tls.cert_file else None
        self._client = httpx.AsyncClient(verify=verify, cert=cert, timeout=None)

    async def push(self, batch: MetricsBatch) -> None:
        """Convert and send one batch; raise the first failed request's error."""
        client = self._client
        if client is None:
            raise RetryableError(f"{self.settings.id} is not started")
        result, bodies = convert(batch.resource_metrics, self.options, self.config.max_batch_size_bytes)
        if result.errors:
            self._count(result.errors)
        limit = asyncio.Semaphore(self.config.max_batch_request_parallelism)

        async def send(body: bytes) -> None:
            async with limit:
                await self._post(client, body)

        outcomes = await asyncio.gather(*(send(b) for b in bodies), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            raise failures[0]

    async def _post(self, client: httpx.AsyncClient, body: bytes) -> None:
        url = self.config.endpoint
        headers = dict(self._headers)
        if self._auth is not None:
            try:
                headers = self._auth.sign_request("POST", url, headers, body)
            except ComponentError as exc:
                raise RetryableError(str(exc)) from exc
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RetryableError(f"failed to send remote-write request to {url}: {exc!r}") from exc
        if 200 <= response.status_code < 300:
            return
        message = f"remote write returned HTTP status {response.status_code} {response.reason_phrase}; " \
                  f"err = {response.text[:256].strip()}"
        if response.status_code >= 500:
            raise RetryableError(message)
        raise PermanentError(message)

    def _count(self, errors: list[Any]) -> None:
        codes = Counter(e.code for e in errors)
        for code, n in codes.items():
            self._errors(code).inc(n)
        self.settings.logger.warning(
            "prometheusremotewrite: could not convert %d metric(s) (%s); first: %s: %s", len(errors),
            ", ".join(f"{c}={n}" for c, n in sorted(codes.items())), errors[0].item_id, errors[0].reason)

    async def shutdown(self) -> None:
        """Close the client. Safe twice and without start."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
