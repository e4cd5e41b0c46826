from __future__ import annotations

import json

import pytest

from otelray.collector.aws.errors import AwsConfigError
from otelray.collector.aws.session import AssumeRole, make_session, resolve_region


def test_configured_region_wins() -> None:
    assert resolve_region("eu-west-1", env={"AWS_REGION": "us-east-2"}) == "eu-west-1"


def test_default_region_env_before_aws_region() -> None:
    env = {"AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "us-east-2"}
    assert resolve_region("", env=env, local_mode=True) == "ap-south-1"
    assert resolve_region("", env={"AWS_REGION": "us-east-2"}, local_mode=True) == "us-east-2"


def test_region_from_ecs_metadata_file(tmp_path) -> None:
    path = tmp_path / "ecs.json"
    path.write_text(json.dumps({"TaskARN": "arn:aws:ecs:eu-central-1:123456789012:task/c/abc"}))
    env = {"ECS_ENABLE_CONTAINER_METADATA": "true", "ECS_CONTAINER_METADATA_FILE": str(path)}
    assert resolve_region("", env=env, imds_timeout=0.2) == "eu-central-1"


def test_local_mode_skips_metadata_and_names_where_it_looked(tmp_path) -> None:
    path = tmp_path / "ecs.json"
    path.write_text(json.dumps({"TaskARN": "arn:aws:ecs:eu-central-1:1:task/x"}))
    env = {"ECS_ENABLE_CONTAINER_METADATA": "true", "ECS_CONTAINER_METADATA_FILE": str(path)}
    with pytest.raises(AwsConfigError, match="looked in: config, AWS_DEFAULT_REGION, AWS_REGION\\)"):
        resolve_region("", env=env, local_mode=True)


def test_assume_role_credentials_come_first(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSOURCE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    session = make_session("us-east-1", assume_role=AssumeRole(arn="arn:aws:iam::123456789012:role/r"))
    credentials = session.get_credentials()
    assert credentials is not None
    assert credentials.method == "assume-role"


def test_assume_role_without_source_credentials_is_a_config_error(monkeypatch, tmp_path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AwsConfigError, match="no source credentials"):
        make_session("us-east-1", assume_role=AssumeRole(arn="arn:aws:iam::1:role/r"))
