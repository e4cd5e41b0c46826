"""Sampling rules: CreateSamplingRule, GetSamplingRules, UpdateSamplingRule, DeleteSamplingRule.

Rules from the X-Ray developer guide ("Configuring sampling rules", API "SamplingRule") and
botocore's model: the built-in ``Default`` rule (Priority 10000, ReservoirSize 1, FixedRate 0.05,
every matcher ``*``, CreatedAt 0) always exists, cannot be deleted, and only its FixedRate and
ReservoirSize can change; at most 25 custom rules (``RuleLimitExceededException``); Priority
1–9999, FixedRate 0–1, ReservoirSize ≥ 0, Version 1; matchers are globs (``*``, ``?``) of at most
64 characters (HTTPMethod 10, URLPath 128, ResourceARN 500); Attributes at most 5, keys and values
1–32 characters. A rule is named by RuleName or RuleARN (``arn:aws:xray:<region>:<account>:
sampling-rule/<RuleName>``). Every change moves ``LastRuleModification`` so SDK samplers refetch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from otelray.service.errors import InvalidRequestException, RuleLimitExceededException
from otelray.service.ops import _params, tags

if TYPE_CHECKING:
    from otelray.service.config_store import ConfigState

DEFAULT = "Default"
MAX_RULES = 25
LAST_MODIFIED_KEY = "last_rule_modification"
#: records per GetSamplingRules page; above the rule limit because the X-Ray Python SDK reads
#: only the first page
PAGE_SIZE = 100
_MATCHERS = {
    "ResourceARN": 500,
    "ServiceName": 64,
    "ServiceType": 64,
    "Host": 64,
    "HTTPMethod": 10,
    "URLPath": 128,
}
_DEFAULT_FIELDS = {"RuleName", "RuleARN", "FixedRate", "ReservoirSize"}


def default_rule(state: ConfigState) -> dict[str, Any]:
    """The built-in Default rule as AWS creates it."""
    return {
        "RuleName": DEFAULT,
        "RuleARN": state.arn("sampling-rule", DEFAULT),
        "ResourceARN": "*",
        "Priority": 10000,
        "FixedRate": 0.05,
        "ReservoirSize": 1,
        "ServiceName": "*",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "Version": 1,
        "Attributes": {},
    }


def records(state: ConfigState) -> list[dict[str, Any]]:
    """Every rule record, Default included, in evaluation order (priority, then name)."""
    rows = state.query("SELECT rule, created_at, modified_at FROM rules")
    found = [_record(json.loads(rule), created, modified) for rule, created, modified in rows]
    if not any(r["SamplingRule"]["RuleName"] == DEFAULT for r in found):
        found.append(_record(default_rule(state), 0.0, 0.0))
    found.sort(key=lambda r: (r["SamplingRule"]["Priority"], r["SamplingRule"]["RuleName"]))
    return found


def rule_by_name(state: ConfigState, name: str) -> dict[str, Any] | None:
    """The record of rule ``name``, or None."""
    return next((r for r in records(state) if r["SamplingRule"]["RuleName"] == name), None)


def rule_by_arn(state: ConfigState, arn: str) -> dict[str, Any] | None:
    """The record of the rule with ARN ``arn``, or None."""
    return next((r for r in records(state) if r["SamplingRule"]["RuleARN"] == arn), None)


def last_modification(state: ConfigState) -> float:
    """When a rule was last created, changed or deleted (epoch seconds; 0 if never)."""
    return float(state.setting(LAST_MODIFIED_KEY, 0.0))


def _record(rule: dict[str, Any], created: float, modified: float) -> dict[str, Any]:
    return {"SamplingRule": rule, "CreatedAt": created, "ModifiedAt": modified}


def _find(state: ConfigState, params: dict[str, Any]) -> dict[str, Any]:
    """The record named by RuleName and/or RuleARN in ``params``."""
    name = _params.string(params, "RuleName", max_len=32)
    arn = _params.string(params, "RuleARN", max_len=500)
    if name is None and arn is None:
        raise InvalidRequestException("Either RuleName or RuleARN must be provided")
    record = rule_by_name(state, name) if name is not None else rule_by_arn(state, arn or "")
    if record is None:
        raise InvalidRequestException(f"Sampling rule does not exist: {name if name is not None else arn}")
    if arn is not None and record["SamplingRule"]["RuleARN"] != arn:
        raise InvalidRequestException(f"RuleName {name} does not match RuleARN {arn}")
    return record


def _check_fields(rule: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """Validated copy of the rule fields present in ``rule`` (all required on create)."""
    out: dict[str, Any] = {}
    for name, limit in _MATCHERS.items():
        value = _params.string(rule, name, required=required, max_len=limit)
        if value is not None:
            out[name] = value
    checks = {
        "Priority": _params.integer(rule, "Priority", required=required, low=1, high=9999),
        "FixedRate": _params.number(rule, "FixedRate", required=required, low=0, high=1),
        "ReservoirSize": _params.integer(rule, "ReservoirSize", required=required, low=0),
    }
    out.update({k: v for k, v in checks.items() if v is not None})
    if "Attributes" in rule and rule["Attributes"] is not None:
        out["Attributes"] = _check_attributes(rule["Attributes"])
    boost = _params.struct(rule, "SamplingRateBoost")
    if boost is not None:
        out["SamplingRateBoost"] = {
            "MaxRate": _params.number(boost, "MaxRate", required=True, low=0, high=1),
            "CooldownWindowMinutes": _params.integer(boost, "CooldownWindowMinutes", required=True, low=0),
        }
    return out


def _check_attributes(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise InvalidRequestException("Attributes must be a map of strings")
    if len(raw) > 5:
        raise InvalidRequestException("Attributes must have at most 5 entries")
    for key, value in raw.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 32:
            raise InvalidRequestException(f"Attributes key {str(key)[:40]!r} must be 1 to 32 characters")
        if not isinstance(value, str) or not 1 <= len(value) <= 32:
            raise InvalidRequestException(f"Attributes[{key}] must be a string of 1 to 32 characters")
    return dict(raw)


def _check_name(name: str) -> None:
    if any(ch.isspace() or ch == "/" for ch in name):
        raise InvalidRequestException(f"RuleName {name!r} must not contain whitespace or '/'")


def create_sampling_rule(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateSamplingRule."""
    raw = _params.struct(params, "SamplingRule", required=True) or {}
    name = _params.text(raw, "RuleName", min_len=1, max_len=32)
    _check_name(name)
    if _params.integer(raw, "Version", required=True, low=1) != 1:
        raise InvalidRequestException("Version must be 1 (the only sampling rule format)")
    rule = {
        "RuleName": name,
        "RuleARN": state.arn("sampling-rule", name),
        **_check_fields(raw, required=True),
    }
    rule["Version"] = 1
    rule.setdefault("Attributes", {})
    given_arn = _params.string(raw, "RuleARN", max_len=500)
    if given_arn is not None and given_arn != rule["RuleARN"]:
        raise InvalidRequestException(f"RuleARN {given_arn} does not match RuleName {name}")
    new_tags = tags.parse_tags(params.get("Tags"))
    with state.transaction() as conn:
        if name == DEFAULT or conn.execute("SELECT 1 FROM rules WHERE name = ?", (name,)).fetchone():
            raise InvalidRequestException(f"A sampling rule named {name} already exists")
        custom = conn.execute("SELECT COUNT(*) FROM rules WHERE name != ?", (DEFAULT,)).fetchone()[0]
        if custom >= MAX_RULES:
            raise RuleLimitExceededException(
                f"Cannot create sampling rule {name}: the limit of {MAX_RULES} sampling rules is reached"
            )
        conn.execute(
            "INSERT INTO rules (name, arn, rule, created_at, modified_at) VALUES (?, ?, ?, ?, ?)",
            (name, rule["RuleARN"], json.dumps(rule), now, now),
        )
        tags.store_tags(state, conn, rule["RuleARN"], new_tags)
        state.put_setting(conn, LAST_MODIFIED_KEY, now)
    return {"SamplingRuleRecord": _record(rule, now, now)}


