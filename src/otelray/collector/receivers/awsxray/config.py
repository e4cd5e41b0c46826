"""Config of the ``awsxray`` receiver (contrib ``receiver/awsxrayreceiver/config.go``, ``internal/aws/proxy/config.go``).

``endpoint`` is the UDP address of the daemon protocol; ``transport`` must be ``udp``.
``proxy_server`` is the TCP sampling proxy on the same port number by default. otelray binds
``127.0.0.1`` by default (upstream: ``localhost``); ADOT configs write ``0.0.0.0:2000`` and get it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from otelray.collector.aws.proxy_config import ProxyServerConfig
from otelray.collector.config.blocks import ComponentConfig, HostPort


class AwsXrayReceiverConfig(ComponentConfig):
    """``receivers::awsxray``."""

    endpoint: HostPort = Field("127.0.0.1:2000", description="UDP address for X-Ray daemon datagrams.")
    transport: Literal["udp"] = Field("udp", description="Only udp is supported, as upstream.")
    proxy_server: ProxyServerConfig | None = Field(
        default_factory=ProxyServerConfig, description="The TCP sampling proxy; null turns it off.")
