"""X-Ray segment documents → OTLP spans, as the collector's awsxray receiver translates them.

``segment.py`` is the orchestrator; one module per block of the document (``http``, ``aws``,
``sql``, ``cause``, ``annotations``, ``naming``, ``resource``).
"""

from __future__ import annotations

from otelray.translate.from_xray.segment import datagram_to_resource_spans, document_to_resource_spans

__all__ = ["datagram_to_resource_spans", "document_to_resource_spans"]
