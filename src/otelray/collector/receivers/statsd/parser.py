"""StatsD / DogStatsD line parsing (contrib ``receiver/statsdreceiver/internal/protocol/statsd_parser.go``).

A line is ``<name>:<value>|<type>[|@<sample rate>][|#<k>:<v>,…]``; types ``c`` (counter), ``g``
(gauge; a leading ``+``/``-`` adjusts the current value), ``ms`` (timing), ``h`` (histogram) and
``d`` (distribution). A bad line raises ``StatsdParseError`` with a reason (``invalid_format``,
``invalid_value``, ``unsupported_type``, ``invalid_sample_rate``, ``invalid_tag``), which the receiver
counts; the other lines of the datagram are still used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TYPES = {"c": "counter", "g": "gauge", "ms": "timing", "h": "histogram", "d": "distribution"}


class StatsdParseError(ValueError):
    """A line that is not valid StatsD; ``reason`` labels the rejection counter."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StatsdLine:
    """One parsed line."""

    name: str
    value: float
    type: str
    sample_rate: float = 1.0
    tags: tuple[tuple[str, str], ...] = ()
    relative: bool = False


def _tags(text: str, simple_tags: bool) -> tuple[tuple[str, str], ...]:
    out = []
    for tag in text.split(","):
        key, sep, value = tag.partition(":")
        if not key or (not sep and not simple_tags):
            raise StatsdParseError("invalid_tag", f"invalid tag format: {tag!r}")
        out.append((key, value))
    return tuple(sorted(out))


def parse_line(line: str, *, simple_tags: bool = False) -> StatsdLine:
    """Parse one line.

    Raises:
        StatsdParseError: the line is not valid.
    """
    parts = line.split("|")
    name, sep, raw_value = parts[0].partition(":")
    if not name or not sep or len(parts) < 2:
        raise StatsdParseError("invalid_format", f"invalid message format: {line!r}")
    kind = TYPES.get(parts[1])
    if kind is None:
        raise StatsdParseError("unsupported_type", f"unsupported metric type: {parts[1]!r}")
    try:
        value = float(raw_value)
    except ValueError:
        raise StatsdParseError("invalid_value", f"parse metric value string: {raw_value!r}") from None
    if not math.isfinite(value):
        raise StatsdParseError("invalid_value", f"metric value is not finite: {raw_value!r}")
    rate, tags = 1.0, ()
    for part in parts[2:]:
        if part.startswith("@"):
            try:
                rate = float(part[1:])
            except ValueError:
                raise StatsdParseError("invalid_sample_rate", f"parse sample rate: {part!r}") from None
            if not 0 < rate <= 1:
                raise StatsdParseError("invalid_sample_rate", f"sample rate must be in (0, 1]: {part!r}")
        elif part.startswith("#"):
            tags = _tags(part[1:], simple_tags)
        elif part.startswith(("c:", "T")):
            continue  # container id / timestamp extensions: accepted, not used
        else:
            raise StatsdParseError("invalid_format", f"unrecognized message part: {part!r}")
    relative = kind == "gauge" and raw_value[:1] in "+-"
    return StatsdLine(name, value, kind, rate, tags, relative)
