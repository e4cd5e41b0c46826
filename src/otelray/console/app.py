"""The console's HTTP app (Starlette): one route table, pages, their JSON calls, the API proxy.

The console is a client of the X-Ray API (design.md; reference §8.3 "Console views"). Pages are
HTML shells rendered from ``templates/`` whose scripts in ``static/`` fetch every piece of data
through documented JSON calls — the X-Ray API itself, forwarded same-origin at ``POST /xray/<path>``
(botocore's request paths, e.g. ``/xray/TraceSummaries``), plus two layout calls that add
server-side grandalf coordinates to GetServiceGraph / GetTraceGraph answers. ``ROUTES`` is the one
route table (Datasette ``_routes``); ``GET /-/routes.json`` lists it with each page's JSON calls.
Introspection: ``/-/versions.json``, ``/-/config.json`` and ``/-/metrics`` (refused requests by reason).
"""

from __future__ import annotations

import asyncio
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from otelray import __version__
from otelray.console.client import XRayApiError, XRayClient
from otelray.console.layout import LayoutError, layout_services
from otelray.console.metrics import ConsoleMetrics
from otelray.console.proxy import ApiProxy
from otelray.console.security import CountingTrustedHost, SecurityHeaders
from otelray.xray.ids import is_trace_id

__all__ = ["PAGES", "ConsoleSettings", "create_app"]

_HERE = Path(__file__).parent
#: Longest window the map endpoint asks for (X-Ray's console views are capped at 6 hours).
MAX_WINDOW_SECONDS = 6 * 3600.0
_LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


@dataclass(frozen=True, slots=True)
class Page:
    """A console page: path, template, navigation title and the JSON calls its script makes."""

    path: str
    template: str
    title: str
    calls: tuple[str, ...]
    nav: bool = True


#: The console pages, in navigation order.
PAGES: tuple[Page, ...] = (
    Page("/map", "map.html", "Service map", ("GET /api/map-layout", "POST /xray/Groups")),
    Page("/traces", "traces.html", "Traces", ("POST /xray/TraceSummaries", "POST /xray/Groups")),
    Page("/traces/{trace_id}", "trace.html", "Trace", ("POST /xray/Traces", "GET /api/trace-map/{trace_id}"),
         nav=False),
    Page("/analytics", "analytics.html", "Analytics",
         ("POST /xray/TimeSeriesServiceStatistics", "GET /api/map-layout", "POST /xray/Groups")),
    Page("/sampling", "sampling.html", "Sampling rules",
         ("POST /xray/GetSamplingRules", "POST /xray/SamplingStatisticSummaries", "POST /xray/CreateSamplingRule",
          "POST /xray/UpdateSamplingRule", "POST /xray/DeleteSamplingRule")),
    Page("/groups", "groups.html", "Groups",
         ("POST /xray/Groups", "POST /xray/CreateGroup", "POST /xray/UpdateGroup", "POST /xray/DeleteGroup")),
)


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """How the console is served: its address and what ``/-/config.json`` reports."""

    host: str = "127.0.0.1"
    port: int = 2020
    api: str = "in-process"
    extra: dict[str, Any] = field(default_factory=dict)


