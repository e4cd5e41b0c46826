"""Client authenticators: how an exporter asks an ``auth`` extension to sign its requests.

Upstream's ``extension/auth`` ``Client`` interface wraps an ``http.RoundTripper`` or gives gRPC
``PerRPCCredentials``; otelray's HTTP exporters instead hand the finished request (method, URL,
headers, body) to the extension named in ``auth: {authenticator: <id>}`` and send the headers it
returns — enough for SigV4, which signs exactly those parts. ``resolve_authenticator`` finds the
extension on the host at start and fails with a clear error when it is missing or of the wrong kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar, runtime_checkable

from otelray.collector.component import ComponentID, Host
from otelray.collector.errors import ComponentError


@runtime_checkable
class HTTPClientAuthenticator(Protocol):
    """An extension that signs outgoing HTTP requests (``sigv4auth``)."""

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        """Return the complete headers to send with this request (the given ones plus credentials)."""
        ...


@runtime_checkable
class GRPCClientAuthenticator(Protocol):
    """An extension that adds per-call metadata to outgoing gRPC calls."""

    def grpc_metadata(self, method: str, body: bytes) -> list[tuple[str, str]]:
        """Metadata (lower-case keys) to attach to the call of full method name ``method``."""
        ...


A = TypeVar("A", HTTPClientAuthenticator, GRPCClientAuthenticator)

_CANNOT = {HTTPClientAuthenticator: "cannot sign HTTP requests", GRPCClientAuthenticator: "cannot authenticate gRPC calls"}


def resolve_authenticator(host: Host, owner: ComponentID, auth_id: ComponentID, kind: type[A]) -> A:
    """The started extension ``auth_id``, which must implement ``kind``.

    Raises:
        ComponentError: when the extension is not configured in ``service::extensions`` or is not a ``kind``.
    """
    ext = host.extensions().get(auth_id)
    if ext is None:
        raise ComponentError(owner, f"failed to resolve authenticator {str(auth_id)!r}: authenticator not found "
                             "(add it to extensions and service::extensions)")
    if not isinstance(ext, kind):
        raise ComponentError(owner, f"{auth_id} {_CANNOT[kind]}")
    return ext
