"""Attribute actions shared by the attributes and resource processors (contrib ``internal/coreinternal/attraction``).

Actions run in the order configured, each on one attribute map:

- ``insert``  add ``key`` when it is absent; ``update`` change it when present; ``upsert`` both.
  The value comes from ``value`` or ``from_attribute`` (another key of the same map);
  ``from_context`` (request metadata) is refused at config time because otelray's receivers do not
  hand request metadata to processors.
- ``delete`` remove ``key`` and/or every key matching ``pattern``.
- ``hash``   replace the value with the hex SHA-256 of its string form (contrib since v0.101
  replaced SHA-1 with SHA-256); ``key`` and/or ``pattern``.
- ``extract`` apply ``pattern`` (a regex with named groups) to the string value of ``key`` and
  upsert one attribute per named group; no match changes nothing.
- ``convert`` change the type of ``key`` to ``converted_type`` (``int``, ``double``, ``string``);
  a value that cannot be converted is left unchanged, as upstream.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import Any, Literal

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from pydantic import Field, model_validator

from otelray.collector.anyvalue import to_any_value, to_python
from otelray.collector.component import Settings, Signal
from otelray.collector.config.blocks import ComponentConfig
from otelray.collector.processorhelper import FuncProcessor

ActionName = Literal["insert", "update", "upsert", "delete", "hash", "extract", "convert"]
Scalar = str | bool | int | float
KeyValues = MutableSequence[KeyValue]
Action = Callable[[KeyValues], None]


class ActionConfig(ComponentConfig):
    """One entry of ``actions``."""

    key: str = Field("", description="The attribute to act on.")
    pattern: str = Field("", description="Regex: keys to delete/hash, or named groups to extract.")
    action: ActionName = Field(description="insert, update, upsert, delete, hash, extract or convert.")
    value: Scalar | list[Scalar] | None = Field(None, description="The value to insert/update/upsert.")
    from_attribute: str = Field("", description="Copy the value from this attribute.")
    from_context: str = Field("", description="Copy the value from request metadata (auth.*, client.*).")
    converted_type: Literal["int", "double", "string", ""] = Field("", description="Target type of convert.")

    @model_validator(mode="after")
    def _consistent(self) -> ActionConfig:
        _check_action(self)
        return self


def _check_action(cfg: ActionConfig) -> None:
    if cfg.from_context:
        raise ValueError(f'from_context "{cfg.from_context}" is not supported: otelray receivers do not pass '
                         "request metadata (client address, headers, auth) to processors")
    if cfg.pattern:
        try:
            re.compile(cfg.pattern)
        except re.error as exc:
            raise ValueError(f"invalid pattern {cfg.pattern!r}: {exc}") from None
    if cfg.action in ("insert", "update", "upsert"):
        if not cfg.key:
            raise ValueError(f'missing required field "key" for action "{cfg.action}"')
        sources = sum((cfg.value is not None, bool(cfg.from_attribute), bool(cfg.from_context)))
        if sources != 1:
            raise ValueError(f'action "{cfg.action}" needs exactly one of "value", "from_attribute", "from_context"')
    elif cfg.action in ("delete", "hash"):
        if not cfg.key and not cfg.pattern:
            raise ValueError(f'action "{cfg.action}" needs "key" or "pattern"')
    elif cfg.action == "extract":
        if not cfg.key or not cfg.pattern:
            raise ValueError('action "extract" needs "key" and "pattern"')
        if not re.compile(cfg.pattern).groupindex:
            raise ValueError(f'action "extract": pattern {cfg.pattern!r} has no named subexpressions')
    elif cfg.action == "convert":
        if not cfg.key or not cfg.converted_type:
            raise ValueError('action "convert" needs "key" and "converted_type" (int, double or string)')


def as_string(value: AnyValue) -> str:
    """Any attribute value as text (pdata ``AsString``): booleans lower-case, maps and lists as JSON."""
    kind = value.WhichOneof("value")
    if kind is None:
        return ""
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    if kind in ("array_value", "kvlist_value"):
        return json.dumps(to_python(value), separators=(",", ":"), sort_keys=True, default=str)
    return str(getattr(value, kind))


def _index(kvs: KeyValues, key: str) -> int:
    for i, kv in enumerate(kvs):
        if kv.key == key:
            return i
    return -1


def _set(kvs: KeyValues, key: str, value: AnyValue, *, insert: bool, update: bool) -> None:
    i = _index(kvs, key)
    if i >= 0 and update:
        kvs[i].value.CopyFrom(value)
    elif i < 0 and insert:
        kvs.add(key=key).value.CopyFrom(value)  # type: ignore[attr-defined]


def _keys(kvs: KeyValues, key: str, regex: re.Pattern[str] | None) -> list[int]:
    return [i for i, kv in enumerate(kvs) if kv.key == key or (regex is not None and regex.search(kv.key))]


def _convert(value: AnyValue, target: str) -> AnyValue | None:
    text = as_string(value)
    kind = value.WhichOneof("value")
    try:
        if target == "string":
            return to_any_value(text)
        if target == "int":
            if kind == "double_value":
                return to_any_value(int(value.double_value))
            if kind == "bool_value":
                return to_any_value(int(value.bool_value))
            return to_any_value(int(text))
        if kind == "bool_value":
            return to_any_value(float(value.bool_value))
        return to_any_value(float(text))
    except ValueError:
        return None


def compile_action(cfg: ActionConfig) -> Action:  # noqa: C901 - one branch per upstream action
    """Turn one action config into a function editing an attribute list in place."""
    regex = re.compile(cfg.pattern) if cfg.pattern else None
    if cfg.action in ("insert", "update", "upsert"):
        insert = cfg.action in ("insert", "upsert")
        update = cfg.action in ("update", "upsert")
        constant = to_any_value(cfg.value) if cfg.value is not None else None

        def write(kvs: KeyValues) -> None:
            if constant is not None:
                _set(kvs, cfg.key, constant, insert=insert, update=update)
            elif cfg.from_attribute:
                src = _index(kvs, cfg.from_attribute)
                if src >= 0:
                    copied = AnyValue()
                    copied.CopyFrom(kvs[src].value)
                    _set(kvs, cfg.key, copied, insert=insert, update=update)
        return write
    if cfg.action == "delete":
        def delete(kvs: KeyValues) -> None:
            for i in reversed(_keys(kvs, cfg.key, regex)):
                del kvs[i]
        return delete
    if cfg.action == "hash":
        def hash_(kvs: KeyValues) -> None:
            for i in _keys(kvs, cfg.key, regex):
                digest = hashlib.sha256(as_string(kvs[i].value).encode()).hexdigest()
                kvs[i].value.CopyFrom(to_any_value(digest))
        return hash_
    if cfg.action == "extract":
        compiled = re.compile(cfg.pattern)

        def extract(kvs: KeyValues) -> None:
            i = _index(kvs, cfg.key)
            if i < 0 or kvs[i].value.WhichOneof("value") != "string_value":
                return
            match = compiled.search(kvs[i].value.string_value)
            if match is None:
                return
            for name, group in match.groupdict().items():
                if group is not None:
                    _set(kvs, name, to_any_value(group), insert=True, update=True)
        return extract

    def convert(kvs: KeyValues) -> None:
        i = _index(kvs, cfg.key)
        if i >= 0:
            converted = _convert(kvs[i].value, cfg.converted_type)
            if converted is not None:
                kvs[i].value.CopyFrom(converted)
    return convert


def compile_actions(configs: Sequence[ActionConfig]) -> Action:
    """All actions as one function applied in order."""
    actions = [compile_action(cfg) for cfg in configs]

    def apply(kvs: KeyValues) -> None:
        for action in actions:
            action(kvs)
    return apply


def actions_processor(
    signal: Signal, select: Callable[[Signal, Any], Iterable[KeyValues]], field: str
) -> Callable[[Settings, Any, Any], FuncProcessor]:
    """The ``create`` of a processor applying the actions in config ``field`` to every map ``select`` yields.

    The attributes processor selects span, log and data-point attributes; the resource processor
    selects resource attributes.
    """
    def create(settings: Settings, config: Any, next_consumer: Any) -> FuncProcessor:
        apply = compile_actions(getattr(config, field))

        def process(batch: Any) -> Any:
            for attrs in select(signal, batch):
                apply(attrs)
            return batch
        return FuncProcessor(settings, signal, process, next_consumer)
    return create