class _Console:
    """Request handlers over one X-Ray client; routes are bound in ``routes()``."""

    def __init__(self, xray_app: Any, settings: ConsoleSettings) -> None:
        self.xray_app = xray_app
        self.client = XRayClient(app=xray_app)
        self.metrics = ConsoleMetrics()
        self.settings = settings
        self.templates = Jinja2Templates(directory=str(_HERE / "templates"))

    def page(self, spec: Page) -> Any:
        async def render(request: Request) -> Response:
            trace_id = request.path_params.get("trace_id", "")
            if trace_id and not is_trace_id(trace_id):
                self.metrics.reject("bad_trace_id")
                return self._error_page(request, 404, f"{trace_id[:80]!r} is not an X-Ray trace id")
            context = {"page": spec, "pages": [p for p in PAGES if p.nav], "trace_id": trace_id}
            return self.templates.TemplateResponse(request, spec.template, context)

        return render

    def _error_page(self, request: Request, status: int, message: str) -> Response:
        context = {"page": None, "pages": [p for p in PAGES if p.nav], "message": message}
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)

    async def map_layout(self, request: Request) -> Response:
        """GetServiceGraph over ``start``/``end`` (epoch seconds, default the last 15 minutes)
        and ``group``, with grandalf coordinates."""
        try:
            start, end = _window(request.query_params.get("start"), request.query_params.get("end"))
        except ValueError as exc:
            return self._reject("bad_window", "InvalidRequestException", str(exc), 400)
        body: dict[str, Any] = {"StartTime": start, "EndTime": end}
        group = request.query_params.get("group")
        if group:
            body["GroupName"] = group
        return await self._graph("GetServiceGraph", body, {"start": start, "end": end, "group": group or None})

    async def trace_map(self, request: Request) -> Response:
        """GetTraceGraph of one trace, with grandalf coordinates."""
        trace_id = request.path_params["trace_id"]
        if not is_trace_id(trace_id):
            return self._reject("bad_trace_id", "InvalidRequestException",
                                f"{trace_id[:80]!r} is not an X-Ray trace id", 400)
        return await self._graph("GetTraceGraph", {"TraceIds": [trace_id]}, {"traceId": trace_id})

    async def _graph(self, operation: str, body: dict[str, Any], echo: dict[str, Any]) -> Response:
        services: list[dict[str, Any]] = []
        try:
            while True:
                answer = await self.client.call(operation, body)
                services.extend(answer.get("Services") or [])
                token = answer.get("NextToken")
                if not token:
                    break
                body = {**body, "NextToken": token}
            # grandalf is CPU-bound pure Python: keep the backend's event loop (ingest) free.
            graph = await asyncio.to_thread(layout_services, services)
        except XRayApiError as exc:
            return self._reject(f"api:{exc.code}", exc.code, exc.message, exc.status)
        except LayoutError as exc:
            return self._reject("graph_too_large", "InvalidRequestException", str(exc), 400)
        # A busy hour's map carries megabytes of histogram entries: orjson encodes them ~10x faster
        # than the json module behind JSONResponse.
        return Response(orjson.dumps({**echo, **graph}), media_type="application/json")

    def _reject(self, reason: str, code: str, message: str, status: int) -> Response:
        self.metrics.reject(reason)
        return JSONResponse({"__type": code, "message": message}, status_code=status,
                            headers={"x-amzn-ErrorType": code})

    async def metrics_text(self, request: Request) -> Response:
        """The console's counters (Prometheus text)."""
        return Response(self.metrics.render(), media_type="text/plain; version=0.0.4")

    async def versions(self, request: Request) -> Response:
        """Versions of otelray, Python and the libraries the console runs on."""
        libraries = {}
        for name in ("starlette", "uvicorn", "grandalf", "jinja2", "botocore", "httpx"):
            try:
                libraries[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                libraries[name] = None
        return JSONResponse({"otelray": __version__, "python": platform.python_version(), "libraries": libraries})

    async def config(self, request: Request) -> Response:
        """The console's settings (nothing secret is held, so nothing is redacted)."""
        s = self.settings
        return JSONResponse({"console": {"host": s.host, "port": s.port, "api": s.api}, **s.extra})

    async def routes_json(self, request: Request) -> Response:
        """The route table: pages with their JSON calls, and the JSON endpoints."""
        pages = [{"path": p.path, "title": p.title, "calls": list(p.calls)} for p in PAGES]
        return JSONResponse({"pages": pages, "json": [r.path for r in self.routes() if isinstance(r, Route)
                                                       and r.path.startswith(("/api/", "/-/"))]})

    def routes(self) -> list[BaseRoute]:
        """THE route table of the console."""
        return [
            Route("/", lambda request: RedirectResponse("/map", status_code=302)),
            *[Route(p.path, self.page(p), methods=["GET"]) for p in PAGES],
            Route("/api/map-layout", self.map_layout, methods=["GET"]),
            Route("/api/trace-map/{trace_id}", self.trace_map, methods=["GET"]),
            Route("/xray/{operation:path}", ApiProxy(self.xray_app, self.metrics), methods=["POST"]),
            Route("/-/versions.json", self.versions, methods=["GET"]),
            Route("/-/config.json", self.config, methods=["GET"]),
            Route("/-/routes.json", self.routes_json, methods=["GET"]),
            Route("/-/metrics", self.metrics_text, methods=["GET"]),
            Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
        ]


def _window(start: str | None, end: str | None) -> tuple[float, float]:
    now = time.time()
    try:
        end_time = float(end) if end else now
        start_time = float(start) if start else end_time - 900.0
    except ValueError:
        raise ValueError("start and end must be epoch seconds") from None
    if not start_time < end_time:
        raise ValueError("start must be before end")
    if end_time - start_time > MAX_WINDOW_SECONDS:
        raise ValueError("the time range cannot be longer than 6 hours")
    return start_time, end_time


def create_app(xray_app: Any, settings: ConsoleSettings | None = None) -> Starlette:
    """The console ASGI app over the X-Ray API served by ``xray_app`` (an ASGI app, in-process).

    Args:
        xray_app: the backend's X-Ray ASGI app; the console forwards ``/xray/…`` to it.
        settings: address and reported configuration.
    """
    settings = settings or ConsoleSettings()
    console = _Console(xray_app, settings)
    hosts = _LOOPBACK_HOSTS + [settings.host] if settings.host in _LOOPBACK_HOSTS else ["*"]
    return Starlette(
        routes=console.routes(),
        middleware=[Middleware(SecurityHeaders),
                    Middleware(CountingTrustedHost, allowed_hosts=hosts, metrics=console.metrics)],
    )
