"""The ``sigv4auth`` extension: SigV4-signs HTTP exporters' requests (contrib ``extension/sigv4authextension``).

Exporters name it in ``auth: {authenticator: sigv4auth}`` and call ``sign_request`` (the
``HTTPClientAuthenticator`` protocol of ``otelray.collector.auth``) with the finished request.
Credentials come from the default chain or ``assume_role``; ``service`` and ``region`` are inferred
from the request host when not set (``aps-workspaces.*`` → ``aps``, …; adot-collector.md §4.3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from pydantic import Field

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.session import AssumeRole, make_session
from otelray.collector.aws.sigv4 import SigV4Signer
from otelray.collector.component import Host, Settings, Stability
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.errors import ComponentError
from otelray.collector.registry import ExtensionFactory


class AssumeRoleConfig(ComponentConfig):
    """``assume_role``: sign with the credentials of an assumed IAM role."""

    arn: str = Field("", description="ARN of the role to assume.")
    session_name: str = Field("otelray", description="Role session name.")
    sts_region: str = Field("", description="Region of the STS endpoint (defaults to `region`).")
    external_id: str = Field("", description="External id passed to AssumeRole.")


class SigV4AuthConfig(ComponentConfig):
    """``extensions::sigv4auth``."""

    region: str = Field("", description="SigV4 region; inferred from the host when empty.")
    service: str = Field("", description="SigV4 service (aps, logs, xray, es…); inferred from the host when empty.")
    assume_role: AssumeRoleConfig = Field(default_factory=AssumeRoleConfig, description="Role to assume.")


class SigV4AuthExtension:
    """Signs requests; the botocore session is built at start (credential chain, optional AssumeRole)."""

    def __init__(self, settings: Settings, config: SigV4AuthConfig) -> None:
        self.settings = settings
        self.config = config
        self._signer: SigV4Signer | None = None

    async def start(self, host: Host) -> None:
        """Build the credential source."""
        cfg = self.config
        role = AssumeRole(arn=cfg.assume_role.arn, external_id=cfg.assume_role.external_id,
                          session_name=cfg.assume_role.session_name, sts_region=cfg.assume_role.sts_region)
        try:
            session = await asyncio.to_thread(make_session, cfg.region, assume_role=role)
        except AwsConfigError as exc:
            raise ComponentError(self.settings.id, str(exc)) from exc
        self._signer = SigV4Signer(session, service=cfg.service, region=cfg.region)

    def sign_request(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        """Return the headers to send: ``headers`` plus the SigV4 ones.

        Raises:
            ComponentError: used before start, no credentials, or service/region cannot be inferred.
        """
        if self._signer is None:
            raise ComponentError(self.settings.id, "sigv4auth used before start")
        try:
            return self._signer.sign(method, url, headers, body)
        except AwsConfigError as exc:
            raise ComponentError(self.settings.id, str(exc)) from exc

    async def shutdown(self) -> None:
        """Nothing to release."""
        self._signer = None


def create_extension(settings: Settings, config: SigV4AuthConfig) -> SigV4AuthExtension:
    """The extension."""
    return SigV4AuthExtension(settings, config)


factory = ExtensionFactory(
    type="sigv4auth",
    config=SigV4AuthConfig,
    description="Signs HTTP exporter requests with AWS SigV4 (remote write to AMP, otlphttp to AWS).",
    create_extension=create_extension,
    stability_level=Stability.BETA,
)

__all__ = ["AssumeRoleConfig", "SigV4AuthConfig", "SigV4AuthExtension", "create_extension", "factory"]
