"""AWS credentials and region for the collector's AWS components (contrib ``internal/aws/awsutil``).

One botocore session per component gives the standard credential chain (environment, shared files,
container and instance metadata). ``role_arn`` switches to STS ``AssumeRole`` credentials that
botocore refreshes before they expire, as the collector's ``stscreds`` cache does. Region
resolution follows the awsxray proxy (adot-collector.md §2.3): ``region`` → ``AWS_DEFAULT_REGION``
→ ``AWS_REGION`` → (unless ``local_mode``) the ECS container metadata file → EC2 IMDS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import botocore.session
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import BotoCoreError
from botocore.utils import InstanceMetadataRegionFetcher

from otelray.collector.aws.errors import AwsConfigError

_log = logging.getLogger(__name__)

#: How long the EC2 instance metadata service may take to answer a region lookup.
IMDS_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class AssumeRole:
    """STS AssumeRole parameters (``role_arn``/``external_id``; sigv4auth's ``assume_role`` block)."""

    arn: str
    external_id: str = ""
    session_name: str = "otelray"
    sts_region: str = ""


class _AssumeRoleProvider(CredentialProvider):
    """A credential provider that returns refreshable AssumeRole credentials first in the chain."""

    METHOD = "assume-role"
    CANONICAL_NAME = "otelray-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


def make_session(
    region: str,
    *,
    assume_role: AssumeRole | None = None,
    sts_endpoint: str | None = None,
) -> botocore.session.Session:
    """Return a botocore session for ``region``, with AssumeRole credentials when asked."""
    session = botocore.session.Session()
    session.set_config_variable("region", region)
    if assume_role is not None and assume_role.arn:
        _install_assume_role(session, assume_role, sts_endpoint)
    return session


def _install_assume_role(
    session: botocore.session.Session, role: AssumeRole, sts_endpoint: str | None
) -> None:
    source = botocore.session.Session()  # the default chain provides the caller's credentials
    try:
        source_credentials = source.get_credentials()
    except BotoCoreError as exc:
        raise AwsConfigError(f"role_arn {role.arn}: cannot load source credentials: {exc}") from exc
    if source_credentials is None:
        raise AwsConfigError(f"role_arn {role.arn}: no source credentials found to call sts:AssumeRole")
    sts_region = role.sts_region or session.get_config_variable("region")

    def client_creator(service_name: str, **kwargs: object) -> object:
        kwargs.setdefault("region_name", sts_region)
        if sts_endpoint:
            kwargs.setdefault("endpoint_url", sts_endpoint)
        return source.create_client(service_name, **kwargs)  # type: ignore[arg-type]

    extra: dict[str, str] = {"RoleSessionName": role.session_name}
    if role.external_id:
        extra["ExternalId"] = role.external_id
    fetcher = AssumeRoleCredentialFetcher(
        client_creator, source_credentials, role.arn, extra_args=extra
    )
    credentials = DeferredRefreshableCredentials(
        refresh_using=fetcher.fetch_credentials, method=_AssumeRoleProvider.METHOD
    )
    resolver = session.get_component("credential_provider")
    resolver.insert_before("env", _AssumeRoleProvider(credentials))


def resolve_region(
    region: str = "",
    *,
    local_mode: bool = False,
    env: Mapping[str, str] | None = None,
    imds_timeout: float = IMDS_TIMEOUT_SECONDS,
) -> str:
    """Resolve the AWS region as the awsxray proxy does; raise ``AwsConfigError`` when none is found.

    Args:
        region: the configured region; wins when set.
        local_mode: skip the ECS metadata file and EC2 IMDS lookups (not running on AWS).
        env: environment to read (``os.environ`` when ``None``).
        imds_timeout: seconds allowed for the IMDS lookup.
    """
    if region:
        return region
    environ = os.environ if env is None else env
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        if environ.get(name):
            return environ[name]
    if not local_mode:
        found = _region_from_ecs_metadata(environ) or _region_from_imds(imds_timeout)
        if found:
            return found
    where = "config, AWS_DEFAULT_REGION, AWS_REGION" + ("" if local_mode else ", ECS metadata, EC2 IMDS")
    raise AwsConfigError(f"could not determine the AWS region (looked in: {where}); set `region`")


async def open_session(
    region: str = "", *, local_mode: bool = False, assume_role: AssumeRole | None = None
) -> tuple[str, botocore.session.Session]:
    """Resolve the region and make the session off the event loop (both may wait on metadata endpoints).

    Raises:
        AwsConfigError: no region can be found.
    """
    resolved = await asyncio.to_thread(resolve_region, region, local_mode=local_mode)
    session = await asyncio.to_thread(make_session, resolved, assume_role=assume_role)
    return resolved, session


def _region_from_ecs_metadata(environ: Mapping[str, str]) -> str:
    if environ.get("ECS_ENABLE_CONTAINER_METADATA", "").lower() != "true":
        return ""
    path = environ.get("ECS_CONTAINER_METADATA_FILE", "")
    if not path:
        return ""
    try:
        with open(path, "rb") as fh:
            task_arn = json.loads(fh.read(1 << 20)).get("TaskARN", "")
    except (OSError, ValueError, AttributeError) as exc:
        _log.warning("could not read the ECS container metadata file %s: %s", path, exc)
        return ""
    parts = str(task_arn).split(":")  # arn:aws:ecs:<region>:<account>:task/...
    return parts[3] if len(parts) > 4 else ""


def _region_from_imds(timeout: float) -> str:
    fetcher = InstanceMetadataRegionFetcher(timeout=timeout, num_attempts=1)
    try:
        return fetcher.retrieve_region() or ""
    except Exception as exc:  # IMDS failures of any kind mean "not on EC2"
        _log.debug("EC2 IMDS region lookup failed: %s", exc)
        return ""
