"""X-Ray sampling-rule matching (X-Ray developer guide, "Sampling rule options"; ADOT Python
``sampler/_matcher.py`` and ``_sampling_rule_applier.py``).

Wildcards: ``*`` matches any run of characters, ``?`` exactly one; the whole text must match and the
comparison is case-sensitive. The pattern ``*`` also matches a missing value; any other pattern fails
on a missing value, and the empty pattern matches only the empty text. Span values are read with the
new HTTP semantic conventions first and the old names as fallback, exactly as ADOT does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

#: resource ``cloud.platform`` -> X-Ray ``ServiceType``
SERVICE_TYPE_BY_PLATFORM: dict[str, str] = {
    "aws_lambda": "AWS::Lambda::Function",
    "aws_elastic_beanstalk": "AWS::ElasticBeanstalk::Environment",
    "aws_ec2": "AWS::EC2::Instance",
    "aws_ecs": "AWS::ECS::Container",
    "aws_eks": "AWS::EKS::Container",
}

Attrs = Mapping[str, Any]


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(regex, re.DOTALL)


def wildcard_match(pattern: str, text: str | None) -> bool:
    """True if ``text`` matches the X-Ray wildcard ``pattern`` (``*``, ``?``)."""
    if pattern == "*":
        return True
    if text is None:
        return False
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    return _compile(pattern).fullmatch(text) is not None


def _first(attrs: Attrs, *keys: str) -> str | None:
    for key in keys:
        value = attrs.get(key)
        if value is not None:
            return str(value)
    return None


def span_url_path(attrs: Attrs) -> str:
    """The URL path of a span: ``url.path``, ``http.target``, the path of ``url.full``/``http.url``, else ``/``."""
    path = _first(attrs, "url.path", "http.target")
    if path is not None:
        return path
    url = _first(attrs, "url.full", "http.url")
    if url is not None and "://" in url:
        return urlsplit(url).path or "/"
    return "/"


def span_method(attrs: Attrs) -> str | None:
    """The HTTP method of a span (``http.request.method``, old ``http.method``)."""
    return _first(attrs, "http.request.method", "http.method")


def span_host(attrs: Attrs) -> str | None:
    """The host of a span (``server.address``, old ``http.host``)."""
    return _first(attrs, "server.address", "http.host")


def service_type(resource: Attrs) -> str:
    """X-Ray service type from the resource's ``cloud.platform`` (empty when unknown)."""
    return SERVICE_TYPE_BY_PLATFORM.get(str(resource.get("cloud.platform", "")), "")


def resource_arn(resource: Attrs, attrs: Attrs) -> str:
    """The ARN a rule's ``ResourceARN`` is compared with (ECS container ARN; Lambda function id)."""
    arn = resource.get("aws.ecs.container.arn")
    if arn:
        return str(arn)
    if resource.get("cloud.platform") == "aws_lambda":
        found = _first(resource, "cloud.resource_id", "faas.id") or _first(attrs, "cloud.resource_id", "faas.id")
        return found or ""
    return ""
