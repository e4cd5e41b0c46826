"""Why one span could not become a segment document (internal to ``to_xray``).

Block functions raise :class:`SpanFailure`; ``batch.translate_spans`` turns it into an
``otelray.translate.errors.TranslationError`` value for that span and carries on with the rest.
"""

from __future__ import annotations


class SpanFailure(ValueError):
    """One span cannot be translated; ``code`` is the metric label, the message the reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
