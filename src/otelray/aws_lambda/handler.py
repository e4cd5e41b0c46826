"""Finding the function's original handler from ``ORIG_HANDLER``.

Upstream rule (opentelemetry-lambda ``python/src/otel/otel_sdk/otel_wrapper.py``): read
``ORIG_HANDLER``, fail with ``HandlerError`` when it is missing or has no ``.``, split at the last
``.``, turn ``/`` in the module part into ``.``, instrument, then import the module and re-export
the handler as ``lambda_handler`` (``otelray.aws_lambda.otel_wrapper``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from otelray.aws_lambda.errors import HandlerError

ORIG_HANDLER = "ORIG_HANDLER"


def split_handler(environ: Mapping[str, str]) -> tuple[str, str]:
    """``(module, function)`` of ``ORIG_HANDLER``; raises ``HandlerError`` as upstream does."""
    value = environ.get(ORIG_HANDLER)
    if not value:
        raise HandlerError(f"{ORIG_HANDLER} is not set: the otelray exec wrapper sets it from _HANDLER")
    module, sep, function = value.rpartition(".")
    if not sep or not module or not function:
        raise HandlerError(f"{ORIG_HANDLER}={value!r} is not MODULE.FUNCTION")
    return module.replace("/", "."), function


def load_handler(environ: Mapping[str, str]) -> Callable[..., Any]:
    """Import the original handler (after instrumentation, so the wrapped attribute is returned)."""
    module_name, function = split_handler(environ)
    handler = getattr(import_module(module_name), function, None)
    if not callable(handler):
        raise HandlerError(f"{module_name} has no callable {function!r}")
    return handler
