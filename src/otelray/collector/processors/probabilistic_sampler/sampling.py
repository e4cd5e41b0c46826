"""Sampling decisions of the probabilistic sampler (contrib ``processor/probabilisticsamplerprocessor``).

- ``hash_seed`` mode: FNV-1a 32-bit over the 4 little-endian bytes of ``hash_seed`` then the 16-byte
  trace id; the low 14 bits are compared with ``percentage × 16384 / 100`` (``fnvhasher.go``,
  ``sampler_mode.go``): kept when ``hash & 0x3FFF < threshold``.
- ``proportional`` and ``equalizing`` modes (OTEP 235, W3C trace-context level 2): the randomness is
  the last 56 bits of the trace id (or ``rv`` from ``ot`` in the tracestate); the rejection threshold
  is ``(1 − p) × 2^56``, rounded to ``sampling_precision`` hex digits; a span is kept when
  randomness ≥ threshold. ``proportional`` multiplies with an incoming ``th`` probability,
  ``equalizing`` takes the larger threshold. Kept spans carry the new ``ot=th:…`` in their tracestate.
- A ``sampling.priority`` attribute overrides the decision: 0 drops, anything above keeps.
"""

from __future__ import annotations

import re

NUM_HASH_BUCKETS = 0x4000
BIT_MASK_HASH_BUCKETS = NUM_HASH_BUCKETS - 1
MAX_ADJUSTED = 1 << 56
_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_OT_TH = re.compile(r"(?:^|;)th:([0-9a-f]{1,14})(?:;|$)")
_OT_RV = re.compile(r"(?:^|;)rv:([0-9a-f]{14})(?:;|$)")


def fnv1a_32(data: bytes, seed: int) -> int:
    """FNV-1a over the little-endian seed bytes followed by ``data``."""
    h = _FNV_OFFSET
    for byte in seed.to_bytes(4, "little") + data:
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h


def hash_seed_threshold(percentage: float) -> int:
    """The bucket threshold of ``hash_seed`` mode (``uint32(pct × numHashBuckets / 100)``)."""
    return int(percentage * NUM_HASH_BUCKETS / 100.0)


def hash_seed_keep(trace_id: bytes, seed: int, threshold: int) -> bool:
    """The ``hash_seed`` decision for one trace id."""
    return (fnv1a_32(trace_id, seed) & BIT_MASK_HASH_BUCKETS) < threshold


def probability_threshold(percentage: float, precision: int) -> int:
    """The OTEP 235 rejection threshold for a percentage, rounded to ``precision`` hex digits."""
    reject = round((1.0 - percentage / 100.0) * MAX_ADJUSTED)
    reject = max(0, min(MAX_ADJUSTED, reject))
    if reject in (0, MAX_ADJUSTED):
        return reject
    digits = f"{reject:014x}"
    leading = len(digits) - len(digits.lstrip("0"))
    keep = min(14, leading + max(1, precision))
    step = 16 ** (14 - keep)
    return min(MAX_ADJUSTED - 1, round(reject / step) * step)


def encode_threshold(threshold: int) -> str:
    """``th`` value: 14 hex digits without trailing zeros (``0`` for always-sample)."""
    if threshold == 0:
        return "0"
    return f"{threshold:014x}".rstrip("0")


def parse_ot(trace_state: str) -> tuple[str, int | None, int | None]:
    """The ``ot`` member value of a tracestate, its ``th`` threshold and ``rv`` randomness."""
    for member in trace_state.split(","):
        key, _, value = member.strip().partition("=")
        if key == "ot":
            th = _OT_TH.search(value)
            rv = _OT_RV.search(value)
            threshold = int(th.group(1).ljust(14, "0"), 16) if th else None
            return value, threshold, int(rv.group(1), 16) if rv else None
    return "", None, None


def with_threshold(trace_state: str, threshold: int) -> str:
    """``trace_state`` with ``ot``'s ``th`` set to ``threshold`` (other members kept, ``ot`` first)."""
    ot, _, _ = parse_ot(trace_state)
    parts = [p for p in ot.split(";") if p and not p.startswith("th:")]
    ot_value = ";".join([f"th:{encode_threshold(threshold)}", *parts])
    others = [m.strip() for m in trace_state.split(",") if m.strip() and not m.strip().startswith("ot=")]
    return ",".join([f"ot={ot_value}", *others])


def randomness(trace_id: bytes, rv: int | None) -> int:
    """56 bits of randomness: explicit ``rv`` or the low 7 bytes of the trace id."""
    return rv if rv is not None else int.from_bytes(trace_id[9:16], "big")


def combine(mode: str, configured: int, incoming: int | None) -> int:
    """The threshold to apply given an incoming one (``proportional`` / ``equalizing``)."""
    if incoming is None:
        return configured
    if mode == "equalizing":
        return max(configured, incoming)
    keep_in = (MAX_ADJUSTED - incoming) / MAX_ADJUSTED
    keep_cfg = (MAX_ADJUSTED - configured) / MAX_ADJUSTED
    return min(MAX_ADJUSTED, round(MAX_ADJUSTED * (1 - keep_in * keep_cfg)))
