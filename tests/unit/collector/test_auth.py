"""Exporters find their ``auth`` extension on the host, of the kind they need, or fail to start clearly."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from otelray.collector.auth import GRPCClientAuthenticator, HTTPClientAuthenticator, resolve_authenticator
from otelray.collector.component import ComponentID
from otelray.collector.errors import ComponentError
from otelray.collector.testing import NopHost

OWNER, AUTH = ComponentID.parse("otlphttp"), ComponentID.parse("sigv4auth")


class _Signer:
    async def start(self, host: object) -> None: ...

    async def shutdown(self) -> None: ...

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {**headers, "authorization": "signed"}


def test_the_extension_of_the_right_kind_is_returned():
    signer = _Signer()
    assert resolve_authenticator(NopHost({AUTH: signer}), OWNER, AUTH, HTTPClientAuthenticator) is signer


def test_a_missing_extension_names_itself_and_where_to_add_it():
    with pytest.raises(ComponentError, match="failed to resolve authenticator 'sigv4auth': authenticator not found"):
        resolve_authenticator(NopHost(), OWNER, AUTH, HTTPClientAuthenticator)


def test_an_extension_of_the_wrong_kind_is_refused():
    with pytest.raises(ComponentError, match="sigv4auth cannot authenticate gRPC calls"):
        resolve_authenticator(NopHost({AUTH: _Signer()}), OWNER, AUTH, GRPCClientAuthenticator)
