"""Config of the X-Ray proxy (contrib ``internal/aws/proxy/config.go``).

Shared by the awsxray receiver's ``proxy_server`` block and the ``awsproxy`` extension; otelray
listens on ``127.0.0.1:2000`` by default (upstream: ``localhost:2000`` / ``0.0.0.0:2000``).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from otelray.collector.aws.proxy import ProxyOptions
from otelray.collector.config.blocks import ComponentConfig, HostPort, split_host_port


class ProxyTLSConfig(ComponentConfig):
    """``tls`` of the proxy's outgoing connection."""

    insecure: bool = Field(False, description="Do not verify the X-Ray endpoint's certificate.")
    server_name_override: str = Field("", description="Server name expected in the certificate.")


class ProxyServerConfig(ComponentConfig):
    """``proxy_server``: the signing TCP proxy for sampling calls (shared with ``awsproxy``)."""

    endpoint: HostPort = Field("127.0.0.1:2000", description="TCP address the proxy listens on.")
    proxy_address: str = Field("", description="HTTP(S) proxy for the forwarded requests.")
    tls: ProxyTLSConfig = Field(default_factory=ProxyTLSConfig, description="Outgoing TLS settings.")
    region: str = Field("", description="AWS region; else AWS_DEFAULT_REGION / AWS_REGION / ECS / EC2 IMDS.")
    role_arn: str = Field("", description="IAM role to assume for signing.")
    aws_endpoint: str = Field("", description="X-Ray endpoint to forward to (e.g. an otelray backend).")
    local_mode: bool = Field(False, description="Not on AWS: skip ECS/EC2 metadata when resolving the region.")
    service_name: str = Field("xray", description="SigV4 service name and endpoint prefix.")

    @field_validator("aws_endpoint", "proxy_address")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f'"{value}" is not a URL: write http://{value} or https://{value}')
        return value

    def options(self) -> ProxyOptions:
        """The runtime options of ``XRayProxy``."""
        host, port = split_host_port(self.endpoint)
        return ProxyOptions(
            host=host or "0.0.0.0", port=port, region=self.region, role_arn=self.role_arn,
            aws_endpoint=self.aws_endpoint, local_mode=self.local_mode, service_name=self.service_name,
            proxy_address=self.proxy_address, tls_insecure=self.tls.insecure,
            tls_server_name_override=self.tls.server_name_override)
