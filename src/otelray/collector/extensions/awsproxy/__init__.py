"""The ``awsproxy`` extension: the X-Ray signing proxy on its own (contrib ``extension/awsproxy``).

Unsigned HTTP in (SDK sampling calls on TCP 2000), SigV4-signed requests out to X-Ray; see
``otelray.collector.aws.proxy`` for the forwarding rules.
"""

from __future__ import annotations

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.proxy import XRayProxy
from otelray.collector.aws.proxy_config import ProxyServerConfig
from otelray.collector.component import Host, Settings, Stability
from otelray.collector.errors import ComponentError
from otelray.collector.registry import ExtensionFactory


class AwsProxyConfig(ProxyServerConfig):
    """``extensions::awsproxy`` (same keys as the awsxray receiver's ``proxy_server``)."""


class AwsProxyExtension:
    """Runs one ``XRayProxy`` between start and shutdown."""

    def __init__(self, settings: Settings, config: AwsProxyConfig) -> None:
        self.settings = settings
        self.proxy = XRayProxy(config.options())

    async def start(self, host: Host) -> None:
        """Resolve the region and listen."""
        try:
            await self.proxy.start()
        except (AwsConfigError, OSError) as exc:
            await self.proxy.close()
            raise ComponentError(self.settings.id, f"{self.proxy.options.host}:{self.proxy.options.port}: {exc}") from exc

    async def shutdown(self) -> None:
        """Stop listening; safe twice and without start."""
        await self.proxy.close()


def create_extension(settings: Settings, config: AwsProxyConfig) -> AwsProxyExtension:
    """The extension."""
    return AwsProxyExtension(settings, config)


factory = ExtensionFactory(
    type="awsproxy",
    config=AwsProxyConfig,
    description="Signing reverse proxy for X-Ray sampling calls (TCP 2000).",
    create_extension=create_extension,
    stability_level=Stability.BETA,
    lifecycle_test_config={"endpoint": "127.0.0.1:0", "region": "us-east-1", "local_mode": True},
)

__all__ = ["AwsProxyConfig", "AwsProxyExtension", "create_extension", "factory"]
