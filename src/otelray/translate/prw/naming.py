"""Prometheus metric and label names from OTLP (prometheus ``otlptranslator``; adot-collector.md §4.1).

Metric names (strategy UnderscoreEscapingWithSuffixes, ``add_metric_suffixes: true``): the name is
split into tokens at every character that is not an ASCII letter or digit (Prometheus 2 accepts only
those); the unit's main part is mapped
through the UCUM table (``ms`` → ``milliseconds``, ``By`` → ``bytes``, ``%`` → ``percent``, …; units in
braces dropped, others appended cleaned) and its ``/per`` part through the per-unit table
(``m/s`` → ``meters_per_second``); a unit token already in the name is not repeated; monotonic sums
get ``total`` (moved to the end), gauges with unit ``1`` get ``ratio``; an optional namespace is
prefixed; a leading digit gets ``_``. Without suffixes invalid characters just become ``_``.

Label names: invalid characters become ``_``; a leading digit gets the ``key_`` prefix; a single
leading underscore (``_x``) becomes ``key_x``; names of the form ``__x__`` are kept.
"""

from __future__ import annotations

import re

_UNITS = {
    "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds", "us": "microseconds",
    "ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes",
    "TiBy": "tibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "TBy": "terabytes",
    "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams",
    "Cel": "celsius", "Hz": "hertz", "1": "", "%": "percent",
}
_PER_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year"}
_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]")
_INVALID_METRIC_CHARS = re.compile(r"[^a-zA-Z0-9_:]")
_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def _tokens(text: str) -> list[str]:
    return [t for t in _NON_ALNUM.split(text) if t]


def _clean_unit(unit: str) -> str:
    return "_".join(_tokens(unit))


def _unit_tokens(unit: str, name_tokens: list[str]) -> list[str]:
    main, _, per = unit.partition("/")
    out: list[str] = []
    main = main.strip()
    if main and "{" not in main and "}" not in main:
        prom = _clean_unit(_UNITS.get(main, main))
        if prom and prom not in name_tokens:
            out.append(prom)
    per = per.strip()
    if per and "{" not in per and "}" not in per:
        prom = _clean_unit(_PER_UNITS.get(per, per))
        if prom and prom not in name_tokens:
            out += ["per", prom]
    return out


def metric_name(name: str, unit: str, *, kind: str, monotonic: bool = False, namespace: str = "",
                add_suffixes: bool = True) -> str:
    """The Prometheus base name of an OTLP metric (``kind`` is the OTLP data field: gauge, sum, …)."""
    if not add_suffixes:
        out = _INVALID_METRIC_CHARS.sub("_", f"{namespace}_{name}" if namespace else name)
        return f"_{out}" if out[:1].isdigit() else out
    tokens = _tokens(name)
    tokens += _unit_tokens(unit, tokens)
    if kind == "sum" and monotonic:
        tokens = [t for t in tokens if t != "total"] + ["total"]
    if unit == "1" and kind == "gauge":
        tokens = [t for t in tokens if t != "ratio"] + ["ratio"]
    if namespace:
        tokens = [namespace, *tokens]
    out = "_".join(tokens)
    return f"_{out}" if out[:1].isdigit() else out


def label_name(name: str) -> str:
    """A valid Prometheus label name for an attribute key (``NormalizeLabel``)."""
    if not name:
        return name
    out = _INVALID_LABEL_CHARS.sub("_", name)
    if out[0].isdigit():
        return "key_" + out
    if out.startswith("_") and not out.startswith("__"):
        return "key" + out
    return out


def go_float_f(value: float) -> str:
    """Go ``strconv.FormatFloat(v, 'f', -1, 64)``: shortest round-trip digits, never an exponent."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    if "e" in text or "E" in text:
        mantissa, _, exp = text.lower().partition("e")
        sign = "-" if mantissa.startswith("-") else ""
        digits = mantissa.lstrip("-").replace(".", "")
        point = (mantissa.lstrip("-").find(".") if "." in mantissa else len(mantissa.lstrip("-"))) + int(exp)
        if point <= 0:
            text = sign + "0." + "0" * -point + digits.rstrip("0")
        else:
            digits = digits.ljust(point, "0")
            text = sign + digits[:point] + ("." + digits[point:] if digits[point:].strip("0") else "")
    return text[:-2] if text.endswith(".0") else text
