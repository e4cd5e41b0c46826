"""OTLP spans → X-Ray segment documents, as the ADOT/contrib ``awsxray`` exporter writes them.

Entry point: :func:`translate_spans`. One module per segment block (``http``, ``aws``, ``cause``,
``sql``, ``service``, ``origin``, ``links``, ``annotations``, ``naming``, ``trace_id``);
``segment`` orders them; ``jsonenc`` writes Go-identical JSON.
"""

from __future__ import annotations

from otelray.translate.to_xray.batch import ToXRayResult, translate_spans

__all__ = ["ToXRayResult", "translate_spans"]
