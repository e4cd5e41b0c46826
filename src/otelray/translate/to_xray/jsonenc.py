"""Segment documents encoded exactly as Go's ``encoding/json`` ``Encoder`` writes them.

The awsxray exporter serialises its ``Segment`` struct with a ``json.Encoder`` (contrib
``translator/writer_pool.go``), so a byte-identical document needs Go's rules (reference
adot-collector §1.13): struct fields in declaration order (the caller builds dicts in that order),
map keys sorted, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as ``\\u003c``…, floats in the
shortest form with ``'f'`` notation for 1e-6 ≤ |x| < 1e21 and ``'e'`` notation (``1e-7``,
``1e+21``) outside it, NaN and ±Inf refused, and a trailing newline. ``orjson`` does the bulk
work; floats travel as pre-rendered ``orjson.Fragment`` values.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import orjson

_HTML_ESCAPES = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))
# Rare characters, looked for by their lead byte first (a memchr) and only then replaced.
_RARE_ESCAPES = (
    (b"\xe2", ("\u2028".encode(), b"\\u2028")),
    (b"\xe2", ("\u2029".encode(), b"\\u2029")),
)


_dumps, _APPEND_NEWLINE = orjson.dumps, orjson.OPT_APPEND_NEWLINE


class UnsupportedValueError(ValueError):
    """A value Go's JSON encoder refuses (NaN or ±Inf), so the whole document fails."""


def go_float(value: float, *, strict: bool = True) -> str:
    """Render a float64 as Go's ``encoding/json`` does.

    Raises:
        UnsupportedValueError: for NaN or ±Inf when ``strict`` (Go returns an encoding error).
    """
    text = repr(value)
    if "e" not in text and text[-1] != "n" and text[-1] != "f":
        # repr is positional exactly for 1e-4 <= |x| < 1e16, where Go writes the same digits.
        return text[:-2] if text.endswith(".0") else text
    if math.isnan(value) or math.isinf(value):
        if strict:
            raise UnsupportedValueError(f"json: unsupported value: {text}")
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[text]
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        # 'e' notation; Go trims a leading zero of a two-digit negative exponent (e-07 → e-7).
        if "e-0" in text:
            text = text.replace("e-0", "e-")
        return text
    if "e" in text:
        text = format(Decimal(text), "f")
    elif text.endswith(".0"):
        text = text[:-2]
    return text


def go_float_fragment(value: float) -> float | orjson.Fragment:
    """A float ready for ``orjson`` to write as Go would (see :func:`go_float`).

    ``orjson`` writes the same shortest digits as Go for non-integral values with
    1e-5 <= |x| < 1e16 (span times, most measurements), so those stay floats; anything else is
    pre-rendered (``1`` instead of ``1.0``, ``0.000001`` instead of ``1e-6``, …).
    """
    if (1e-5 <= value < 1e16 or -1e16 < value <= -1e-5) and not value.is_integer():
        return value
    return orjson.Fragment(go_float(value))


# ``bytes.find`` rather than ``in``: ``bytes.__contains__`` first tries its operand as an int and
# formats a TypeError before searching, which costs more than the search.
def _go_escape(raw: bytes) -> bytes:
    for plain, escaped in _HTML_ESCAPES:
        if raw.find(plain) >= 0:
            raw = raw.replace(plain, escaped)
    if not raw.isascii():  # U+2028 and U+2029 are non-ASCII
        for lead, (plain, escaped) in _RARE_ESCAPES:
            if raw.find(lead) >= 0:
                raw = raw.replace(plain, escaped)
    return raw


def encode_document(document: dict[str, Any]) -> str:
    """Encode one segment document as the exporter does, trailing newline included.

    Raises:
        UnsupportedValueError: the document holds a value Go cannot encode.
        TypeError: the document holds a value JSON cannot represent.
    """
    try:
        raw = _dumps(document, option=_APPEND_NEWLINE)
    except orjson.JSONEncodeError as exc:
        raise UnsupportedValueError(f"json: {exc}") from exc
    if raw.find(b"<") >= 0 or raw.find(b">") >= 0 or raw.find(b"&") >= 0 or not raw.isascii():
        raw = _go_escape(raw)
    return raw.decode("utf-8")


def encode_value(value: Any) -> str:
    """Encode any JSON-ready value with the same rules, without the trailing newline."""
    return _go_escape(orjson.dumps(value)).decode("utf-8")
