"""Prometheus relabelling (``model/relabel/relabel.go``): the actions ``replace``, ``keep``, ``drop``,
``labelmap``, ``labeldrop``, ``labelkeep``, ``hashmod``, ``lowercase`` and ``uppercase``.

Regexes are anchored (``^(?:regex)$``) as Prometheus anchors them; ``$1`` / ``${name}`` in
``replacement`` refer to groups. ``replace`` with an empty result deletes the target label.
``relabel`` returns ``None`` when the label set is dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import Field, field_validator

from otelray.collector.config.blocks import ComponentConfig

Action = Literal["replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep", "hashmod", "lowercase", "uppercase"]
_GROUP_REF = re.compile(r"\$\{(\w+)\}|\$(\w+)")


class RelabelConfig(ComponentConfig):
    """One ``relabel_configs`` / ``metric_relabel_configs`` rule."""

    source_labels: list[str] = Field(default_factory=list, description="Labels whose values are joined.")
    separator: str = Field(";", description="Separator between joined values.")
    target_label: str = Field("", description="Label written by replace/hashmod/lowercase/uppercase.")
    regex: str = Field("(.*)", description="Regular expression (anchored).")
    modulus: int = Field(0, ge=0, description="Modulus of hashmod.")
    replacement: str = Field("$1", description="Replacement with $1 / ${name} group references.")
    action: Action = Field("replace", description="What the rule does.")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {regex!r}: {exc}") from None
        return regex


def _expand(match: re.Match[str], replacement: str) -> str:
    def group(ref: re.Match[str]) -> str:
        name = ref.group(1) or ref.group(2)
        try:
            return match.group(int(name) if name.isdigit() else name) or ""
        except (IndexError, re.error):
            return ""

    return _GROUP_REF.sub(group, replacement)


def _replace(pattern: re.Pattern[str], value: str, rule: RelabelConfig, labels: dict[str, str]) -> None:
    match = pattern.match(value)
    if match is None:
        return
    target = _expand(match, rule.target_label)
    result = _expand(match, rule.replacement)
    if target and result:
        labels[target] = result
    elif target:
        labels.pop(target, None)


def _apply(rule: RelabelConfig, labels: dict[str, str]) -> bool:
    """Apply one rule in place; False when the label set is dropped."""
    pattern = re.compile(f"^(?:{rule.regex})$")
    value = rule.separator.join(labels.get(name, "") for name in rule.source_labels)
    action = rule.action
    if action == "keep":
        return pattern.match(value) is not None
    if action == "drop":
        return pattern.match(value) is None
    if action == "replace":
        _replace(pattern, value, rule, labels)
    elif action == "hashmod":
        digest = hashlib.md5(value.encode(), usedforsecurity=False).digest()
        labels[rule.target_label] = str(int.from_bytes(digest[8:], "big") % max(rule.modulus, 1))
    elif action in ("lowercase", "uppercase"):
        labels[rule.target_label] = value.lower() if action == "lowercase" else value.upper()
    elif action == "labelmap":
        for name, val in list(labels.items()):
            match = pattern.match(name)
            if match is not None:
                labels[_expand(match, rule.replacement)] = val
    elif action == "labeldrop":
        for name in [n for n in labels if pattern.match(n)]:
            del labels[name]
    elif action == "labelkeep":
        for name in [n for n in labels if not pattern.match(n)]:
            del labels[name]
    return True


def relabel(labels: Mapping[str, str], rules: Sequence[RelabelConfig]) -> dict[str, str] | None:
    """The relabelled copy of ``labels``, or ``None`` when a rule drops it."""
    out = dict(labels)
    for rule in rules:
        if not _apply(rule, out):
            return None
    return out
