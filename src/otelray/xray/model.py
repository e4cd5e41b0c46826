"""botocore's own X-Ray service model (``botocore/data/xray/2016-04-12/service-2.json``).

The local X-Ray API routes and shapes requests by this model, so every operation, path and error
code is exactly what boto3, the AWS CLI and the X-Ray SDKs expect. Every X-Ray operation is
``POST`` to a fixed path with a JSON body (rest-json, no URI or query members).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.model import OperationModel, ServiceModel

__all__ = ["Operation", "operation_by_path", "operations", "xray_service_model"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One X-Ray API operation: its name, HTTP method and request path (``requestUri``)."""

    name: str
    method: str
    path: str


@cache
def xray_service_model() -> ServiceModel:
    """The X-Ray ``ServiceModel`` shipped with the installed botocore (loaded once)."""
    return botocore.session.get_session().get_service_model("xray")


@cache
def operations() -> tuple[Operation, ...]:
    """All operations of the model, sorted by name."""
    model = xray_service_model()
    result = []
    for name in sorted(model.operation_names):
        http = model.operation_model(name).http
        result.append(Operation(name=name, method=http["method"], path=http["requestUri"]))
    return tuple(result)


@cache
def _by_path() -> dict[tuple[str, str], OperationModel]:
    model = xray_service_model()
    return {(op.method, op.path): model.operation_model(op.name) for op in operations()}


def operation_by_path(path: str, method: str = "POST") -> OperationModel | None:
    """The operation served at ``method path`` (e.g. ``POST /TraceSegments``), or ``None``.

    A query string or a trailing slash on ``path`` is ignored.
    """
    path = path.split("?", 1)[0]
    if len(path) > 1:
        path = path.rstrip("/")
    return _by_path().get((method.upper(), path))
