"""Translation errors, returned as values by ``otelray.translate`` (never raised past its API).

A span or segment document that cannot be translated yields a ``TranslationError`` in the result
next to the items that did translate, so the caller can count and log it while the rest of the
batch goes on (the awsxray exporter only logs such spans at debug level and skips them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TranslationError:
    """One item that could not be translated.

    Attributes:
        item_id: the span id (hex) or segment id, or ``""`` when it could not be read.
        reason: a precise, human-readable reason (e.g. ``invalid xray traceid: 00000000…``).
        code: a short machine-readable tag used as a metric label (e.g. ``invalid_trace_id``).
    """

    item_id: str
    reason: str
    code: str = "invalid"
