"""The ``X-Amzn-Trace-Id`` tracing header (X-Ray developer guide, "Tracing header").

``Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`` plus optional
``Lineage=…``, ``Self=…`` and unknown keys, which are kept and written back in their order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otelray.xray.errors import TraceHeaderError
from otelray.xray.ids import is_segment_id, is_trace_id

HEADER_NAME = "X-Amzn-Trace-Id"
MAX_HEADER_LENGTH = 8192


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """A parsed tracing header. ``sampled`` is ``True``, ``False`` or ``None`` for ``?``/absent."""

    root: str | None = None
    parent: str | None = None
    sampled: bool | None = None
    requested: bool = False
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, value: str) -> TraceHeader:
        """Parse a header value; raises ``TraceHeaderError`` naming the bad part."""
        if len(value) > MAX_HEADER_LENGTH:
            raise TraceHeaderError(f"trace header longer than {MAX_HEADER_LENGTH} characters")
        root = parent = None
        sampled: bool | None = None
        requested = False
        extra: list[tuple[str, str]] = []
        for part in value.split(";"):
            part = part.strip()
            if not part:
                continue
            key, sep, val = part.partition("=")
            if not sep:
                raise TraceHeaderError(f"trace header part {part!r} is not Key=Value")
            key, val = key.strip(), val.strip()
            if key == "Root":
                if not is_trace_id(val):
                    raise TraceHeaderError(f"Root={val!r} is not an X-Ray trace id (1-<8 hex>-<24 hex>)")
                root = val.lower()
            elif key == "Parent":
                if not is_segment_id(val):
                    raise TraceHeaderError(f"Parent={val!r} is not a 16-hex-digit segment id")
                parent = val.lower()
            elif key == "Sampled":
                sampled, requested = _parse_sampled(val)
            else:
                extra.append((key, val))
        return cls(root=root, parent=parent, sampled=sampled, requested=requested, extra=tuple(extra))

    def __str__(self) -> str:
        parts: list[str] = []
        if self.root:
            parts.append(f"Root={self.root}")
        if self.parent:
            parts.append(f"Parent={self.parent}")
        if self.sampled is not None:
            parts.append(f"Sampled={'1' if self.sampled else '0'}")
        elif self.requested:
            parts.append("Sampled=?")
        parts.extend(f"{k}={v}" for k, v in self.extra)
        return ";".join(parts)


def _parse_sampled(value: str) -> tuple[bool | None, bool]:
    if value == "1":
        return True, False
    if value == "0":
        return False, False
    if value == "?":
        return None, True
    raise TraceHeaderError(f"Sampled={value!r} must be 1, 0 or ?")