def update_sampling_rule(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateSamplingRule; the Default rule accepts only FixedRate and ReservoirSize."""
    update = _params.struct(params, "SamplingRuleUpdate", required=True) or {}
    record = _find(state, update)
    rule = dict(record["SamplingRule"])
    changes = _check_fields(update, required=False)
    if rule["RuleName"] == DEFAULT:
        extra = sorted(k for k in changes if k not in _DEFAULT_FIELDS and changes[k] != rule.get(k))
        if extra:
            raise InvalidRequestException(
                f"The Default rule can change only FixedRate and ReservoirSize, not {', '.join(extra)}"
            )
    rule.update(changes)
    with state.transaction() as conn:
        conn.execute(
            "INSERT INTO rules (name, arn, rule, created_at, modified_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET rule = excluded.rule, modified_at = excluded.modified_at",
            (rule["RuleName"], rule["RuleARN"], json.dumps(rule), record["CreatedAt"], now),
        )
        state.put_setting(conn, LAST_MODIFIED_KEY, now)
    # quotas already granted stay counted: a smaller reservoir is then handed out as they expire
    return {"SamplingRuleRecord": _record(rule, record["CreatedAt"], now)}


def delete_sampling_rule(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteSamplingRule; returns the deleted record. Default cannot be deleted."""
    record = _find(state, params)
    rule = record["SamplingRule"]
    if rule["RuleName"] == DEFAULT:
        raise InvalidRequestException("The Default sampling rule cannot be deleted")
    with state.transaction() as conn:
        conn.execute("DELETE FROM rules WHERE name = ?", (rule["RuleName"],))
        tags.delete_tags(conn, rule["RuleARN"])
        state.put_setting(conn, LAST_MODIFIED_KEY, now)
    state.reservoirs.forget(rule["RuleName"])
    return {"SamplingRuleRecord": record}


def get_sampling_rules(state: ConfigState, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetSamplingRules (paginated)."""
    chunk, token = _params.page(records(state), params.get("NextToken"), PAGE_SIZE, "GetSamplingRules")
    return {"SamplingRuleRecords": chunk, **({"NextToken": token} if token else {})}
