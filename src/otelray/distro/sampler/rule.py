"""One X-Ray sampling rule, parsed from a ``GetSamplingRules`` record (X-Ray API reference,
"SamplingRule" data type: field names, types and ranges).

Records the SDKs cannot use are rejected one by one with a ``SamplingRuleError`` naming the rule
and the field; ADOT Python also drops rules whose ``Version`` is not 1 or whose name is empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otelray.distro.errors import SamplingRuleError

MAX_RULE_NAME = 32
MAX_ATTRIBUTES = 5


@dataclass(frozen=True, slots=True)
class SamplingRule:
    """A sampling rule; equal rules keep their reservoir state across rule refreshes."""

    rule_name: str
    priority: int
    fixed_rate: float
    reservoir_size: int
    service_name: str = "*"
    service_type: str = "*"
    host: str = "*"
    http_method: str = "*"
    url_path: str = "*"
    resource_arn: str = "*"
    attributes: tuple[tuple[str, str], ...] = ()
    version: int = 1

    def sort_key(self) -> tuple[int, str]:
        """Rules are evaluated by ascending priority, then by name."""
        return (self.priority, self.rule_name)


_STRING_FIELDS = {
    "ServiceName": "service_name",
    "ServiceType": "service_type",
    "Host": "host",
    "HTTPMethod": "http_method",
    "URLPath": "url_path",
    "ResourceARN": "resource_arn",
}


def _fmt(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _number(rule: str, record: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SamplingRuleError(f"sampling rule {rule!r}: {key} must be a number, got {value!r}")
    if not low <= value <= high:
        raise SamplingRuleError(f"sampling rule {rule!r}: {key}={value!r} is outside [{_fmt(low)}, {_fmt(high)}]")
    return value


def _integer(rule: str, record: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = _number(rule, record, key, low, high)
    if value != int(value):
        raise SamplingRuleError(f"sampling rule {rule!r}: {key}={value!r} must be a whole number")
    return int(value)


def _attributes(rule: str, raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise SamplingRuleError(f"sampling rule {rule!r}: Attributes must map strings to strings")
    if len(raw) > MAX_ATTRIBUTES:
        raise SamplingRuleError(f"sampling rule {rule!r}: more than {MAX_ATTRIBUTES} Attributes")
    return tuple(sorted(raw.items()))


def parse_rule(record: Any) -> SamplingRule:
    """Parse one ``SamplingRuleRecords[].SamplingRule`` object; raises ``SamplingRuleError``."""
    if not isinstance(record, Mapping):
        raise SamplingRuleError(f"sampling rule record must be an object, got {type(record).__name__}")
    name = record.get("RuleName")
    if not isinstance(name, str) or not name or len(name) > MAX_RULE_NAME:
        raise SamplingRuleError(f"sampling rule RuleName={name!r} must be 1 to {MAX_RULE_NAME} characters")
    version = record.get("Version", 1)
    if version != 1:
        raise SamplingRuleError(f"sampling rule {name!r}: Version={version!r} is not supported (only 1)")
    strings: dict[str, str] = {}
    for key, field in _STRING_FIELDS.items():
        value = record.get(key, "*")
        if not isinstance(value, str):
            raise SamplingRuleError(f"sampling rule {name!r}: {key} must be a string, got {value!r}")
        strings[field] = value
    return SamplingRule(
        rule_name=name,
        priority=_integer(name, record, "Priority", 1, 10000),
        fixed_rate=_number(name, record, "FixedRate", 0.0, 1.0),
        reservoir_size=_integer(name, record, "ReservoirSize", 0, 2**31 - 1),
        attributes=_attributes(name, record.get("Attributes")),
        **strings,
    )
