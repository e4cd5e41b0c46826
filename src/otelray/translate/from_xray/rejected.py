"""The internal signal that a document cannot be translated; ``segment.py`` turns it into a value."""

from __future__ import annotations


class Rejected(Exception):
    """Raised by a block module; never escapes ``otelray.translate.from_xray``.

    Attributes:
        reason: the precise message, worded as the awsxray receiver words it.
        code: the metric label (``unexpected_namespace``, ``invalid_sql_url``, …).
    """

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
