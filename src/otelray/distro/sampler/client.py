"""The sampling endpoint client (ADOT Python ``sampler/_aws_xray_sampling_client.py``).

Plain unsigned ``POST {endpoint}/GetSamplingRules`` (empty JSON body) and
``POST {endpoint}/SamplingTargets`` with ``{"SamplingStatisticsDocuments": [...]}``, as the X-Ray
daemon, the collector's ``awsproxy`` and the otelray backend accept them. Only the first page of
rules is used (as the SDKs do). Responses are limited to ``MAX_RESPONSE_BYTES``; every record that
cannot be used is reported as an error value, and the usable rest is returned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otelray.distro.errors import SamplingEndpointError, SamplingRuleError
from otelray.distro.sampler.rule import SamplingRule, parse_rule

MAX_RESPONSE_BYTES = 1 << 20
DEFAULT_TIMEOUT = 2.0


@dataclass(slots=True)
class RulesResult:
    """Rules parsed from one ``GetSamplingRules`` answer and the records that were rejected."""

    rules: list[SamplingRule] = field(default_factory=list)
    errors: list[SamplingRuleError] = field(default_factory=list)


@dataclass(slots=True)
class TargetsResult:
    """Targets parsed from one ``SamplingTargets`` answer."""

    targets: list[dict[str, Any]] = field(default_factory=list)
    last_rule_modification: float | None = None
    errors: list[str] = field(default_factory=list)


def parse_rules(body: Any) -> RulesResult:
    """Parse a ``GetSamplingRules`` answer; raises ``SamplingEndpointError`` if it has no rule list."""
    records = body.get("SamplingRuleRecords") if isinstance(body, Mapping) else None
    if not isinstance(records, list):
        raise SamplingEndpointError("GetSamplingRules answer has no SamplingRuleRecords list")
    result = RulesResult()
    for record in records:
        try:
            rule = record.get("SamplingRule") if isinstance(record, Mapping) else None
            result.rules.append(parse_rule(rule))
        except SamplingRuleError as exc:
            result.errors.append(exc)
    return result


def _number_or_none(target: Mapping[str, Any], key: str) -> bool:
    value = target.get(key)
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool) and value >= 0)


def parse_targets(body: Any) -> TargetsResult:
    """Parse a ``SamplingTargets`` answer; malformed target documents are reported and skipped."""
    documents = body.get("SamplingTargetDocuments") if isinstance(body, Mapping) else None
    if not isinstance(documents, list):
        raise SamplingEndpointError("SamplingTargets answer has no SamplingTargetDocuments list")
    result = TargetsResult()
    modified = body.get("LastRuleModification")
    if isinstance(modified, int | float) and not isinstance(modified, bool):
        result.last_rule_modification = float(modified)
    for document in documents:
        name = document.get("RuleName") if isinstance(document, Mapping) else None
        keys = ("FixedRate", "ReservoirQuota", "ReservoirQuotaTTL", "Interval")
        if not isinstance(name, str) or not all(_number_or_none(document, key) for key in keys):
            result.errors.append(f"malformed sampling target {document!r}")
            continue
        if document.get("FixedRate") is not None and document["FixedRate"] > 1:
            result.errors.append(f"sampling target {name!r}: FixedRate {document['FixedRate']!r} > 1")
            continue
        result.targets.append(dict(document))
    return result


class SamplingClient:
    """Talks to one sampling endpoint such as ``http://127.0.0.1:2000``."""

    def __init__(self, endpoint: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, payload: Mapping[str, Any]) -> Any:
        import urllib.error
        import urllib.request

        from opentelemetry.instrumentation.utils import suppress_instrumentation

        url = f"{self.endpoint}/{path}"
        request = urllib.request.Request(
            url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with suppress_instrumentation(), urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise SamplingEndpointError(f"POST {url} answered HTTP {exc.code}") from exc
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SamplingEndpointError(f"cannot reach sampling endpoint {url}: {reason}") from exc
        if len(raw) > MAX_RESPONSE_BYTES:
            raise SamplingEndpointError(f"POST {url} answered more than {MAX_RESPONSE_BYTES} bytes")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise SamplingEndpointError(f"POST {url} answered malformed JSON: {exc}") from exc

    def get_rules(self) -> RulesResult:
        """Fetch and parse the sampling rules."""
        return parse_rules(self._post("GetSamplingRules", {}))

    def get_targets(self, statistics: list[dict[str, Any]]) -> TargetsResult:
        """Report statistics and fetch targets."""
        return parse_targets(self._post("SamplingTargets", {"SamplingStatisticsDocuments": statistics}))
