"""``user``, ``annotations`` and ``metadata`` (contrib ``translator/segment.go`` ``makeXRayAttributes``).

``enduser.id`` becomes ``user``. Attributes named in ``indexed_attributes`` (or all of them with
``index_all_attributes``, or those listed in the span's ``aws.xray.annotations``) become annotations
when scalar — non-scalar span attributes selected for indexing are dropped, as upstream does.
``aws.xray.metadata.<ns>`` JSON strings become metadata namespaces; everything else goes to
``metadata.default`` as its raw value. Segments (not subsegments) also carry the resource's
attributes as ``otel.resource.<key>``. Annotation keys keep only ASCII letters, digits and (gate
``exporter.xray.allowDot``, on by default) dots; anything else becomes ``_`` (reference §1.12).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from otelray.translate.options import TranslateOptions
from otelray.translate.to_xray.jsonenc import go_float_fragment
from otelray.translate.to_xray.values import Attrs, annotation_value, as_raw, as_str

RESOURCE_PREFIX = "otel.resource."
METADATA_PREFIX = "aws.xray.metadata."
ANNOTATIONS_ATTRIBUTE = "aws.xray.annotations"
_INVALID_KEY_WITH_DOT = re.compile(r"[^A-Za-z0-9.]")
_INVALID_KEY = re.compile(r"[^A-Za-z0-9]")


#: Keys up to this length are fixed once and remembered (they repeat on every span); at most
#: ``_CACHED_KEYS`` of them, so the cache stays small whatever the input.
_CACHED_KEY_LENGTH, _CACHED_KEYS = 256, 1024


def _fix_key(key: str, allow_dot: bool) -> str:
    return (_INVALID_KEY_WITH_DOT if allow_dot else _INVALID_KEY).sub("_", key)


_fix_key_cached = lru_cache(maxsize=_CACHED_KEYS)(_fix_key)


def fix_annotation_key(key: str, allow_dot: bool = True) -> str:
    """Replace every character X-Ray does not index with ``_``."""
    return _fix_key_cached(key, allow_dot) if len(key) <= _CACHED_KEY_LENGTH else _fix_key(key, allow_dot)


def add_special_attributes(remaining: Attrs, indexed: Iterable[str], attrs: Attrs) -> Attrs:
    """Put back consumed attributes that ``indexed_attributes`` names, so they can be annotations."""
    if not indexed:
        return remaining
    missing = [name for name in indexed if name not in remaining and name in attrs]
    if not missing:
        return remaining
    restored = dict(remaining)
    for name in missing:
        restored[name] = attrs[name]
    return restored


def split_resource(resource: Attrs, indexed: frozenset[str], options: TranslateOptions) -> tuple[dict, dict]:
    """The resource's ``otel.resource.*`` annotations and default-namespace metadata."""
    annotations: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for key, value in resource.items():
        key = RESOURCE_PREFIX + key
        scalar = annotation_value(value)
        if scalar is not None and (options.index_all_attributes or key in indexed):
            annotations[fix_annotation_key(key, options.allow_dot_in_annotation_keys)] = scalar
        else:
            raw = as_raw(value)
            if raw is not None:
                metadata[key] = raw
    return annotations, dict(sorted(metadata.items()))


def _parse_number(text: str) -> Any:
    number = float(text)
    return go_float_fragment(number)  # Go decodes JSON numbers into float64


def _refuse_constant(text: str) -> Any:
    raise ValueError(f"invalid JSON literal {text}")


def _sorted_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    merged = dict(pairs)
    return {key: merged[key] for key in sorted(merged)}


def parse_metadata_json(text: str) -> dict[str, Any] | None:
    """Decode an ``aws.xray.metadata.*`` value as Go's ``json.Unmarshal`` into a map would.

    Raises:
        ValueError: not a JSON object (or ``null``, which yields None).
    """
    value = json.loads(
        text, parse_float=_parse_number, parse_int=_parse_number, parse_constant=_refuse_constant,
        object_pairs_hook=_sorted_object,
    )
    if value is not None and not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _sorted(entries: dict[str, Any]) -> dict[str, Any]:
    """``entries`` by key, as Go writes a map (a single entry is already in order)."""
    return entries if len(entries) == 1 else dict(sorted(entries.items()))


def _span_side(attrs: Attrs, indexed: frozenset[str], options: TranslateOptions,
               annotations: dict[str, Any], metadata: dict[str, Any], default: dict[str, Any]) -> None:
    allow_dot, index_all = options.allow_dot_in_annotation_keys, options.index_all_attributes
    for key, value in attrs.items():
        kind = type(value)
        if index_all or key in indexed:
            scalar = annotation_value(value)
            if scalar is not None:
                annotations[fix_annotation_key(key, allow_dot)] = scalar
        elif kind is str and key.startswith(METADATA_PREFIX):
            _metadata_namespace(key, value, metadata, default)
        elif kind is str or kind is int or kind is bool:
            default[key] = value
        elif value is not None:
            default[key] = as_raw(value)


def _metadata_namespace(key: str, value: str, metadata: dict[str, Any], default: dict[str, Any]) -> None:
    namespace = key[len(METADATA_PREFIX):]
    try:
        parsed = parse_metadata_json(value)
    except (ValueError, RecursionError):
        default[key] = value  # unparsable: kept verbatim
        return
    if namespace.lower() == "default":
        default.update(parsed or {})
    else:
        metadata[namespace] = parsed


def make_xray_attributes(
    remaining: Attrs, resource: Attrs, resource_split: tuple[dict, dict] | None, *, store_resource: bool,
    options: TranslateOptions,
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """Build ``(user, annotations, metadata)``; empty maps come back as None.

    ``resource_split`` is :func:`split_resource` precomputed for the options' indexed set; it is
    recomputed here when the span's ``aws.xray.annotations`` widens that set.
    """
    attrs, user = remaining, ""
    if "enduser.id" in attrs or ANNOTATIONS_ATTRIBUTE in attrs:
        attrs = dict(attrs)
        user_value = attrs.pop("enduser.id", None)
        user = "" if user_value is None else as_str(user_value)
    if not attrs and (not store_resource or not resource):
        return user, None, None
    indexed = options.indexed_set
    listed = attrs.get(ANNOTATIONS_ATTRIBUTE)
    if type(listed) is tuple:
        del attrs[ANNOTATIONS_ATTRIBUTE]
        extra = {item for item in listed if type(item) is str}
        if extra - indexed:
            indexed = indexed | extra
            resource_split = None
    annotations: dict[str, Any] = {}
    default: dict[str, Any] = {}
    if store_resource:
        res_annotations, res_metadata = resource_split or split_resource(resource, indexed, options)
        annotations.update(res_annotations)
        default.update(res_metadata)
    presorted = len(default)  # split_resource returns its metadata sorted
    metadata: dict[str, Any] = {}
    _span_side(attrs, indexed, options, annotations, metadata, default)
    if len(default) != presorted:  # the span added keys (updating existing ones keeps the order)
        default = _sorted(default)
    sorted_annotations = _sorted(annotations) if annotations else None
    if default:
        if not metadata:
            return user, sorted_annotations, {"default": default}
        metadata["default"] = default
    return (
        user,
        sorted_annotations,
        {ns: None if metadata[ns] is None else dict(sorted(metadata[ns].items())) for ns in sorted(metadata)} or None,
    )
