"""The ``opentelemetry_distro`` entry point ``otelray`` (upstream ``BaseDistro`` contract,
opentelemetry-instrumentation ``distro.py``; defaults as ADOT's ``AwsOpenTelemetryDistro``).

``configure()`` applies otelray's defaults (``otelray.distro.defaults``) to the environment and, when
it changed ``OTEL_PROPAGATORS`` after ``opentelemetry.propagate`` was imported, rebuilds the global
propagator (the module reads the variable once at import: opentelemetry-python issue #4679, the fix
ADOT applies too). ``load_instrumentor()`` defers each instrumentor whose library the application
has not imported yet to the moment it is imported (a post-import hook), so start-up pays only for the
libraries in use; upstream imports every instrumented library present at start-up.
``OTELRAY_INSTRUMENT_EAGERLY=true`` restores the upstream behaviour. Instrumentors that only act
on AWS Lambda are not imported elsewhere.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro

from otelray.distro import environment as env
from otelray.distro.defaults import apply_defaults

_logger = logging.getLogger(__name__)

#: instrumentor entry-point name -> the module whose import triggers it. Names not listed here
#: (``logging``, ``threading``, ``asyncio``, ``aws-lambda``, ``system_metrics``…) load at start-up.
TARGET_MODULES: dict[str, str] = {
    "aio-pika": "aio_pika", "aiobotocore": "aiobotocore", "aiohttp-client": "aiohttp",
    "aiohttp-server": "aiohttp", "aiokafka": "aiokafka", "aiopg": "aiopg", "asyncpg": "asyncpg",
    "boto": "boto", "boto3sqs": "boto3", "botocore": "botocore", "cassandra": "cassandra",
    "celery": "celery", "click": "click", "confluent-kafka": "confluent_kafka", "django": "django",
    "elasticsearch": "elasticsearch", "falcon": "falcon", "fastapi": "fastapi", "flask": "flask",
    "grpc_aio_client": "grpc", "grpc_aio_server": "grpc", "grpc_client": "grpc", "grpc_server": "grpc",
    "httpx": "httpx", "jinja2": "jinja2", "kafka": "kafka", "mysql": "mysql.connector",
    "mysqlclient": "MySQLdb", "pika": "pika", "psycopg": "psycopg", "psycopg2": "psycopg2",
    "pymemcache": "pymemcache", "pymongo": "pymongo", "pymssql": "pymssql", "pymysql": "pymysql",
    "pyramid": "pyramid", "redis": "redis", "remoulade": "remoulade", "requests": "requests",
    "sqlalchemy": "sqlalchemy", "sqlite3": "sqlite3", "starlette": "starlette", "tornado": "tornado",
    "tortoiseorm": "tortoise", "urllib": "urllib.request", "urllib3": "urllib3",
}


#: instrumentors that do nothing off AWS Lambda (upstream returns early without this variable);
#: otelray does not even import them there
LAMBDA_ONLY = frozenset({"aws-lambda"})


def _reload_propagators() -> None:
    module = sys.modules.get("opentelemetry.propagate")
    if module is not None:
        importlib.reload(module)


class OtelrayDistro(BaseDistro):
    """Entry point ``opentelemetry_distro: otelray``."""

    def _configure(self, **kwargs: Any) -> None:
        applied = apply_defaults(os.environ)
        if env.OTEL_PROPAGATORS in applied:
            _reload_propagators()

    def load_instrumentor(self, entry_point: Any, **kwargs: Any) -> None:
        """Instrument now if the library is imported (or unknown), else when it is first imported."""
        if entry_point.name in LAMBDA_ONLY and not os.environ.get(env.AWS_LAMBDA_FUNCTION_NAME):
            _logger.debug("otelray: %s skipped outside AWS Lambda", entry_point.name)
            return
        target = TARGET_MODULES.get(entry_point.name)
        eager = os.environ.get(env.OTELRAY_INSTRUMENT_EAGERLY, "").strip().lower() in ("true", "1")
        if eager or target is None or target in sys.modules:
            super().load_instrumentor(entry_point, **kwargs)
            return
        from wrapt import register_post_import_hook

        def instrument(_module: object) -> None:
            try:
                BaseDistro.load_instrumentor(self, entry_point, **kwargs)
            except Exception:  # a broken instrumentation must not break the application's import
                _logger.exception("otelray: instrumenting %s failed; continuing without it", entry_point.name)

        register_post_import_hook(instrument, target)
