"""The segment ``origin`` (contrib ``translator/segment.go`` ``determineAwsOrigin``).

Derived from the resource's ``cloud.platform`` (and ``aws.ecs.launchtype`` for ECS) when the
resource is on AWS or names no provider; Lambda and unknown platforms get no origin (reference §1.8).
"""

from __future__ import annotations

from otelray.translate.to_xray.values import Attrs, as_str

_ORIGINS = {
    "aws_app_runner": "AWS::AppRunner::Service",
    "aws_eks": "AWS::EKS::Container",
    "aws_elastic_beanstalk": "AWS::ElasticBeanstalk::Environment",
    "aws_ec2": "AWS::EC2::Instance",
}
_ECS_ORIGINS = {"ec2": "AWS::ECS::EC2", "fargate": "AWS::ECS::Fargate"}


def make_origin(resource: Attrs) -> str | None:
    """The X-Ray origin for a resource, or None."""
    if not resource:
        return None
    provider = resource.get("cloud.provider")
    if provider is not None and as_str(provider) != "aws":
        return None
    platform = resource.get("cloud.platform")
    if platform is None:
        return None
    name = as_str(platform)
    if name == "aws_ecs":
        launch = resource.get("aws.ecs.launchtype")
        return _ECS_ORIGINS.get(as_str(launch), "AWS::ECS::Container") if launch is not None else "AWS::ECS::Container"
    return _ORIGINS.get(name)
